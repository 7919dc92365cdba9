#include "core/export/ExportSupport.h"

#include "core/config/ValueFormats.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

namespace portico::exporter {

using namespace portico::config;

namespace {

RouteMatch withVersionPrefix(RouteMatch m, const QString &version)
{
    const QString seg = u'/' + version;
    switch (m.pathKind) {
    case RouteMatch::PathKind::Prefix:
    case RouteMatch::PathKind::Exact:
        m.path = m.path == u"/" ? seg : seg + m.path;
        break;
    case RouteMatch::PathKind::Regex:
        m.path = m.path.startsWith(u'^') ? u'^' + regexEscape(seg) + m.path.mid(1)
                                         : u'^' + regexEscape(seg) + QStringLiteral(".*") + m.path;
        break;
    }
    return m;
}

KeyValues deprecationHeaders(const Versions &v, const QString &version)
{
    KeyValues out;
    for (const auto &[name, dep] : v.deprecated) {
        if (name != version)
            continue;
        // The same fields the gateway sends (VersionResolver).
        for (const auto &[field, value] : config::deprecationFields(dep))
            out.append({ QString::fromLatin1(field), QString::fromLatin1(value) });
    }
    return out;
}

} // namespace

QList<FlatRoute> flattenRoutes(const Workspace &ws)
{
    QList<FlatRoute> out;
    for (const Route &r : ws.routes) {
        const QString ownStrip
            = r.stripPrefix && r.match.pathKind == RouteMatch::PathKind::Prefix ? r.match.path : QString();
        if (!r.versions) {
            FlatRoute f;
            f.name = r.name;
            f.route = &r;
            f.match = r.match;
            f.upstream = r.upstream;
            f.stripPrefix = ownStrip == u"/" ? QString() : ownStrip;
            out.append(f);
            continue;
        }
        const Versions &v = *r.versions;
        for (const auto &[version, upstream] : v.map) {
            FlatRoute f;
            f.name = r.name + u'-' + version;
            f.route = &r;
            f.upstream = upstream;
            f.version = version;
            f.responseHeaders = deprecationHeaders(v, version);
            if (v.by == Versions::By::Path) {
                f.match = withVersionPrefix(r.match, version);
                if (r.match.pathKind == RouteMatch::PathKind::Prefix)
                    f.stripPrefix = u'/' + version + (ownStrip == u"/" ? QString() : ownStrip);
            } else {
                f.match = r.match;
                f.match.headers.append({ v.header, version });
                f.stripPrefix = ownStrip == u"/" ? QString() : ownStrip;
            }
            out.append(f);
        }
        if (!v.defaultVersion.isEmpty()) {
            FlatRoute f;
            f.name = r.name;
            f.route = &r;
            f.match = r.match;
            f.version = v.defaultVersion;
            f.responseHeaders = deprecationHeaders(v, v.defaultVersion);
            f.stripPrefix = ownStrip == u"/" ? QString() : ownStrip;
            for (const auto &[version, upstream] : v.map) {
                if (version == v.defaultVersion)
                    f.upstream = upstream;
            }
            out.append(f);
        }
    }
    return out;
}

const Upstream *findUpstream(const Workspace &ws, const QString &name)
{
    for (const Upstream &u : ws.upstreams) {
        if (u.name == name)
            return &u;
    }
    return nullptr;
}

const Tier *findTier(const Workspace &ws, const QString &name)
{
    for (const Tier &t : ws.tiers) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

const AuthScheme *findAuth(const Workspace &ws, const QString &name)
{
    for (const AuthScheme &a : ws.auth) {
        if (a.name == name)
            return &a;
    }
    return nullptr;
}

QString urlHost(const QUrl &url)
{
    return url.host();
}

int urlPort(const QUrl &url)
{
    return url.port(schemeOf(url) == u"https" ? 443 : 80);
}

QString hostPort(const QUrl &url)
{
    return HostPort { urlHost(url), quint16(urlPort(url)) }.toString();
}

QString schemeOf(const QUrl &url)
{
    return url.scheme().compare(u"https", Qt::CaseInsensitive) == 0 ? QStringLiteral("https")
                                                                    : QStringLiteral("http");
}

qint64 toSeconds(Duration d)
{
    return d.count() <= 0 ? 0 : (d.count() + 999) / 1000;
}

QString goDuration(Duration d)
{
    const qint64 ms = d.count();
    if (ms != 0 && ms % 3'600'000 == 0)
        return QStringLiteral("%1h").arg(ms / 3'600'000);
    if (ms != 0 && ms % 60'000 == 0)
        return QStringLiteral("%1m").arg(ms / 60'000);
    if (ms % 1000 == 0)
        return QStringLiteral("%1s").arg(ms / 1000);
    return QStringLiteral("%1ms").arg(ms);
}

QString protoDuration(Duration d)
{
    const qint64 ms = d.count();
    if (ms % 1000 == 0)
        return QStringLiteral("%1s").arg(ms / 1000);
    return QStringLiteral("%1.%2s").arg(ms / 1000).arg(ms % 1000, 3, 10, QLatin1Char('0'));
}

QString durationText(Duration d)
{
    const qint64 ms = d.count();
    if (ms != 0 && ms % 86'400'000 == 0)
        return QStringLiteral("%1d").arg(ms / 86'400'000);
    return goDuration(d);
}

QString rateLimitText(const RateLimit &r)
{
    QString by;
    switch (r.by) {
    case RateLimit::By::Consumer:
        by = QStringLiteral("consumer");
        break;
    case RateLimit::By::Ip:
        by = QStringLiteral("ip");
        break;
    case RateLimit::By::Route:
        by = QStringLiteral("route");
        break;
    case RateLimit::By::Header:
        by = QStringLiteral("header:") + r.header;
        break;
    }
    return QStringLiteral("%1 per %2 by %3").arg(r.requests).arg(durationText(r.per), by);
}

QString authTypeText(AuthType t)
{
    switch (t) {
    case AuthType::ApiKey:
        return QStringLiteral("api_key");
    case AuthType::Jwt:
        return QStringLiteral("jwt");
    case AuthType::OAuth2Introspection:
        return QStringLiteral("oauth2_introspection");
    }
    return {};
}

void warnPorticoOnly(const Workspace &ws, const TargetTraits &target, QStringList &warnings)
{
    if (!target.isGateway) {
        const QString outOfScope
            = QStringLiteral("the %1 document describes the API, not the gateway serving it")
                  .arg(target.name);
        if (ws.capture.enabled)
            warnings << QStringLiteral("capture: traffic capture (%1) is not exported: %2")
                            .arg(ws.capture.database, outOfScope);
        if (ws.admin.enabled)
            warnings << QStringLiteral("admin: the admin API on %1 is not exported: %2")
                            .arg(ws.admin.listen.toString(), outOfScope);
        return;
    }
    if (ws.capture.enabled)
        warnings << QStringLiteral(
            "capture: traffic capture (%1) is Portico's inspector; %2 has no equivalent")
                        .arg(ws.capture.database, target.name);
    if (ws.admin.enabled)
        warnings << QStringLiteral("admin: the admin API on %1 is not exported; %2")
                        .arg(ws.admin.listen.toString(), target.adminAdvice);
}

QByteArray readWorkspaceFile(const Workspace &ws, const QString &path, bool *ok)
{
    QString full = path;
    if (QFileInfo(path).isRelative() && !ws.filePath.isEmpty())
        full = QFileInfo(ws.filePath).absoluteDir().filePath(path);
    QFile f(full);
    const bool opened = f.open(QIODevice::ReadOnly);
    if (ok)
        *ok = opened;
    return opened ? f.readAll() : QByteArray();
}

QString regexEscape(const QString &literal)
{
    QString out;
    for (const QChar c : literal) {
        if (QStringLiteral("\\^$.|?*+()[]{}").contains(c))
            out += u'\\';
        out += c;
    }
    return out;
}

} // namespace portico::exporter
