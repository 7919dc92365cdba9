#include "core/filters/ratelimit/RateLimitConfig.h"

#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"

namespace portico::config {

QString rateLimitByName(const RateLimit &r)
{
    switch (r.by) {
    case RateLimit::By::Consumer:
        return QStringLiteral("consumer");
    case RateLimit::By::Ip:
        return QStringLiteral("ip");
    case RateLimit::By::Route:
        return QStringLiteral("route");
    case RateLimit::By::Header:
        return QStringLiteral("header:") + r.header;
    }
    return {};
}

std::optional<RateLimit> parseRateLimit(YamlReader &r, const YAML::Node &node, const QString &path)
{
    RateLimit rl;
    const auto fields = r.fields(node, path, QStringLiteral("rate_limit"), { "requests", "per", "by" });
    if (!node.IsMap())
        return std::nullopt;
    for (const auto &f : fields) {
        if (f.key == u"requests") {
            if (const auto n = r.integer(f.value, f.path))
                rl.requests = *n;
        } else if (f.key == u"per") {
            if (const auto d = r.duration(f.value, f.path))
                rl.per = *d;
        } else {
            const auto by = r.string(f.value, f.path);
            if (!by)
                continue;
            if (*by == u"consumer") {
                rl.by = RateLimit::By::Consumer;
            } else if (*by == u"ip") {
                rl.by = RateLimit::By::Ip;
            } else if (*by == u"route") {
                rl.by = RateLimit::By::Route;
            } else if (by->startsWith(u"header:") && by->size() > 7) {
                rl.by = RateLimit::By::Header;
                rl.header = by->mid(7).trimmed();
            } else {
                r.error(f.path,
                    QStringLiteral("unknown rate limit by '%1' (use consumer, ip, route or header:NAME)")
                        .arg(*by));
            }
        }
    }
    return rl;
}

void validateRateLimit(ValidationSink &sink, const QString &path, const RateLimit &r)
{
    if (r.requests < 1)
        sink.add(
            path + QStringLiteral(".requests"), QStringLiteral("rate limit 'requests' must be at least 1"));
    sink.checkPositive(path + QStringLiteral(".per"), r.per.count());
    if (r.by == RateLimit::By::Header)
        sink.checkHeaderName(path + QStringLiteral(".by"), r.header);
}

WorkspaceTree writeRateLimit(const TreeWriter &w, const RateLimit &r, const QString &p)
{
    WorkspaceTree t;
    t.insert("requests", w.scalar(p + ".requests", WorkspaceTree::integer(r.requests)));
    t.insert("per", w.duration(p + ".per", r.per));
    if (r.by != RateLimit::By::Consumer)
        t.insert("by", w.str(p + ".by", rateLimitByName(r)));
    return t;
}

const QStringList &RateLimitConfig::routeKeys()
{
    static const QStringList keys { "rate_limit" };
    return keys;
}

void RateLimitConfig::parse(
    YamlReader &r, const QString &, const YAML::Node &node, const QString &path, FilterConfigs &configs)
{
    configs.edit<RateLimitConfig>().limit = parseRateLimit(r, node, path);
}

void RateLimitConfig::validate(ValidationSink &sink, const Route &, const QString &routePath) const
{
    if (limit)
        validateRateLimit(sink, routePath + QStringLiteral(".rate_limit"), *limit);
}

void RateLimitConfig::write(const TreeWriter &w, const QString &routePath, WorkspaceTree &route) const
{
    if (limit)
        route.insert("rate_limit", writeRateLimit(w, *limit, routePath + ".rate_limit"));
}

} // namespace portico::config
