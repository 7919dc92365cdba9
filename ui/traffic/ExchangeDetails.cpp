#include "ui/traffic/ExchangeDetails.h"

#include "core/capture/GrpcMessages.h"
#include "ui/traffic/BodyView.h"
#include "ui/traffic/TimingWaterfall.h"

#include <QFontDatabase>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace portico::ui {

namespace {

QPlainTextEdit *headEdit(QWidget *parent)
{
    auto *e = new QPlainTextEdit(parent);
    e->setReadOnly(true);
    e->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    e->setLineWrapMode(QPlainTextEdit::NoWrap);
    return e;
}

QWidget *messagePage(QWidget *parent, QPlainTextEdit *head, BodyView *body)
{
    auto *split = new QSplitter(Qt::Vertical, parent);
    split->addWidget(head);
    split->addWidget(body);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    return split;
}

} // namespace

ExchangeDetails::ExchangeDetails(QWidget *parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
    , m_summary(new QLabel(this))
    , m_waterfall(new TimingWaterfall(this))
    , m_notes(new QLabel(this))
    , m_requestHead(headEdit(this))
    , m_requestBody(new BodyView(this))
    , m_responseHead(headEdit(this))
    , m_responseBody(new BodyView(this))
{
    m_summary->setObjectName(QStringLiteral("exchangeSummary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_summary->setWordWrap(true);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_notes->setWordWrap(true);
    m_notes->setStyleSheet(
        QStringLiteral("color: #92400e; background: #fffbeb; padding: 4px; border-radius: 3px;"));
    connect(m_summary, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link.startsWith(QLatin1String("trace:")))
            Q_EMIT traceRequested(link.mid(6));
    });

    auto *overview = new QWidget(this);
    auto *ov = new QVBoxLayout(overview);
    ov->addWidget(m_summary);
    m_timingTitle = new QLabel(tr("<b>Timing</b>"), overview);
    ov->addWidget(m_timingTitle);
    ov->addWidget(m_waterfall);
    ov->addWidget(m_notes);
    ov->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(overview);

    m_tabs->setDocumentMode(true);
    m_tabs->addTab(scroll, tr("Overview"));
    m_tabs->addTab(messagePage(this, m_requestHead, m_requestBody), tr("Request"));
    m_tabs->addTab(messagePage(this, m_responseHead, m_responseBody), tr("Response"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    clear();
}

QString ExchangeDetails::headText(const capture::HeaderList &headers)
{
    QString out;
    for (const auto &[name, value] : headers)
        out += QStringLiteral("%1: %2\n").arg(QString::fromLatin1(name), QString::fromUtf8(value));
    return out;
}

void ExchangeDetails::clear()
{
    m_exchange = {};
    m_summary->setText(tr("<span style='color:#6b7280'>Select an exchange to see it in full.</span>"));
    // No exchange, no timings: an empty waterfall would read "Request 0 µs".
    m_waterfall->setTimings({});
    m_timingTitle->hide();
    m_waterfall->hide();
    m_notes->hide();
    m_requestHead->clear();
    m_responseHead->clear();
    m_requestBody->setBody({}, {}, 0, false);
    m_responseBody->setBody({}, {}, 0, false);
    setEnabled(false);
}

void ExchangeDetails::setExchange(const capture::Exchange &e)
{
    setEnabled(true);
    m_exchange = e;
    auto row = [](const QString &k, const QString &v) {
        return v.isEmpty()
            ? QString()
            : QStringLiteral("<tr><td style='color:#6b7280;padding-right:12px'>%1</td><td>%2</td></tr>")
                  .arg(k, v);
    };
    QString html = QStringLiteral("<p style='font-size:13px'><b>%1</b> %2</p><table>")
                       .arg(e.method.toHtmlEscaped(), e.url.toHtmlEscaped());
    html += row(tr("Status"), e.status ? QString::number(e.status) : tr("no response"));
    html += row(tr("Protocol"), e.protocol.toHtmlEscaped());
    if (!e.grpcService.isEmpty())
        html += row(tr("gRPC"),
            QStringLiteral("%1/%2%3")
                .arg(e.grpcService, e.grpcMethod,
                    e.grpcStatus < 0 ? QString() : tr(" (grpc-status %1)").arg(e.grpcStatus))
                .toHtmlEscaped());
    html += row(tr("Started"),
        QLocale().toString(e.startedAt.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    html += row(tr("Route"), e.route.toHtmlEscaped());
    html += row(tr("Consumer"), e.consumer.toHtmlEscaped());
    html += row(tr("Upstream"),
        e.upstream.isEmpty() ? QString()
                             : QStringLiteral("%1 (%2)").arg(e.upstream, e.upstreamTarget).toHtmlEscaped());
    html += row(tr("API version"), e.apiVersion.toHtmlEscaped());
    html += row(tr("Client"), e.clientAddress.toHtmlEscaped());
    if (!e.traceId.isEmpty())
        html += row(tr("Trace"),
            QStringLiteral("<a href='trace:%1'>%1</a> <span style='color:#6b7280'>(show all exchanges of "
                           "this trace)</span>")
                .arg(e.traceId.toHtmlEscaped()));
    html += row(tr("Retries"), e.retries ? QString::number(e.retries) : QString());
    html += row(tr("Sizes"),
        tr("%1 in, %2 out")
            .arg(QLocale().formattedDataSize(e.requestBytes), QLocale().formattedDataSize(e.responseBytes)));
    if (!e.error.isEmpty())
        html += row(tr("Error"),
            QStringLiteral("<span style='color:#c62828'>%1</span>").arg(e.error.toHtmlEscaped()));
    html += QStringLiteral("</table>");
    m_summary->setText(html);
    m_waterfall->setTimings(e.timings);
    m_timingTitle->show();
    m_waterfall->show();
    m_notes->setText(e.notes);
    m_notes->setVisible(!e.notes.isEmpty());
    // The heads as the client exchanged them: "GET /path HTTP/2", "HTTP/2 200" (as curl -v shows).
    const QString protocol = e.protocol.isEmpty() ? QStringLiteral("HTTP") : e.protocol;
    m_requestHead->setPlainText(QStringLiteral("%1 %2%3\n")
                                    .arg(e.method, e.path + (e.query.isEmpty() ? QString() : u'?' + e.query),
                                        e.protocol.isEmpty() ? QString() : u' ' + e.protocol)
        + headText(e.requestHeaders));
    m_responseHead->setPlainText(
        (e.status ? QStringLiteral("%1 %2\n").arg(protocol).arg(e.status) : QString())
        + headText(e.responseHeaders));
    if (!e.grpcService.isEmpty()) {
        // A gRPC call's bodies are length-prefixed protobuf: shown as its messages, a JSON tree.
        const grpc::SchemaPtr schema = m_schema ? m_schema() : nullptr;
        const auto messages = [&](bool request) {
            return QJsonDocument(capture::grpcMessages(e, request, schema.get()))
                .toJson(QJsonDocument::Compact);
        };
        m_requestBody->setBody(messages(true), "application/json", e.requestBodySize, e.requestTruncated);
        m_responseBody->setBody(messages(false), "application/json", e.responseBodySize, e.responseTruncated);
        return;
    }
    m_requestBody->setBody(e.requestBody, capture::headerValue(e.requestHeaders, "content-type"),
        e.requestBodySize, e.requestTruncated);
    m_responseBody->setBody(e.responseBody, capture::headerValue(e.responseHeaders, "content-type"),
        e.responseBodySize, e.responseTruncated);
}

} // namespace portico::ui
