#pragma once

#include <QObject>

class QLabel;
class QUrl;
class QStatusBar;

namespace portico::ui {

// The status bar's permanent fields: listeners, admin API, live requests per second, capture size,
// problems.
class StatusPanel final : public QObject
{
    Q_OBJECT

public:
    explicit StatusPanel(QStatusBar *bar);

    void setListeners(const QStringList &urls); // empty = gateway stopped
    void setRequestsPerSecond(double rps);
    void setCaptureSize(qint64 exchanges, qint64 bytes);
    void setProblems(int count);
    // Where the admin API answers (hidden when off), or why it could not start.
    void setAdmin(const QUrl &url, const QString &problem);
    // The shared rate-limit store (rate_limit_store.redis): where, and whether it answers (-1 not
    // yet known, 0 no, 1 yes). Hidden when `where` is empty (limits kept in this process).
    void setRateLimitStore(const QString &where, int answering, const QString &onError);
    QLabel *listenersLabel() const { return m_listeners; }
    QLabel *adminLabel() const { return m_admin; }

Q_SIGNALS:
    void problemsClicked();

private:
    QLabel *m_listeners;
    QLabel *m_admin;
    QLabel *m_rate;
    QLabel *m_capture;
    QLabel *m_store;
    QLabel *m_problems;
};

} // namespace portico::ui
