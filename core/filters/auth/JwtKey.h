#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

namespace portico::filters::auth {

// A key a JWT can be verified with: an HMAC secret or an OpenSSL 3 public key (RSA, EC P-256 /
// P-384, Ed25519), from a shared secret, a PEM file or a JWK. Immutable and safe to use from any
// number of threads at once.
//
// Each key accepts only the algorithms of its kind (HS* for a secret, RS*/PS256 for RSA, ES256 for
// P-256, ES384 for P-384, EdDSA for Ed25519) and, when the JWK names one, only its `alg`: this is
// what defeats algorithm confusion (an HS256 token "signed" with an RSA public key as the secret).
class JwtKey
{
public:
    enum class Kind { Hmac, Rsa, EcP256, EcP384, Ed25519 };

    static std::shared_ptr<const JwtKey> fromSecret(const QByteArray &secret);
    // A PEM public key (SubjectPublicKeyInfo) or certificate.
    static std::shared_ptr<const JwtKey> fromPem(const QByteArray &pem, QString *error);
    // One entry of a JWK set: kty RSA (n, e), EC (crv P-256 / P-384, x, y), OKP (crv Ed25519, x)
    // or oct (k). A key with `use` other than "sig" is refused.
    static std::shared_ptr<const JwtKey> fromJwk(const QJsonObject &jwk, QString *error);

    ~JwtKey();
    JwtKey(const JwtKey &) = delete;
    JwtKey &operator=(const JwtKey &) = delete;

    Kind kind() const { return m_kind; }
    const QString &kid() const { return m_kid; }
    bool acceptsAlgorithm(const QString &alg) const;
    // Checks a JWS signature (JOSE form: r||s for ECDSA) over `signingInput`. False for an
    // algorithm the key does not accept.
    bool verify(const QString &alg, QByteArrayView signingInput, QByteArrayView signature) const;

    static bool isKnownAlgorithm(const QString &alg);
    static QStringList algorithmsFor(Kind kind);

private:
    JwtKey(Kind kind, EVP_PKEY *pkey, QByteArray secret);

    Kind m_kind;
    EVP_PKEY *m_pkey = nullptr; // owned
    QByteArray m_secret;
    QString m_kid;
    QString m_alg; // from the JWK, if it named one
};

using JwtKeyPtr = std::shared_ptr<const JwtKey>;

} // namespace portico::filters::auth
