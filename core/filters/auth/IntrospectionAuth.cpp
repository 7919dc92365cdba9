#include "core/filters/auth/IntrospectionAuth.h"

#include "core/filters/FilterServices.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cmath>

namespace portico::filters::auth {

namespace {
const QByteArray kAuthorization = QByteArrayLiteral("Authorization");
constexpr qint64 kMaxAnswerBytes = 256 * 1024;
} // namespace

IntrospectionAuth::IntrospectionAuth(const config::AuthScheme &scheme, ConsumerDirectoryPtr consumers,
    FilterServices &services, QString *error)
    : AuthMethod(scheme.name, services.metrics)
    , m_url(scheme.url)
    , m_clientId(scheme.clientId)
    , m_cacheFor(scheme.cache)
    , m_consumers(std::move(consumers))
    , m_clock(services.clock ? *services.clock : SystemClock::instance())
    , m_cache(services.introspection)
{
    // RFC 6749 2.3.1: client id and secret are form-encoded before the Basic encoding.
    const QByteArray credentials
        = QUrl::toPercentEncoding(scheme.clientId) + ':' + QUrl::toPercentEncoding(scheme.clientSecret);
    m_basic = "Basic " + credentials.toBase64();
    QString problem;
    if (!m_url.isValid()
        || (m_url.scheme() != QLatin1String("http") && m_url.scheme() != QLatin1String("https")))
        problem = QStringLiteral("url must be an http(s) URL");
    else if (!m_cache)
        problem = QStringLiteral("no introspection cache in the filter services");
    if (!problem.isEmpty()) {
        m_broken = true;
        if (error)
            *error = problem;
    }
}

AuthResult IntrospectionAuth::success(const QString &identity) const
{
    AuthResult r;
    r.kind = AuthResult::Kind::Success;
    if (identity.isEmpty()) {
        // No username, sub or client_id: never a configured consumer, whatever it is named.
        auto anonymous = ConsumerDirectory::anonymousFromClaim(QStringLiteral("anonymous"), *m_consumers);
        if (!anonymous)
            return AuthResult::rejected(AuthReason::BadClaim, kAuthorization);
        r.consumer = std::move(*anonymous);
    } else if (auto known = m_consumers->bySubjectOrName(identity)) {
        r.consumer = std::move(*known);
    } else if (auto anonymous = ConsumerDirectory::anonymousFromClaim(identity, *m_consumers)) {
        r.consumer = std::move(*anonymous);
    } else {
        return AuthResult::rejected(AuthReason::BadClaim, kAuthorization);
    }
    r.consumer.scheme = schemeName();
    r.credentialHeader = kAuthorization;
    return r;
}

std::optional<AuthResult> IntrospectionAuth::authenticate(
    const http::RequestHead &request, const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const
{
    const QByteArray token = bearerToken(request);
    if (token.isEmpty())
        return AuthResult::missing();
    if (m_broken)
        return AuthResult::rejected(AuthReason::Misconfigured, kAuthorization);
    const QByteArray key = IntrospectionCache::keyFor(m_url.toString(), m_clientId, token);
    if (m_cacheFor.count() > 0) {
        if (auto hit = m_cache->find(key, m_clock.now(), m_clock.epochSeconds()))
            return hit->active ? success(hit->identity)
                               : AuthResult::rejected(AuthReason::Inactive, kAuthorization);
    }
    if (!m_cache->tryBeginCall()) {
        qWarning("token introspection at %s: %d calls already in flight, refusing more",
            qPrintable(m_url.toString()), m_cache->options().maxConcurrentCalls);
        return AuthResult::rejected(AuthReason::Unavailable, kAuthorization);
    }

    QNetworkRequest post(m_url);
    post.setHeader(
        QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    post.setRawHeader("Accept", "application/json");
    post.setRawHeader("Authorization", m_basic);
    post.setTransferTimeout(int(m_cache->options().timeout.count()));
    const QByteArray body
        = "token=" + QUrl::toPercentEncoding(QString::fromLatin1(token)) + "&token_type_hint=access_token";
    QNetworkReply *reply = callbacks->network().post(post, body);
    // The slot is given back when the reply goes, however it ends (answered, aborted, torn down).
    QObject::connect(reply, &QObject::destroyed, [cache = m_cache] { cache->endCall(); });
    QObject::connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > kMaxAnswerBytes)
            reply->abort();
    });
    // `this` stays alive: `done` holds the auth attempt, which holds the filter and its methods.
    QObject::connect(reply, &QNetworkReply::finished, reply, [this, reply, key, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const bool ok = reply->error() == QNetworkReply::NoError;
        if (!ok)
            qWarning("token introspection at %s failed: %s", qPrintable(m_url.toString()),
                qPrintable(reply->errorString()));
        done(onAnswer(key, status, ok, ok ? reply->readAll() : QByteArray()));
    });
    return std::nullopt;
}

AuthResult IntrospectionAuth::onAnswer(
    const QByteArray &cacheKey, int status, bool networkOk, const QByteArray &body) const
{
    if (!networkOk || status != 200)
        return AuthResult::rejected(AuthReason::Unavailable, kAuthorization);
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    const QJsonValue active = doc.object().value(QLatin1String("active"));
    if (err.error != QJsonParseError::NoError || !doc.isObject() || !active.isBool())
        return AuthResult::rejected(AuthReason::Unavailable, kAuthorization);
    if (!active.toBool()) {
        // Remembered briefly, so that one bad token sent again and again costs one call per period.
        if (m_cacheFor.count() > 0) {
            IntrospectionCache::Entry inactive;
            inactive.active = false;
            const auto now = m_clock.now();
            m_cache->insert(
                cacheKey, inactive, now + std::min(m_cacheFor, m_cache->options().negativeFor), now);
        }
        return AuthResult::rejected(AuthReason::Inactive, kAuthorization);
    }

    const QJsonObject o = doc.object();
    IntrospectionCache::Entry entry;
    const QJsonValue exp = o.value(QLatin1String("exp"));
    if (exp.isDouble() && std::isfinite(exp.toDouble()))
        entry.exp = qint64(exp.toDouble());
    // An endpoint that calls an expired token active is not believed.
    if (entry.exp != 0 && m_clock.epochSeconds() >= entry.exp)
        return AuthResult::rejected(AuthReason::Expired, kAuthorization);
    for (const char *field : { "username", "sub", "client_id" }) {
        const QString v = o.value(QLatin1String(field)).toString();
        if (!v.isEmpty()) {
            entry.identity = v;
            break;
        }
    }
    if (m_cacheFor.count() > 0) {
        const auto now = m_clock.now();
        m_cache->insert(cacheKey, entry, now + m_cacheFor, now);
    }
    return success(entry.identity);
}

} // namespace portico::filters::auth
