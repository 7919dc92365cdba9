#include "SampleWorkspace.h"
#include "core/export/Exporter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace portico::exporter;
using namespace portico::exporter::test;

// OpenAPI output checked by @apidevtools/swagger-parser (an OpenAPI 3.0 validator run with node),
// installed by npm into a cache folder beside the test executable on first use.
class TstOpenApiExport : public QObject
{
    Q_OBJECT

private:
    QString m_validator; // path of the swagger-parser package, empty if unavailable

    int validate(const QString &file, QByteArray *out)
    {
        const QString script = QStringLiteral("require(process.argv[1]).validate(process.argv[2])"
                                              ".then(a => console.log('valid: ' + a.info.title), e => { "
                                              "console.error(e.message); process.exit(1); })");
        return runProcess(QStringLiteral("node"), { QStringLiteral("-e"), script, m_validator, file }, out);
    }

    static QString writeTemp(const QTemporaryDir &dir, const ExportResult &r)
    {
        const QString path = dir.filePath(r.suggestedFileName);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(r.text);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString cache = QCoreApplication::applicationDirPath() + QStringLiteral("/npm-validators");
        const QString pkg = cache + QStringLiteral("/node_modules/@apidevtools/swagger-parser");
        if (!QFileInfo::exists(pkg + QStringLiteral("/package.json"))) {
            QDir().mkpath(cache);
            QByteArray out;
            const int rc = runProcess(QStringLiteral("npm"),
                { QStringLiteral("install"), QStringLiteral("--no-audit"), QStringLiteral("--no-fund"),
                    QStringLiteral("--prefix"), cache, QStringLiteral("@apidevtools/swagger-parser@10.1.1") },
                &out, 240'000);
            if (rc != 0)
                qWarning("npm install of the OpenAPI validator failed: %s", out.constData());
        }
        if (QFileInfo::exists(pkg + QStringLiteral("/package.json")))
            m_validator = pkg;
    }

    void sampleIsValidOpenApi_data()
    {
        QTest::addColumn<QString>("target");
        QTest::newRow("yaml") << QStringLiteral("openapi");
        QTest::newRow("json") << QStringLiteral("openapi-json");
    }

    void sampleIsValidOpenApi()
    {
        QFETCH(QString, target);
        if (m_validator.isEmpty())
            QSKIP("OpenAPI validator could not be installed with npm");
        const ExportResult r = exportWorkspace(sampleWorkspace(), target);
        QTemporaryDir dir;
        const QString path = writeTemp(dir, r);
        QByteArray out;
        QVERIFY2(validate(path, &out) == 0, (out + "\n" + r.text).constData());
        QVERIFY(out.contains("valid: Portico API"));
    }

    void validatorRejectsBrokenDocument()
    {
        if (m_validator.isEmpty())
            QSKIP("OpenAPI validator could not be installed with npm");
        QTemporaryDir dir;
        ExportResult broken = exportWorkspace(sampleWorkspace(), QStringLiteral("openapi"));
        broken.text.replace("operationId:", "operationIdentifier:");
        QByteArray out;
        QVERIFY(validate(writeTemp(dir, broken), &out) != 0);
    }

    void describesRoutesSecurityAndAws()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("openapi"));
        QCOMPARE(exportWorkspace(sampleWorkspace(), QStringLiteral("openapi")).text, r.text);
        const YAML::Node doc = YAML::Load(r.text.toStdString());
        QCOMPARE(doc["openapi"].as<std::string>(), std::string("3.0.3"));
        QCOMPARE(doc["servers"][0]["url"].as<std::string>(), std::string("http://127.0.0.1:8080"));
        const YAML::Node v1get = doc["paths"]["/v1/api/users"]["get"];
        QVERIFY(v1get["deprecated"].as<bool>());
        QCOMPARE(v1get["security"].size(), std::size_t(3)); // keys (header), keys_query, idp
        QCOMPARE(v1get["x-amazon-apigateway-integration"]["uri"].as<std::string>(),
            std::string("http://127.0.0.1:9001/api/users"));
        QVERIFY(!doc["paths"]["/api/users"]["get"]["deprecated"]);
        QCOMPARE(
            doc["paths"]["/api/users"]["get"]["x-amazon-apigateway-integration"]["uri"].as<std::string>(),
            std::string("http://127.0.0.1:9002/api/users"));
        QCOMPARE(doc["paths"]["/api/orders"]["delete"]["security"][0]["introspect"].size(), std::size_t(0));
        const YAML::Node schemes = doc["components"]["securitySchemes"];
        QCOMPARE(schemes["keys"]["in"].as<std::string>(), std::string("header"));
        QCOMPARE(schemes["keys_query"]["name"].as<std::string>(), std::string("apikey"));
        QCOMPARE(schemes["idp"]["scheme"].as<std::string>(), std::string("bearer"));
        QCOMPARE(schemes["introspect"]["type"].as<std::string>(), std::string("oauth2"));
        QCOMPARE(doc["paths"]["/health"]["get"]["x-amazon-apigateway-integration"]["type"].as<std::string>(),
            std::string("mock"));
        QVERIFY(doc["paths"]["/api/dashboard"]["get"]["responses"]["200"]["content"]["application/json"]
                   ["schema"]["properties"]["orders"]);

        const ExportResult j = exportWorkspace(sampleWorkspace(), QStringLiteral("openapi-json"));
        QJsonParseError err;
        const QJsonDocument jd = QJsonDocument::fromJson(j.text, &err);
        QCOMPARE(err.error, QJsonParseError::NoError);
        QCOMPARE(jd.object().value(u"openapi").toString(), QStringLiteral("3.0.3"));
    }
};

QTEST_GUILESS_MAIN(TstOpenApiExport)
#include "tst_openapi_export.moc"
