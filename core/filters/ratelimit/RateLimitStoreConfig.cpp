#include "core/filters/ratelimit/RateLimitStoreConfig.h"

#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"

#include <QUrl>

namespace portico::config {

namespace {

const QString kPath = QStringLiteral("rate_limit_store");

} // namespace

QString onErrorName(RateLimitStoreSettings::OnError e)
{
    return e == RateLimitStoreSettings::OnError::Deny ? QStringLiteral("deny") : QStringLiteral("allow");
}

std::optional<RedisAddress> parseRedisUrl(const QString &text, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid()) {
        *error = QStringLiteral("'%1' is not a valid URL").arg(text);
        return std::nullopt;
    }
    if (url.scheme() == u"rediss") {
        *error = QStringLiteral(
            "rediss:// (Redis over TLS) is not supported; use redis:// on a trusted network");
        return std::nullopt;
    }
    if (url.scheme() != u"redis") {
        *error = QStringLiteral("'%1' must be a redis:// URL (redis://host:port/db)").arg(text);
        return std::nullopt;
    }
    RedisAddress a;
    a.host = url.host();
    if (a.host.isEmpty()) {
        *error = QStringLiteral("'%1' has no host").arg(text);
        return std::nullopt;
    }
    if (url.port() == 0) {
        *error = QStringLiteral("'%1' has port 0").arg(text);
        return std::nullopt;
    }
    if (url.port() > 0)
        a.port = quint16(url.port());
    if (url.hasQuery() || url.hasFragment()) {
        *error = QStringLiteral("'%1' must not have a query or fragment").arg(text);
        return std::nullopt;
    }
    const QString path = url.path();
    if (!path.isEmpty() && path != u"/") {
        bool ok = false;
        const int db = path.mid(1).toInt(&ok);
        if (!ok || db < 0 || path.mid(1) != QString::number(db)) {
            *error = QStringLiteral("'%1': the path must be a database number (/0, /1, ...)").arg(text);
            return std::nullopt;
        }
        a.db = db;
    }
    a.user = url.userName();
    a.password = url.password();
    if (!a.user.isEmpty() && a.password.isEmpty()) {
        *error
            = QStringLiteral("'%1' names a user without a password (redis://user:password@host)").arg(text);
        return std::nullopt;
    }
    return a;
}

RateLimitStoreSettings parseRateLimitStore(YamlReader &r, const YAML::Node &node, const QString &path)
{
    RateLimitStoreSettings s;
    for (const auto &f : r.fields(node, path, kPath, { "redis", "on_error", "timeout" })) {
        if (f.key == u"redis") {
            assign(s.redis, r.string(f.value, f.path));
        } else if (f.key == u"on_error") {
            const auto choice = r.choice(f.value, f.path, QStringLiteral("on_error action"),
                { QStringLiteral("allow"), QStringLiteral("deny") });
            if (choice)
                s.onError = *choice == u"deny" ? RateLimitStoreSettings::OnError::Deny
                                               : RateLimitStoreSettings::OnError::Allow;
        } else {
            assign(s.timeout, r.duration(f.value, f.path));
        }
    }
    return s;
}

void validateRateLimitStore(ValidationSink &sink, const RateLimitStoreSettings &s)
{
    if (s.shared()) {
        QString error;
        if (!parseRedisUrl(s.redis, &error))
            sink.add(kPath + QStringLiteral(".redis"), error);
    }
    sink.checkPositive(kPath + QStringLiteral(".timeout"), s.timeout.count());
    if (s.timeout > Duration(10'000))
        sink.add(kPath + QStringLiteral(".timeout"),
            QStringLiteral("'timeout' must be at most 10s: requests wait for it"));
}

std::optional<WorkspaceTree> writeRateLimitStore(const TreeWriter &w, const RateLimitStoreSettings &s)
{
    if (s == RateLimitStoreSettings {})
        return std::nullopt;
    WorkspaceTree t;
    t.block = true;
    if (s.shared()) {
        QString error;
        const auto address = parseRedisUrl(s.redis, &error);
        // A URL with a password is a secret: the admin API's JSON shows it redacted.
        const bool secret = address && !address->password.isEmpty();
        t.insert("redis", w.str(kPath + QStringLiteral(".redis"), s.redis, secret));
    }
    if (s.onError != RateLimitStoreSettings::OnError::Allow)
        t.insert("on_error", w.str(kPath + QStringLiteral(".on_error"), onErrorName(s.onError)));
    if (s.timeout != RateLimitStoreSettings {}.timeout)
        t.insert("timeout", w.duration(kPath + QStringLiteral(".timeout"), s.timeout));
    return t;
}

} // namespace portico::config
