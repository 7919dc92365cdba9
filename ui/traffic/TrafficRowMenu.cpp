// The traffic inspector's row menu and the actions only it offers (copy URL, filter by a value,
// compare with a marked exchange): TrafficPage's, kept apart from the page's layout.
#include "ui/traffic/FilterBar.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"

#include <QApplication>
#include <QClipboard>
#include <QLineEdit>
#include <QMenu>
#include <QToolButton>

namespace portico::ui {

namespace {

// The filter field a column's value is matched by, or empty.
QString filterField(int column)
{
    switch (column) {
    case TrafficModel::Method:
        return QStringLiteral("method");
    case TrafficModel::Host:
        return QStringLiteral("host");
    case TrafficModel::Path:
        return QStringLiteral("path");
    case TrafficModel::Status:
        return QStringLiteral("status");
    case TrafficModel::Route:
        return QStringLiteral("route");
    case TrafficModel::Consumer:
        return QStringLiteral("consumer");
    case TrafficModel::Version:
        return QStringLiteral("version");
    case TrafficModel::Upstream:
        return QStringLiteral("upstream");
    default:
        return {};
    }
}

QString columnValue(const capture::ExchangeSummary &s, int column)
{
    switch (column) {
    case TrafficModel::Method:
        return s.method;
    case TrafficModel::Host:
        return s.host;
    case TrafficModel::Path:
        return s.path;
    case TrafficModel::Status:
        return s.status > 0 ? QString::number(s.status) : QString();
    case TrafficModel::Route:
        return s.route;
    case TrafficModel::Consumer:
        return s.consumer;
    case TrafficModel::Version:
        return s.apiVersion;
    case TrafficModel::Upstream:
        return s.upstream;
    default:
        return {};
    }
}

// A value as one filter term: quoted (with \ and " escaped) when it holds a space, a quote, a
// '|' or a wildcard, which would otherwise end or change the term.
QString quoted(const QString &value)
{
    static const QString special = QStringLiteral(" \t\"|*?\\");
    if (std::none_of(value.begin(), value.end(), [](QChar c) { return special.contains(c); }))
        return value;
    QString out = QStringLiteral("\"");
    for (QChar c : value) {
        if (c == u'"' || c == u'\\')
            out += u'\\';
        out += c;
    }
    return out + u'"';
}

} // namespace

void TrafficPage::copyUrl()
{
    const qint64 id = m_table->currentId();
    const int row = m_model->rowOfId(id);
    if (!id || row < 0)
        return;
    const QString url = m_model->summary(row).url;
    QApplication::clipboard()->setText(url);
    showNotice(tr("Copied the URL of #%1: %2").arg(id).arg(url), false);
}

bool TrafficPage::filterBy(int row, int column, bool exclude)
{
    const QString field = filterField(column);
    if (field.isEmpty() || row < 0 || row >= m_model->rowCount())
        return false;
    const QString value = columnValue(m_model->summary(row), column);
    if (value.isEmpty())
        return false;
    const QString term = (exclude ? QStringLiteral("-") : QString()) + field + u':' + quoted(value);
    const QString current = m_model->filterText().trimmed();
    const QString text = current.isEmpty() ? term : current + u' ' + term;
    m_filter->edit()->setText(text);
    return applyFilter(text);
}

QMenu *TrafficPage::rowMenu(int row, int column)
{
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("trafficRowMenu"));
    const qint64 id = m_model->idAt(row);
    const QList<qint64> selected = m_table->selectedIds();
    QAction *replay = menu->addAction(
        selected.size() > 1 ? tr("Replay %n Exchanges", nullptr, int(selected.size())) : tr("Replay"), this,
        &TrafficPage::replaySelected);
    replay->setEnabled(m_replay->isEnabled());
    menu->addAction(tr("Edit && Resend…"), this, &TrafficPage::editAndResend)
        ->setEnabled(m_edit->isEnabled());
    menu->addSeparator();
    menu->addAction(tr("Copy as curl"), this, &TrafficPage::copyAsCurl);
    menu->addAction(tr("Copy URL"), this, &TrafficPage::copyUrl);
    const QString field = filterField(column);
    const QString value
        = row >= 0 && row < m_model->rowCount() ? columnValue(m_model->summary(row), column) : QString();
    if (!field.isEmpty() && !value.isEmpty()) {
        menu->addSeparator();
        const QString shown = QFontMetrics(menu->font()).elidedText(value, Qt::ElideMiddle, 240);
        menu->addAction(
            tr("Only %1 %2").arg(field, shown), this, [this, row, column] { filterBy(row, column, false); });
        menu->addAction(
            tr("Hide %1 %2").arg(field, shown), this, [this, row, column] { filterBy(row, column, true); });
    }
    menu->addSeparator();
    if (selected.size() == 2) {
        menu->addAction(tr("Compare #%1 and #%2").arg(selected.at(0)).arg(selected.at(1)), this,
            &TrafficPage::compareSelected);
    } else if (m_compareMark && m_compareMark != id) {
        const qint64 mark = m_compareMark;
        menu->addAction(tr("Compare with #%1").arg(mark), this, [this, mark, id] { compare(mark, id); });
    }
    menu->addAction(tr("Compare with… (mark #%1)").arg(id), this, [this, id] {
        m_compareMark = id;
        showNotice(tr("#%1 marked: right-click another exchange and choose Compare with #%1").arg(id), false);
    });
    menu->addSeparator();
    QMenu *columns = m_table->columnsMenu();
    columns->setParent(menu, columns->windowFlags()); // goes with the row menu
    menu->addMenu(columns);
    return menu;
}

} // namespace portico::ui
