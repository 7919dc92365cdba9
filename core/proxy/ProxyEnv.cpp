#include "core/proxy/ProxyEnv.h"

#include <QSaveFile>
#include <QSslCertificate>
#include <QSslConfiguration>

#include <optional>
#include <utility>
#include <vector>

namespace portico::proxy {

std::optional<Shell> shellNamed(const QString &name)
{
    const QString n = name.toLower();
    if (n == u"sh" || n == u"bash" || n == u"zsh")
        return Shell::Sh;
    if (n == u"fish")
        return Shell::Fish;
    if (n == u"powershell" || n == u"pwsh")
        return Shell::PowerShell;
    return std::nullopt;
}

bool writeCaBundle(const QString &path, const QByteArray &caPem, QString *error)
{
    QByteArray pem;
    for (const QSslCertificate &c : QSslConfiguration::systemCaCertificates())
        pem += c.toPem();
    pem += "# Portico's local CA (proxy.ca)\n" + caPem;
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(pem) != pem.size() || !f.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

namespace {

QString quoted(const QString &value, Shell shell)
{
    QString v = value;
    switch (shell) {
    case Shell::Sh: // '...' with each ' as '\''
        return u'\'' + v.replace(u'\'', QStringLiteral("'\\''")) + u'\'';
    case Shell::Fish: // '...' with \ and ' escaped
        v.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
        return u'\'' + v + u'\'';
    case Shell::PowerShell: // '...' with ' doubled
        return u'\'' + v.replace(u'\'', QStringLiteral("''")) + u'\'';
    }
    return v;
}

QString assignment(const QString &name, const QString &value, Shell shell)
{
    switch (shell) {
    case Shell::Sh:
        return QStringLiteral("export %1=%2\n").arg(name, quoted(value, shell));
    case Shell::Fish:
        return QStringLiteral("set -gx %1 %2\n").arg(name, quoted(value, shell));
    case Shell::PowerShell:
        return QStringLiteral("$env:%1 = %2\n").arg(name, quoted(value, shell));
    }
    return {};
}

} // namespace

QString environmentScript(const ProxyEnvironment &env, Shell shell)
{
    const QString proxy = env.proxyUrl.toString(QUrl::FullyEncoded);
    std::vector<std::pair<QString, QString>> vars {
        { QStringLiteral("HTTP_PROXY"), proxy },
        { QStringLiteral("HTTPS_PROXY"), proxy },
        { QStringLiteral("http_proxy"), proxy },
        { QStringLiteral("https_proxy"), proxy },
        { QStringLiteral("NO_PROXY"), env.noProxy },
        { QStringLiteral("no_proxy"), env.noProxy },
        // Stores replaced whole: the system's CAs plus Portico's.
        { QStringLiteral("SSL_CERT_FILE"), env.caBundlePath },     // OpenSSL, Ruby, Go (Linux), Python ssl
        { QStringLiteral("REQUESTS_CA_BUNDLE"), env.caBundlePath }, // Python requests
        { QStringLiteral("CURL_CA_BUNDLE"), env.caBundlePath },
        { QStringLiteral("GIT_SSL_CAINFO"), env.caBundlePath },
        { QStringLiteral("AWS_CA_BUNDLE"), env.caBundlePath },
        { QStringLiteral("PIP_CERT"), env.caBundlePath },
        { QStringLiteral("CARGO_HTTP_CAINFO"), env.caBundlePath },
        { QStringLiteral("DENO_CERT"), env.caBundlePath },
        // Added to Node's own store.
        { QStringLiteral("NODE_EXTRA_CA_CERTS"), env.caPath },
        { QStringLiteral("NODE_USE_ENV_PROXY"), QStringLiteral("1") }, // Node >= 24 honours HTTP(S)_PROXY then
        { QStringLiteral("PORTICO_PROXY"), proxy },
    };
    QString out;
    switch (shell) {
    case Shell::Sh:
    case Shell::Fish:
        out = QStringLiteral("# Programs started from this shell go through Portico's forward proxy.\n");
        break;
    case Shell::PowerShell:
        out = QStringLiteral("# Programs started from this PowerShell go through Portico's forward proxy.\n");
        break;
    }
    for (const auto &[name, value] : vars)
        out += assignment(name, value, shell);
    return out;
}

} // namespace portico::proxy
