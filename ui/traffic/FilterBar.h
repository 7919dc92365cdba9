#pragma once

#include <QWidget>

class QCompleter;
class QLabel;
class QLineEdit;
class QStringListModel;

namespace portico::ui {

// The traffic filter: the filter language of `portico-cli traffic --filter`, with completion of
// field names ("status:") and, after a colon, of that field's values. Return applies it; a
// parse error is shown under the field with its column, and the offending term is selected.
class FilterBar final : public QWidget
{
    Q_OBJECT

public:
    explicit FilterBar(QWidget *parent = nullptr);

    QLineEdit *edit() const { return m_edit; }
    QString errorText() const;
    // Shows a parse error at 1-based `column` (0 clears it).
    void showError(int column, const QString &message);

Q_SIGNALS:
    // Return was pressed (or the field was cleared); the receiver parses and may call showError().
    void filterRequested(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateCompletions();
    void insertCompletion(const QString &completion);

    QLineEdit *m_edit;
    QLabel *m_error;
    QCompleter *m_completer;
    QStringListModel *m_completions;
};

} // namespace portico::ui
