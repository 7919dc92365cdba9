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

WorkspaceTree buildWorkspaceTree(const Workspace &ws);

} // namespace portico::config
