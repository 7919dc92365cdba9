#pragma once

#include <QLineEdit>

#include <functional>

namespace portico::ui {

// A line edit whose text must parse (durations, sizes, addresses, URLs). Text is checked when the
// edit is committed (Return or focus out): good text emits committed(), bad text keeps the previous
// value and reports inputErrorChanged() with the parser's message for a FieldBox to show.
class ParsedEdit : public QLineEdit
{
    Q_OBJECT

public:
    // Returns an empty string when `text` is acceptable, else the problem.
    using Checker = std::function<QString(const QString &text)>;

    explicit ParsedEdit(Checker checker, QWidget *parent = nullptr);

    // Sets the text without emitting committed() and clears any input error.
    void setValueText(const QString &text);
    QString inputError() const { return m_error; }
    // An empty field is acceptable (an unset optional value).
    void setOptional(bool optional) { m_optional = optional; }
    bool isOptional() const { return m_optional; }

Q_SIGNALS:
    void committed(const QString &text);
    void inputErrorChanged(const QString &message);

private:
    void onEditingFinished();
    void setError(const QString &error);

    Checker m_checker;
    QString m_error;
    QString m_committedText;
    bool m_optional = false;
};

} // namespace portico::ui
