#include "support/LoopbackUpstream.h"

#include "support/LoopbackServer.h"
#include "support/LoopbackState.h"
#include "support/SelfSignedCert.h"

#include <QTemporaryDir>
#include <QThread>

#include <future>

namespace portico::test {

// Owns the server thread. The server object is created and destroyed inside run(), so it and every
// connection socket live entirely on that thread.
class LoopbackThread final : public QThread
{
public:
    struct Started
    {
        quint16 port = 0;
        QString error;
    };

    LoopbackThread(std::shared_ptr<LoopbackState> state, QString certPath, QString keyPath)
        : m_state(std::move(state))
        , m_certPath(std::move(certPath))
        , m_keyPath(std::move(keyPath))
    {
        setObjectName(QStringLiteral("upstream:") + m_state->name);
    }

    std::future<Started> started() { return m_started.get_future(); }

protected:
    void run() override
    {
        LoopbackServer server(m_state);
        Started result;
        if (!m_certPath.isEmpty() && !server.enableTls(m_certPath, m_keyPath, &result.error)) {
            m_started.set_value(result);
            return;
        }
        if (!server.listen(QHostAddress::LocalHost, 0)) {
            result.error = server.errorString();
            m_started.set_value(result);
            return;
        }
        result.port = server.serverPort();
        m_started.set_value(result);
        exec();
        server.close();
    }

private:
    std::shared_ptr<LoopbackState> m_state;
    QString m_certPath;
    QString m_keyPath;
    std::promise<Started> m_started;
};

LoopbackUpstream::LoopbackUpstream()
    : LoopbackUpstream(Options {})
{
}

LoopbackUpstream::LoopbackUpstream(const Options &options)
    : m_state(std::make_shared<LoopbackState>())
    , m_tls(options.tls)
{
    m_state->name = options.name;
    if (m_tls) {
        m_certDir = std::make_unique<QTemporaryDir>();
        SelfSignedCert::Files files;
        if (!m_certDir->isValid() || !SelfSignedCert::write(m_certDir->path(), &files, &m_error)) {
            if (m_error.isEmpty())
                m_error = QStringLiteral("cannot create a temporary directory for the certificate");
            qWarning("LoopbackUpstream: %s", qPrintable(m_error));
            return;
        }
        m_certPath = files.certPath;
        m_keyPath = files.keyPath;
    }
    m_thread = std::make_unique<LoopbackThread>(m_state, m_certPath, m_keyPath);
    auto started = m_thread->started();
    m_thread->start();
    const LoopbackThread::Started result = started.get();
    m_port = result.port;
    m_error = result.error;
    if (m_port == 0)
        qWarning("LoopbackUpstream: cannot listen: %s", qPrintable(m_error));
}

LoopbackUpstream::~LoopbackUpstream()
{
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

QString LoopbackUpstream::name() const
{
    return m_state->name;
}

QUrl LoopbackUpstream::url(const QString &pathAndQuery) const
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2%3")
                    .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"))
                    .arg(m_port)
                    .arg(pathAndQuery));
}

QString LoopbackUpstream::hostPort() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

int LoopbackUpstream::requestCount() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->requestCount;
}

int LoopbackUpstream::requestCount(const QString &path) const
{
    QMutexLocker lock(&m_state->mutex);
    return int(std::count_if(m_state->requests.cbegin(), m_state->requests.cend(),
        [&path](const RecordedRequest &r) { return r.path == path; }));
}

QList<RecordedRequest> LoopbackUpstream::lastRequests(int max) const
{
    QMutexLocker lock(&m_state->mutex);
    if (max < 0 || max >= m_state->requests.size())
        return m_state->requests;
    return m_state->requests.mid(m_state->requests.size() - max);
}

RecordedRequest LoopbackUpstream::lastRequest() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->requests.isEmpty() ? RecordedRequest() : m_state->requests.last();
}

int LoopbackUpstream::connectionCount() const
{
    return m_state->connections.load();
}

void LoopbackUpstream::clear()
{
    QMutexLocker lock(&m_state->mutex);
    m_state->requests.clear();
    m_state->requestCount = 0;
    m_state->connections = 0;
}

void LoopbackUpstream::setHealthy(bool healthy)
{
    m_state->healthy = healthy;
}

bool LoopbackUpstream::isHealthy() const
{
    return m_state->healthy.load();
}

} // namespace portico::test
