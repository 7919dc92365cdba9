#pragma once

#include "core/config/Workspace.h"
#include "core/filters/auth/AuthMethod.h"
#include "core/filters/auth/ConsumerDirectory.h"
#include "core/filters/auth/JwksCache.h"
#include "core/filters/auth/JwtKey.h"
#include "core/filters/auth/JwtToken.h"
#include "core/filters/auth/JwtVerifiedCache.h"

namespace portico::filters {
struct FilterServices;
}

namespace portico::filters::auth {

// `type: jwt`: a Bearer token verified with the scheme's `secret` (HS*), `public_key` (PEM file)
// and/or `jwks_url` (shared JwksCache; may make the request wait for a fetch), then its exp / nbf
// (with clock_skew, against the injected Clock), iss and aud.
//
// Refused: alg none, an alg outside `algorithms` (default: what the configured keys can verify),
// an alg the chosen key is not made for (algorithm confusion), a kid no key has, malformed
// base64url / JSON / segment count, a bad signature.
//
// The consumer is the one whose jwt_subject equals the `consumer_claim` (default sub). When no
// consumer has that subject the token is still accepted - its signature proved the identity
// provider issued it - as an *anonymous* consumer named after the claim value: anonymous = true,
// no groups (so allow_groups refuses it), no tier (so only route limits apply).
//
// Verified tokens are remembered (JwtVerifiedCache, by SHA-256 of the token): a client that
// reuses its token pays the signature check once per maxAge. Each reuse still checks exp / nbf
// against the clock, and a verdict reached with a JWKS key is dropped as soon as the key set is
// refetched, so a key removed by rotation stops passing tokens. Lookups are counted in
// portico_auth_jwt_cache_total{scheme, result="hit"|"miss"}.
class JwtAuth final : public AuthMethod
{
public:
    // Problems with the scheme's keys or algorithms go to `error`; the scheme then refuses everything.
    JwtAuth(const config::AuthScheme &scheme, const config::Workspace &workspace,
        ConsumerDirectoryPtr consumers, FilterServices &services, QString *error,
        JwtVerifiedCacheOptions cacheOptions = {});

    std::optional<AuthResult> authenticate(const http::RequestHead &request,
        const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const override;
    QByteArray challenge(bool presented) const override { return bearerChallenge(presented); }

    const QStringList &algorithms() const { return m_algorithms; }
    size_t cachedTokens() const { return m_verified->size(); }

private:
    // A remembered verdict for `key`, still valid now; Rejected when its exp / nbf no longer hold.
    std::optional<AuthResult> fromCache(const Sha256Digest &key) const;
    // Looks the token's keys up (static, then JWKS) and verifies; nullopt while a JWKS fetch runs.
    std::optional<AuthResult> resolve(const std::shared_ptr<JwtToken> &token, const Sha256Digest &key,
        const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const;
    AuthResult verifyWith(const JwtToken &token, const QList<JwtKeyPtr> &keys) const;
    // Keeps a success for reuse; `generation` is the JWKS generation when it used a JWKS key.
    AuthResult remember(const Sha256Digest &key, const JwtToken &token, AuthResult result,
        std::optional<quint64> generation) const;

    QList<JwtKeyPtr> m_staticKeys;
    QUrl m_jwksUrl;
    QStringList m_algorithms;
    JwtClaimRules m_rules;
    QString m_consumerClaim;
    bool m_broken = false;
    ConsumerDirectoryPtr m_consumers;
    const Clock &m_clock;
    std::shared_ptr<JwksCache> m_jwks;
    std::unique_ptr<JwtVerifiedCache> m_verified; // a pointer: authenticate() is const
    Counter *m_cacheHits = nullptr;
    Counter *m_cacheMisses = nullptr;
};

} // namespace portico::filters::auth
