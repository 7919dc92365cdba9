// HTTP/2 in the exports: upstreams.*.protocol (h2c, h2) and gateway.http2, mapped where the target
// has an equivalent (Envoy, Traefik, nginx's TLS listeners) and warned about where it has none
// (Kong, nginx's proxy_pass, KrakenD). Kong and Traefik output still validates against their
// schemas; nginx's passes `nginx -t`.
#include "SampleWorkspace.h"
#include "core/export/Exporter.h"
#include "support/SelfSignedCert.h"

#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace portico::exporter;
using namespace portico::exporter::test;

namespace {

// The sample with users-v2 on h2c, orders on h2 (https targets) and HTTP/2 from clients.
Workspace http2Workspace()
{
    Workspace ws = sampleWorkspace();
    for (Upstream &u : ws.upstreams) {
        if (u.name == u"users-v2") {
            u.protocol = UpstreamProtocol::H2c;
        } else if (u.name == u"orders") {
            u.protocol = UpstreamProtocol::H2;
            u.targets = { Target { QUrl(QStringLiteral("https://localhost:9443")), 1 } };
        }
    }
    ws.gateway.http2 = true;
    return ws;
}

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

} // namespace

class TstExportHttp2 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void envoyClustersSpeakHttp2()
    {
        const ExportResult r = exportWorkspace(http2Workspace(), QStringLiteral("envoy"));
        QVERIFY(r.error.isEmpty());
        const YAML::Node res = YAML::Load(r.text.toStdString())["static_resources"];
        const std::string type = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
        for (const char *name : { "users-v2", "orders" }) {
            const YAML::Node options
                = byName(res["clusters"], "name", name)["typed_extension_protocol_options"][type];
            QVERIFY2(options, name);
            QCOMPARE(options["@type"].as<std::string>(), "type.googleapis.com/" + type);
            QVERIFY2(options["explicit_http_config"]["http2_protocol_options"].IsMap(), name);
        }
        QVERIFY(!byName(res["clusters"], "name", "users-v1")["typed_extension_protocol_options"]);
        const YAML::Node tls = byName(res["clusters"], "name", "orders")["transport_socket"]["typed_config"];
        QCOMPARE(tls["common_tls_context"]["alpn_protocols"][0].as<std::string>(), std::string("h2"));
        QCOMPARE(tls["sni"].as<std::string>(), std::string("localhost"));
        QVERIFY(!byName(res["clusters"], "name", "users-v2")["transport_socket"]); // h2c: no TLS

        const auto codec = [](const Workspace &ws) {
            const YAML::Node doc
                = YAML::Load(exportWorkspace(ws, QStringLiteral("envoy")).text.toStdString());
            return doc["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
                      ["codec_type"]
                          .as<std::string>();
        };
        QCOMPARE(codec(http2Workspace()), std::string("AUTO"));
        QCOMPARE(codec(sampleWorkspace()), std::string("HTTP1"));
        Workspace withTls = http2Workspace();
        withTls.gateway.tls
            = TlsFiles { QStringLiteral("/etc/portico/cert.pem"), QStringLiteral("/etc/portico/key.pem") };
        const YAML::Node chain
            = YAML::Load(exportWorkspace(withTls, QStringLiteral("envoy"))
                             .text.toStdString())["static_resources"]["listeners"][0]["filter_chains"][0];
        const YAML::Node alpn
            = chain["transport_socket"]["typed_config"]["common_tls_context"]["alpn_protocols"];
        QCOMPARE(alpn.size(), std::size_t(2));
        QCOMPARE(alpn[0].as<std::string>(), std::string("h2"));
        QCOMPARE(alpn[1].as<std::string>(), std::string("http/1.1"));
    }

    void traefikUsesH2cServers()
    {
        Workspace ws = http2Workspace();
        ws.upstreams << makeUpstream(
            QStringLiteral("legacy-tls"), { QStringLiteral("https://legacy.internal") });
        const ExportResult r = exportWorkspace(ws, QStringLiteral("traefik"));
        QTemporaryDir dir;
        const QString path = writeTemp(dir, r.suggestedFileName, r.text);
        QByteArray out;
        QVERIFY2(validateWithSchema(path, schema("traefik-v3-file-provider.schema.json"), &out) == 0,
            (out + "\n" + r.text).constData());
        const YAML::Node http = YAML::Load(r.text.toStdString())["http"];
        const auto server = [&http](const char *service) {
            return http["services"][service]["loadBalancer"]["servers"][0]["url"].as<std::string>();
        };
        QCOMPARE(server("users-v2"), std::string("h2c://127.0.0.1:9002"));
        QCOMPARE(server("orders"), std::string("https://localhost:9443"));
        QCOMPARE(server("users-v1"), std::string("http://127.0.0.1:9001"));
        // An http1 upstream behind TLS stays on HTTP/1.1 (Traefik would offer h2 by ALPN).
        QVERIFY(http["serversTransports"]["legacy-tls"]["disableHTTP2"].as<bool>());
        QVERIFY(!http["serversTransports"]["orders"]["disableHTTP2"]);
    }

    void kongWarnsAndStaysValid()
    {
        const ExportResult r = exportWorkspace(http2Workspace(), QStringLiteral("kong"));
        QTemporaryDir dir;
        const QString path = writeTemp(dir, QStringLiteral("kong.yaml"), r.text);
        QByteArray out;
        QVERIFY2(
            validateWithSchema(path, schema("kong-declarative.schema.json"), &out) == 0, out.constData());
        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"upstream users-v2: protocol h2c not exported") && all.contains(u"to grpc"),
            qPrintable(all));
        QVERIFY2(all.contains(u"upstream orders: protocol h2 not exported") && all.contains(u"to grpcs"),
            qPrintable(all));
        QVERIFY(!all.contains(u"upstream users-v1: protocol"));
        QVERIFY2(all.contains(u"proxy_listen = 127.0.0.1:8080 http2"), qPrintable(all));
        const YAML::Node doc = YAML::Load(r.text.toStdString());
        QCOMPARE(
            byName(doc["services"], "name", "orders")["protocol"].as<std::string>(), std::string("https"));
    }

    void nginxWarnsAndMapsTlsListeners()
    {
        const QString nginx = QStandardPaths::findExecutable(
            QStringLiteral("nginx"), { QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin") });
        QVERIFY2(!nginx.isEmpty(), "nginx not found: run packaging/install-deps.sh");
        QTemporaryDir dir;
        portico::test::SelfSignedCert::Files cert;
        QString error;
        QVERIFY2(portico::test::SelfSignedCert::write(dir.path(), &cert, &error), qPrintable(error));
        Workspace cleartext = http2Workspace();
        Workspace tls = http2Workspace();
        tls.gateway.tls = TlsFiles { cert.certPath, cert.keyPath };
        for (const Workspace *ws : { &cleartext, &tls }) {
            const ExportResult r = exportWorkspace(*ws, QStringLiteral("nginx"));
            const QString conf = writeTemp(dir, QStringLiteral("nginx.conf"), r.text);
            QByteArray out;
            const QStringList args { QStringLiteral("-t"), QStringLiteral("-c"), conf, QStringLiteral("-p"),
                dir.path() + u'/', QStringLiteral("-g"),
                QStringLiteral("pid %1/nginx.pid; error_log %1/error.log;").arg(dir.path()) };
            QVERIFY2(runProcess(nginx, args, &out) == 0, (out + "\n" + r.text).constData());
            const QString all = r.warnings.join(u'\n');
            QVERIFY2(all.contains(u"upstream users-v2: protocol h2c not exported")
                    && all.contains(u"grpc_pass grpc://users-v2"),
                qPrintable(all));
            QVERIFY(all.contains(u"grpc_pass grpcs://orders"));
            if (ws == &tls) {
                QVERIFY2(r.text.contains("listen 127.0.0.1:8080 ssl http2;"), r.text.constData());
                QVERIFY(!all.contains(u"gateway.http2"));
            } else {
                QVERIFY2(r.text.contains("listen 127.0.0.1:8080;"), r.text.constData());
                QVERIFY(all.contains(u"gateway.http2: not exported for the cleartext listener"));
            }
        }
    }

    void krakendWarnsOpenApiIsUnaffected()
    {
        const QString krakend
            = exportWorkspace(http2Workspace(), QStringLiteral("krakend")).warnings.join(u'\n');
        QVERIFY2(krakend.contains(u"upstream users-v2: protocol h2c not exported"), qPrintable(krakend));
        QVERIFY(krakend.contains(u"upstream orders: protocol h2 not exported"));
        QVERIFY(krakend.contains(u"gateway.http2: not exported"));
        const ExportResult plain = exportWorkspace(sampleWorkspace(), QStringLiteral("openapi"));
        const ExportResult h2 = exportWorkspace(http2Workspace(), QStringLiteral("openapi"));
        QCOMPARE(h2.warnings, plain.warnings);
        for (const QString &w : h2.warnings)
            QVERIFY2(!w.contains(u"protocol") && !w.contains(u"http2"), qPrintable(w));
    }
};

QTEST_GUILESS_MAIN(TstExportHttp2)
#include "tst_export_http2.moc"
