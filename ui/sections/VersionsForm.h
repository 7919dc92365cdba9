#pragma once

#include "ui/sections/ItemForm.h"

class QLabel;

namespace portico::ui {

class VersionsEditor;

// The version map of one versioned route (the Versions section's form).
class VersionsForm final : public ItemForm
{
    Q_OBJECT

public:
    explicit VersionsForm(WorkspaceDocument *document, QWidget *parent = nullptr);

    VersionsEditor *editor() const { return m_editor; }

protected:
    void load(const config::Workspace &ws, int row) override;

private:
    QLabel *m_title;
    VersionsEditor *m_editor;
};

} // namespace portico::ui
