// Saving workspaces: load -> save -> load gives an equal workspace, env templates come back as
// templates, the output is stable, and the JSON form redacts secrets.
#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::config;

class TestWorkspaceWriter : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcessEnvironment m_env;
    QByteArray m_everyFeature; // tests/core/config/data/every-feature.yaml

    static QString examplePath()
    {
        return qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/docs/portico.example.yaml";
    }
    static QString dump(const QList<Diagnostic> &errors)
    {
        QStringList lines;
        for (const Diagnostic &d : errors)
            lines.append(d.toString());
        return lines.join(u'\n');
    }

    void touch(const QString &relative)
    {
        const QString path = m_dir.filePath(relative);
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("x");
    }

    // load -> save -> load; the second load must equal the first, templates included, and saving
    // again must give the same bytes.
    void roundTrip(const QByteArray &text, const QString &fileName)
    {
        const LoadResult first = loadWorkspaceText(text, fileName, m_env);
        QVERIFY2(first.ok(), qPrintable(dump(first.errors)));
        const QByteArray saved = writeWorkspaceYaml(*first.workspace);
        const LoadResult second = loadWorkspaceText(saved, fileName, m_env);
        QVERIFY2(second.ok(), qPrintable(dump(second.errors) + "\n" + saved));
        QVERIFY2(*first.workspace == *second.workspace, saved.constData());
        QCOMPARE(second.workspace->envTemplates, first.workspace->envTemplates);
        QCOMPARE(writeWorkspaceYaml(*second.workspace), saved);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_env.insert("DB_NAME", "traffic");
        m_env.insert("ORDERS_HOST", "10.1.2.3");
        m_env.insert("JWT_SECRET", "very-secret");
        touch("certs/dev.pem");
        touch("certs/dev-key.pem");
        touch("keys/idp.pem");
        touch("mocks/body.json");
        QFile f(qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/tests/core/config/data/every-feature.yaml");
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
        m_everyFeature = f.readAll();
    }

    void exampleRoundTrip()
    {
        QFile f(examplePath());
        QVERIFY(f.open(QIODevice::ReadOnly));
        roundTrip(f.readAll(), examplePath());
    }

    void everyFeatureRoundTrip() { roundTrip(m_everyFeature, m_dir.filePath("every.yaml")); }

    void everyFeatureReadsAsWritten()
    {
        const LoadResult r = loadWorkspaceText(m_everyFeature, m_dir.filePath("every.yaml"), m_env);
        QVERIFY2(r.ok(), qPrintable(dump(r.errors)));
        const Workspace &ws = *r.workspace;
        QCOMPARE(ws.gateway.limits.maxBodyBytes, 1024LL * 1024 * 1024);
        QCOMPARE(ws.capture.database, QStringLiteral("data/traffic.db"));
        QCOMPARE(ws.upstreams[1].targets[0].url, QUrl("http://10.1.2.3:9003"));
        QCOMPARE(ws.tiers[0].rateLimit, std::nullopt);
        QCOMPARE(ws.tiers[1].rateLimit->by, RateLimit::By::Ip);
        QCOMPARE(ws.consumers[1].name, QStringLiteral("null"));
        QCOMPARE(ws.routes[0].match.methods, (QStringList { "GET", "POST" }));
        QCOMPARE(ws.routes[0].versions->by, Versions::By::Header);
        QCOMPARE(ws.routes[0].versions->deprecated[0].second.sunset, QDate(2027, 6, 30));
        QCOMPARE(ws.routes[0].filters.value<RateLimitConfig>().limit->header, QStringLiteral("X-Tenant"));
        QCOMPARE(ws.routes[0].timeout, std::optional<Duration>(Duration { 1500 }));
        QCOMPARE(ws.routes[3].mock->body, QStringLiteral("line 1\nline 2: é"));
        QCOMPARE(ws.routes[1].match.pathKind, RouteMatch::PathKind::Regex);
    }

    void templatesAreWrittenBack()
    {
        const LoadResult r = loadWorkspaceText(m_everyFeature, m_dir.filePath("every.yaml"), m_env);
        QVERIFY(r.ok());
        const QByteArray saved = writeWorkspaceYaml(*r.workspace);
        QVERIFY(saved.contains("secret: ${JWT_SECRET}"));
        QVERIFY(saved.contains("database: data/${DB_NAME}.db"));
        QVERIFY(saved.contains("http://${ORDERS_HOST}:9003"));
        QVERIFY(!saved.contains("very-secret"));
        QVERIFY(!saved.contains("10.1.2.3"));
    }

    void literalDollarBracesSurvive()
    {
        // A value typed in the GUI holding "${" is saved escaped, so it does not expand on reload.
        Workspace ws;
        Route r;
        r.name = "m";
        r.mock = Mock {};
        r.mock->body = "Hello ${name}";
        ws.routes = { r };
        const QByteArray saved = writeWorkspaceYaml(ws);
        QVERIFY2(saved.contains("Hello $${name}"), saved.constData());
        const LoadResult back
            = loadWorkspaceText(saved, m_dir.filePath("dollar.yaml"), QProcessEnvironment());
        QVERIFY2(back.ok(), qPrintable(dump(back.errors)));
        QCOMPARE(back.workspace->routes[0].mock->body, QStringLiteral("Hello ${name}"));
        QVERIFY(*back.workspace == ws);

        // ... but a literal secret stays redacted in JSON, "${" or not.
        ws.admin.token = "abc${def}";
        QCOMPARE(workspaceToJson(ws).value("admin").toObject().value("token").toString(),
            QStringLiteral("[redacted]"));
        QVERIFY(writeWorkspaceYaml(ws).contains("token: abc$${def}"));
    }

    void sectionOrderIsTheExampleFilesOrder()
    {
        const LoadResult r = loadWorkspaceText(m_everyFeature, m_dir.filePath("every.yaml"), m_env);
        QVERIFY(r.ok());
        const QByteArray saved = writeWorkspaceYaml(*r.workspace);
        qsizetype last = -1;
        for (const char *section : { "\nversion:", "\ngateway:", "\nadmin:", "\ncapture:", "\ntracing:",
                 "\nupstreams:", "\ntiers:", "\nconsumers:", "\nauth:", "\nroutes:" }) {
            const qsizetype at = saved.indexOf(section);
            QVERIFY2(at > last, section);
            last = at;
        }
        // Defaults are left out: the minimal workspace is short.
        Workspace empty;
        QCOMPARE(writeWorkspaceYaml(empty),
            QByteArray("# Portico workspace file\nversion: 1\n\ngateway:\n"
                       "  listen: 127.0.0.1:8080\n  workers: auto\n\nadmin:\n"
                       "  listen: 127.0.0.1:9080\n\ncapture:\n  database: traffic.db\n"));
    }

    void jsonHasTheSameStructureWithSecretsRedacted()
    {
        const LoadResult r = loadWorkspaceText(m_everyFeature, m_dir.filePath("every.yaml"), m_env);
        QVERIFY(r.ok());
        const QJsonObject json = workspaceToJson(*r.workspace);
        QCOMPARE(json["version"].toInt(), 1);
        QCOMPARE(json["admin"]["token"].toString(), QStringLiteral("[redacted]"));
        QCOMPARE(json["auth"]["idp"]["secret"].toString(), QStringLiteral("${JWT_SECRET}"));
        QCOMPARE(json["auth"]["intro"]["client_secret"].toString(), QStringLiteral("[redacted]"));
        QCOMPARE(json["capture"]["database"].toString(), QStringLiteral("data/traffic.db"));
        QCOMPARE(json["upstreams"]["users"]["targets"][1]["weight"].toInt(), 3);
        QCOMPARE(json["routes"][0]["strip_prefix"].toBool(), true);
        QCOMPARE(json["routes"][0]["timeout"].toString(), QStringLiteral("1500ms"));

        // The JSON reads back as a workspace file: equal but for the redacted secrets.
        const QByteArray text = QJsonDocument(json).toJson();
        const LoadResult back = loadWorkspaceText(text, m_dir.filePath("every.json"), m_env);
        QVERIFY2(back.ok(), qPrintable(dump(back.errors)));
        Workspace expected = *r.workspace;
        expected.admin.token = "[redacted]";
        expected.auth[3].clientSecret = "[redacted]";
        // JSON objects have no order: named maps come back sorted by name.
        KeyValues &headers = expected.routes[0].match.headers;
        std::sort(headers.begin(), headers.end());
        const auto byName = [](const auto &a, const auto &b) { return a.name < b.name; };
        std::sort(expected.upstreams.begin(), expected.upstreams.end(), byName);
        std::sort(expected.auth.begin(), expected.auth.end(), byName);
        QVERIFY(back.workspace->gateway == expected.gateway);
        QVERIFY(back.workspace->admin == expected.admin);
        QVERIFY(back.workspace->capture == expected.capture);
        QVERIFY(back.workspace->upstreams == expected.upstreams);
        QVERIFY(back.workspace->tiers == expected.tiers);
        QVERIFY(back.workspace->consumers == expected.consumers);
        QVERIFY(back.workspace->auth == expected.auth);
        for (int i = 0; i < expected.routes.size(); ++i)
            QVERIFY2(back.workspace->routes[i] == expected.routes[i], qPrintable(expected.routes[i].name));
        QVERIFY(*back.workspace == expected);

        // PUT /config of what GET /config gave: the redacted secrets keep their running values.
        Workspace incoming = *back.workspace;
        restoreRedactedSecrets(incoming, *r.workspace);
        QCOMPARE(incoming.admin.token, QStringLiteral("literal-admin-token"));
        QCOMPARE(incoming.auth[1].clientSecret, QStringLiteral("plain")); // "intro", sorted by name
        QCOMPARE(incoming.auth[0].secret, QStringLiteral("very-secret")); // "idp": was a template
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceWriter)
#include "tst_workspacewriter.moc"
