#include "SampleWorkspace.h"
#include "core/export/Exporter.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace portico::exporter;
using namespace portico::exporter::test;

class TstKongExport : public QObject
{
    Q_OBJECT

private:
    static QString sourceFile(const QString &rel)
    {
        return QDir(qEnvironmentVariable("PORTICO_SOURCE_DIR")).filePath(rel);
    }

    static YAML::Node findByName(const YAML::Node &list, const char *key, const std::string &name)
    {
        for (const YAML::Node &n : list) {
            if (n[key] && n[key].as<std::string>() == name)
                return n;
        }
        const YAML::Node none = YAML::Load("{}");
        return none["missing"]; // an undefined node: false in a condition
    }

private Q_SLOTS:
    void validatesAgainstSchema()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("kong"));
        QVERIFY(r.error.isEmpty());
        QCOMPARE(r.suggestedFileName, QStringLiteral("kong.yaml"));
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("kong.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(r.text);
        f.close();
        QByteArray out;
        const int rc = validateWithSchema(
            path, sourceFile(QStringLiteral("tests/data/schemas/kong-declarative.schema.json")), &out);
        QVERIFY2(rc == 0, out.constData());
    }

    void isDeterministic()
    {
        const ExportResult a = exportWorkspace(sampleWorkspace(), QStringLiteral("kong"));
        const ExportResult b = exportWorkspace(sampleWorkspace(), QStringLiteral("kong"));
        QCOMPARE(a.text, b.text);
        QCOMPARE(a.warnings, b.warnings);
    }

    void mapsRoutesServicesAndPlugins()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("kong"));
        const YAML::Node doc = YAML::Load(r.text.toStdString());
        QCOMPARE(doc["_format_version"].as<std::string>(), std::string("3.0"));
        QVERIFY(r.text.contains("_format_version: \"3.0\""));

        // versions by path: /v1/api/users reaches users-v1 as /api/users/...
        const YAML::Node v1 = findByName(doc["services"], "name", "users-v1");
        QVERIFY(v1);
        QCOMPARE(v1["host"].as<std::string>(), std::string("users-v1"));
        QCOMPARE(v1["path"].as<std::string>(), std::string("/api/users"));
        QCOMPARE(v1["read_timeout"].as<int>(), 5000);
        QCOMPARE(v1["retries"].as<int>(), 1);
        const YAML::Node v1route = v1["routes"][0];
        QCOMPARE(v1route["paths"][0].as<std::string>(), std::string("/v1/api/users"));
        QVERIFY(v1route["strip_path"].as<bool>());
        QCOMPARE(v1route["hosts"].size(), std::size_t(2));
        QCOMPARE(v1route["headers"]["X-Env"][0].as<std::string>(), std::string("dev"));
        const YAML::Node keyAuth = findByName(v1route["plugins"], "name", "key-auth");
        QVERIFY(keyAuth);
        QVERIFY(keyAuth["config"]["hide_credentials"].as<bool>());
        QCOMPARE(findByName(v1route["plugins"], "name", "acl")["config"]["allow"][0].as<std::string>(),
            std::string("admins"));
        QCOMPARE(findByName(v1route["plugins"], "name", "rate-limiting")["config"]["minute"].as<int>(), 100);
        const YAML::Node resp = findByName(v1route["plugins"], "name", "response-transformer");
        QVERIFY(
            resp["config"]["add"]["headers"].size() >= 3); // X-Frame-Options + Deprecation + Sunset + Link

        // the default version: no prefix, no stripping
        const YAML::Node def = findByName(doc["services"], "name", "users");
        QCOMPARE(def["host"].as<std::string>(), std::string("users-v2"));
        QVERIFY(!def["routes"][0]["strip_path"].as<bool>());

        // upstream with health check and two targets
        const YAML::Node up = findByName(doc["upstreams"], "name", "users-v1");
        QCOMPARE(up["targets"].size(), std::size_t(2));
        QCOMPARE(up["targets"][1]["target"].as<std::string>(), std::string("127.0.0.1:9011"));
        QCOMPARE(up["healthchecks"]["active"]["http_path"].as<std::string>(), std::string("/healthz"));
        QCOMPARE(up["healthchecks"]["active"]["unhealthy"]["http_failures"].as<int>(), 3);

        // consumers: keys, acl groups, tier limit as a consumer-scoped plugin
        const YAML::Node alice = findByName(doc["consumers"], "username", "alice");
        QCOMPARE(alice["keyauth_credentials"][0]["key"].as<std::string>(), std::string("alice-key-1"));
        QCOMPARE(alice["acls"][0]["group"].as<std::string>(), std::string("admins"));
        QCOMPARE(alice["plugins"][0]["config"]["minute"].as<int>(), 1000);

        // the mock is a route without service, answered by request-termination
        const YAML::Node health = findByName(doc["routes"], "name", "health");
        QCOMPARE(health["paths"][0].as<std::string>(), std::string("~/health$"));
        const YAML::Node term = findByName(health["plugins"], "name", "request-termination");
        QCOMPARE(term["config"]["status_code"].as<int>(), 200);
        QCOMPARE(term["config"]["body"].as<std::string>(), std::string("{\"status\":\"ok\"}"));
    }

    void warnsForWhatKongCannotExpress()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("kong"));
        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"route dashboard: aggregate"), qPrintable(all));
        QVERIFY(all.contains(u"route orders: auth scheme introspect (oauth2_introspection)"));
        QVERIFY(all.contains(u"route orders: exported WITHOUT authentication"));
        QVERIFY(all.contains(u"route users: auth scheme idp not exported"));
        QVERIFY(all.contains(u"items[*].ssn"));
        QVERIFY(all.contains(u"consumer bob: jwt_subject"));
        QVERIFY(all.contains(u"capture:"));
        for (const QString &w : r.warnings)
            QVERIFY2(!w.startsWith(u"warning:"), qPrintable(w));
    }

    void unknownTargetIsAnError()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("haproxy"));
        QVERIFY(r.text.isEmpty());
        QVERIFY(r.error.contains(u"haproxy"));
    }
};

QTEST_GUILESS_MAIN(TstKongExport)
#include "tst_kong_export.moc"
