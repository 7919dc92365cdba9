// Replayer against a real loopback upstream; ExchangeDiff; copy as curl.
#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/Curl.h"
#include "core/capture/ExchangeDiff.h"
#include "core/capture/Replayer.h"
#include "support/LoopbackUpstream.h"
#include "tests/core/capture/CaptureTestUtil.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace portico::capture;
using namespace portico::capture::test;

class TstReplayer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_upstream.isRunning(), qPrintable(m_upstream.errorString()));
        CaptureOptions o;
        o.databasePath = m_dir.filePath(QStringLiteral("replay.db"));
        m_store = std::make_unique<CaptureStore>(o);
        QVERIFY(m_store->open());
    }

    void replaysAsCaptured()
    {
        const Exchange original = captured(m_upstream.url(QStringLiteral("/items?x=1")).toString());
        const Exchange result = replay(m_store.get(), original, {});
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QCOMPARE(result.status, 200);
        QVERIFY(result.id > original.id);

        const auto got = m_upstream.lastRequests(1);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got[0].method, QByteArray("PUT"));
        QCOMPARE(got[0].path, QStringLiteral("/items"));
        QCOMPARE(got[0].query, QStringLiteral("x=1"));
        QCOMPARE(got[0].body, QByteArray(R"({"name":"widget"})"));
        QCOMPARE(got[0].header("x-custom"), QByteArray("keep me"));
        QVERIFY(!got[0].hasHeader("authorization")); // redacted in the capture: not sent

        // Recorded in the store with a link to the original.
        QVERIFY(m_store->flush());
        CaptureReader reader;
        QVERIFY(reader.open(m_store->options().databasePath));
        const auto stored = reader.get(result.id);
        QVERIFY(stored);
        QVERIFY(stored->notes.contains(QStringLiteral("replay of exchange %1").arg(original.id)));
        QVERIFY(stored->notes.contains(QStringLiteral("Authorization was redacted")));
        QVERIFY(!stored->notes.contains(QStringLiteral("query parameter")));
        QCOMPARE(stored->status, 200);
        QVERIFY(stored->responseBody.contains("\"server\""));
        QVERIFY(stored->timings.lastByteUs >= stored->timings.firstUpstreamByteUs);
    }

    void replaysWithOverridesToAnotherTarget()
    {
        // The original went to a port where nothing listens; --target sends it to the upstream.
        const Exchange original = captured(QStringLiteral("http://127.0.0.1:1/items?x=1"));
        ReplayOptions options;
        options.target = m_upstream.url(QStringLiteral("/base"));
        options.headers
            = { { "X-Custom", "overridden" }, { "Authorization", "Bearer fresh" }, { "Accept", "" } };
        const Exchange result = replay(nullptr, original, options);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.id, 0); // no store: not recorded
        const auto got = m_upstream.lastRequests(1);
        QCOMPARE(got[0].path, QStringLiteral("/base/items"));
        QCOMPARE(got[0].header("x-custom"), QByteArray("overridden"));
        QCOMPARE(got[0].header("authorization"), QByteArray("Bearer fresh"));
        QVERIFY(got[0].header("accept") != "application/json");
    }

    // Captured rows keep the Host the client sent (host:port, the port left out only when the
    // client left it out): a replay records and sends the same form, so host: filters find it.
    void recordsHostWithPortLikeCapturedRows()
    {
        const Exchange original = captured(m_upstream.url(QStringLiteral("/items")).toString());
        const Exchange result = replay(m_store.get(), original, {});
        QCOMPARE(result.status, 200);
        const QString hostPort = m_upstream.hostPort();
        QVERIFY(hostPort.contains(u':'));
        QCOMPARE(result.host, hostPort);
        QCOMPARE(m_upstream.lastRequests(1)[0].header("host"), hostPort.toLatin1());
        QVERIFY(m_store->flush());
        CaptureReader reader;
        QVERIFY(reader.open(m_store->options().databasePath));
        const auto stored = reader.get(result.id);
        QVERIFY(stored);
        QCOMPARE(stored->host, hostPort);
        QCOMPARE(headerValue(stored->requestHeaders, "host"), hostPort.toLatin1());

        // Sent to a target, the Host names it: the scheme's default port is left out, as clients
        // leave it out of Host; IPv6 in brackets.
        auto toTarget = [&original](const QString &target) {
            ReplayOptions o;
            o.target = QUrl(target);
            return Replayer::prepare(original, o);
        };
        QCOMPARE(toTarget(QStringLiteral("http://api.local:80")).host, QStringLiteral("api.local"));
        QCOMPARE(toTarget(QStringLiteral("https://api.local:443")).host, QStringLiteral("api.local"));
        const Exchange v6 = toTarget(QStringLiteral("https://[::1]:8443"));
        QCOMPARE(v6.host, QStringLiteral("[::1]:8443"));
        QCOMPARE(headerValue(v6.requestHeaders, "host"), QByteArray("[::1]:8443"));
        QCOMPARE(v6.url, QStringLiteral("https://[::1]:8443/items"));
        QCOMPARE(toTarget(QStringLiteral("http://10.0.0.5:9000")).host, QStringLiteral("10.0.0.5:9000"));
        // A Host override is what is sent, so it is what is recorded (once).
        ReplayOptions vhost;
        vhost.headers = { { "host", "api.example:8080" } };
        const Exchange overridden = Replayer::prepare(original, vhost);
        QCOMPARE(overridden.host, QStringLiteral("api.example:8080"));
        QCOMPARE(std::count_if(overridden.requestHeaders.cbegin(), overridden.requestHeaders.cend(),
                     [](const Header &h) { return h.first.compare("host", Qt::CaseInsensitive) == 0; }),
            1);
    }

    // The note about a redacted header must not claim it was left out when an override sent it.
    void redactedHeaderSuppliedByOverrideIsNotNoted()
    {
        const Exchange original = captured(m_upstream.url(QStringLiteral("/items")).toString());
        QCOMPARE(headerValue(original.requestHeaders, "authorization"), QByteArray("[redacted]"));
        QVERIFY(Replayer::prepare(original, {})
                    .notes.contains(
                        QStringLiteral("header Authorization was redacted in the capture and not sent")));

        ReplayOptions options;
        options.headers = { { "authorization", "Bearer fresh" } };
        const Exchange result = replay(m_store.get(), original, options);
        QCOMPARE(result.status, 200);
        QCOMPARE(m_upstream.lastRequests(1)[0].header("authorization"), QByteArray("Bearer fresh"));
        QVERIFY2(!result.notes.contains(QStringLiteral("Authorization")), qPrintable(result.notes));
        QVERIFY(Replayer::withheld(original, options).isEmpty());
        QCOMPARE(Replayer::withheld(original, {}),
            (QList<Replayer::Withheld> {
                { Replayer::Withheld::Kind::Header, QStringLiteral("Authorization") } }));
    }

    // A key the gateway redacted in the query is not sent as the literal "[redacted]": the
    // parameter is left out and noted, unless the target's query supplies it.
    void redactedQueryParameterIsLeftOutAndNoted()
    {
        const Exchange original
            = captured(m_upstream.url(QStringLiteral("/items?apikey=[redacted]&x=1&api%20key=%5Bredacted%5D"))
                           .toString());
        const Exchange result = replay(m_store.get(), original, {});
        QCOMPARE(result.status, 200);
        QCOMPARE(m_upstream.lastRequests(1)[0].query, QStringLiteral("x=1"));
        QCOMPARE(result.query, QStringLiteral("x=1"));
        QVERIFY(!result.url.contains(QStringLiteral("redacted")));
        QVERIFY2(result.notes.contains(
                     QStringLiteral("query parameter apikey was redacted in the capture and not sent")),
            qPrintable(result.notes));
        QVERIFY(result.notes.contains(QStringLiteral("query parameter api key was redacted")));

        // Only redacted parameters go: nothing left means no '?'.
        const Exchange onlyKey
            = Replayer::prepare(captured(QStringLiteral("http://api.local:8080/a?apikey=[redacted]")), {});
        QCOMPARE(onlyKey.url, QStringLiteral("http://api.local:8080/a"));
        QVERIFY(onlyKey.query.isEmpty());

        // The target's query supplies parameters by name (replacing captured ones).
        ReplayOptions options;
        options.target = m_upstream.url(QStringLiteral("/base?apikey=fresh&x=2"));
        const Exchange supplied = replay(nullptr, original, options);
        QCOMPARE(supplied.status, 200);
        const auto got = m_upstream.lastRequests(1)[0];
        QCOMPARE(got.path, QStringLiteral("/base/items"));
        QCOMPARE(got.query, QStringLiteral("apikey=fresh&x=2"));
        QVERIFY2(
            !supplied.notes.contains(QStringLiteral("query parameter apikey")), qPrintable(supplied.notes));
        QVERIFY(supplied.notes.contains(QStringLiteral("query parameter api key was redacted")));
        QCOMPARE(Replayer::withheld(original, options),
            (QList<Replayer::Withheld> {
                { Replayer::Withheld::Kind::Header, QStringLiteral("Authorization") },
                { Replayer::Withheld::Kind::QueryParameter, QStringLiteral("api key") } }));
    }

    // Qt would add its own User-Agent, Accept-Language and Accept-Encoding (gzip) where the
    // capture has none: the replay sends neutral ones instead, records them, and sends captured
    // values as they were.
    void fieldsQtWouldAddAreNeutralAndRecorded()
    {
        const Exchange original = captured(m_upstream.url(QStringLiteral("/items")).toString());
        const Exchange result = replay(m_store.get(), original, {});
        QCOMPARE(result.status, 200);
        const auto sent = m_upstream.lastRequests(1)[0];
        QCOMPARE(sent.header("accept-encoding"), QByteArray("identity"));
        QCOMPARE(sent.header("accept-language"), QByteArray("*"));
        QVERIFY2(sent.header("user-agent").startsWith("Portico/"), sent.header("user-agent").constData());
        for (const char *name : { "accept-encoding", "accept-language", "user-agent" })
            QCOMPARE(headerValue(result.requestHeaders, name), sent.header(name));
        // Exactly what went out is recorded (and what Edit and Resend shows): every field sent,
        // Content-Length aside, and no other. Qt's "Connection: Keep-Alive" included.
        QStringList onWire, recorded;
        for (const auto &h : sent.headers) {
            if (QByteArray(h.first).compare("content-length", Qt::CaseInsensitive) != 0)
                onWire << QString::fromLatin1(QByteArray(h.first).toLower() + ": " + QByteArray(h.second));
        }
        for (const auto &h : result.requestHeaders)
            recorded << QString::fromLatin1(h.first.toLower() + ": " + h.second);
        onWire.sort();
        recorded.sort();
        QCOMPARE(onWire, recorded);
        QCOMPARE(headerValue(result.requestHeaders, "connection"), QByteArray("keep-alive"));
        // A new X-Request-Id each time, never the captured one (it names the original request).
        Exchange withId = original;
        withId.requestHeaders.append(Header { "X-Request-Id", "original-id" });
        withId.requestHeaders.append(Header { "X-Portico-Sample", "0123abcd" }); // not a sample now
        QCOMPARE(replay(m_store.get(), withId, {}).status, 200);
        const QByteArray fresh = m_upstream.lastRequests(1)[0].header("x-request-id");
        QVERIFY(!fresh.isEmpty() && fresh != "original-id" && fresh != sent.header("x-request-id"));
        QVERIFY(!m_upstream.lastRequests(1)[0].hasHeader("x-portico-sample"));

        Exchange fromCurl = original;
        fromCurl.requestHeaders.append(Header { "User-Agent", "curl/8.5.0" });
        fromCurl.requestHeaders.append(Header { "Accept-Encoding", "br" });
        QCOMPARE(replay(m_store.get(), fromCurl, {}).status, 200);
        const auto asCaptured = m_upstream.lastRequests(1)[0];
        QCOMPARE(asCaptured.header("user-agent"), QByteArray("curl/8.5.0"));
        QCOMPARE(asCaptured.header("accept-encoding"), QByteArray("br"));
    }

    void connectionFailureIsAnErrorNotAStatus()
    {
        const Exchange original = captured(QStringLiteral("http://127.0.0.1:1/nothing"));
        const Exchange result = replay(nullptr, original, {});
        QCOMPARE(result.status, 0);
        QVERIFY(!result.error.isEmpty());
    }

    // The Host a client sent is its own choice: a replay goes to the listener that received the
    // request, with that Host (which only picks the route there), never to the host it names.
    void aHostileHostNeverChoosesTheDestination()
    {
        QTcpServer trap; // what the hostile Host points at
        QVERIFY(trap.listen(QHostAddress::LocalHost));
        for (const QString &host :
            { QStringLiteral("attacker.invalid:1"), QStringLiteral("127.0.0.1:%1").arg(trap.serverPort()) }) {
            const Exchange original
                = captured(QStringLiteral("http://%1/items?x=1").arg(host), m_upstream.hostPort());
            QCOMPARE(Replayer::destination(original, {}).kind, Replayer::Destination::Kind::Listener);
            const Exchange result = replay(m_store.get(), original, {});
            QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
            QCOMPARE(result.status, 200);
            const auto got = m_upstream.lastRequests(1)[0];
            QCOMPARE(got.path, QStringLiteral("/items"));
            QCOMPARE(got.query, QStringLiteral("x=1"));
            QCOMPARE(got.header("host"), host.toLatin1());
            QCOMPARE(result.url, m_upstream.url(QStringLiteral("/items?x=1")).toString());
            // The replay is itself replayable the same way.
            QVERIFY(m_store->flush());
            CaptureReader reader;
            QVERIFY(reader.open(m_store->options().databasePath));
            QCOMPARE(reader.get(result.id)->listener, m_upstream.hostPort());
        }
        QVERIFY(!trap.waitForNewConnection(100));
        QVERIFY(!trap.hasPendingConnections());
    }

    // Without a listener, the upstream target that answered (an aggregate part, an older row);
    // without either, nothing is sent and the error says to give a target.
    void withoutAListenerTheUpstreamOrNothing()
    {
        Exchange viaUpstream = captured(QStringLiteral("http://attacker.invalid:1/items"), QString());
        viaUpstream.upstreamTarget = m_upstream.url().toString();
        QCOMPARE(Replayer::destination(viaUpstream, {}).kind, Replayer::Destination::Kind::Upstream);
        const Exchange answered = replay(nullptr, viaUpstream, {});
        QCOMPARE(answered.status, 200);
        QCOMPARE(m_upstream.lastRequests(1)[0].header("host"), m_upstream.hostPort().toLatin1());

        const Exchange nowhere = captured(QStringLiteral("http://attacker.invalid:1/items"), QString());
        const int before = m_upstream.requestCount();
        const Exchange refused = replay(m_store.get(), nowhere, {});
        QCOMPARE(refused.status, 0);
        QCOMPARE(refused.id, 0); // nothing sent, nothing recorded
        QVERIFY2(
            refused.error.contains(QStringLiteral("replay it with a target")), qPrintable(refused.error));
        QCOMPARE(m_upstream.requestCount(), before);
        // A target is the user's explicit choice.
        ReplayOptions explicitTarget;
        explicitTarget.target = m_upstream.url();
        QCOMPARE(replay(nullptr, nowhere, explicitTarget).status, 200);
    }

    // A secret the capture had redacted and the user supplies goes out, and is recorded redacted.
    void suppliedSecretsAreRecordedRedacted()
    {
        const Exchange original
            = captured(m_upstream.url(QStringLiteral("/items?apikey=[redacted]&x=1")).toString());
        ReplayOptions options;
        options.headers = { { "Authorization", "Bearer real-token" }, { "X-Custom", "visible" } };
        options.target = m_upstream.url(QStringLiteral("?apikey=real-key"));
        const Exchange result = replay(m_store.get(), original, options);
        QCOMPARE(result.status, 200);
        const auto got = m_upstream.lastRequests(1)[0];
        QCOMPARE(got.header("authorization"), QByteArray("Bearer real-token"));
        QVERIFY2(got.query.contains(QStringLiteral("apikey=real-key")), qPrintable(got.query));
        QVERIFY(m_store->flush());
        CaptureReader reader;
        QVERIFY(reader.open(m_store->options().databasePath));
        const auto stored = reader.get(result.id);
        QCOMPARE(headerValue(stored->requestHeaders, "authorization"), QByteArray("[redacted]"));
        QCOMPARE(headerValue(stored->requestHeaders, "x-custom"), QByteArray("visible"));
        QVERIFY2(!stored->url.contains(QStringLiteral("real-key")), qPrintable(stored->url));
        QVERIFY2(stored->query.contains(QStringLiteral("apikey=[redacted]")), qPrintable(stored->query));
    }

    void diffOfStatusHeadersAndJson()
    {
        Exchange a = makeExchange(QStringLiteral("GET"), QStringLiteral("/"), 200);
        Exchange b = a;
        b.status = 404;
        a.responseHeaders = { { "Content-Type", "application/json" }, { "X-Old", "1" }, { "Date", "x" } };
        b.responseHeaders
            = { { "content-type", "application/json; charset=utf-8" }, { "X-New", "2" }, { "Date", "y" } };
        a.responseBody = R"({"id":1,"tags":["a","b"],"owner":{"name":"al"},"gone":true})";
        b.responseBody = R"({"id":1,"tags":["a","c","d"],"owner":{"name":"bo"},"new":null})";
        const ExchangeDiff diff = diffExchanges(a, b, { QStringLiteral("date") });
        using K = ExchangeDiff::Change::Kind;
        const QList<ExchangeDiff::Change> expected {
            { K::Changed, QStringLiteral("status"), QStringLiteral("200"), QStringLiteral("404") },
            { K::Changed, QStringLiteral("header content-type"), QStringLiteral("application/json"),
                QStringLiteral("application/json; charset=utf-8") },
            { K::Removed, QStringLiteral("header x-old"), QStringLiteral("1"), {} },
            { K::Added, QStringLiteral("header x-new"), {}, QStringLiteral("2") },
            { K::Removed, QStringLiteral("body $.gone"), QStringLiteral("true"), {} },
            { K::Changed, QStringLiteral("body $.owner.name"), QStringLiteral("\"al\""),
                QStringLiteral("\"bo\"") },
            { K::Changed, QStringLiteral("body $.tags[1]"), QStringLiteral("\"b\""),
                QStringLiteral("\"c\"") },
            { K::Added, QStringLiteral("body $.tags[2]"), {}, QStringLiteral("\"d\"") },
            { K::Added, QStringLiteral("body $.new"), {}, QStringLiteral("null") },
        };
        QCOMPARE(diff.changes, expected);
        QVERIFY(diff.toText().contains(QStringLiteral("~ status: 200 -> 404\n")));
        QVERIFY(diff.toText().contains(QStringLiteral("+ header x-new: 2\n")));
        QVERIFY(diffExchanges(a, a).isEmpty());
        // Non-JSON bodies compare as a whole.
        b = a;
        a.responseBody = "plain one";
        b.responseBody = "plain two";
        QCOMPARE(diffExchanges(a, b).changes.size(), 1);
        QCOMPARE(diffExchanges(a, b).changes[0].where, QStringLiteral("body"));
    }

    // Old captures may lack Content-Length (or came chunked) where the replay's response has it:
    // framing and per-connection fields are not differences in what the API answered.
    void diffIgnoresFramingHeaders()
    {
        Exchange a = makeExchange(QStringLiteral("GET"), QStringLiteral("/"), 200);
        Exchange b = a;
        a.responseHeaders = { { "Content-Type", "application/json" }, { "Transfer-Encoding", "chunked" },
            { "Connection", "keep-alive" }, { "Keep-Alive", "timeout=5" }, { "Date", "Mon" } };
        b.responseHeaders = { { "content-type", "application/json" }, { "Content-Length", "11" },
            { "Connection", "close" }, { "Date", "Tue" } };
        QVERIFY2(diffExchanges(a, b).isEmpty(), qPrintable(diffExchanges(a, b).toText()));
        // Everything else still counts, and ignoreHeaders adds to the framing list.
        b.responseHeaders.append(Header("X-Request-Id", "req-2"));
        QCOMPARE(diffExchanges(a, b).toText(), QStringLiteral("+ header x-request-id: req-2\n"));
        QVERIFY(diffExchanges(a, b, { QStringLiteral("X-Request-Id") }).isEmpty());
    }

    void copyAsCurl()
    {
        Exchange e = makeExchange(QStringLiteral("POST"), QStringLiteral("/api/it's"), 200);
        e.requestHeaders = { { "Host", "api.local:8080" }, { "Content-Type", "application/json" },
            { "Content-Length", "9" }, { "X-Empty", "" } };
        e.requestBody = R"({"a":"b"})";
        QCOMPARE(toCurl(e),
            QStringLiteral("curl -X POST 'http://api.local:8080/api/it'\\''s' -H "
                           "'Content-Type: application/json' -H 'X-Empty;' --data-binary "
                           "'{\"a\":\"b\"}'"));
        e.method = QStringLiteral("GET");
        e.requestBody = QByteArray("\x01\n", 2);
        QVERIFY(toCurl(e).endsWith(QStringLiteral("--data-binary $'\\x01\\x0a'")));
        e.requestBody.clear();
        e.requestHeaders.clear();
        QCOMPARE(toCurl(e), QStringLiteral("curl 'http://api.local:8080/api/it'\\''s'"));
        e.method = QStringLiteral("HEAD");
        QCOMPARE(toCurl(e), QStringLiteral("curl --head 'http://api.local:8080/api/it'\\''s'"));
    }

private:
    // Replays `original` and waits for the answer (a default Exchange if none came in 5 s).
    static Exchange replay(CaptureStore *store, const Exchange &original, const ReplayOptions &options)
    {
        Replayer replayer(store);
        replayer.setGatewayCapturesHere(false); // the "listener" here is the upstream standing in
        QSignalSpy done(&replayer, &Replayer::finished);
        replayer.replay(original, options);
        if (!done.wait(5000))
            return {};
        return done.at(0).at(0).value<Exchange>();
    }

    static QByteArray headerValue(const HeaderList &headers, const char *name)
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }

    // An exchange as the gateway would have captured it, stored, and read back: `url` is
    // scheme://Host/target as the client sent it, and the listener it came in on is that Host
    // (here the upstream stands in for the gateway) unless `listener` says otherwise.
    Exchange captured(const QString &url, const QString &listener = QStringLiteral("="))
    {
        Exchange e = makeExchange(QStringLiteral("PUT"), QStringLiteral("/items"), 201);
        e.url = url;
        const qsizetype authorityStart = url.indexOf(QStringLiteral("://")) + 3;
        const qsizetype pathStart = url.indexOf(u'/', authorityStart);
        const QString authority = url.mid(authorityStart, pathStart - authorityStart);
        const QString target = url.mid(pathStart);
        const qsizetype mark = target.indexOf(u'?');
        e.scheme = url.left(authorityStart - 3);
        e.host = authority;
        e.path = mark < 0 ? target : target.left(mark);
        e.query = mark < 0 ? QString() : target.mid(mark + 1);
        e.listener = listener == u"=" ? authority : listener;
        e.upstreamTarget.clear();
        e.requestHeaders = { { "Host", authority.toLatin1() }, { "Content-Type", "application/json" },
            { "Accept", "application/json" }, { "X-Custom", "keep me" }, { "Authorization", "Bearer secret" },
            { "Content-Length", "17" } };
        e.requestBody = R"({"name":"widget"})";
        e.requestBodySize = e.requestBody.size();
        const qint64 id = m_store->submit(std::move(e));
        m_store->flush();
        CaptureReader reader;
        reader.open(m_store->options().databasePath);
        return *reader.get(id);
    }

    QTemporaryDir m_dir;
    portico::test::LoopbackUpstream m_upstream;
    std::unique_ptr<CaptureStore> m_store;
};

QTEST_GUILESS_MAIN(TstReplayer)
#include "tst_replayer.moc"
