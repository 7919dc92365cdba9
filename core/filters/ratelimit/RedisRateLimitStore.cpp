#include "core/filters/ratelimit/RedisRateLimitStore.h"

#include "core/common/Metrics.h"
#include "core/filters/ratelimit/RedisConnection.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QHostInfo>
#include <QMutexLocker>
#include <QThread>

namespace portico::filters::ratelimit {

namespace {

// KEYS: the buckets of one request. ARGV: limit and period (microseconds) per key.
// Returns {all allowed (0/1), then per key: allowed, remaining, reset_us, retry_us}.
// The arithmetic is RateLimitStore::acquire()'s, in microseconds.
const char kScript[] = R"lua(local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local n = #KEYS
local ts, ws, bases = {}, {}, {}
local all = 1
for i = 1, n do
  local limit = math.max(1, tonumber(ARGV[2 * i - 1]))
  local t = math.max(1, math.floor(tonumber(ARGV[2 * i]) / limit))
  local w = t * limit
  local stored = redis.call('GET', KEYS[i])
  local base = now
  if stored then base = math.max(tonumber(stored) or now, now) end
  ts[i], ws[i], bases[i] = t, w, base
  if base + t - now > w then all = 0 end
end
local out = {all}
for i = 1, n do
  local t, w, base = ts[i], ws[i], bases[i]
  local allowed, remaining, reset, retry = 0, 0, base - now, 0
  if all == 1 then
    local tat = base + t
    redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.max(1, math.ceil((tat - now) / 1000)))
    allowed, remaining, reset = 1, math.floor((w - (tat - now)) / t), tat - now
  elseif base + t - now <= w then
    remaining = math.floor((w - (base + t - now)) / t) + 1
  else
    retry = base + t - w - now
  end
  out[#out + 1] = allowed
  out[#out + 1] = remaining
  out[#out + 1] = reset
  out[#out + 1] = retry
end
return out
)lua";

constexpr qsizetype kMaxPlainKey = 160;

} // namespace

const QByteArray &RedisRateLimitStore::script()
{
    static const QByteArray s(kScript);
    return s;
}

const QByteArray &RedisRateLimitStore::scriptSha()
{
    static const QByteArray sha = QCryptographicHash::hash(script(), QCryptographicHash::Sha1).toHex();
    return sha;
}

QByteArray RedisRateLimitStore::redisKey(const QByteArray &key)
{
    if (key.size() <= kMaxPlainKey)
        return QByteArrayLiteral("portico:rl:") + key;
    return QByteArrayLiteral("portico:rl:#")
        + QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex();
}

void RedisRateLimitStore::Shared::countError(Counter *reason)
{
    if (reason)
        reason->inc();
}

void RedisRateLimitStore::Shared::reportUp()
{
    if (state.load(std::memory_order_relaxed) == State::Up)
        return;
    const State before = state.exchange(State::Up);
    if (before == State::Down)
        qInfo("rate_limit_store: Redis at %s answers again; limits are shared again", qPrintable(where));
    else if (before == State::Unknown)
        qInfo("rate_limit_store: connected to Redis at %s", qPrintable(where));
}

void RedisRateLimitStore::Shared::reportDown(const QString &why)
{
    if (state.load(std::memory_order_relaxed) == State::Down)
        return;
    if (state.exchange(State::Down) == State::Down)
        return;
    const bool allow = settings.onError == config::RateLimitStoreSettings::OnError::Allow;
    qWarning("rate_limit_store: Redis at %s does not answer (%s); rate-limited requests are %s until it "
             "does (on_error: %s)",
        qPrintable(where), qPrintable(why), allow ? "let through unlimited" : "refused with 503",
        allow ? "allow" : "deny");
}

RedisRateLimitStore::RedisRateLimitStore(
    const config::RateLimitStoreSettings &settings, MetricsRegistry *metrics)
    : m_shared(std::make_shared<Shared>())
{
    Shared &s = *m_shared;
    s.settings = settings;
    QString error;
    s.address = config::parseRedisUrl(settings.redis, &error).value_or(config::RedisAddress {});
    s.where = QStringLiteral("%1:%2/%3")
                  .arg(s.address.host.contains(u':') ? u'[' + s.address.host + u']' : s.address.host)
                  .arg(s.address.port)
                  .arg(s.address.db);
    // hiredis resolves names with a blocking getaddrinfo(): done once here (when a config is
    // applied, on the control thread) so that worker threads only ever connect to an address.
    if (!QHostAddress(s.address.host).isNull()) {
        s.ip = s.address.host;
    } else {
        const QHostInfo info = QHostInfo::fromName(s.address.host);
        for (const QHostAddress &a : info.addresses()) {
            if (s.ip.isEmpty() || a.protocol() == QAbstractSocket::IPv4Protocol) {
                s.ip = a.toString();
                if (a.protocol() == QAbstractSocket::IPv4Protocol)
                    break;
            }
        }
        if (s.ip.isEmpty())
            s.resolveError = QStringLiteral("cannot resolve %1: %2").arg(s.address.host, info.errorString());
    }
    if (metrics) {
        const QByteArray errors = "portico_rate_limit_store_errors_total";
        const QByteArray help
            = "Rate-limit decisions that the shared store (Redis) could not make, by reason; "
              "rate_limit_store.on_error applied";
        s.unreachable = &metrics->counter(errors, help, { { "reason", "unreachable" } });
        s.timeouts = &metrics->counter(errors, help, { { "reason", "timeout" } });
        s.replyErrors = &metrics->counter(errors, help, { { "reason", "error" } });
        s.latency = &metrics->histogram("portico_rate_limit_store_duration_seconds",
            "Round trip of one rate-limit decision in the shared store (Redis)");
        std::weak_ptr<Shared> weak = m_shared;
        metrics->gauge(
            "portico_rate_limit_store_up", "1 while the shared rate-limit store (Redis) answers", [weak] {
                const auto shared = weak.lock();
                return shared && shared->state.load() == State::Up ? 1.0 : 0.0;
            });
    }
}

RedisRateLimitStore::~RedisRateLimitStore()
{
    // Connections live on their threads and are deleted by their own loop (or when their thread
    // finishes), never from here: the last reference to a store may go inside one of its
    // connection's reply callbacks (an exchange that ends there and held the last old config).
    QMutexLocker lock(&m_shared->mutex);
    for (RedisConnection *c : std::as_const(m_shared->connections))
        c->deleteLater();
    m_shared->connections.clear();
}

const config::RateLimitStoreSettings &RedisRateLimitStore::settings() const
{
    return m_shared->settings;
}

RedisRateLimitStore::State RedisRateLimitStore::state() const
{
    return m_shared->state.load();
}

void RedisRateLimitStore::acquire(std::span<const RateLimitRequest> requests, Callback done)
{
    QThread *thread = QThread::currentThread();
    RedisConnection *connection = nullptr;
    {
        QMutexLocker lock(&m_shared->mutex);
        connection = m_shared->connections.value(thread);
    }
    if (!connection) {
        connection = new RedisConnection(m_shared);
        {
            QMutexLocker lock(&m_shared->mutex);
            m_shared->connections.insert(thread, connection);
        }
        // Closed on its own thread, while that thread's loop still exists.
        QObject::connect(
            thread, &QThread::finished, connection, [connection] { delete connection; },
            Qt::DirectConnection);
    }
    connection->submit(requests, std::move(done));
}

} // namespace portico::filters::ratelimit
