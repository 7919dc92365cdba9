#include "core/http/RawTransport.h"

#include "core/http/SocketAddress.h"
#include "core/http/SocketNotifiers.h"

#include <QSocketNotifier>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace portico::http {

namespace {

void setSocketOptions(int fd)
{
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    const int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

} // namespace

RawTransport::RawTransport(int fd)
    : RawTransport(fd, false)
{
}

RawTransport::RawTransport(int fd, bool connecting)
    : m_fd(fd)
    , m_connecting(connecting)
{
    setSocketOptions(fd);
    setupNotifiers();
}

RawTransport *RawTransport::connectTo(const QHostAddress &address, quint16 port, QString *error)
{
    bool inProgress = false;
    const int fd = startConnect(address, port, &inProgress, error);
    return fd < 0 ? nullptr : new RawTransport(fd, inProgress);
}

RawTransport::~RawTransport()
{
    destroyNotifiers();
    if (m_fd >= 0)
        ::close(m_fd);
}

void RawTransport::setupNotifiers()
{
    m_readNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read);
    m_writeNotifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Write);
    QObject::connect(m_readNotifier, &QSocketNotifier::activated, [this] {
        if (onReadable)
            onReadable();
    });
    QObject::connect(m_writeNotifier, &QSocketNotifier::activated, [this] { onWritable(); });
    // While connecting, wait for writability (connect done) and do not read yet.
    m_readNotifier->setEnabled(!m_connecting);
    m_writeNotifier->setEnabled(m_connecting);
}

void RawTransport::destroyNotifiers()
{
    retireNotifiers(m_readNotifier, m_writeNotifier);
}

qint64 RawTransport::read(char *buffer, qint64 max)
{
    if (m_fd < 0)
        return -1;
    for (;;) {
        const ssize_t n = ::recv(m_fd, buffer, size_t(max), 0);
        if (n > 0)
            return n;
        if (n == 0)
            return -1;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return -1;
    }
}

void RawTransport::send(const QByteArray &data)
{
    if (m_fd < 0 || data.isEmpty())
        return;
    if (m_pendingBytes == 0 && !m_connecting) {
        const ssize_t n = ::send(m_fd, data.constData(), size_t(data.size()), MSG_NOSIGNAL);
        if (n == data.size())
            return;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            fail("write failed");
            return;
        }
        m_queue.push_back(data);
        m_queueOffset = n > 0 ? n : 0;
        m_pendingBytes = data.size() - m_queueOffset;
        m_writeNotifier->setEnabled(true);
        return;
    }
    m_queue.push_back(data);
    m_pendingBytes += data.size();
}

void RawTransport::send(const QByteArray &head, const QByteArray &body)
{
    if (body.isEmpty()) {
        send(head);
        return;
    }
    if (m_fd < 0)
        return;
    if (m_pendingBytes == 0 && !m_connecting) {
        iovec iov[2] = { { const_cast<char *>(head.constData()), size_t(head.size()) },
                         { const_cast<char *>(body.constData()), size_t(body.size()) } };
        msghdr msg {};
        msg.msg_iov = iov;
        msg.msg_iovlen = 2;
        ssize_t n = ::sendmsg(m_fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                fail("write failed");
                return;
            }
            n = 0;
        }
        if (n == head.size() + body.size())
            return;
        if (n < head.size()) {
            m_queue.push_back(head);
            m_queue.push_back(body);
            m_queueOffset = n;
        } else {
            m_queue.push_back(body);
            m_queueOffset = n - head.size();
        }
        m_pendingBytes = head.size() + body.size() - n;
        m_writeNotifier->setEnabled(true);
        return;
    }
    m_queue.push_back(head);
    m_queue.push_back(body);
    m_pendingBytes += head.size() + body.size();
}

void RawTransport::onWritable()
{
    if (m_connecting) {
        int err = 0;
        socklen_t len = sizeof(err);
        ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            fail(err == ECONNREFUSED ? "connection refused" : "connect failed");
            return;
        }
        m_connecting = false;
        m_readNotifier->setEnabled(true);
        m_writeNotifier->setEnabled(!m_queue.empty());
        if (onConnected)
            onConnected();
        if (m_fd >= 0 && !m_queue.empty())
            flush();
        return;
    }
    flush();
}

void RawTransport::flush()
{
    while (!m_queue.empty()) {
        iovec iov[16];
        int count = 0;
        for (auto it = m_queue.begin(); it != m_queue.end() && count < 16; ++it, ++count) {
            const qint64 off = count == 0 ? m_queueOffset : 0;
            iov[count] = { const_cast<char *>(it->constData()) + off, size_t(it->size() - off) };
        }
        msghdr msg {};
        msg.msg_iov = iov;
        msg.msg_iovlen = size_t(count);
        ssize_t n = ::sendmsg(m_fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                m_writeNotifier->setEnabled(true);
                return;
            }
            fail("write failed");
            return;
        }
        m_pendingBytes -= n;
        while (n > 0 && !m_queue.empty()) {
            const qint64 left = m_queue.front().size() - m_queueOffset;
            if (n >= left) {
                n -= left;
                m_queue.pop_front();
                m_queueOffset = 0;
            } else {
                m_queueOffset += n;
                n = 0;
            }
        }
    }
    m_writeNotifier->setEnabled(false);
    if (m_closeWhenDrained) {
        close(true);
        return;
    }
    if (m_shutdownWhenDrained) {
        m_shutdownWhenDrained = false;
        ::shutdown(m_fd, SHUT_WR);
    }
    if (onDrained)
        onDrained();
}

void RawTransport::setReadEnabled(bool enabled)
{
    if (m_readNotifier && !m_connecting)
        m_readNotifier->setEnabled(enabled);
}

void RawTransport::shutdownWrite()
{
    if (m_fd < 0)
        return;
    if (m_pendingBytes > 0)
        m_shutdownWhenDrained = true;
    else
        ::shutdown(m_fd, SHUT_WR);
}

void RawTransport::close(bool graceful)
{
    if (m_fd < 0)
        return;
    if (graceful && m_pendingBytes > 0) {
        m_closeWhenDrained = true;
        if (m_readNotifier)
            m_readNotifier->setEnabled(false);
        return;
    }
    destroyNotifiers();
    if (graceful) {
        // Read what the peer already sent before closing: closing with unread input makes the
        // kernel send a reset, which can destroy the answer we just wrote before the peer reads it.
        ::shutdown(m_fd, SHUT_WR);
        char sink[4096];
        while (::recv(m_fd, sink, sizeof(sink), MSG_DONTWAIT) > 0) {
        }
    }
    ::close(m_fd);
    m_fd = -1;
    m_queue.clear();
    m_pendingBytes = 0;
}

int RawTransport::takeDescriptor()
{
    destroyNotifiers();
    const int fd = m_fd;
    m_fd = -1;
    return fd;
}

void RawTransport::fail(const char *reason)
{
    close(false);
    if (onError)
        onError(reason);
}

} // namespace portico::http
