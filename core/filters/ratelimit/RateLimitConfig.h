#pragma once

// The rate_limit filter's config: a route's `rate_limit` block, and the RateLimit value that a
// tier's rate_limit (a workspace section) uses too.

#include "core/config/ConfigTypes.h"
#include "core/config/FilterConfig.h"

#include <QStringList>

#include <optional>

namespace portico::config {

struct RateLimit
{
    enum class By { Consumer, Ip, Route, Header };
    int requests = 0;
    Duration per { 60'000 };
    By by = By::Consumer;
    QString header; // when by == Header ("header:NAME")
    bool operator==(const RateLimit &) const = default;
};

QString rateLimitByName(const RateLimit &r); // "consumer", "ip", "route", "header:NAME"

// A `rate_limit` block (of a route or a tier); nothing when the node is not a map.
std::optional<RateLimit> parseRateLimit(YamlReader &r, const YAML::Node &node, const QString &path);
void validateRateLimit(ValidationSink &sink, const QString &path, const RateLimit &limit);
WorkspaceTree writeRateLimit(const TreeWriter &w, const RateLimit &limit, const QString &path);

// A route's own limit (none = only tier limits, which apply on routes with auth).
struct RateLimitConfig final : FilterConfigBase<RateLimitConfig>
{
    static constexpr const char *kName = "rate_limit";
    std::optional<RateLimit> limit;

    static const QStringList &routeKeys();
    static void parse(YamlReader &r, const QString &key, const YAML::Node &node, const QString &path,
        FilterConfigs &configs);
    bool isEmpty() const override { return !limit; }
    void validate(ValidationSink &sink, const Route &route, const QString &routePath) const override;
    void write(const TreeWriter &w, const QString &routePath, WorkspaceTree &route) const override;
    bool operator==(const RateLimitConfig &) const = default;
};

} // namespace portico::config
