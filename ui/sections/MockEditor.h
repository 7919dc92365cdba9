#pragma once

#include "core/config/Workspace.h"
#include "ui/sections/ItemForm.h"

#include <QWidget>

class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace portico::ui {

class DurationEdit;
class RowsEditor;

// A mock answer: status, headers, body (inline or from a file) and an optional delay.
class MockEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit MockEditor(QWidget *parent = nullptr);

    void setMock(const config::Mock &mock);
    ItemForm::Fields fields() const { return m_fields; }

Q_SIGNALS:
    void edited(const config::Mock &mock, const QString &what);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QSpinBox *m_status;
    RowsEditor *m_headers;
    QPlainTextEdit *m_body;
    QLineEdit *m_bodyFile;
    DurationEdit *m_delay;
    config::Mock m_mock;
    ItemForm::Fields m_fields;
};

} // namespace portico::ui
