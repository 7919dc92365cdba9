// The admin server follows the admin section of every config the gateway applies: a PUT /config
// that disables it still gets its 200 and then the API stops; a later config starts it again,
// moves it to a new address, or changes the token it wants.
#include "AdminTestSupport.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace portico;
using namespace portico::test;

namespace {

// {{ADMIN}} is the admin section's body; %1 the gateway's port, %2 the upstream.
const char kWorkspace[] = R"(version: 1
gateway:
  listen: 127.0.0.1:%1
  workers: 1
admin:
{{ADMIN}}
capture:
  enabled: false
upstreams:
  echo:
    targets: ["%2"]
routes:
  - name: users
    match: {path: /api/users}
    upstream: echo
)";

QString workspaceText(const QString &admin, quint16 gatewayPort, const QUrl &upstream)
{
    QString text = QString::fromUtf8(kWorkspace).arg(QString::number(gatewayPort), upstream.toString());
    text.replace(QStringLiteral("{{ADMIN}}"), admin);
    return text;
}

// A fresh connection to `port` on loopback: does anything accept it?
bool accepts(quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    return s.waitForConnected(2000);
}

} // namespace

class TestAdminReload final : public QObject
{
    Q_OBJECT

private:
    config::WorkspacePtr load(const QString &admin)
    {
        const QString path = m_fx->workspace.writeWorkspace(
            workspaceText(admin, m_fx->gateway->listenUrls().first().port(), m_fx->upstream.url()), {});
        const config::LoadResult r = config::loadWorkspaceFile(path);
        if (!r.ok())
            qWarning() << r.errors.first().toString();
        return r.workspace;
    }

private Q_SLOTS:
    void init()
    {
        m_fx = std::make_unique<AdminFixture>();
        const QString error = m_fx->start(workspaceText(
            QStringLiteral("  listen: 127.0.0.1:0\n  token: first-token"), 0, m_fx->upstream.url()));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_fx->token = "first-token";
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
    }
    void cleanup() { m_fx.reset(); }

    void putConfigThatDisablesAnswersThenStops()
    {
        QSignalSpy stopped(m_fx->admin.get(), &admin::AdminServer::stopped);
        const quint16 port = m_fx->admin->port();
        // An idle admin connection, open before the change: it is closed with the API.
        QTcpSocket idle;
        idle.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(idle.waitForConnected(2000));
        const QByteArray off = workspaceText(QStringLiteral("  enabled: false"),
            m_fx->gateway->listenUrls().first().port(), m_fx->upstream.url())
                                   .toUtf8();
        const HttpResult r = m_fx->adminCall(
            "PUT", QStringLiteral("/config"), off, { { "Content-Type", "application/yaml" } });
        QCOMPARE(r.status, 200);
        QVERIFY(r.json().value(QStringLiteral("applied")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 5000);
        QVERIFY(!m_fx->admin->isListening());
        QVERIFY(m_fx->admin->url().isEmpty());
        QVERIFY(!accepts(port));
        QTRY_COMPARE_WITH_TIMEOUT(idle.state(), QAbstractSocket::UnconnectedState, 5000);
        // The data plane is not touched.
        QCOMPARE(httpCall("GET", m_fx->gatewayUrl(QStringLiteral("/api/users"))).status, 200);

        // A later config turns it on again, with the token of that config.
        QSignalSpy moved(m_fx->admin.get(), &admin::AdminServer::addressChanged);
        QVERIFY(m_fx->gateway->apply(load(QStringLiteral("  listen: 127.0.0.1:0\n  token: second-token")))
                    .isEmpty());
        QCOMPARE(moved.count(), 1);
        QVERIFY(m_fx->admin->isListening());
        QCOMPARE(moved.first().first().toUrl(), m_fx->admin->url());
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 401);
        m_fx->token = "second-token";
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
        QCOMPARE(stopped.count(), 1);
    }

    void disableThenEnableBeforeTheStopRunsKeepsServing()
    {
        QSignalSpy stopped(m_fx->admin.get(), &admin::AdminServer::stopped);
        const QUrl url = m_fx->admin->url();
        QVERIFY(m_fx->gateway->apply(load(QStringLiteral("  enabled: false"))).isEmpty());
        QVERIFY(m_fx->gateway->apply(load(QStringLiteral("  listen: 127.0.0.1:0\n  token: first-token")))
                    .isEmpty());
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
        QCOMPARE(stopped.count(), 0);
        QCOMPARE(m_fx->admin->url(), url);
    }

    void newListenAddressMovesIt()
    {
        QSignalSpy moved(m_fx->admin.get(), &admin::AdminServer::addressChanged);
        const quint16 oldPort = m_fx->admin->port();
        QVERIFY(m_fx->gateway->apply(load(QStringLiteral("  listen: localhost:0\n  token: first-token")))
                    .isEmpty());
        QCOMPARE(moved.count(), 1);
        QCOMPARE(m_fx->admin->url().host(), QStringLiteral("localhost"));
        QVERIFY(m_fx->admin->port() != oldPort);
        QVERIFY(!accepts(oldPort));
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
    }

    void disabledAtStartStartsOnAReload()
    {
        QVERIFY(m_fx->gateway->apply(load(QStringLiteral("  enabled: false"))).isEmpty());
        admin::AdminServer second(*m_fx->gateway);
        QString error;
        QVERIFY2(second.startFollowing(&error), qPrintable(error));
        QVERIFY(!second.isListening());
        QSignalSpy moved(&second, &admin::AdminServer::addressChanged);
        QVERIFY(m_fx->gateway->apply(load(QStringLiteral("  listen: 127.0.0.1:0"))).isEmpty());
        QCOMPARE(moved.count(), 1);
        QVERIFY(second.isListening());
        const HttpResult r = httpCall("GET", QUrl(second.url().toString() + QStringLiteral("/status")));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("admin")).toString(), second.url().toString());
    }

    void busyNewAddressKeepsTheOldOne()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost));
        QSignalSpy failed(m_fx->admin.get(), &admin::AdminServer::addressChangeFailed);
        const QUrl url = m_fx->admin->url();
        QVERIFY(m_fx->gateway
                    ->apply(load(QStringLiteral("  listen: 127.0.0.1:%1\n  token: first-token")
                                     .arg(squatter.serverPort())))
                    .isEmpty());
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QString::number(squatter.serverPort())));
        QCOMPARE(m_fx->admin->url(), url);
        QCOMPARE(m_fx->adminCall("GET", QStringLiteral("/status")).status, 200);
    }

private:
    std::unique_ptr<AdminFixture> m_fx;
};

QTEST_GUILESS_MAIN(TestAdminReload)
#include "tst_admin_reload.moc"
