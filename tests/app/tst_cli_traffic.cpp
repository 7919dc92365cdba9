// portico-cli traffic and replay, driven as a user would: the real binary on a real database.
#include "ProcessRun.h"
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "support/LoopbackUpstream.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::capture;

namespace {

using Run = portico::test::ProcessRun;

Run cli(const QStringList &args)
{
    return portico::test::runCli(args);
}

Exchange exchange(const QString &method, const QString &url, int status, const QString &route)
{
    Exchange e;
    const QUrl u(url);
    e.startedAt = QDateTime::currentDateTimeUtc();
    e.clientAddress = QStringLiteral("127.0.0.1");
    e.method = method;
    e.url = url;
    e.scheme = u.scheme();
    e.host = u.authority(); // as the gateway records it: the client's Host, host:port
    e.listener = u.authority(); // the gateway it came through (the upstream stands in for it)
    e.path = u.path();
    e.query = u.query();
    e.status = status;
    e.route = route;
    e.consumer = QStringLiteral("alice");
    e.upstream = QStringLiteral("users-v1");
    e.traceId = QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736");
    e.requestHeaders = { { "Host", u.authority().toLatin1() }, { "Content-Type", "application/json" },
        { "X-Trace-Me", "yes" } };
    e.responseHeaders = { { "Content-Type", "application/json" } };
    e.responseBody = R"({"method":"GET","server":"old"})";
    e.responseBodySize = e.responseBody.size();
    e.requestBytes = 100;
    e.responseBytes = 200;
    e.timings = { 100, 200, 1200, 1500 };
    e.protocol = QStringLiteral("HTTP/1.1");
    return e;
}

} // namespace

class TstCliTraffic : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(!qEnvironmentVariable("PORTICO_CLI").isEmpty());
        QVERIFY(m_dir.isValid());
        QVERIFY(m_upstream.isRunning());
        m_db = m_dir.filePath(QStringLiteral("traffic.db"));
        CaptureOptions o;
        o.databasePath = m_db;
        CaptureStore store(o);
        QVERIFY(store.open());
        m_ids.append(store.submit(exchange(QStringLiteral("GET"),
            m_upstream.url(QStringLiteral("/users?page=1")).toString(), 200, QStringLiteral("users"))));
        Exchange post = exchange(QStringLiteral("POST"), m_upstream.url(QStringLiteral("/users")).toString(),
            404, QStringLiteral("users"));
        post.requestBody = R"({"name":"bob"})";
        post.requestBodySize = post.requestBody.size();
        m_ids.append(store.submit(std::move(post)));
        Exchange failed = exchange(
            QStringLiteral("GET"), QStringLiteral("http://127.0.0.1:1/orders"), 0, QStringLiteral("orders"));
        failed.error = QStringLiteral("connection refused");
        failed.protocol = QStringLiteral("HTTP/2");
        failed.timings.lastByteUs = -1;
        m_ids.append(store.submit(std::move(failed)));
        QVERIFY(store.flush());
    }

    void help()
    {
        for (const QStringList &args :
            { QStringList { "traffic", "--help" }, QStringList { "traffic", "list", "--help" },
                QStringList { "traffic", "show", "--help" }, QStringList { "traffic", "har", "--help" },
                QStringList { "traffic", "import-har", "--help" }, QStringList { "replay", "--help" } }) {
            const Run r = cli(args);
            QCOMPARE(r.exitCode, 0);
            QVERIFY2(r.out.contains("Usage: portico-cli"), r.out.constData());
        }
        const Run top = cli({ QStringLiteral("--help") });
        QVERIFY(top.out.contains("traffic list|show|har|import-har"));
        QVERIFY(top.out.contains("replay ID"));
    }

    void listTableNewestFirst()
    {
        const Run r = cli({ "traffic", "list", "--db", m_db });
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].startsWith("ID"));
        QVERIFY(lines[0].contains(" PROTOCOL "));
        QVERIFY2(lines[1].contains(" HTTP/2 "), lines[1].constData());
        QVERIFY2(lines[2].contains(" HTTP/1.1 "), lines[2].constData());
        QVERIFY(lines[1].startsWith(QByteArray::number(m_ids[2]) + ' '));
        QVERIFY(lines[1].contains("[connection refused]"));
        QVERIFY(lines[2].contains("POST") && lines[2].contains("404"));
        QVERIFY(lines[3].contains("/users?page=1"));
    }

    void listJson()
    {
        const Run r
            = cli({ "traffic", "list", "--db", m_db, "--json", "--filter", "route:users", "--limit", "5" });
        QCOMPARE(r.exitCode, 0);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        const QJsonObject o = QJsonDocument::fromJson(lines[0]).object();
        for (const char *key :
            { "id", "started_at", "method", "url", "host", "path", "status", "duration_ms", "route",
                "consumer", "upstream", "trace_id", "request_bytes", "response_bytes", "error", "protocol" })
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o[QStringLiteral("protocol")].toString(), QStringLiteral("HTTP/1.1"));
        QCOMPARE(o[QStringLiteral("id")].toInteger(), m_ids[1]);
        QCOMPARE(o[QStringLiteral("status")].toInt(), 404);
        QCOMPARE(o[QStringLiteral("duration_ms")].toDouble(), 1.5);
        QVERIFY(
            QDateTime::fromString(o[QStringLiteral("started_at")].toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(o[QStringLiteral("started_at")].toString().endsWith(u'Z'));
        // --limit and paging
        const Run one = cli({ "traffic", "list", "--db", m_db, "--json", "--limit", "1", "--before",
            QString::number(m_ids[2]) });
        QCOMPARE(
            QJsonDocument::fromJson(one.out.trimmed()).object()[QStringLiteral("id")].toInteger(), m_ids[1]);
        // body search through the CLI
        const Run body = cli({ "traffic", "list", "--db", m_db, "--json", "--filter", "body:\"bob\"" });
        QCOMPARE(body.out.trimmed().split('\n').size(), 1);
    }

    void listErrors()
    {
        const Run bad = cli({ "traffic", "list", "--db", m_db, "--filter", "status:200 colour:red" });
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("column 12: unknown field 'colour'"), bad.err.constData());
        const Run noDb = cli({ "traffic", "list", "--db", m_dir.filePath(QStringLiteral("missing.db")) });
        QCOMPARE(noDb.exitCode, 2);
        QVERIFY(!noDb.err.isEmpty());
        QCOMPARE(cli({ "traffic", "list" }).exitCode, 2);
        QCOMPARE(cli({ "traffic", "frobnicate" }).exitCode, 2);
    }

    void show()
    {
        const Run text = cli({ "traffic", "show", QString::number(m_ids[1]), "--db", m_db });
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("> POST /users HTTP/1.1"));
        QVERIFY(text.out.contains("> X-Trace-Me: yes"));
        QVERIFY(text.out.contains("{\"name\":\"bob\"}"));
        QVERIFY(text.out.contains("< HTTP/1.1 404"));
        QVERIFY(text.out.contains("route: users"));
        QVERIFY(text.out.contains("trace: 4bf92f3577b34da6a3ce929d0e0e4736"));
        const Run h2 = cli({ "traffic", "show", QString::number(m_ids[2]), "--db", m_db });
        QVERIFY2(h2.out.contains("> GET /orders HTTP/2\n"), h2.out.constData());
        const Run json = cli({ "traffic", "show", QString::number(m_ids[1]), "--db", m_db, "--json" });
        const QJsonObject o = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(o[QStringLiteral("request")][QStringLiteral("body")].toString(),
            QStringLiteral("{\"name\":\"bob\"}"));
        QCOMPARE(o[QStringLiteral("timings_us")][QStringLiteral("first_upstream_byte")].toInt(), 1200);
        const Run curl = cli({ "traffic", "show", QString::number(m_ids[1]), "--db", m_db, "--curl" });
        QVERIFY2(curl.out.startsWith(
                     "curl -X POST '" + m_upstream.url(QStringLiteral("/users")).toEncoded() + "'"),
            curl.out.constData());
        const Run missing = cli({ "traffic", "show", "999999", "--db", m_db });
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("no exchange with id 999999"));
    }

    void harExportAndImport()
    {
        const QString har = m_dir.filePath(QStringLiteral("out.har"));
        const Run ex = cli({ "traffic", "har", "--db", m_db, "--filter", "route:users", "-o", har });
        QCOMPARE(ex.exitCode, 0);
        QFile f(har);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
        QCOMPARE(doc[QStringLiteral("log")][QStringLiteral("version")].toString(), QStringLiteral("1.2"));
        QCOMPARE(doc[QStringLiteral("log")][QStringLiteral("entries")].toArray().size(), 2);

        const QString copy = m_dir.filePath(QStringLiteral("imported.db"));
        const Run im = cli({ "traffic", "import-har", har, "--db", copy });
        QCOMPARE(im.exitCode, 0);
        QVERIFY(im.out.contains("imported 2 exchanges"));
        const Run list = cli({ "traffic", "list", "--db", copy, "--json" });
        QCOMPARE(list.out.trimmed().split('\n').size(), 2);
        const Run bad = cli({ "traffic", "import-har", m_db, "--db", copy }); // not JSON
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("not a HAR file"));
    }

    void replayAndDiff()
    {
        const Run r = cli(
            { "replay", QString::number(m_ids[0]), "--db", m_db, "--header", "X-Trace-Me: again", "--diff" });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        bool ok = false;
        const qint64 newId = lines.first().toLongLong(&ok);
        QVERIFY(ok && newId > m_ids[2]);
        // The captured body said server "old"; the upstream echoes its own name.
        QVERIFY2(r.out.contains("~ body $.server: \"old\" -> \"upstream\""), r.out.constData());
        // The captured head has no Content-Length, the replay's response does: framing, not a change.
        QVERIFY2(!r.out.contains("header content-length"), r.out.constData());
        const auto seen = m_upstream.lastRequests(1);
        QCOMPARE(seen.size(), 1);
        QCOMPARE(seen[0].path, QStringLiteral("/users"));
        QCOMPARE(seen[0].query, QStringLiteral("page=1"));
        QCOMPARE(seen[0].header("x-trace-me"), QByteArray("again"));

        CaptureReader reader;
        QVERIFY(reader.open(m_db));
        const auto stored = reader.get(newId);
        QVERIFY(stored);
        QVERIFY(stored->notes.contains(QStringLiteral("replay of exchange %1").arg(m_ids[0])));
        QCOMPARE(stored->status, 200);
        // Recorded with the same host:port as the captured rows, so a host: filter finds both.
        const auto original = reader.get(m_ids[0]);
        QVERIFY(original);
        QCOMPARE(stored->host, original->host);
        const Run byHost = cli({ "traffic", "list", "--db", m_db, "--json", "--filter",
            QStringLiteral("host:%1").arg(m_upstream.hostPort()) });
        QVERIFY2(byHost.exitCode == 0, byHost.err.constData());
        QVERIFY2(byHost.out.contains(QStringLiteral("\"id\": %1").arg(newId).toUtf8())
                || byHost.out.contains(QStringLiteral("\"id\":%1").arg(newId).toUtf8()),
            byHost.out.constData());

        // The failed original goes to --target instead.
        const Run t = cli(
            { "replay", QString::number(m_ids[2]), "--db", m_db, "--target", m_upstream.url().toString() });
        QCOMPARE(t.exitCode, 0);
        QCOMPARE(m_upstream.lastRequests(1)[0].path, QStringLiteral("/orders"));
        // Without --target it fails: exit 1, still recorded.
        const Run f = cli({ "replay", QString::number(m_ids[2]), "--db", m_db, "--timeout", "5000" });
        QCOMPARE(f.exitCode, 1);
        QVERIFY(!f.err.isEmpty());
        QCOMPARE(cli({ "replay", "999999", "--db", m_db }).exitCode, 1);
        QCOMPARE(
            cli({ "replay", QString::number(m_ids[0]), "--db", m_db, "--header", "nocolon" }).exitCode, 2);
    }

    // A captured key is stored as "[redacted]" and left out of the replay: the user is told which
    // header is missing and how to supply it, unless --header already does.
    void replayWarnsAboutRedactedHeaders()
    {
        const QString db = m_dir.filePath(QStringLiteral("redacted.db"));
        CaptureOptions o;
        o.databasePath = db;
        o.redactHeaders = { QStringLiteral("x-api-key") };
        qint64 id = 0;
        {
            CaptureStore store(o);
            QVERIFY(store.open());
            Exchange e = exchange(QStringLiteral("GET"), m_upstream.url(QStringLiteral("/keyed")).toString(),
                200, QStringLiteral("users"));
            e.requestHeaders.append(Header("X-API-Key", "alice-secret"));
            id = store.submit(std::move(e));
            QVERIFY(store.flush());
        }
        const Run bare = cli({ "replay", QString::number(id), "--db", db });
        QVERIFY2(bare.exitCode == 0, bare.err.constData());
        QVERIFY2(bare.err.contains("warning: header X-API-Key was redacted in the capture and is not sent; "
                                   "supply it with --header 'X-API-Key: VALUE'"),
            bare.err.constData());
        QVERIFY(!m_upstream.lastRequests(1)[0].hasHeader("x-api-key"));

        const Run keyed
            = cli({ "replay", QString::number(id), "--db", db, "--header", "x-api-key: alice-secret" });
        QVERIFY2(keyed.exitCode == 0, keyed.err.constData());
        QVERIFY2(!keyed.err.contains("redacted"), keyed.err.constData());
        QCOMPARE(m_upstream.lastRequests(1)[0].header("x-api-key"), QByteArray("alice-secret"));

        // A key in the query is redacted in the URL: left out of the replay (not sent as the
        // literal "[redacted]"), said, and suppliable through --target's query.
        qint64 queryId = 0;
        {
            CaptureStore store(o);
            QVERIFY(store.open());
            queryId = store.submit(exchange(QStringLiteral("GET"),
                m_upstream.url(QStringLiteral("/keyed?apikey=[redacted]&page=2")).toString(), 200,
                QStringLiteral("users")));
            QVERIFY(store.flush());
        }
        const Run query = cli({ "replay", QString::number(queryId), "--db", db });
        QVERIFY2(query.exitCode == 0, query.err.constData());
        QVERIFY2(query.err.contains("warning: query parameter apikey was redacted in the capture and is not "
                                    "sent; supply it in the query of --target"),
            query.err.constData());
        QVERIFY2(!query.err.contains("page"), query.err.constData());
        QCOMPARE(m_upstream.lastRequests(1)[0].query, QStringLiteral("page=2"));
        CaptureReader reader;
        QVERIFY(reader.open(db));
        const auto noted = reader.get(query.out.trimmed().toLongLong());
        QVERIFY(noted);
        QVERIFY2(noted->notes.contains(
                     QStringLiteral("query parameter apikey was redacted in the capture and not sent")),
            qPrintable(noted->notes));

        const Run supplied = cli({ "replay", QString::number(queryId), "--db", db, "--target",
            m_upstream.url(QStringLiteral("/?apikey=alice-secret")).toString() });
        QVERIFY2(supplied.exitCode == 0, supplied.err.constData());
        QVERIFY2(!supplied.err.contains("redacted"), supplied.err.constData());
        QCOMPARE(m_upstream.lastRequests(1)[0].query, QStringLiteral("page=2&apikey=alice-secret"));
    }

    // With -c FILE, a redacted API key of the exchange's consumer comes back from the workspace,
    // in the header or query parameter its scheme reads, only towards that workspace's gateway
    // (the upstream stands in for it here), and the new row says so without holding the key.
    void replayRestoresKeysFromTheWorkspace()
    {
        const QString db = m_dir.filePath(QStringLiteral("restore.db"));
        const QString yaml = m_dir.filePath(QStringLiteral("restore.yaml"));
        QFile file(yaml);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QStringLiteral(R"(version: 1
gateway: {listen: "%1"}
upstreams:
  users-v1: {targets: [{url: http://127.0.0.1:9}]}
consumers:
  - {name: alice, api_keys: [alice-workspace-key]}
auth:
  keys: {type: api_key, header: X-API-Key, query: apikey}
routes:
  - {name: users, match: {path: /}, upstream: users-v1, auth: [keys]}
)")
                       .arg(m_upstream.hostPort())
                       .toUtf8());
        file.close();
        CaptureOptions o;
        o.databasePath = db;
        o.redactHeaders = { QStringLiteral("x-api-key"), QStringLiteral("cookie") };
        o.redactQueryParameters = { QStringLiteral("apikey") };
        qint64 headerId = 0, queryId = 0, strangerId = 0;
        {
            CaptureStore store(o);
            QVERIFY(store.open());
            // body_bytes: the upstream answers filler instead of echoing the request (and its key).
            Exchange keyed = exchange(QStringLiteral("GET"),
                m_upstream.url(QStringLiteral("/keyed?body_bytes=2")).toString(), 200,
                QStringLiteral("users"));
            keyed.requestHeaders.append(Header("X-API-Key", "alice-secret"));
            keyed.requestHeaders.append(Header("Cookie", "session=abc")); // redacted, no scheme reads it
            headerId = store.submit(Exchange(keyed));
            queryId = store.submit(exchange(QStringLiteral("GET"),
                m_upstream.url(QStringLiteral("/keyed?apikey=alice-secret&body_bytes=2")).toString(), 200,
                QStringLiteral("users")));
            keyed.consumer = QStringLiteral("mallory"); // not in the workspace
            strangerId = store.submit(std::move(keyed));
            QVERIFY(store.flush());
        }
        const Run header = cli({ "replay", QString::number(headerId), "--db", db, "-c", yaml });
        QVERIFY2(header.exitCode == 0, header.err.constData());
        QVERIFY2(header.err.contains("header X-API-Key restored from the workspace: consumer alice's API key "
                                     "(scheme keys)"),
            header.err.constData());
        QVERIFY2(header.err.contains("warning: header Cookie was redacted"), header.err.constData());
        QCOMPARE(m_upstream.lastRequests(1)[0].header("x-api-key"), QByteArray("alice-workspace-key"));
        QVERIFY(!m_upstream.lastRequests(1)[0].hasHeader("cookie"));

        const Run query = cli({ "replay", QString::number(queryId), "--db", db, "--config", yaml });
        QVERIFY2(query.exitCode == 0, query.err.constData());
        QCOMPARE(
            m_upstream.lastRequests(1)[0].query, QStringLiteral("body_bytes=2&apikey=alice-workspace-key"));

        const Run stranger = cli({ "replay", QString::number(strangerId), "--db", db, "-c", yaml });
        QVERIFY2(stranger.exitCode == 0, stranger.err.constData());
        QVERIFY2(
            stranger.err.contains("consumer 'mallory' is not in the workspace"), stranger.err.constData());
        QVERIFY(!m_upstream.lastRequests(1)[0].hasHeader("x-api-key"));

        // Elsewhere than the workspace's gateway, nothing is restored.
        portico::test::LoopbackUpstream other;
        QVERIFY(other.isRunning());
        const Run elsewhere = cli({ "replay", QString::number(headerId), "--db", db, "-c", yaml, "--target",
            other.url().toString() });
        QVERIFY2(elsewhere.exitCode == 0, elsewhere.err.constData());
        QVERIFY(!other.lastRequests(1)[0].hasHeader("x-api-key"));
        QVERIFY2(elsewhere.err.contains("credentials are restored only for a replay through this workspace's "
                                        "gateway"),
            elsewhere.err.constData());

        // The new rows note it, and hold no key.
        {
            CaptureReader reader;
            QVERIFY(reader.open(db));
            const auto restored = reader.get(header.out.trimmed().toLongLong());
            QVERIFY(restored);
            QVERIFY2(restored->notes.contains(QStringLiteral("header X-API-Key restored from the workspace")),
                qPrintable(restored->notes));
            QCOMPARE(headerValue(restored->requestHeaders, "x-api-key"), QByteArray("[redacted]"));
            const auto restoredQuery = reader.get(query.out.trimmed().toLongLong());
            QVERIFY(restoredQuery);
            QVERIFY2(!restoredQuery->url.contains(QStringLiteral("alice-workspace-key")),
                qPrintable(restoredQuery->url));
            QVERIFY(!restoredQuery->query.contains(QStringLiteral("alice-workspace-key")));
        }
        for (const QString &f : { db, db + QStringLiteral("-wal") }) {
            QFile raw(f);
            if (!raw.open(QIODevice::ReadOnly))
                continue;
            const QByteArray bytes = raw.readAll();
            const qsizetype at = bytes.indexOf("alice-workspace-key");
            QVERIFY2(at < 0, qPrintable(f));
        }
    }

    // A client chose the Host of what was captured: the replay goes back through the listener
    // that received it, and nothing the CLI prints points anywhere else.
    void replayIgnoresAHostileHost()
    {
        const QString db = m_dir.filePath(QStringLiteral("hostile.db"));
        CaptureOptions o;
        o.databasePath = db;
        qint64 id = 0;
        qint64 orphan = 0;
        {
            CaptureStore store(o);
            QVERIFY(store.open());
            Exchange e = exchange(QStringLiteral("GET"),
                QStringLiteral("http://attacker.invalid:1/hostile?x=1"), 200, QStringLiteral("users"));
            e.listener = m_upstream.hostPort();
            e.requestHeaders.append(Header("Authorization", "Bearer captured"));
            id = store.submit(std::move(e));
            Exchange old = exchange(QStringLiteral("GET"), QStringLiteral("http://attacker.invalid:1/old"),
                200, QStringLiteral("users"));
            old.listener.clear(); // an imported or older row: nowhere known to send it
            orphan = store.submit(std::move(old));
            QVERIFY(store.flush());
        }
        const Run r = cli({ "replay", QString::number(id), "--db", db });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QByteArray listener = m_upstream.url().toString().toUtf8();
        QVERIFY2(r.err.contains("sending exchange " + QByteArray::number(id) + " to " + listener
                     + " (the gateway listener that captured it)"),
            r.err.constData());
        QVERIFY2(
            r.err.contains("supply it with --header 'Authorization: VALUE' (sent to " + listener + " only)"),
            r.err.constData());
        QVERIFY2(!r.err.contains("attacker.invalid"), r.err.constData());
        const auto got = m_upstream.lastRequests(1)[0];
        QCOMPARE(got.path, QStringLiteral("/hostile"));
        QCOMPARE(got.header("host"), QByteArray("attacker.invalid:1"));

        const int before = m_upstream.requestCount();
        const Run refused = cli({ "replay", QString::number(orphan), "--db", db });
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("replay it with a target (--target URL)"), refused.err.constData());
        QVERIFY(refused.out.trimmed().isEmpty());
        QCOMPARE(m_upstream.requestCount(), before);
    }

    void generateFillsADatabase()
    {
        const QString db = m_dir.filePath(QStringLiteral("gen.db"));
        const Run g = cli({ "traffic", "generate", "--db", db, "--count", "3000" });
        QCOMPARE(g.exitCode, 0);
        CaptureReader reader;
        QVERIFY(reader.open(db));
        QCOMPARE(reader.count(), 3000);
        QVERIFY(reader.count(*FilterExpression::parse(QStringLiteral("status:5xx"))) > 0);
    }

private:
    QTemporaryDir m_dir;
    portico::test::LoopbackUpstream m_upstream;
    QString m_db;
    QList<qint64> m_ids;
};

QTEST_GUILESS_MAIN(TstCliTraffic)
#include "tst_cli_traffic.moc"
