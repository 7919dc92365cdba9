#pragma once

#include <QObject>
#include <QStringList>

class QMenu;
class QSettings;

namespace portico::ui {

// The most recently opened workspaces, newest first, kept in the given QSettings.
class RecentFiles final : public QObject
{
    Q_OBJECT

public:
    explicit RecentFiles(QSettings *settings, QObject *parent = nullptr);

    QStringList files() const;
    void add(const QString &path);
    void remove(const QString &path);
    // Fills `menu` with one action per file (emitting openRequested) and a "Clear" action.
    void populate(QMenu *menu);

    static constexpr int kMax = 8;

Q_SIGNALS:
    void openRequested(const QString &path);
    void changed();

private:
    void store(const QStringList &files);

    QSettings *m_settings;
};

} // namespace portico::ui
