#pragma once

#include <QDateTime>
#include <QHash>
#include <QObject>

namespace portico::ui {

// What the running gateway says about its upstream targets (active health checks and passive
// ejections that end in a verdict): up or down, and since when. Emptied when the gateway stops.
class TargetHealth final : public QObject
{
    Q_OBJECT

public:
    struct State
    {
        bool healthy = true;
        QDateTime since;
    };

    explicit TargetHealth(QObject *parent = nullptr);

    void setRunning(bool running);
    bool isRunning() const { return m_running; }
    void update(const QString &upstream, const QString &target, bool healthy);
    // The targets of `upstream` the gateway reported on (by target URL).
    QHash<QString, State> states(const QString &upstream) const { return m_states.value(upstream); }
    // One line of rich text for the Upstreams form: each target of `upstream` (as configured)
    // with its state, or why there is none to show.
    QString describe(const QString &upstream, const QStringList &targets, bool checked) const;

Q_SIGNALS:
    void changed();

private:
    QHash<QString, QHash<QString, State>> m_states;
    bool m_running = false;
};

} // namespace portico::ui
