#pragma once

// What `portico-cli proxy env` prints and the GUI's Intercept page copies: the environment that
// sends a terminal's programs through the forward proxy and makes them trust its CA.

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <QList>
#include <QStringList>

#include <optional>
#include <utility>

namespace portico::proxy {

enum class Shell { Sh, Fish, PowerShell };
// "sh" (also bash, zsh), "fish", "powershell" (also pwsh); nullopt for anything else.
std::optional<Shell> shellNamed(const QString &name);

// A PEM bundle: the system's trusted CAs, then `caPem` (Portico's CA), for the variables that
// replace a program's whole store (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, ...). Written atomically
// (readable by others: it holds only certificates). False with `error` naming the file.
bool writeCaBundle(const QString &path, const QByteArray &caPem, QString *error);

struct ProxyEnvironment
{
    QUrl proxyUrl; // http://host:port, with user:password when proxy.auth is set
    QString caBundlePath; // the bundle above
    QString caPath; // Portico's CA alone (NODE_EXTRA_CA_CERTS adds to Node's own store)
    QString noProxy = QStringLiteral("localhost,127.0.0.1,::1");
};

// The variables, in the order the script sets them (for a process started with them).
QList<std::pair<QString, QString>> environmentVariables(const ProxyEnvironment &env);

// A browser started for interception, in a fresh profile so nothing of the user's changes.
// Chromium: the proxy for every scheme (loopback included) and the leaves' public key accepted
// (LocalCa::leafSpkiSha256), no trust store touched.
QStringList chromiumArguments(const QUrl &proxy, const QString &profileDir, const QByteArray &leafSpki);
// Firefox: a user.js for the profile (proxy for HTTP and HTTPS, loopback included); the CA is
// added to the profile's own certificate database with NSS's certutil.
QByteArray firefoxUserJs(const QUrl &proxy);
QStringList firefoxArguments(const QString &profileDir);

// The lines to paste into (or eval in) a shell. Values are quoted for that shell, so a path
// with spaces or quotes stays one value.
QString environmentScript(const ProxyEnvironment &env, Shell shell);

} // namespace portico::proxy
