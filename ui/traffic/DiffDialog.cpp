#include "ui/traffic/DiffDialog.h"

#include "core/capture/ExchangeDiff.h"
#include "ui/traffic/ExchangeDetails.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace portico::ui {

using Change = capture::ExchangeDiff::Change;

DiffDialog::DiffDialog(const capture::Exchange &a, const capture::Exchange &b, QWidget *parent)
    : QDialog(parent)
    , m_changes(new QTableWidget(this))
    , m_left(new QPlainTextEdit(this))
    , m_right(new QPlainTextEdit(this))
{
    setWindowTitle(tr("Compare exchanges %1 and %2").arg(a.id).arg(b.id));
    const capture::ExchangeDiff diff
        = capture::diffExchanges(a, b, { QStringLiteral("date"), QStringLiteral("x-request-id") });
    m_changes->setObjectName(QStringLiteral("diffChanges"));
    m_changes->setColumnCount(3);
    m_changes->setHorizontalHeaderLabels({ tr("Where"), tr("#%1").arg(a.id), tr("#%1").arg(b.id) });
    m_changes->setRowCount(int(diff.changes.size()));
    m_changes->verticalHeader()->hide();
    m_changes->horizontalHeader()->setStretchLastSection(true);
    m_changes->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_changes->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int i = 0; i < diff.changes.size(); ++i) {
        const Change &c = diff.changes.at(i);
        const QColor tint = c.kind == Change::Kind::Added ? QColor(0xdc, 0xfc, 0xe7)
            : c.kind == Change::Kind::Removed             ? QColor(0xfe, 0xe2, 0xe2)
                                                          : QColor(0xfe, 0xf9, 0xc3);
        const QString cells[] = { c.where, c.before, c.after };
        for (int col = 0; col < 3; ++col) {
            auto *item = new QTableWidgetItem(cells[col]);
            item->setBackground(tint);
            item->setToolTip(cells[col]);
            m_changes->setItem(i, col, item);
        }
    }
    auto *summary = new QLabel(diff.isEmpty()
            ? tr("The responses are the same.")
            : tr("%n difference(s) in the responses.", nullptr, int(diff.changes.size())),
        this);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (QPlainTextEdit *e : { m_left, m_right }) {
        e->setReadOnly(true);
        e->setFont(mono);
        e->setLineWrapMode(QPlainTextEdit::NoWrap);
    }
    m_left->setPlainText(responseText(a));
    m_right->setPlainText(responseText(b));
    auto *sides = new QSplitter(Qt::Horizontal, this);
    sides->addWidget(m_left);
    sides->addWidget(m_right);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_changes);
    split->addWidget(sides);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    resize(1000, 680);
}

QString DiffDialog::responseText(const capture::Exchange &e)
{
    QString text = QStringLiteral("#%1  %2 %3\nHTTP %4\n").arg(e.id).arg(e.method, e.url).arg(e.status);
    text += ExchangeDetails::headText(e.responseHeaders);
    text += u'\n';
    const QJsonDocument doc = QJsonDocument::fromJson(e.responseBody);
    text += doc.isNull() ? QString::fromUtf8(e.responseBody)
                         : QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
    return text;
}

} // namespace portico::ui
