#include "core/filters/auth/JwtToken.h"

#include "core/filters/auth/Base64Url.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace portico::filters::auth {

namespace {

std::optional<QJsonObject> jsonObject(QByteArrayView segment)
{
    const auto bytes = decodeBase64Url(segment);
    if (!bytes)
        return std::nullopt;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(*bytes, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

} // namespace

std::variant<JwtToken, AuthReason> JwtToken::parse(QByteArrayView compact)
{
    if (compact.isEmpty() || compact.size() > kMaxLength)
        return AuthReason::Malformed;
    const qsizetype dot1 = compact.indexOf('.');
    const qsizetype dot2 = dot1 < 0 ? -1 : compact.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 < 0 || compact.indexOf('.', dot2 + 1) >= 0 || dot2 == dot1 + 1)
        return AuthReason::Malformed;

    const auto header = jsonObject(compact.first(dot1));
    if (!header)
        return AuthReason::Malformed;
    const QJsonValue alg = header->value(QLatin1String("alg"));
    if (!alg.isString())
        return AuthReason::Malformed;
    JwtToken t;
    t.m_alg = alg.toString();
    // "none" in any spelling: an unsigned token is never acceptable.
    if (t.m_alg.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
        return AuthReason::BadAlgorithm;
    if (header->contains(QLatin1String("crit")))
        return AuthReason::Malformed; // no extensions are understood, so none may be critical
    const QJsonValue kid = header->value(QLatin1String("kid"));
    if (!kid.isUndefined() && !kid.isString())
        return AuthReason::Malformed;
    t.m_kid = kid.toString();

    const auto claims = jsonObject(compact.sliced(dot1 + 1, dot2 - dot1 - 1));
    const auto signature = decodeBase64Url(compact.sliced(dot2 + 1));
    if (!claims || !signature || signature->isEmpty())
        return AuthReason::Malformed;
    t.m_claims = *claims;
    t.m_signature = *signature;
    t.m_signingInput = compact.first(dot2).toByteArray();
    return t;
}

std::optional<AuthReason> JwtToken::checkTimes(
    std::optional<double> exp, std::optional<double> nbf, std::chrono::seconds skew, qint64 now)
{
    // RFC 7519 4.1.4: the token must not be accepted on or after exp.
    if (exp && double(now - skew.count()) >= *exp)
        return AuthReason::Expired;
    if (nbf && double(now + skew.count()) < *nbf)
        return AuthReason::NotYetValid;
    return std::nullopt;
}

std::optional<double> JwtToken::numericClaim(QLatin1StringView name) const
{
    const QJsonValue v = m_claims.value(name);
    if (!v.isDouble() || !std::isfinite(v.toDouble()))
        return std::nullopt;
    return v.toDouble();
}

std::optional<AuthReason> JwtToken::checkClaims(const JwtClaimRules &rules, qint64 now) const
{
    for (const QLatin1StringView name : { QLatin1StringView("exp"), QLatin1StringView("nbf") }) {
        if (!m_claims.value(name).isUndefined() && !numericClaim(name))
            return AuthReason::Malformed;
    }
    if (const auto why = checkTimes(numericClaim(QLatin1StringView("exp")),
            numericClaim(QLatin1StringView("nbf")), rules.clockSkew, now))
        return why;
    if (!rules.issuer.isEmpty() && m_claims.value(QLatin1String("iss")).toString() != rules.issuer)
        return AuthReason::BadIssuer;
    if (!rules.audience.isEmpty()) {
        const QJsonValue aud = m_claims.value(QLatin1String("aud"));
        bool match = false;
        if (aud.isString()) {
            match = rules.audience.contains(aud.toString());
        } else if (aud.isArray()) {
            for (const QJsonValue v : aud.toArray())
                match = match || (v.isString() && rules.audience.contains(v.toString()));
        }
        if (!match)
            return AuthReason::BadAudience;
    }
    return std::nullopt;
}

} // namespace portico::filters::auth
