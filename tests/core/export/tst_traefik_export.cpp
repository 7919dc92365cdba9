#include "SampleWorkspace.h"
#include "core/export/Exporter.h"

#include <QDir>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace portico::exporter;
using namespace portico::exporter::test;

class TstTraefikExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validatesAgainstSchema()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("traefik"));
        QVERIFY(r.error.isEmpty());
        QTemporaryDir dir;
        const QString path = dir.filePath(r.suggestedFileName);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(r.text);
        f.close();
        const QString schema
            = QDir(qEnvironmentVariable("PORTICO_SOURCE_DIR"))
                  .filePath(QStringLiteral("tests/data/schemas/traefik-v3-file-provider.schema.json"));
        QByteArray out;
        QVERIFY2(validateWithSchema(path, schema, &out) == 0, (out + "\n" + r.text).constData());
    }

    void mapsRoutersServicesAndMiddlewares()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("traefik"));
        QCOMPARE(exportWorkspace(sampleWorkspace(), QStringLiteral("traefik")).text, r.text);
        const YAML::Node http = YAML::Load(r.text.toStdString())["http"];
        const YAML::Node v1 = http["routers"]["users-v1"];
        QCOMPARE(QString::fromStdString(v1["rule"].as<std::string>()),
            QStringLiteral(
                "PathPrefix(`/v1/api/users`) && (Host(`api.local`) || HostRegexp(`^.+\\.api\\.local$`)) "
                "&& (Method(`GET`) || Method(`POST`)) && Header(`X-Env`, `dev`)"));
        QCOMPARE(v1["service"].as<std::string>(), std::string("users-v1"));
        QCOMPARE(http["middlewares"]["users-v1-strip"]["stripPrefix"]["prefixes"][0].as<std::string>(),
            std::string("/v1"));
        QCOMPARE(http["middlewares"]["users-v1-ratelimit"]["rateLimit"]["average"].as<int>(), 100);
        QCOMPARE(http["middlewares"]["users-v1-ratelimit"]["rateLimit"]["period"].as<std::string>(),
            std::string("1m"));
        const YAML::Node headers = http["middlewares"]["users-v1-headers"]["headers"];
        QCOMPARE(headers["customRequestHeaders"]["X-Gateway"].as<std::string>(), std::string("portico"));
        QCOMPARE(headers["customRequestHeaders"]["X-Debug"].as<std::string>(), std::string(""));
        QCOMPARE(headers["customResponseHeaders"]["Sunset"].as<std::string>(),
            std::string("Wed, 30 Jun 2027 00:00:00 GMT"));
        QCOMPARE(
            http["routers"]["orders"]["middlewares"][0].as<std::string>(), std::string("auth-introspect"));
        QCOMPARE(http["middlewares"]["auth-introspect"]["forwardAuth"]["address"].as<std::string>(),
            std::string("http://127.0.0.1:9100/introspect"));
        const YAML::Node lb = http["services"]["users-v1"]["loadBalancer"];
        QCOMPARE(lb["servers"].size(), std::size_t(2));
        QCOMPARE(lb["healthCheck"]["interval"].as<std::string>(), std::string("5s"));
        QCOMPARE(http["serversTransports"]["users-v1"]["forwardingTimeouts"]["dialTimeout"].as<std::string>(),
            std::string("2s"));
        QVERIFY(!http["routers"]["health"]);
        const QString all = r.warnings.join(u'\n');
        QVERIFY(all.contains(u"route health: mock has no Traefik equivalent"));
        QVERIFY(all.contains(u"route users: auth scheme keys (api_key)"));
        QVERIFY(all.contains(u"allow_groups"));
    }
};

QTEST_GUILESS_MAIN(TstTraefikExport)
#include "tst_traefik_export.moc"
