#pragma once

#include "core/common/Clock.h"
#include "core/filters/auth/JwtKey.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QPointer>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <functional>

class QNetworkAccessManager;

namespace portico::filters::auth {

struct JwksOptions
{
    std::chrono::milliseconds refetchFloor { 30'000 };
    std::chrono::milliseconds timeout { 5'000 };
    std::chrono::milliseconds maxAge { 3'600'000 }; // then refreshed in the background
    qint64 maxBytes = 1024 * 1024;
};

// JWK sets fetched from jwks_url, shared by every route and worker thread and kept across config
// reloads (it lives in FilterServices).
//
// A set is fetched the first time a token needs it, and again when a token names a kid the set
// does not have (key rotation) or the set is older than maxAge - but never more often than once
// per refetchFloor per URL, so a flood of tokens with made-up kids cannot hammer the identity
// provider. While a fetch is in flight, requests that need it wait (find() answers Pending) and
// are called back on their own worker thread when it ends, whichever thread started it.
class JwksCache
{
public:
    using Options = JwksOptions;
    enum class Status {
        Ready, // `keys` holds the candidates (the kid's key, or every key when no kid)
        Pending, // a fetch is running; onReady will be called on the caller's thread
        NoKey, // no key with that kid, and the floor forbids a refetch now
        Unavailable, // the set could not be fetched and nothing is cached
    };
    struct Lookup
    {
        Status status = Status::NoKey;
        QList<JwtKeyPtr> keys;
    };

    explicit JwksCache(Options options = {});
    JwksCache(const JwksCache &) = delete;
    JwksCache &operator=(const JwksCache &) = delete;

    void setOptions(const Options &options);
    Options options() const;

    // Called on a worker thread; `network` is that thread's client, used when a fetch starts.
    // `onReady` is kept only when the answer is Pending.
    Lookup find(const QUrl &url, const QString &kid, const Clock &clock, QNetworkAccessManager &network,
        std::function<void()> onReady);

    // Moves on whenever any cached key set is replaced by a fetch. Whoever remembers a verdict
    // reached with a JWKS key (JwtVerifiedCache) reads it before the lookup and trusts the
    // verdict only while it has not moved: a key dropped by rotation must stop passing tokens.
    quint64 generation() const { return m_generation.load(std::memory_order_acquire); }

    // How many fetches were started for `url` (tests, diagnostics).
    int fetchCount(const QUrl &url) const;

    // Parses {"keys": [...]}; keys it cannot use (other types, encryption keys) are skipped.
    // Public for the fuzz target (tests/fuzz/fuzz_jwt.cpp): it reads whatever the IdP answers.
    static std::optional<QList<JwtKeyPtr>> parseSet(const QByteArray &json);

private:
    struct Waiter
    {
        QPointer<QObject> context; // lives on the waiting request's worker thread
        std::function<void()> onReady;
    };
    struct Entry
    {
        QList<JwtKeyPtr> keys;
        bool fetched = false;
        bool lastFailed = false;
        bool inFlight = false;
        std::chrono::steady_clock::time_point lastAttempt;
        std::chrono::steady_clock::time_point lastSuccess;
        QList<Waiter> waiters;
        int fetches = 0;
    };

    void startFetch(
        const QUrl &url, QNetworkAccessManager &network, const Options &options, const Clock &clock);
    void complete(const QString &key, std::optional<QList<JwtKeyPtr>> keys,
        std::chrono::steady_clock::time_point at, bool abandoned);
    static void notify(QList<Waiter> &waiters);

    mutable QMutex m_mutex;
    Options m_options;
    QHash<QString, Entry> m_entries; // by URL
    std::atomic<quint64> m_generation { 1 };
};

} // namespace portico::filters::auth
