#pragma once

// A real redis-server (the Debian package) for the shared rate-limit tests: started on a free
// loopback port, no persistence, killed (or paused with SIGSTOP) on demand, and a small blocking
// client (hiredis' synchronous API) to look into it.

#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QThread>

#include <hiredis/hiredis.h>

#include <csignal>
#include <memory>

namespace portico::test {

class RedisTestServer
{
public:
    RedisTestServer() = default;
    ~RedisTestServer() { stop(); }
    RedisTestServer(const RedisTestServer &) = delete;
    RedisTestServer &operator=(const RedisTestServer &) = delete;

    static QString executable() { return QStandardPaths::findExecutable(QStringLiteral("redis-server")); }

    // A port the kernel had free a moment ago (bound to port 0, then released).
    static quint16 freePort()
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return 0;
        return probe.serverPort();
    }

    // Starts on `port` (0 = a free one), with a password when `password` is set. False with
    // errorString() when it does not come up.
    bool start(quint16 port = 0, const QByteArray &password = {})
    {
        m_password = password;
        for (int attempt = 0; attempt < 3; ++attempt) {
            m_port = port ? port : freePort();
            m_process = std::make_unique<QProcess>();
            m_process->setProcessChannelMode(QProcess::MergedChannels);
            QStringList args { QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                QStringLiteral("--appendonly"), QStringLiteral("no"), QStringLiteral("--daemonize"),
                QStringLiteral("no") };
            if (!password.isEmpty())
                args << QStringLiteral("--requirepass") << QString::fromUtf8(password);
            m_process->start(executable(), args);
            if (!m_process->waitForStarted(5000)) {
                m_error = m_process->errorString();
                continue;
            }
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < 5000 && m_process->state() == QProcess::Running) {
                if (command({ "PING" }) == "PONG")
                    return true;
                QThread::msleep(10); // redis-server's own start-up, outside any event loop
            }
            m_error = QString::fromLocal8Bit(m_process->readAll());
            stop();
            if (port)
                break; // a fixed port (a restart) is not retried elsewhere
        }
        return false;
    }

    void stop()
    {
        if (!m_process)
            return;
        resume();
        m_process->kill();
        m_process->waitForFinished(5000);
        m_process.reset();
    }
    // SIGSTOP: the socket stays open and the kernel still accepts, but nothing is answered.
    void pause()
    {
        if (m_process)
            ::kill(pid_t(m_process->processId()), SIGSTOP);
    }
    void resume()
    {
        if (m_process)
            ::kill(pid_t(m_process->processId()), SIGCONT);
    }

    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("redis://127.0.0.1:%1/0").arg(m_port); }
    QString errorString() const { return m_error; }

    // One command on a fresh blocking connection (AUTH and SELECT `db` first as needed): the reply
    // as text (status, string, integer; arrays joined by spaces), "ERR:..." for an error reply,
    // empty when unreachable.
    QByteArray command(const QList<QByteArray> &args, int db = 0) const
    {
        const timeval tv { 1, 0 };
        redisContext *c = redisConnectWithTimeout("127.0.0.1", m_port, tv);
        if (!c || c->err) {
            if (c)
                redisFree(c);
            return {};
        }
        redisSetTimeout(c, tv);
        const QByteArray dbText = QByteArray::number(db);
        const QList<QList<QByteArray>> setup {
            m_password.isEmpty() ? QList<QByteArray> {} : QList<QByteArray> { "AUTH", m_password },
            db == 0 ? QList<QByteArray> {} : QList<QByteArray> { "SELECT", dbText }
        };
        for (const QList<QByteArray> &cmd : setup) {
            if (cmd.isEmpty())
                continue;
            const char *argv[] = { cmd[0].constData(), cmd[1].constData() };
            const size_t lens[] = { size_t(cmd[0].size()), size_t(cmd[1].size()) };
            if (auto *r = static_cast<redisReply *>(redisCommandArgv(c, 2, argv, lens)))
                freeReplyObject(r);
        }
        std::vector<const char *> argv;
        std::vector<size_t> lens;
        for (const QByteArray &a : args) {
            argv.push_back(a.constData());
            lens.push_back(size_t(a.size()));
        }
        auto *r = static_cast<redisReply *>(redisCommandArgv(c, int(argv.size()), argv.data(), lens.data()));
        QByteArray out = r ? text(r) : QByteArray();
        if (r)
            freeReplyObject(r);
        redisFree(c);
        return out;
    }

private:
    static QByteArray text(const redisReply *r)
    {
        switch (r->type) {
        case REDIS_REPLY_INTEGER:
            return QByteArray::number(r->integer);
        case REDIS_REPLY_ERROR:
            return "ERR:" + QByteArray(r->str, int(r->len));
        case REDIS_REPLY_ARRAY: {
            QByteArrayList parts;
            for (size_t i = 0; i < r->elements; ++i)
                parts << text(r->element[i]);
            return parts.join(' ');
        }
        case REDIS_REPLY_NIL:
            return "(nil)";
        default:
            return QByteArray(r->str, int(r->len));
        }
    }

    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QByteArray m_password;
    QString m_error;
};

} // namespace portico::test
