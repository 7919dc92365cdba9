#pragma once

#include <QJsonDocument>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace portico::filters {

// Removes fields named by `response.json.remove` paths from a JSON document. Compiled once per
// route into a tree of steps shared by all paths, then applied to any number of documents from any
// thread (apply() is const and touches only the document it is given).
//
// Path syntax and meaning:
//   password          the key "password" of the top-level object only (not at other depths)
//   user.password     key "password" of the object under the top-level key "user"
//   items[*].ssn      key "ssn" of every object element of the array under "items"
//   a.b[*].c[*].d     steps chain to any depth; "[*]" may repeat (m[*][*].x for nested arrays)
//   [*].ssn           a leading "[*]" addresses the elements of a top-level array
// A field name is any non-empty run of characters other than '.', '[' and ']'. Steps that do not
// fit the document (a missing key, an array where an object is expected, a scalar) remove nothing
// and are not an error. A path must end with a field name: whole array elements are never removed.
// When one path is a prefix of another ("user" and "user.password"), the shorter one wins.
class JsonPathRemover
{
public:
    JsonPathRemover(); // removes nothing

    // Compiles `paths`; on a malformed path returns nothing and sets *error to a message naming it.
    static std::optional<JsonPathRemover> compile(const QStringList &paths, QString *error = nullptr);

    bool isEmpty() const { return m_paths.isEmpty(); }
    const QStringList &paths() const { return m_paths; }

    // Remove every matching field; return how many fields were removed (0 = document untouched).
    int apply(QJsonDocument &doc) const;
    int apply(QJsonValue &value) const;

    struct Node; // the compiled tree; defined in the .cpp

private:
    std::shared_ptr<const Node> m_root;
    QStringList m_paths;
};

} // namespace portico::filters
