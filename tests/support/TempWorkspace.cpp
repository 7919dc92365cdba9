#include "support/TempWorkspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace portico::test {

TempWorkspace::TempWorkspace()
    : m_dir(QDir::tempPath() + QStringLiteral("/portico-test-XXXXXX"))
{
    if (!m_dir.isValid())
        qFatal("TempWorkspace: cannot create a temporary directory: %s", qPrintable(m_dir.errorString()));
}

QString TempWorkspace::path(const QString &relative) const
{
    return QDir(m_dir.path()).filePath(relative);
}

QString TempWorkspace::writeFile(const QString &relative, const QByteArray &content)
{
    const QString target = path(relative);
    QDir().mkpath(QFileInfo(target).absolutePath());
    QFile file(target);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size())
        qFatal("TempWorkspace: cannot write %s: %s", qPrintable(target), qPrintable(file.errorString()));
    return target;
}

QString TempWorkspace::writeFile(
    const QString &relative, const QString &text, const QHash<QString, QString> &vars)
{
    return writeFile(relative, substitute(text, vars).toUtf8());
}

QString TempWorkspace::writeWorkspace(
    const QString &yaml, const QHash<QString, QString> &vars, const QString &fileName)
{
    m_workspacePath = writeFile(fileName, yaml, vars);
    return m_workspacePath;
}

QByteArray TempWorkspace::readFile(const QString &relative) const
{
    QFile file(path(relative));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QString TempWorkspace::substitute(
    const QString &text, const QHash<QString, QString> &vars, QStringList *missing)
{
    static const QRegularExpression placeholder(QStringLiteral(R"(\{\{([A-Za-z0-9_]+)\}\})"));
    QString out;
    out.reserve(text.size());
    qsizetype last = 0;
    auto it = placeholder.globalMatch(text);
    while (it.hasNext()) {
        const auto match = it.next();
        out += QStringView(text).mid(last, match.capturedStart() - last);
        const QString name = match.captured(1);
        const auto value = vars.constFind(name);
        if (value != vars.constEnd()) {
            out += *value;
        } else {
            if (!missing)
                qFatal("TempWorkspace: no value for placeholder {{%s}}", qPrintable(name));
            missing->append(name);
            out += match.captured(0);
        }
        last = match.capturedEnd();
    }
    out += QStringView(text).mid(last);
    return out;
}

} // namespace portico::test
