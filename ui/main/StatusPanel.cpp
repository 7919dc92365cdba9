#include "ui/main/StatusPanel.h"


#include <QLabel>
#include <QLocale>
#include <QStatusBar>
#include <QUrl>

namespace portico::ui {

StatusPanel::StatusPanel(QStatusBar *bar)
    : QObject(bar)
    , m_listeners(new QLabel(bar))
    , m_admin(new QLabel(bar))
    , m_rate(new QLabel(bar))
    , m_capture(new QLabel(bar))
    , m_store(new QLabel(bar))
    , m_problems(new QLabel(bar))
{
    for (QLabel *l : { m_problems, m_listeners, m_admin, m_rate, m_capture, m_store }) {
        l->setContentsMargins(8, 0, 8, 0);
        bar->addPermanentWidget(l);
    }
    m_problems->setTextFormat(Qt::RichText);
    connect(m_problems, &QLabel::linkActivated, this, &StatusPanel::problemsClicked);
    setListeners({});
    setAdmin(QUrl(), QString());
    setRequestsPerSecond(0);
    setCaptureSize(0, 0);
    setProblems(0);
    setRateLimitStore(QString(), -1, QString());
}

void StatusPanel::setRateLimitStore(const QString &where, int answering, const QString &onError)
{
    m_store->setVisible(!where.isEmpty());
    if (answering == 0)
        m_store->setText(tr("⚠ Redis %1 not answering: rate limits %2")
                             .arg(where, onError == u"deny" ? tr("refuse requests (503)") : tr("are off")));
    else
        m_store->setText(answering > 0 ? tr("Rate limits shared via Redis %1").arg(where)
                                       : tr("Rate limits: connecting to Redis %1").arg(where));
}

void StatusPanel::setListeners(const QStringList &urls)
{
    m_listeners->setText(urls.isEmpty() ? tr("● Gateway stopped") : tr("● Listening on %1").arg(urls.join(QStringLiteral(", "))));
    m_listeners->setStyleSheet(urls.isEmpty() ? QStringLiteral("color: #757575;") : QStringLiteral("color: #2e7d32;"));
}

void StatusPanel::setAdmin(const QUrl &url, const QString &problem)
{
    if (!problem.isEmpty()) {
        m_admin->setText(tr("⚠ Admin API not started: %1").arg(problem));
        m_admin->setStyleSheet(QStringLiteral("color: #c62828;"));
    } else {
        m_admin->setText(tr("Admin API on %1").arg(url.toString()));
        m_admin->setStyleSheet(QStringLiteral("color: #757575;"));
    }
    m_admin->setVisible(!problem.isEmpty() || !url.isEmpty());
}

void StatusPanel::setRequestsPerSecond(double rps)
{
    m_rate->setText(tr("%1 req/s").arg(QLocale().toString(rps, 'f', rps < 10 ? 1 : 0)));
}

void StatusPanel::setCaptureSize(qint64 exchanges, qint64 bytes)
{
    m_capture->setText(tr("Capture: %1 exchanges, %2").arg(QLocale().toString(exchanges), QLocale().formattedDataSize(bytes)));
}

void StatusPanel::setProblems(int count)
{
    m_problems->setText(count == 0 ? tr("✓ Valid")
                                   : tr("<a href=\"#\" style=\"color:#c62828\">⚠ %n problem(s)</a>", nullptr, count));
}

} // namespace portico::ui
