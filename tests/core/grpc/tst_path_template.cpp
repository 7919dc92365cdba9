// google.api.http path templates (core/grpc/PathTemplate): the grammar of http.proto, the
// bindings a REST path gives (single segments decoded, multi-segment ones keeping "/" and %2F),
// verbs, and templates or paths that must be refused: a request path is client input, a template
// is config.
#include "core/grpc/PathTemplate.h"

#include <QTest>

using portico::grpc::PathTemplate;
using Bindings = QList<PathTemplate::Binding>;

Q_DECLARE_METATYPE(Bindings)

namespace {

PathTemplate parsed(const QString &text)
{
    QString error;
    const auto t = PathTemplate::parse(text, &error);
    if (!t)
        qFatal("%s", qPrintable(error));
    return *t;
}

} // namespace

class TestPathTemplate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matches_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("matched");
        QTest::addColumn<Bindings>("bindings");
        QTest::newRow("literal") << "/v1/users" << "/v1/users" << true << Bindings {};
        QTest::newRow("literal differs") << "/v1/users" << "/v1/user" << false << Bindings {};
        QTest::newRow("simple variable") << "/v1/users/{id}" << "/v1/users/42" << true << Bindings { { "id", "42" } };
        QTest::newRow("query ignored") << "/v1/users/{id}" << "/v1/users/42?view=full" << true << Bindings { { "id", "42" } };
        QTest::newRow("nested field") << "/v1/users/{user.id}/posts/{post_id}" << "/v1/users/7/posts/9" << true
                                      << Bindings { { "user.id", "7" }, { "post_id", "9" } };
        QTest::newRow("single decoded") << "/v1/users/{id}" << "/v1/users/a%2Fb%20c" << true << Bindings { { "id", "a/b c" } };
        QTest::newRow("utf-8 decoded") << "/v1/users/{id}" << "/v1/users/caf%C3%A9" << true
                                       << Bindings { { "id", QStringLiteral("caf\u00e9") } };
        QTest::newRow("multi keeps %2F") << "/v1/{name=shelves/*/books/*}" << "/v1/shelves/s%2F1/books/b%201" << true
                                         << Bindings { { "name", "shelves/s%2F1/books/b 1" } };
        QTest::newRow("rest") << "/v1/files/{path=**}" << "/v1/files/a/b/c.txt" << true << Bindings { { "path", "a/b/c.txt" } };
        QTest::newRow("rest empty") << "/v1/files/{path=**}" << "/v1/files" << true << Bindings { { "path", "" } };
        QTest::newRow("bare rest") << "/static/**" << "/static/x/y" << true << Bindings {};
        QTest::newRow("star one segment") << "/v1/*/items" << "/v1/a/items" << true << Bindings {};
        QTest::newRow("star not two") << "/v1/*/items" << "/v1/a/b/items" << false << Bindings {};
        QTest::newRow("star not empty") << "/v1/*/items" << "/v1//items" << false << Bindings {};
        QTest::newRow("verb") << "/v1/users/{id}:cancel" << "/v1/users/5:cancel" << true << Bindings { { "id", "5" } };
        QTest::newRow("verb missing") << "/v1/users/{id}:cancel" << "/v1/users/5" << false << Bindings {};
        QTest::newRow("other verb") << "/v1/users/{id}:cancel" << "/v1/users/5:undo" << false << Bindings {};
        QTest::newRow("trailing slash") << "/v1/users" << "/v1/users/" << false << Bindings {};
        QTest::newRow("longer path") << "/v1/users/{id}" << "/v1/users/1/2" << false << Bindings {};
        QTest::newRow("bad escape in path") << "/v1/users/{id}" << "/v1/users/%zz" << false << Bindings {};
        QTest::newRow("truncated escape") << "/v1/users/{id}" << "/v1/users/ab%2" << false << Bindings {};
        QTest::newRow("not utf-8") << "/v1/users/{id}" << "/v1/users/%ff%fe" << false << Bindings {};
        QTest::newRow("relative path") << "/v1/users" << "v1/users" << false << Bindings {};
        QTest::newRow("encoded literal") << "/v1/a%20b" << "/v1/a b" << true << Bindings {};
    }

    void matches()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, path);
        QFETCH(bool, matched);
        QFETCH(Bindings, bindings);
        const auto got = parsed(pattern).match(path);
        QCOMPARE(got.has_value(), matched);
        if (matched)
            QCOMPARE(*got, bindings);
    }

    void refusedTemplates_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("why");
        QTest::newRow("no slash") << "v1/users" << "must start with '/'";
        QTest::newRow("trailing slash") << "/v1/users/" << "empty segment";
        QTest::newRow("double slash") << "/v1//users" << "empty segment";
        QTest::newRow("rest not last") << "/v1/**/x" << "'**' must be the last segment";
        QTest::newRow("nested variable") << "/v1/{a={b}}" << "do not nest";
        QTest::newRow("unclosed") << "/v1/{id" << "'}' expected";
        QTest::newRow("bad field") << "/v1/{1id}" << "not a field path";
        QTest::newRow("empty field part") << "/v1/{a..b}" << "not a field path";
        QTest::newRow("bound twice") << "/v1/{id}/{id}" << "bound twice";
        QTest::newRow("partial star") << "/v1/a*" << "whole segment";
        QTest::newRow("empty verb") << "/v1/x:" << "a verb";
        QTest::newRow("bad escape") << "/v1/%zz" << "percent-encoding";
        QTest::newRow("too long") << "/" + QString(5000, QLatin1Char('a')) << "longer than";
        QTest::newRow("too many segments") << QStringLiteral("/a").repeated(65) << "more than 64 segments";
        QTest::newRow("garbage after variable") << "/v1/{id}x" << "'/' expected";
    }

    void refusedTemplates()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, why);
        QString error;
        QVERIFY(!PathTemplate::parse(pattern, &error));
        QVERIFY2(error.contains(why), qPrintable(error));
    }

    void specificityPrefersLiterals()
    {
        QVERIFY(parsed("/v1/users/me").specificity() > parsed("/v1/users/{id}").specificity());
        QVERIFY(parsed("/v1/users/{id}").specificity() > parsed("/v1/{path=**}").specificity());
        QVERIFY(parsed("/v1/users/{id}:cancel").specificity() > parsed("/v1/users/{id}").specificity());
        QCOMPARE(parsed("/v1/{a}/x/{b.c}").fieldPaths(), QStringList({ "a", "b.c" }));
        QCOMPARE(parsed("/v1/{a}:run").verb(), QStringLiteral("run"));
    }
};

QTEST_GUILESS_MAIN(TestPathTemplate)
#include "tst_path_template.moc"
