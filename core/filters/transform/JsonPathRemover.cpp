#include "core/filters/transform/JsonPathRemover.h"

#include <QJsonArray>
#include <QJsonObject>

#include <utility>
#include <vector>

namespace portico::filters {

// One step of the tree: the fields to visit (or remove) in an object, and the node applied to each
// element of an array.
struct JsonPathRemover::Node
{
    // Children by pointer: a pair holding Node itself would need Node complete here (clang refuses).
    std::vector<std::pair<QString, std::unique_ptr<Node>>> fields;
    std::unique_ptr<Node> each;
    bool remove = false;

    Node &field(const QString &name)
    {
        for (auto &f : fields) {
            if (f.first == name)
                return *f.second;
        }
        fields.emplace_back(name, std::make_unique<Node>());
        return *fields.back().second;
    }
    Node &elements()
    {
        if (!each)
            each = std::make_unique<Node>();
        return *each;
    }
};

namespace {

using Node = JsonPathRemover::Node;

int applyNode(QJsonValue &value, const Node &node);

int applyObject(QJsonObject &object, const Node &node)
{
    int removed = 0;
    for (const auto &[name, child] : node.fields) {
        const auto it = object.find(name);
        if (it == object.end())
            continue;
        if (child->remove) {
            object.erase(it);
            ++removed;
            continue;
        }
        QJsonValue v = it.value();
        const int n = applyNode(v, *child);
        if (n > 0) {
            object.insert(name, v);
            removed += n;
        }
    }
    return removed;
}

int applyNode(QJsonValue &value, const Node &node)
{
    int removed = 0;
    if (value.isObject() && !node.fields.empty()) {
        QJsonObject object = value.toObject();
        removed = applyObject(object, node);
        if (removed > 0)
            value = object;
    } else if (value.isArray() && node.each) {
        QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            QJsonValue element = array.at(i);
            const int n = applyNode(element, *node.each);
            if (n > 0) {
                array.replace(i, element);
                removed += n;
            }
        }
        if (removed > 0)
            value = array;
    }
    return removed;
}

// Adds one path to the tree. Grammar: ("[*]")* name ("[*]")* ("." name ("[*]")*)*, where the
// leading "[*]"s (top-level array) may replace the first name.
bool addPath(Node &root, const QString &path, QString *error)
{
    const auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("invalid JSON path '%1': %2").arg(path, why);
        return false;
    };
    const QString p = path.trimmed();
    if (p.isEmpty())
        return fail(QStringLiteral("empty path"));

    Node *node = &root;
    bool lastWasField = false;
    bool expectField = true; // at the start or after a '.'
    qsizetype i = 0;
    while (i < p.size()) {
        const QChar c = p.at(i);
        if (c == u'[') {
            if (p.mid(i, 3) != QLatin1String("[*]"))
                return fail(QStringLiteral("only [*] is supported between brackets, e.g. items[*].ssn"));
            if (expectField && i != 0)
                return fail(QStringLiteral("a field name must follow '.'"));
            node = &node->elements();
            expectField = false;
            lastWasField = false;
            i += 3;
        } else if (c == u'.') {
            if (expectField)
                return fail(QStringLiteral("empty field name at position %1").arg(i));
            expectField = true;
            ++i;
        } else if (c == u']') {
            return fail(QStringLiteral("unbalanced ']' at position %1").arg(i));
        } else {
            if (!expectField)
                return fail(QStringLiteral("'.' expected before the field name at position %1").arg(i));
            qsizetype j = i;
            while (j < p.size() && p.at(j) != u'.' && p.at(j) != u'[' && p.at(j) != u']')
                ++j;
            node = &node->field(p.mid(i, j - i));
            expectField = false;
            lastWasField = true;
            i = j;
        }
    }
    if (expectField)
        return fail(QStringLiteral("the path ends with '.'"));
    if (!lastWasField)
        return fail(QStringLiteral("a path must end with a field name (array elements are not removed)"));
    node->remove = true;
    return true;
}

} // namespace

JsonPathRemover::JsonPathRemover()
    : m_root(std::make_shared<Node>())
{
}

std::optional<JsonPathRemover> JsonPathRemover::compile(const QStringList &paths, QString *error)
{
    auto root = std::make_shared<Node>();
    for (const QString &path : paths) {
        if (!addPath(*root, path, error))
            return std::nullopt;
    }
    JsonPathRemover remover;
    remover.m_root = std::move(root);
    remover.m_paths = paths;
    return remover;
}

int JsonPathRemover::apply(QJsonValue &value) const
{
    return applyNode(value, *m_root);
}

int JsonPathRemover::apply(QJsonDocument &doc) const
{
    if (doc.isObject()) {
        QJsonObject object = doc.object();
        const int n = applyObject(object, *m_root);
        if (n > 0)
            doc.setObject(object);
        return n;
    }
    if (doc.isArray()) {
        QJsonValue v = doc.array();
        const int n = applyNode(v, *m_root);
        if (n > 0)
            doc.setArray(v.toArray());
        return n;
    }
    return 0;
}

} // namespace portico::filters
