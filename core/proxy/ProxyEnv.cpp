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

QList<std::pair<QString, QString>> environmentVariables(const ProxyEnvironment &env)
{
    const QString proxy = env.proxyUrl.toString(QUrl::FullyEncoded);
    return {
        { QStringLiteral("HTTP_PROXY"), proxy },
        { QStringLiteral("HTTPS_PROXY"), proxy },
        { QStringLiteral("http_proxy"), proxy },
        { QStringLiteral("https_proxy"), proxy },
        { QStringLiteral("NO_PROXY"), env.noProxy },
        { QStringLiteral("no_proxy"), env.noProxy },
        // Stores replaced whole: the system's CAs plus Portico's.
        { QStringLiteral("SSL_CERT_FILE"), env.caBundlePath }, // OpenSSL, Ruby, Go (Linux), Python ssl
        { QStringLiteral("REQUESTS_CA_BUNDLE"), env.caBundlePath }, // Python requests
        { QStringLiteral("CURL_CA_BUNDLE"), env.caBundlePath },
        { QStringLiteral("GIT_SSL_CAINFO"), env.caBundlePath },
        { QStringLiteral("AWS_CA_BUNDLE"), env.caBundlePath },
        { QStringLiteral("PIP_CERT"), env.caBundlePath },
        { QStringLiteral("CARGO_HTTP_CAINFO"), env.caBundlePath },
        { QStringLiteral("DENO_CERT"), env.caBundlePath },
        // Added to Node's own store.
        { QStringLiteral("NODE_EXTRA_CA_CERTS"), env.caPath },
        { QStringLiteral("NODE_USE_ENV_PROXY"),
            QStringLiteral("1") }, // Node >= 24 honours HTTP(S)_PROXY then
        { QStringLiteral("PORTICO_PROXY"), proxy },
    };
}

QStringList chromiumArguments(const QUrl &proxy, const QString &profileDir, const QByteArray &leafSpki)
{
    const QString server = QStringLiteral("http://%1:%2").arg(proxy.host()).arg(proxy.port());
    return { QStringLiteral("--user-data-dir=%1").arg(profileDir),
        QStringLiteral("--proxy-server=%1").arg(server),
        // Chromium sends loopback directly unless told not to; local apps are worth capturing too.
        QStringLiteral("--proxy-bypass-list=<-loopback>"),
        QStringLiteral("--ignore-certificate-errors-spki-list=%1").arg(QString::fromLatin1(leafSpki)),
        QStringLiteral("--no-first-run"), QStringLiteral("--no-default-browser-check"),
        QStringLiteral("--disable-background-networking"), QStringLiteral("about:blank") };
}

QByteArray firefoxUserJs(const QUrl &proxy)
{
    const QByteArray host = proxy.host().toUtf8();
    const QByteArray port = QByteArray::number(proxy.port());
    return "// Written by Portico for an intercepted Firefox: the forward proxy for every request.\n"
           "user_pref(\"network.proxy.type\", 1);\n"
           "user_pref(\"network.proxy.http\", \""
        + host + "\");\nuser_pref(\"network.proxy.http_port\", " + port
        + ");\n"
          "user_pref(\"network.proxy.ssl\", \""
        + host + "\");\nuser_pref(\"network.proxy.ssl_port\", " + port
        + ");\n"
          "user_pref(\"network.proxy.no_proxies_on\", \"\");\n"
          "user_pref(\"network.proxy.allow_hijacking_localhost\", true);\n"
          "user_pref(\"browser.shell.checkDefaultBrowser\", false);\n"
          "user_pref(\"browser.aboutwelcome.enabled\", false);\n"
          "user_pref(\"datareporting.policy.dataSubmissionEnabled\", false);\n";
}

QStringList firefoxArguments(const QString &profileDir)
{
    return { QStringLiteral("-profile"), profileDir, QStringLiteral("-no-remote"),
        QStringLiteral("-new-instance") };
}

QString environmentScript(const ProxyEnvironment &env, Shell shell)
{
    const QList<std::pair<QString, QString>> vars = environmentVariables(env);
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
