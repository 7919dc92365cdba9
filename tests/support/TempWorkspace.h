#pragma once

#include <QHash>
#include <QString>
#include <QTemporaryDir>

namespace portico::test {

// A throw-away directory holding a workspace file and whatever it refers to (keys, mock bodies,
// OpenAPI files). Everything is removed when the object goes out of scope.
//
// Text written through it may contain placeholders `{{NAME}}` (letters, digits, underscore), replaced
// from the QHash given, e.g. {{UPSTREAM_PORT}} -> "41234". A placeholder with no value is a mistake in
// the test itself, so it aborts with a message naming it instead of writing a half-filled file.
class TempWorkspace final
{
public:
    TempWorkspace();

    bool isValid() const { return m_dir.isValid(); }
    QString dir() const { return m_dir.path(); }
    // Absolute path of a file inside the directory (need not exist).
    QString path(const QString &relative) const;

    // Writes (creating sub-directories) and returns the absolute path.
    QString writeFile(const QString &relative, const QByteArray &content);
    QString writeFile(const QString &relative, const QString &text, const QHash<QString, QString> &vars);

    // Writes the workspace YAML (or JSON) and remembers it as workspacePath().
    QString writeWorkspace(const QString &yaml, const QHash<QString, QString> &vars = {},
        const QString &fileName = QStringLiteral("portico.yaml"));
    QString workspacePath() const { return m_workspacePath; }

    QByteArray readFile(const QString &relative) const;

    // The substitution on its own. Unresolved placeholders are listed in *missing (if given);
    // without `missing`, an unresolved placeholder aborts (see class comment).
    static QString substitute(
        const QString &text, const QHash<QString, QString> &vars, QStringList *missing = nullptr);

private:
    QTemporaryDir m_dir;
    QString m_workspacePath;
};

} // namespace portico::test
