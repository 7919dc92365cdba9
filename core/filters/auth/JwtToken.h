#pragma once

#include "core/filters/auth/AuthMethod.h"

#include <QJsonObject>
#include <QStringList>

#include <chrono>
#include <variant>

namespace portico::filters::auth {

// What a scheme requires of a token's claims.
struct JwtClaimRules
{
    QString issuer; // empty = any
    QStringList audience; // empty = any; else `aud` (string or array) must name one of these
    std::chrono::seconds clockSkew { 0 };
};

// A compact JWS (header.payload.signature), decoded but not yet trusted.
class JwtToken
{
public:
    static constexpr qsizetype kMaxLength = 16 * 1024;

    // Three base64url segments, a JSON object header with a string `alg` (never "none") and no
    // `crit`, a JSON object payload. Otherwise the reason (Malformed or BadAlgorithm).
    static std::variant<JwtToken, AuthReason> parse(QByteArrayView compact);

    const QString &alg() const { return m_alg; }
    const QString &kid() const { return m_kid; }
    const QJsonObject &claims() const { return m_claims; }
    QByteArrayView signingInput() const { return m_signingInput; }
    const QByteArray &signature() const { return m_signature; }

    // exp, nbf (numeric dates, with the skew), iss and aud against `now` (seconds since the epoch).
    std::optional<AuthReason> checkClaims(const JwtClaimRules &rules, qint64 now) const;
    // The exp / nbf part of checkClaims, for values already known to be finite numbers.
    static std::optional<AuthReason> checkTimes(
        std::optional<double> exp, std::optional<double> nbf, std::chrono::seconds skew, qint64 now);
    // exp / nbf when they are finite numbers (what checkClaims accepted).
    std::optional<double> numericClaim(QLatin1StringView name) const;

private:
    QString m_alg;
    QString m_kid;
    QJsonObject m_claims;
    QByteArray m_signingInput;
    QByteArray m_signature;
};

} // namespace portico::filters::auth
