#pragma once

// The workspace model: plain, immutable-once-loaded value types mirroring the workspace file
// (docs/portico.example.yaml). The loader (WorkspaceLoader) builds it and validates it;
// the writer (WorkspaceWriter) saves it back; the gateway compiles it into runtime objects.
// Paths are kept as written in the file (relative ones resolve against baseDir via resolvePath()),
// so that load -> save -> load is lossless.

#include "core/config/ConfigTypes.h"
#include "core/config/FilterConfig.h"
// Workspace sections and route backends whose types belong to a filter (see Route below).
#include "core/filters/auth/AuthConfig.h"
#include "core/filters/mock/MockConfig.h"
#include "core/filters/ratelimit/RateLimitConfig.h"
#include "core/filters/ratelimit/RateLimitStoreConfig.h"
#include "core/filters/versioning/VersionsConfig.h"
#include "core/grpc/Schema.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace portico::config {

struct HostPort
{
    QString host; // as written: "127.0.0.1", "localhost", "::1", "0.0.0.0"
    quint16 port = 0;
    bool operator==(const HostPort &) const = default;
    QString toString() const
    {
        return host.contains(u':') ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                   : QStringLiteral("%1:%2").arg(host).arg(port);
    }
    // Only this machine can connect: "localhost" or a loopback literal (127.0.0.0/8, ::1). A name
    // is not resolved (it could resolve elsewhere later), so any other name counts as reachable.
    bool isLoopback() const;
};

struct TlsFiles
{
    QString cert; // PEM certificate chain, path as written
    QString key;  // PEM private key, path as written
    bool operator==(const TlsFiles &) const = default;
};

struct Limits
{
    qint64 maxHeaderBytes = 64 * 1024;
    qint64 maxBodyBytes = 10 * 1024 * 1024;
    Duration headerTimeout { 10'000 };
    Duration idleTimeout { 60'000 };
    int maxConnections = 4096; // open downstream connections per gateway; more are refused until some close
    bool operator==(const Limits &) const = default;
};

// How request paths are read before routing (README "How Portico reads a path").
struct PathRules
{
    enum class EscapedSlashes { Keep, Reject, Decode };
    bool mergeSlashes = true;
    EscapedSlashes escapedSlashes = EscapedSlashes::Keep;
    bool operator==(const PathRules &) const = default;
};

struct GatewaySettings
{
    QList<HostPort> listen { HostPort { QStringLiteral("127.0.0.1"), 8080 } };
    std::optional<TlsFiles> tls;
    int workers = 0; // 0 = auto (number of cores)
    // HTTP/2 beside HTTP/1.1 on the same listeners: ALPN "h2" on TLS ones, prior-knowledge h2c
    // (the connection preface) on cleartext ones.
    bool http2 = false;
    Limits limits;
    PathRules paths;
    bool operator==(const GatewaySettings &) const = default;
};

struct AdminSettings
{
    bool enabled = true;
    HostPort listen { QStringLiteral("127.0.0.1"), 9080 };
    QString token; // empty = no token required
    bool operator==(const AdminSettings &) const = default;
};

struct Retention
{
    qint64 maxExchanges = 1'000'000;
    Duration maxAge { std::chrono::hours(24 * 30) };
    bool operator==(const Retention &) const = default;
};

struct CaptureSettings
{
    bool enabled = true;
    QString database = QStringLiteral("traffic.db"); // as written; resolvePath() for the real path
    qint64 maxBodyBytes = 1024 * 1024;
    QStringList redactHeaders { QStringLiteral("authorization"), QStringLiteral("cookie"),
                                QStringLiteral("set-cookie"), QStringLiteral("x-api-key") };
    Retention retention;
    bool operator==(const CaptureSettings &) const = default;
};

// tracing.otlp: spans exported over OTLP/HTTP (JSON encoding) to an OpenTelemetry collector.
struct OtlpSettings
{
    QUrl endpoint; // e.g. http://127.0.0.1:4318/v1/traces
    QString serviceName = QStringLiteral("portico");
    double sample = 1.0; // fraction of new traces; an incoming trace's sampled flag decides for it
    bool operator==(const OtlpSettings &) const = default;
};

struct TracingSettings
{
    QStringList propagation { QStringLiteral("w3c") }; // any of: w3c, b3
    std::optional<OtlpSettings> otlp;
    bool w3c() const { return propagation.contains(QStringLiteral("w3c")); }
    bool b3() const { return propagation.contains(QStringLiteral("b3")); }
    bool operator==(const TracingSettings &) const = default;
};

// grpc: the protobuf schemas (core/grpc/Schema.h), paths as written (relative to the file's folder).
struct GrpcSettings
{
    QStringList protos;     // .proto files, or descriptor sets (.pb)
    QStringList protoPaths; // where imports are looked up
    bool operator==(const GrpcSettings &) const = default;
};

// proxy: the forward proxy (core/proxy). Paths as written (relative to the file's folder).
struct ProxyAuth
{
    QString username;
    QString password; // usually ${ENV}; the writer keeps the template
    bool operator==(const ProxyAuth &) const = default;
};

struct ProxySettings
{
    HostPort listen { QStringLiteral("127.0.0.1"), 8888 };
    bool interceptTls = true;
    TlsFiles ca { QStringLiteral("ca/portico-ca.pem"), QStringLiteral("ca/portico-ca-key.pem") };
    QStringList passthrough; // host globs: tunnelled without decryption
    QString upstreamCa; // extra CA file trusted for the servers reached
    std::optional<ProxyAuth> auth; // Proxy-Authorization: Basic; required off loopback
    bool operator==(const ProxySettings &) const = default;
};

struct Target
{
    QUrl url; // http:// or https://, host and port, no path
    int weight = 1;
    bool operator==(const Target &) const = default;
};

enum class Balance { RoundRobin, LeastConnections, IpHash };

// How Portico talks to an upstream: HTTP/1.1 (http:// or https:// targets), HTTP/2 over cleartext
// with prior knowledge (h2c, http:// targets) or HTTP/2 over TLS negotiated with ALPN (h2, https://).
enum class UpstreamProtocol { Http1, H2c, H2 };

struct HealthCheck
{
    QString path = QStringLiteral("/healthz");
    Duration interval { 5'000 };
    Duration timeout { 2'000 };
    int unhealthyAfter = 3;
    int healthyAfter = 2;
    bool operator==(const HealthCheck &) const = default;
};

struct Upstream
{
    QString name;
    QList<Target> targets;
    Balance balance = Balance::RoundRobin;
    UpstreamProtocol protocol = UpstreamProtocol::Http1;
    Duration connectTimeout { 2'000 };
    Duration responseTimeout { 30'000 };
    int retries = 0; // on connect failure, idempotent methods only
    std::optional<HealthCheck> healthCheck;
    bool operator==(const Upstream &) const = default;
};

struct Tier
{
    QString name;
    std::optional<RateLimit> rateLimit;
    bool operator==(const Tier &) const = default;
};

struct Consumer
{
    QString name;
    QString tier; // empty = none
    QStringList groups;
    QStringList apiKeys;
    QString jwtSubject;
    bool operator==(const Consumer &) const = default;
};

struct RouteMatch
{
    enum class PathKind { Prefix, Exact, Regex };
    PathKind pathKind = PathKind::Prefix;
    QString path = QStringLiteral("/");
    QStringList methods; // upper case; empty = any
    QStringList hosts;   // exact or "*.suffix"; empty = any
    KeyValues headers;   // header name -> exact value
    bool operator==(const RouteMatch &) const = default;
};

// routes[].grpc: the gRPC services a route serves, and whether REST requests are transcoded to them.
struct RouteGrpc
{
    bool transcode = false; // REST in, gRPC to the upstream (google.api.http rules)
    QStringList services; // full names, "demo.users.v1.Users"
    bool ignoreUnknownFields = false; // transcoding: JSON/query fields the message lacks are dropped, not a 400
    bool operator==(const RouteGrpc &) const = default;
};

struct AggregatePart
{
    QString key;
    QString upstream;
    QString path;
    bool operator==(const AggregatePart &) const = default;
};

// A route: what it matches, where it sends what it matched (its backend), and the configs of the
// filters it runs on the way (auth, acl, rate_limit, transform: core/filters/FilterRegistry.h).
// The backend types of versions and mock live in the folders of the filters that serve them.
struct Route
{
    QString name;
    RouteMatch match;
    // The backend: exactly one of these four is set (validated by the loader).
    QString upstream;
    std::optional<Versions> versions;
    QList<AggregatePart> aggregate;
    std::optional<Mock> mock;

    bool stripPrefix = false;
    std::optional<RouteGrpc> grpc;
    std::optional<Duration> timeout;
    // By filter name; e.g. filters.value<AuthConfig>().schemes, filters.edit<AclConfig>().
    FilterConfigs filters;
    bool operator==(const Route &) const = default;
};

struct Workspace
{
    int version = 1;
    GatewaySettings gateway;
    AdminSettings admin;
    CaptureSettings capture;
    TracingSettings tracing;
    RateLimitStoreSettings rateLimitStore; // the rate_limit filter's (RateLimitStoreConfig.h)
    GrpcSettings grpc;
    std::optional<ProxySettings> proxy; // absent: no forward proxy
    QList<Upstream> upstreams; // file order
    QList<Tier> tiers;
    QList<Consumer> consumers;
    QList<AuthScheme> auth; // the auth filter's schemes (core/filters/auth/AuthConfig.h)
    QList<Route> routes;

    // Where it came from (not part of equality of content, but kept for paths and the writer).
    QString filePath; // absolute; empty for an in-memory workspace
    // Values written with ${NAME} in the file, keyed by their dotted path ("admin.token",
    // "auth.idp.secret"): the writer saves the template, never the expanded secret.
    QHash<QString, QString> envTemplates;
    // grpc.protos compiled by the loader (null when there are none, or for a model built in
    // memory until compileGrpcSchema() runs); derived from `grpc`, so not part of equality.
    grpc::SchemaPtr grpcSchema;

    QString baseDir() const;
    QString resolvePath(const QString &path) const; // relative to the file's folder

    const Upstream *findUpstream(const QString &name) const;
    const Tier *findTier(const QString &name) const;
    const Consumer *findConsumer(const QString &name) const;
    const AuthScheme *findAuth(const QString &name) const;
    const Route *findRoute(const QString &name) const;

    bool operator==(const Workspace &other) const;
};

using WorkspacePtr = std::shared_ptr<const Workspace>;

QString balanceName(Balance b);
QString upstreamProtocolName(UpstreamProtocol p); // http1, h2c, h2 (the workspace's words)
// Canonical text forms used by the writer and the GUI: 250ms, 5s, 1m, 2h, 30d; 512, 64KiB, 10MiB.
QString formatDuration(Duration d);
QString formatSize(qint64 bytes);

} // namespace portico::config
