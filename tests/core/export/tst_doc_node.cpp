#include "core/export/DocNode.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <yaml-cpp/yaml.h>

using portico::exporter::DocNode;

// The document tree every structured exporter writes through: strings must stay strings in YAML,
// JSON must be valid, and maps must keep their insertion order (determinism).
class TstDocNode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void yamlKeepsStringsStrings()
    {
        const QStringList tricky { "3.0", "true", "no", "null", "~", "", "0x1F", "1e3", "2027-06-30", "a: b",
            "*star", "- dash", " padded ", "line\nbreak", "quote\"s", "ünï", "12:30" };
        DocNode doc;
        for (int i = 0; i < tricky.size(); ++i)
            doc[QStringLiteral("k%1").arg(i)] = tricky[i];
        doc["3.0"] = "key that looks like a number";
        const YAML::Node parsed = YAML::Load(doc.toYaml().toStdString());
        for (int i = 0; i < tricky.size(); ++i) {
            const YAML::Node v = parsed[QStringLiteral("k%1").arg(i).toStdString()];
            QCOMPARE(QString::fromStdString(v.as<std::string>()), tricky[i]);
        }
        QVERIFY(doc.toYaml().contains("k0: \"3.0\""));
        QVERIFY(doc.toYaml().contains("\"3.0\": key that looks like a number"));
    }

    void scalarsKeepTheirTypes()
    {
        DocNode doc;
        doc["int"] = 42;
        doc["big"] = qint64(10) * 1024 * 1024 * 1024;
        doc["bool"] = false;
        doc["double"] = 0.5;
        doc["list"] = QStringList { QStringLiteral("a"), QStringLiteral("b") };
        doc["empty"] = DocNode::map();
        doc["none"] = DocNode::list();
        const QByteArray yaml = doc.toYaml();
        QVERIFY(yaml.contains("int: 42\n"));
        QVERIFY(yaml.contains("big: 10737418240\n"));
        QVERIFY(yaml.contains("bool: false\n"));
        QVERIFY(yaml.contains("empty: {}\n"));
        QVERIFY(yaml.contains("none: []\n"));
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(doc.toJson(), &err).object();
        QCOMPARE(err.error, QJsonParseError::NoError);
        QCOMPARE(o.value(u"int").toInt(), 42);
        QCOMPARE(o.value(u"big").toInteger(), qint64(10737418240));
        QCOMPARE(o.value(u"bool").toBool(true), false);
        QCOMPARE(o.value(u"double").toDouble(), 0.5);
        QVERIFY(o.value(u"empty").isObject());
    }

    void mapsKeepInsertionOrder()
    {
        DocNode doc;
        doc["zeta"] = 1;
        doc["alpha"] = 2;
        doc["mid"]["inner"] = "x";
        doc["zeta"] = 3; // replacing keeps the position
        QCOMPARE(doc.toYaml(), QByteArray("zeta: 3\nalpha: 2\nmid:\n  inner: x\n"));
        QCOMPARE(doc.toJson(),
            QByteArray("{\n  \"zeta\": 3,\n  \"alpha\": 2,\n  \"mid\": {\n    \"inner\": \"x\"\n  }\n}\n"));
        doc.remove(QStringLiteral("alpha"));
        QCOMPARE(doc.keys().size(), std::size_t(2));
        QVERIFY(!doc.contains(QStringLiteral("alpha")));
    }

    void jsonEscapes()
    {
        DocNode doc;
        doc["s"] = QStringLiteral("tab\t\"quote\" \\ \u00e9 \u0001");
        QJsonParseError err;
        const QJsonObject o = QJsonDocument::fromJson(doc.toJson(), &err).object();
        QCOMPARE(err.error, QJsonParseError::NoError);
        QCOMPARE(o.value(u"s").toString(), QStringLiteral("tab\t\"quote\" \\ \u00e9 \u0001"));
    }
};

QTEST_GUILESS_MAIN(TstDocNode)
#include "tst_doc_node.moc"
