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
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace portico::ui {

using Change = capture::ExchangeDiff::Change;

namespace {

// The request of `e` in the response's place, so that diffExchanges() compares requests.
capture::Exchange requestAsResponse(const capture::Exchange &e)
{
    capture::Exchange r;
    r.id = e.id;
    r.responseHeaders = e.requestHeaders;
    r.responseBody = e.requestBody;
    return r;
}

QString bodyText(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    return doc.isNull() ? QString::fromUtf8(body) : QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
}

QTableWidget *makeChangesTable(const QList<Change> &changes, qint64 a, qint64 b, QWidget *parent)
{
    auto *table = new QTableWidget(parent);
    table->setColumnCount(3);
    table->setHorizontalHeaderLabels(
        { QObject::tr("Where"), QObject::tr("#%1").arg(a), QObject::tr("#%1").arg(b) });
    table->setRowCount(int(changes.size()));
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int i = 0; i < changes.size(); ++i) {
        const Change &c = changes.at(i);
        const QColor tint = c.kind == Change::Kind::Added ? QColor(0xdc, 0xfc, 0xe7)
            : c.kind == Change::Kind::Removed             ? QColor(0xfe, 0xe2, 0xe2)
                                                          : QColor(0xfe, 0xf9, 0xc3);
        const QString cells[] = { c.where, c.before, c.after };
        for (int col = 0; col < 3; ++col) {
            auto *item = new QTableWidgetItem(cells[col]);
            item->setBackground(tint);
            item->setToolTip(cells[col]);
            table->setItem(i, col, item);
        }
    }
    return table;
}

// One tab: what differs, above both texts in full.
QWidget *pane(
    QTableWidget *changes, const QString &summary, const QString &left, const QString &right, QWidget *parent)
{
    auto *page = new QWidget(parent);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto *sides = new QSplitter(Qt::Horizontal, page);
    for (const QString &text : { left, right }) {
        auto *e = new QPlainTextEdit(sides);
        e->setReadOnly(true);
        e->setFont(mono);
        e->setLineWrapMode(QPlainTextEdit::NoWrap);
        e->setPlainText(text);
        sides->addWidget(e);
    }
    auto *split = new QSplitter(Qt::Vertical, page);
    split->addWidget(changes);
    split->addWidget(sides);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(new QLabel(summary, page));
    layout->addWidget(split, 1);
    return page;
}

} // namespace

DiffDialog::DiffDialog(const capture::Exchange &a, const capture::Exchange &b, QWidget *parent)
    : QDialog(parent)
    , m_tabs(new QTabWidget(this))
{
    setWindowTitle(tr("Compare exchanges %1 and %2").arg(a.id).arg(b.id));
    const QStringList ignored { QStringLiteral("date"), QStringLiteral("x-request-id") };
    const capture::ExchangeDiff responses = capture::diffExchanges(a, b, ignored);
    m_changes = makeChangesTable(responses.changes, a.id, b.id, this);
    m_changes->setObjectName(QStringLiteral("diffChanges"));

    capture::ExchangeDiff requests
        = capture::diffExchanges(requestAsResponse(a), requestAsResponse(b), ignored);
    if (a.url != b.url)
        requests.changes.prepend({ Change::Kind::Changed, QStringLiteral("url"), a.url, b.url });
    if (a.method != b.method)
        requests.changes.prepend({ Change::Kind::Changed, QStringLiteral("method"), a.method, b.method });
    m_requestChanges = makeChangesTable(requests.changes, a.id, b.id, this);
    m_requestChanges->setObjectName(QStringLiteral("diffRequestChanges"));

    m_tabs->addTab(pane(m_changes,
                       responses.isEmpty()
                           ? tr("The responses are the same.")
                           : tr("%n difference(s) in the responses.", nullptr, int(responses.changes.size())),
                       responseText(a), responseText(b), this),
        tr("Responses (%1)").arg(responses.changes.size()));
    m_tabs->addTab(pane(m_requestChanges,
                       requests.changes.isEmpty()
                           ? tr("The requests are the same.")
                           : tr("%n difference(s) in the requests.", nullptr, int(requests.changes.size())),
                       requestText(a), requestText(b), this),
        tr("Requests (%1)").arg(requests.changes.size()));
    if (responses.isEmpty() && !requests.changes.isEmpty())
        m_tabs->setCurrentIndex(1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(buttons);
    resize(1000, 680);
}

QString DiffDialog::responseText(const capture::Exchange &e)
{
    QString text = QStringLiteral("#%1  %2 %3\nHTTP %4\n").arg(e.id).arg(e.method, e.url).arg(e.status);
    text += ExchangeDetails::headText(e.responseHeaders);
    text += u'\n';
    return text + bodyText(e.responseBody);
}

QString DiffDialog::requestText(const capture::Exchange &e)
{
    QString text = QStringLiteral("#%1  %2 %3\n").arg(e.id).arg(e.method, e.url);
    text += ExchangeDetails::headText(e.requestHeaders);
    text += u'\n';
    return text + bodyText(e.requestBody);
}

} // namespace portico::ui
