#include "ui/intercept/InterceptPage.h"

#include "core/config/ProxyConfig.h"
#include "core/config/ValueFormats.h"
#include "core/gateway/Gateway.h"
#include "core/proxy/LocalCa.h"
#include "core/proxy/ProxyEnv.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/gateway/GatewayController.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/ListEdit.h"
#include "ui/widgets/ParsedEdit.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QVBoxLayout>

namespace portico::ui {

using config::Workspace;

namespace {

QString firstExecutable(const QStringList &names)
{
    for (const QString &n : names) {
        const QString path = QStandardPaths::findExecutable(n);
        if (!path.isEmpty())
            return path;
    }
    return {};
}

QString terminalProgram()
{
    const QString fromEnv = qEnvironmentVariable("TERMINAL");
    if (!fromEnv.isEmpty() && !QStandardPaths::findExecutable(fromEnv).isEmpty())
        return QStandardPaths::findExecutable(fromEnv);
    return firstExecutable({ "x-terminal-emulator", "gnome-terminal", "konsole", "xfce4-terminal", "kitty",
        "alacritty", "xterm" });
}

QString chromiumProgram()
{
    return firstExecutable(
        { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "brave-browser" });
}

QString firefoxProgram()
{
    return firstExecutable({ "firefox", "firefox-esr" });
}

// A fresh browser profile under the app's data folder, one per start.
QString newProfileDir(const QString &browser)
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/intercept-profiles");
    QDir().mkpath(base);
    QTemporaryDir dir(base + u'/' + browser + QStringLiteral("-XXXXXX"));
    dir.setAutoRemove(false);
    return dir.isValid() ? dir.path() : QString();
}

const char kTrustHelp[]
    = "<p>Apps started from <b>Open an intercepted terminal</b> or with the environment above trust the "
      "CA already; so do the browsers started here. To trust it everywhere else, export it and:</p><ul>"
      "<li><b>Debian, Ubuntu</b>: <tt>sudo cp portico-ca.pem /usr/local/share/ca-certificates/portico-ca.crt "
      "&amp;&amp; sudo update-ca-certificates</tt></li>"
      "<li><b>Fedora, RHEL</b>: <tt>sudo cp portico-ca.pem /etc/pki/ca-trust/source/anchors/ &amp;&amp; sudo "
      "update-ca-trust</tt></li>"
      "<li><b>macOS</b>: <tt>sudo security add-trusted-cert -d -r trustRoot -k "
      "/Library/Keychains/System.keychain portico-ca.pem</tt></li>"
      "<li><b>Windows</b>: <tt>certutil -addstore -user Root portico-ca.pem</tt></li>"
      "<li><b>Firefox</b>: Settings &gt; Privacy &amp; Security &gt; Certificates &gt; View Certificates "
      "&gt; "
      "Authorities &gt; Import</li>"
      "<li><b>Chromium, Chrome</b> (Linux): Settings &gt; Privacy and security &gt; Security &gt; Manage "
      "certificates &gt; Authorities &gt; Import</li>"
      "<li><b>Android emulator, iOS simulator</b>: install the file as a user CA (apps must opt in to user "
      "CAs)</li></ul><p>Apps that pin certificates refuse any CA: add their hosts to Passthrough.</p>";

} // namespace

InterceptPage::InterceptPage(
    WorkspaceDocument *document, GatewayController *gateway, QAction *start, QAction *stop, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_gateway(gateway)
    , m_start(start)
    , m_stop(stop)
{
    auto *content = new QWidget(this);
    auto *column = new QVBoxLayout(content);
    column->setContentsMargins(12, 10, 12, 12);
    auto *title = new QLabel(tr("Intercept"), content);
    title->setObjectName(QStringLiteral("sectionTitle"));
    column->addWidget(title);
    auto *intro = new QLabel(tr("Capture what your app calls: point it at Portico's forward proxy and its "
                                "requests (HTTPS decrypted) show in Traffic with the filter proxied:true."),
        content);
    intro->setWordWrap(true);
    column->addWidget(intro);

    auto *proxyBox = new QGroupBox(tr("Forward proxy"), content);
    auto *pForm = makeForm(proxyBox);
    m_enabled = new QCheckBox(tr("Run a forward proxy beside the gateway"), proxyBox);
    m_enabled->setObjectName(QStringLiteral("proxyEnabled"));
    pForm->addRow(QString(), m_enabled);
    m_listen = new ParsedEdit(
        [](const QString &t) {
            return config::parseHostPort(t) ? QString() : tr("'%1' is not host:port").arg(t);
        },
        proxyBox);
    m_listen->setObjectName(QStringLiteral("proxyListen"));
    m_fields.insert(QStringLiteral("proxy.listen"), addField(pForm, tr("Listen on"), m_listen));
    m_intercept = new QCheckBox(tr("Decrypt HTTPS with Portico's CA"), proxyBox);
    m_intercept->setObjectName(QStringLiteral("proxyIntercept"));
    pForm->addRow(QString(), m_intercept);
    m_passthrough = new ListEdit(proxyBox);
    m_passthrough->setObjectName(QStringLiteral("proxyPassthrough"));
    m_passthrough->setPlaceholderText(QStringLiteral("*.pinned.example"));
    m_passthrough->setToolTip(
        tr("Hosts (or *.domain) tunnelled without decryption: apps that pin certificates"));
    m_fields.insert(QStringLiteral("proxy.passthrough"), addField(pForm, tr("Passthrough"), m_passthrough));
    m_upstreamCa = new QLineEdit(proxyBox);
    m_upstreamCa->setPlaceholderText(tr("extra CA for the servers reached (empty = system store only)"));
    m_fields.insert(QStringLiteral("proxy.upstream_ca"), addField(pForm, tr("Servers' CA"), m_upstreamCa));
    auto *stateRow = new QHBoxLayout;
    m_state = new QLabel(proxyBox);
    m_state->setObjectName(QStringLiteral("proxyState"));
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_startStop = new QPushButton(proxyBox);
    stateRow->addWidget(m_state, 1);
    stateRow->addWidget(m_startStop);
    pForm->addRow(QString(), stateRow);

    auto *caBox = new QGroupBox(tr("Certificate authority"), content);
    auto *caColumn = new QVBoxLayout(caBox);
    m_caInfo = new QLabel(caBox);
    m_caInfo->setObjectName(QStringLiteral("caInfo"));
    m_caInfo->setWordWrap(true);
    m_caInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    caColumn->addWidget(m_caInfo);
    m_exportCa = new QPushButton(tr("Export CA certificate…"), caBox);
    auto *caButtons = new QHBoxLayout;
    caButtons->addWidget(m_exportCa);
    caButtons->addStretch(1);
    caColumn->addLayout(caButtons);
    auto *trust = new QLabel(tr(kTrustHelp), caBox);
    trust->setWordWrap(true);
    trust->setTextInteractionFlags(Qt::TextSelectableByMouse);
    caColumn->addWidget(trust);

    auto *useBox = new QGroupBox(tr("Use it"), content);
    auto *useColumn = new QVBoxLayout(useBox);
    auto *shellRow = new QHBoxLayout;
    shellRow->addWidget(new QLabel(tr("Environment for"), useBox));
    m_shell = new QComboBox(useBox);
    m_shell->setObjectName(QStringLiteral("proxyShell"));
    m_shell->addItem(QStringLiteral("sh / bash / zsh"), QStringLiteral("sh"));
    m_shell->addItem(QStringLiteral("fish"), QStringLiteral("fish"));
    m_shell->addItem(QStringLiteral("PowerShell"), QStringLiteral("powershell"));
    shellRow->addWidget(m_shell);
    shellRow->addStretch(1);
    m_copy = new QPushButton(tr("Copy"), useBox);
    shellRow->addWidget(m_copy);
    useColumn->addLayout(shellRow);
    m_environment = new QPlainTextEdit(useBox);
    m_environment->setObjectName(QStringLiteral("proxyEnvironment"));
    m_environment->setReadOnly(true);
    m_environment->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_environment->setMinimumHeight(150);
    m_environment->setLineWrapMode(QPlainTextEdit::NoWrap);
    useColumn->addWidget(m_environment);
    auto *launchRow = new QHBoxLayout;
    m_terminal = new QPushButton(tr("Open an intercepted terminal"), useBox);
    m_chromium = new QPushButton(tr("Open an intercepted Chromium"), useBox);
    m_firefox = new QPushButton(tr("Open an intercepted Firefox"), useBox);
    for (QPushButton *b : { m_terminal, m_chromium, m_firefox })
        launchRow->addWidget(b);
    launchRow->addStretch(1);
    useColumn->addLayout(launchRow);

    for (QWidget *w :
        { static_cast<QWidget *>(proxyBox), static_cast<QWidget *>(useBox), static_cast<QWidget *>(caBox) })
        column->addWidget(w);
    column->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    auto edit = [this](const QString &text, auto change) { m_document->edit(text, change); };
    connect(m_enabled, &QCheckBox::toggled, this, [edit](bool on) {
        edit(on ? tr("Turn the forward proxy on") : tr("Turn the forward proxy off"), [&](Workspace &ws) {
            if (on && !ws.proxy)
                ws.proxy = config::ProxySettings {};
            else if (!on)
                ws.proxy.reset();
        });
    });
    auto proxyEdit
        = [this, edit](const QString &text, const std::function<void(config::ProxySettings &)> &change) {
              if (!m_document->workspace().proxy)
                  return;
              edit(text, [&](Workspace &ws) { change(*ws.proxy); });
          };
    connect(m_listen, &ParsedEdit::committed, this, [proxyEdit](const QString &text) {
        proxyEdit(tr("Change the proxy address"),
            [&](config::ProxySettings &p) { p.listen = *config::parseHostPort(text); });
    });
    connect(m_intercept, &QCheckBox::toggled, this, [proxyEdit](bool on) {
        proxyEdit(tr("Change HTTPS decryption"), [&](config::ProxySettings &p) { p.interceptTls = on; });
    });
    connect(m_passthrough, &ListEdit::committed, this, [proxyEdit](const QStringList &items) {
        proxyEdit(tr("Change passthrough hosts"), [&](config::ProxySettings &p) { p.passthrough = items; });
    });
    connect(m_upstreamCa, &QLineEdit::editingFinished, this, [this, proxyEdit] {
        const QString v = m_upstreamCa->text().trimmed();
        proxyEdit(tr("Change the servers' CA"), [&](config::ProxySettings &p) { p.upstreamCa = v; });
    });
    connect(m_startStop, &QPushButton::clicked, this, [this] {
        QAction *a = m_gateway->isRunning() ? m_stop : m_start;
        if (a)
            a->trigger();
    });
    connect(m_exportCa, &QPushButton::clicked, this, &InterceptPage::exportCa);
    connect(m_shell, &QComboBox::currentIndexChanged, this, &InterceptPage::refreshEnvironment);
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QString bundle, ca;
        if (!prepareBundle(&bundle, &ca))
            return;
        QApplication::clipboard()->setText(environmentText());
        Q_EMIT noticeShown(tr("Copied the proxy environment: paste it into a terminal"));
    });
    connect(m_terminal, &QPushButton::clicked, this, &InterceptPage::openTerminal);
    connect(m_chromium, &QPushButton::clicked, this, &InterceptPage::openChromium);
    connect(m_firefox, &QPushButton::clicked, this, &InterceptPage::openFirefox);
    connect(document, &WorkspaceDocument::changed, this, &InterceptPage::load);
    connect(document, &WorkspaceDocument::diagnosticsChanged, this, &InterceptPage::showDiagnostics);
    connect(gateway, &GatewayController::runningChanged, this, &InterceptPage::refreshState);
    connect(gateway, &GatewayController::applied, this, [this] { refreshState(); });
    load();
    showDiagnostics();
}

void InterceptPage::load()
{
    const Workspace &ws = m_document->workspace();
    const bool on = ws.proxy.has_value();
    const config::ProxySettings p = ws.proxy.value_or(config::ProxySettings {});
    const QSignalBlocker b0(m_enabled);
    m_enabled->setChecked(on);
    m_listen->setValueText(p.listen.toString());
    const QSignalBlocker b1(m_intercept);
    m_intercept->setChecked(p.interceptTls);
    m_passthrough->setList(p.passthrough);
    m_upstreamCa->setText(p.upstreamCa);
    for (QWidget *w : { static_cast<QWidget *>(m_listen), static_cast<QWidget *>(m_intercept),
             static_cast<QWidget *>(m_passthrough), static_cast<QWidget *>(m_upstreamCa) })
        w->setEnabled(on);
    refreshState();
}

QUrl InterceptPage::proxyUrl() const
{
    QUrl url = config::proxyClientUrl(m_document->workspace().proxy.value_or(config::ProxySettings {}));
    if (m_gateway->isRunning() && m_gateway->gateway()->proxyUrl().isValid()) {
        const QUrl bound = m_gateway->gateway()->proxyUrl(); // the real port of a ":0" listener
        url.setHost(bound.host());
        url.setPort(bound.port());
    }
    return url;
}

void InterceptPage::refreshState()
{
    const bool configured = m_document->workspace().proxy.has_value();
    const bool running = m_gateway->isRunning() && m_gateway->gateway()->proxyUrl().isValid();
    if (!configured)
        m_state->setText(tr("Off: turn it on above, then apply."));
    else if (running)
        m_state->setText(tr("Listening on %1: apps that use it are captured (Traffic, proxied:true).")
                             .arg(m_gateway->gateway()->proxyUrl().toString()));
    else if (m_gateway->isRunning())
        m_state->setText(tr("Not running yet: apply the workspace to start it."));
    else
        m_state->setText(tr("Stopped: it runs with the gateway."));
    m_startStop->setText(m_gateway->isRunning() ? tr("Stop the gateway") : tr("Start the gateway"));
    // PATH is searched once per refresh, not once per question.
    const bool terminal = !terminalProgram().isEmpty();
    const bool chromium = !chromiumProgram().isEmpty();
    const bool firefox = !firefoxProgram().isEmpty();
    m_terminal->setEnabled(configured && terminal);
    m_chromium->setEnabled(configured && chromium);
    m_firefox->setEnabled(configured && firefox);
    if (!terminal)
        m_terminal->setToolTip(tr("No terminal found on PATH (x-terminal-emulator, gnome-terminal, konsole, "
                                  "xterm; or set $TERMINAL)"));
    if (!chromium)
        m_chromium->setToolTip(tr("No Chromium or Chrome found on PATH"));
    if (!firefox)
        m_firefox->setToolTip(tr("No Firefox found on PATH"));
    refreshCa();
    refreshEnvironment();
}

void InterceptPage::refreshCa()
{
    const Workspace &ws = m_document->workspace();
    const config::ProxySettings p = ws.proxy.value_or(config::ProxySettings {});
    const QString cert = ws.resolvePath(p.ca.cert);
    if (!QFileInfo::exists(cert)) {
        m_caShownFor.clear();
        m_caInfo->setText(tr("No CA yet: Portico creates one (%1, key readable by you only) when the proxy "
                             "starts or when you export it.")
                              .arg(cert));
        return;
    }
    // Every edit of the workspace refreshes the page; loading the CA reads both files and makes a
    // leaf key, so it is done again only when the certificate file is another or has changed.
    const QString shownFor = cert + u'@' + QFileInfo(cert).lastModified().toString(Qt::ISODateWithMs);
    if (shownFor == m_caShownFor)
        return;
    m_caShownFor = shownFor;
    QString error;
    const auto ca = proxy::LocalCa::loadOrCreate({ cert, ws.resolvePath(p.ca.key) }, &error);
    if (!ca) {
        m_caInfo->setText(tr("The CA cannot be used: %1").arg(error.toHtmlEscaped()));
        return;
    }
    m_caInfo->setText(
        tr("<b>%1</b><br>SHA-256 %2<br>valid until %3<br>%4")
            .arg(ca->subjectName().toHtmlEscaped(), QString::fromLatin1(ca->sha256Fingerprint()),
                ca->notAfter().toString(Qt::ISODate), cert.toHtmlEscaped()));
}

void InterceptPage::refreshEnvironment()
{
    m_environment->setPlainText(environmentText());
}

QString InterceptPage::environmentText() const
{
    const Workspace &ws = m_document->workspace();
    const config::ProxySettings p = ws.proxy.value_or(config::ProxySettings {});
    proxy::ProxyEnvironment env;
    env.proxyUrl = proxyUrl();
    env.caPath = ws.resolvePath(p.ca.cert);
    env.caBundlePath = QFileInfo(env.caPath).dir().filePath(QStringLiteral("portico-ca-bundle.pem"));
    const auto shell = proxy::shellNamed(m_shell->currentData().toString()).value_or(proxy::Shell::Sh);
    return proxy::environmentScript(env, shell);
}

bool InterceptPage::prepareBundle(QString *bundle, QString *caPath)
{
    const Workspace &ws = m_document->workspace();
    const config::ProxySettings p = ws.proxy.value_or(config::ProxySettings {});
    *caPath = ws.resolvePath(p.ca.cert);
    *bundle = QFileInfo(*caPath).dir().filePath(QStringLiteral("portico-ca-bundle.pem"));
    QString error;
    const auto ca = proxy::LocalCa::loadOrCreate({ *caPath, ws.resolvePath(p.ca.key) }, &error);
    if (!ca || !proxy::writeCaBundle(*bundle, ca->certificatePem(), &error)) {
        Q_EMIT noticeShown(tr("The CA cannot be used: %1").arg(error));
        return false;
    }
    refreshCa();
    return true;
}

void InterceptPage::exportCa()
{
    QString bundle, caPath;
    if (!prepareBundle(&bundle, &caPath))
        return;
    const QString target = QFileDialog::getSaveFileName(this, tr("Export Portico's CA certificate"),
        QDir::home().filePath(QStringLiteral("portico-ca.pem")), tr("PEM certificate (*.pem *.crt)"));
    if (target.isEmpty())
        return;
    QFile in(caPath);
    QSaveFile out(target);
    if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly) || out.write(in.readAll()) < 0
        || !out.commit()) {
        Q_EMIT noticeShown(tr("Cannot write %1: %2").arg(target, out.errorString()));
        return;
    }
    Q_EMIT noticeShown(tr("Exported the CA certificate to %1").arg(target));
}

void InterceptPage::openTerminal()
{
    QString bundle, caPath;
    if (!prepareBundle(&bundle, &caPath))
        return;
    proxy::ProxyEnvironment env;
    env.proxyUrl = proxyUrl();
    env.caPath = caPath;
    env.caBundlePath = bundle;
    QProcessEnvironment processEnv = QProcessEnvironment::systemEnvironment();
    for (const auto &[name, value] : proxy::environmentVariables(env))
        processEnv.insert(name, value);
    QProcess p;
    p.setProgram(terminalProgram());
    p.setProcessEnvironment(processEnv);
    p.setWorkingDirectory(QDir::homePath());
    if (!p.startDetached())
        Q_EMIT noticeShown(tr("Cannot start %1").arg(p.program()));
}

void InterceptPage::openChromium()
{
    QString bundle, caPath;
    if (!prepareBundle(&bundle, &caPath))
        return;
    gateway::Gateway *g = m_gateway->gateway();
    const gateway::RuntimeConfigPtr config = m_gateway->isRunning() ? g->state().config() : nullptr;
    const gateway::ForwardProxy *proxy = config ? config->forwardProxy() : nullptr;
    if (!proxy || !proxy->ca()) {
        Q_EMIT noticeShown(tr("Start the gateway with HTTPS decryption on first: the browser is told to "
                              "accept the running proxy's certificates"));
        return;
    }
    const QString profile = newProfileDir(QStringLiteral("chromium"));
    if (!QProcess::startDetached(
            chromiumProgram(), proxy::chromiumArguments(proxyUrl(), profile, proxy->ca()->leafSpkiSha256())))
        Q_EMIT noticeShown(tr("Cannot start %1").arg(chromiumProgram()));
}

void InterceptPage::openFirefox()
{
    QString bundle, caPath;
    if (!prepareBundle(&bundle, &caPath))
        return;
    const QString profile = newProfileDir(QStringLiteral("firefox"));
    QSaveFile js(QDir(profile).filePath(QStringLiteral("user.js")));
    if (!js.open(QIODevice::WriteOnly) || js.write(proxy::firefoxUserJs(proxyUrl())) < 0 || !js.commit()) {
        Q_EMIT noticeShown(tr("Cannot write the Firefox profile in %1").arg(profile));
        return;
    }
    // The CA goes into this profile's own certificate database (NSS certutil, libnss3-tools).
    const QString certutil = QStandardPaths::findExecutable(QStringLiteral("certutil"));
    if (!certutil.isEmpty()) {
        const QString db = QStringLiteral("sql:") + profile;
        QProcess::execute(certutil, { "-N", "--empty-password", "-d", db });
        QProcess::execute(certutil, { "-A", "-d", db, "-t", "C,,", "-n", "Portico Local CA", "-i", caPath });
    } else {
        Q_EMIT noticeShown(tr("certutil (libnss3-tools) is not installed: Firefox will warn about Portico's "
                              "certificates until you import the CA in its settings"));
    }
    if (!QProcess::startDetached(firefoxProgram(), proxy::firefoxArguments(profile)))
        Q_EMIT noticeShown(tr("Cannot start %1").arg(firefoxProgram()));
}

void InterceptPage::showDiagnostics()
{
    QHash<FieldBox *, QStringList> messages;
    for (const auto &d : m_document->diagnostics()) {
        for (auto it = m_fields.cbegin(); it != m_fields.cend(); ++it) {
            if (d.path == it.key() || d.path.startsWith(it.key() + u'.')
                || d.path.startsWith(it.key() + u'['))
                messages[it.value()] << d.message;
        }
    }
    for (FieldBox *f : std::as_const(m_fields))
        f->setDiagnostic(messages.value(f).join(u'\n'));
}

} // namespace portico::ui
