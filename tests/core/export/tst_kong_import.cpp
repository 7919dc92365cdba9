#include "SampleWorkspace.h"
#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"
#include "core/export/Exporter.h"
#include "core/export/import/KongImporter.h"

#include <QTest>

using namespace portico::exporter;
using namespace portico::exporter::test;

class TstKongImport : public QObject
{
    Q_OBJECT

private:
    static QString diagnostics(const LoadResult &r)
    {
        QStringList lines;
        for (const Diagnostic &d : r.errors)
            lines << d.toString();
        return lines.join(u'\n');
    }

private Q_SLOTS:
    void exportImportExportIsIdentical()
    {
        const ExportResult first = exportWorkspace(sampleWorkspace(), QStringLiteral("kong"));
        const ImportResult imported = importKong(first.text);
        QVERIFY2(imported.ok(), qPrintable(imported.error));
        const ExportResult second = exportWorkspace(imported.workspace, QStringLiteral("kong"));
        QCOMPARE(QString::fromUtf8(second.text), QString::fromUtf8(first.text));

        const Workspace &ws = imported.workspace;
        const Route *users = nullptr;
        for (const Route &r : ws.routes)
            users = r.name == u"users" ? &r : users;
        QVERIFY(users && users->versions);
        QCOMPARE(users->versions->defaultVersion, QStringLiteral("v2"));
        QCOMPARE(users->versions->map.size(), 2);
        QCOMPARE(users->versions->deprecated.value(0).second.sunset, QDate(2027, 6, 30));
        QCOMPARE(users->versions->deprecated.value(0).second.link,
            QStringLiteral("https://docs.example.com/migrate-v2"));
        QCOMPARE(users->timeout, std::optional<Duration>(Duration(5000)));
        QCOMPARE(ws.tiers.size(), 2);
        QCOMPARE(ws.consumers.value(0).tier, QStringLiteral("gold"));
    }

    void importedWorkspaceIsAcceptedByCheck()
    {
        const ImportResult imported
            = importKong(exportWorkspace(sampleWorkspace(), QStringLiteral("kong")).text);
        QVERIFY(imported.ok());
        const QByteArray yaml = writeWorkspaceYaml(imported.workspace);
        const LoadResult loaded = loadWorkspaceText(yaml, QStringLiteral("imported.yaml"));
        QVERIFY2(loaded.ok(), qPrintable(diagnostics(loaded) + u'\n' + QString::fromUtf8(yaml)));
        QCOMPARE(exportWorkspace(*loaded.workspace, QStringLiteral("kong")).text,
            exportWorkspace(sampleWorkspace(), QStringLiteral("kong")).text);
    }

    void importsHandWrittenKongConfig()
    {
        const QByteArray kong = R"(_format_version: "3.0"
services:
  - name: billing
    url: https://billing.internal:8443/v2
    routes:
      - name: invoices
        paths: [/invoices, /bills]
        methods: [GET]
        plugins:
          - name: key-auth
            config: {key_names: [apikey]}
          - name: rate-limiting
            config: {second: 5, hour: 1000, limit_by: ip}
          - name: cors
consumers:
  - username: carol
    keyauth_credentials: [{key: carol-key}]
    acls: [{group: finance}]
    basicauth_credentials: [{username: c, password: p}]
)";
        const ImportResult r = importKong(kong);
        QVERIFY2(r.ok(), qPrintable(r.error));
        const Workspace &ws = r.workspace;
        QCOMPARE(ws.upstreams.size(), 1);
        QCOMPARE(ws.upstreams[0].targets[0].url, QUrl(QStringLiteral("https://billing.internal:8443")));
        QCOMPARE(ws.routes.size(), 1);
        const Route &inv = ws.routes[0];
        QCOMPARE(inv.upstream, QStringLiteral("billing"));
        QVERIFY(!inv.stripPrefix); // Kong would forward /invoices/7 as /v2/7: warned below
        QCOMPARE(inv.filters.value<AuthConfig>().schemes, QStringList { QStringLiteral("keys") });
        QCOMPARE(ws.auth[0].header, QStringLiteral("apikey"));
        QCOMPARE(ws.auth[0].query, QStringLiteral("apikey"));
        QCOMPARE(inv.filters.value<RateLimitConfig>().limit->requests, 5);
        QCOMPARE(inv.filters.value<RateLimitConfig>().limit->by, RateLimit::By::Ip);
        QCOMPARE(ws.consumers[0].groups, QStringList { QStringLiteral("finance") });
        const QString all = r.warnings.join(u'\n');
        QVERIFY2(all.contains(u"only the first of 2 paths"), qPrintable(all));
        QVERIFY(all.contains(u"plugin cors has no workspace equivalent"));
        QVERIFY(all.contains(u"rate-limiting per hour not imported"));
        QVERIFY(all.contains(u"basicauth_credentials not imported"));
        QVERIFY(all.contains(u"strip_path with service path /v2"));
        const LoadResult loaded = loadWorkspaceText(writeWorkspaceYaml(ws), QStringLiteral("kong.yaml"));
        QVERIFY2(loaded.ok(), qPrintable(diagnostics(loaded)));
    }

    void rejectsWhatIsNotKong()
    {
        QVERIFY(importKong("openapi: 3.0.0\n").error.contains(u"_format_version"));
        QVERIFY(importKong("services: [unclosed\n").error.contains(u"line"));
        const ImportResult odd = importKong("_format_version: \"3.0\"\nservices: 7\nconsumers: {a: 1}\n");
        QVERIFY(
            odd.ok() ? odd.workspace.routes.isEmpty() : !odd.error.isEmpty()); // no crash, nothing invented
    }
};

QTEST_GUILESS_MAIN(TstKongImport)
#include "tst_kong_import.moc"
