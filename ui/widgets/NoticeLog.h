#pragma once

#include <QDateTime>
#include <QToolButton>

class QPlainTextEdit;

namespace portico::ui {

// Every message the app showed in a place too small for it (the status bar, the inspector's
// notice beside its buttons), kept whole with its time: a status-bar button ("Messages (3)")
// opens the list. Nothing is ever only in a tooltip.
class NoticeLog final : public QToolButton
{
    Q_OBJECT

public:
    struct Entry
    {
        QDateTime at;
        QString text;
        bool warning = false;
    };
    static constexpr int kMaxEntries = 500;

    explicit NoticeLog(QWidget *parent = nullptr);

    void add(const QString &text, bool warning = false);
    const QList<Entry> &entries() const { return m_entries; }
    // The whole log as plain text, newest last ("HH:mm:ss  text").
    QString text() const;
    // Opens (or raises) the window that lists the messages.
    void showLog();
    QPlainTextEdit *view() const { return m_view; }

private:
    void updateLabel();

    QList<Entry> m_entries;
    int m_unseenWarnings = 0;
    QWidget *m_window = nullptr;
    QPlainTextEdit *m_view = nullptr;
};

} // namespace portico::ui
