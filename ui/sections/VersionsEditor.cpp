#include "ui/sections/VersionsEditor.h"

#include "ui/models/RowsModel.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/RowsDelegate.h"
#include "ui/widgets/RowsEditor.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableView>

namespace portico::ui {

using config::Versions;

VersionsEditor::VersionsEditor(QWidget *parent)
    : QWidget(parent)
    , m_by(new QComboBox(this))
    , m_header(new QLineEdit(this))
    , m_map(new RowsEditor(
          { tr("Version"), tr("Upstream"), tr("Deprecated"), tr("Since"), tr("Sunset"), tr("Link") }, this))
    , m_default(new QComboBox(this))
{
    m_by->addItem(tr("path prefix (/v1/…)"), int(Versions::By::Path));
    m_by->addItem(tr("request header"), int(Versions::By::Header));
    m_header->setPlaceholderText(QStringLiteral("X-API-Version"));
    m_map->model()->setCheckColumn(DeprecatedColumn);
    m_map->model()->setPlaceholder(SinceColumn, tr("no date"));
    m_map->model()->setPlaceholder(SunsetColumn, tr("none"));
    m_map->delegate()->setDateColumn(SinceColumn);
    m_map->delegate()->setDateColumn(SunsetColumn);
    m_map->setNewRow({ QString(), QString(), QStringLiteral("false") });
    // Six columns in a form pane: each as wide as its contents, the link taking what is left;
    // squeezed evenly, the titles were cut ("Jpstream") and the table scrolled sideways.
    for (int c = VersionColumn; c < LinkColumn; ++c)
        m_map->view()->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_map->view()->horizontalHeader()->setSectionResizeMode(LinkColumn, QHeaderView::Stretch);

    auto *byRow = new QWidget(this);
    auto *byLayout = new QHBoxLayout(byRow);
    byLayout->setContentsMargins(0, 0, 0, 0);
    byLayout->addWidget(m_by);
    byLayout->addWidget(m_header, 1);

    auto *form = makeForm(this);
    FieldBox *by = addField(form, tr("Version from"), byRow);
    FieldBox *map = addField(form, tr("Versions"), m_map);
    m_fields = { { QStringLiteral("by"), by },
                 { QStringLiteral("header"), by },
                 { QStringLiteral("map"), map },
                 { QStringLiteral("deprecated"), map },
                 { QStringLiteral("default"), addField(form, tr("Default"), m_default) } };

    connect(m_by, &QComboBox::activated, this, [this] {
        m_versions.by = Versions::By(m_by->currentData().toInt());
        m_header->setEnabled(m_versions.by == Versions::By::Header);
        Q_EMIT edited(m_versions, tr("version source"));
    });
    connect(m_header, &QLineEdit::editingFinished, this, [this] {
        m_versions.header = m_header->text().trimmed();
        Q_EMIT edited(m_versions, tr("version header"));
    });
    connect(m_map, &RowsEditor::rowsEdited, this, [this](const QList<QStringList> &rows) {
        m_versions = fromRows(m_versions, rows);
        Q_EMIT edited(m_versions, tr("version map"));
    });
    connect(m_default, &QComboBox::activated, this, [this] {
        m_versions.defaultVersion = m_default->currentText();
        Q_EMIT edited(m_versions, tr("default version"));
    });
}

QList<QStringList> VersionsEditor::toRows(const Versions &v)
{
    QList<QStringList> rows;
    for (const auto &[version, upstream] : v.map) {
        QStringList row { version, upstream, QStringLiteral("false"), QString(), QString(), QString() };
        for (const auto &[name, deprecation] : v.deprecated) {
            if (name == version) {
                row[DeprecatedColumn] = QStringLiteral("true");
                row[SinceColumn]
                    = deprecation.since.isValid() ? deprecation.since.toString(Qt::ISODate) : QString();
                row[SunsetColumn] = deprecation.sunset.isValid() ? deprecation.sunset.toString(Qt::ISODate) : QString();
                row[LinkColumn] = deprecation.link;
            }
        }
        rows << row;
    }
    return rows;
}

Versions VersionsEditor::fromRows(const Versions &base, const QList<QStringList> &rows)
{
    Versions v = base;
    v.map.clear();
    v.deprecated.clear();
    for (const QStringList &r : rows) {
        v.map.append({ r.value(VersionColumn), r.value(UpstreamColumn) });
        const bool deprecated = r.value(DeprecatedColumn) == u"true" || !r.value(SinceColumn).isEmpty()
            || !r.value(SunsetColumn).isEmpty() || !r.value(LinkColumn).isEmpty();
        if (deprecated)
            v.deprecated.append({ r.value(VersionColumn),
                config::Deprecation { QDate::fromString(r.value(SunsetColumn), Qt::ISODate),
                    r.value(LinkColumn), QDate::fromString(r.value(SinceColumn), Qt::ISODate) } });
    }
    return v;
}

void VersionsEditor::setVersions(const Versions &versions, const QStringList &upstreams)
{
    m_versions = versions;
    m_by->setCurrentIndex(m_by->findData(int(versions.by)));
    m_header->setText(versions.header);
    m_header->setEnabled(versions.by == Versions::By::Header);
    m_map->delegate()->setChoices(UpstreamColumn, upstreams);
    m_map->setRows(toRows(versions));
    m_default->clear();
    for (const auto &entry : versions.map)
        m_default->addItem(entry.first);
    if (!versions.defaultVersion.isEmpty() && m_default->findText(versions.defaultVersion) < 0)
        m_default->addItem(versions.defaultVersion);
    m_default->setCurrentIndex(m_default->findText(versions.defaultVersion));
}

} // namespace portico::ui
