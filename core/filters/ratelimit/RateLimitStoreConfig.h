#pragma once

// The workspace's `rate_limit_store` section: where rate-limit state lives. By default inside this
// process (RateLimitStore); with `redis` in a Redis server that several Portico instances share, so
// that a limit holds across all of them (RedisRateLimitStore).

#include "core/config/ConfigTypes.h"

#include <QString>

#include <optional>

namespace YAML {
class Node;
}

namespace portico::config {

class YamlReader;
class ValidationSink;
class TreeWriter;
struct WorkspaceTree;

struct RateLimitStoreSettings
{
    enum class OnError { Allow, Deny };
    QString redis; // redis://[[user]:password@]host[:port][/db]; empty = in this process
    OnError onError = OnError::Allow; // while Redis cannot answer in time
    Duration timeout { 100 }; // the deadline of one Redis round trip; past it, on_error applies
    bool shared() const { return !redis.isEmpty(); }
    bool operator==(const RateLimitStoreSettings &) const = default;
};

// A parsed `redis` URL.
struct RedisAddress
{
    QString host;
    quint16 port = 6379;
    int db = 0;
    QString user; // Redis 6 ACL user; empty = AUTH with the password only
    QString password; // empty = no AUTH
    bool operator==(const RedisAddress &) const = default;
};

// Nothing, with *error set, when the URL is not a usable redis:// URL.
std::optional<RedisAddress> parseRedisUrl(const QString &url, QString *error);
QString onErrorName(RateLimitStoreSettings::OnError e); // allow | deny

RateLimitStoreSettings parseRateLimitStore(YamlReader &r, const YAML::Node &node, const QString &path);
void validateRateLimitStore(ValidationSink &sink, const RateLimitStoreSettings &settings);
// Nothing when the settings are the defaults (the section is left out).
std::optional<WorkspaceTree> writeRateLimitStore(const TreeWriter &w, const RateLimitStoreSettings &settings);

} // namespace portico::config
