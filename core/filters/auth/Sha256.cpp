#include "core/filters/auth/Sha256.h"

#include <openssl/evp.h>

#include <memory>

namespace portico::filters::auth {

namespace {

const EVP_MD *fetchedSha256()
{
    // Never freed: it lives as long as OpenSSL's default library context.
    static const EVP_MD *md = [] {
        const EVP_MD *fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        return fetched ? fetched : EVP_sha256();
    }();
    return md;
}

} // namespace

Sha256Digest sha256Digest(QByteArrayView data)
{
    Sha256Digest out {};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), size_t(data.size()), out.data(), &len, fetchedSha256(), nullptr) != 1
        || len != out.size())
        qFatal("SHA-256 is not available from OpenSSL");
    return out;
}

QByteArray sha256(QByteArrayView data)
{
    const Sha256Digest d = sha256Digest(data);
    return QByteArray(reinterpret_cast<const char *>(d.data()), qsizetype(d.size()));
}

} // namespace portico::filters::auth
