// rate_limit_store.redis in exports: Kong's rate-limiting plugins get policy redis with the same
// server (host, port, database, timeout, user, password) and fault_tolerant from on_error, and the
// file still validates; targets that count per instance say so once; OpenAPI says nothing; an
// in-process store exports as before (policy local, no warning).
#include "SampleWorkspace.h"
#include "core/export/Exporter.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace portico::exporter;
using namespace portico::exporter::test;

class TstSharedRateLimitExport : public QObject
{
    Q_OBJECT

private:
    static portico::config::Workspace shared(const QString &url, bool allow)
    {
        portico::config::Workspace ws = sampleWorkspace();
        ws.rateLimitStore.redis = url;
        ws.rateLimitStore.onError = allow ? portico::config::RateLimitStoreSettings::OnError::Allow
                                          : portico::config::RateLimitStoreSettings::OnError::Deny;
        ws.rateLimitStore.timeout = std::chrono::milliseconds(250);
        return ws;
    }

    static QList<YAML::Node> rateLimitingPlugins(const QByteArray &text)
    {
        QList<YAML::Node> out;
        const YAML::Node doc = YAML::Load(text.toStdString());
        const auto collect = [&out](const YAML::Node &plugins) {
            for (const YAML::Node &p : plugins) {
                if (p["name"].as<std::string>() == "rate-limiting")
                    out << p;
            }
        };
        for (const YAML::Node &service : doc["services"]) {
            for (const YAML::Node &route : service["routes"])
                collect(route["plugins"]);
        }
        for (const YAML::Node &consumer : doc["consumers"])
            collect(consumer["plugins"]);
        return out;
    }

private Q_SLOTS:
    void kongUsesTheSameRedis()
    {
        const ExportResult r = exportWorkspace(
            shared(QStringLiteral("redis://app:pw@10.0.0.5:6380/2"), false), QStringLiteral("kong"));
        QVERIFY(r.error.isEmpty());
        const QList<YAML::Node> plugins = rateLimitingPlugins(r.text);
        QVERIFY(plugins.size() >= 2); // the route limit and the tiers' consumer limits
        for (const YAML::Node &p : plugins) {
            const YAML::Node c = p["config"];
            QCOMPARE(c["policy"].as<std::string>(), std::string("redis"));
            QCOMPARE(c["redis"]["host"].as<std::string>(), std::string("10.0.0.5"));
            QCOMPARE(c["redis"]["port"].as<int>(), 6380);
            QCOMPARE(c["redis"]["database"].as<int>(), 2);
            QCOMPARE(c["redis"]["timeout"].as<int>(), 250);
            QCOMPARE(c["redis"]["username"].as<std::string>(), std::string("app"));
            QCOMPARE(c["redis"]["password"].as<std::string>(), std::string("pw"));
            QCOMPARE(c["fault_tolerant"].as<bool>(), false);
        }
        for (const QString &w : r.warnings)
            QVERIFY2(!w.startsWith(u"rate_limit_store"), qPrintable(w));

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("kong.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(r.text);
        f.close();
        QByteArray out;
        const int rc = validateWithSchema(path,
            QDir(qEnvironmentVariable("PORTICO_SOURCE_DIR"))
                .filePath("tests/data/schemas/kong-declarative.schema.json"),
            &out);
        QVERIFY2(rc == 0, out.constData());
    }

    void kongFaultTolerantFollowsOnError()
    {
        const ExportResult r
            = exportWorkspace(shared(QStringLiteral("redis://127.0.0.1"), true), QStringLiteral("kong"));
        for (const YAML::Node &p : rateLimitingPlugins(r.text)) {
            QCOMPARE(p["config"]["fault_tolerant"].as<bool>(), true);
            QCOMPARE(p["config"]["redis"]["port"].as<int>(), 6379);
            QVERIFY(!p["config"]["redis"]["password"]);
        }
    }

    void kongWithoutAStoreStaysLocal()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("kong"));
        const QList<YAML::Node> plugins = rateLimitingPlugins(r.text);
        QVERIFY(!plugins.isEmpty());
        for (const YAML::Node &p : plugins) {
            QCOMPARE(p["config"]["policy"].as<std::string>(), std::string("local"));
            QVERIFY(!p["config"]["redis"]);
        }
    }

    void perInstanceTargetsWarn_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<bool>("warns");
        QTest::newRow("traefik") << QStringLiteral("traefik") << true;
        QTest::newRow("envoy") << QStringLiteral("envoy") << true;
        QTest::newRow("nginx") << QStringLiteral("nginx") << true;
        QTest::newRow("krakend") << QStringLiteral("krakend") << true;
        QTest::newRow("openapi") << QStringLiteral("openapi") << false;
    }

    void perInstanceTargetsWarn()
    {
        QFETCH(QString, target);
        QFETCH(bool, warns);
        const ExportResult r = exportWorkspace(shared(QStringLiteral("redis://127.0.0.1"), true), target);
        QVERIFY(r.error.isEmpty());
        const QStringList found = r.warnings.filter(QStringLiteral("rate_limit_store.redis"));
        QCOMPARE(found.size(), warns ? 1 : 0);
        if (warns)
            QVERIFY2(found.first().contains(target + QStringLiteral(" counts rate limits per instance")),
                qPrintable(found.first()));
        const ExportResult local = exportWorkspace(sampleWorkspace(), target);
        QVERIFY(local.warnings.filter(QStringLiteral("rate_limit_store")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstSharedRateLimitExport)
#include "tst_shared_ratelimit_export.moc"
