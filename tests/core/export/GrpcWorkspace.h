#pragma once

// A workspace with gRPC routes for the exporter tests (its file name in a temporary folder): the
// demo schema of tests/data/grpc (REST rules, additional bindings, a custom verb, every call kind)
// and tests/data/grpc/odd/files.proto, with odd templates (sub-templates, "**", nested fields, a
// verb) and odd field types (int64, maps, wrappers, recursion, bytes).

#include "core/config/WorkspaceLoader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

namespace portico::exporter::test {

// `extraRoutes` is YAML appended to the routes list. Returns null (and fails the test) on errors.
inline config::WorkspacePtr grpcWorkspace(const QTemporaryDir &dir, const QByteArray &extraRoutes = {})
{
    const QDir data(qEnvironmentVariable("PORTICO_SOURCE_DIR") + QStringLiteral("/tests/data/grpc"));
    const QByteArray demo = data.filePath(QStringLiteral("protos")).toUtf8();
    const QByteArray odd = data.filePath(QStringLiteral("odd/files.proto")).toUtf8();
    const QByteArray yaml = QByteArray("version: 1\n"
                                       "gateway: {listen: 127.0.0.1:8080, http2: true}\n"
                                       "capture: {enabled: false}\n"
                                       "admin: {enabled: false}\n"
                                       "grpc:\n  protos: [\"")
        + demo + "/demo/users/v1/users.proto\", \"" + odd + "\"]\n  proto_paths: [\"" + demo
        + "\"]\n"
          "upstreams:\n"
          "  users-grpc: {targets: [{url: \"http://127.0.0.1:50051\"}], protocol: h2c}\n"
          "  users-tls: {targets: [{url: \"https://localhost:9443\"}], protocol: h2}\n"
          "  web: {targets: [{url: \"http://127.0.0.1:9000\"}]}\n"
          "routes:\n"
          "  - name: users-rest\n"
          "    match: {path: /rest}\n"
          "    upstream: users-grpc\n"
          "    strip_prefix: true\n"
          "    grpc: {transcode: true, services: [demo.users.v1.Users], ignore_unknown_fields: true}\n"
          "  - name: files-rest\n"
          "    match: {path: /v1}\n"
          "    upstream: users-grpc\n"
          "    grpc: {transcode: true, services: [odd.v1.Files]}\n"
          "  - name: users-native\n"
          "    match: {path: /demo.users.v1.Users/, methods: [POST]}\n"
          "    upstream: users-tls\n"
          "    grpc: {services: [demo.users.v1.Users]}\n"
          "  - name: web\n"
          "    match: {path: /}\n"
          "    upstream: web\n"
        + extraRoutes;
    const config::LoadResult r
        = config::loadWorkspaceText(yaml, dir.filePath(QStringLiteral("portico.yaml")));
    for (const config::Diagnostic &d : r.errors)
        qWarning("%s", qPrintable(d.toString()));
    return r.ok() ? r.workspace : nullptr;
}

} // namespace portico::exporter::test
