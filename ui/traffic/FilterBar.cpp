#include "ui/traffic/FilterBar.h"

#include "core/capture/FilterExpression.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStringListModel>
#include <QStyle>
#include <QVBoxLayout>

namespace portico::ui {

namespace {

// The word under the cursor: from the last space before it.
std::pair<int, QString> currentWord(const QLineEdit *edit)
{
    const QString text = edit->text().left(edit->cursorPosition());
    const int start = int(text.lastIndexOf(u' ')) + 1;
    QString word = text.mid(start);
    int offset = start;
    if (word.startsWith(u'-')) {
        word = word.mid(1);
        ++offset;
    }
    return { offset, word };
}

} // namespace

FilterBar::FilterBar(QWidget *parent)
    : QWidget(parent)
    , m_edit(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_completer(new QCompleter(this))
    , m_completions(new QStringListModel(this))
{
    m_edit->setObjectName(QStringLiteral("filterEdit"));
    m_edit->setPlaceholderText(
        tr("Filter: status:>=400 method:POST route:users duration:>200ms \"text\" …  (Return to apply)"));
    m_edit->setClearButtonEnabled(true);
    m_error->setObjectName(QStringLiteral("filterError"));
    m_error->setStyleSheet(QStringLiteral("color: #c62828; font-size: 11px;"));
    m_error->hide();
    m_completer->setModel(m_completions);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setWidget(m_edit);
    m_edit->installEventFilter(this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_edit);
    layout->addWidget(m_error);

    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        if (m_completer->popup()->isVisible())
            return;
        Q_EMIT filterRequested(m_edit->text());
    });
    connect(m_edit, &QLineEdit::textEdited, this, [this](const QString &text) {
        if (text.isEmpty()) {
            showError(0, {});
            Q_EMIT filterRequested(text);
            return;
        }
        updateCompletions();
    });
    connect(
        m_completer, qOverload<const QString &>(&QCompleter::activated), this, &FilterBar::insertCompletion);
}

QString FilterBar::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

void FilterBar::showError(int column, const QString &message)
{
    if (column <= 0 || message.isEmpty()) {
        m_error->hide();
        m_edit->setProperty("problem", false);
    } else {
        m_error->setText(tr("Column %1: %2").arg(column).arg(message));
        m_error->show();
        m_edit->setProperty("problem", true);
        // Select the offending term so it can be fixed in place.
        const QString text = m_edit->text();
        const int start = std::clamp(column - 1, 0, int(text.size()));
        int end = int(text.indexOf(u' ', start));
        if (end < 0)
            end = int(text.size());
        m_edit->setSelection(start, std::max(1, end - start));
    }
    m_edit->style()->unpolish(m_edit);
    m_edit->style()->polish(m_edit);
}

void FilterBar::updateCompletions()
{
    const auto [offset, word] = currentWord(m_edit);
    QStringList items;
    const int colon = int(word.indexOf(u':'));
    if (colon < 0) {
        if (word.isEmpty())
            return;
        for (const QString &f : capture::FilterExpression::fieldNames())
            items << f + u':';
    } else {
        const QString field = word.left(colon);
        for (const QString &v : capture::FilterExpression::valueCompletions(field))
            items << field + u':' + v;
    }
    m_completions->setStringList(items);
    m_completer->setCompletionPrefix(word);
    if (m_completer->completionCount() == 0
        || (m_completer->completionCount() == 1 && m_completer->currentCompletion() == word)) {
        m_completer->popup()->hide();
        return;
    }
    const int x = m_edit->fontMetrics().horizontalAdvance(m_edit->text().left(offset)) + 4;
    const QRect rect(x, 0, 260, m_edit->height());
    m_completer->complete(rect);
}

void FilterBar::insertCompletion(const QString &completion)
{
    const auto [offset, word] = currentWord(m_edit);
    QString text = m_edit->text();
    const int cursor = m_edit->cursorPosition();
    text.replace(offset, cursor - offset, completion);
    m_edit->setText(text);
    m_edit->setCursorPosition(offset + int(completion.size()));
    if (!completion.endsWith(u':'))
        m_completer->popup()->hide();
}

bool FilterBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress && m_completer->popup()->isVisible()) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Escape) {
            m_completer->popup()->hide();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace portico::ui
