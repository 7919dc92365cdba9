#include "ui/gateway/TargetHealth.h"

#include <QUrl>

namespace portico::ui {

TargetHealth::TargetHealth(QObject *parent)
    : QObject(parent)
{
}

void TargetHealth::setRunning(bool running)
{
    if (running == m_running)
        return;
    m_running = running;
    m_states.clear();
    Q_EMIT changed();
}

void TargetHealth::update(const QString &upstream, const QString &target, bool healthy)
{
    State &s = m_states[upstream][target];
    if (s.since.isValid() && s.healthy == healthy)
        return;
    s.healthy = healthy;
    s.since = QDateTime::currentDateTime();
    Q_EMIT changed();
}

QString TargetHealth::describe(const QString &upstream, const QStringList &targets, bool checked) const
{
    if (!m_running)
        return tr("Health: shown while the gateway runs.");
    const QHash<QString, State> known = m_states.value(upstream);
    QStringList parts;
    for (const QString &t : targets) {
        // The gateway names a target by its URL; the form's text may differ in a trailing '/'.
        auto it = known.constFind(t);
        if (it == known.cend())
            it = known.constFind(QUrl(t).toString(QUrl::StripTrailingSlash));
        const QString name = t.toHtmlEscaped();
        if (it == known.cend())
            parts << (checked
                    ? tr("<span style=\"color:#15803d\">● %1 in rotation (no failed check)</span>").arg(name)
                    : tr("<span style=\"color:#15803d\">● %1 in rotation</span>").arg(name));
        else if (it->healthy)
            parts << tr("<span style=\"color:#15803d\">● %1 up since %2</span>")
                         .arg(name, it->since.toString(QStringLiteral("HH:mm:ss")));
        else
            parts << tr("<span style=\"color:#b91c1c\">● %1 down since %2</span>")
                         .arg(name, it->since.toString(QStringLiteral("HH:mm:ss")));
    }
    if (parts.isEmpty())
        return tr("Health: no targets.");
    QString text = parts.join(QStringLiteral("<br>"));
    if (!checked)
        text += tr("<br><span style=\"color:#6b7280\">No health check: a target leaves rotation only after "
                   "failed connections.</span>");
    return text;
}

} // namespace portico::ui
