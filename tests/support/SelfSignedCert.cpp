#include "support/SelfSignedCert.h"

#include <QDir>
#include <QHostAddress>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace portico::test {

namespace {

template<auto Fn> struct Deleter
{
    template<typename T> void operator()(T *p) const { Fn(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

QString opensslError(const char *step)
{
    const unsigned long code = ERR_get_error();
    char text[256] = {};
    if (code)
        ERR_error_string_n(code, text, sizeof text);
    ERR_clear_error();
    return QStringLiteral("%1 failed: %2").arg(QLatin1String(step), QLatin1String(code ? text : "unknown"));
}

bool addExtension(X509 *cert, int nid, const QByteArray &value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.constData());
    if (!ext)
        return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

} // namespace

bool SelfSignedCert::write(const QString &dir, Files *files, QString *error, const QStringList &names)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };

    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        return fail(opensslError("EVP_EC_gen"));

    CertPtr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1)
        return fail(opensslError("X509_new"));
    BnPtr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 120, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1
        || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        return fail(opensslError("serial"));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
    if (X509_set_pubkey(cert.get(), key.get()) != 1)
        return fail(opensslError("X509_set_pubkey"));

    QByteArray commonName = "localhost";
    QByteArrayList altNames;
    bool haveDns = false;
    for (const QString &name : names) {
        if (QHostAddress address; address.setAddress(name)) {
            altNames << "IP:" + name.toLatin1();
        } else {
            altNames << "DNS:" + name.toLatin1();
            if (!haveDns)
                commonName = name.toLatin1();
            haveDns = true;
        }
    }
    X509_NAME *subject = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(
        subject, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>("Portico tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
        reinterpret_cast<const unsigned char *>(commonName.constData()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), subject);

    if (!addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE")
        || !addExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign")
        || !addExtension(cert.get(), NID_ext_key_usage, "serverAuth,clientAuth")
        || !addExtension(cert.get(), NID_subject_key_identifier, "hash")
        || (!altNames.isEmpty() && !addExtension(cert.get(), NID_subject_alt_name, altNames.join(','))))
        return fail(opensslError("X509 extensions"));
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return fail(opensslError("X509_sign"));

    const QString certPath = QDir(dir).filePath(QStringLiteral("cert.pem"));
    const QString keyPath = QDir(dir).filePath(QStringLiteral("key.pem"));
    {
        BioPtr out(BIO_new_file(QFile::encodeName(certPath).constData(), "w"));
        if (!out || PEM_write_bio_X509(out.get(), cert.get()) != 1)
            return fail(opensslError("writing cert.pem"));
    }
    {
        BioPtr out(BIO_new_file(QFile::encodeName(keyPath).constData(), "w"));
        if (!out
            || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
            return fail(opensslError("writing key.pem"));
    }
    files->certPath = certPath;
    files->keyPath = keyPath;
    return true;
}

} // namespace portico::test
