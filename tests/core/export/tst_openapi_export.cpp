#include "GrpcWorkspace.h"
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

    // Transcoding routes are described by their google.api.http rules, with the messages as
    // proto3 JSON schemas; odd templates ("**", sub-templates, nested fields, verbs) stay valid.
    void describesTranscodedRoutes()
    {
        QTemporaryDir dir;
        const auto ws = grpcWorkspace(dir);
        QVERIFY(ws);
        const ExportResult r = exportWorkspace(*ws, QStringLiteral("openapi"));
        QCOMPARE(exportWorkspace(*ws, QStringLiteral("openapi")).text, r.text);
        if (!m_validator.isEmpty()) {
            QByteArray out;
            QVERIFY2(validate(writeTemp(dir, r), &out) == 0, (out + "\n" + r.text).constData());
        }
        const YAML::Node doc = YAML::Load(r.text.toStdString());
        const YAML::Node paths = doc["paths"];
        QVERIFY(!paths["/rest"]); // the route's prefix itself is no operation
        const YAML::Node get = paths["/rest/v1/users/{id}"]["get"]; // strip_prefix: the prefix comes first
        QCOMPARE(get["operationId"].as<std::string>(), std::string("users_rest_GetUser"));
        QCOMPARE(get["parameters"][0]["name"].as<std::string>(), std::string("id"));
        QCOMPARE(get["parameters"][0]["in"].as<std::string>(), std::string("path"));
        QCOMPARE(get["parameters"][1]["name"].as<std::string>(), std::string("email")); // the rest: query
        QCOMPARE(get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].as<std::string>(),
            std::string("#/components/schemas/demo.users.v1.User"));
        QVERIFY(get["responses"]["default"]["content"]["application/problem+json"]);
        QVERIFY(!get["x-amazon-apigateway-integration"]);
        QCOMPARE(paths["/rest/v1/users:byEmail"]["get"]["parameters"].size(), std::size_t(2));
        const YAML::Node create = paths["/rest/v1/users"]["post"]; // body: "user"
        QCOMPARE(create["requestBody"]["content"]["application/json"]["schema"]["$ref"].as<std::string>(),
            std::string("#/components/schemas/demo.users.v1.User"));
        const YAML::Node list = paths["/rest/demo.users.v1.Users/ListUsers"]["post"]; // no rule
        QCOMPARE(
            list["responses"]["200"]["content"]["application/x-ndjson"]["schema"]["$ref"].as<std::string>(),
            std::string("#/components/schemas/demo.users.v1.User"));
        QVERIFY(!paths["/rest/demo.users.v1.Users/Import"]);

        const YAML::Node user = doc["components"]["schemas"]["demo.users.v1.User"]["properties"];
        QCOMPARE(user["id"]["type"].as<std::string>(), std::string("string")); // int64
        QCOMPARE(user["id"]["format"].as<std::string>(), std::string("int64"));
        QCOMPARE(
            user["role"]["$ref"].as<std::string>(), std::string("#/components/schemas/demo.users.v1.Role"));
        QCOMPARE(user["created"]["format"].as<std::string>(), std::string("date-time"));
        QCOMPARE(doc["components"]["schemas"]["demo.users.v1.Role"]["enum"][1].as<std::string>(),
            std::string("ROLE_ADMIN"));

        const YAML::Node byName = paths["/v1/{name}"]["get"]; // {name=shelves/*/books/**}
        QCOMPARE(byName["parameters"][0]["name"].as<std::string>(), std::string("name"));
        QVERIFY(
            byName["parameters"][0]["description"].as<std::string>().find("several") != std::string::npos);
        QCOMPARE(byName["parameters"][1]["name"].as<std::string>(), std::string("ids"));
        QCOMPARE(byName["parameters"][1]["schema"]["items"]["type"].as<std::string>(), std::string("string"));
        QCOMPARE(
            byName["parameters"][2]["name"].as<std::string>(), std::string("big")); // labels: a map, left out
        QCOMPARE(byName["parameters"].size(), std::size_t(3));
        QCOMPARE(paths["/v1/raw/{wildcard1}"]["get"]["operationId"].as<std::string>(),
            std::string("files_rest_Get_get"));
        const YAML::Node put = paths["/v1/files/{file.id}:upload"]["put"];
        QCOMPARE(put["parameters"][0]["name"].as<std::string>(), std::string("file.id"));
        QCOMPARE(put["requestBody"]["content"]["application/json"]["schema"]["$ref"].as<std::string>(),
            std::string("#/components/schemas/odd.v1.PutReq"));
        QCOMPARE(put["responses"]["200"]["content"]["application/json"]["schema"]["format"].as<std::string>(),
            std::string("byte")); // response_body: data
        const YAML::Node file = doc["components"]["schemas"]["odd.v1.File"]["properties"];
        QCOMPARE(file["parent"]["$ref"].as<std::string>(), std::string("#/components/schemas/odd.v1.File"));
        QVERIFY(file["size"]["nullable"].as<bool>());

        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"route users-rest: PURGE /v1/users/{id} (/demo.users.v1.Users/Purge): OpenAPI "
                              u"has no method PURGE"),
            qPrintable(all));
        QVERIFY(all.contains(u"(/demo.users.v1.Users/Chat): client streaming cannot be called over REST"));
        QVERIFY(all.contains(u"route users-rest: AWS API Gateway does not transcode to gRPC"));
    }
};

QTEST_GUILESS_MAIN(TstOpenApiExport)
#include "tst_openapi_export.moc"
