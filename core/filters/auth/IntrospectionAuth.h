#pragma once

#include "core/config/Workspace.h"
#include "core/filters/auth/AuthMethod.h"
#include "core/filters/auth/ConsumerDirectory.h"
#include "core/filters/auth/IntrospectionCache.h"

namespace portico::filters {
struct FilterServices;
}

namespace portico::filters::auth {

// `type: oauth2_introspection` (RFC 7662): the Bearer token is POSTed as
// application/x-www-form-urlencoded `token=...` to `url`, authenticated with HTTP Basic
// client_id:client_secret. `active: false` -> 401; an active answer is cached for `cache` but
// never past the token's `exp`. The endpoint being down, slow (timeout), answering non-200 or
// something that is not an introspection response -> 503: an outage is never a pass.
//
// The consumer is matched by `username`, else `sub`, else `client_id`, against the consumers'
// jwt_subject and then their names; when none matches it is an anonymous consumer named after
// that value (named "anonymous" when the answer carries none of the three).
class IntrospectionAuth final : public AuthMethod
{
public:
    IntrospectionAuth(const config::AuthScheme &scheme, ConsumerDirectoryPtr consumers,
        FilterServices &services, QString *error);

    std::optional<AuthResult> authenticate(const http::RequestHead &request,
        const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const override;
    QByteArray challenge(bool presented) const override { return bearerChallenge(presented); }

private:
    AuthResult success(const QString &identity) const;
    AuthResult onAnswer(const QByteArray &cacheKey, int status, bool networkOk, const QByteArray &body) const;

    QUrl m_url;
    QString m_clientId;
    QByteArray m_basic; // "Basic base64(id:secret)"
    std::chrono::milliseconds m_cacheFor;
    bool m_broken = false;
    ConsumerDirectoryPtr m_consumers;
    const Clock &m_clock;
    std::shared_ptr<IntrospectionCache> m_cache;
};

} // namespace portico::filters::auth
