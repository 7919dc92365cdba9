#include "core/config/ProxyConfig.h"

#include "core/proxy/LocalCa.h"

namespace portico::config {

ProxySettings parseProxy(YamlReader &r, const YAML::Node &node, const QString &path)
{
    ProxySettings p;
    const QStringList keys { "listen", "intercept_tls", "ca", "passthrough", "upstream_ca", "auth" };
    for (const auto &f : r.fields(node, path, QStringLiteral("proxy"), keys)) {
        if (f.key == u"listen") {
            assign(p.listen, r.hostPort(f.value, f.path));
        } else if (f.key == u"intercept_tls") {
            assign(p.interceptTls, r.boolean(f.value, f.path));
        } else if (f.key == u"ca") {
            for (const auto &c : r.fields(f.value, f.path, QStringLiteral("proxy ca"), { "cert", "key" })) {
                if (c.key == u"cert")
                    assign(p.ca.cert, r.string(c.value, c.path));
                else
                    assign(p.ca.key, r.string(c.value, c.path));
            }
        } else if (f.key == u"passthrough") {
            p.passthrough = r.stringList(f.value, f.path);
        } else if (f.key == u"upstream_ca") {
            assign(p.upstreamCa, r.string(f.value, f.path));
        } else {
            ProxyAuth a;
            for (const auto &c :
                r.fields(f.value, f.path, QStringLiteral("proxy auth"), { "username", "password" })) {
                if (c.key == u"username")
                    assign(a.username, r.string(c.value, c.path));
                else
                    assign(a.password, r.string(c.value, c.path, YamlReader::UnsetEnv::Empty));
            }
            p.auth = a;
        }
    }
    return p;
}

std::optional<WorkspaceTree> writeProxy(const TreeWriter &w, const std::optional<ProxySettings> &p)
{
    if (!p)
        return std::nullopt;
    const ProxySettings def;
    WorkspaceTree t;
    t.insert("listen", w.str("proxy.listen", p->listen.toString()));
    t.insert("intercept_tls", w.scalar("proxy.intercept_tls", WorkspaceTree::boolean(p->interceptTls)));
    if (p->ca != def.ca) {
        t.insert("ca",
            TreeWriter::map({ { "cert", w.str("proxy.ca.cert", p->ca.cert) },
                { "key", w.str("proxy.ca.key", p->ca.key) } }));
    }
    if (!p->passthrough.isEmpty())
        t.insert("passthrough", w.list("proxy.passthrough", p->passthrough));
    if (!p->upstreamCa.isEmpty())
        t.insert("upstream_ca", w.str("proxy.upstream_ca", p->upstreamCa));
    if (p->auth) {
        t.insert("auth",
            TreeWriter::map({ { "username", w.str("proxy.auth.username", p->auth->username) },
                { "password", w.str("proxy.auth.password", p->auth->password, true) } }));
    }
    return t;
}

QUrl proxyClientUrl(const ProxySettings &p)
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    const QString host = p.listen.host;
    url.setHost(host.isEmpty() || host == u"0.0.0.0" || host == u"*" || host == u"::" ? QStringLiteral("127.0.0.1")
                                                                                     : host);
    url.setPort(p.listen.port);
    if (p.auth) {
        url.setUserName(p.auth->username);
        url.setPassword(p.auth->password);
    }
    return url;
}

bool hostMatchesGlob(QStringView host, QStringView pattern)
{
    if (pattern.startsWith(u"*.")) {
        const QStringView suffix = pattern.mid(1); // ".example.com"
        return host.size() > suffix.size() && host.endsWith(suffix, Qt::CaseInsensitive);
    }
    return host.compare(pattern, Qt::CaseInsensitive) == 0;
}

void validateProxy(ValidationSink &sink, const Workspace &ws)
{
    if (!ws.proxy)
        return;
    const ProxySettings &p = *ws.proxy;
    if (p.auth) {
        if (p.auth->username.isEmpty() || p.auth->username.contains(u':'))
            sink.add("proxy.auth.username",
                QStringLiteral("proxy.auth.username must be a non-empty name without ':'"));
        if (p.auth->password.isEmpty()) {
            const QString unset = ws.envTemplates.value(QStringLiteral("proxy.auth.password"));
            sink.add("proxy.auth.password",
                unset.isEmpty() ? QStringLiteral("proxy.auth.password is empty")
                                : QStringLiteral("proxy.auth.password: %1 is empty or not set").arg(unset));
        }
    } else if (!p.listen.isLoopback()) {
        sink.add("proxy.listen",
            QStringLiteral("proxy.listen %1 is not a loopback address, so the forward proxy needs proxy.auth "
                           "(username and password); or listen on 127.0.0.1, localhost or [::1]")
                .arg(p.listen.toString()));
    }
    for (const HostPort &g : ws.gateway.listen) {
        if (g.port == p.listen.port && p.listen.port != 0)
            sink.add("proxy.listen",
                QStringLiteral("proxy.listen port %1 is also a gateway.listen port").arg(p.listen.port));
    }
    if (ws.admin.enabled && ws.admin.listen.port == p.listen.port && p.listen.port != 0)
        sink.add(
            "proxy.listen", QStringLiteral("proxy.listen port %1 is also admin.listen's").arg(p.listen.port));
    for (int i = 0; i < p.passthrough.size(); ++i) {
        const QString &glob = p.passthrough[i];
        const QString name = glob.startsWith(u"*.") ? glob.mid(2) : glob;
        if (proxy::leafHostName(name).isEmpty())
            sink.add(QStringLiteral("proxy.passthrough[%1]").arg(i),
                QStringLiteral("'%1' is not a host name or a *.domain pattern").arg(glob));
    }
    if (!p.upstreamCa.isEmpty())
        sink.checkFile("proxy.upstream_ca", p.upstreamCa);
    if (p.ca.cert.isEmpty() || p.ca.key.isEmpty())
        sink.add("proxy.ca", QStringLiteral("proxy.ca needs both cert and key paths"));
}

} // namespace portico::config
