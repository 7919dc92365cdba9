#pragma once

// The contract's example workspace (docs/portico.example.yaml) built in code, so the
// exporter tests do not depend on the loader; plus helpers to run the external validators.

#include "core/config/Workspace.h"
#include "core/filters/acl/AclConfig.h"
#include "core/filters/transform/TransformConfig.h"

#include <QProcess>
#include <QTemporaryDir>

namespace portico::exporter::test {

using namespace portico::config;

inline Upstream makeUpstream(const QString &name, const QStringList &urls)
{
    Upstream u;
    u.name = name;
    for (const QString &url : urls)
        u.targets.append(Target { QUrl(url), 1 });
    return u;
}

inline Workspace sampleWorkspace()
{
    using namespace std::chrono_literals;
    Workspace ws;
    Upstream v1 = makeUpstream(QStringLiteral("users-v1"),
        { QStringLiteral("http://127.0.0.1:9001"), QStringLiteral("http://127.0.0.1:9011") });
    v1.retries = 1;
    v1.healthCheck = HealthCheck {};
    ws.upstreams << v1
                 << makeUpstream(QStringLiteral("users-v2"), { QStringLiteral("http://127.0.0.1:9002") })
                 << makeUpstream(QStringLiteral("orders"), { QStringLiteral("http://127.0.0.1:9003") });
    ws.tiers << Tier { QStringLiteral("free"), RateLimit { 10, 60s, RateLimit::By::Consumer, {} } }
             << Tier { QStringLiteral("gold"), RateLimit { 1000, 60s, RateLimit::By::Consumer, {} } };
    Consumer alice;
    alice.name = QStringLiteral("alice");
    alice.tier = QStringLiteral("gold");
    alice.groups = QStringList { QStringLiteral("admins") };
    alice.apiKeys = QStringList { QStringLiteral("alice-key-1") };
    Consumer bob;
    bob.name = QStringLiteral("bob");
    bob.tier = QStringLiteral("free");
    bob.apiKeys = QStringList { QStringLiteral("bob-key-1") };
    bob.jwtSubject = QStringLiteral("bob@example.com");
    ws.consumers << alice << bob;

    AuthScheme keys;
    keys.name = QStringLiteral("keys");
    keys.header = QStringLiteral("X-API-Key");
    keys.query = QStringLiteral("apikey");
    AuthScheme idp;
    idp.name = QStringLiteral("idp");
    idp.type = AuthType::Jwt;
    idp.issuer = QStringLiteral("https://idp.example.com/");
    idp.audience = QStringList { QStringLiteral("orders-api") };
    idp.algorithms
        = QStringList { QStringLiteral("RS256"), QStringLiteral("ES256"), QStringLiteral("EdDSA") };
    idp.jwksUrl = QUrl(QStringLiteral("http://127.0.0.1:9100/.well-known/jwks.json"));
    idp.clockSkew = 30s;
    AuthScheme introspect;
    introspect.name = QStringLiteral("introspect");
    introspect.type = AuthType::OAuth2Introspection;
    introspect.url = QUrl(QStringLiteral("http://127.0.0.1:9100/introspect"));
    introspect.clientId = QStringLiteral("portico");
    introspect.clientSecret = QStringLiteral("s3cret");
    introspect.cache = 60s;
    ws.auth << keys << idp << introspect;

    Route users;
    users.name = QStringLiteral("users");
    users.match.path = QStringLiteral("/api/users");
    users.match.methods = QStringList { QStringLiteral("GET"), QStringLiteral("POST") };
    users.match.hosts = QStringList { QStringLiteral("api.local"), QStringLiteral("*.api.local") };
    users.match.headers = KeyValues { { QStringLiteral("X-Env"), QStringLiteral("dev") } };
    Versions versions;
    versions.map = KeyValues { { QStringLiteral("v1"), QStringLiteral("users-v1") },
        { QStringLiteral("v2"), QStringLiteral("users-v2") } };
    versions.defaultVersion = QStringLiteral("v2");
    Deprecation v1Deprecation; // by member: Deprecation gains fields (since) over time
    v1Deprecation.sunset = QDate(2027, 6, 30);
    v1Deprecation.link = QStringLiteral("https://docs.example.com/migrate-v2");
    versions.deprecated.append({ QStringLiteral("v1"), v1Deprecation });
    users.versions = versions;
    users.filters.edit<config::AuthConfig>().schemes
        = QStringList { QStringLiteral("keys"), QStringLiteral("idp") };
    users.filters.edit<config::AuthConfig>().hideCredentials = true;
    users.filters.edit<config::AclConfig>().allowGroups = QStringList { QStringLiteral("admins") };
    users.filters.edit<config::RateLimitConfig>().limit = RateLimit { 100, 60s, RateLimit::By::Consumer, {} };
    users.filters.edit<config::TransformConfig>().request.headers.set
        = KeyValues { { QStringLiteral("X-Gateway"), QStringLiteral("portico") } };
    users.filters.edit<config::TransformConfig>().request.headers.remove
        = QStringList { QStringLiteral("X-Debug") };
    users.filters.edit<config::TransformConfig>().request.headers.rename
        = KeyValues { { QStringLiteral("X-Old"), QStringLiteral("X-New") } };
    users.filters.edit<config::TransformConfig>().request.query.set
        = KeyValues { { QStringLiteral("source"), QStringLiteral("gateway") } };
    users.filters.edit<config::TransformConfig>().request.query.remove
        = QStringList { QStringLiteral("debug") };
    users.filters.edit<config::TransformConfig>().response.headers.set
        = KeyValues { { QStringLiteral("X-Frame-Options"), QStringLiteral("DENY") } };
    users.filters.edit<config::TransformConfig>().response.headers.remove
        = QStringList { QStringLiteral("Server") };
    users.filters.edit<config::TransformConfig>().response.jsonRemove
        = QStringList { QStringLiteral("password"), QStringLiteral("items[*].ssn") };
    users.timeout = 5s;

    Route orders;
    orders.name = QStringLiteral("orders");
    orders.match.path = QStringLiteral("/api/orders");
    orders.upstream = QStringLiteral("orders");
    orders.filters.edit<config::AuthConfig>().schemes = QStringList { QStringLiteral("introspect") };

    Route dashboard;
    dashboard.name = QStringLiteral("dashboard");
    dashboard.match.pathKind = RouteMatch::PathKind::Exact;
    dashboard.match.path = QStringLiteral("/api/dashboard");
    dashboard.match.methods = QStringList { QStringLiteral("GET") };
    dashboard.aggregate << AggregatePart { QStringLiteral("user"), QStringLiteral("users-v2"),
        QStringLiteral("/users/me") }
                        << AggregatePart { QStringLiteral("orders"), QStringLiteral("orders"),
                               QStringLiteral("/orders/recent") };

    Route health;
    health.name = QStringLiteral("health");
    health.match.pathKind = RouteMatch::PathKind::Exact;
    health.match.path = QStringLiteral("/health");
    Mock mock;
    mock.headers = KeyValues { { QStringLiteral("Content-Type"), QStringLiteral("application/json") } };
    mock.body = QStringLiteral("{\"status\":\"ok\"}");
    health.mock = mock;
    ws.routes << users << orders << dashboard << health;
    ws.tracing.propagation = QStringList { QStringLiteral("w3c"), QStringLiteral("b3") };
    return ws;
}

// A small workspace served both by Portico and by the exported nginx config, and the requests
// (in order: the rate limit counts) with what each must give: status, upstream and upstream path.
inline Workspace parityWorkspace(const QUrl &svcUrl, const QUrl &v1Url, quint16 port)
{
    using namespace std::chrono_literals;
    Workspace ws;
    ws.gateway.listen = { HostPort { QStringLiteral("127.0.0.1"), port } };
    ws.gateway.workers = 1;
    ws.capture.enabled = false;
    ws.admin.enabled = false;
    ws.upstreams << makeUpstream(QStringLiteral("svc"), { svcUrl.toString() })
                 << makeUpstream(QStringLiteral("v1"), { v1Url.toString() });
    AuthScheme keys;
    keys.name = QStringLiteral("keys");
    keys.header = QStringLiteral("X-API-Key");
    keys.query = QStringLiteral("apikey");
    ws.auth << keys;
    Consumer alice;
    alice.name = QStringLiteral("alice");
    alice.groups = QStringList { QStringLiteral("admins") };
    alice.apiKeys = QStringList { QStringLiteral("alice-key") };
    Consumer bob;
    bob.name = QStringLiteral("bob");
    bob.apiKeys = QStringList { QStringLiteral("bob-key") };
    ws.consumers << alice << bob;

    Route echo;
    echo.name = QStringLiteral("echo");
    echo.match.path = QStringLiteral("/api/echo");
    echo.upstream = QStringLiteral("svc");
    Route strip = echo;
    strip.name = QStringLiteral("strip");
    strip.match.path = QStringLiteral("/api/strip");
    strip.stripPrefix = true;
    Route secure = echo;
    secure.name = QStringLiteral("secure");
    secure.match.path = QStringLiteral("/api/secure");
    secure.filters.edit<config::AuthConfig>().schemes = QStringList { QStringLiteral("keys") };
    secure.filters.edit<config::AuthConfig>().hideCredentials = true;
    Route admins = secure;
    admins.name = QStringLiteral("admins");
    admins.match.path = QStringLiteral("/api/admin");
    admins.filters.edit<config::AclConfig>().allowGroups = QStringList { QStringLiteral("admins") };
    Route limited = echo;
    limited.name = QStringLiteral("limited");
    limited.match.path = QStringLiteral("/api/limited");
    limited.filters.edit<config::RateLimitConfig>().limit = RateLimit { 3, 60s, RateLimit::By::Ip, {} };
    Route users = echo;
    users.name = QStringLiteral("users");
    users.match.path = QStringLiteral("/api/users");
    users.upstream.clear();
    Versions versions;
    versions.map = KeyValues { { QStringLiteral("v1"), QStringLiteral("v1") },
        { QStringLiteral("v2"), QStringLiteral("svc") } };
    versions.defaultVersion = QStringLiteral("v2");
    users.versions = versions;
    ws.routes << echo << strip << secure << admins << limited << users;
    return ws;
}

struct ParityCase
{
    QByteArray target;
    QByteArray headers;
    int status;
    QString upstream; // which loopback upstream answers ("svc" or "v1")
    QString upstreamPath; // the path it receives
    QString consumer; // X-Consumer-Name it receives ("" = not checked)
};

inline QList<ParityCase> parityCases()
{
    return {
        { "/api/echo/a?x=1", {}, 200, "svc", "/api/echo/a", {} },
        { "/api/strip/items/7", {}, 200, "svc", "/items/7", {} },
        { "/nowhere", {}, 404, {}, {}, {} },
        { "/api/secure/x", {}, 401, {}, {}, {} },
        { "/api/secure/x", "X-API-Key: wrong\r\n", 401, {}, {}, {} },
        { "/api/secure/x", "X-API-Key: alice-key\r\n", 200, "svc", "/api/secure/x", "alice" },
        { "/api/secure/y?apikey=bob-key", {}, 200, "svc", "/api/secure/y", "bob" },
        { "/api/admin", "X-API-Key: bob-key\r\n", 403, {}, {}, {} },
        { "/api/admin", "X-API-Key: alice-key\r\n", 200, "svc", "/api/admin", "alice" },
        { "/api/limited", {}, 200, "svc", "/api/limited", {} },
        { "/api/limited", {}, 200, "svc", "/api/limited", {} },
        { "/api/limited", {}, 200, "svc", "/api/limited", {} },
        { "/api/limited", {}, 429, {}, {}, {} },
        { "/v1/api/users/7", {}, 200, "v1", "/api/users/7", {} },
        { "/api/users/8", {}, 200, "svc", "/api/users/8", {} },
    };
}

// Runs a program; returns its exit code (-1 when it could not start), with stdout+stderr in *output.
inline int runProcess(
    const QString &program, const QStringList &args, QByteArray *output, int timeoutMs = 120'000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForStarted(10'000))
        return -1;
    p.waitForFinished(timeoutMs);
    if (output)
        *output = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

// Validates a YAML or JSON document against a JSON schema with python3-jsonschema.
inline int validateWithSchema(const QString &docPath, const QString &schemaPath, QByteArray *output)
{
    static const char *script = R"PY(
import json, sys, yaml, jsonschema
doc = yaml.safe_load(open(sys.argv[1]))
schema = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
for e in errors:
    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message[:300])
sys.exit(1 if errors else 0)
)PY";
    return runProcess(QStringLiteral("python3"),
        { QStringLiteral("-c"), QString::fromUtf8(script), docPath, schemaPath }, output);
}

} // namespace portico::exporter::test
