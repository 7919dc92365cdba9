#include "ui/widgets/NoticeLog.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace portico::ui {

NoticeLog::NoticeLog(QWidget *parent)
    : QToolButton(parent)
{
    setObjectName(QStringLiteral("noticeLog"));
    setAutoRaise(true);
    setToolTip(tr("Every message shown in the status bar and beside the inspector's buttons, in full"));
    connect(this, &QToolButton::clicked, this, &NoticeLog::showLog);
    updateLabel();
}

void NoticeLog::add(const QString &text, bool warning)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return;
    // The same message again (a status bar refresh) is not news.
    if (!m_entries.isEmpty() && m_entries.last().text == t
        && m_entries.last().at.secsTo(QDateTime::currentDateTime()) < 2)
        return;
    m_entries.append({ QDateTime::currentDateTime(), t, warning });
    if (m_entries.size() > kMaxEntries)
        m_entries.removeFirst();
    if (warning && !(m_window && m_window->isVisible()))
        ++m_unseenWarnings;
    if (m_view)
        m_view->appendPlainText(
            QStringLiteral("%1  %2").arg(m_entries.last().at.toString(QStringLiteral("HH:mm:ss")), t));
    updateLabel();
}

QString NoticeLog::text() const
{
    QStringList lines;
    for (const Entry &e : m_entries)
        lines << QStringLiteral("%1  %2").arg(e.at.toString(QStringLiteral("HH:mm:ss")), e.text);
    return lines.join(u'\n');
}

void NoticeLog::showLog()
{
    if (!m_window) {
        auto *dialog = new QDialog(window());
        dialog->setObjectName(QStringLiteral("noticeLogWindow"));
        dialog->setWindowTitle(tr("Messages"));
        m_view = new QPlainTextEdit(dialog);
        m_view->setReadOnly(true);
        m_view->setLineWrapMode(QPlainTextEdit::WidgetWidth);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
        QPushButton *clear = buttons->addButton(tr("Clear"), QDialogButtonBox::ResetRole);
        connect(clear, &QPushButton::clicked, this, [this] {
            m_entries.clear();
            m_view->clear();
            updateLabel();
        });
        connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::hide);
        auto *layout = new QVBoxLayout(dialog);
        layout->addWidget(m_view, 1);
        layout->addWidget(buttons);
        dialog->resize(720, 360);
        m_window = dialog;
    }
    m_view->setPlainText(text());
    m_unseenWarnings = 0;
    updateLabel();
    m_window->show();
    m_window->raise();
}

void NoticeLog::updateLabel()
{
    QString label = tr("Messages (%1)").arg(m_entries.size());
    if (m_unseenWarnings > 0)
        label = QStringLiteral("⚠ ") + label;
    setText(label);
}

} // namespace portico::ui
