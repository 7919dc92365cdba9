#include "core/filters/auth/JwksCache.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace portico::filters::auth {

using namespace std::chrono;

JwksCache::JwksCache(Options options)
    : m_options(options)
{
}

void JwksCache::setOptions(const Options &options)
{
    QMutexLocker lock(&m_mutex);
    m_options = options;
}

JwksCache::Options JwksCache::options() const
{
    QMutexLocker lock(&m_mutex);
    return m_options;
}

int JwksCache::fetchCount(const QUrl &url) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(url.toString());
    return it == m_entries.constEnd() ? 0 : it->fetches;
}

JwksCache::Lookup JwksCache::find(const QUrl &url, const QString &kid, const Clock &clock,
    QNetworkAccessManager &network, std::function<void()> onReady)
{
    const auto now = clock.now();
    Lookup out;
    bool fetch = false;
    Options options;
    {
        QMutexLocker lock(&m_mutex);
        options = m_options;
        Entry &e = m_entries[url.toString()];
        for (const JwtKeyPtr &k : std::as_const(e.keys)) {
            if (kid.isEmpty() || k->kid() == kid)
                out.keys.append(k);
        }
        const bool floorPassed = !e.fetched || now - e.lastAttempt >= options.refetchFloor;
        const bool canFetch = !e.inFlight && floorPassed;
        if (!out.keys.isEmpty()) {
            out.status = Status::Ready;
            if (canFetch && now - e.lastSuccess >= options.maxAge) {
                // Stale but usable: refresh in the background, answer with what we have.
                fetch = true;
                e.inFlight = true;
                e.lastAttempt = now;
                ++e.fetches;
            }
        } else if (e.inFlight || canFetch) {
            out.status = Status::Pending;
            e.waiters.append({ QPointer<QObject>(&network), std::move(onReady) });
            if (!e.inFlight) {
                fetch = true;
                e.inFlight = true;
                e.lastAttempt = now;
                ++e.fetches;
            }
        } else {
            out.status = e.keys.isEmpty() && e.lastFailed ? Status::Unavailable : Status::NoKey;
        }
    }
    if (fetch)
        startFetch(url, network, options, clock);
    return out;
}

void JwksCache::startFetch(
    const QUrl &url, QNetworkAccessManager &network, const Options &options, const Clock &clock)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(int(options.timeout.count()));
    request.setRawHeader("Accept", "application/jwk-set+json, application/json");
    QNetworkReply *reply = network.get(request);
    const QString key = url.toString();
    const qint64 maxBytes = options.maxBytes;
    QObject::connect(
        reply, &QNetworkReply::downloadProgress, reply, [reply, maxBytes](qint64 received, qint64) {
            if (received > maxBytes)
                reply->abort();
        });
    // A reply deleted before it finished (its worker's client went away) abandons the fetch: the
    // waiters are told, and the next lookup may fetch again at once through a live client.
    auto finished = std::make_shared<bool>(false);
    QObject::connect(reply, &QObject::destroyed, [this, key, finished, &clock] {
        if (!*finished)
            complete(key, std::nullopt, clock.now(), true);
    });
    QObject::connect(reply, &QNetworkReply::finished, reply, [this, reply, key, finished, &clock] {
        *finished = true;
        reply->deleteLater();
        std::optional<QList<JwtKeyPtr>> keys;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError && status == 200)
            keys = parseSet(reply->readAll());
        if (!keys) {
            const QString why = reply->error() != QNetworkReply::NoError ? reply->errorString()
                : status != 200 ? QStringLiteral("HTTP status %1").arg(status)
                                : QStringLiteral("not a JWK set");
            qWarning("JWKS fetch from %s failed: %s", qPrintable(key), qPrintable(why));
        }
        complete(key, std::move(keys), clock.now(), false);
    });
}

void JwksCache::complete(
    const QString &key, std::optional<QList<JwtKeyPtr>> keys, steady_clock::time_point at, bool abandoned)
{
    QList<Waiter> waiters;
    {
        QMutexLocker lock(&m_mutex);
        Entry &e = m_entries[key];
        e.inFlight = false;
        if (abandoned) {
            e.lastAttempt = {}; // it never reached the IdP, or its answer was lost: no floor
        } else {
            e.fetched = true;
            e.lastFailed = !keys.has_value();
            if (keys) {
                // A failed refresh keeps the last good set: an IdP outage must not lock everyone out.
                e.keys = std::move(*keys);
                e.lastSuccess = at;
                // Bumped under the lock, after the new set is in: a reader that saw the old
                // generation can only have looked at the old set, so its verdicts get re-checked.
                m_generation.fetch_add(1, std::memory_order_acq_rel);
            }
        }
        waiters.swap(e.waiters);
    }
    notify(waiters);
}

void JwksCache::notify(QList<Waiter> &waiters)
{
    for (Waiter &w : waiters) {
        if (w.context)
            QMetaObject::invokeMethod(w.context.data(), std::move(w.onReady), Qt::QueuedConnection);
    }
}

std::optional<QList<JwtKeyPtr>> JwksCache::parseSet(const QByteArray &json)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonValue keys = doc.object().value(QLatin1String("keys"));
    if (!keys.isArray())
        return std::nullopt;
    QList<JwtKeyPtr> out;
    for (const QJsonValue v : keys.toArray()) {
        QString error;
        if (JwtKeyPtr k = JwtKey::fromJwk(v.toObject(), &error))
            out.append(k);
    }
    return out;
}

} // namespace portico::filters::auth
