#include "core/filters/auth/AuthMethod.h"

#include "core/common/Metrics.h"

namespace portico::filters::auth {

const char *authReasonName(AuthReason r)
{
    switch (r) {
    case AuthReason::Missing:
        return "missing";
    case AuthReason::InvalidKey:
        return "invalid_key";
    case AuthReason::Malformed:
        return "malformed";
    case AuthReason::BadAlgorithm:
        return "bad_algorithm";
    case AuthReason::UnknownKey:
        return "unknown_kid";
    case AuthReason::BadSignature:
        return "bad_signature";
    case AuthReason::Expired:
        return "expired";
    case AuthReason::NotYetValid:
        return "not_yet_valid";
    case AuthReason::BadIssuer:
        return "bad_issuer";
    case AuthReason::BadAudience:
        return "bad_audience";
    case AuthReason::MissingClaim:
        return "missing_claim";
    case AuthReason::BadClaim:
        return "bad_claim";
    case AuthReason::Inactive:
        return "inactive";
    case AuthReason::Unavailable:
        return "unavailable";
    case AuthReason::Misconfigured:
        return "misconfigured";
    case AuthReason::Count:
        break;
    }
    return "unknown";
}

AuthMethod::AuthMethod(QString schemeName, MetricsRegistry *metrics)
    : m_scheme(std::move(schemeName))
    , m_metrics(metrics)
{
}

void AuthMethod::countFailure(AuthReason reason) const
{
    if (!m_metrics || reason == AuthReason::Count)
        return;
    auto &slot = m_failures[size_t(reason)];
    Counter *c = slot.load(std::memory_order_acquire);
    if (!c) {
        // Racing threads get the same series from the registry; storing it twice is harmless.
        c = &m_metrics->counter("portico_auth_failures_total", "Requests refused by authentication",
            { { "scheme", m_scheme.toUtf8() }, { "reason", authReasonName(reason) } });
        slot.store(c, std::memory_order_release);
    }
    c->inc();
}

QByteArray AuthMethod::bearerToken(const http::RequestHead &request)
{
    const QByteArray value = request.headers.value("Authorization").trimmed();
    const qsizetype space = value.indexOf(' ');
    if (space <= 0 || QByteArrayView(value).first(space).compare("Bearer", Qt::CaseInsensitive) != 0)
        return {};
    return value.mid(space + 1).trimmed();
}

QByteArray AuthMethod::bearerChallenge(bool presented)
{
    // RFC 6750 3: no error code when the request had no token at all.
    return presented ? QByteArrayLiteral("Bearer realm=\"portico\", error=\"invalid_token\"")
                     : QByteArrayLiteral("Bearer realm=\"portico\"");
}

} // namespace portico::filters::auth
