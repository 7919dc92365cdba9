#pragma once

#include "ui/sections/ItemForm.h"

class QComboBox;
class QLineEdit;
class QPushButton;

namespace portico::ui {

class ListEdit;
class RowsEditor;

// One consumer: name, tier, groups, API keys (with generation) and JWT subject.
class ConsumerForm final : public ItemForm
{
    Q_OBJECT

public:
    explicit ConsumerForm(WorkspaceDocument *document, QWidget *parent = nullptr);

    // 32 random bytes from the system generator, base64url without padding (43 characters).
    static QString generateApiKey();

    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *tierCombo() const { return m_tier; }
    QPushButton *generateButton() const { return m_generate; }
    // Copies the selected key (the newest when none is selected) to the clipboard.
    QPushButton *copyButton() const { return m_copy; }
    void copyKey();
    RowsEditor *keysEditor() const { return m_keys; }

protected:
    void load(const config::Workspace &ws, int row) override;

private:
    QLineEdit *m_name;
    QComboBox *m_tier;
    ListEdit *m_groups;
    RowsEditor *m_keys;
    QPushButton *m_generate;
    QPushButton *m_copy;
    QLineEdit *m_subject;
};

} // namespace portico::ui
