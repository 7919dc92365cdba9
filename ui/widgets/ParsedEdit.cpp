#include "ui/widgets/ParsedEdit.h"

namespace portico::ui {

ParsedEdit::ParsedEdit(Checker checker, QWidget *parent)
    : QLineEdit(parent)
    , m_checker(std::move(checker))
{
    connect(this, &QLineEdit::editingFinished, this, &ParsedEdit::onEditingFinished);
    // Clear a stale error as soon as the user starts fixing it.
    connect(this, &QLineEdit::textEdited, this, [this](const QString &text) {
        if (!m_error.isEmpty() && m_checker(text.trimmed()).isEmpty())
            setError({});
    });
}

void ParsedEdit::setValueText(const QString &text)
{
    m_committedText = text;
    if (this->text() != text)
        setText(text);
    setError({});
}

void ParsedEdit::onEditingFinished()
{
    const QString text = this->text().trimmed();
    if (text == m_committedText && m_error.isEmpty())
        return;
    QString error;
    if (text.isEmpty())
        error = m_optional ? QString() : tr("a value is required");
    else
        error = m_checker(text);
    setError(error);
    if (!error.isEmpty())
        return;
    m_committedText = text;
    Q_EMIT committed(text);
}

void ParsedEdit::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    Q_EMIT inputErrorChanged(error);
}

} // namespace portico::ui
