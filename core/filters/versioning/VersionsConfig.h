#pragma once

// The config of a versioned route: its `versions` block. A route's backend (one of upstream,
// versions, aggregate, mock), kept on Route itself; the versioning filter reads it.

#include "core/config/ConfigTypes.h"

#include <QDate>
#include <QStringList>

namespace YAML {
class Node;
}

namespace portico::config {

class YamlReader;
class ValidationSink;
class TreeWriter;
struct WorkspaceTree;
struct Route;

struct Deprecation
{
    QDate sunset; // may be null
    QString link;
    QDate since; // when it was (or will be) deprecated; may be null
    bool operator==(const Deprecation &) const = default;
};

struct Versions
{
    enum class By { Path, Header };
    By by = By::Path;
    QString header = QStringLiteral("X-API-Version");
    KeyValues map; // version -> upstream name, in file order
    QString defaultVersion;
    QList<std::pair<QString, Deprecation>> deprecated;
    bool operator==(const Versions &) const = default;
};

Versions parseVersions(YamlReader &r, const YAML::Node &node, const QString &path);
// Checks route.versions, found at `path` ("routes[2].versions").
void validateVersions(ValidationSink &sink, const Route &route, const QString &path);
WorkspaceTree writeVersions(const TreeWriter &w, const Versions &versions, const QString &path);

} // namespace portico::config
