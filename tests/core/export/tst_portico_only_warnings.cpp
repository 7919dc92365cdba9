// The warnings every export target gives for Portico's own parts (traffic capture, admin API):
// each must make sense for that target, in particular for OpenAPI, a description format and not
// a gateway with a management interface of its own.
#include "SampleWorkspace.h"
#include "core/export/Exporter.h"

#include <QTest>

using namespace portico::exporter;
using namespace portico::exporter::test;

class TstPorticoOnlyWarnings : public QObject
{
    Q_OBJECT

private:
    static portico::config::Workspace withCaptureAndAdmin()
    {
        portico::config::Workspace ws = sampleWorkspace();
        ws.capture.enabled = true;
        ws.capture.database = QStringLiteral("traffic.db");
        ws.admin.enabled = true;
        ws.admin.listen = { QStringLiteral("127.0.0.1"), 9901 };
        return ws;
    }

    static QString warningFor(const QStringList &warnings, const QString &prefix)
    {
        QString found;
        for (const QString &w : warnings) {
            if (w.startsWith(prefix))
                found = w;
        }
        return found;
    }

private Q_SLOTS:
    void everyTargetWarnsInItsOwnTerms_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("adminAdvice");
        QTest::newRow("kong") << QStringLiteral("kong") << QStringLiteral("Kong's Admin API");
        QTest::newRow("traefik") << QStringLiteral("traefik") << QStringLiteral("Traefik's API");
        QTest::newRow("envoy") << QStringLiteral("envoy") << QStringLiteral("Envoy's admin interface");
        QTest::newRow("nginx") << QStringLiteral("nginx") << QStringLiteral("nginx -s reload");
        QTest::newRow("krakend") << QStringLiteral("krakend")
                                 << QStringLiteral("KrakenD has no management API");
        QTest::newRow("openapi") << QStringLiteral("openapi") << QStringLiteral("not the gateway serving it");
        QTest::newRow("openapi-json")
            << QStringLiteral("openapi-json") << QStringLiteral("not the gateway serving it");
    }

    void everyTargetWarnsInItsOwnTerms()
    {
        QFETCH(QString, target);
        QFETCH(QString, adminAdvice);
        const ExportResult r = exportWorkspace(withCaptureAndAdmin(), target);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        const QString admin = warningFor(r.warnings, QStringLiteral("admin:"));
        QVERIFY2(admin.contains(u"127.0.0.1:9901 is not exported"), qPrintable(admin));
        QVERIFY2(admin.contains(adminAdvice), qPrintable(admin));
        QVERIFY2(!admin.contains(u"OpenAPI's"), qPrintable(admin));
        const QString capture = warningFor(r.warnings, QStringLiteral("capture:"));
        QVERIFY2(capture.contains(u"traffic.db"), qPrintable(capture));
        QVERIFY2(!capture.contains(u"OpenAPI has no equivalent"), qPrintable(capture));

        // Nothing to say when the workspace does not use them.
        portico::config::Workspace without = withCaptureAndAdmin();
        without.capture.enabled = false;
        without.admin.enabled = false;
        const ExportResult quiet = exportWorkspace(without, target);
        QVERIFY(warningFor(quiet.warnings, QStringLiteral("admin:")).isEmpty());
        QVERIFY(warningFor(quiet.warnings, QStringLiteral("capture:")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstPorticoOnlyWarnings)
#include "tst_portico_only_warnings.moc"
