#pragma once

#include "core/config/Workspace.h"
#include "ui/sections/ItemForm.h"

#include <QGroupBox>

class QComboBox;
class QLineEdit;

namespace portico::ui {

class CheckList;
class ListEdit;
class RowsEditor;

// What a route matches: path (prefix, exact or regex), methods, hosts and exact header values.
class RouteMatchEditor final : public QGroupBox
{
    Q_OBJECT

public:
    explicit RouteMatchEditor(QWidget *parent = nullptr);

    void setMatch(const config::RouteMatch &match);
    // Keys relative to the route's "match".
    ItemForm::Fields fields() const { return m_fields; }
    QLineEdit *pathEdit() const { return m_path; }
    CheckList *methods() const { return m_methods; }

Q_SIGNALS:
    void edited(const config::RouteMatch &match, const QString &what);

private:
    QComboBox *m_kind;
    QLineEdit *m_path;
    CheckList *m_methods;
    ListEdit *m_hosts;
    RowsEditor *m_headers;
    config::RouteMatch m_match;
    ItemForm::Fields m_fields;
};

} // namespace portico::ui
