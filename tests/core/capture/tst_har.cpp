// HAR 1.2 export (checked against the spec's required fields and types) and import round trip.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/Har.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::capture;
using namespace portico::capture::test;

namespace {

// A JSON-schema-style check of HAR 1.2: required members, their types, and the timing rules.
// Returns the first problem, or an empty string.
QString validateHar(const QJsonDocument &doc)
{
    const auto need
        = [](const QJsonObject &o, const char *key, QJsonValue::Type type, const QString &where) -> QString {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.type() != type)
            return QStringLiteral("%1.%2: missing or wrong type").arg(where, QLatin1String(key));
        return {};
    };
#define NEED(o, k, t, w)                                                                                     \
    if (const QString p = need(o, k, QJsonValue::t, w); !p.isEmpty())                                        \
        return p;
    if (!doc.isObject())
        return QStringLiteral("not an object");
    NEED(doc.object(), "log", Object, QStringLiteral("$"));
    const QJsonObject log = doc.object().value(QStringLiteral("log")).toObject();
    NEED(log, "version", String, QStringLiteral("log"));
    NEED(log, "creator", Object, QStringLiteral("log"));
    NEED(log.value(QStringLiteral("creator")).toObject(), "name", String, QStringLiteral("log.creator"));
    NEED(log.value(QStringLiteral("creator")).toObject(), "version", String, QStringLiteral("log.creator"));
    NEED(log, "entries", Array, QStringLiteral("log"));
    static const QRegularExpression iso(
        QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$)"));
    int i = 0;
    for (const QJsonValue &v : log.value(QStringLiteral("entries")).toArray()) {
        const QString w = QStringLiteral("entries[%1]").arg(i++);
        const QJsonObject e = v.toObject();
        NEED(e, "startedDateTime", String, w);
        if (!iso.match(e.value(QStringLiteral("startedDateTime")).toString()).hasMatch())
            return w + QStringLiteral(".startedDateTime: not ISO 8601");
        NEED(e, "time", Double, w);
        NEED(e, "request", Object, w);
        NEED(e, "response", Object, w);
        NEED(e, "cache", Object, w);
        NEED(e, "timings", Object, w);
        const QJsonObject rq = e.value(QStringLiteral("request")).toObject();
        for (const char *k : { "method", "url", "httpVersion" })
            NEED(rq, k, String, w + QStringLiteral(".request"));
        for (const char *k : { "cookies", "headers", "queryString" })
            NEED(rq, k, Array, w + QStringLiteral(".request"));
        for (const char *k : { "headersSize", "bodySize" })
            NEED(rq, k, Double, w + QStringLiteral(".request"));
        for (const QJsonValue &h : rq.value(QStringLiteral("headers")).toArray()) {
            NEED(h.toObject(), "name", String, w + QStringLiteral(".request.headers"));
            NEED(h.toObject(), "value", String, w + QStringLiteral(".request.headers"));
        }
        if (rq.contains(QStringLiteral("postData"))) {
            NEED(rq.value(QStringLiteral("postData")).toObject(), "mimeType", String,
                w + QStringLiteral(".postData"));
            NEED(rq.value(QStringLiteral("postData")).toObject(), "text", String,
                w + QStringLiteral(".postData"));
        }
        const QJsonObject rs = e.value(QStringLiteral("response")).toObject();
        NEED(rs, "status", Double, w + QStringLiteral(".response"));
        for (const char *k : { "statusText", "httpVersion", "redirectURL" })
            NEED(rs, k, String, w + QStringLiteral(".response"));
        for (const char *k : { "cookies", "headers" })
            NEED(rs, k, Array, w + QStringLiteral(".response"));
        for (const char *k : { "headersSize", "bodySize" })
            NEED(rs, k, Double, w + QStringLiteral(".response"));
        NEED(rs, "content", Object, w + QStringLiteral(".response"));
        NEED(rs.value(QStringLiteral("content")).toObject(), "size", Double, w + QStringLiteral(".content"));
        NEED(rs.value(QStringLiteral("content")).toObject(), "mimeType", String,
            w + QStringLiteral(".content"));
        const QJsonObject t = e.value(QStringLiteral("timings")).toObject();
        double sum = 0;
        for (const char *k : { "send", "wait", "receive" }) {
            NEED(t, k, Double, w + QStringLiteral(".timings"));
            if (t.value(QLatin1String(k)).toDouble() < 0)
                return w + QStringLiteral(".timings.%1 < 0").arg(QLatin1String(k));
            sum += t.value(QLatin1String(k)).toDouble();
        }
        for (const char *k : { "blocked", "dns", "connect", "ssl" }) {
            const double d = t.value(QLatin1String(k)).toDouble(-1);
            if (d < 0 && t.contains(QLatin1String(k)))
                return w
                    + QStringLiteral(".timings.%1 negative (Portico exports none)").arg(QLatin1String(k));
            if (d > 0 && qstrcmp(k, "ssl") != 0)
                sum += d;
        }
        if (std::abs(sum - e.value(QStringLiteral("time")).toDouble()) > 0.0015)
            return w
                + QStringLiteral(".time %1 != sum of timings %2")
                      .arg(e.value(QStringLiteral("time")).toDouble())
                      .arg(sum);
    }
#undef NEED
    return {};
}

} // namespace

class TstHar : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("har.db"));
        CaptureStore store(options(m_path));
        QVERIFY(store.open());
        // The gateway records the Host field as the client sent it, port included; an import
        // reads the same from the URL.
        const auto captured = [](const char *method, const char *path, int status) {
            Exchange e = makeExchange(QString::fromLatin1(method), QString::fromLatin1(path), status);
            e.host = QStringLiteral("api.local:8080");
            return e;
        };
        Exchange e = captured("POST", "/api/users", 201);
        e.url += QStringLiteral("?page=2&q=a%20b");
        e.query = QStringLiteral("page=2&q=a%20b");
        e.requestHeaders.emplaceBack("Content-Type", "application/json");
        e.requestBody = R"({"name":"ünïcode"})";
        e.requestBodySize = e.requestBody.size();
        e.consumer = QStringLiteral("alice");
        e.timings = { 1234, 2000, 150'500, 151'000 };
        m_expected.append(e);
        m_expected.last().id = store.submit(std::move(e));

        e = captured("GET", "/bin", 200);
        e.protocol = QStringLiteral("HTTP/2");
        e.responseBody = QByteArray("\x89PNG\x00\xff\xfe", 7);
        e.responseBodySize = 5000;
        e.responseTruncated = true;
        e.timings = { -1, -1, 80, 60 }; // unknowns and an out-of-order clock reading
        m_expected.append(e);
        m_expected.last().id = store.submit(std::move(e));

        e = captured("GET", "/down", 0);
        e.responseHeaders.clear();
        e.responseBody.clear();
        e.responseBodySize = 0;
        e.error = QStringLiteral("connection refused");
        e.timings = { 10, -1, -1, 500 };
        m_expected.append(e);
        m_expected.last().id = store.submit(std::move(e));
        QVERIFY(store.flush());
    }

    void exportIsValidHar12()
    {
        CaptureReader reader;
        QVERIFY(reader.open(m_path));
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QString error;
        QCOMPARE(exportHar(reader, {}, &buffer, &error), 3);
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(buffer.data(), &pe);
        QCOMPARE(pe.error, QJsonParseError::NoError);
        const QString problem = validateHar(doc);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QJsonArray entries = doc[QStringLiteral("log")][QStringLiteral("entries")].toArray();
        QCOMPARE(entries.size(), 3);
        const QJsonObject first = entries[0].toObject();
        QCOMPARE(first[QStringLiteral("request")][QStringLiteral("queryString")].toArray().size(), 2);
        QCOMPARE(first[QStringLiteral("request")][QStringLiteral("queryString")][1][QStringLiteral("value")]
                     .toString(),
            QStringLiteral("a b"));
        QCOMPARE(first[QStringLiteral("time")].toDouble(), 151.0);
        QCOMPARE(first[QStringLiteral("timings")][QStringLiteral("wait")].toDouble(), 148.5);
        QCOMPARE(first[QStringLiteral("response")][QStringLiteral("statusText")].toString(),
            QStringLiteral("Created"));
        // httpVersion is the protocol the client spoke, on both sides of the entry.
        QCOMPARE(first[QStringLiteral("request")][QStringLiteral("httpVersion")].toString(),
            QStringLiteral("HTTP/1.1"));
        for (const char *side : { "request", "response" })
            QCOMPARE(entries[1][QLatin1String(side)][QStringLiteral("httpVersion")].toString(),
                QStringLiteral("HTTP/2"));
        const QJsonObject content
            = entries[1].toObject()[QStringLiteral("response")][QStringLiteral("content")].toObject();
        QCOMPARE(content[QStringLiteral("encoding")].toString(), QStringLiteral("base64"));
        QCOMPARE(content[QStringLiteral("size")].toInt(), 5000);
        // A filter narrows the export.
        QBuffer filtered;
        filtered.open(QIODevice::WriteOnly);
        QCOMPARE(exportHar(reader, *FilterExpression::parse(QStringLiteral("error:true")), &filtered), 1);
        QVERIFY(validateHar(QJsonDocument::fromJson(filtered.data())).isEmpty());
    }

    void exportStopsWhenCancelled()
    {
        CaptureReader reader;
        QVERIFY(reader.open(m_path));
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        const std::atomic<bool> cancel { true };
        QString error;
        QCOMPARE(exportHar(reader, {}, &buffer, &error, &cancel), kExportCancelled);
        QVERIFY2(error.contains(QStringLiteral("cancelled")), qPrintable(error));
        const std::atomic<bool> keepGoing { false };
        QBuffer whole;
        whole.open(QIODevice::WriteOnly);
        QCOMPARE(exportHar(reader, {}, &whole, nullptr, &keepGoing), 3);
    }

    void roundTripThroughImport()
    {
        CaptureReader reader;
        QVERIFY(reader.open(m_path));
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QCOMPARE(exportHar(reader, {}, &buffer), 3);

        const QString copy = m_dir.filePath(QStringLiteral("copy.db"));
        {
            CaptureStore store(options(copy));
            QVERIFY(store.open());
            QString error;
            QCOMPARE(importHar(buffer.data(), store, &error), 3);
        }
        CaptureReader again;
        QVERIFY(again.open(copy));
        const auto rows = again.listAscending({}, 10);
        QCOMPARE(rows.size(), 3);
        for (int i = 0; i < 3; ++i) {
            Exchange got = *again.get(rows[i].id);
            const Exchange &want = m_expected[i];
            QVERIFY(got.notes.contains(QStringLiteral("original id %1").arg(want.id)));
            got.id = want.id;
            got.notes = want.notes;
            QCOMPARE(got.startedAt, want.startedAt);
            QCOMPARE(got.url, want.url);
            QCOMPARE(got.requestHeaders, want.requestHeaders);
            QCOMPARE(got.responseBody, want.responseBody);
            QCOMPARE(got.timings, want.timings);
            QCOMPARE(got, want);
        }
    }

    void importsABrowserHar()
    {
        // Shaped like a Chrome/Firefox export: -1 sizes, base64 content, no Portico fields.
        // Not QFINDTESTDATA: it goes by __FILE__, which ccache (CCACHE_BASEDIR) makes relative to
        // the build folder, so the file was not found from the test's working folder.
        QFile file(qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/tests/core/capture/data/browser.har");
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QByteArray har = file.readAll();
        QList<Exchange> parsed;
        QString error;
        QVERIFY2(parseHar(har, &parsed, &error), qPrintable(error));
        QCOMPARE(parsed.size(), 1);
        const Exchange &e = parsed.first();
        QCOMPARE(e.method, QStringLiteral("GET"));
        QCOMPARE(e.host, QStringLiteral("example.com"));
        QCOMPARE(e.path, QStringLiteral("/a/b"));
        QCOMPARE(e.query, QStringLiteral("x=1"));
        QCOMPARE(e.scheme, QStringLiteral("https"));
        QCOMPARE(e.startedAt, QDateTime(QDate(2024, 5, 1), QTime(8, 0, 0, 123), Qt::UTC));
        QCOMPARE(e.responseBody, QByteArray("GIF"));
        QCOMPARE(e.timings.receivedUs, 2000);
        QCOMPARE(e.timings.upstreamConnectUs, -1);
        QCOMPARE(e.timings.lastByteUs, 42'500);
        QCOMPARE(e.protocol, QStringLiteral("HTTP/2")); // Chrome writes "http/2.0"
        QVERIFY(e.notes.contains(QStringLiteral("imported from HAR")));
    }

    // httpVersion as other tools write it becomes one of the two values the filter knows; anything
    // else (HTTP/3, junk, a huge string) is recorded as not known, never stored as given.
    void importNormalizesHttpVersion()
    {
        const QList<std::pair<QString, QString>> cases = { { QStringLiteral("h2"), QStringLiteral("HTTP/2") },
            { QStringLiteral("HTTP/2.0"), QStringLiteral("HTTP/2") },
            { QStringLiteral("HTTP/1.0"), QStringLiteral("HTTP/1.1") },
            { QStringLiteral("http/1.1"), QStringLiteral("HTTP/1.1") }, { QStringLiteral("h3"), QString() },
            { QStringLiteral("HTTP/2'; DROP TABLE exchanges;--"), QString() },
            { QString(100'000, u'x'), QString() }, { QString(), QString() } };
        for (const auto &[given, want] : cases) {
            QJsonObject request { { QStringLiteral("method"), QStringLiteral("GET") },
                { QStringLiteral("url"), QStringLiteral("http://a.test/") },
                { QStringLiteral("httpVersion"), given } };
            const QJsonObject entry { { QStringLiteral("startedDateTime"),
                                          QStringLiteral("2024-05-01T10:00:00Z") },
                { QStringLiteral("request"), request },
                { QStringLiteral("response"), QJsonObject { { QStringLiteral("status"), 200 } } } };
            const QJsonObject log { { QStringLiteral("log"),
                QJsonObject { { QStringLiteral("entries"), QJsonArray { entry } } } } };
            QList<Exchange> parsed;
            QString error;
            QVERIFY2(parseHar(QJsonDocument(log).toJson(), &parsed, &error), qPrintable(error));
            QCOMPARE(parsed.size(), 1);
            QCOMPARE(parsed.first().protocol, want);
        }
    }

    void rejectsMalformedHar()
    {
        QList<Exchange> parsed;
        QString error;
        QVERIFY(!parseHar("{not json", &parsed, &error));
        QVERIFY(error.contains(QStringLiteral("not a HAR file")));
        QVERIFY(!parseHar(R"({"log":{}})", &parsed, &error));
        QVERIFY(error.contains(QStringLiteral("log.entries")));
        QVERIFY(!parseHar(
            R"({"log":{"entries":[{"request":{"method":"GET","url":"/relative"}}]}})", &parsed, &error));
        QVERIFY2(error.contains(QStringLiteral("entry 0")), qPrintable(error));
    }

private:
    static CaptureOptions options(const QString &path)
    {
        CaptureOptions o;
        o.databasePath = path;
        o.redactHeaders.clear();
        o.maxAge = std::chrono::milliseconds(0);
        return o;
    }

    QTemporaryDir m_dir;
    QString m_path;
    QList<Exchange> m_expected;
};

QTEST_GUILESS_MAIN(TstHar)
#include "tst_har.moc"
