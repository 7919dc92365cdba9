#pragma once

#include <QObject>

class QLabel;
class QStatusBar;

namespace portico::ui {

// The status bar's permanent fields: listeners, live requests per second, capture size, problems.
class StatusPanel final : public QObject
{
    Q_OBJECT

public:
    explicit StatusPanel(QStatusBar *bar);

    void setListeners(const QStringList &urls); // empty = gateway stopped
    void setRequestsPerSecond(double rps);
    void setCaptureSize(qint64 exchanges, qint64 bytes);
    void setProblems(int count);
    QLabel *listenersLabel() const { return m_listeners; }

Q_SIGNALS:
    void problemsClicked();

private:
    QLabel *m_listeners;
    QLabel *m_rate;
    QLabel *m_capture;
    QLabel *m_problems;
};

} // namespace portico::ui
