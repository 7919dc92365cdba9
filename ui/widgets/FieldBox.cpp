#include "ui/widgets/FieldBox.h"

#include "ui/widgets/ParsedEdit.h"

#include <QLabel>
#include <QStyle>
#include <QVBoxLayout>

namespace portico::ui {

FieldBox::FieldBox(QWidget *editor, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
    , m_label(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(editor);
    layout->addWidget(m_label);
    m_label->setObjectName(QStringLiteral("fieldMessage"));
    m_label->setWordWrap(true);
    m_label->setStyleSheet(QStringLiteral("color: #c62828; font-size: 11px;"));
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->hide();
    if (auto *parsed = qobject_cast<ParsedEdit *>(editor))
        connect(parsed, &ParsedEdit::inputErrorChanged, this, &FieldBox::setInputError);
}

void FieldBox::setInputError(const QString &message)
{
    m_inputError = message;
    update();
}

void FieldBox::setDiagnostic(const QString &message)
{
    m_diagnostic = message;
    update();
}

QString FieldBox::message() const { return m_inputError.isEmpty() ? m_diagnostic : m_inputError; }

void FieldBox::update()
{
    const QString text = message();
    m_label->setText(text);
    m_label->setVisible(!text.isEmpty());
    const bool bad = !text.isEmpty();
    if (m_editor->property("problem").toBool() != bad) {
        m_editor->setProperty("problem", bad);
        m_editor->style()->unpolish(m_editor);
        m_editor->style()->polish(m_editor);
    }
    m_editor->setToolTip(text);
}

} // namespace portico::ui
