// gRPC routes in the gateway exports: Envoy's grpc_json_transcoder (with the descriptor set written
// beside envoy.yaml) and grpc_web, Kong's grpc-gateway and grpc-web plugins on grpc/grpcs services,
// nginx's grpc_pass, Traefik's h2c servers and grpcWeb middleware, and the warnings for what each
// target cannot express. Kong and Traefik output still validates against their schemas; nginx's
// passes `nginx -t`. The descriptor set is read back by Portico's own schema loader.
#include "GrpcWorkspace.h"
#include "SampleWorkspace.h"
#include "core/export/Exporter.h"
#include "core/grpc/Schema.h"
#include "core/grpc/SchemaDescription.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <QStandardPaths>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace portico::exporter;
using namespace portico::exporter::test;

namespace {

YAML::Node byName(const YAML::Node &list, const char *key, const std::string &name)
{
    for (const YAML::Node &n : list) {
        if (n[key] && n[key].as<std::string>() == name)
            return n;
    }
    const YAML::Node none = YAML::Load("{}");
    return none["missing"];
}

QString writeTemp(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        return {};
    return path;
}

QString schema(const char *name)
{
    return QDir(qEnvironmentVariable("PORTICO_SOURCE_DIR"))
        .filePath(QStringLiteral("tests/data/schemas/") + QLatin1String(name));
}

std::vector<std::string> strings(const YAML::Node &list)
{
    std::vector<std::string> out;
    for (const YAML::Node &n : list)
        out.push_back(n.as<std::string>());
    return out;
}

} // namespace

class TstExportGrpc : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void envoyTranscodesPerRouteWithDescriptorSet()
    {
        QTemporaryDir dir;
        const auto ws = grpcWorkspace(dir);
        QVERIFY(ws);
        const ExportResult r = exportWorkspace(*ws, QStringLiteral("envoy"));
        QVERIFY(r.error.isEmpty());
        const YAML::Node hcm
            = YAML::Load(r.text.toStdString())["static_resources"]["listeners"][0]["filter_chains"][0]
                                              ["filters"][0]["typed_config"];
        const YAML::Node filters = hcm["http_filters"];
        QVERIFY(byName(filters, "name", "envoy.filters.http.grpc_web"));
        const YAML::Node transcoder = byName(filters, "name", "envoy.filters.http.grpc_json_transcoder");
        QVERIFY2(transcoder, r.text.constData());
        QVERIFY(transcoder["disabled"].as<bool>()); // only the transcoding routes turn it on
        QCOMPARE(
            transcoder["typed_config"]["proto_descriptor"].as<std::string>(), std::string("portico-grpc.pb"));
        QCOMPARE(strings(transcoder["typed_config"]["services"]),
            (std::vector<std::string> { "demo.users.v1.Users", "odd.v1.Files" }));
        QCOMPARE(
            filters[filters.size() - 1]["name"].as<std::string>(), std::string("envoy.filters.http.router"));

        const YAML::Node routes = hcm["route_config"]["virtual_hosts"][0]["routes"];
        const YAML::Node rest = byName(routes, "name", "users-rest");
        const YAML::Node perRoute
            = rest["typed_per_filter_config"]["envoy.filters.http.grpc_json_transcoder"];
        QCOMPARE(strings(perRoute["services"]), std::vector<std::string> { "demo.users.v1.Users" });
        QVERIFY(perRoute["match_incoming_request_route"].as<bool>());
        QVERIFY(perRoute["auto_mapping"].as<bool>());
        QVERIFY(perRoute["ignore_unknown_query_parameters"].as<bool>()); // ignore_unknown_fields
        QVERIFY(perRoute["print_options"]["stream_newline_delimited"].as<bool>());
        QVERIFY(!rest["route"]["regex_rewrite"]); // the rules are matched on the client's path
        const YAML::Node files = byName(routes, "name",
            "files-rest")["typed_per_filter_config"]["envoy.filters.http.grpc_json_transcoder"];
        QVERIFY(files["request_validation_options"]["reject_unknown_query_parameters"].as<bool>());
        const YAML::Node native = byName(routes, "name", "users-native");
        QVERIFY(!native["typed_per_filter_config"]);
        QCOMPARE(native["route"]["max_stream_duration"]["grpc_timeout_header_max"].as<std::string>(),
            std::string("0s"));
        QVERIFY(!byName(routes, "name", "web")["typed_per_filter_config"]);

        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"route users-rest: strip_prefix /rest not exported"), qPrintable(all));
        QVERIFY(!all.contains(u"route files-rest: strip_prefix"));

        QCOMPARE(r.files.size(), 1);
        QCOMPARE(r.files[0].name, QStringLiteral("portico-grpc.pb"));
        const ExportResult again = exportWorkspace(*ws, QStringLiteral("envoy"));
        QCOMPARE(again.text, r.text);
        QCOMPARE(again.files[0].content, r.files[0].content); // deterministic

        // The set is complete (each file after its imports, as Envoy builds it) and keeps the
        // google.api.http rules: Portico's own loader reads the same bindings back from it.
        google::protobuf::FileDescriptorSet set;
        QVERIFY(set.ParseFromArray(r.files[0].content.constData(), int(r.files[0].content.size())));
        google::protobuf::DescriptorPool pool;
        for (const auto &file : set.file())
            QVERIFY2(pool.BuildFile(file), file.name().c_str());
        QVERIFY(pool.FindServiceByName("odd.v1.Files"));
        QVERIFY(pool.FindFileByName("google/api/annotations.proto"));
        const QString pb = writeTemp(dir, QStringLiteral("back.pb"), r.files[0].content);
        const portico::grpc::SchemaLoadResult back = portico::grpc::loadSchema({ pb }, {});
        QVERIFY(back.schema);
        for (const char *service : { "demo.users.v1.Users", "odd.v1.Files" })
            QCOMPARE(portico::grpc::restMappings(*back.schema, QLatin1String(service)),
                portico::grpc::restMappings(*ws->grpcSchema, QLatin1String(service)));
    }

    void envoySkipsTranscodingWithoutSchema()
    {
        QTemporaryDir dir;
        auto ws = grpcWorkspace(dir);
        QVERIFY(ws);
        portico::config::Workspace copy = *ws;
        copy.grpcSchema.reset(); // e.g. a schema that stopped compiling in the GUI
        const ExportResult r = exportWorkspace(copy, QStringLiteral("envoy"));
        QVERIFY(r.files.isEmpty());
        QVERIFY(!r.text.contains("grpc_json_transcoder"));
        QVERIFY(!r.text.contains("name: users-rest"));
        QVERIFY2(r.warnings.join(u'\n').contains(u"route users-rest: grpc.transcode needs the gRPC schemas"),
            qPrintable(r.warnings.join(u'\n')));
    }

    void kongUsesGrpcServicesAndPlugins()
    {
        QTemporaryDir dir;
        const auto ws = grpcWorkspace(dir);
        QVERIFY(ws);
        const ExportResult r = exportWorkspace(*ws, QStringLiteral("kong"));
        const QString path = writeTemp(dir, QStringLiteral("kong.yaml"), r.text);
        QByteArray out;
        QVERIFY2(validateWithSchema(path, schema("kong-declarative.schema.json"), &out) == 0,
            (out + "\n" + r.text).constData());
        const YAML::Node services = YAML::Load(r.text.toStdString())["services"];

        const YAML::Node rest = byName(services, "name", "users-rest");
        QCOMPARE(rest["protocol"].as<std::string>(), std::string("grpc"));
        QVERIFY(!rest["path"]);
        const YAML::Node restRoute = rest["routes"][0];
        QCOMPARE(strings(restRoute["protocols"]), (std::vector<std::string> { "http", "https" }));
        QVERIFY(!restRoute["strip_path"].as<bool>());
        const YAML::Node gateway = byName(restRoute["plugins"], "name", "grpc-gateway");
        const QString proto
            = QDir(qEnvironmentVariable("PORTICO_SOURCE_DIR"))
                  .filePath(QStringLiteral("tests/data/grpc/protos/demo/users/v1/users.proto"));
        QCOMPARE(QString::fromStdString(gateway["config"]["proto"].as<std::string>()), proto);
        QCOMPARE(QString::fromStdString(byName(byName(services, "name", "files-rest")["routes"][0]["plugins"],
                     "name", "grpc-gateway")["config"]["proto"]
                                            .as<std::string>()),
            QDir(qEnvironmentVariable("PORTICO_SOURCE_DIR"))
                .filePath(QStringLiteral("tests/data/grpc/odd/files.proto")));

        const YAML::Node native = byName(services, "name", "users-native");
        QCOMPARE(native["protocol"].as<std::string>(), std::string("grpcs"));
        QCOMPARE(native["routes"].size(), std::size_t(2));
        const YAML::Node grpcRoute = byName(native["routes"], "name", "users-native");
        QCOMPARE(strings(grpcRoute["protocols"]), (std::vector<std::string> { "grpc", "grpcs" }));
        QVERIFY(!grpcRoute["methods"]); // Kong refuses methods on grpc routes
        const YAML::Node web = byName(native["routes"], "name", "users-native-grpc-web");
        QCOMPARE(strings(web["protocols"]), (std::vector<std::string> { "http", "https" }));
        QVERIFY(byName(web["plugins"], "name", "grpc-web"));
        QCOMPARE(strings(web["methods"]), std::vector<std::string> { "POST" });
        QCOMPARE(byName(services, "name", "web")["protocol"].as<std::string>(), std::string("http"));

        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"route users-rest: strip_prefix /rest not exported"), qPrintable(all));
        // Only gRPC routes reach these upstreams: their HTTP/2 is exported, nothing to warn about.
        QVERIFY2(!all.contains(u"upstream users-grpc: protocol"), qPrintable(all));
        QVERIFY(!all.contains(u"upstream users-tls: protocol"));
    }

    void kongNeedsProtoFiles()
    {
        QTemporaryDir dir;
        const auto ws = grpcWorkspace(dir);
        QVERIFY(ws);
        // The same schemas as a descriptor set: grpc-gateway has no .proto to read.
        const QString pb
            = writeTemp(dir, QStringLiteral("all.pb"), portico::grpc::descriptorSet(*ws->grpcSchema));
        portico::config::Workspace fromSet = *ws;
        fromSet.grpc.protos = QStringList { pb };
        fromSet.grpc.protoPaths.clear();
        fromSet.grpcSchema = portico::grpc::loadSchema({ pb }, {}).schema;
        QVERIFY(fromSet.grpcSchema);
        const ExportResult r = exportWorkspace(fromSet, QStringLiteral("kong"));
        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"route users-rest: Kong's grpc-gateway reads a .proto file, and service "
                              u"demo.users.v1.Users comes from a descriptor set; not exported"),
            qPrintable(all));
        const YAML::Node services = YAML::Load(r.text.toStdString())["services"];
        QVERIFY(!byName(services, "name", "users-rest"));
        QVERIFY(byName(services, "name", "users-native")); // native gRPC needs no schema
    }

    void nginxPassesNativeGrpcOnly()
    {
        const QString nginx = QStandardPaths::findExecutable(
            QStringLiteral("nginx"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
        QVERIFY2(!nginx.isEmpty(), "nginx not found: run packaging/install-deps.sh");
        QTemporaryDir dir;
        const auto ws = grpcWorkspace(dir);
        QVERIFY(ws);
        const ExportResult r = exportWorkspace(*ws, QStringLiteral("nginx"));
        const QString conf = writeTemp(dir, QStringLiteral("nginx.conf"), r.text);
        QByteArray out;
        const QStringList args { QStringLiteral("-t"), QStringLiteral("-c"), conf, QStringLiteral("-p"),
            dir.path() + u'/', QStringLiteral("-g"),
            QStringLiteral("pid %1/nginx.pid; error_log %1/error.log;").arg(dir.path()) };
        QVERIFY2(runProcess(nginx, args, &out) == 0, (out + "\n" + r.text).constData());
        const qsizetype at = r.text.indexOf("# route users-native");
        QVERIFY2(at > 0, r.text.constData());
        const QByteArray block = r.text.mid(at, r.text.indexOf("        }\n", at) - at);
        QVERIFY2(block.contains("grpc_pass grpcs://users-tls;"), block.constData());
        QVERIFY(block.contains("grpc_set_header X-Request-Id $request_id;"));
        QVERIFY(block.contains("grpc_read_timeout 30s;"));
        QVERIFY2(!block.contains("proxy_pass") && !block.contains(" proxy_"), block.constData());
        QVERIFY(!r.text.contains("# route users-rest"));
        QVERIFY(r.text.contains("proxy_pass http://web;"));
        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"route users-rest: nginx cannot transcode REST to gRPC"), qPrintable(all));
        QVERIFY(all.contains(u"route users-native: gRPC-Web (application/grpc-web) is not translated"));
        QVERIFY(all.contains(u"route users-native: gRPC clients need HTTP/2"));
        QVERIFY(!all.contains(u"upstream users-tls: protocol"));
    }

    void traefikKeepsNativeGrpcWithGrpcWeb()
    {
        QTemporaryDir dir;
        const auto ws = grpcWorkspace(dir);
        QVERIFY(ws);
        const ExportResult r = exportWorkspace(*ws, QStringLiteral("traefik"));
        const QString path = writeTemp(dir, r.suggestedFileName, r.text);
        QByteArray out;
        QVERIFY2(validateWithSchema(path, schema("traefik-v3-file-provider.schema.json"), &out) == 0,
            (out + "\n" + r.text).constData());
        const YAML::Node http = YAML::Load(r.text.toStdString())["http"];
        QVERIFY(!http["routers"]["users-rest"]);
        QVERIFY(!http["routers"]["files-rest"]);
        const YAML::Node native = http["routers"]["users-native"];
        QCOMPARE(native["middlewares"][0].as<std::string>(), std::string("users-native-grpc-web"));
        QVERIFY(http["middlewares"]["users-native-grpc-web"]["grpcWeb"].IsMap());
        QVERIFY(!http["routers"]["web"]["middlewares"]);
        QCOMPARE(http["services"]["users-grpc"]["loadBalancer"]["servers"][0]["url"].as<std::string>(),
            std::string("h2c://127.0.0.1:50051"));
        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"route users-rest: Traefik cannot transcode REST to gRPC"), qPrintable(all));
        QVERIFY(all.contains(u"route files-rest: Traefik cannot transcode"));
    }
};

QTEST_GUILESS_MAIN(TstExportGrpc)
#include "tst_export_grpc.moc"
