#pragma once

#include <QWidget>

class QLabel;

namespace portico::ui {

// An editor with its message underneath: the problem the editor found in what was typed (input
// error) or, failing that, what validateWorkspace() says about the value (diagnostic). The editor
// gets a red frame while there is a message.
class FieldBox final : public QWidget
{
    Q_OBJECT

public:
    explicit FieldBox(QWidget *editor, QWidget *parent = nullptr);

    QWidget *editor() const { return m_editor; }
    void setInputError(const QString &message);
    void setDiagnostic(const QString &message);
    // What is shown: the input error if any, else the diagnostic; empty when all is well.
    QString message() const;

private:
    void update();

    QWidget *m_editor;
    QLabel *m_label;
    QString m_inputError;
    QString m_diagnostic;
};

} // namespace portico::ui
