#include "ui/main/RecentFiles.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace portico::ui {

namespace {
const QString kKey = QStringLiteral("recentWorkspaces");
}

RecentFiles::RecentFiles(QSettings *settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
{
}

QStringList RecentFiles::files() const { return m_settings->value(kKey).toStringList(); }

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMax)
        list.removeLast();
    store(list);
}

void RecentFiles::remove(const QString &path)
{
    QStringList list = files();
    list.removeAll(path);
    store(list);
}

void RecentFiles::store(const QStringList &list)
{
    m_settings->setValue(kKey, list);
    Q_EMIT changed();
}

void RecentFiles::populate(QMenu *menu)
{
    menu->clear();
    const QStringList list = files();
    int n = 1;
    for (const QString &path : list) {
        const QString label = QStringLiteral("&%1  %2").arg(n++).arg(QDir::toNativeSeparators(path));
        QAction *a = menu->addAction(label);
        a->setEnabled(QFileInfo::exists(path));
        connect(a, &QAction::triggered, this, [this, path] { Q_EMIT openRequested(path); });
    }
    if (list.isEmpty())
        menu->addAction(tr("No recent workspaces"))->setEnabled(false);
    menu->addSeparator();
    QAction *clear = menu->addAction(tr("Clear list"));
    clear->setEnabled(!list.isEmpty());
    connect(clear, &QAction::triggered, this, [this] { store({}); });
}

} // namespace portico::ui
