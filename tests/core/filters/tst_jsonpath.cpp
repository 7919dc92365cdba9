// JsonPathRemover: the piece behind response.json.remove (its content codings:
// tests/core/http/tst_compression).

#include "core/filters/transform/JsonPathRemover.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace portico::filters;

namespace {

QJsonDocument parse(const char *json)
{
    QJsonParseError err;
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json), &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(err.errorString()));
    return doc;
}

QByteArray compact(const QJsonDocument &doc)
{
    return doc.toJson(QJsonDocument::Compact);
}

JsonPathRemover remover(const QStringList &paths)
{
    QString error;
    std::optional<JsonPathRemover> r = JsonPathRemover::compile(paths, &error);
    if (!r)
        qFatal("compile failed: %s", qPrintable(error));
    return *r;
}

} // namespace

class TestJsonPath : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void topLevelKeyOnly()
    {
        QJsonDocument doc = parse(R"({"password":"x","user":{"password":"y"},"name":"a"})");
        QCOMPARE(remover({ "password" }).apply(doc), 1);
        QCOMPARE(compact(doc), QByteArray(R"({"name":"a","user":{"password":"y"}})"));
    }

    void nestedObjects()
    {
        QJsonDocument doc = parse(R"({"user":{"auth":{"password":"p","hint":"h"},"id":7}})");
        QCOMPARE(remover({ "user.auth.password" }).apply(doc), 1);
        QCOMPARE(compact(doc), QByteArray(R"({"user":{"auth":{"hint":"h"},"id":7}})"));
    }

    void arrayElements()
    {
        QJsonDocument doc
            = parse(R"({"items":[{"ssn":"1","n":1},{"n":2},{"ssn":"3"},5,"s",null],"ssn":"top"})");
        QCOMPARE(remover({ "items[*].ssn" }).apply(doc), 2);
        QCOMPARE(compact(doc), QByteArray(R"({"items":[{"n":1},{"n":2},{},5,"s",null],"ssn":"top"})"));
    }

    void deepArrays()
    {
        QJsonDocument doc = parse(R"({"a":{"b":[{"c":[{"d":1,"e":2},{"d":3}]},{"c":[]},{"x":1}]}})");
        QCOMPARE(remover({ "a.b[*].c[*].d" }).apply(doc), 2);
        QCOMPARE(compact(doc), QByteArray(R"({"a":{"b":[{"c":[{"e":2},{}]},{"c":[]},{"x":1}]}})"));
    }

    void nestedArraysAndTopLevelArray()
    {
        QJsonDocument doc = parse(R"([{"m":[[{"x":1,"y":2}],[{"x":3}]],"secret":1},{"secret":2}])");
        QCOMPARE(remover({ "[*].secret", "[*].m[*][*].x" }).apply(doc), 4);
        QCOMPARE(compact(doc), QByteArray(R"([{"m":[[{"y":2}],[{}]]},{}])"));
        // A bare name does not reach into a top-level array.
        QJsonDocument arr = parse(R"([{"password":1}])");
        QCOMPARE(remover({ "password" }).apply(arr), 0);
    }

    void missingAndMismatchedPathsRemoveNothing()
    {
        const QByteArray original = R"({"a":1,"items":{"ssn":"not an array"},"list":[1,2]})";
        QJsonDocument doc = parse(original.constData());
        JsonPathRemover r = remover({ "missing", "a.b", "items[*].ssn", "list.x", "list[*].x", "x.y[*].z" });
        QCOMPARE(r.apply(doc), 0);
        QCOMPARE(compact(doc), compact(parse(original.constData())));
    }

    void sharedPrefixesAndShorterWins()
    {
        QJsonDocument doc = parse(R"({"user":{"password":"p","token":"t","name":"n"},"keep":true})");
        QCOMPARE(remover({ "user.password", "user.token" }).apply(doc), 2);
        QCOMPARE(compact(doc), QByteArray(R"({"keep":true,"user":{"name":"n"}})"));
        QJsonDocument doc2 = parse(R"({"user":{"password":"p"},"keep":true})");
        QCOMPARE(remover({ "user.password", "user" }).apply(doc2), 1);
        QCOMPARE(compact(doc2), QByteArray(R"({"keep":true})"));
    }

    void emptyRemoverAndScalars()
    {
        QJsonDocument doc = parse(R"({"a":1})");
        QVERIFY(JsonPathRemover().isEmpty());
        QCOMPARE(JsonPathRemover().apply(doc), 0);
        QJsonValue scalar(42);
        QCOMPARE(remover({ "a" }).apply(scalar), 0);
        QCOMPARE(scalar.toInt(), 42);
    }

    void malformedPaths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << ""
                               << "empty path";
        QTest::newRow("double dot") << "a..b"
                                    << "empty field name";
        QTest::newRow("leading dot") << ".a"
                                     << "empty field name";
        QTest::newRow("trailing dot") << "a."
                                      << "ends with '.'";
        QTest::newRow("index") << "items[0].ssn"
                               << "only [*]";
        QTest::newRow("unclosed") << "items[*"
                                  << "only [*]";
        QTest::newRow("stray bracket") << "a]"
                                       << "unbalanced";
        QTest::newRow("ends with array") << "items[*]"
                                         << "must end with a field name";
        QTest::newRow("dot before bracket") << "a.[*].b"
                                            << "must follow '.'";
        QTest::newRow("name after bracket") << "a[*]b"
                                            << "'.' expected";
    }

    void malformedPaths()
    {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        QString error;
        QVERIFY(!JsonPathRemover::compile({ QStringLiteral("ok.path"), path }, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("'%1'").arg(path)), qPrintable(error));
    }

    void hugeBody()
    {
        // ~5 MB: 20000 records, each with a secret nested two arrays deep.
        QJsonArray items;
        for (int i = 0; i < 20000; ++i) {
            QJsonObject rec { { "id", i }, { "ssn", QString::number(100000000 + i) },
                { "name", QString(150, QChar(u'a' + i % 26)) } };
            rec.insert(
                "cards", QJsonArray { QJsonObject { { "pan", "4111111111111111" }, { "exp", "12/30" } } });
            items.append(rec);
        }
        QJsonDocument doc(QJsonObject { { "items", items }, { "total", 20000 } });
        const QByteArray raw = doc.toJson(QJsonDocument::Compact);
        QVERIFY2(raw.size() > 4'000'000, QByteArray::number(raw.size()));

        QJsonDocument parsed = QJsonDocument::fromJson(raw);
        QCOMPARE(remover({ "items[*].ssn", "items[*].cards[*].pan" }).apply(parsed), 40000);
        const QByteArray out = parsed.toJson(QJsonDocument::Compact);
        QVERIFY(!out.contains("\"ssn\""));
        QVERIFY(!out.contains("4111111111111111"));
        QCOMPARE(parsed.object().value("items").toArray().size(), 20000);
        QCOMPARE(parsed.object().value("items").toArray().at(19999).toObject().value("id").toInt(), 19999);
    }
};

QTEST_GUILESS_MAIN(TestJsonPath)
#include "tst_jsonpath.moc"
