// portico-cli ca export / proxy env: what an app needs to go through the forward proxy
// (proxy: in the workspace): the CA to trust, and the environment of a terminal whose programs
// use the proxy.
#include "app/cli/Command.h"
#include "core/config/ProxyConfig.h"
#include "core/config/WorkspaceLoader.h"
#include "core/proxy/LocalCa.h"
#include "core/proxy/ProxyEnv.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <cstdio>

namespace portico::cli {

namespace {

constexpr const char *kCaUsage = "Usage: portico-cli ca export -c FILE [-o OUT.pem]\n";
constexpr const char *kProxyUsage = "Usage: portico-cli proxy env -c FILE [--shell sh|fish|powershell]\n";

struct Args
{
    QString file;
    QString out;
    QString shell = QStringLiteral("sh");
    bool help = false;
};

// -c FILE plus the one option the command takes (`valueOption`); false after an error message.
bool parse(
    const QStringList &args, const char *command, const char *usage, const QString &valueOption, Args *a)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        if (arg == u"-h" || arg == u"--help") {
            a->help = true;
        } else if ((arg == u"-c" || arg == u"--config") && i + 1 < args.size()) {
            a->file = args[++i];
        } else if (arg.startsWith(QStringLiteral("--config="))) {
            a->file = arg.mid(9);
        } else if (valueOption == u"-o" && (arg == u"-o" || arg == u"--output") && i + 1 < args.size()) {
            a->out = args[++i];
        } else if (valueOption == u"--shell" && arg == u"--shell" && i + 1 < args.size()) {
            a->shell = args[++i];
        } else if (valueOption == u"--shell" && arg.startsWith(QStringLiteral("--shell="))) {
            a->shell = arg.mid(8);
        } else {
            std::fprintf(
                stderr, "portico-cli %s: unexpected argument '%s'\n%s", command, qPrintable(arg), usage);
            return false;
        }
    }
    if (!a->help && a->file.isEmpty()) {
        std::fprintf(stderr, "portico-cli %s: missing -c FILE\n%s", command, usage);
        return false;
    }
    return true;
}

// The workspace's CA, created when missing (proxy.ca, or its default place without a proxy
// section). Null after printing why.
std::shared_ptr<proxy::LocalCa> loadCa(const QString &file, config::WorkspacePtr *workspace)
{
    const config::LoadResult result = config::loadWorkspaceFile(file);
    for (const config::Diagnostic &d : result.errors)
        std::fprintf(stderr, "%s\n", qPrintable(d.toString()));
    if (!result.ok())
        return nullptr;
    *workspace = result.workspace;
    const config::Workspace &ws = *result.workspace;
    const config::ProxySettings settings = ws.proxy.value_or(config::ProxySettings {});
    QString error;
    bool created = false;
    auto ca = proxy::LocalCa::loadOrCreate(
        { ws.resolvePath(settings.ca.cert), ws.resolvePath(settings.ca.key) }, &error, &created);
    if (!ca) {
        std::fprintf(stderr, "proxy.ca: %s\n", qPrintable(error));
        return nullptr;
    }
    if (created)
        std::fprintf(stderr, "created the local CA %s (key %s, readable by you only)\n",
            qPrintable(ws.resolvePath(settings.ca.cert)), qPrintable(ws.resolvePath(settings.ca.key)));
    return ca;
}

int caExport(const QStringList &args)
{
    Args a;
    if (!parse(args, "ca export", kCaUsage, QStringLiteral("-o"), &a))
        return 2;
    if (a.help) {
        std::fputs(kCaUsage, stdout);
        std::fputs(
            "Writes the forward proxy's CA certificate (proxy.ca; created on first use) to OUT.pem or\n"
            "standard output, for clients and browsers to trust. The key never leaves its file.\n",
            stdout);
        return 0;
    }
    config::WorkspacePtr ws;
    const auto ca = loadCa(a.file, &ws);
    if (!ca)
        return 2;
    if (a.out.isEmpty()) {
        std::fwrite(ca->certificatePem().constData(), 1, size_t(ca->certificatePem().size()), stdout);
    } else {
        QSaveFile f(a.out);
        if (!f.open(QIODevice::WriteOnly) || f.write(ca->certificatePem()) != ca->certificatePem().size()
            || !f.commit()) {
            std::fprintf(stderr, "cannot write %s: %s\n", qPrintable(a.out), qPrintable(f.errorString()));
            return 2;
        }
    }
    std::fprintf(stderr, "%s, SHA-256 %s, valid until %s\n", qPrintable(ca->subjectName()),
        ca->sha256Fingerprint().constData(), qPrintable(ca->notAfter().toString(Qt::ISODate)));
    return 0;
}

int proxyEnv(const QStringList &args)
{
    Args a;
    if (!parse(args, "proxy env", kProxyUsage, QStringLiteral("--shell"), &a))
        return 2;
    if (a.help) {
        std::fputs(kProxyUsage, stdout);
        std::fputs("Prints the environment that sends a terminal's programs through the forward proxy\n"
                   "(proxy.listen) and makes them trust its CA: HTTP_PROXY, HTTPS_PROXY (and lower case),\n"
                   "NO_PROXY, and SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE,\n"
                   "GIT_SSL_CAINFO, ... naming a bundle of the system's CAs plus Portico's, written beside\n"
                   "the CA. Use it with:  eval \"$(portico-cli proxy env -c portico.yaml)\"\n",
            stdout);
        return 0;
    }
    const auto shell = proxy::shellNamed(a.shell);
    if (!shell) {
        std::fprintf(stderr, "portico-cli proxy env: unknown shell '%s' (sh, fish or powershell)\n",
            qPrintable(a.shell));
        return 2;
    }
    config::WorkspacePtr workspace;
    const auto ca = loadCa(a.file, &workspace);
    if (!ca)
        return 2;
    const config::Workspace &ws = *workspace;
    if (!ws.proxy)
        std::fprintf(stderr,
            "note: %s has no proxy section; start one with proxy: {listen: 127.0.0.1:8888}\n",
            qPrintable(a.file));
    const config::ProxySettings settings = ws.proxy.value_or(config::ProxySettings {});
    proxy::ProxyEnvironment env;
    env.caPath = ws.resolvePath(settings.ca.cert);
    env.caBundlePath = QFileInfo(env.caPath).dir().filePath(QStringLiteral("portico-ca-bundle.pem"));
    QString error;
    if (!proxy::writeCaBundle(env.caBundlePath, ca->certificatePem(), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 2;
    }
    env.proxyUrl = config::proxyClientUrl(settings);
    const QByteArray script = proxy::environmentScript(env, *shell).toUtf8();
    std::fwrite(script.constData(), 1, size_t(script.size()), stdout);
    return 0;
}

} // namespace

int runCa(const QStringList &args)
{
    if (args.isEmpty() || args.first() == u"-h" || args.first() == u"--help") {
        std::fputs(kCaUsage, args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    if (args.first() == u"export")
        return caExport(args.mid(1));
    std::fprintf(stderr, "portico-cli ca: unknown subcommand '%s'\n%s", qPrintable(args.first()), kCaUsage);
    return 2;
}

int runProxy(const QStringList &args)
{
    if (args.isEmpty() || args.first() == u"-h" || args.first() == u"--help") {
        std::fputs(kProxyUsage, args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    if (args.first() == u"env")
        return proxyEnv(args.mid(1));
    std::fprintf(
        stderr, "portico-cli proxy: unknown subcommand '%s'\n%s", qPrintable(args.first()), kProxyUsage);
    return 2;
}

} // namespace portico::cli
