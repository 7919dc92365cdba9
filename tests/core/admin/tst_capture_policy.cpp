// The capture keeps secrets out, through the real proxy into the real SQLite file: every api_key
// scheme's header and query parameter and Proxy-Authorization are redacted without being listed,
// the file and its WAL are private (0600), and a reload (PUT /config) changes what is redacted,
// the body cap and retention from the next exchange on.
#include "AdminTestSupport.h"

#include "core/capture/CaptureReader.h"
#include "core/capture/FilterExpression.h"

#include <QFile>
#include <QtTest>

#include <sys/stat.h>

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
{{CAPTURE}}
upstreams:
  echo:
    targets: ["{{UPSTREAM_URL}}"]
auth:
  keys:
    type: api_key
    header: X-Key
    query: key
{{AUTH}}
consumers:
  - name: alice
    api_keys: [alice-key-0123]
routes:
  - name: private
    match: {path: /private}
    upstream: echo
    auth: [keys]
  - name: public
    match: {path: /public}
    upstream: echo
)";

QString workspaceText(const QString &capture, const QString &auth = {})
{
    QString text = QString::fromUtf8(kWorkspace);
    text.replace(QStringLiteral("{{CAPTURE}}"), capture);
    text.replace(QStringLiteral("{{AUTH}}"), auth);
    return text;
}

// Everything SQLite wrote: the database file and its WAL.
QByteArray fileBytes(const QString &db)
{
    QByteArray all;
    for (const QString &file : { db, db + QStringLiteral("-wal") }) {
        QFile f(file);
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}

} // namespace

class TestCapturePolicy final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        // Whatever the umask says, the capture is private.
        m_umask = ::umask(0);
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(workspaceText(QString()));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_db = m_fx->gateway->captureStore()->options().databasePath;
    }
    void cleanup()
    {
        m_fx.reset();
        ::umask(m_umask);
    }

    void everyApiKeySchemeIsRedactedWithoutBeingListed()
    {
        // body_bytes: the upstream answers bytes of its own, not an echo of the request (which would
        // put the key in the response body, which is not redacted).
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/private?body_bytes=8")), {},
                     { { "X-Key", "alice-key-0123" } })
                     .status,
            200);
        // The key in the query of a route without that scheme, and of no route at all.
        QCOMPARE(httpCall("GET",
                     m_fx->gatewayUrl(QStringLiteral("/public?page=2&key=alice-key-0123&body_bytes=8")), {},
                     { { "Proxy-Authorization", "Basic cHJveHktcGFzc3dvcmQ=" } })
                     .status,
            200);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/nowhere?key=alice-key-0123")), {},
                     { { "X-Key", "alice-key-0123" } })
                     .status,
            404);
        QVERIFY(m_fx->waitForStored(3));

        capture::CaptureReader reader;
        QVERIFY(reader.open(m_db));
        const auto rows = reader.list(*capture::FilterExpression::parse(QString()), 10);
        QCOMPARE(rows.size(), 3);
        const auto nowhere = reader.get(rows[0].id);
        const auto pub = reader.get(rows[1].id);
        const auto priv = reader.get(rows[2].id);
        QCOMPARE(capture::headerValue(priv->requestHeaders, "x-key"), QByteArray("[redacted]"));
        QCOMPARE(priv->consumer, QStringLiteral("alice"));
        QCOMPARE(capture::headerValue(pub->requestHeaders, "proxy-authorization"), QByteArray("[redacted]"));
        QCOMPARE(pub->query, QStringLiteral("page=2&key=[redacted]&body_bytes=8"));
        QVERIFY2(pub->url.endsWith(QStringLiteral("/public?page=2&key=[redacted]&body_bytes=8")),
            qPrintable(pub->url));
        QCOMPARE(nowhere->status, 404);
        QCOMPARE(nowhere->query, QStringLiteral("key=[redacted]"));
        QCOMPARE(capture::headerValue(nowhere->requestHeaders, "x-key"), QByteArray("[redacted]"));
        // Not a byte of either secret in the file or its WAL.
        const QByteArray bytes = fileBytes(m_db);
        QVERIFY(bytes.contains("/public"));
        QVERIFY(!bytes.contains("alice-key-0123"));
        QVERIFY(!bytes.contains("cHJveHktcGFzc3dvcmQ="));
    }

    void theDatabaseAndItsWalAre0600()
    {
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/public"))).status, 200);
        QVERIFY(m_fx->waitForStored(1));
        for (const QString &file : { m_db, m_db + QStringLiteral("-wal"), m_db + QStringLiteral("-shm") }) {
            struct stat st
            {
            };
            QVERIFY2(::stat(QFile::encodeName(file).constData(), &st) == 0, qPrintable(file));
            QCOMPARE(st.st_mode & 0777, mode_t(0600));
        }
    }

    void aReloadChangesRedactionBodyCapAndRetention()
    {
        auto post = [this](const QByteArray &secret) {
            return httpCall("POST", m_fx->gatewayUrl(QStringLiteral("/public?body_bytes=4")),
                QByteArray(64, 'b'),
                { { "X-Session", secret }, { "X-Other-Key", secret }, { "Content-Type", "text/plain" } });
        };
        QCOMPARE(post("before-reload").status, 200);
        QVERIFY(m_fx->waitForStored(1));
        capture::CaptureStore *store = m_fx->gateway->captureStore();

        const QString next
            = workspaceText(QStringLiteral("  redact_headers: [authorization, x-session]\n"
                                           "  max_body_bytes: 16\n"
                                           "  retention: {max_exchanges: 3}\n"),
                QStringLiteral("  other:\n    type: api_key\n    header: X-Other-Key\n"))
                  .replace(QStringLiteral("{{UPSTREAM_URL}}"), m_fx->upstream.url().toString());
        const HttpResult put = m_fx->adminCall(
            "PUT", QStringLiteral("/config"), next.toUtf8(), { { "Content-Type", "application/yaml" } });
        QVERIFY2(put.status == 200, put.body.constData());
        // The same store, not a new one: the file stays open.
        QCOMPARE(m_fx->gateway->captureStore(), store);

        QCOMPARE(post("after-reload").status, 200);
        QVERIFY(m_fx->waitForStored(2));
        capture::CaptureReader reader;
        QVERIFY(reader.open(m_db));
        const auto rows = reader.list(*capture::FilterExpression::parse(QString()), 10);
        QCOMPARE(rows.size(), 2);
        const auto before = reader.get(rows[1].id);
        const auto after = reader.get(rows[0].id);
        QCOMPARE(capture::headerValue(before->requestHeaders, "x-session"), QByteArray("before-reload"));
        QCOMPARE(before->requestBody.size(), 64);
        QCOMPARE(capture::headerValue(after->requestHeaders, "x-session"), QByteArray("[redacted]"));
        QCOMPARE(capture::headerValue(after->requestHeaders, "x-other-key"), QByteArray("[redacted]"));
        QCOMPARE(after->requestBody, QByteArray(16, 'b'));
        QVERIFY(after->requestTruncated);
        QVERIFY(!fileBytes(m_db).contains("after-reload"));

        for (int i = 0; i < 4; ++i)
            QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/public"))).status, 200);
        QVERIFY(m_fx->waitForStored(6));
        QTRY_COMPARE_WITH_TIMEOUT(
            reader.list(*capture::FilterExpression::parse(QString()), 100).size(), qsizetype(3), 5000);
    }

private:
    std::unique_ptr<AdminFixture> m_fx;
    QString m_db;
    mode_t m_umask = 022;
};

QTEST_GUILESS_MAIN(TestCapturePolicy)
#include "tst_capture_policy.moc"
