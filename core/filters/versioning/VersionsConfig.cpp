#include "core/filters/versioning/VersionsConfig.h"

#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"

namespace portico::config {

namespace {

Deprecation parseDeprecation(YamlReader &r, const YamlReader::Entry &e)
{
    Deprecation d;
    const QString context = QStringLiteral("deprecated version '%1'").arg(e.key);
    if (e.value.IsNull())
        return d;
    for (const auto &dep : r.fields(e.value, e.path, context, { "since", "sunset", "link" })) {
        const auto text = r.string(dep.value, dep.path);
        if (!text)
            continue;
        if (dep.key == u"link") {
            d.link = *text;
            continue;
        }
        QDate &date = dep.key == u"since" ? d.since : d.sunset;
        date = QDate::fromString(*text, Qt::ISODate);
        if (!date.isValid())
            r.error(dep.path, QStringLiteral("invalid date '%1' (use YYYY-MM-DD)").arg(*text));
    }
    return d;
}

} // namespace

Versions parseVersions(YamlReader &r, const YAML::Node &node, const QString &path)
{
    Versions v;
    const QStringList keys { "by", "header", "map", "default", "deprecated" };
    for (const auto &f : r.fields(node, path, QStringLiteral("route versions"), keys)) {
        if (f.key == u"by") {
            if (const auto by
                = r.choice(f.value, f.path, QStringLiteral("versions by"), { "path", "header" }))
                v.by = *by == u"path" ? Versions::By::Path : Versions::By::Header;
        } else if (f.key == u"header") {
            assign(v.header, r.string(f.value, f.path));
        } else if (f.key == u"map") {
            v.map = r.keyValues(f.value, f.path, QStringLiteral("version"));
        } else if (f.key == u"default") {
            assign(v.defaultVersion, r.string(f.value, f.path));
        } else {
            for (const auto &e : r.entries(f.value, f.path, QStringLiteral("deprecated version")))
                v.deprecated.append({ e.key, parseDeprecation(r, e) });
        }
    }
    return v;
}

void validateVersions(ValidationSink &sink, const Route &r, const QString &p)
{
    const Versions &v = *r.versions;
    if (v.by == Versions::By::Header)
        sink.checkHeaderName(p + QStringLiteral(".header"), v.header);
    if (v.map.isEmpty())
        sink.add(
            p + QStringLiteral(".map"), QStringLiteral("route '%1' versions have no map").arg(r.name), true);
    QStringList versions;
    for (const auto &[version, upstream] : v.map) {
        versions.append(version);
        if (!sink.workspace().findUpstream(upstream))
            sink.add(p + QStringLiteral(".map.") + version,
                QStringLiteral("route '%1' maps version '%2' to upstream '%3', which does not exist")
                    .arg(r.name, version, upstream),
                false, "upstreams");
    }
    if (v.defaultVersion.isEmpty())
        sink.add(p + QStringLiteral(".default"),
            QStringLiteral("route '%1' versions have no default").arg(r.name), true);
    else if (!v.map.isEmpty() && !versions.contains(v.defaultVersion))
        sink.add(p + QStringLiteral(".default"),
            QStringLiteral("default version '%1' is not in the version map").arg(v.defaultVersion));
    for (const auto &[version, deprecation] : v.deprecated) {
        const QString dp = p + QStringLiteral(".deprecated.") + version;
        if (!versions.contains(version))
            sink.add(
                dp, QStringLiteral("deprecated version '%1' is not in the version map").arg(version), true);
        if (!deprecation.link.isEmpty())
            sink.checkHttpUrl(dp + QStringLiteral(".link"), QUrl(deprecation.link));
    }
}

WorkspaceTree writeVersions(const TreeWriter &w, const Versions &v, const QString &p)
{
    const Versions def;
    WorkspaceTree t;
    if (v.by != def.by)
        t.insert("by", w.str(p + ".by", "header"));
    if (v.header != def.header)
        t.insert("header", w.str(p + ".header", v.header));
    t.insert("map", w.keyValues(p + ".map", v.map));
    t.insert("default", w.str(p + ".default", v.defaultVersion));
    if (!v.deprecated.isEmpty()) {
        WorkspaceTree deprecated;
        for (const auto &[version, d] : v.deprecated) {
            const QString dp = p + ".deprecated." + version;
            WorkspaceTree entry;
            if (d.since.isValid())
                entry.insert("since", w.str(dp + ".since", d.since.toString(Qt::ISODate)));
            if (d.sunset.isValid())
                entry.insert("sunset", w.str(dp + ".sunset", d.sunset.toString(Qt::ISODate)));
            if (!d.link.isEmpty())
                entry.insert("link", w.str(dp + ".link", d.link));
            deprecated.insert(version, entry);
        }
        t.insert("deprecated", deprecated);
    }
    return t;
}

} // namespace portico::config
