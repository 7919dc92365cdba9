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
    // One context per thread, reused: EVP_Digest would allocate and free one per call.
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(
        EVP_MD_CTX_new(), EVP_MD_CTX_free);
    Sha256Digest out {};
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex2(ctx.get(), fetchedSha256(), nullptr) != 1
        || EVP_DigestUpdate(ctx.get(), data.data(), size_t(data.size())) != 1
        || EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size())
        qFatal("SHA-256 is not available from OpenSSL");
    return out;
}

QByteArray sha256(QByteArrayView data)
{
    const Sha256Digest d = sha256Digest(data);
    return QByteArray(reinterpret_cast<const char *>(d.data()), qsizetype(d.size()));
}

} // namespace portico::filters::auth
