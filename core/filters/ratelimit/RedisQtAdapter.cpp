#include "core/filters/ratelimit/RedisQtAdapter.h"

#include <QSocketNotifier>

#include <hiredis/async.h>

namespace portico::filters::ratelimit {

RedisQtAdapter::RedisQtAdapter(redisAsyncContext *context, std::function<void()> onGone, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_onGone(std::move(onGone))
{
    const int fd = context->c.fd;
    m_read = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    m_read->setEnabled(false);
    connect(m_read, &QSocketNotifier::activated, this, &RedisQtAdapter::readable);
    m_write = new QSocketNotifier(fd, QSocketNotifier::Write, this);
    m_write->setEnabled(false);
    connect(m_write, &QSocketNotifier::activated, this, &RedisQtAdapter::writable);

    context->ev.data = this;
    context->ev.addRead = &RedisQtAdapter::addRead;
    context->ev.delRead = &RedisQtAdapter::delRead;
    context->ev.addWrite = &RedisQtAdapter::addWrite;
    context->ev.delWrite = &RedisQtAdapter::delWrite;
    context->ev.cleanup = &RedisQtAdapter::cleanup;
}

RedisQtAdapter::~RedisQtAdapter()
{
    // Still attached: hiredis must not call back into a deleted adapter.
    if (m_context) {
        m_context->ev = {};
        m_context = nullptr;
    }
}

void RedisQtAdapter::watchConnect()
{
    if (m_context)
        m_write->setEnabled(true);
}

void RedisQtAdapter::addRead(void *self)
{
    static_cast<RedisQtAdapter *>(self)->m_read->setEnabled(true);
}

void RedisQtAdapter::delRead(void *self)
{
    static_cast<RedisQtAdapter *>(self)->m_read->setEnabled(false);
}

void RedisQtAdapter::addWrite(void *self)
{
    static_cast<RedisQtAdapter *>(self)->m_write->setEnabled(true);
}

void RedisQtAdapter::delWrite(void *self)
{
    static_cast<RedisQtAdapter *>(self)->m_write->setEnabled(false);
}

void RedisQtAdapter::cleanup(void *self)
{
    auto *a = static_cast<RedisQtAdapter *>(self);
    // Unwatched now, while the descriptor is still open: hiredis closes it right after.
    a->m_read->setEnabled(false);
    a->m_write->setEnabled(false);
    a->m_context = nullptr;
    if (a->m_onGone)
        a->m_onGone();
}

void RedisQtAdapter::readable()
{
    if (m_context)
        redisAsyncHandleRead(m_context); // may free the context (cleanup above)
}

void RedisQtAdapter::writable()
{
    if (m_context)
        redisAsyncHandleWrite(m_context);
}

} // namespace portico::filters::ratelimit
