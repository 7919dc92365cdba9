#include "core/http/TlsTransport.h"

#include "core/http/SocketAddress.h"
#include "core/http/SocketNotifiers.h"
#include "core/http/TlsContext.h"

#include <QSocketNotifier>
#include <QUrl>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace portico::http {

namespace {

// The largest plaintext of one TLS record: a head and the start of its body share one.
constexpr qsizetype kRecord = 16384;

void setSocketOptions(int fd)
{
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    const int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// SSL_get_error reads the thread's error queue, which must be empty before each call; clearing it
// (16 slots) on every read and write showed in profiles, peeking first costs next to nothing.
inline void clearErrors()
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}

} // namespace

TlsTransport::TlsTransport(int fd, SSL *ssl, std::shared_ptr<const TlsContext> context, State state)
    : m_fd(fd)
    , m_ssl(ssl)
    , m_context(std::move(context))
    , m_state(state)
{
    setSocketOptions(fd);
    // A client speaks first: its handshake starts as soon as the socket is writable.
    m_handshakeWantsWrite = state == State::Handshaking && !SSL_is_server(ssl);
    m_readNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read);
    m_writeNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Write);
    m_readNotifier->setEnabled(false);
    m_writeNotifier->setEnabled(false);
    QObject::connect(m_readNotifier, &QSocketNotifier::activated, [this] { onReadActivated(); });
    QObject::connect(m_writeNotifier, &QSocketNotifier::activated, [this] { onWriteActivated(); });
    updateNotifiers();
}

TlsTransport *TlsTransport::serverSide(int fd, std::shared_ptr<const TlsContext> context)
{
    if (fd < 0 || !context || !context->isServer())
        return nullptr;
    SSL *ssl = context->newConnection(fd);
    if (!ssl)
        return nullptr;
    SSL_set_accept_state(ssl);
    return new TlsTransport(fd, ssl, std::move(context), State::Handshaking);
}

TlsTransport *TlsTransport::connectTo(const QHostAddress &address, quint16 port, const QString &peerName,
    std::shared_ptr<const TlsContext> context, QString *error)
{
    if (!context || context->isServer()) {
        if (error)
            *error = QStringLiteral("no TLS client context");
        return nullptr;
    }
    bool inProgress = false;
    const int fd = startConnect(address, port, &inProgress, error);
    if (fd < 0)
        return nullptr;
    SSL *ssl = context->newConnection(fd);
    if (!ssl) {
        if (error)
            *error = QStringLiteral("cannot start TLS: %1").arg(QString::fromUtf8(openSslReason()));
        ERR_clear_error();
        ::close(fd);
        return nullptr;
    }
    SSL_set_connect_state(ssl);
    // SNI and the name the certificate must carry: a host name, or an IP address (no SNI then).
    const QHostAddress literal(peerName);
    if (!literal.isNull()) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), literal.toString().toLatin1().constData());
    } else {
        const QByteArray ace = QUrl::toAce(peerName);
        // An empty name would verify nothing (OpenSSL then checks no name at all): refuse it.
        if (ace.isEmpty() || SSL_set_tlsext_host_name(ssl, ace.constData()) != 1
            || SSL_set1_host(ssl, ace.constData()) != 1) {
            if (error)
                *error = QStringLiteral("'%1' is not a host name TLS can verify").arg(peerName.left(80));
            ERR_clear_error();
            SSL_free(ssl);
            ::close(fd);
            return nullptr;
        }
    }
    ERR_clear_error();
    return new TlsTransport(fd, ssl, std::move(context), inProgress ? State::Connecting : State::Handshaking);
}

TlsTransport::~TlsTransport()
{
    destroyNotifiers();
    if (m_fd >= 0)
        ::close(m_fd);
    SSL_free(m_ssl);
}

void TlsTransport::destroyNotifiers()
{
    retireNotifiers(m_readNotifier, m_writeNotifier);
}

void TlsTransport::updateNotifiers()
{
    if (!m_readNotifier)
        return;
    bool wantRead = false;
    bool wantWrite = false;
    switch (m_state) {
    case State::Connecting:
        wantWrite = true;
        break;
    case State::Handshaking:
        wantRead = !m_handshakeWantsWrite && !m_eof;
        wantWrite = m_handshakeWantsWrite;
        break;
    case State::Open:
        wantRead = (m_readEnabled && !m_eof && !m_closeWhenDrained) || m_writeWantsRead;
        wantWrite = m_writeBlocked || m_readWantsWrite;
        break;
    case State::Closed:
        break;
    }
    m_readNotifier->setEnabled(wantRead); // both are no-ops when nothing changes
    m_writeNotifier->setEnabled(wantWrite);
}

void TlsTransport::onReadActivated()
{
    if (m_state == State::Handshaking) {
        handshake();
        return;
    }
    if (m_state != State::Open)
        return;
    if (m_writeWantsRead) {
        m_writeWantsRead = false;
        flush();
        if (m_state != State::Open)
            return;
    }
    if (!m_readEnabled || m_eof || !onReadable) {
        updateNotifiers();
        return;
    }
    m_readSatisfied = false;
    onReadable();
    // The owner stopped before read() returned 0 and OpenSSL holds bytes it already took from the
    // kernel: the notifier will not fire for them, so offer them again.
    if (!m_readSatisfied && m_state == State::Open && m_readEnabled && !m_eof && SSL_has_pending(m_ssl))
        deliverLater();
}

void TlsTransport::onWriteActivated()
{
    switch (m_state) {
    case State::Connecting: {
        int err = 0;
        socklen_t len = sizeof(err);
        ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            fail(err == ECONNREFUSED ? "connection refused" : "connect failed");
            return;
        }
        m_state = State::Handshaking;
        handshake();
        return;
    }
    case State::Handshaking:
        handshake();
        return;
    case State::Open:
        break;
    case State::Closed:
        return;
    }
    if (m_readWantsWrite) {
        m_readWantsWrite = false;
        updateNotifiers();
        if (m_readEnabled && onReadable)
            onReadable();
        if (m_state != State::Open)
            return;
    }
    if (m_writeBlocked) {
        m_writeBlocked = false;
        flush();
    } else {
        updateNotifiers();
    }
}

void TlsTransport::handshake()
{
    clearErrors();
    const int rc = SSL_do_handshake(m_ssl);
    if (rc == 1) {
        m_state = State::Open;
        m_handshakeWantsWrite = false;
        updateNotifiers();
        const std::weak_ptr<bool> alive = m_alive;
        if (!SSL_is_server(m_ssl) && onConnected) {
            onConnected();
            if (alive.expired() || m_state != State::Open)
                return;
        }
        if (!m_queue.empty() || m_closeWhenDrained || m_shutdownWhenDrained) {
            flush();
            if (alive.expired() || m_state != State::Open)
                return;
        }
        // The client's first request often arrives with its Finished message: OpenSSL read it.
        if (m_readEnabled && !m_eof && onReadable && SSL_has_pending(m_ssl))
            onReadable();
        return;
    }
    const int err = SSL_get_error(m_ssl, rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        m_handshakeWantsWrite = err == SSL_ERROR_WANT_WRITE;
        updateNotifiers();
        return;
    }
    const long verify = SSL_get_verify_result(m_ssl);
    if (!SSL_is_server(m_ssl) && verify != X509_V_OK) {
        ERR_clear_error();
        m_reason = QByteArrayLiteral("TLS certificate verification failed: ")
            + X509_verify_cert_error_string(verify);
        fail(m_reason.constData());
        return;
    }
    const unsigned long e = ERR_peek_last_error();
    if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN
        || (ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
        // The peer closed (or reset) mid-handshake: an end of stream, as on a plain socket.
        ERR_clear_error();
        endOfStream();
        return;
    }
    // Why, in OpenSSL's words (e.g. "tlsv1 alert unknown ca": the peer did not trust us).
    m_reason = QByteArrayLiteral("TLS handshake failed: ") + openSslReason();
    ERR_clear_error();
    fail(m_reason.constData());
}

void TlsTransport::endOfStream()
{
    m_eof = true;
    updateNotifiers();
    if (onReadable)
        onReadable();
}

qint64 TlsTransport::read(char *buffer, qint64 max)
{
    if (m_state != State::Open)
        return (m_eof || m_failed || m_state == State::Closed) ? -1 : 0;
    if (m_eof)
        return -1;
    clearErrors();
    const int n = SSL_read(m_ssl, buffer, int(std::min<qint64>(max, INT_MAX)));
    if (n > 0)
        return n;
    switch (SSL_get_error(m_ssl, n)) {
    case SSL_ERROR_WANT_READ:
        m_readSatisfied = true;
        return 0;
    case SSL_ERROR_WANT_WRITE:
        m_readSatisfied = true;
        m_readWantsWrite = true;
        updateNotifiers();
        return 0;
    default: // close_notify, a TCP close or reset, a broken record
        ERR_clear_error();
        m_readSatisfied = true;
        m_eof = true;
        updateNotifiers();
        return -1;
    }
}

void TlsTransport::deliverLater()
{
    if (m_deliveryQueued || !m_readNotifier)
        return;
    m_deliveryQueued = true;
    const std::weak_ptr<bool> alive = m_alive;
    QMetaObject::invokeMethod(
        m_readNotifier,
        [this, alive] {
            if (alive.expired())
                return;
            m_deliveryQueued = false;
            if (m_state == State::Open && m_readEnabled && !m_eof && onReadable) {
                m_readSatisfied = false;
                onReadable();
                if (!m_readSatisfied && m_state == State::Open && m_readEnabled && !m_eof
                    && SSL_has_pending(m_ssl))
                    deliverLater();
            }
        },
        Qt::QueuedConnection);
}

qint64 TlsTransport::writeSome(const char *data, qint64 size)
{
    qint64 done = 0;
    while (done < size) {
        clearErrors();
        // Partial writes: each call encrypts and sends one record, or waits with it buffered.
        const int n = SSL_write(m_ssl, data + done, int(std::min<qint64>(size - done, INT_MAX)));
        if (n > 0) {
            done += n;
            continue;
        }
        const int err = SSL_get_error(m_ssl, n);
        if (err == SSL_ERROR_WANT_WRITE) {
            m_writeBlocked = true;
            updateNotifiers();
            break;
        }
        if (err == SSL_ERROR_WANT_READ) {
            m_writeWantsRead = true;
            updateNotifiers();
            break;
        }
        ERR_clear_error();
        fail("write failed");
        return -1;
    }
    return done;
}

void TlsTransport::enqueue(QByteArray data, qsizetype offset)
{
    m_pendingBytes += data.size() - offset;
    m_queue.push_back({ std::move(data), offset });
}

bool TlsTransport::canWriteNow() const
{
    return m_state == State::Open && m_queue.empty() && !m_writeBlocked && !m_writeWantsRead;
}

void TlsTransport::send(const QByteArray &data)
{
    if (m_fd < 0 || m_failed || m_notifySent || data.isEmpty())
        return;
    if (!canWriteNow()) {
        enqueue(data, 0);
        return;
    }
    const qint64 n = writeSome(data.constData(), data.size());
    if (n >= 0 && n < data.size())
        enqueue(data, n);
}

void TlsTransport::send(const QByteArray &head, const QByteArray &body)
{
    if (body.isEmpty() || head.size() >= kRecord) {
        send(head);
        send(body);
        return;
    }
    if (m_fd < 0 || m_failed || m_notifySent)
        return;
    if (!canWriteNow()) {
        enqueue(head, 0);
        enqueue(body, 0);
        return;
    }
    // The head and what fits of the body in one record: one encryption, one segment.
    const qsizetype take = std::min<qsizetype>(body.size(), kRecord - head.size());
    if (m_scratch.capacity() < kRecord)
        m_scratch.reserve(kRecord);
    m_scratch.resize(0);
    m_scratch.append(head).append(body.constData(), take);
    const qint64 n = writeSome(m_scratch.constData(), m_scratch.size());
    if (n < 0)
        return;
    if (n < m_scratch.size()) {
        enqueue(m_scratch.sliced(n), 0); // a copy: the scratch buffer is reused
        if (take < body.size())
            enqueue(body, take);
        return;
    }
    if (take == body.size())
        return;
    const qint64 m = writeSome(body.constData() + take, body.size() - take);
    if (m >= 0 && take + m < body.size())
        enqueue(body, take + m);
}

void TlsTransport::flush()
{
    while (!m_queue.empty()) {
        Chunk &c = m_queue.front();
        clearErrors();
        const int n = SSL_write(
            m_ssl, c.data.constData() + c.offset, int(std::min<qint64>(c.data.size() - c.offset, INT_MAX)));
        if (n > 0) {
            c.offset += n;
            m_pendingBytes -= n;
            if (c.offset == c.data.size())
                m_queue.pop_front();
            continue;
        }
        const int err = SSL_get_error(m_ssl, n);
        if (err == SSL_ERROR_WANT_WRITE) {
            m_writeBlocked = true;
            updateNotifiers();
            return;
        }
        if (err == SSL_ERROR_WANT_READ) {
            m_writeWantsRead = true;
            updateNotifiers();
            return;
        }
        ERR_clear_error();
        fail("write failed");
        return;
    }
    m_writeBlocked = false;
    updateNotifiers();
    if (m_closeWhenDrained) {
        close(true);
        return;
    }
    if (m_shutdownWhenDrained) {
        m_shutdownWhenDrained = false;
        sendCloseNotify();
        ::shutdown(m_fd, SHUT_WR);
    }
    if (onDrained)
        onDrained();
}

void TlsTransport::setReadEnabled(bool enabled)
{
    const bool was = m_readEnabled;
    m_readEnabled = enabled;
    updateNotifiers();
    // Bytes OpenSSL already holds (decrypted or not) wake no notifier: deliver them.
    if (enabled && !was && m_state == State::Open && !m_eof && SSL_has_pending(m_ssl))
        deliverLater();
}

void TlsTransport::sendCloseNotify()
{
    if (m_notifySent || m_state != State::Open || m_failed)
        return;
    m_notifySent = true;
    ERR_clear_error();
    SSL_shutdown(m_ssl); // one attempt: what the kernel does not take now is dropped
    ERR_clear_error();
}

void TlsTransport::shutdownWrite()
{
    if (m_fd < 0 || m_failed)
        return;
    if (m_pendingBytes > 0 || m_state != State::Open) {
        m_shutdownWhenDrained = true;
        return;
    }
    sendCloseNotify();
    ::shutdown(m_fd, SHUT_WR);
}

void TlsTransport::close(bool graceful)
{
    if (m_fd < 0)
        return;
    if (graceful && m_pendingBytes > 0 && !m_failed) {
        m_closeWhenDrained = true;
        updateNotifiers();
        return;
    }
    destroyNotifiers();
    if (graceful && m_state == State::Open && !m_failed) {
        sendCloseNotify();
        // As RawTransport: read what the peer already sent, or the kernel answers with a reset
        // that can destroy what we just wrote before the peer reads it.
        ::shutdown(m_fd, SHUT_WR);
        char sink[4096];
        while (::recv(m_fd, sink, sizeof(sink), MSG_DONTWAIT) > 0) { }
    }
    ::close(m_fd);
    m_fd = -1;
    m_state = State::Closed;
    m_queue.clear();
    m_pendingBytes = 0;
}

void TlsTransport::fail(const char *reason)
{
    if (m_failed)
        return;
    m_failed = true;
    close(false);
    if (onError)
        onError(reason);
}

QByteArray TlsTransport::negotiatedProtocol() const
{
    const unsigned char *data = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(m_ssl, &data, &len);
    return len ? QByteArray(reinterpret_cast<const char *>(data), qsizetype(len)) : QByteArray();
}

} // namespace portico::http
