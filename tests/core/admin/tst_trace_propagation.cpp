// Trace propagation through the real gateway to the loopback upstream: W3C traceparent, B3 single
// and multi header in, nothing in; the upstream sees the same trace with the gateway's span, and
// the captured exchange records the same ids.
#include "AdminTestSupport.h"

#include "core/capture/CaptureReader.h"

#include <QRegularExpression>
#include <QtTest>

using namespace portico;
using namespace portico::test;

namespace {

const char kWorkspace[] = R"(version: 1
gateway:
  listen: 127.0.0.1:0
  workers: 1
admin:
  listen: 127.0.0.1:0
capture:
  database: traffic.db
tracing:
  propagation: [w3c, b3]
upstreams:
  echo:
    targets: ["{{UPSTREAM_URL}}"]
routes:
  - name: users
    match: {path: /api/users}
    upstream: echo
)";

const QByteArray kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const QByteArray kSpan = "00f067aa0ba902b7";

struct Seen
{
    QByteArray traceId; // from the upstream's traceparent
    QByteArray spanId; // the gateway's span, as the upstream's parent
    QByteArray b3TraceId; // X-B3-TraceId upstream
    QByteArray b3SpanId; // X-B3-SpanId upstream
    QByteArray b3Parent; // X-B3-ParentSpanId upstream
    QByteArray captureTrace;
    QByteArray captureSpan;
    QByteArray captureParent;
};

} // namespace

class TestTracePropagation final : public QObject
{
    Q_OBJECT

private:
    Seen send(const QList<std::pair<QByteArray, QByteArray>> &headers)
    {
        Seen s;
        const quint64 stored = m_fx->gateway->captureStore()->storedRows();
        const HttpResult r = httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users")), {}, headers);
        if (r.status != 200)
            return s;
        const RecordedRequest up = m_fx->upstream.lastRequest();
        static const QRegularExpression tp(QStringLiteral("^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$"));
        const auto m = tp.match(QString::fromLatin1(up.header("traceparent")));
        if (m.hasMatch()) {
            s.traceId = m.captured(1).toLatin1();
            s.spanId = m.captured(2).toLatin1();
        }
        s.b3TraceId = up.header("X-B3-TraceId");
        s.b3SpanId = up.header("X-B3-SpanId");
        s.b3Parent = up.header("X-B3-ParentSpanId");
        if (!m_fx->waitForStored(stored + 1))
            return s;
        capture::CaptureReader reader;
        if (!reader.open(m_fx->gateway->captureStore()->options().databasePath))
            return s;
        const auto rows = reader.list({}, 1);
        if (rows.isEmpty())
            return s;
        const auto e = reader.get(rows.first().id);
        s.captureTrace = e->traceId.toLatin1();
        s.captureSpan = e->spanId.toLatin1();
        s.captureParent = e->parentSpanId.toLatin1();
        return s;
    }

private Q_SLOTS:
    void init()
    {
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(QString::fromUtf8(kWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    void cleanup() { m_fx.reset(); }

    void w3cIn()
    {
        const Seen s
            = send({ { "traceparent", "00-" + kTrace + '-' + kSpan + "-01" }, { "tracestate", "vendor=1" } });
        QCOMPARE(s.traceId, kTrace);
        QVERIFY(!s.spanId.isEmpty());
        QVERIFY(s.spanId != kSpan); // a child span: the gateway's own
        QCOMPARE(s.b3TraceId, kTrace);
        QCOMPARE(s.b3SpanId, s.spanId);
        QCOMPARE(s.b3Parent, kSpan);
        QCOMPARE(m_fx->upstream.lastRequest().header("tracestate"), QByteArray("vendor=1"));
        QCOMPARE(s.captureTrace, kTrace);
        QCOMPARE(s.captureSpan, s.spanId);
        QCOMPARE(s.captureParent, kSpan);
    }

    void b3SingleIn()
    {
        const Seen s = send({ { "b3", kTrace + '-' + kSpan + "-1" } });
        QCOMPARE(s.traceId, kTrace);
        QVERIFY(s.spanId != kSpan);
        QCOMPARE(s.b3Parent, kSpan);
        QCOMPARE(s.captureTrace, kTrace);
        QCOMPARE(s.captureParent, kSpan);
    }

    void b3SingleWith64BitTraceId()
    {
        const Seen s = send({ { "b3", "a3ce929d0e0e4736-" + kSpan } });
        QCOMPARE(s.traceId, QByteArray("0000000000000000a3ce929d0e0e4736"));
        QCOMPARE(s.captureTrace, s.traceId);
    }

    void b3MultiIn()
    {
        const Seen s
            = send({ { "X-B3-TraceId", kTrace }, { "X-B3-SpanId", kSpan }, { "X-B3-Sampled", "1" } });
        QCOMPARE(s.traceId, kTrace);
        QVERIFY(s.spanId != kSpan);
        QCOMPARE(s.b3TraceId, kTrace);
        QCOMPARE(s.b3Parent, kSpan);
        QCOMPARE(s.captureTrace, kTrace);
    }

    void noneInStartsATrace()
    {
        const Seen first = send({});
        QCOMPARE(first.traceId.size(), 32);
        QVERIFY(first.traceId != QByteArray(32, '0'));
        QVERIFY(first.b3Parent.isEmpty());
        QCOMPARE(first.captureTrace, first.traceId);
        QCOMPARE(first.captureSpan, first.spanId);
        QVERIFY(first.captureParent.isEmpty());
        const Seen second = send({});
        QVERIFY(second.traceId != first.traceId);
    }

    void invalidTraceparentStartsATrace()
    {
        const Seen s = send({ { "traceparent", "00-" + QByteArray(32, '0') + '-' + kSpan + "-01" } });
        QCOMPARE(s.traceId.size(), 32);
        QVERIFY(s.traceId != QByteArray(32, '0'));
        QCOMPARE(s.captureTrace, s.traceId);
    }

private:
    std::unique_ptr<AdminFixture> m_fx;
};

QTEST_GUILESS_MAIN(TestTracePropagation)
#include "tst_trace_propagation.moc"
