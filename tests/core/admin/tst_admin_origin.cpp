// The admin API answers only its own origin: DNS rebinding (a foreign Host), cross-site requests
// (a foreign Origin), no CORS, a token wherever other machines can reach it, and no file outside
// the workspace folder through PUT /config. Every request here goes through the real admin server
// on a real socket, written byte for byte so that Host and Origin are exactly what a browser (or
// an attacker) would send.
#include "AdminTestSupport.h"

#include <QTcpServer>
#include <QTcpSocket>
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
upstreams:
  echo:
    targets: ["{{UPSTREAM_URL}}"]
auth:
  keys:
    type: api_key
    header: X-Key
consumers:
  - name: alice
    api_keys: [alice-secret-key]
routes:
  - name: users
    match: {path: /api/users}
    upstream: echo
)";

struct RawReply
{
    int status = 0;
    QByteArray head;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    bool hasHeader(QByteArrayView name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            if (line.trimmed().toLower().startsWith(name.toByteArray().toLower() + ':'))
                return true;
        }
        return false;
    }
};

// One request written as given, on a socket of its own; the admin server runs on this thread, so
// the wait spins the event loop.
RawReply rawCall(quint16 port, const QByteArray &request, const QHostAddress &to = QHostAddress::LocalHost)
{
    QTcpSocket socket;
    QByteArray data;
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] { data += socket.readAll(); });
    socket.connectToHost(to, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000))
        return {};
    socket.write(request);
    RawReply r;
    auto complete = [&] {
        const qsizetype end = data.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        r.head = data.first(end);
        qsizetype length = 0;
        for (const QByteArray &line : r.head.split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (data.size() < end + 4 + length)
            return false;
        r.body = data.mid(end + 4, length);
        return true;
    };
    if (!QTest::qWaitFor(complete, 5000))
        return {};
    r.status = r.head.mid(9, 3).toInt();
    return r;
}

QByteArray request(const QByteArray &method, const QByteArray &path, const QList<QByteArray> &fields,
    const QByteArray &body = {})
{
    QByteArray out = method + ' ' + path + " HTTP/1.1\r\n";
    for (const QByteArray &f : fields)
        out += f + "\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

} // namespace

class TestAdminOrigin final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(QString::fromUtf8(kWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_port = QByteArray::number(m_fx->admin->port());
    }
    void cleanup() { m_fx.reset(); }

    void dnsRebindingHostIsRefused_data()
    {
        QTest::addColumn<QByteArray>("host");
        for (const char *h :
            { "evil.example:PORT", "evil.example", "localhost.evil.example:PORT", "127.0.0.1.nip.io:PORT",
                "localhost:1", "127.0.0.1:1", "[::1]:1", "127.0.0.1:PORT0", "127.0.0.1:PORTx",
                "127.0.0.1:", "[::1", "[localhost]:PORT", "[::1]x", ":PORT", "localhost:+PORT",
                "127.0.0.2:PORT", "0.0.0.0:PORT", "10.0.0.1:PORT", "user@localhost:PORT" })
            QTest::newRow(h) << QByteArray(h);
    }
    void dnsRebindingHostIsRefused()
    {
        QFETCH(QByteArray, host);
        host.replace("PORT", m_port);
        for (const QByteArray &path : { QByteArray("/config"), QByteArray("/status") }) {
            const RawReply r = rawCall(m_fx->admin->port(), request("GET", path, { "Host: " + host }));
            QCOMPARE(r.status, 421);
            QVERIFY(r.head.contains("Content-Type: application/problem+json"));
            QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 421);
            QVERIFY(r.json().value(QStringLiteral("type")).toString().endsWith(u"/misdirected-request"));
            QVERIFY2(!r.body.contains("alice-secret-key"), r.body.constData());
            QVERIFY(!r.body.contains("routes"));
        }
    }

    void missingOrRepeatedHostIsRefused()
    {
        QCOMPARE(rawCall(m_fx->admin->port(), request("GET", "/config", {})).status, 421);
        QCOMPARE(rawCall(m_fx->admin->port(), "GET /config HTTP/1.0\r\n\r\n").status, 421);
        QCOMPARE(
            rawCall(m_fx->admin->port(),
                request("GET", "/config", { "Host: 127.0.0.1:" + m_port, "Host: evil.example:" + m_port }))
                .status,
            421);
        QCOMPARE(
            rawCall(m_fx->admin->port(),
                request("GET", "/config", { "Host: evil.example:" + m_port, "Host: 127.0.0.1:" + m_port }))
                .status,
            421);
    }

    void ownHostsAreAccepted_data()
    {
        QTest::addColumn<QByteArray>("host");
        for (const char *h : { "127.0.0.1:PORT", "127.0.0.1", "localhost:PORT", "localhost", "LocalHost:PORT",
                 "[::1]:PORT", "[::1]", "[0:0:0:0:0:0:0:1]:PORT", " 127.0.0.1:PORT " })
            QTest::newRow(h) << QByteArray(h);
    }
    void ownHostsAreAccepted()
    {
        QFETCH(QByteArray, host);
        host.replace("PORT", m_port);
        const RawReply r = rawCall(m_fx->admin->port(), request("GET", "/config", { "Host: " + host }));
        QVERIFY2(r.status == 200, r.body.constData());
        QVERIFY(r.json().contains(QStringLiteral("routes")));
        // No CORS: nothing that would let a browser hand the answer to a page.
        QVERIFY(!r.hasHeader("access-control-allow-origin"));
        QVERIFY(!r.hasHeader("access-control-allow-credentials"));
    }

    void anIpv6ListenerAcceptsItsOwnAddress()
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHostIPv6, 0))
            QSKIP("no IPv6 loopback on this machine");
        probe.close();
        admin::AdminServer v6(*m_fx->gateway);
        QString error;
        QVERIFY2(v6.start({ QStringLiteral("::1"), 0 }, &error), qPrintable(error));
        const QByteArray port = QByteArray::number(v6.port());
        for (const QByteArray &host : { "[::1]:" + port, QByteArray("[::1]"), "localhost:" + port,
                 "127.0.0.1:" + port, "[0::1]:" + port }) {
            const RawReply r = rawCall(
                v6.port(), request("GET", "/status", { "Host: " + host }), QHostAddress::LocalHostIPv6);
            QVERIFY2(r.status == 200, host.constData());
        }
        for (const QByteArray &host : { "evil.example:" + port, "[::2]:" + port, "[::1]:" + m_port }) {
            const RawReply r = rawCall(
                v6.port(), request("GET", "/status", { "Host: " + host }), QHostAddress::LocalHostIPv6);
            QVERIFY2(r.status == 421, host.constData());
        }
    }

    void aNamedListenerAcceptsItsName()
    {
        admin::AdminServer named(*m_fx->gateway);
        QString error;
        QVERIFY2(named.start({ QStringLiteral("localhost"), 0 }, &error), qPrintable(error));
        const QByteArray port = QByteArray::number(named.port());
        QCOMPARE(rawCall(named.port(), request("GET", "/status", { "Host: localhost:" + port })).status, 200);
        QCOMPARE(
            rawCall(named.port(), request("GET", "/status", { "Host: evil.example:" + port })).status, 421);
    }

    void foreignOriginIsRefused_data()
    {
        QTest::addColumn<QByteArray>("origin");
        for (const char *o : { "https://evil.example", "http://evil.example:PORT", "null",
                 "http://127.0.0.1:1", "http://localhost", "https://127.0.0.1:PORT", "http://127.0.0.1:PORT/",
                 "http://127.0.0.1:PORT.evil", "http://localhost:PORT@evil.example", "file://", "" })
            QTest::newRow(o) << QByteArray(o);
    }
    void foreignOriginIsRefused()
    {
        QFETCH(QByteArray, origin);
        origin.replace("PORT", m_port);
        const QByteArray host = "Host: 127.0.0.1:" + m_port;
        const RawReply get
            = rawCall(m_fx->admin->port(), request("GET", "/config", { host, "Origin: " + origin }));
        QCOMPARE(get.status, 403);
        QVERIFY(get.head.contains("Content-Type: application/problem+json"));
        QVERIFY(get.json().value(QStringLiteral("type")).toString().endsWith(u"/forbidden-origin"));
        QVERIFY(!get.body.contains("alice-secret-key"));
        QVERIFY(!get.hasHeader("access-control-allow-origin"));
        // A preflight gets no CORS answer either.
        const RawReply preflight = rawCall(m_fx->admin->port(),
            request(
                "OPTIONS", "/config", { host, "Origin: " + origin, "Access-Control-Request-Method: PUT" }));
        QCOMPARE(preflight.status, 403);
        QVERIFY(!preflight.hasHeader("access-control-allow-origin"));
        QVERIFY(!preflight.hasHeader("access-control-allow-methods"));
    }

    void ownOriginIsAccepted()
    {
        const QByteArray host = "Host: 127.0.0.1:" + m_port;
        for (const QByteArray &origin :
            { "http://127.0.0.1:" + m_port, "http://localhost:" + m_port, "http://[::1]:" + m_port }) {
            const RawReply r
                = rawCall(m_fx->admin->port(), request("GET", "/status", { host, "Origin: " + origin }));
            QVERIFY2(r.status == 200, origin.constData());
            QVERIFY(!r.hasHeader("access-control-allow-origin"));
        }
    }

    void crossSiteReplayIsRefusedAndNothingIsSent()
    {
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users"))).status, 200);
        QVERIFY(m_fx->waitForStored(1));
        const int upstreamCalls = m_fx->upstream.requestCount();
        const quint64 stored = m_fx->gateway->captureStore()->storedRows();
        const QByteArray host = "Host: 127.0.0.1:" + m_port;
        // The "simple" cross-site POST a page can send without a preflight.
        const RawReply refused = rawCall(m_fx->admin->port(),
            request("POST", "/exchanges/1/replay?target=http%3A%2F%2F127.0.0.1%3A1%2F",
                { host, "Origin: https://evil.example", "Content-Type: text/plain" }));
        QCOMPARE(refused.status, 403);
        // And the rebinding form of it.
        QCOMPARE(rawCall(m_fx->admin->port(),
                     request("POST", "/exchanges/1/replay", { "Host: evil.example:" + m_port }))
                     .status,
            421);
        m_fx->gateway->captureStore()->flush();
        QCOMPARE(m_fx->gateway->captureStore()->storedRows(), stored);
        QCOMPARE(m_fx->upstream.requestCount(), upstreamCalls);
        // The same call from the admin API's own origin works.
        const RawReply ok = rawCall(m_fx->admin->port(),
            request("POST", "/exchanges/1/replay", { host, "Origin: http://127.0.0.1:" + m_port }));
        QVERIFY2(ok.status == 200, ok.body.constData());
        QVERIFY(m_fx->upstream.requestCount() > upstreamCalls);
    }

    void rebindingIsRefusedBeforeTheToken()
    {
        // With a token too, a rebound request learns nothing (not even that a token is needed).
        QJsonObject ws = m_fx->adminCall("GET", QStringLiteral("/config")).json();
        QJsonObject adminSection = ws.value(QStringLiteral("admin")).toObject();
        adminSection.insert(QStringLiteral("token"), QStringLiteral("t0ken"));
        ws.insert(QStringLiteral("admin"), adminSection);
        QCOMPARE(m_fx->adminCall("PUT", QStringLiteral("/config"), QJsonDocument(ws).toJson(),
                         { { "Content-Type", "application/json" } })
                     .status,
            200);
        const RawReply r = rawCall(m_fx->admin->port(),
            request("GET", "/config", { "Host: evil.example:" + m_port, "Authorization: Bearer t0ken" }));
        QCOMPARE(r.status, 421);
        QVERIFY(!r.hasHeader("www-authenticate"));
        QCOMPARE(
            rawCall(m_fx->admin->port(),
                request("GET", "/config", { "Host: 127.0.0.1:" + m_port, "Authorization: Bearer t0ken" }))
                .status,
            200);
    }

    void nonLoopbackListenNeedsAToken()
    {
        // The loader refuses it, naming the key and what to do.
        const QByteArray text = "version: 1\nadmin:\n  listen: 0.0.0.0:9080\n";
        config::LoadResult r
            = config::loadWorkspaceText(text, m_fx->workspace.path(QStringLiteral("a.yaml")));
        QVERIFY(!r.ok());
        QCOMPARE(r.errors.size(), 1);
        QVERIFY2(r.errors.first().message.contains(QStringLiteral("admin.token")),
            qPrintable(r.errors.first().message));
        QCOMPARE(r.errors.first().line, 3);
        // A token from an unset variable is no token.
        QProcessEnvironment env;
        r = config::loadWorkspaceText(
            "version: 1\nadmin:\n  listen: \"[::]:9080\"\n  token: ${PORTICO_TEST_UNSET_TOKEN}\n",
            m_fx->workspace.path(QStringLiteral("b.yaml")), env);
        QVERIFY(!r.ok());
        QVERIFY2(r.errors.first().message.contains(QStringLiteral("${PORTICO_TEST_UNSET_TOKEN}")),
            qPrintable(r.errors.first().message));
        for (const char *listen : { "10.1.2.3:9080", "myhost.example:9080", "\"*:9080\"" }) {
            r = config::loadWorkspaceText(QByteArray("version: 1\nadmin:\n  listen: ") + listen + "\n",
                m_fx->workspace.path(QStringLiteral("c.yaml")));
            QVERIFY2(!r.ok(), listen);
        }
        // With a token, or off, or on loopback, it loads.
        for (const char *admin :
            { "{listen: 0.0.0.0:9080, token: abc}", "{enabled: false, listen: 0.0.0.0:9080}",
                "{listen: localhost:9080}", "{listen: \"[::1]:9080\"}", "{listen: 127.0.0.5:9080}" }) {
            r = config::loadWorkspaceText(QByteArray("version: 1\nadmin: ") + admin + "\n",
                m_fx->workspace.path(QStringLiteral("d.yaml")));
            QVERIFY2(r.ok(), admin);
        }

        // The server itself refuses to open such a listener without a token.
        admin::AdminServer wide(*m_fx->gateway);
        QString error;
        QVERIFY(!wide.start({ QStringLiteral("0.0.0.0"), 0 }, &error));
        QVERIFY2(error.contains(QStringLiteral("admin.token")), qPrintable(error));
        QVERIFY(!wide.isListening());

        // And PUT /config cannot open the API to the network without one.
        const int revision = m_fx->gateway->revision();
        QJsonObject ws = m_fx->adminCall("GET", QStringLiteral("/config")).json();
        QJsonObject adminSection = ws.value(QStringLiteral("admin")).toObject();
        adminSection.insert(QStringLiteral("listen"), QStringLiteral("0.0.0.0:0"));
        ws.insert(QStringLiteral("admin"), adminSection);
        const HttpResult put = m_fx->adminCall("PUT", QStringLiteral("/config"), QJsonDocument(ws).toJson(),
            { { "Content-Type", "application/json" } });
        QCOMPARE(put.status, 400);
        QVERIFY2(put.body.contains("admin.token"), put.body.constData());
        QCOMPARE(m_fx->gateway->revision(), revision);
        QVERIFY(m_fx->admin->url().host() == u"127.0.0.1");
    }

    void putConfigCannotReachOutsideTheWorkspace_data()
    {
        QTest::addColumn<QString>("section");
        QTest::addColumn<QString>("key");
        QTest::newRow("body_file ../../etc/passwd") << QStringLiteral(
            "routes:\n  - name: leak\n    match: {path: /leak}\n    mock: {status: 200, body_file: "
            "../../../../../../../../etc/passwd}\n") << QStringLiteral("routes[0].mock.body_file");
        QTest::newRow("body_file absolute") << QStringLiteral(
            "routes:\n  - name: leak\n    match: {path: /leak}\n    mock: {status: 200, body_file: "
            "/etc/passwd}\n") << QStringLiteral("routes[0].mock.body_file");
        QTest::newRow("body_file climbing through a subfolder") << QStringLiteral(
            "routes:\n  - name: leak\n    match: {path: /leak}\n    mock: {status: 200, body_file: "
            "bodies/../../../../../../../../etc/hostname}\n") << QStringLiteral("routes[0].mock.body_file");
        QTest::newRow("jwt public_key")
            << QStringLiteral("auth:\n  jwt:\n    type: jwt\n    public_key: /etc/passwd\n")
            << QStringLiteral("auth.jwt.public_key");
        QTest::newRow("tls key") << QStringLiteral(
            "gateway:\n  listen: 127.0.0.1:0\n  tls: {cert: /etc/passwd, key: /etc/hostname}\n")
                                 << QStringLiteral("gateway.tls.cert");
        QTest::newRow("capture database")
            << QStringLiteral("capture:\n  database: /tmp/portico-admin-origin-test.db\n")
            << QStringLiteral("capture.database");
    }
    void putConfigCannotReachOutsideTheWorkspace()
    {
        QFETCH(QString, section);
        QFETCH(QString, key);
        QVERIFY(QFileInfo::exists(QStringLiteral("/etc/passwd")));
        const int revision = m_fx->gateway->revision();
        const QString before = m_fx->gateway->workspace()->capture.database;
        const QByteArray body
            = (QStringLiteral("version: 1\nadmin:\n  listen: 127.0.0.1:0\n") + section).toUtf8();
        const HttpResult r = m_fx->adminCall(
            "PUT", QStringLiteral("/config"), body, { { "Content-Type", "application/yaml" } });
        QCOMPARE(r.status, 400);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        const QJsonArray problems = r.json().value(QStringLiteral("problems")).toArray();
        QVERIFY2(!problems.isEmpty(), r.body.constData());
        QCOMPARE(problems.first().toObject().value(QStringLiteral("path")).toString(), key);
        QVERIFY(problems.first().toObject().value(QStringLiteral("message")).toString().contains(key));
        QVERIFY(!r.body.contains("root:"));
        // Nothing changed: same revision, same routes, same capture file, nothing created.
        QCOMPARE(m_fx->gateway->revision(), revision);
        QCOMPARE(m_fx->gateway->workspace()->capture.database, before);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/leak"))).status, 404);
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users"))).status, 200);
        QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/portico-admin-origin-test.db")));
    }

    void putConfigMayNameFilesInsideTheWorkspace()
    {
        m_fx->workspace.writeFile(QStringLiteral("bodies/hello.json"), QByteArray("{\"hello\": 1}"));
        const QString port = QString::number(m_fx->gateway->listenUrls().first().port());
        const QByteArray body = QStringLiteral("version: 1\ngateway: {listen: 127.0.0.1:%1, workers: 1}\n"
                                               "admin: {listen: 127.0.0.1:0}\n"
                                               "routes:\n  - name: hello\n    match: {path: /hello}\n"
                                               "    mock: {status: 200, body_file: bodies/hello.json}\n"
                                               "  - name: abs\n    match: {path: /abs}\n"
                                               "    mock: {status: 200, body_file: %2}\n")
                                    .arg(port, m_fx->workspace.path(QStringLiteral("bodies/hello.json")))
                                    .toUtf8();
        const HttpResult r = m_fx->adminCall(
            "PUT", QStringLiteral("/config"), body, { { "Content-Type", "application/yaml" } });
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(
            httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/hello"))).body, QByteArray("{\"hello\": 1}"));
        QCOMPARE(
            httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/abs"))).body, QByteArray("{\"hello\": 1}"));
    }

private:
    std::unique_ptr<AdminFixture> m_fx;
    QByteArray m_port;
};

QTEST_GUILESS_MAIN(TestAdminOrigin)
#include "tst_admin_origin.moc"
