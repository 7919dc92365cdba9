// portico-cli serve as a user runs it: the real binary on a temp workspace with port 0 listeners,
// reloads by SIGHUP and by file change, an invalid reload that keeps serving, the admin API and
// the access log, and SIGTERM that exits 0 with the capture flushed.
#include "core/capture/CaptureReader.h"
#include "support/LoopbackUpstream.h"
#include "support/RawClient.h"
#include "support/TempWorkspace.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

using namespace portico;
using namespace portico::test;

namespace {

const char kWorkspace[] = R"(version: 1
gateway:
  listen: 127.0.0.1:0
  workers: 1
admin:
  listen: 127.0.0.1:0
  token: cli-admin-token
capture:
  database: traffic.db
upstreams:
  echo:
    targets: ["{{UPSTREAM_URL}}"]
routes:
  - name: users
    match: {path: /api/users}
    upstream: echo
  - name: hello
    match: {path_exact: /hello}
    mock: {status: 200, body_file: bodies/hello.txt}
{{EXTRA}})";

// A running `portico-cli serve`, its output collected as it comes.
class Serve
{
public:
    explicit Serve(const QStringList &args)
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput,
            [this] { m_out += m_process.readAllStandardOutput(); });
        QObject::connect(&m_process, &QProcess::readyReadStandardError,
            [this] { m_err += m_process.readAllStandardError(); });
        m_process.start(qEnvironmentVariable("PORTICO_CLI"), QStringList { QStringLiteral("serve") } + args);
    }
    ~Serve()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    QProcess &process() { return m_process; }
    // Collects what is still buffered (after the process ended, say).
    void drainOutput()
    {
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
    }
    const QByteArray &out() const { return m_out; }
    const QByteArray &err() const { return m_err; }

    // The port of the last `PREFIX http://127.0.0.1:PORT` line printed, waiting up to timeoutMs.
    quint16 waitForPort(const QString &prefix, int timeoutMs = 15000)
    {
        const QRegularExpression re(QStringLiteral("^%1 http://127\\.0\\.0\\.1:(\\d+)$").arg(prefix),
            QRegularExpression::MultilineOption);
        quint16 port = 0;
        const bool seen = QTest::qWaitFor(
            [&] {
                auto it = re.globalMatch(QString::fromUtf8(m_out));
                while (it.hasNext())
                    port = it.next().captured(1).toUShort();
                return port != 0 || m_process.state() == QProcess::NotRunning;
            },
            timeoutMs);
        return seen ? port : 0;
    }
    bool waitForErr(const QByteArray &needle, int count = 1, int timeoutMs = 10000)
    {
        return QTest::qWaitFor([&] { return m_err.count(needle) >= count; }, timeoutMs);
    }
    // The JSON objects printed on stdout (the access log), one per line.
    QList<QJsonObject> jsonLines() const
    {
        QList<QJsonObject> out;
        for (const QByteArray &line : m_out.split('\n')) {
            if (line.startsWith('{'))
                out << QJsonDocument::fromJson(line).object();
        }
        return out;
    }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

RawResponse get(quint16 port, const QByteArray &target, const wire::Headers &headers = {})
{
    RawClient client;
    if (!client.connectTo(QStringLiteral("127.0.0.1"), port))
        return {};
    return client.roundTrip(httpRequest("GET", target, headers));
}

} // namespace

class TestCliServe final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(qEnvironmentVariable("PORTICO_CLI")), "PORTICO_CLI is not set");
    }

    void servesReloadsAndDrains()
    {
        LoopbackUpstream upstream;
        QVERIFY(upstream.isRunning());
        TempWorkspace ws;
        const QHash<QString, QString> vars { { QStringLiteral("UPSTREAM_URL"), upstream.url().toString() },
            { QStringLiteral("EXTRA"), QString() } };
        ws.writeFile(QStringLiteral("bodies/hello.txt"), QByteArray("hello one"));
        const QString file = ws.writeWorkspace(QString::fromUtf8(kWorkspace), vars);

        Serve serve({ QStringLiteral("-c"), file });
        quint16 port = serve.waitForPort(QStringLiteral("listening on"));
        QVERIFY2(port != 0, serve.err().constData());
        const quint16 adminPort = serve.waitForPort(QStringLiteral("admin on"));
        QVERIFY2(adminPort != 0, serve.err().constData());
        QCOMPARE(serve.process().state(), QProcess::Running);
        // The user is told which database `traffic list --db` reads.
        QVERIFY2(serve.waitForErr("capturing to " + ws.path(QStringLiteral("traffic.db")).toUtf8()),
            serve.err().constData());

        int requests = 0;
        QCOMPARE(get(port, "/api/users/1").status, 200);
        ++requests;
        QCOMPARE(get(port, "/hello").body, QByteArray("hello one"));
        ++requests;

        // The access log goes to stdout by default, one JSON object per exchange.
        QVERIFY(QTest::qWaitFor([&] { return serve.jsonLines().size() >= 2; }, 5000));
        const QJsonObject line = serve.jsonLines().first();
        QCOMPARE(line.value(QStringLiteral("route")).toString(), QStringLiteral("users"));
        QCOMPARE(line.value(QStringLiteral("path")).toString(), QStringLiteral("/api/users/1"));
        QCOMPARE(line.value(QStringLiteral("trace_id")).toString().size(), 32);

        // The admin API answers, with the token.
        QCOMPARE(get(adminPort, "/status").status, 401);
        const RawResponse status
            = get(adminPort, "/status", { { "Authorization", "Bearer cli-admin-token" } });
        QCOMPARE(status.status, 200);
        QCOMPARE(
            QJsonDocument::fromJson(status.body).object().value(QStringLiteral("config_revision")).toInt(),
            1);

        // SIGHUP reloads even when the workspace file itself did not change: a file it refers
        // to (outside the watched folder) did.
        ws.writeFile(QStringLiteral("bodies/hello.txt"), QByteArray("hello two"));
        ::kill(pid_t(serve.process().processId()), SIGHUP);
        QVERIFY2(serve.waitForErr("reloaded"), serve.err().constData());
        port = serve.waitForPort(QStringLiteral("listening on"));
        QCOMPARE(get(port, "/hello").body, QByteArray("hello two"));
        ++requests;

        // A change of the file reloads it: a new route answers.
        QCOMPARE(get(port, "/fresh").status, 404);
        ++requests;
        QHash<QString, QString> fresh = vars;
        fresh.insert(QStringLiteral("EXTRA"),
            QStringLiteral("  - name: fresh\n    match: {path_exact: /fresh}\n"
                           "    mock: {status: 201, body: new}\n"));
        ws.writeWorkspace(QString::fromUtf8(kWorkspace), fresh);
        QVERIFY2(serve.waitForErr("reloaded", 2), serve.err().constData());
        port = serve.waitForPort(QStringLiteral("listening on"));
        const RawResponse made = get(port, "/fresh");
        QCOMPARE(made.status, 201);
        QCOMPARE(made.body, QByteArray("new"));
        ++requests;

        // An invalid file is reported and the running config keeps serving.
        QHash<QString, QString> broken = fresh;
        broken.insert(QStringLiteral("EXTRA"),
            QStringLiteral("  - name: broken\n    match: {path: /broken}\n    upstream: nowhere\n"));
        ws.writeWorkspace(QString::fromUtf8(kWorkspace), broken);
        QVERIFY2(serve.waitForErr("nowhere"), serve.err().constData());
        QVERIFY(serve.err().contains("reload failed"));
        QCOMPARE(get(port, "/fresh").status, 201);
        ++requests;
        QCOMPARE(get(port, "/api/users/2").status, 200);
        ++requests;
        QCOMPARE(serve.process().state(), QProcess::Running);

        // SIGTERM drains, flushes the capture and exits 0.
        serve.process().terminate();
        QVERIFY(serve.process().waitForFinished(15000));
        QCOMPARE(serve.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve.process().exitCode(), 0);
        serve.drainOutput();

        capture::CaptureReader reader;
        QString error;
        QVERIFY2(reader.open(ws.path(QStringLiteral("traffic.db")), &error), qPrintable(error));
        QCOMPARE(reader.count(), qint64(requests));
        const auto fresh201 = capture::FilterExpression::parse(QStringLiteral("route:fresh status:201"));
        QVERIFY(fresh201);
        QCOMPARE(reader.count(*fresh201), qint64(2));
        // Every exchange was logged too, before the exit.
        QCOMPARE(serve.jsonLines().size(), requests);
    }

    void accessLogToAFileOrOff()
    {
        LoopbackUpstream upstream;
        TempWorkspace ws;
        ws.writeFile(QStringLiteral("bodies/hello.txt"), QByteArray("hi"));
        const QString file = ws.writeWorkspace(QString::fromUtf8(kWorkspace),
            { { QStringLiteral("UPSTREAM_URL"), upstream.url().toString() },
                { QStringLiteral("EXTRA"), QString() } });
        const QString logPath = ws.path(QStringLiteral("logs-access.jsonl"));
        {
            Serve serve({ QStringLiteral("-c"), file, QStringLiteral("--access-log"), logPath });
            const quint16 port = serve.waitForPort(QStringLiteral("listening on"));
            QVERIFY2(port != 0, serve.err().constData());
            QCOMPARE(get(port, "/hello").status, 200);
            serve.process().terminate();
            QVERIFY(serve.process().waitForFinished(15000));
            QCOMPARE(serve.process().exitCode(), 0);
            serve.drainOutput();
            QVERIFY(serve.jsonLines().isEmpty());
        }
        QFile log(logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = log.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        QCOMPARE(QJsonDocument::fromJson(lines.first()).object().value(QStringLiteral("route")).toString(),
            QStringLiteral("hello"));

        Serve quiet({ QStringLiteral("-c"), file, QStringLiteral("--access-log"), QStringLiteral("off") });
        const quint16 port = quiet.waitForPort(QStringLiteral("listening on"));
        QVERIFY(port != 0);
        QCOMPARE(get(port, "/hello").status, 200);
        quiet.process().terminate();
        QVERIFY(quiet.process().waitForFinished(15000));
        QCOMPARE(quiet.process().exitCode(), 0);
        quiet.drainOutput();
        QVERIFY(quiet.jsonLines().isEmpty());
    }

    // A reload applies the admin section: admin.enabled: false stops the API (`admin off`), and
    // turning it on again starts it on admin.listen (`admin on ...` again).
    void reloadStopsAndStartsTheAdminApi()
    {
        LoopbackUpstream upstream;
        TempWorkspace ws;
        ws.writeFile(QStringLiteral("bodies/hello.txt"), QByteArray("hi"));
        const QHash<QString, QString> vars { { QStringLiteral("UPSTREAM_URL"), upstream.url().toString() },
            { QStringLiteral("EXTRA"), QString() } };
        const QString enabled = QString::fromUtf8(kWorkspace);
        QString disabled = enabled;
        disabled.replace(QStringLiteral("admin:\n  listen: 127.0.0.1:0\n  token: cli-admin-token\n"),
            QStringLiteral("admin:\n  enabled: false\n"));
        QVERIFY(disabled != enabled);
        const QString file = ws.writeWorkspace(enabled, vars);
        Serve serve({ QStringLiteral("-c"), file, QStringLiteral("--access-log"), QStringLiteral("off") });
        const quint16 adminPort = serve.waitForPort(QStringLiteral("admin on"));
        QVERIFY2(adminPort != 0, serve.err().constData());
        const wire::Headers auth { { "Authorization", "Bearer cli-admin-token" } };
        QCOMPARE(get(adminPort, "/status", auth).status, 200);

        ws.writeWorkspace(disabled, vars);
        ::kill(pid_t(serve.process().processId()), SIGHUP);
        QVERIFY2(QTest::qWaitFor([&] { return serve.out().contains("admin off\n"); }, 10000),
            serve.out().constData());
        QCOMPARE(get(adminPort, "/status", auth).status, 0);
        const quint16 port = serve.waitForPort(QStringLiteral("listening on"));
        QCOMPARE(get(port, "/hello").status, 200);

        ws.writeWorkspace(enabled, vars);
        ::kill(pid_t(serve.process().processId()), SIGHUP);
        QVERIFY2(QTest::qWaitFor([&] { return serve.out().count("admin on ") == 2; }, 10000),
            serve.out().constData());
        const quint16 again = serve.waitForPort(QStringLiteral("admin on"));
        QVERIFY(again != 0);
        QCOMPARE(get(again, "/status", auth).status, 200);
        QVERIFY2(!serve.err().contains("warning"), serve.err().constData());
    }

    void badConfigExits2()
    {
        TempWorkspace ws;
        const QString file = ws.writeWorkspace(QStringLiteral(
            "version: 1\nroutes:\n  - name: x\n    match: {path: /x}\n    upstream: nowhere\n"));
        Serve serve({ QStringLiteral("-c"), file });
        QVERIFY(serve.process().waitForFinished(15000));
        QCOMPARE(serve.process().exitCode(), 2);
        serve.drainOutput();
        QVERIFY2(serve.err().contains(file.toUtf8() + ":5:"), serve.err().constData());

        const QString good = ws.writeWorkspace(
            QStringLiteral("version: 1\ngateway: {listen: 127.0.0.1:0}\nadmin: {enabled: false}\n"), {},
            QStringLiteral("good.yaml"));
        Serve badLog({ QStringLiteral("-c"), good, QStringLiteral("--access-log"),
            QStringLiteral("/nonexistent/dir/x.log") });
        QVERIFY(badLog.process().waitForFinished(15000));
        QCOMPARE(badLog.process().exitCode(), 2);
        badLog.drainOutput();
        QVERIFY2(badLog.err().contains("access log"), badLog.err().constData());

        // A drain timeout that is not a duration is refused, not read as 0 ms.
        Serve badDrain({ QStringLiteral("-c"), good, QStringLiteral("--drain-timeout"), QStringLiteral("soon") });
        QVERIFY(badDrain.process().waitForFinished(15000));
        QCOMPARE(badDrain.process().exitCode(), 2);
        badDrain.drainOutput();
        QVERIFY2(badDrain.err().contains("--drain-timeout: invalid duration 'soon'"), badDrain.err().constData());
    }

    void anAdminApiOnTheNetworkNeedsAToken()
    {
        // serve refuses to start (nothing listens) and says which key to set.
        TempWorkspace ws;
        const QString file = ws.writeWorkspace(
            QStringLiteral("version: 1\ngateway: {listen: 127.0.0.1:0}\nadmin:\n  listen: 0.0.0.0:0\n"));
        Serve serve({ QStringLiteral("-c"), file });
        QVERIFY(serve.process().waitForFinished(15000));
        QCOMPARE(serve.process().exitCode(), 2);
        serve.drainOutput();
        QVERIFY2(serve.err().contains(file.toUtf8() + ":4:"), serve.err().constData());
        QVERIFY2(serve.err().contains("needs admin.token"), serve.err().constData());
        QVERIFY(!serve.out().contains("listening on"));
    }
};

QTEST_GUILESS_MAIN(TestCliServe)
#include "tst_cli_serve.moc"
