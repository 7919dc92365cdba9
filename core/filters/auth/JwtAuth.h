#pragma once

#include "core/config/Workspace.h"
#include "core/filters/auth/AuthMethod.h"
#include "core/filters/auth/ConsumerDirectory.h"
#include "core/filters/auth/JwksCache.h"
#include "core/filters/auth/JwtKey.h"
#include "core/filters/auth/JwtToken.h"

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
class JwtAuth final : public AuthMethod
{
public:
    // Problems with the scheme's keys or algorithms go to `error`; the scheme then refuses everything.
    JwtAuth(const config::AuthScheme &scheme, const config::Workspace &workspace,
        ConsumerDirectoryPtr consumers, FilterServices &services, QString *error);

    std::optional<AuthResult> authenticate(const http::RequestHead &request,
        const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const override;
    QByteArray challenge(bool presented) const override { return bearerChallenge(presented); }

    const QStringList &algorithms() const { return m_algorithms; }

private:
    // Looks the token's keys up (static, then JWKS) and verifies; nullopt while a JWKS fetch runs.
    std::optional<AuthResult> resolve(const std::shared_ptr<JwtToken> &token,
        const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const;
    AuthResult verifyWith(const JwtToken &token, const QList<JwtKeyPtr> &keys) const;

    QList<JwtKeyPtr> m_staticKeys;
    QUrl m_jwksUrl;
    QStringList m_algorithms;
    JwtClaimRules m_rules;
    QString m_consumerClaim;
    bool m_broken = false;
    ConsumerDirectoryPtr m_consumers;
    const Clock &m_clock;
    std::shared_ptr<JwksCache> m_jwks;
};

} // namespace portico::filters::auth
