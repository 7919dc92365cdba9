#pragma once

// Reads yaml-cpp nodes into Qt values for the workspace loader, collecting every problem instead of
// stopping at the first, each at the position of the offending key or value. Every node that is
// read is registered under its dotted path ("routes[2].upstream") so that problems found later on
// the model (WorkspaceValidator) can be located in the file too.

#include "core/config/Diagnostic.h"
#include "core/config/Workspace.h"

#include <QHash>
#include <QProcessEnvironment>
#include <QSet>

#include <yaml-cpp/yaml.h>

#include <optional>
#include <utility>

namespace portico::config {

struct SourcePosition
{
    int line = 0; // 1-based; 0 = unknown
    int column = 0;
};

class YamlReader
{
public:
    enum class Anchor { Value, Key }; // where a problem points: at the value or at its key
    enum class UnsetEnv { Error, Empty };

    struct Entry
    {
        QString key;
        YAML::Node value;
        QString path;
    };

    YamlReader(QString fileName, QProcessEnvironment env);

    void registerRoot(const YAML::Node &root);

    // A map with a fixed set of keys: reports unknown keys (with a suggestion) and duplicates.
    // `context` completes "unknown key 'x' in CONTEXT". Returns nothing when `node` is not a map.
    QList<Entry> fields(
        const YAML::Node &node, const QString &path, const QString &context, const QStringList &allowed);
    // A map whose keys are names chosen by the user (upstreams, tiers, headers): reports duplicates
    // as "duplicate WHAT 'name'".
    QList<Entry> entries(const YAML::Node &node, const QString &path, const QString &what);
    // A list; with `scalarIsList` a single value counts as a list of one.
    QList<Entry> items(const YAML::Node &node, const QString &path, bool scalarIsList = false);

    bool expectMap(const YAML::Node &node, const QString &path);

    std::optional<QString> string(
        const YAML::Node &node, const QString &path, UnsetEnv unset = UnsetEnv::Error);
    std::optional<bool> boolean(const YAML::Node &node, const QString &path);
    std::optional<int> integer(const YAML::Node &node, const QString &path);
    std::optional<Duration> duration(const YAML::Node &node, const QString &path);
    std::optional<qint64> size(const YAML::Node &node, const QString &path);
    std::optional<HostPort> hostPort(const YAML::Node &node, const QString &path);
    // A well-formed URL (whether it is absolute http(s) is for the validator to say).
    std::optional<QUrl> url(const YAML::Node &node, const QString &path);
    // One of `options`; otherwise "unknown WHAT 'x' (did you mean ...?)" or the list of options.
    std::optional<QString> choice(
        const YAML::Node &node, const QString &path, const QString &what, const QStringList &options);
    QStringList stringList(const YAML::Node &node, const QString &path, bool scalarIsList = true);
    KeyValues keyValues(const YAML::Node &node, const QString &path, const QString &what);

    void error(const QString &path, const QString &message, Anchor anchor = Anchor::Value);
    void error(SourcePosition pos, const QString &path, const QString &message);
    SourcePosition position(const QString &path, Anchor anchor) const;
    // Paths at which a problem was reported while reading.
    const QSet<QString> &failedPaths() const { return m_failedPaths; }
    // Whether a problem was reported inside `path` (a "missing key" there may be a misspelt one).
    bool failedUnder(const QString &path) const;

    Diagnostics takeErrors() { return std::exchange(m_errors, {}); }
    QHash<QString, QString> takeEnvTemplates() { return std::exchange(m_envTemplates, {}); }

    static QString lastComponent(const QString &path);

private:
    void registerNode(const QString &path, const YAML::Node *key, const YAML::Node &value);
    bool isNull(const YAML::Node &node) const;
    void typeError(const YAML::Node &node, const QString &path, const QString &expected);
    std::optional<QString> scalarText(const YAML::Node &node, const QString &path, const QString &expected,
        UnsetEnv unset = UnsetEnv::Error);
    QString expand(const QString &raw, const QString &path, UnsetEnv unset);

    QString m_fileName;
    QProcessEnvironment m_env;
    QHash<QString, std::pair<SourcePosition, SourcePosition>> m_positions; // key, value
    QSet<QString> m_failedPaths;
    Diagnostics m_errors;
    QHash<QString, QString> m_envTemplates;
};

// Sets `target` when the reader produced a value; a missing or invalid one (already reported)
// leaves the default.
template<typename T> void assign(T &target, const std::optional<T> &value)
{
    if (value)
        target = *value;
}

} // namespace portico::config
