#pragma once

// The second half of tst_workspaceloader's mistake rows: values out of range, unknown enum values,
// missing files and syntax, one QTest::newRow each (columns "text" and "expected"). Split out to
// keep each file short; called from TestWorkspaceLoader::mistakes_data(). The rows keep their
// original indentation: the YAML inside the raw strings is whitespace-sensitive.

#include <QByteArray>
#include <QStringList>
#include <QTest>

inline void addValueMistakeRows()
{
        QTest::newRow("unknown balance") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
    balance: round_robn
)yaml") << QStringList { QStringLiteral("5:14: unknown balance 'round_robn' (did you mean 'round_robin'?)") };
        QTest::newRow("unknown upstream protocol") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
    protocol: http2
)yaml") << QStringList { QStringLiteral("5:15: unknown protocol 'http2' (did you mean 'http1'?)") };
        QTest::newRow("h2c with an https target") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: https://127.0.0.1:9001}]
    protocol: h2c
)yaml") << QStringList { QStringLiteral("4:21: target URL 'https://127.0.0.1:9001' must use http with protocol h2c (h2 is HTTP/2 over TLS)") };
        QTest::newRow("h2 with an http target") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
    protocol: h2
)yaml") << QStringList { QStringLiteral("4:21: target URL 'http://127.0.0.1:9001' must use https with protocol h2 (h2c is HTTP/2 without TLS)") };
        QTest::newRow("unknown auth type") << QByteArrayLiteral(R"yaml(version: 1
auth:
  keys:
    type: apikey
    header: X-API-Key
)yaml") << QStringList { QStringLiteral("4:11: unknown auth type 'apikey' (did you mean 'api_key'?)") };
        QTest::newRow("unknown rate limit by")
            << QByteArrayLiteral(R"yaml(version: 1
tiers:
  free:
    rate_limit: {requests: 10, per: 1m, by: user}
)yaml")
            << QStringList { QStringLiteral(
                   "4:45: unknown rate limit by 'user' (use consumer, ip, route or header:NAME)") };
        QTest::newRow("listener not host:port")
            << QByteArrayLiteral(R"yaml(version: 1
gateway:
  listen: [127.0.0.1:8080, localhost]
)yaml")
            << QStringList { QStringLiteral(
                   "3:28: invalid listener 'localhost' (use host:port, e.g. 127.0.0.1:8080 or [::1]:8080)") };
        QTest::newRow("ipv6 listener without brackets")
            << QByteArrayLiteral(R"yaml(version: 1
admin:
  listen: ::1:9080
)yaml")
            << QStringList { QStringLiteral(
                   "3:11: invalid listener '::1:9080' (use host:port, e.g. 127.0.0.1:8080 or [::1]:8080)") };
        QTest::newRow("missing route match") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    upstream: users
)yaml") << QStringList { QStringLiteral("6:5: missing 'match' in route 'users'") };
        QTest::newRow("missing match path") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {methods: [GET]}
    upstream: users
)yaml") << QStringList { QStringLiteral("7:5: missing 'path' in route match (or path_exact, path_regex)") };
        QTest::newRow("missing upstream targets") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    balance: ip_hash
)yaml") << QStringList { QStringLiteral("3:3: upstream 'users' has no targets") };
        QTest::newRow("jwt without key source") << QByteArrayLiteral(R"yaml(version: 1
auth:
  idp:
    type: jwt
    issuer: https://idp.example.com/
)yaml") << QStringList { QStringLiteral("3:3: jwt scheme 'idp' needs one of jwks_url, public_key, secret") };
        QTest::newRow("introspection without url") << QByteArrayLiteral(R"yaml(version: 1
auth:
  introspect:
    type: oauth2_introspection
    client_id: portico
)yaml") << QStringList { QStringLiteral("3:3: missing 'url' in auth scheme 'introspect'") };
        QTest::newRow("unsupported version") << QByteArrayLiteral(R"yaml(version: 2
)yaml") << QStringList { QStringLiteral("1:10: unsupported version 2 (only 1 is supported)") };
        QTest::newRow("target with a path")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001/api}]
)yaml")
            << QStringList { QStringLiteral("4:21: target URL 'http://127.0.0.1:9001/api' must not have a "
                                            "path (only scheme, host and port)") };
        QTest::newRow("target not http") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets:
      - {url: ftp://127.0.0.1:21}
)yaml") << QStringList { QStringLiteral("5:15: target URL 'ftp://127.0.0.1:21' must use http or https") };
        QTest::newRow("weight below 1") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001, weight: 0}]
)yaml") << QStringList { QStringLiteral("4:52: 'weight' must be at least 1") };
        QTest::newRow("rate limit below 1") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    rate_limit: {requests: 0, per: 1m}
)yaml") << QStringList { QStringLiteral("9:28: rate limit 'requests' must be at least 1") };
        QTest::newRow("unknown tracing propagation") << QByteArrayLiteral(R"yaml(version: 1
tracing:
  propagation: [w3c, zipkin]
)yaml") << QStringList { QStringLiteral("3:22: unknown tracing propagation 'zipkin' (use w3c, b3)") };
        QTest::newRow("unknown jwt algorithm") << QByteArrayLiteral(R"yaml(version: 1
auth:
  idp:
    type: jwt
    jwks_url: http://127.0.0.1:9100/jwks.json
    algorithms: [RS256, RS257]
)yaml") << QStringList { QStringLiteral("6:25: unknown jwt algorithm 'RS257' (did you mean 'RS256'?)") };
        QTest::newRow("mock body_file missing") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    mock: {status: 200, body_file: missing.json}
)yaml") << QStringList { QStringLiteral("8:36: file 'missing.json' not found (DIR/missing.json)") };
        QTest::newRow("tls files missing")
            << QByteArrayLiteral(R"yaml(version: 1
gateway:
  tls: {cert: certs/dev.pem, key: certs/dev-key.pem}
)yaml")
            << QStringList { QStringLiteral("3:15: file 'certs/dev.pem' not found (DIR/certs/dev.pem)"),
                   QStringLiteral("3:35: file 'certs/dev-key.pem' not found (DIR/certs/dev-key.pem)") };
        QTest::newRow("jwt public_key missing") << QByteArrayLiteral(R"yaml(version: 1
auth:
  idp:
    type: jwt
    public_key: keys/idp.pem
)yaml") << QStringList { QStringLiteral("5:17: file 'keys/idp.pem' not found (DIR/keys/idp.pem)") };
        QTest::newRow("unset environment variable") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: ${UPSTREAM_NAME}
)yaml") << QStringList { QStringLiteral("8:15: environment variable 'UPSTREAM_NAME' is not set") };
        QTest::newRow("yaml syntax error") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users
    upstream: users
)yaml") << QStringList { QStringLiteral("8:13: YAML syntax error: end of map flow not found") };
        QTest::newRow("bad workers") << QByteArrayLiteral(R"yaml(version: 1
gateway:
  workers: many
)yaml") << QStringList { QStringLiteral("3:12: 'workers' must be auto or a number of threads, not 'many'") };
        QTest::newRow("key not for auth type") << QByteArrayLiteral(R"yaml(version: 1
auth:
  keys:
    type: api_key
    header: X-API-Key
    jwks_url: http://127.0.0.1:9100/jwks.json
)yaml") << QStringList { QStringLiteral("6:5: key 'jwks_url' does not apply to auth type 'api_key'") };
        QTest::newRow("missing auth type") << QByteArrayLiteral(R"yaml(version: 1
auth:
  keys:
    header: X-API-Key
)yaml") << QStringList { QStringLiteral("3:3: missing 'type' in auth scheme 'keys'") };
        QTest::newRow("two match paths") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users, path_exact: /api/users/me}
    upstream: users
)yaml") << QStringList { QStringLiteral("7:31: route match has both 'path' and 'path_exact' (use one)") };
        QTest::newRow("bad boolean") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    strip_prefix: maybe
)yaml") << QStringList { QStringLiteral("9:19: 'strip_prefix' must be true or false, not 'maybe'") };
        QTest::newRow("bad mock status") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    mock: {status: 999}
)yaml") << QStringList { QStringLiteral("8:20: 'status' must be an HTTP status from 100 to 599, not 999") };
        QTest::newRow("path without slash") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: api/users}
    upstream: users
)yaml") << QStringList { QStringLiteral("7:19: path 'api/users' must start with '/'") };
        QTest::newRow("bad header name") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    request:
      headers: {set: {"X Gateway": portico}}
)yaml") << QStringList { QStringLiteral("10:23: invalid header name 'X Gateway'") };
        QTest::newRow("aggregate unknown upstream")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: dashboard
    match: {path_exact: /api/dashboard}
    aggregate:
      - {key: user, upstream: users, path: /users/me}
      - {key: orders, upstream: orders, path: /orders/recent}
)yaml")
            << QStringList { QStringLiteral(
                   "10:33: route 'dashboard' names upstream 'orders', which does not exist") };
        QTest::newRow("api_key scheme without header or query") << QByteArrayLiteral(R"yaml(version: 1
auth:
  keys: {type: api_key}
)yaml") << QStringList { QStringLiteral("3:3: api_key scheme 'keys' needs 'header' or 'query'") };
        QTest::newRow("root is a list")
            << QByteArrayLiteral(R"yaml(- version: 1
)yaml")
            << QStringList { QStringLiteral("1:1: the workspace must be a map of sections (version, gateway, "
                                            "upstreams, routes, ...)") };
        QTest::newRow("unquoted ipv6 listener")
            << QByteArrayLiteral(R"yaml(version: 1
admin:
  listen: [::1]:9080
)yaml")
            << QStringList { QStringLiteral("3:16: YAML syntax error: end of map not found (write IPv6 "
                                            "listeners in quotes: \"[::1]:8080\")") };
        QTest::newRow("ipv6 listener inside a list, unquoted")
            << QByteArrayLiteral(R"yaml(version: 1
gateway:
  listen: [[::1]:9080]
)yaml")
            << QStringList { QStringLiteral(
                   "3:12: invalid listener (write IPv6 listeners in quotes: \"[::1]:8080\")") };
        QTest::newRow("empty list item") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    allow_groups:
      -
)yaml") << QStringList { QStringLiteral("9:5: 'allow_groups[0]' must be a string, not empty") };
        QTest::newRow("misspelt section hides its references")
            << QByteArrayLiteral(R"yaml(version: 1
upstreems:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
)yaml")
            << QStringList { QStringLiteral(
                   "2:1: unknown key 'upstreems' in the workspace (did you mean 'upstreams'?)") };
        QTest::newRow("misspelt required key is not also missing")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path_exct: /api/users}
    upstream: users
)yaml")
            << QStringList { QStringLiteral(
                   "7:13: unknown key 'path_exct' in route match (did you mean 'path_exact'?)") };
}
