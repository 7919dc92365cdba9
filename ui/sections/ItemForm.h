#pragma once

#include "core/config/Diagnostic.h"
#include "core/config/Workspace.h"

#include <QHash>
#include <QWidget>

#include <functional>

class QLabel;
class QVBoxLayout;

namespace portico::ui {

class FieldBox;
class WorkspaceDocument;

// The form beside a section's table: shows one item of the workspace and turns each committed
// field into one undoable document edit. Fields are bound to their key path inside the item
// ("match.path", "targets") so that validateWorkspace() messages appear under the field they are
// about; messages about no bound field appear in a box at the top of the form.
class ItemForm : public QWidget
{
    Q_OBJECT

public:
    // Sub-editors list their fields relative to themselves; the form binds them under a prefix.
    using Fields = QList<std::pair<QString, FieldBox *>>;

    explicit ItemForm(WorkspaceDocument *document, QWidget *parent = nullptr);

    WorkspaceDocument *document() const { return m_document; }
    int row() const { return m_row; }
    // Loads item `row` of the document's workspace, or disables the form for -1.
    void setRow(int row);
    // Shows the diagnostics under `prefixes` next to their fields.
    void showDiagnostics(const config::Diagnostics &all, const QStringList &prefixes);
    // The message shown under a bound field (tests and the problems panel's "go to").
    FieldBox *field(const QString &key) const { return m_fields.value(key); }

protected:
    virtual void load(const config::Workspace &ws, int row) = 0;
    // The layout that subclasses fill (below the general message box).
    QVBoxLayout *body() const { return m_body; }
    void bind(const QString &key, FieldBox *field);
    void bind(const QString &prefix, const Fields &fields);
    // One undo step changing the shown item; `text` names it ("Edit route path").
    void editItem(const QString &text, const std::function<void(config::Workspace &ws, int row)> &change);

private:
    WorkspaceDocument *m_document;
    QLabel *m_general;
    QVBoxLayout *m_body;
    QHash<QString, FieldBox *> m_fields;
    int m_row = -1;
};

} // namespace portico::ui
