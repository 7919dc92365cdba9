#include "core/filters/auth/JwtKey.h"

#include "core/filters/auth/Base64Url.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace portico::filters::auth {

namespace {

constexpr int kMinRsaBits = 2048;

template<typename T, void (*F)(T *)> struct Deleter
{
    void operator()(T *p) const { F(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

const EVP_MD *digestFor(const QString &alg)
{
    if (alg.endsWith(QLatin1String("256")))
        return EVP_sha256();
    if (alg.endsWith(QLatin1String("384")))
        return EVP_sha384();
    if (alg.endsWith(QLatin1String("512")))
        return EVP_sha512();
    return nullptr;
}

bool fail(QString *error, const QString &message)
{
    ERR_clear_error();
    if (error)
        *error = message;
    return false;
}

// The JOSE ECDSA signature is r||s, each left-padded to the curve size; OpenSSL wants DER.
QByteArray joseToDer(QByteArrayView sig, int half)
{
    if (sig.size() != 2 * half)
        return {};
    const auto *p = reinterpret_cast<const unsigned char *>(sig.data());
    SigPtr ecSig(ECDSA_SIG_new());
    BIGNUM *r = BN_bin2bn(p, half, nullptr);
    BIGNUM *s = BN_bin2bn(p + half, half, nullptr);
    if (!ecSig || !r || !s || ECDSA_SIG_set0(ecSig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    const int len = i2d_ECDSA_SIG(ecSig.get(), nullptr);
    if (len <= 0)
        return {};
    QByteArray der(len, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    i2d_ECDSA_SIG(ecSig.get(), &out);
    return der;
}

std::optional<JwtKey::Kind> kindOf(EVP_PKEY *pkey, QString *error)
{
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
        if (EVP_PKEY_get_bits(pkey) < kMinRsaBits) {
            fail(error, QStringLiteral("RSA keys shorter than %1 bits are refused").arg(kMinRsaBits));
            return std::nullopt;
        }
        return JwtKey::Kind::Rsa;
    case EVP_PKEY_ED25519:
        return JwtKey::Kind::Ed25519;
    case EVP_PKEY_EC: {
        char name[64] = {};
        size_t len = 0;
        if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) == 1) {
            const QByteArray group(name, qsizetype(len));
            if (group == "prime256v1" || group == "P-256")
                return JwtKey::Kind::EcP256;
            if (group == "secp384r1" || group == "P-384")
                return JwtKey::Kind::EcP384;
        }
        fail(error, QStringLiteral("only the P-256 and P-384 curves are supported"));
        return std::nullopt;
    }
    default:
        fail(error, QStringLiteral("unsupported key type (RSA, EC P-256/P-384 or Ed25519 expected)"));
        return std::nullopt;
    }
}

std::optional<QByteArray> member(const QJsonObject &jwk, const char *name, QString *error)
{
    const QJsonValue v = jwk.value(QLatin1String(name));
    if (!v.isString()) {
        fail(error, QStringLiteral("JWK member \"%1\" missing").arg(QLatin1String(name)));
        return std::nullopt;
    }
    auto bytes = decodeBase64Url(v.toString().toLatin1());
    if (!bytes || bytes->isEmpty()) {
        fail(error, QStringLiteral("JWK member \"%1\" is not base64url").arg(QLatin1String(name)));
        return std::nullopt;
    }
    return bytes;
}

PkeyPtr fromParams(const char *type, OSSL_PARAM_BLD *bld)
{
    ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
    EVP_PKEY *pkey = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1
        || EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    PkeyPtr key(pkey);
    // Refuse points off the curve and other invalid public keys up front.
    PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return nullptr;
    return key;
}

PkeyPtr rsaFromJwk(const QJsonObject &jwk, QString *error)
{
    const auto n = member(jwk, "n", error);
    const auto e = n ? member(jwk, "e", error) : std::nullopt;
    if (!e)
        return nullptr;
    BnPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char *>(n->constData()), int(n->size()), nullptr));
    BnPtr be(BN_bin2bn(reinterpret_cast<const unsigned char *>(e->constData()), int(e->size()), nullptr));
    BldPtr bld(OSSL_PARAM_BLD_new());
    if (!bn || !be || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn.get()) != 1
        || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, be.get()) != 1)
        return nullptr;
    return fromParams("RSA", bld.get());
}

PkeyPtr ecFromJwk(const QJsonObject &jwk, QString *error)
{
    const QString crv = jwk.value(QLatin1String("crv")).toString();
    const int size = crv == QLatin1String("P-256") ? 32 : crv == QLatin1String("P-384") ? 48 : 0;
    if (size == 0) {
        fail(error, QStringLiteral("EC curve \"%1\" not supported (P-256, P-384)").arg(crv));
        return nullptr;
    }
    const auto x = member(jwk, "x", error);
    const auto y = x ? member(jwk, "y", error) : std::nullopt;
    if (!y)
        return nullptr;
    if (x->size() != size || y->size() != size) {
        fail(error, QStringLiteral("EC coordinates have the wrong length"));
        return nullptr;
    }
    const QByteArray point = QByteArray(1, '\x04') + *x + *y; // uncompressed SEC1 point
    const QByteArray group = crv.toLatin1();
    BldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld
        || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.constData(), 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(
               bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.constData(), size_t(point.size()))
            != 1)
        return nullptr;
    return fromParams("EC", bld.get());
}

} // namespace

JwtKey::JwtKey(Kind kind, EVP_PKEY *pkey, QByteArray secret)
    : m_kind(kind)
    , m_pkey(pkey)
    , m_secret(std::move(secret))
{
}

JwtKey::~JwtKey()
{
    EVP_PKEY_free(m_pkey);
}

std::shared_ptr<const JwtKey> JwtKey::fromSecret(const QByteArray &secret)
{
    if (secret.isEmpty())
        return nullptr;
    return std::shared_ptr<const JwtKey>(new JwtKey(Kind::Hmac, nullptr, secret));
}

std::shared_ptr<const JwtKey> JwtKey::fromPem(const QByteArray &pem, QString *error)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey) {
        ERR_clear_error();
        BioPtr again(BIO_new_mem_buf(pem.constData(), int(pem.size())));
        X509Ptr cert(PEM_read_bio_X509(again.get(), nullptr, nullptr, nullptr));
        if (cert)
            pkey.reset(X509_get_pubkey(cert.get()));
    }
    if (!pkey) {
        fail(error, QStringLiteral("not a PEM public key or certificate"));
        return nullptr;
    }
    const auto kind = kindOf(pkey.get(), error);
    if (!kind)
        return nullptr;
    return std::shared_ptr<const JwtKey>(new JwtKey(*kind, pkey.release(), {}));
}

std::shared_ptr<const JwtKey> JwtKey::fromJwk(const QJsonObject &jwk, QString *error)
{
    const QString kty = jwk.value(QLatin1String("kty")).toString();
    const QJsonValue use = jwk.value(QLatin1String("use"));
    if (!use.isUndefined() && use.toString() != QLatin1String("sig")) {
        fail(error, QStringLiteral("JWK is not a signature key (use: %1)").arg(use.toString()));
        return nullptr;
    }
    const QString alg = jwk.value(QLatin1String("alg")).toString();
    if (!alg.isEmpty() && !isKnownAlgorithm(alg)) {
        fail(error, QStringLiteral("JWK algorithm \"%1\" not supported").arg(alg));
        return nullptr;
    }

    std::shared_ptr<JwtKey> key;
    if (kty == QLatin1String("oct")) {
        const auto k = member(jwk, "k", error);
        if (!k)
            return nullptr;
        key.reset(new JwtKey(Kind::Hmac, nullptr, *k));
    } else if (kty == QLatin1String("OKP")) {
        if (jwk.value(QLatin1String("crv")).toString() != QLatin1String("Ed25519")) {
            fail(error, QStringLiteral("OKP curve not supported (Ed25519)"));
            return nullptr;
        }
        const auto x = member(jwk, "x", error);
        if (!x)
            return nullptr;
        EVP_PKEY *pkey = x->size() == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                             reinterpret_cast<const unsigned char *>(x->constData()), 32)
                                         : nullptr;
        if (!pkey) {
            fail(error, QStringLiteral("invalid Ed25519 key"));
            return nullptr;
        }
        key.reset(new JwtKey(Kind::Ed25519, pkey, {}));
    } else if (kty == QLatin1String("RSA") || kty == QLatin1String("EC")) {
        PkeyPtr pkey = kty == QLatin1String("RSA") ? rsaFromJwk(jwk, error) : ecFromJwk(jwk, error);
        if (!pkey) {
            if (error && error->isEmpty())
                *error = QStringLiteral("invalid %1 key").arg(kty);
            ERR_clear_error();
            return nullptr;
        }
        const auto kind = kindOf(pkey.get(), error);
        if (!kind)
            return nullptr;
        key.reset(new JwtKey(*kind, pkey.release(), {}));
    } else {
        fail(error, QStringLiteral("JWK key type \"%1\" not supported").arg(kty));
        return nullptr;
    }
    key->m_kid = jwk.value(QLatin1String("kid")).toString();
    key->m_alg = alg;
    if (!alg.isEmpty() && !key->acceptsAlgorithm(alg)) {
        fail(error, QStringLiteral("JWK algorithm \"%1\" does not fit its key type").arg(alg));
        return nullptr;
    }
    return key;
}

bool JwtKey::isKnownAlgorithm(const QString &alg)
{
    static const QStringList all { "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "ES256",
        "ES384", "EdDSA" };
    return all.contains(alg);
}

QStringList JwtKey::algorithmsFor(Kind kind)
{
    switch (kind) {
    case Kind::Hmac:
        return { "HS256", "HS384", "HS512" };
    case Kind::Rsa:
        return { "RS256", "RS384", "RS512", "PS256" };
    case Kind::EcP256:
        return { "ES256" };
    case Kind::EcP384:
        return { "ES384" };
    case Kind::Ed25519:
        return { "EdDSA" };
    }
    return {};
}

bool JwtKey::acceptsAlgorithm(const QString &alg) const
{
    if (!m_alg.isEmpty() && alg != m_alg)
        return false;
    return algorithmsFor(m_kind).contains(alg);
}

bool JwtKey::verify(const QString &alg, QByteArrayView signingInput, QByteArrayView signature) const
{
    if (!acceptsAlgorithm(alg))
        return false;
    const EVP_MD *md = digestFor(alg);
    const auto *input = reinterpret_cast<const unsigned char *>(signingInput.data());

    if (m_kind == Kind::Hmac) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int macLen = 0;
        if (!HMAC(md, m_secret.constData(), int(m_secret.size()), input, size_t(signingInput.size()), mac,
                &macLen))
            return fail(nullptr, {});
        return qsizetype(macLen) == signature.size() && CRYPTO_memcmp(mac, signature.data(), macLen) == 0;
    }

    QByteArray der;
    QByteArrayView sig = signature;
    if (m_kind == Kind::EcP256 || m_kind == Kind::EcP384) {
        der = joseToDer(signature, m_kind == Kind::EcP256 ? 32 : 48);
        if (der.isEmpty())
            return fail(nullptr, {});
        sig = der;
    }
    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX *pctx = nullptr;
    if (!ctx
        || EVP_DigestVerifyInit(ctx.get(), &pctx, m_kind == Kind::Ed25519 ? nullptr : md, nullptr, m_pkey)
            != 1)
        return fail(nullptr, {});
    if (alg.startsWith(QLatin1String("PS"))) {
        // RFC 7518 3.5: MGF1 with the same hash, salt as long as the hash.
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)
            return fail(nullptr, {});
    } else if (m_kind == Kind::Rsa && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        return fail(nullptr, {});
    }
    const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(sig.data()),
        size_t(sig.size()), input, size_t(signingInput.size()));
    if (ok != 1)
        return fail(nullptr, {});
    return true;
}

} // namespace portico::filters::auth
