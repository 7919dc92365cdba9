// The admin API over a real gateway: bearer auth, status, 404/405 problems and PUT /config.
#include "AdminTestSupport.h"

#include "core/common/Version.h"

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
  token: s3cret-admin-token
capture:
  database: traffic.db
upstreams:
  echo:
    targets: ["{{UPSTREAM_URL}}"]
routes:
  - name: users
    match: {path: /api/users}
    upstream: echo
)";

} // namespace

class TestAdminApi final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(QString::fromUtf8(kWorkspace));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(m_fx->admin->port() != 0);
    }
    void cleanup() { m_fx.reset(); }

    void withoutTokenIs401()
    {
        const HttpResult r = httpCall("GET", m_fx->adminUrl(QStringLiteral("/status")));
        QCOMPARE(r.status, 401);
        QVERIFY(r.header("WWW-Authenticate").startsWith("Bearer"));
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 401);
        QVERIFY(!r.json().value(QStringLiteral("title")).toString().isEmpty());
    }

    void wrongTokenIs401()
    {
        for (const QByteArray &auth : { QByteArray("Bearer s3cret-admin-tokeX"), QByteArray("Bearer s3cret"),
                 QByteArray("Basic czNjcmV0LWFkbWluLXRva2Vu"), QByteArray("Bearer ") }) {
            const HttpResult r = httpCall(
                "GET", m_fx->adminUrl(QStringLiteral("/metrics")), {}, { { "Authorization", auth } });
            QCOMPARE(r.status, 401);
            QVERIFY(r.header("WWW-Authenticate").contains("invalid_token"));
        }
        // Auth comes before routing: an unknown path does not reveal itself either.
        QCOMPARE(httpCall("GET", m_fx->adminUrl(QStringLiteral("/nope"))).status, 401);
    }

    void rightTokenIs200WithStatus()
    {
        m_fx->token = "s3cret-admin-token";
        const HttpResult r = m_fx->adminCall("GET", QStringLiteral("/status"));
        QCOMPARE(r.status, 200);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("version")).toString(), QString::fromLatin1(portico::kVersion));
        QCOMPARE(o.value(QStringLiteral("config_revision")).toInt(), m_fx->gateway->revision());
        QCOMPARE(o.value(QStringLiteral("workers")).toInt(), 1);
        QVERIFY(o.value(QStringLiteral("uptime_seconds")).toDouble() >= 0);
        QCOMPARE(o.value(QStringLiteral("listeners")).toArray().first().toString(),
            m_fx->gateway->listenUrls().first().toString());
        QCOMPARE(o.value(QStringLiteral("admin")).toString(), m_fx->admin->url().toString());
        QVERIFY(o.value(QStringLiteral("capture")).toObject().value(QStringLiteral("enabled")).toBool());
        // "Bearer" is case-insensitive (RFC 6750 follows RFC 7235).
        const HttpResult lower = httpCall("GET", m_fx->adminUrl(QStringLiteral("/status")), {},
            { { "Authorization", "bearer s3cret-admin-token" } });
        QCOMPARE(lower.status, 200);
    }

    void unknownPathAndMethod()
    {
        m_fx->token = "s3cret-admin-token";
        const HttpResult missing = m_fx->adminCall("GET", QStringLiteral("/nope"));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(missing.json().value(QStringLiteral("status")).toInt(), 404);
        const HttpResult wrongMethod = m_fx->adminCall("DELETE", QStringLiteral("/config"));
        QCOMPARE(wrongMethod.status, 405);
        QCOMPARE(wrongMethod.header("Allow"), QByteArray("GET, PUT"));
    }

    void getConfigIsTheRunningWorkspace()
    {
        m_fx->token = "s3cret-admin-token";
        const HttpResult r = m_fx->adminCall("GET", QStringLiteral("/config"));
        QCOMPARE(r.status, 200);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QStringLiteral("routes"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("name"))
                     .toString(),
            QStringLiteral("users"));
        // The literal token is never shown.
        QVERIFY(!r.body.contains("s3cret-admin-token"));
        QCOMPARE(r.header("X-Config-Revision").toInt(), m_fx->gateway->revision());
    }

    void putInvalidConfigChangesNothing()
    {
        m_fx->token = "s3cret-admin-token";
        const int revision = m_fx->gateway->revision();
        const QByteArray bad = QStringLiteral(R"(version: 1
gateway:
  listen: 127.0.0.1:0
upstreams:
  echo:
    targets: ["%1"]
    timeouts: {connect: forever}
routes:
  - name: users
    match: {path: /api/users}
    upstream: nowhere
  - name: other
    match: {path: /api/other}
    upstream: echo
    rate_limit: {requests: -3, per: 1m}
)")
                                   .arg(QStringLiteral("http://127.0.0.1:1"))
                                   .toUtf8();
        const HttpResult r = m_fx->adminCall(
            "PUT", QStringLiteral("/config"), bad, { { "Content-Type", "application/yaml" } });
        QCOMPARE(r.status, 400);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        const QJsonArray problems = r.json().value(QStringLiteral("problems")).toArray();
        QVERIFY2(problems.size() >= 3, r.body.constData());
        QString all;
        for (const auto &p : problems) {
            QVERIFY(p.toObject().value(QStringLiteral("line")).toInt() > 0);
            all += p.toObject().value(QStringLiteral("message")).toString() + u'\n';
        }
        QVERIFY2(all.contains(QStringLiteral("nowhere")), qPrintable(all));
        QCOMPARE(m_fx->gateway->revision(), revision);
        // The old config keeps serving.
        const HttpResult served = httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users")));
        QCOMPARE(served.status, 200);
        QCOMPARE(served.header("X-Upstream-Name"), QByteArray("upstream"));

        // Not JSON at all, sent as JSON.
        const HttpResult broken = m_fx->adminCall(
            "PUT", QStringLiteral("/config"), "{\"version\": 1,", { { "Content-Type", "application/json" } });
        QCOMPARE(broken.status, 400);
        QCOMPARE(m_fx->gateway->revision(), revision);
        const HttpResult unsupported = m_fx->adminCall(
            "PUT", QStringLiteral("/config"), "<xml/>", { { "Content-Type", "application/xml" } });
        QCOMPARE(unsupported.status, 415);
    }

    void putValidYamlAddsARoute()
    {
        m_fx->token = "s3cret-admin-token";
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/fresh"))).status, 404);
        const int revision = m_fx->gateway->revision();
        const QString port = QString::number(m_fx->gateway->listenUrls().first().port());
        QByteArray good = QStringLiteral(R"(version: 1
gateway:
  listen: 127.0.0.1:%1
  workers: 1
admin:
  listen: 127.0.0.1:0
  token: s3cret-admin-token
capture:
  database: traffic.db
upstreams:
  echo:
    targets: ["%2"]
routes:
  - name: users
    match: {path: /api/users}
    upstream: echo
  - name: fresh
    match: {path: /api/fresh}
    mock: {status: 201, body: made}
)")
                              .arg(port, m_fx->upstream.url().toString())
                              .toUtf8();
        const HttpResult r = m_fx->adminCall(
            "PUT", QStringLiteral("/config"), good, { { "Content-Type", "application/yaml" } });
        QCOMPARE(r.status, 200);
        // Each config applied numbers itself after the one it replaces: a new one is larger.
        QVERIFY(r.json().value(QStringLiteral("revision")).toInt() > revision);
        QCOMPARE(m_fx->gateway->revision(), r.json().value(QStringLiteral("revision")).toInt());
        const HttpResult fresh = httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/fresh")));
        QCOMPARE(fresh.status, 201);
        QCOMPARE(fresh.body, QByteArray("made"));
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users"))).status, 200);
        // The relative capture path still means the workspace's folder.
        QCOMPARE(m_fx->gateway->workspace()->filePath, m_fx->workspace.workspacePath());
    }

    void putJsonRoundTripKeepsRedactedToken()
    {
        m_fx->token = "s3cret-admin-token";
        const HttpResult current = m_fx->adminCall("GET", QStringLiteral("/config"));
        QCOMPARE(current.status, 200);
        QJsonObject ws = current.json();
        QCOMPARE(ws.value(QStringLiteral("admin")).toObject().value(QStringLiteral("token")).toString(),
            QStringLiteral("[redacted]"));
        QJsonArray routes = ws.value(QStringLiteral("routes")).toArray();
        QJsonObject extra;
        extra.insert(QStringLiteral("name"), QStringLiteral("teapot"));
        extra.insert(QStringLiteral("match"),
            QJsonObject { { QStringLiteral("path_exact"), QStringLiteral("/tea") } });
        extra.insert(QStringLiteral("mock"), QJsonObject { { QStringLiteral("status"), 418 } });
        routes.append(extra);
        ws.insert(QStringLiteral("routes"), routes);
        const HttpResult r = m_fx->adminCall("PUT", QStringLiteral("/config"), QJsonDocument(ws).toJson(),
            { { "Content-Type", "application/json" } });
        QVERIFY2(r.status == 200, r.body.constData());
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/tea"))).status, 418);
        // The token sent back as "[redacted]" kept its value: the old token still works.
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
        QCOMPARE(m_fx->gateway->workspace()->admin.token, QStringLiteral("s3cret-admin-token"));
    }

    void putCanChangeTheToken()
    {
        m_fx->token = "s3cret-admin-token";
        QJsonObject ws = m_fx->adminCall("GET", QStringLiteral("/config")).json();
        QJsonObject adminSection = ws.value(QStringLiteral("admin")).toObject();
        adminSection.insert(QStringLiteral("token"), QStringLiteral("rotated-token"));
        ws.insert(QStringLiteral("admin"), adminSection);
        QCOMPARE(m_fx->adminCall("PUT", QStringLiteral("/config"), QJsonDocument(ws).toJson(),
                         { { "Content-Type", "application/json" } })
                     .status,
            200);
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 401);
        m_fx->token = "rotated-token";
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
    }

    void putCanMoveTheAdminListener()
    {
        m_fx->token = "s3cret-admin-token";
        QTcpServer probe; // a port that is free now
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 newPort = probe.serverPort();
        probe.close();
        const quint16 oldPort = m_fx->admin->port();
        QSignalSpy moved(m_fx->admin.get(), &admin::AdminServer::addressChanged);

        QJsonObject ws = m_fx->adminCall("GET", QStringLiteral("/config")).json();
        QJsonObject adminSection = ws.value(QStringLiteral("admin")).toObject();
        adminSection.insert(QStringLiteral("listen"), QStringLiteral("127.0.0.1:%1").arg(newPort));
        ws.insert(QStringLiteral("admin"), adminSection);
        // The answer to the PUT still arrives on the old connection.
        const HttpResult r = m_fx->adminCall("PUT", QStringLiteral("/config"), QJsonDocument(ws).toJson(),
            { { "Content-Type", "application/json" } });
        QCOMPARE(r.status, 200);
        QCOMPARE(moved.size(), 1);
        QCOMPARE(m_fx->admin->port(), newPort);
        QCOMPARE(moved.first().first().toUrl().port(), int(newPort));
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
        QTcpSocket old;
        old.connectToHost(QHostAddress::LocalHost, oldPort);
        QVERIFY(!old.waitForConnected(2000));

        // A config whose admin address cannot be bound: applied, the admin API stays put.
        QTcpServer busy;
        QVERIFY(busy.listen(QHostAddress::LocalHost, 0));
        QSignalSpy failed(m_fx->admin.get(), &admin::AdminServer::addressChangeFailed);
        adminSection.insert(QStringLiteral("listen"), QStringLiteral("127.0.0.1:%1").arg(busy.serverPort()));
        ws.insert(QStringLiteral("admin"), adminSection);
        QCOMPARE(m_fx->adminCall("PUT", QStringLiteral("/config"), QJsonDocument(ws).toJson(),
                         { { "Content-Type", "application/json" } })
                     .status,
            200);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(m_fx->admin->port(), newPort);
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
    }

private:
    std::unique_ptr<AdminFixture> m_fx;
};

QTEST_GUILESS_MAIN(TestAdminApi)
#include "tst_admin_api.moc"
