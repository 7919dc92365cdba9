#include "ui/widgets/SaveFolder.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace portico::ui {

namespace {

QString &lastFolder()
{
    static QString folder;
    return folder;
}

bool under(const QString &path, const QString &folder)
{
    if (folder.isEmpty())
        return false;
    const QString base = QDir::cleanPath(folder) + u'/';
    return QDir::cleanPath(path).startsWith(base);
}

} // namespace

QString defaultSaveFolder(const QString &workspaceFile)
{
    if (!lastFolder().isEmpty() && QFileInfo(lastFolder()).isDir())
        return lastFolder();
    if (!workspaceFile.isEmpty()) {
        const QString folder = QFileInfo(workspaceFile).absolutePath();
        const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        const QString local = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
        if (QFileInfo(folder).isDir() && !under(folder + u'/', data) && !under(folder + u'/', local))
            return folder;
    }
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (!documents.isEmpty() && QFileInfo(documents).isDir())
        return documents;
    return QDir::homePath();
}

void rememberSaveFolder(const QString &savedFile)
{
    lastFolder() = QFileInfo(savedFile).absolutePath();
}

} // namespace portico::ui
