#pragma once

#include <QByteArray>

#include <array>

namespace portico::filters::auth {

using Sha256Digest = std::array<unsigned char, 32>;

// SHA-256 through OpenSSL with the algorithm fetched once per process (EVP_sha256() handed to
// EVP_Digest makes OpenSSL 3 look the implementation up in its provider store on every call,
// which costs more than hashing a short key or token) and one reused context per thread.
// Thread-safe.
Sha256Digest sha256Digest(QByteArrayView data);
QByteArray sha256(QByteArrayView data);

} // namespace portico::filters::auth
