#include "core/filters/ratelimit/RedisConnection.h"

#include "core/common/Metrics.h"
#include "core/filters/ratelimit/RedisQtAdapter.h"

#include <QTimer>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

namespace portico::filters::ratelimit {

using namespace std::chrono;

namespace {

constexpr milliseconds kFirstBackoff { 100 };
constexpr milliseconds kMaxBackoff { 5'000 };

// How long a connection may go without any answer while commands wait before it is dropped (a
// Redis that accepts but never answers). Single slow answers only fail their own request.
milliseconds stallLimit(milliseconds timeout)
{
    return std::max(milliseconds(1'000), timeout * 5);
}

QString replyText(const redisReply *r)
{
    return QString::fromUtf8(r->str, int(r->len));
}

} // namespace

RedisConnection::RedisConnection(std::shared_ptr<RedisRateLimitStore::Shared> shared)
    : m_shared(std::move(shared))
    , m_deadline(new QTimer(this))
    , m_retry(new QTimer(this))
{
    m_deadline->setSingleShot(true);
    m_deadline->setTimerType(Qt::PreciseTimer);
    connect(m_deadline, &QTimer::timeout, this, &RedisConnection::deadlinePassed);
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, [this] {
        if (m_phase == Phase::Connecting)
            drop(QStringLiteral("no connection within %1 ms")
                     .arg(stallLimit(m_shared->settings.timeout).count()));
        else if (m_phase == Phase::Backoff)
            connectNow();
    });
}

RedisConnection::~RedisConnection()
{
    m_destroying = true;
    if (m_adapter && m_adapter->context())
        redisAsyncFree(m_adapter->context()); // every waiting request gets its error now
    for (Pending *p : m_pending) {
        finish(p, { false, {}, QStringLiteral("connection closed") });
        delete p;
    }
    QMutexLocker lock(&m_shared->mutex);
    const auto it = m_shared->connections.constFind(thread());
    if (it != m_shared->connections.constEnd() && *it == this)
        m_shared->connections.erase(it);
}

void RedisConnection::connectNow()
{
    m_phase = Phase::Connecting;
    if (m_shared->ip.isEmpty()) {
        failed(m_shared->resolveError);
        return;
    }
    redisAsyncContext *ac = redisAsyncConnect(m_shared->ip.toUtf8().constData(), m_shared->address.port);
    if (!ac) {
        failed(QStringLiteral("out of memory"));
        return;
    }
    if (ac->err) {
        const QString why = QString::fromUtf8(ac->errstr);
        redisAsyncFree(ac);
        failed(why);
        return;
    }
    ac->data = this;
    m_adapter = new RedisQtAdapter(
        ac, [this] { contextGone(); }, this);
    redisAsyncSetConnectCallback(ac, &RedisConnection::onConnect);
    const config::RedisAddress &a = m_shared->address;
    if (!a.password.isEmpty()) {
        const QByteArray user = a.user.toUtf8();
        const QByteArray password = a.password.toUtf8();
        if (user.isEmpty()) {
            const char *argv[] = { "AUTH", password.constData() };
            const size_t lens[] = { 4, size_t(password.size()) };
            redisAsyncCommandArgv(ac, &RedisConnection::onSetupReply, this, 2, argv, lens);
        } else {
            const char *argv[] = { "AUTH", user.constData(), password.constData() };
            const size_t lens[] = { 4, size_t(user.size()), size_t(password.size()) };
            redisAsyncCommandArgv(ac, &RedisConnection::onSetupReply, this, 3, argv, lens);
        }
    }
    if (a.db != 0) {
        const QByteArray db = QByteArray::number(a.db);
        const char *argv[] = { "SELECT", db.constData() };
        const size_t lens[] = { 6, size_t(db.size()) };
        redisAsyncCommandArgv(ac, &RedisConnection::onSetupReply, this, 2, argv, lens);
    }
    m_adapter->watchConnect();
    m_lastProgress = steady_clock::now();
    m_retry->start(stallLimit(m_shared->settings.timeout));
}

void RedisConnection::onConnect(const redisAsyncContext *ac, int status)
{
    auto *self = static_cast<RedisConnection *>(ac->data);
    if (status != REDIS_OK) {
        self->m_lastError = QString::fromUtf8(ac->errstr); // hiredis frees the context next
        return;
    }
    self->m_phase = Phase::Connected;
    self->m_backoff = milliseconds(0);
    self->m_retry->stop();
    self->m_lastProgress = steady_clock::now();
}

void RedisConnection::onSetupReply(redisAsyncContext *ac, void *reply, void *)
{
    const auto *r = static_cast<const redisReply *>(reply);
    if (!r || r->type != REDIS_REPLY_ERROR)
        return;
    auto *self = static_cast<RedisConnection *>(ac->data);
    self->m_shared->countError(self->m_shared->replyErrors);
    self->m_lastError = QStringLiteral("Redis refused the connection's setup: %1").arg(replyText(r));
    redisAsyncFree(ac); // inside a callback: hiredis frees it when the callback returns
}

void RedisConnection::contextGone()
{
    if (m_adapter) {
        m_adapter->deleteLater();
        m_adapter = nullptr;
    }
    if (m_destroying)
        return;
    failed(m_lastError.isEmpty() ? QStringLiteral("connection closed") : m_lastError);
}

void RedisConnection::failed(const QString &why)
{
    m_phase = Phase::Backoff;
    m_lastError = why;
    m_shared->reportDown(why);
    m_backoff = m_backoff.count() == 0 ? kFirstBackoff : std::min(m_backoff * 2, kMaxBackoff);
    m_retry->start(m_backoff);
}

void RedisConnection::drop(const QString &why)
{
    m_lastError = why;
    if (m_adapter && m_adapter->context())
        redisAsyncFree(m_adapter->context()); // -> waiting requests fail, then contextGone()
    else if (m_phase != Phase::Backoff)
        failed(why);
}

void RedisConnection::submit(std::span<const RateLimitRequest> requests, RedisRateLimitStore::Callback done)
{
    if (m_phase == Phase::Idle)
        connectNow();
    if (m_phase == Phase::Backoff) {
        m_shared->countError(m_shared->unreachable);
        done({ false, {}, m_lastError });
        return;
    }
    auto *p = new Pending;
    p->connection = this;
    p->done = std::move(done);
    p->sentAt = steady_clock::now();
    p->deadline = p->sentAt + m_shared->settings.timeout;
    p->keys = int(requests.size());
    p->args.reserve(requests.size() * 3);
    for (const RateLimitRequest &r : requests)
        p->args.push_back(RedisRateLimitStore::redisKey(r.key));
    for (const RateLimitRequest &r : requests) {
        p->args.push_back(QByteArray::number(std::max(1, r.limit)));
        p->args.push_back(QByteArray::number(qint64(duration_cast<microseconds>(r.period).count())));
    }
    if (!send(p, false)) {
        m_shared->countError(m_shared->unreachable);
        finish(p, { false, {}, m_lastError.isEmpty() ? QStringLiteral("connection closing") : m_lastError });
        delete p;
        return;
    }
    m_pending.push_back(p);
    armDeadline();
}

bool RedisConnection::send(Pending *p, bool withScript)
{
    redisAsyncContext *ac = m_adapter ? m_adapter->context() : nullptr;
    if (!ac)
        return false;
    const QByteArray keyCount = QByteArray::number(p->keys);
    const QByteArray &body = withScript ? RedisRateLimitStore::script() : RedisRateLimitStore::scriptSha();
    std::vector<const char *> argv;
    std::vector<size_t> lens;
    argv.reserve(p->args.size() + 3);
    lens.reserve(p->args.size() + 3);
    argv.push_back(withScript ? "EVAL" : "EVALSHA");
    lens.push_back(withScript ? 4 : 7);
    argv.push_back(body.constData());
    lens.push_back(size_t(body.size()));
    argv.push_back(keyCount.constData());
    lens.push_back(size_t(keyCount.size()));
    for (const QByteArray &a : p->args) {
        argv.push_back(a.constData());
        lens.push_back(size_t(a.size()));
    }
    return redisAsyncCommandArgv(ac, &RedisConnection::onReply, p, int(argv.size()), argv.data(), lens.data())
        == REDIS_OK;
}

void RedisConnection::onReply(redisAsyncContext *ac, void *reply, void *privdata)
{
    auto *p = static_cast<Pending *>(privdata);
    p->connection->handleReply(ac, p, static_cast<redisReply *>(reply));
}

void RedisConnection::handleReply(redisAsyncContext *ac, Pending *p, redisReply *reply)
{
    const auto forget = [this, p] {
        m_pending.remove(p);
        delete p;
    };
    if (!reply) { // the context is going away
        if (p->done) {
            m_shared->countError(m_shared->unreachable);
            QString why = ac && ac->err ? QString::fromUtf8(ac->errstr) : m_lastError;
            if (why.isEmpty())
                why = QStringLiteral("connection closed");
            m_lastError = why;
            finish(p, { false, {}, why });
        }
        forget();
        return;
    }
    m_lastProgress = steady_clock::now();
    if (reply->type == REDIS_REPLY_ERROR) {
        const QString text = replyText(reply);
        if (text.startsWith(u"NOSCRIPT") && !p->retried && p->done) {
            p->retried = true; // the server lost its script cache: EVAL loads it again
            if (send(p, true))
                return;
        }
        if (p->done) {
            m_shared->countError(m_shared->replyErrors);
            m_shared->reportDown(text);
            finish(p, { false, {}, text });
        }
        forget();
        return;
    }
    if (!p->done) { // answered already (deadline)
        forget();
        return;
    }
    const size_t n = size_t(p->keys);
    const bool wellFormed = reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 + 4 * n
        && std::all_of(reply->element, reply->element + reply->elements,
            [](const redisReply *e) { return e->type == REDIS_REPLY_INTEGER; });
    if (!wellFormed) {
        m_shared->countError(m_shared->replyErrors);
        finish(p, { false, {}, QStringLiteral("unexpected answer from the rate-limit script") });
        forget();
        return;
    }
    RedisRateLimitStore::Outcome outcome;
    outcome.ok = true;
    outcome.decisions.resize(n);
    for (size_t i = 0; i < n; ++i) {
        redisReply **e = reply->element + 1 + 4 * i;
        RateLimitDecision &d = outcome.decisions[i];
        d.allowed = e[0]->integer == 1;
        d.limit = std::max(1, QByteArray(p->args[n + 2 * i]).toInt());
        d.remaining = int(std::max<long long>(0, e[1]->integer));
        d.reset = microseconds(std::max<long long>(0, e[2]->integer));
        d.retryAfter = microseconds(std::max<long long>(0, e[3]->integer));
    }
    if (m_shared->latency)
        m_shared->latency->observe(duration<double>(steady_clock::now() - p->sentAt).count());
    m_shared->reportUp();
    finish(p, std::move(outcome));
    forget();
}

void RedisConnection::finish(Pending *p, RedisRateLimitStore::Outcome outcome)
{
    if (!p->done)
        return;
    RedisRateLimitStore::Callback done = std::move(p->done);
    p->done = nullptr;
    done(std::move(outcome));
}

void RedisConnection::armDeadline()
{
    if (m_pending.empty()) {
        m_deadline->stop();
        return;
    }
    SteadyTime next = SteadyTime::max();
    for (const Pending *p : m_pending) {
        if (p->done)
            next = std::min(next, p->deadline);
    }
    // Answered requests still wait for their reply: watch for a stalled connection.
    next = std::min(
        next, std::max(m_lastProgress, m_pending.front()->sentAt) + stallLimit(m_shared->settings.timeout));
    const auto wait = duration_cast<milliseconds>(next - steady_clock::now()) + milliseconds(1);
    m_deadline->start(std::max(milliseconds(0), wait));
}

void RedisConnection::deadlinePassed()
{
    const SteadyTime now = steady_clock::now();
    std::vector<Pending *> expired;
    for (Pending *p : m_pending) {
        if (p->done && p->deadline <= now)
            expired.push_back(p);
    }
    const QString why = QStringLiteral("no answer within %1 ms (rate_limit_store.timeout)")
                            .arg(m_shared->settings.timeout.count());
    if (!expired.empty())
        m_shared->reportDown(why);
    for (Pending *p : expired) {
        m_shared->countError(m_shared->timeouts);
        finish(p, { false, {}, why }); // the reply, if it comes, is dropped
    }
    if (!m_pending.empty()
        && now - std::max(m_lastProgress, m_pending.front()->sentAt)
            >= stallLimit(m_shared->settings.timeout)) {
        drop(QStringLiteral("no answer for %1 ms").arg(stallLimit(m_shared->settings.timeout).count()));
        return;
    }
    armDeadline();
}

} // namespace portico::filters::ratelimit
