#include "ui/sections/MockEditor.h"

#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/KeyValueRows.h"
#include "ui/widgets/RowsEditor.h"

#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>

namespace portico::ui {

MockEditor::MockEditor(QWidget *parent)
    : QWidget(parent)
    , m_status(new QSpinBox(this))
    , m_headers(new RowsEditor({ tr("Header"), tr("Value") }, this))
    , m_body(new QPlainTextEdit(this))
    , m_bodyFile(new QLineEdit(this))
    , m_delay(new DurationEdit(this))
{
    m_status->setRange(100, 599);
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setPlaceholderText(QStringLiteral("{\"status\":\"ok\"}"));
    m_body->setFixedHeight(110);
    m_body->installEventFilter(this);
    m_bodyFile->setPlaceholderText(tr("or a file, relative to the workspace"));
    m_delay->setPlaceholderText(QStringLiteral("0"));

    auto *form = makeForm(this);
    m_fields = { { QStringLiteral("status"), addField(form, tr("Status"), m_status) },
                 { QStringLiteral("headers"), addField(form, tr("Headers"), m_headers) },
                 { QStringLiteral("body"), addField(form, tr("Body"), m_body) },
                 { QStringLiteral("body_file"), addField(form, tr("Body file"), m_bodyFile) },
                 { QStringLiteral("delay"), addField(form, tr("Delay"), m_delay) } };

    connect(m_status, &QSpinBox::editingFinished, this, [this] {
        m_mock.status = m_status->value();
        Q_EMIT edited(m_mock, tr("mock status"));
    });
    connect(m_headers, &RowsEditor::rowsEdited, this, [this](const QList<QStringList> &rows) {
        m_mock.headers = toKeyValues(rows);
        Q_EMIT edited(m_mock, tr("mock headers"));
    });
    connect(m_bodyFile, &QLineEdit::editingFinished, this, [this] {
        m_mock.bodyFile = m_bodyFile->text().trimmed();
        Q_EMIT edited(m_mock, tr("mock body file"));
    });
    connect(m_delay, &DurationEdit::durationCommitted, this, [this](auto d) {
        m_mock.delay = d.value_or(config::Duration {});
        Q_EMIT edited(m_mock, tr("mock delay"));
    });
}

bool MockEditor::eventFilter(QObject *watched, QEvent *event)
{
    // A multi-line body is committed when the editor loses focus, like a line edit.
    if (watched == m_body && event->type() == QEvent::FocusOut && m_body->toPlainText() != m_mock.body) {
        m_mock.body = m_body->toPlainText();
        Q_EMIT edited(m_mock, tr("mock body"));
    }
    return QWidget::eventFilter(watched, event);
}

void MockEditor::setMock(const config::Mock &mock)
{
    m_mock = mock;
    m_status->setValue(mock.status);
    m_headers->setRows(toRows(mock.headers));
    if (m_body->toPlainText() != mock.body)
        m_body->setPlainText(mock.body);
    m_bodyFile->setText(mock.bodyFile);
    m_delay->setDuration(mock.delay);
}

} // namespace portico::ui
