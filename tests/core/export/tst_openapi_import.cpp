#include "SampleWorkspace.h"
#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"
#include "core/export/Exporter.h"
#include "core/export/import/OpenApiImporter.h"

#include <QTest>

using namespace portico::exporter;
using namespace portico::exporter::test;

class TstOpenApiImport : public QObject
{
    Q_OBJECT

private:
    static QString loadProblems(const Workspace &ws)
    {
        const LoadResult loaded = loadWorkspaceText(writeWorkspaceYaml(ws), QStringLiteral("imported.yaml"));
        QStringList lines;
        for (const Diagnostic &d : loaded.errors)
            lines << d.toString();
        if (!loaded.ok() && lines.isEmpty())
            lines << QStringLiteral("not loaded");
        return lines.join(u'\n');
    }

    static const Route *route(const Workspace &ws, const QString &name)
    {
        for (const Route &r : ws.routes) {
            if (r.name == name)
                return &r;
        }
        return nullptr;
    }

private Q_SLOTS:
    void importsAHandWrittenDocument()
    {
        const QByteArray doc = R"(openapi: 3.0.3
info: {title: Pets, version: "1.0"}
servers:
  - url: https://{env}.example.com:8443/v1
    variables: {env: {default: api}}
  - url: https://staging.example.com/v1
security: [{key: []}]
paths:
  /pets:
    get: {operationId: listPets, responses: {"200": {description: ok}}}
    post: {operationId: createPet, responses: {"201": {description: ok}}}
  /pets/{petId}:
    get:
      operationId: showPet
      security: [{bearer: []}, {basic: []}]
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
        - {name: X-Tenant, in: header, required: true, schema: {type: string, enum: [acme]}}
      responses: {"200": {description: ok}}
    delete:
      operationId: deletePet
      deprecated: true
      responses: {"204": {description: gone}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-API-Key}
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
    basic: {type: http, scheme: basic}
)";
        const ImportResult r = importOpenApi(doc);
        QVERIFY2(r.ok(), qPrintable(r.error));
        const Workspace &ws = r.workspace;
        QCOMPARE(ws.upstreams.size(), 2);
        QCOMPARE(ws.upstreams[0].targets[0].url, QUrl(QStringLiteral("https://api.example.com:8443")));
        const Route *pets = route(ws, QStringLiteral("pets"));
        QVERIFY(pets);
        QCOMPARE(pets->match.pathKind, RouteMatch::PathKind::Exact);
        QCOMPARE(pets->match.path, QStringLiteral("/v1/pets"));
        QCOMPARE(pets->match.methods, (QStringList { "GET", "POST" }));
        QCOMPARE(pets->filters.value<AuthConfig>().schemes, QStringList { QStringLiteral("key") });
        const Route *show = route(ws, QStringLiteral("showpet"));
        QVERIFY(show);
        QCOMPARE(show->match.pathKind, RouteMatch::PathKind::Regex);
        QCOMPARE(show->match.path, QStringLiteral("^/v1/pets/([^/]+)$"));
        QCOMPARE(show->match.headers.value(0).second, QStringLiteral("acme"));
        QCOMPARE(show->filters.value<AuthConfig>().schemes, QStringList { QStringLiteral("bearer") });
        QVERIFY(route(ws, QStringLiteral("deletepet")));
        QCOMPARE(ws.findAuth(QStringLiteral("key"))->header, QStringLiteral("X-API-Key"));
        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"security scheme basic (http basic) is not supported"), qPrintable(all));
        QVERIFY(all.contains(u"DELETE /pets/{petId}: deprecated flag"));
        QVERIFY(all.contains(u"${BEARER_JWT_SECRET}"));
        QVERIFY2(loadProblems(ws).isEmpty(), qPrintable(loadProblems(ws)));
    }

    void importsPorticosOwnExport()
    {
        const ExportResult exported = exportWorkspace(sampleWorkspace(), QStringLiteral("openapi-json"));
        const ImportResult r = importOpenApi(exported.text);
        QVERIFY2(r.ok(), qPrintable(r.error));
        const Workspace &ws = r.workspace;
        // upstreams come from the AWS integrations, not from the gateway's own server URL
        QCOMPARE(ws.upstreams[0].targets[0].url, QUrl(QStringLiteral("http://127.0.0.1:9001")));
        const AuthScheme *keys = ws.findAuth(QStringLiteral("keys"));
        QVERIFY(keys);
        QCOMPARE(keys->header, QStringLiteral("X-API-Key"));
        QCOMPARE(keys->query, QStringLiteral("apikey")); // keys + keys_query merged back
        const AuthScheme *idp = ws.findAuth(QStringLiteral("idp"));
        QCOMPARE(idp->jwksUrl, QUrl(QStringLiteral("http://127.0.0.1:9100/.well-known/jwks.json")));
        QCOMPARE(idp->issuer, QStringLiteral("https://idp.example.com/"));
        QCOMPARE(ws.findAuth(QStringLiteral("introspect"))->url,
            QUrl(QStringLiteral("http://127.0.0.1:9100/introspect")));
        const Route *health = route(ws, QStringLiteral("health-get"));
        QVERIFY(health && health->mock);
        QCOMPARE(health->mock->body, QStringLiteral("{\"status\":\"ok\"}"));
        const Route *orders = route(ws, QStringLiteral("api-orders"));
        QVERIFY(orders);
        QCOMPARE(orders->match.methods.size(), 5);
        QCOMPARE(orders->filters.value<AuthConfig>().schemes, QStringList { QStringLiteral("introspect") });
        QVERIFY2(loadProblems(ws).isEmpty(), qPrintable(loadProblems(ws)));
    }

    void rejectsOtherDocuments()
    {
        QVERIFY(importOpenApi("swagger: \"2.0\"\n").error.contains(u"Swagger 2.0"));
        QVERIFY(importOpenApi("_format_version: \"3.0\"\n").error.contains(u"OpenAPI 3"));
        QVERIFY(importOpenApi("openapi: [3\n").error.contains(u"line"));
        const ImportResult noServer = importOpenApi("openapi: 3.0.0\npaths: {/x: {get: {responses: {}}}}\n");
        QVERIFY(noServer.ok());
        QVERIFY(noServer.workspace.routes.isEmpty());
        QVERIFY(noServer.warnings.join(u'\n').contains(u"no server URL"));
        const ImportResult withDefault
            = importOpenApi("openapi: 3.0.0\npaths: {/x: {get: {responses: {}}}}\n",
                QUrl(QStringLiteral("http://127.0.0.1:7000")));
        QCOMPARE(withDefault.workspace.routes.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TstOpenApiImport)
#include "tst_openapi_import.moc"
