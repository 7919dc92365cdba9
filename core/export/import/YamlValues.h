#pragma once

// Reading scalars and lists out of yaml-cpp nodes without exceptions, for the importers.

#include <QString>
#include <QStringList>

#include <yaml-cpp/yaml.h>

namespace portico::exporter {

// n[key] that never throws: yaml-cpp throws when indexing a missing (zombie) node, so chained
// lookups go through at(); a missing key gives a node that is false in a condition.
inline YAML::Node at(const YAML::Node &n, const char *key)
{
    static const YAML::Node empty(YAML::NodeType::Map);
    if (!n || !n.IsMap())
        return empty["\x01missing"];
    return n[key];
}

inline YAML::Node at(const YAML::Node &n, int index)
{
    static const YAML::Node empty(YAML::NodeType::Map);
    if (!n || !n.IsSequence() || index < 0 || std::size_t(index) >= n.size())
        return empty["\x01missing"];
    return n[std::size_t(index)];
}

inline QString str(const YAML::Node &n, const QString &fallback = {})
{
    return n && n.IsScalar() ? QString::fromStdString(n.Scalar()) : fallback;
}

inline QStringList strings(const YAML::Node &n)
{
    QStringList out;
    if (n && n.IsSequence()) {
        for (const YAML::Node &item : n)
            out << str(item);
    } else if (n && n.IsScalar()) {
        out << str(n);
    }
    return out;
}

inline double num(const YAML::Node &n, double fallback)
{
    bool ok = false;
    const double v = str(n).toDouble(&ok);
    return ok ? v : fallback;
}

} // namespace portico::exporter
