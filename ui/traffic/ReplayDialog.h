#pragma once

#include "core/capture/Exchange.h"
#include "core/capture/Replayer.h"
#include "core/filters/auth/ReplayCredentials.h"
#include "ui/traffic/CredentialPrompt.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace portico::grpc {
class Schema;
}

namespace portico::ui {

class RowsEditor;

// Edit-and-resend: the captured request's method, URL, headers and body, editable; request()
// gives the exchange to replay and options() the URL's destination as its target. The URL starts
// as where a plain replay goes (the gateway listener that captured it), empty when the capture
// records no destination: never the host a client put in Host. The headers start as exactly the
// fields a plain replay sends (Host, a new X-Request-Id, and the fields Qt would otherwise add on
// its own), plus a "[redacted]" row for each value the capture lost, which is sent only once the
// user types it. A credential a plain replay restores from the running workspace (the consumer's
// API key, filters::auth::restoreCredentials) is shown in its row or in the URL with its real
// value, and named in restoredNote(): what the editor shows is what is sent. The new row's notes
// say it was restored while the value still reads as restored. request() keeps the original's id,
// so the new row says whose replay it is.
// A unary gRPC call whose method the running workspace's schema knows shows its request message
// as editable proto3 JSON instead of the body's bytes; Send checks it against the method's input
// type (an error naming the field keeps the dialog open) and options() carries it to the
// Replayer, which encodes it (ReplayOptions::grpcMessageJson).
class ReplayDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ReplayDialog(
        const capture::Exchange &original, const ReplayWorkspace &where = {}, QWidget *parent = nullptr);

    capture::Exchange request() const;
    // The destination typed in the URL field (scheme, host and port), as a replay target.
    capture::ReplayOptions options() const;
    QComboBox *methodCombo() const { return m_method; }
    QLineEdit *urlEdit() const { return m_url; }
    QPlainTextEdit *bodyEdit() const { return m_body; }
    RowsEditor *headersEditor() const { return m_headers; }
    // Which values came back from the workspace (hidden when none did).
    QLabel *restoredNote() const { return m_restoredNote; }
    // The headers as they stand in the editor.
    capture::HeaderList headers() const;
    // True when the body editor holds the gRPC request message as JSON.
    bool editsGrpcMessage() const { return m_grpcSchema != nullptr; }
    // What the body editor holds for a gRPC call, or why the JSON does not fit (after Send).
    QLabel *grpcNote() const { return m_grpcNote; }

    void accept() override; // refuses a gRPC message that does not fit its type

private:
    capture::Exchange m_original;
    QComboBox *m_method;
    QLineEdit *m_url;
    RowsEditor *m_headers;
    QPlainTextEdit *m_body;
    QLabel *m_restoredNote;
    QLabel *m_grpcNote;
    std::shared_ptr<const grpc::Schema> m_grpcSchema; // set when the body is the message as JSON
    QByteArray m_requestId; // the X-Request-Id shown, unless the user changes it
    filters::auth::ReplayCredentials m_restored;
};

} // namespace portico::ui
