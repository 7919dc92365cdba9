#include "ui/traffic/TrafficPage.h"

#include "core/capture/CaptureStore.h"
#include "core/capture/Curl.h"
#include "core/capture/Har.h"
#include "core/capture/Replayer.h"
#include "ui/traffic/DiffDialog.h"
#include "ui/traffic/ExchangeDetails.h"
#include "ui/traffic/FilterBar.h"
#include "ui/traffic/ReplayDialog.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficTable.h"
#include "ui/widgets/SaveFolder.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace portico::ui {

namespace {

QToolButton *button(QWidget *parent, const QString &text, const QString &tip)
{
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

} // namespace

TrafficPage::TrafficPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new TrafficModel(this))
    , m_table(new TrafficTable(m_model, this))
    , m_filter(new FilterBar(this))
    , m_details(new ExchangeDetails(this))
    , m_count(new QLabel(this))
    , m_notice(new QLabel(this))
    , m_replay(button(this, tr("Replay"), tr("Send the selected requests again (R)")))
    , m_edit(button(this, tr("Edit && Resend…"), tr("Change method, URL, headers or body and send (E)")))
    , m_compare(button(this, tr("Compare"), tr("Diff the two selected exchanges side by side (D)")))
    , m_curl(button(this, tr("Copy as curl"), tr("Copy the request as a curl command (Ctrl+Shift+C)")))
    , m_follow(button(this, tr("Follow Live"),
          tr("Keep the newest exchange in view (F); scrolling up stops, scrolling to the bottom follows "
             "again")))
{
    auto *title = new QLabel(tr("Traffic"), this);
    title->setObjectName(QStringLiteral("sectionTitle"));
    QToolButton *har = button(this, tr("HAR"), tr("Export or import HTTP Archive files"));
    har->setPopupMode(QToolButton::InstantPopup);
    auto *harMenu = new QMenu(har);
    harMenu->addAction(tr("Export Filtered to HAR…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export HAR"),
            defaultSaveFolder(m_model->databasePath()) + QStringLiteral("/traffic.har"), tr("HAR (*.har)"));
        if (!path.isEmpty())
            exportHar(path);
    });
    harMenu->addAction(tr("Import HAR…"), this, [this] {
        const QString path
            = QFileDialog::getOpenFileName(this, tr("Import HAR"), {}, tr("HAR (*.har *.json)"));
        if (!path.isEmpty())
            importHar(path);
    });
    har->setMenu(harMenu);
    QToolButton *clear = button(this, tr("Clear"), tr("Hide everything captured so far (Ctrl+L)"));
    clear->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_replay->setShortcut(QKeySequence(Qt::Key_R));
    m_edit->setShortcut(QKeySequence(Qt::Key_E));
    m_compare->setShortcut(QKeySequence(Qt::Key_D));
    m_curl->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_count->setStyleSheet(QStringLiteral("color: #6b7280;"));
    m_count->setTextFormat(Qt::RichText);
    connect(m_count, &QLabel::linkActivated, m_model, &TrafficModel::showCleared);

    m_follow->setCheckable(true);
    m_follow->setChecked(m_table->followLive());
    m_follow->setShortcut(QKeySequence(Qt::Key_F));
    connect(m_follow, &QToolButton::toggled, m_table, &TrafficTable::setFollowLive);
    connect(m_table, &TrafficTable::followLiveChanged, m_follow, &QToolButton::setChecked);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        const QModelIndex index = m_table->indexAt(at);
        if (!index.isValid())
            return;
        if (!m_table->selectionModel()->isRowSelected(index.row(), {}))
            m_table->selectRow(index.row());
        QMenu *menu = rowMenu(index.row(), index.column());
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(m_table->viewport()->mapToGlobal(at));
    });

    auto *top = new QHBoxLayout;
    top->addWidget(title);
    top->addSpacing(12);
    top->addWidget(m_filter, 1);
    auto *actions = new QHBoxLayout;
    for (QToolButton *b : { m_replay, m_edit, m_compare, m_curl, har, clear, m_follow })
        actions->addWidget(b);
    actions->addSpacing(12);
    // Ignored width: a long notice is cut (its tooltip has it all) rather than widening the page.
    m_notice->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    actions->addWidget(m_notice, 1);
    actions->addSpacing(12);
    actions->addWidget(m_count);

    m_split = new QSplitter(Qt::Horizontal, this);
    m_split->setObjectName(QStringLiteral("trafficSplitter"));
    m_split->addWidget(m_table);
    m_split->addWidget(m_details);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 6);
    layout->addLayout(top);
    layout->addLayout(actions);
    layout->addWidget(m_split, 1);

    connect(m_filter, &FilterBar::filterRequested, this, &TrafficPage::applyFilter);
    m_details->setGrpcSchemaProvider([this]() -> grpc::SchemaPtr {
        const ReplayWorkspace running = m_workspace ? m_workspace() : ReplayWorkspace {};
        return running.workspace ? running.workspace->grpcSchema : nullptr;
    });
    connect(m_details, &ExchangeDetails::traceRequested, this, [this](const QString &trace) {
        const QString text = QStringLiteral("trace:%1").arg(trace);
        m_filter->edit()->setText(text);
        applyFilter(text);
    });
    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TrafficPage::showCurrent);
    connect(
        m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TrafficPage::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_details->clear();
        updateActions();
        updateCount();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &TrafficPage::updateCount);
    connect(m_model, &TrafficModel::exchangeLoaded, this, &TrafficPage::showLoaded);
    connect(m_replay, &QToolButton::clicked, this, &TrafficPage::replaySelected);
    // The new row may be off screen or outside the filter: say what the replay got, and why.
    connect(this, &TrafficPage::replayed, this, [this](const capture::Exchange &result) {
        showNotice(replaySummary(result), !result.error.isEmpty() || result.status >= 400);
    });
    connect(m_edit, &QToolButton::clicked, this, &TrafficPage::editAndResend);
    connect(m_compare, &QToolButton::clicked, this, &TrafficPage::compareSelected);
    connect(m_curl, &QToolButton::clicked, this, &TrafficPage::copyAsCurl);
    connect(clear, &QToolButton::clicked, m_model, &TrafficModel::clearView);
    updateActions();
    updateCount();
}

TrafficPage::~TrafficPage() = default;

void TrafficPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_splitPlaced || m_split->width() <= 0)
        return;
    m_splitPlaced = true;
    // The table first, enough for its key columns (a laptop's 1100 px keeps status, duration
    // and size in view); the details get the rest, and 37% on a wide window.
    const int width = m_split->width();
    const int table = std::clamp(int(width * 0.63), std::min(640, width - 260), std::max(0, width - 260));
    m_split->setSizes({ table, width - table });
}

void TrafficPage::setSource(capture::CaptureStore *store, const QString &databasePath)
{
    disconnect(m_live);
    m_store = store;
    if (store)
        m_live = connect(store, &capture::CaptureStore::exchangesStored, m_model, &TrafficModel::enqueueLive);
    delete m_replayer;
    m_replayer = new capture::Replayer(store, this);
    connect(m_replayer, &capture::Replayer::finished, this, &TrafficPage::replayed);
    if (databasePath != m_model->databasePath() || !m_model->isOpen())
        m_model->open(databasePath);
}

bool TrafficPage::applyFilter(const QString &text)
{
    capture::FilterError error;
    if (!m_model->setFilter(text, &error)) {
        m_filter->showError(std::max(1, error.column), error.message);
        return false;
    }
    m_filter->showError(0, {});
    return true;
}

void TrafficPage::showCurrent()
{
    // Heads and bodies are read on the model's reader thread: paging through rows never waits
    // for the disk. The details show the previous exchange until the answer arrives.
    const qint64 id = m_table->currentId();
    if (id)
        m_model->requestExchange(id);
    else
        m_details->clear();
    updateActions();
}

void TrafficPage::showLoaded(qint64 id, bool found, const capture::Exchange &exchange)
{
    if (id != m_table->currentId())
        return; // the selection has moved on
    if (found)
        m_details->setExchange(exchange);
    else
        m_details->clear();
}

void TrafficPage::updateActions()
{
    const int selected = int(m_table->selectionModel()->selectedRows().size());
    const bool one = m_table->currentId() != 0;
    m_replay->setEnabled(selected > 0 && m_replayer);
    m_edit->setEnabled(one && m_replayer);
    m_curl->setEnabled(one);
    m_compare->setEnabled(selected == 2);
}

void TrafficPage::updateCount()
{
    if (!m_model->isOpen())
        m_count->setText(tr("No capture yet: start the gateway"));
    else if (m_model->isLoading())
        m_count->setText(tr("Reading the capture…"));
    else if (m_model->isViewCleared())
        // Without a way back, Clear made the whole history unreachable until a restart.
        m_count->setText(tr("%n exchange(s) shown, older ones cleared (<a href=\"#\">show them</a>)", nullptr,
            m_model->rowCount()));
    else
        m_count->setText(tr("%n exchange(s) shown", nullptr, m_model->rowCount()));
}

void TrafficPage::showNotice(const QString &text, bool warning)
{
    m_notice->setText(text);
    m_notice->setToolTip(text);
    m_notice->setStyleSheet(warning ? QStringLiteral("color: #c2410c;") : QStringLiteral("color: #374151;"));
    Q_EMIT noticeShown(text, warning);
}

void TrafficPage::replaySelected()
{
    if (!m_replayer)
        return;
    // One at a time per Replayer: replay the selection in sequence.
    auto queue = std::make_shared<QList<qint64>>(m_table->selectedIds());
    auto next = std::make_shared<std::function<void()>>();
    // Not capturing `next` itself: a function holding its own shared_ptr never dies (LSan, asan
    // preset). The finished-connection below owns it until the next disconnect.
    *next = [this, queue] {
        while (!queue->isEmpty()) {
            const auto e = m_model->exchange(queue->takeFirst());
            if (e && replayWithCredentials(*e, {}))
                return;
        }
        disconnect(m_replayer, &capture::Replayer::finished, this, nullptr);
        connect(m_replayer, &capture::Replayer::finished, this, &TrafficPage::replayed);
    };
    disconnect(m_replayer, &capture::Replayer::finished, this, nullptr);
    connect(m_replayer, &capture::Replayer::finished, this, [this, next](const capture::Exchange &result) {
        Q_EMIT replayed(result);
        (*next)();
    });
    (*next)();
}

QString TrafficPage::replaySummary(const capture::Exchange &result)
{
    static const QString kOrigin = QStringLiteral("replay of exchange ");
    QString origin;
    QStringList notes = result.notes.split(u'\n', Qt::SkipEmptyParts);
    notes.removeIf([&origin](const QString &note) {
        if (!note.startsWith(kOrigin))
            return false;
        origin = note.mid(kOrigin.size());
        return true;
    });
    QString text = origin.isEmpty() ? tr("Replayed") : tr("Replayed #%1").arg(origin);
    if (result.id)
        text += tr(" as #%1").arg(result.id);
    text
        += result.error.isEmpty() ? tr(": HTTP %1").arg(result.status) : tr(": failed, %1").arg(result.error);
    if (!notes.isEmpty())
        text += QStringLiteral(" (%1)").arg(notes.join(QStringLiteral("; ")));
    return text;
}

void TrafficPage::editAndResend()
{
    const qint64 id = m_table->currentId();
    const auto e = id ? m_model->exchange(id) : std::nullopt;
    if (!e || !m_replayer)
        return;
    ReplayDialog dialog(*e, m_workspace ? m_workspace() : ReplayWorkspace {}, this);
    if (dialog.exec() == QDialog::Accepted)
        m_replayer->replay(dialog.request(), dialog.options());
}

bool TrafficPage::replayWithCredentials(const capture::Exchange &original, capture::ReplayOptions options)
{
    if (!m_credentials.complete(original, m_workspace ? m_workspace() : ReplayWorkspace {}, options, this)) {
        showNotice(tr("Replay of #%1 cancelled: nothing sent").arg(original.id), false);
        return false;
    }
    m_replayer->replay(original, options);
    return true;
}

void TrafficPage::compareSelected()
{
    const QList<qint64> ids = m_table->selectedIds();
    if (ids.size() != 2)
        return;
    compare(ids.at(0), ids.at(1));
}

void TrafficPage::compare(qint64 first, qint64 second)
{
    const auto a = m_model->exchange(first);
    const auto b = m_model->exchange(second);
    if (!a || !b)
        return;
    DiffDialog dialog(*a, *b, this);
    dialog.exec();
}

void TrafficPage::copyAsCurl()
{
    const qint64 id = m_table->currentId();
    const auto e = id ? m_model->exchange(id) : std::nullopt;
    if (!e)
        return;
    QApplication::clipboard()->setText(capture::toCurl(*e));
    // The command carries "[redacted]" where the capture hid a secret: say which, before it is run.
    QStringList hidden;
    for (const auto &[name, value] : e->requestHeaders) {
        if (value == "[redacted]")
            hidden << QString::fromLatin1(name);
    }
    if (hidden.isEmpty())
        showNotice(tr("Copied #%1 as a curl command").arg(id), false);
    else
        showNotice(tr("Copied #%1 as a curl command; put the real %2 in place of [redacted]")
                       .arg(id)
                       .arg(hidden.join(QStringLiteral(", "))),
            true);
}

bool TrafficPage::exportHar(const QString &path)
{
    capture::CaptureReader *reader = m_model->reader();
    if (!reader)
        return false;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        QMessageBox::warning(this, tr("Export HAR"), tr("Cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    const auto filter
        = capture::FilterExpression::parse(m_model->filterText()).value_or(capture::FilterExpression {});
    const qint64 total = reader->count(filter);
    QProgressDialog progress(
        tr("Exporting %n exchange(s)…", nullptr, int(total)), tr("Cancel"), 0, int(total), this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(300);
    capture::HarWriter writer(&file);
    writer.begin();
    qint64 after = 0;
    for (;;) {
        const auto page = reader->listAscending(filter, 200, after);
        for (const auto &s : page) {
            if (const auto e = reader->get(s.id))
                writer.add(*e);
            after = s.id;
        }
        progress.setValue(writer.count());
        if (page.size() < 200 || progress.wasCanceled())
            break;
    }
    const bool ok = writer.end() && !progress.wasCanceled();
    if (!ok)
        file.remove();
    else {
        rememberSaveFolder(path);
        showNotice(tr("Exported %n exchange(s) to %1", nullptr, int(writer.count())).arg(path), false);
    }
    return ok;
}

bool TrafficPage::importHar(const QString &path)
{
    if (!m_store) {
        QMessageBox::information(
            this, tr("Import HAR"), tr("Start the gateway first: imported exchanges go into its capture."));
        return false;
    }
    QFile file(path);
    QList<capture::Exchange> exchanges;
    QString error;
    if (!file.open(QIODevice::ReadOnly) || !capture::parseHar(file.readAll(), &exchanges, &error)) {
        QMessageBox::warning(this, tr("Import HAR"), error.isEmpty() ? file.errorString() : error);
        return false;
    }
    QProgressDialog progress(tr("Importing %n exchange(s)…", nullptr, int(exchanges.size())), tr("Cancel"), 0,
        int(exchanges.size()), this);
    progress.setWindowModality(Qt::WindowModal);
    progress.setMinimumDuration(300);
    int imported = 0;
    for (int i = 0; i < exchanges.size() && !progress.wasCanceled(); ++i, ++imported) {
        m_store->submit(std::move(exchanges[i]));
        if (i % 100 == 0)
            progress.setValue(i);
    }
    progress.setValue(int(exchanges.size()));
    m_store->flush();
    showNotice(tr("Imported %n exchange(s) from %1", nullptr, imported).arg(path), false);
    return true;
}

} // namespace portico::ui
