#pragma once

#include "core/filters/auth/AuthMethod.h"
#include "core/filters/auth/Sha256.h"

#include <QHash>
#include <QMutex>

#include <chrono>
#include <optional>

namespace portico::filters::auth {

struct JwtVerifiedCacheOptions
{
    size_t maxEntries = 10'000;
    // How long a success is reused without checking the signature again, whatever its exp says.
    // It also bounds how long a JWKS key removal can go unnoticed by a token with no kid change.
    std::chrono::seconds maxAge { 300 };
};

// Tokens one JWT scheme has already verified, so a client that reuses its token pays the
// signature check once. Owned by the JwtAuth instance: a config reload builds a new scheme with an
// empty cache.
//
// Keyed by SHA-256 of the exact token bytes (a tampered token is a different key; tokens are not
// kept in clear). Only successes go in. An entry is dropped at the earliest of its `deadline`
// (wall clock, the token's exp plus skew) and maxAge after it went in (monotonic). The caller
// still checks exp / nbf on each hit and compares keyGeneration with the JWKS set it trusts.
//
// At most maxEntries, spread over shards that each have their own mutex, so worker threads
// rarely wait on each other. A full shard first drops its dead entries, then the one that would
// have died first.
class JwtVerifiedCache
{
public:
    using Options = JwtVerifiedCacheOptions;
    struct Entry
    {
        AuthResult result; // the Success the verification produced (consumer, credential header)
        std::optional<double> exp; // the token's numeric exp / nbf, re-checked on every hit
        std::optional<double> nbf;
        bool fromJwks = false; // verified with a key from jwks_url
        quint64 keyGeneration = 0; // JwksCache::generation() read before the key lookup
    };

    explicit JwtVerifiedCache(Options options = {});
    JwtVerifiedCache(const JwtVerifiedCache &) = delete;
    JwtVerifiedCache &operator=(const JwtVerifiedCache &) = delete;

    static Sha256Digest keyFor(QByteArrayView token) { return sha256Digest(token); }

    std::optional<Entry> find(
        const Sha256Digest &key, std::chrono::steady_clock::time_point now, qint64 wallNow);
    // `deadline`: wall-clock seconds after which the entry is useless (0 = none).
    void insert(const Sha256Digest &key, Entry entry, qint64 deadline,
        std::chrono::steady_clock::time_point now, qint64 wallNow);
    void erase(const Sha256Digest &key);
    size_t size() const;
    const Options &options() const { return m_options; }

private:
    static constexpr size_t kShards = 16;
    struct Slot
    {
        Entry entry;
        qint64 deadline = 0;
        std::chrono::steady_clock::time_point until;
    };
    struct Shard
    {
        mutable QMutex mutex;
        QHash<QByteArray, Slot> entries;
    };

    static bool dead(const Slot &s, std::chrono::steady_clock::time_point now, qint64 wallNow);
    Shard &shardFor(const Sha256Digest &key) { return m_shards[key[0] % kShards]; }
    void makeRoom(Shard &shard, std::chrono::steady_clock::time_point now, qint64 wallNow);

    const Options m_options;
    const size_t m_perShard;
    std::array<Shard, kShards> m_shards;
};

} // namespace portico::filters::auth
