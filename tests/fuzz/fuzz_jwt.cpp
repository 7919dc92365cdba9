// JWT and JWKS parsing: what a client sends (the compact token) and what an identity provider
// answers (a JWK set, or a PEM key in the workspace). The input's first line is the token, the
// rest the JWK set (or PEM); every key that parses then verifies the token, so signatures of any
// length and shape reach OpenSSL through JwtKey::verify.
#include "FuzzSupport.h"

#include "core/filters/auth/JwksCache.h"
#include "core/filters/auth/JwtKey.h"
#include "core/filters/auth/JwtToken.h"

using namespace portico::filters::auth;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    const QByteArray in = portico::fuzz::bytes(data, size);
    const qsizetype newline = in.indexOf('\n');
    const QByteArray token = newline < 0 ? in : in.left(newline);
    const QByteArray rest = newline < 0 ? QByteArray() : in.mid(newline + 1);

    const auto parsed = JwtToken::parse(token);
    const JwtToken *jwt = std::get_if<JwtToken>(&parsed);
    if (jwt) {
        FUZZ_CHECK(!jwt->alg().isEmpty() && jwt->alg() != QLatin1String("none"));
        JwtClaimRules rules;
        rules.issuer = QStringLiteral("https://idp.example");
        rules.audience = { QStringLiteral("portico") };
        rules.clockSkew = std::chrono::seconds(30);
        (void)jwt->checkClaims(rules, 1'700'000'000);
        (void)jwt->numericClaim(QLatin1StringView("exp"));
    }

    QList<JwtKeyPtr> keys;
    if (const auto set = JwksCache::parseSet(rest))
        keys = *set;
    QString error;
    if (JwtKeyPtr pem = JwtKey::fromPem(rest, &error))
        keys.append(pem);
    if (JwtKeyPtr secret = JwtKey::fromSecret(rest)) // null for an empty secret
        keys.append(secret);
    for (const JwtKeyPtr &key : keys) {
        FUZZ_CHECK(key);
        for (const QString &alg : JwtKey::algorithmsFor(key->kind()))
            FUZZ_CHECK(JwtKey::isKnownAlgorithm(alg));
        if (jwt) {
            const bool ok = key->verify(jwt->alg(), jwt->signingInput(), jwt->signature());
            if (ok)
                FUZZ_CHECK(key->acceptsAlgorithm(jwt->alg()));
        }
    }
    return 0;
}
