#pragma once

// An ordered, typed tree of the workspace file's structure, built from the model once and then
// written out as YAML or JSON (WorkspaceWriter). QJsonObject cannot be the tree: it sorts its keys.

#include "core/config/Workspace.h"

namespace portico::config {

struct WorkspaceTree
{
    enum class Kind { String, Number, Bool, Map, List };
    Kind kind = Kind::Map;
    QString text; // String
    qint64 number = 0;
    bool flag = false;
    QList<std::pair<QString, WorkspaceTree>> map;
    QList<WorkspaceTree> list;
    QString envTemplate; // the ${NAME} text this value was written with, if any
    bool escapedLiteral = false; // envTemplate is only the literal value with "${" escaped as "$${"
    bool secret = false;
    bool block = false; // never on one line (sections, auth schemes), however short

    static WorkspaceTree string(const QString &s);
    static WorkspaceTree integer(qint64 n);
    static WorkspaceTree boolean(bool b);
    static WorkspaceTree emptyMap() { return WorkspaceTree {}; }
    static WorkspaceTree emptyList();

    bool isScalar() const { return kind != Kind::Map && kind != Kind::List; }
    void insert(const QString &key, WorkspaceTree value) { map.append({ key, std::move(value) }); }
    bool isEmpty() const { return kind == Kind::Map ? map.isEmpty() : kind == Kind::List && list.isEmpty(); }
};

// Builds trees for the values of one workspace, each at its dotted path ("routes[2].timeout") so that
// a value loaded from ${NAME} is written back as its template (Workspace::envTemplates). Filter
// configs write their keys with it (FilterConfig::write).
class TreeWriter
{
public:
    explicit TreeWriter(const Workspace &ws)
        : m_ws(ws)
    {
    }
    const Workspace &workspace() const { return m_ws; }

    WorkspaceTree scalar(const QString &path, WorkspaceTree value, bool secret = false) const;
    WorkspaceTree str(const QString &path, const QString &s, bool secret = false) const;
    WorkspaceTree duration(const QString &path, Duration d) const;
    WorkspaceTree size(const QString &path, qint64 bytes) const;
    WorkspaceTree list(const QString &path, const QStringList &items) const;
    WorkspaceTree keyValues(const QString &path, const KeyValues &kv) const;
    static WorkspaceTree map(QList<std::pair<QString, WorkspaceTree>> entries);

protected:
    const Workspace &m_ws;
};

WorkspaceTree buildWorkspaceTree(const Workspace &ws);

} // namespace portico::config
