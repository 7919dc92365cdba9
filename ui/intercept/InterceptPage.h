#pragma once

#include <QHash>
#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace portico::ui {

class FieldBox;
class GatewayController;
class ListEdit;
class ParsedEdit;
class WorkspaceDocument;

// Intercept: Portico as a forward proxy for what an app itself calls (proxy: in the workspace,
// issue 18). The proxy's settings, whether it runs, the local CA with how to trust it, the
// environment that sends a terminal's programs through it, and terminals and browsers started
// already pointed at it (fresh browser profiles: nothing of the user's own changes).
class InterceptPage final : public QWidget
{
    Q_OBJECT

public:
    InterceptPage(WorkspaceDocument *document, GatewayController *gateway, QAction *start, QAction *stop,
        QWidget *parent = nullptr);

    QString environmentText() const; // what Copy puts on the clipboard
    // The proxy's URL for clients: the running listener's, else the configured one.
    QUrl proxyUrl() const;

Q_SIGNALS:
    void noticeShown(const QString &text);

private:
    void load();
    void refreshState();
    void refreshCa();
    void refreshEnvironment();
    void showDiagnostics();
    bool prepareBundle(QString *bundle, QString *ca); // the CA (created if missing) and the bundle
    void exportCa();
    void openTerminal();
    void openChromium();
    void openFirefox();

    WorkspaceDocument *m_document;
    GatewayController *m_gateway;
    QAction *m_start;
    QAction *m_stop;
    QCheckBox *m_enabled;
    ParsedEdit *m_listen;
    QCheckBox *m_intercept;
    ListEdit *m_passthrough;
    QLineEdit *m_upstreamCa;
    QLabel *m_state;
    QPushButton *m_startStop;
    QLabel *m_caInfo;
    QPushButton *m_exportCa;
    QComboBox *m_shell;
    QPlainTextEdit *m_environment;
    QPushButton *m_copy;
    QPushButton *m_terminal;
    QPushButton *m_chromium;
    QPushButton *m_firefox;
    QHash<QString, FieldBox *> m_fields;
    QString m_caShownFor; // the CA file (path and time) m_caInfo describes
};

} // namespace portico::ui
