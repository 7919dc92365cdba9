#pragma once

#include "core/config/Workspace.h"
#include "ui/sections/ItemForm.h"

#include <QWidget>

class QComboBox;
class QLineEdit;

namespace portico::ui {

class RowsEditor;

// A route's version map: how the version is read (path prefix or header), which upstream serves
// each version, the default, and deprecations with their sunset date and link.
class VersionsEditor final : public QWidget
{
    Q_OBJECT

public:
    enum Column { VersionColumn, UpstreamColumn, DeprecatedColumn, SinceColumn, SunsetColumn, LinkColumn };

    explicit VersionsEditor(QWidget *parent = nullptr);

    void setVersions(const config::Versions &versions, const QStringList &upstreams);
    // Keys relative to the route's "versions".
    ItemForm::Fields fields() const { return m_fields; }
    RowsEditor *mapEditor() const { return m_map; }
    QComboBox *defaultCombo() const { return m_default; }

    static QList<QStringList> toRows(const config::Versions &v);
    // Rebuilds map and deprecations from the table; by/header/default are kept from `base`.
    static config::Versions fromRows(const config::Versions &base, const QList<QStringList> &rows);

Q_SIGNALS:
    void edited(const config::Versions &versions, const QString &what);

private:
    QComboBox *m_by;
    QLineEdit *m_header;
    RowsEditor *m_map;
    QComboBox *m_default;
    config::Versions m_versions;
    ItemForm::Fields m_fields;
};

} // namespace portico::ui
