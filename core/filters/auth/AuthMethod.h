#pragma once

#include "core/filters/Filter.h"

#include <array>
#include <atomic>
#include <functional>
#include <optional>

namespace portico {
class Counter;
class MetricsRegistry;
} // namespace portico

namespace portico::filters::auth {

// Why a scheme did not authenticate a request; the label of portico_auth_failures_total{reason}.
// Only the metric and the logs see it: the client always gets a generic answer.
enum class AuthReason {
    Missing, // no credential for this scheme in the request
    InvalidKey, // an API key that matches no consumer
    Malformed, // not three base64url segments of JSON, bad types, ...
    BadAlgorithm, // alg none, not in the scheme's list, or not the key's kind (confusion)
    UnknownKey, // a kid that matches no key (after a refetch when allowed)
    BadSignature,
    Expired,
    NotYetValid,
    BadIssuer,
    BadAudience,
    MissingClaim, // no consumer_claim in the token
    BadClaim, // a consumer claim with control characters, too long, or naming a consumer not mapped to it
    Inactive, // introspection said active: false
    Unavailable, // key set or introspection endpoint unreachable / broken
    Misconfigured, // the scheme's own key could not be loaded: fail closed
    Count
};
const char *authReasonName(AuthReason r);

struct AuthResult
{
    enum class Kind { Success, NoCredentials, Rejected, Unavailable };
    Kind kind = Kind::NoCredentials;
    AuthReason reason = AuthReason::Missing;
    ConsumerIdentity consumer; // on Success
    QByteArray credentialHeader; // where the credential was found (for hide_credentials)
    QByteArray credentialQuery;

    static AuthResult missing() { return {}; }
    static AuthResult rejected(AuthReason why, QByteArray header = {}, QByteArray query = {})
    {
        AuthResult r;
        r.kind = why == AuthReason::Unavailable ? Kind::Unavailable : Kind::Rejected;
        r.reason = why;
        r.credentialHeader = std::move(header);
        r.credentialQuery = std::move(query);
        return r;
    }
};

// One configured auth scheme, compiled. Shared by every request and worker thread: const and
// thread-safe. The scheme's failure counters are looked up once per reason and then cached.
class AuthMethod
{
public:
    using Done = std::function<void(AuthResult)>;

    AuthMethod(QString schemeName, MetricsRegistry *metrics);
    virtual ~AuthMethod() = default;
    AuthMethod(const AuthMethod &) = delete;
    AuthMethod &operator=(const AuthMethod &) = delete;

    const QString &schemeName() const { return m_scheme; }

    // The result now, or std::nullopt when the scheme needs async work: it then calls `done`
    // exactly once, later, on this same worker thread (unless callbacks->cancelled()).
    virtual std::optional<AuthResult> authenticate(const http::RequestHead &request,
        const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const = 0;
    // The WWW-Authenticate challenge for a 401; `presented` = the request carried a credential
    // for this scheme that was refused.
    virtual QByteArray challenge(bool presented) const = 0;

    void countFailure(AuthReason reason) const;

    // The token of an "Authorization: Bearer <token>" header, else empty.
    static QByteArray bearerToken(const http::RequestHead &request);
    static QByteArray bearerChallenge(bool presented);

private:
    QString m_scheme;
    MetricsRegistry *m_metrics;
    mutable std::array<std::atomic<Counter *>, size_t(AuthReason::Count)> m_failures {};
};

using AuthMethodPtr = std::shared_ptr<const AuthMethod>;

} // namespace portico::filters::auth
