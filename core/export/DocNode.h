#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace portico::exporter {

// A small ordered document tree (null, bool, number, string, list, map) that every structured
// exporter builds and then writes as YAML or JSON. Maps keep insertion order, so the output is
// byte-identical for the same input; strings stay strings in YAML (a value such as "3.0" or "true"
// is quoted so that a YAML reader does not turn it into a number or a boolean).
// (The namespace is portico::exporter because `export` is a C++ keyword.)
class DocNode
{
public:
    enum class Kind { Null, Bool, Int, Double, String, List, Map };

    DocNode() = default;
    DocNode(bool b);
    DocNode(int i);
    DocNode(qint64 i);
    DocNode(double d);
    DocNode(const QString &s);
    DocNode(const char *s);
    DocNode(const QStringList &strings); // a list of strings
    static DocNode map();
    static DocNode list();

    Kind kind() const { return m_kind; }
    bool isNull() const { return m_kind == Kind::Null; }
    // Maps: the value under key, created (as null) at the end when missing; turns null into a map.
    DocNode &operator[](const QString &key);
    const DocNode *find(const QString &key) const;
    bool contains(const QString &key) const { return find(key) != nullptr; }
    void remove(const QString &key);
    const std::vector<QString> &keys() const { return m_keys; }
    // Lists: appends; turns null into a list.
    DocNode &append(const DocNode &value);
    const std::vector<DocNode> &items() const { return m_items; } // list items or map values
    int size() const { return int(m_items.size()); }
    bool isEmpty() const { return m_items.empty(); }

    QString toString() const { return m_string; }
    bool toBool() const { return m_bool; }
    qint64 toInt() const { return m_int; }
    double toDouble() const { return m_double; }

    QByteArray toYaml() const;
    QByteArray toJson() const; // two-space indented, trailing newline

private:
    Kind m_kind = Kind::Null;
    bool m_bool = false;
    qint64 m_int = 0;
    double m_double = 0;
    QString m_string;
    std::vector<QString> m_keys; // maps only, parallel to m_items
    std::vector<DocNode> m_items; // list items or map values
};

} // namespace portico::exporter
