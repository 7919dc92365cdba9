#include "ui/traffic/ReplayDialog.h"

#include "core/capture/GrpcReplay.h"
#include "core/capture/RedactionPolicy.h"
#include "core/capture/Replayer.h"

#include "core/config/Workspace.h"
#include "core/grpc/Schema.h"
#include "ui/models/RowsModel.h"
#include "ui/widgets/RowsEditor.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QUrl>
#include <QUrlQuery>

namespace portico::ui {

ReplayDialog::ReplayDialog(const capture::Exchange &original, const ReplayWorkspace &where, QWidget *parent)
    : QDialog(parent)
    , m_original(original)
    , m_method(new QComboBox(this))
    , m_url(new QLineEdit(this))
    , m_headers(new RowsEditor({ tr("Header"), tr("Value") }, this))
    , m_body(new QPlainTextEdit(this))
    , m_restoredNote(new QLabel(this))
    , m_grpcNote(new QLabel(this))
{
    setWindowTitle(tr("Edit and Resend — exchange %1").arg(original.id));
    m_method->setEditable(true);
    m_method->addItems(
        { QStringLiteral("GET"), QStringLiteral("POST"), QStringLiteral("PUT"), QStringLiteral("PATCH"),
            QStringLiteral("DELETE"), QStringLiteral("HEAD"), QStringLiteral("OPTIONS") });
    m_method->setCurrentText(original.method);
    // Where a plain replay would go (the listener that captured it, never the Host a client
    // named); whatever is typed here is the user's own choice of target.
    const capture::Replayer::Destination to = capture::Replayer::destination(original, {});
    const bool nowhere = to.kind == capture::Replayer::Destination::Kind::None;
    capture::ReplayOptions plain;
    // What a plain replay would restore from the workspace, shown with its value.
    if (where.workspace && !nowhere) {
        m_restored = filters::auth::restoreCredentials(original, *where.workspace, plain, where.listeners);
        m_restored.applyTo(plain);
    }
    const capture::Exchange planned = capture::Replayer::prepare(original, plain);
    m_requestId = capture::headerValue(planned.requestHeaders, "x-request-id");
    m_url->setText(nowhere ? QString() : planned.url);
    m_url->setPlaceholderText(to.problem);
    QList<QStringList> rows;
    for (const auto &[name, value] : nowhere ? original.requestHeaders : planned.requestHeaders)
        rows << QStringList { QString::fromLatin1(name), QString::fromUtf8(value) };
    if (!nowhere) {
        for (const capture::Replayer::Withheld &w : capture::Replayer::withheld(original, plain)) {
            if (w.kind == capture::Replayer::Withheld::Kind::Header)
                rows << QStringList { w.name, QString::fromLatin1(capture::RedactionPolicy::kMarker) };
        }
    }
    m_headers->setRows(rows);
    auto *sentNote = new QLabel(tr("Sent as listed; Content-Length follows the body. User-Agent, "
                                   "Accept-Language, Accept-Encoding and Connection are always sent: "
                                   "a row you delete goes out with Portico's value. A row still reading "
                                   "[redacted] is not sent."),
        this);
    sentNote->setWordWrap(true);
    m_restoredNote->setObjectName(QStringLiteral("restoredNote"));
    m_restoredNote->setWordWrap(true);
    m_restoredNote->setStyleSheet(QStringLiteral("color: #166534;"));
    QStringList restored;
    for (const QString &note : m_restored.notes)
        restored << QStringLiteral("• ") + note;
    // Said where it is seen, not in a tooltip: the key goes to whatever URL is typed above.
    m_restoredNote->setText(
        tr("Restored, as a plain replay would (the capture had redacted them); sent as shown, "
           "to the URL above, even if you change it:\n%1")
            .arg(restored.join(u'\n')));
    m_restoredNote->setToolTip(tr("Edit or delete the value to send something else."));
    m_restoredNote->setVisible(!m_restored.notes.isEmpty());
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setPlainText(QString::fromUtf8(original.requestBody));
    // A unary gRPC call with a known schema: its message as JSON, encoded again on Send.
    m_grpcNote->setObjectName(QStringLiteral("grpcNote"));
    m_grpcNote->setWordWrap(true);
    m_grpcNote->setVisible(!original.grpcService.isEmpty());
    QString bodyLabel = tr("Body");
    if (!original.grpcService.isEmpty()) {
        const grpc::SchemaPtr schema = where.workspace ? where.workspace->grpcSchema : nullptr;
        QString why;
        const QString type = capture::grpcReplayInputType(original, schema.get(), &why);
        if (const auto json
            = type.isEmpty() ? std::nullopt : capture::grpcRequestJson(original, schema.get())) {
            m_grpcSchema = schema;
            m_body->setPlainText(QString::fromUtf8(*json));
            bodyLabel = tr("Message (%1, JSON)").arg(type);
            m_grpcNote->setText(tr("The request message as JSON: encoded as %1 with the workspace's schema "
                                   "when sent, over HTTP/2.")
                                    .arg(type));
        } else {
            m_grpcNote->setText(!type.isEmpty()
                    ? tr("The captured message does not decode (cut short, "
                         "compressed or not a %1): the body is sent as captured.")
                          .arg(type)
                    : tr("Not editable as JSON: %1. The body is sent as captured.").arg(why));
        }
    }

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *send = buttons->addButton(tr("Send"), QDialogButtonBox::AcceptRole);
    send->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout(this);
    form->addRow(tr("Method"), m_method);
    form->addRow(tr("URL"), m_url);
    form->addRow(tr("Headers"), m_headers);
    form->addRow(QString(), m_restoredNote);
    form->addRow(QString(), sentNote);
    form->addRow(QString(), m_grpcNote);
    form->addRow(bodyLabel, m_body);
    form->addRow(buttons);
    resize(720, 560);
}

capture::ReplayOptions ReplayDialog::options() const
{
    capture::ReplayOptions o;
    const QUrl url(m_url->text().trimmed());
    o.target.setScheme(url.scheme());
    o.target.setHost(url.host());
    o.target.setPort(url.port());
    // Still the plain replay's destination: no target, so that the captured Host goes along
    // (it chooses the route there).
    if (o.target == capture::Replayer::destination(m_original, {}).url)
        o.target = QUrl();
    // The X-Request-Id row is sent as it reads; without one, none is sent.
    const capture::HeaderList rows = headers();
    o.requestId = capture::headerValue(rows, "x-request-id");
    if (o.requestId.isEmpty())
        o.headers.append({ QByteArrayLiteral("X-Request-Id"), QByteArray() });
    // The new row says what came back from the workspace, while it is still sent as restored.
    const QUrlQuery query(QUrl(m_url->text().trimmed()));
    for (const QString &note : m_restored.notes) {
        bool kept = false;
        for (const capture::Header &h : m_restored.headers) {
            if (note.startsWith(QStringLiteral("header %1 ").arg(QString::fromLatin1(h.first))))
                kept = kept || capture::headerValue(rows, h.first) == h.second;
        }
        for (const auto &[name, value] : m_restored.query) {
            if (note.startsWith(QStringLiteral("query parameter %1 ").arg(name)))
                kept = kept || query.queryItemValue(name, QUrl::FullyDecoded) == value;
        }
        if (kept)
            o.notes << note;
    }
    if (m_grpcSchema) {
        o.grpcMessageJson = m_body->toPlainText().toUtf8();
        o.grpcSchema = m_grpcSchema;
    }
    return o;
}

void ReplayDialog::accept()
{
    if (m_grpcSchema) {
        const capture::GrpcReplayBody b
            = capture::grpcReplayBody(m_original, m_body->toPlainText().toUtf8(), m_grpcSchema.get());
        if (!b.error.isEmpty()) {
            m_grpcNote->setText(tr("Not sent: %1").arg(b.error));
            m_grpcNote->setStyleSheet(QStringLiteral("color: #b91c1c;"));
            return;
        }
    }
    QDialog::accept();
}

capture::Exchange ReplayDialog::request() const
{
    capture::Exchange e = m_original; // its id too: the new row is a replay of it
    e.method = m_method->currentText().trimmed().toUpper();
    e.url = m_url->text().trimmed();
    const QUrl url(e.url);
    e.scheme = url.scheme();
    e.host = url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
    e.path = url.path();
    e.query = url.query(QUrl::FullyEncoded);
    e.requestHeaders = headers();
    // A gRPC message edited as JSON is encoded by the Replayer (options()); the body stays.
    if (!m_grpcSchema)
        e.requestBody = m_body->toPlainText().toUtf8();
    e.requestBodySize = e.requestBody.size();
    e.requestTruncated = false;
    return e;
}

capture::HeaderList ReplayDialog::headers() const
{
    capture::HeaderList out;
    for (const QStringList &r : m_headers->model()->rows()) {
        if (!r.value(0).trimmed().isEmpty())
            out.append({ r.value(0).trimmed().toLatin1(), r.value(1).toUtf8() });
    }
    return out;
}

} // namespace portico::ui
