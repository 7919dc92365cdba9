#include "SampleWorkspace.h"
#include "core/export/Exporter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace portico::exporter;
using namespace portico::exporter::test;

// KrakenD output checked against the documented v3 shape: version 3, endpoints with method,
// backend lists whose entries have url_pattern and host lists, namespaced extra_config.
class TstKrakendExport : public QObject
{
    Q_OBJECT

private:
    static QJsonObject endpoint(const QJsonArray &endpoints, const QString &path, const QString &method)
    {
        for (const QJsonValue &v : endpoints) {
            const QJsonObject o = v.toObject();
            if (o.value(u"endpoint").toString() == path && o.value(u"method").toString() == method)
                return o;
        }
        return {};
    }

private Q_SLOTS:
    void configHasTheDocumentedShape()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("krakend"));
        QCOMPARE(r.suggestedFileName, QStringLiteral("krakend.json"));
        QCOMPARE(exportWorkspace(sampleWorkspace(), QStringLiteral("krakend")).text, r.text);
        QJsonParseError err;
        const QJsonObject doc = QJsonDocument::fromJson(r.text, &err).object();
        QCOMPARE(err.error, QJsonParseError::NoError);
        QCOMPARE(doc.value(u"version").toInt(), 3);
        QCOMPARE(doc.value(u"port").toInt(), 8080);
        const QJsonArray endpoints = doc.value(u"endpoints").toArray();
        QVERIFY(!endpoints.isEmpty());
        static const QStringList methods { "GET", "POST", "PUT", "PATCH", "DELETE" };
        for (const QJsonValue &v : endpoints) {
            const QJsonObject e = v.toObject();
            QVERIFY(e.value(u"endpoint").toString().startsWith(u'/'));
            QVERIFY(methods.contains(e.value(u"method").toString()));
            const QJsonArray backends = e.value(u"backend").toArray();
            QVERIFY(!backends.isEmpty());
            for (const QJsonValue &b : backends) {
                QVERIFY(b.toObject().value(u"url_pattern").toString().startsWith(u'/'));
                QVERIFY(!b.toObject().value(u"host").toArray().isEmpty());
            }
            for (const QString &ns : e.value(u"extra_config").toObject().keys())
                QVERIFY2(ns.contains(u'/'), qPrintable(ns)); // namespaced like auth/validator
        }

        const QJsonObject v1 = endpoint(endpoints, QStringLiteral("/v1/api/users"), QStringLiteral("POST"));
        QCOMPARE(v1.value(u"backend").toArray().at(0).toObject().value(u"url_pattern").toString(),
            QStringLiteral("/api/users"));
        QCOMPARE(v1.value(u"backend").toArray().at(0).toObject().value(u"host").toArray().size(), 2);
        const QJsonObject validator
            = v1.value(u"extra_config").toObject().value(u"auth/validator").toObject();
        QCOMPARE(validator.value(u"jwk_url").toString(),
            QStringLiteral("http://127.0.0.1:9100/.well-known/jwks.json"));
        QCOMPARE(validator.value(u"roles").toArray().at(0).toString(), QStringLiteral("admins"));
        QCOMPARE(v1.value(u"extra_config")
                     .toObject()
                     .value(u"qos/ratelimit/router")
                     .toObject()
                     .value(u"client_max_rate")
                     .toInt(),
            100);
        QVERIFY(endpoint(endpoints, QStringLiteral("/v1/api/users"), QStringLiteral("DELETE")).isEmpty());

        const QJsonObject dash = endpoint(endpoints, QStringLiteral("/api/dashboard"), QStringLiteral("GET"));
        const QJsonArray parts = dash.value(u"backend").toArray();
        QCOMPARE(parts.size(), 2);
        QCOMPARE(parts.at(0).toObject().value(u"group").toString(), QStringLiteral("user"));
        QCOMPARE(parts.at(1).toObject().value(u"url_pattern").toString(), QStringLiteral("/orders/recent"));
        QCOMPARE(endpoint(endpoints, QStringLiteral("/api/orders"), QStringLiteral("PATCH"))
                     .value(u"timeout")
                     .toString(),
            QStringLiteral("30s"));

        const QString all = r.warnings.join(u'\n');
        QVERIFY(all.contains(u"route health: mock not exported"));
        QVERIFY(all.contains(u"route orders: auth scheme introspect"));
        QVERIFY(all.contains(u"upstream users-v1: health check"));
    }
};

QTEST_GUILESS_MAIN(TstKrakendExport)
#include "tst_krakend_export.moc"
