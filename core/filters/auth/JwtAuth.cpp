#include "core/filters/auth/JwtAuth.h"

#include "core/filters/FilterServices.h"

#include <QFile>

#include <algorithm>

namespace portico::filters::auth {

namespace {
const QByteArray kAuthorization = QByteArrayLiteral("Authorization");
}

JwtAuth::JwtAuth(const config::AuthScheme &scheme, const config::Workspace &workspace,
    ConsumerDirectoryPtr consumers, FilterServices &services, QString *error,
    JwtVerifiedCacheOptions cacheOptions)
    : AuthMethod(scheme.name, services.metrics)
    , m_jwksUrl(scheme.jwksUrl)
    , m_consumerClaim(scheme.consumerClaim.isEmpty() ? QStringLiteral("sub") : scheme.consumerClaim)
    , m_consumers(std::move(consumers))
    , m_clock(services.clock ? *services.clock : SystemClock::instance())
    , m_jwks(services.jwks)
    , m_verified(std::make_unique<JwtVerifiedCache>(cacheOptions))
{
    if (services.metrics) {
        auto lookups = [&](const char *result) {
            return &services.metrics->counter("portico_auth_jwt_cache_total",
                "JWT verdicts looked up in the verified-token cache",
                { { "scheme", scheme.name.toUtf8() }, { "result", result } });
        };
        m_cacheHits = lookups("hit");
        m_cacheMisses = lookups("miss");
    }
    auto broken = [&](const QString &message) {
        m_broken = true;
        if (error && error->isEmpty())
            *error = message;
    };
    m_rules.issuer = scheme.issuer;
    m_rules.audience = scheme.audience;
    m_rules.clockSkew = std::chrono::duration_cast<std::chrono::seconds>(scheme.clockSkew);

    if (!scheme.secret.isEmpty())
        m_staticKeys.append(JwtKey::fromSecret(scheme.secret.toUtf8()));
    if (!scheme.publicKey.isEmpty()) {
        QFile file(workspace.resolvePath(scheme.publicKey));
        QString why;
        JwtKeyPtr key;
        if (!file.open(QIODevice::ReadOnly))
            why = file.errorString();
        else
            key = JwtKey::fromPem(file.readAll(), &why);
        if (key)
            m_staticKeys.append(key);
        else
            broken(QStringLiteral("public_key %1: %2").arg(scheme.publicKey, why));
    }
    if (m_jwksUrl.isValid() && !m_jwksUrl.isEmpty() && !m_jwks)
        broken(QStringLiteral("no JWKS cache in the filter services"));
    if (m_staticKeys.isEmpty() && m_jwksUrl.isEmpty())
        broken(QStringLiteral("needs secret, public_key or jwks_url"));

    if (scheme.algorithms.isEmpty()) {
        for (const JwtKeyPtr &k : std::as_const(m_staticKeys)) {
            for (const QString &alg : JwtKey::algorithmsFor(k->kind())) {
                if (!m_algorithms.contains(alg))
                    m_algorithms.append(alg);
            }
        }
        if (!m_jwksUrl.isEmpty()) {
            for (const char *alg : { "RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA" }) {
                if (!m_algorithms.contains(QLatin1String(alg)))
                    m_algorithms.append(QLatin1String(alg));
            }
        }
    } else {
        for (const QString &alg : scheme.algorithms) {
            if (JwtKey::isKnownAlgorithm(alg))
                m_algorithms.append(alg);
            else
                broken(QStringLiteral("unsupported algorithm \"%1\"").arg(alg));
        }
    }
}

std::optional<AuthResult> JwtAuth::authenticate(
    const http::RequestHead &request, const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const
{
    const QByteArray compact = bearerToken(request);
    if (compact.isEmpty())
        return AuthResult::missing();
    if (m_broken)
        return AuthResult::rejected(AuthReason::Misconfigured, kAuthorization);
    const Sha256Digest key = JwtVerifiedCache::keyFor(compact);
    if (auto cached = fromCache(key)) {
        if (m_cacheHits)
            m_cacheHits->inc();
        return cached;
    }
    if (m_cacheMisses)
        m_cacheMisses->inc();
    auto parsed = JwtToken::parse(compact);
    if (const AuthReason *why = std::get_if<AuthReason>(&parsed))
        return AuthResult::rejected(*why, kAuthorization);
    auto token = std::make_shared<JwtToken>(std::move(std::get<JwtToken>(parsed)));
    if (!m_algorithms.contains(token->alg()))
        return AuthResult::rejected(AuthReason::BadAlgorithm, kAuthorization);
    return resolve(token, key, callbacks, std::move(done));
}

std::optional<AuthResult> JwtAuth::fromCache(const Sha256Digest &key) const
{
    const qint64 wallNow = m_clock.epochSeconds();
    auto hit = m_verified->find(key, m_clock.now(), wallNow);
    if (!hit)
        return std::nullopt;
    if (hit->fromJwks && (!m_jwks || hit->keyGeneration != m_jwks->generation())) {
        m_verified->erase(key);
        return std::nullopt; // verified against a key set that has since been replaced
    }
    if (const auto why = JwtToken::checkTimes(hit->exp, hit->nbf, m_rules.clockSkew, wallNow)) {
        // nbf can fail again only when the wall clock went back; keep the entry for then.
        if (*why == AuthReason::Expired)
            m_verified->erase(key);
        return AuthResult::rejected(*why, kAuthorization);
    }
    return std::move(hit->result);
}

std::optional<AuthResult> JwtAuth::resolve(const std::shared_ptr<JwtToken> &token, const Sha256Digest &key,
    const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const
{
    QList<JwtKeyPtr> keys;
    for (const JwtKeyPtr &k : m_staticKeys) {
        // A static key matches a token without kid, or one whose kid it does not contradict.
        if (token->kid().isEmpty() || k->kid().isEmpty() || k->kid() == token->kid())
            keys.append(k);
    }
    if (!keys.isEmpty() || m_jwksUrl.isEmpty())
        return remember(key, *token, verifyWith(*token, keys), std::nullopt);

    // `this` stays alive: `done` holds the auth attempt, which holds the filter and its methods.
    auto again = [this, token, key, callbacks, done] {
        if (callbacks->cancelled())
            return;
        if (auto r = resolve(token, key, callbacks, done))
            done(std::move(*r));
    };
    const quint64 generation = m_jwks->generation(); // before the lookup: see JwksCache
    const JwksCache::Lookup found
        = m_jwks->find(m_jwksUrl, token->kid(), m_clock, callbacks->network(), again);
    switch (found.status) {
    case JwksCache::Status::Ready:
        return remember(key, *token, verifyWith(*token, found.keys), generation);
    case JwksCache::Status::Pending:
        return std::nullopt;
    case JwksCache::Status::NoKey:
        return AuthResult::rejected(AuthReason::UnknownKey, kAuthorization);
    case JwksCache::Status::Unavailable:
        return AuthResult::rejected(AuthReason::Unavailable, kAuthorization);
    }
    return AuthResult::rejected(AuthReason::UnknownKey, kAuthorization);
}

AuthResult JwtAuth::verifyWith(const JwtToken &token, const QList<JwtKeyPtr> &keys) const
{
    if (keys.isEmpty())
        return AuthResult::rejected(AuthReason::UnknownKey, kAuthorization);
    bool fitting = false;
    bool verified = false;
    for (const JwtKeyPtr &k : keys) {
        if (!k->acceptsAlgorithm(token.alg()))
            continue;
        fitting = true;
        if (k->verify(token.alg(), token.signingInput(), token.signature())) {
            verified = true;
            break;
        }
    }
    if (!fitting)
        return AuthResult::rejected(AuthReason::BadAlgorithm, kAuthorization);
    if (!verified)
        return AuthResult::rejected(AuthReason::BadSignature, kAuthorization);
    // Claims are only looked at once the signature is known good.
    if (const auto why = token.checkClaims(m_rules, m_clock.epochSeconds()))
        return AuthResult::rejected(*why, kAuthorization);
    const QJsonValue claim = token.claims().value(m_consumerClaim);
    if (!claim.isString() || claim.toString().isEmpty())
        return AuthResult::rejected(AuthReason::MissingClaim, kAuthorization);

    AuthResult r;
    r.kind = AuthResult::Kind::Success;
    const QString subject = claim.toString();
    if (auto known = m_consumers->byJwtSubject(subject)) {
        r.consumer = std::move(*known);
    } else if (auto anonymous = ConsumerDirectory::anonymousFromClaim(subject, *m_consumers)) {
        r.consumer = std::move(*anonymous);
    } else {
        return AuthResult::rejected(AuthReason::BadClaim, kAuthorization);
    }
    r.consumer.scheme = schemeName();
    r.credentialHeader = kAuthorization;
    return r;
}

AuthResult JwtAuth::remember(const Sha256Digest &key, const JwtToken &token, AuthResult result,
    std::optional<quint64> generation) const
{
    if (result.kind != AuthResult::Kind::Success)
        return result;
    JwtVerifiedCache::Entry entry;
    entry.result = result;
    entry.exp = token.numericClaim(QLatin1StringView("exp"));
    entry.nbf = token.numericClaim(QLatin1StringView("nbf"));
    entry.fromJwks = generation.has_value();
    entry.keyGeneration = generation.value_or(0);
    // Past exp + skew the verdict can only be "expired": no use keeping it.
    qint64 deadline = 0;
    if (entry.exp)
        deadline = qint64(std::min(*entry.exp, 9.0e15)) + m_rules.clockSkew.count() + 1;
    m_verified->insert(key, std::move(entry), deadline, m_clock.now(), m_clock.epochSeconds());
    return result;
}

} // namespace portico::filters::auth
