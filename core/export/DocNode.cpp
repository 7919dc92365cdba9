#include "core/export/DocNode.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

namespace portico::exporter {

DocNode::DocNode(bool b)
    : m_kind(Kind::Bool)
    , m_bool(b)
{
}

DocNode::DocNode(int i)
    : m_kind(Kind::Int)
    , m_int(i)
{
}

DocNode::DocNode(qint64 i)
    : m_kind(Kind::Int)
    , m_int(i)
{
}

DocNode::DocNode(double d)
    : m_kind(Kind::Double)
    , m_double(d)
{
}

DocNode::DocNode(const QString &s)
    : m_kind(Kind::String)
    , m_string(s)
{
}

DocNode::DocNode(const char *s)
    : DocNode(QString::fromUtf8(s))
{
}

DocNode::DocNode(const QStringList &strings)
    : m_kind(Kind::List)
{
    for (const QString &s : strings)
        m_items.emplace_back(s);
}

DocNode DocNode::map()
{
    DocNode n;
    n.m_kind = Kind::Map;
    return n;
}

DocNode DocNode::list()
{
    DocNode n;
    n.m_kind = Kind::List;
    return n;
}

DocNode &DocNode::operator[](const QString &key)
{
    if (m_kind == Kind::Null)
        m_kind = Kind::Map;
    Q_ASSERT(m_kind == Kind::Map);
    for (size_t i = 0; i < m_keys.size(); ++i) {
        if (m_keys[i] == key)
            return m_items[i];
    }
    m_keys.push_back(key);
    m_items.emplace_back();
    return m_items.back();
}

const DocNode *DocNode::find(const QString &key) const
{
    for (size_t i = 0; i < m_keys.size(); ++i) {
        if (m_keys[i] == key)
            return &m_items[i];
    }
    return nullptr;
}

void DocNode::remove(const QString &key)
{
    for (size_t i = 0; i < m_keys.size(); ++i) {
        if (m_keys[i] == key) {
            m_keys.erase(m_keys.begin() + qsizetype(i));
            m_items.erase(m_items.begin() + qsizetype(i));
            return;
        }
    }
}

DocNode &DocNode::append(const DocNode &value)
{
    if (m_kind == Kind::Null)
        m_kind = Kind::List;
    Q_ASSERT(m_kind == Kind::List);
    m_items.push_back(value);
    return m_items.back();
}

namespace {

// YAML 1.1 and 1.2 readers resolve these plain scalars to something other than a string.
bool needsQuotes(const QString &s)
{
    if (s.isEmpty())
        return true;
    static const QRegularExpression special(QStringLiteral(
        "^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|"
        "y|Y|n|N|[-+]?(?:\\.inf|\\.Inf|\\.INF)|\\.nan|\\.NaN|\\.NAN|"
        "[-+]?[0-9][0-9_]*(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\\.[0-9]+(?:[eE][-+]?[0-9]+)?|"
        "0x[0-9a-fA-F_]+|0o[0-7]+|0b[01_]+|[0-9]{4}-[0-9]{2}-[0-9]{2}.*|[0-9]+(?::[0-5]?[0-9])+)$"));
    return special.match(s).hasMatch() || s.front().isSpace() || s.back().isSpace();
}

void emitYaml(YAML::Emitter &out, const DocNode &n)
{
    switch (n.kind()) {
    case DocNode::Kind::Null:
        out << YAML::Null;
        break;
    case DocNode::Kind::Bool:
        out << n.toBool();
        break;
    case DocNode::Kind::Int:
        out << static_cast<long long>(n.toInt());
        break;
    case DocNode::Kind::Double:
        out << n.toDouble();
        break;
    case DocNode::Kind::String: {
        const std::string s = n.toString().toStdString();
        if (needsQuotes(n.toString()))
            out << YAML::DoubleQuoted << s;
        else
            out << s;
        break;
    }
    case DocNode::Kind::List:
        if (n.isEmpty()) {
            out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
            break;
        }
        out << YAML::BeginSeq;
        for (const DocNode &item : n.items())
            emitYaml(out, item);
        out << YAML::EndSeq;
        break;
    case DocNode::Kind::Map:
        if (n.isEmpty()) {
            out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
            break;
        }
        out << YAML::BeginMap;
        for (int i = 0; i < n.size(); ++i) {
            out << YAML::Key;
            const QString &key = n.keys()[size_t(i)];
            if (needsQuotes(key))
                out << YAML::DoubleQuoted;
            out << key.toStdString() << YAML::Value;
            emitYaml(out, n.items()[size_t(i)]);
        }
        out << YAML::EndMap;
        break;
    }
}

void writeJsonString(QByteArray &out, const QString &s)
{
    // QJsonDocument escapes exactly as JSON requires; wrap the string in an array to reuse it.
    const QByteArray arr = QJsonDocument(QJsonArray { s }).toJson(QJsonDocument::Compact);
    out += arr.mid(1, arr.size() - 2);
}

void writeJson(QByteArray &out, const DocNode &n, int indent)
{
    const QByteArray pad(indent * 2, ' ');
    const QByteArray inner((indent + 1) * 2, ' ');
    switch (n.kind()) {
    case DocNode::Kind::Null:
        out += "null";
        break;
    case DocNode::Kind::Bool:
        out += n.toBool() ? "true" : "false";
        break;
    case DocNode::Kind::Int:
        out += QByteArray::number(n.toInt());
        break;
    case DocNode::Kind::Double:
        out += QByteArray::number(n.toDouble(), 'g', 15);
        break;
    case DocNode::Kind::String:
        writeJsonString(out, n.toString());
        break;
    case DocNode::Kind::List:
        if (n.isEmpty()) {
            out += "[]";
            break;
        }
        out += "[\n";
        for (int i = 0; i < n.size(); ++i) {
            out += inner;
            writeJson(out, n.items()[size_t(i)], indent + 1);
            out += i + 1 < n.size() ? ",\n" : "\n";
        }
        out += pad + ']';
        break;
    case DocNode::Kind::Map:
        if (n.isEmpty()) {
            out += "{}";
            break;
        }
        out += "{\n";
        for (int i = 0; i < n.size(); ++i) {
            out += inner;
            writeJsonString(out, n.keys()[size_t(i)]);
            out += ": ";
            writeJson(out, n.items()[size_t(i)], indent + 1);
            out += i + 1 < n.size() ? ",\n" : "\n";
        }
        out += pad + '}';
        break;
    }
}

} // namespace

QByteArray DocNode::toYaml() const
{
    YAML::Emitter out;
    out.SetIndent(2);
    emitYaml(out, *this);
    QByteArray text(out.c_str());
    text += '\n';
    return text;
}

QByteArray DocNode::toJson() const
{
    QByteArray out;
    writeJson(out, *this, 0);
    out += '\n';
    return out;
}

} // namespace portico::exporter
