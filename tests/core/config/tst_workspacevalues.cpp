// The value forms of the workspace file (durations, sizes, listeners, ${ENV}), JSON input, several
// mistakes in one file, and validateWorkspace() on a model built in memory.
#include "core/config/ValueFormats.h"
#include "core/config/WorkspaceLoader.h"

#include <QTemporaryDir>
#include <QTest>

using namespace portico::config;

Q_DECLARE_METATYPE(std::optional<qint64>)

class TestWorkspaceValues : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static QStringList positioned(const QList<Diagnostic> &errors)
    {
        QStringList out;
        for (const Diagnostic &d : errors)
            out.append(QStringLiteral("%1:%2: %3").arg(d.line).arg(d.column).arg(d.message));
        return out;
    }

    static QProcessEnvironment env(std::initializer_list<std::pair<const char *, const char *>> vars)
    {
        QProcessEnvironment e;
        for (const auto &[name, value] : vars)
            e.insert(QString::fromLatin1(name), QString::fromUtf8(value));
        return e;
    }

private Q_SLOTS:
    void durations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms"); // -1 = rejected
        QTest::addColumn<QString>("canonical");
        QTest::newRow("ms") << "250ms" << 250LL << "250ms";
        QTest::newRow("s") << "5s" << 5000LL << "5s";
        QTest::newRow("m") << "1m" << 60000LL << "1m";
        QTest::newRow("h") << "2h" << 7200000LL << "2h";
        QTest::newRow("d") << "30d" << 2592000000LL << "30d";
        QTest::newRow("zero") << "0" << 0LL << "0s";
        QTest::newRow("90s reads as 90s") << "90s" << 90000LL << "90s";
        QTest::newRow("60s is 1m") << "60s" << 60000LL << "1m";
        QTest::newRow("1500ms") << "1500ms" << 1500LL << "1500ms";
        QTest::newRow("no unit") << "5" << -1LL << "";
        QTest::newRow("unknown unit") << "5x" << -1LL << "";
        QTest::newRow("fraction") << "1.5s" << -1LL << "";
        QTest::newRow("negative") << "-5s" << -1LL << "";
        QTest::newRow("empty") << "" << -1LL << "";
        QTest::newRow("space inside") << "5 s" << -1LL << "";
    }

    void durations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        QFETCH(QString, canonical);
        const auto d = parseDuration(text);
        QCOMPARE(d.has_value(), ms >= 0);
        if (d) {
            QCOMPARE(d->count(), ms);
            QCOMPARE(formatDuration(*d), canonical);
            QCOMPARE(parseDuration(canonical), d);
        }
    }

    void sizes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes"); // -1 = rejected
        QTest::addColumn<QString>("canonical");
        QTest::newRow("bytes") << "512" << 512LL << "512";
        QTest::newRow("KiB") << "64KiB" << 65536LL << "64KiB";
        QTest::newRow("MiB") << "10MiB" << 10485760LL << "10MiB";
        QTest::newRow("GiB") << "1GiB" << 1073741824LL << "1GiB";
        QTest::newRow("KB") << "64KB" << 65536LL << "64KiB";
        QTest::newRow("MB") << "1MB" << 1048576LL << "1MiB";
        QTest::newRow("GB") << "2GB" << 2147483648LL << "2GiB";
        QTest::newRow("K") << "8K" << 8192LL << "8KiB";
        QTest::newRow("M") << "3M" << 3145728LL << "3MiB";
        QTest::newRow("G") << "1G" << 1073741824LL << "1GiB";
        QTest::newRow("B") << "100B" << 100LL << "100";
        QTest::newRow("1536 stays bytes-exact") << "1536" << 1536LL << "1536";
        QTest::newRow("1024 is 1KiB") << "1024" << 1024LL << "1KiB";
        QTest::newRow("zero") << "0" << 0LL << "0";
        QTest::newRow("unknown unit") << "10XB" << -1LL << "";
        QTest::newRow("fraction") << "1.5MiB" << -1LL << "";
        QTest::newRow("negative") << "-1" << -1LL << "";
        QTest::newRow("empty") << "" << -1LL << "";
    }

    void sizes()
    {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        QFETCH(QString, canonical);
        const auto s = parseSize(text);
        QCOMPARE(s.has_value(), bytes >= 0);
        if (s) {
            QCOMPARE(*s, bytes);
            QCOMPARE(formatSize(*s), canonical);
            QCOMPARE(parseSize(canonical), s);
        }
    }

    void listeners_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("host"); // empty = rejected
        QTest::addColumn<int>("port");
        QTest::newRow("ipv4") << "127.0.0.1:8080"
                              << "127.0.0.1" << 8080;
        QTest::newRow("name") << "localhost:80"
                              << "localhost" << 80;
        QTest::newRow("any") << "0.0.0.0:8443"
                             << "0.0.0.0" << 8443;
        QTest::newRow("ipv6") << "[::1]:8080"
                              << "::1" << 8080;
        QTest::newRow("port 0 = any free port") << "127.0.0.1:0"
                                                << "127.0.0.1" << 0;
        QTest::newRow("no port") << "localhost"
                                 << "" << 0;
        QTest::newRow("no host") << ":8080"
                                 << "" << 0;
        QTest::newRow("port too big") << "127.0.0.1:70000"
                                      << "" << 0;
        QTest::newRow("port not a number") << "127.0.0.1:http"
                                           << "" << 0;
        QTest::newRow("ipv6 without brackets") << "::1:8080"
                                               << "" << 0;
        QTest::newRow("url") << "http://127.0.0.1:8080"
                             << "" << 0;
    }

    void listeners()
    {
        QFETCH(QString, text);
        QFETCH(QString, host);
        QFETCH(int, port);
        const auto hp = parseHostPort(text);
        QCOMPARE(hp.has_value(), !host.isEmpty());
        if (hp) {
            QCOMPARE(hp->host, host);
            QCOMPARE(int(hp->port), port);
            QCOMPARE(hp->toString(), text);
        }
    }

    void listenListAndWorkers()
    {
        const QByteArray text = "version: 1\n"
                                "gateway:\n"
                                "  listen: [127.0.0.1:8080, '[::1]:8081']\n"
                                "  workers: 4\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.yaml"), QProcessEnvironment());
        QVERIFY2(r.ok(), qPrintable(positioned(r.errors).join(u'\n')));
        QCOMPARE(r.workspace->gateway.listen.size(), 2);
        QCOMPARE(r.workspace->gateway.listen[1], (HostPort { "::1", 8081 }));
        QCOMPARE(r.workspace->gateway.workers, 4);
        QCOMPARE(r.workspace->gateway.listen[0].toString(), QStringLiteral("127.0.0.1:8080"));
    }

    void emptySectionsAreDefaults()
    {
        const LoadResult r = loadWorkspaceText(
            "version: 1\ngateway:\nroutes:\nconsumers:\n", m_dir.filePath("ws.yaml"), QProcessEnvironment());
        QVERIFY2(r.ok(), qPrintable(positioned(r.errors).join(u'\n')));
        QCOMPARE(r.workspace->gateway, GatewaySettings {});
        QVERIFY(r.workspace->routes.isEmpty());
    }

    void closestMatches()
    {
        QCOMPARE(closestMatch("methds", { "path", "methods", "hosts" }), QStringLiteral("methods"));
        QCOMPARE(closestMatch("PSOT", { "GET", "POST", "PUT" }), QStringLiteral("POST"));
        QCOMPARE(closestMatch("colour", { "name", "match", "upstream" }), QString());
        QCOMPARE(levenshtein("kitten", "sitting"), 3);
    }

    void envExpansion()
    {
        const QByteArray text = "version: 1\n"
                                "admin:\n"
                                "  listen: 127.0.0.1:${ADMIN_PORT}\n"
                                "  token: ${TOKEN}\n"
                                "upstreams:\n"
                                "  api:\n"
                                "    targets: [{url: 'http://${API_HOST}:9001'}]\n"
                                "auth:\n"
                                "  idp: {type: jwt, secret: '${JWT_SECRET}'}\n"
                                "routes:\n"
                                "  - {name: r, match: {path: /}, upstream: api}\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.yaml"),
            env({ { "ADMIN_PORT", "9555" }, { "TOKEN", "s3cret" }, { "API_HOST", "10.0.0.7" },
                { "JWT_SECRET", "k" } }));
        QVERIFY2(r.ok(), qPrintable(positioned(r.errors).join(u'\n')));
        const Workspace &ws = *r.workspace;
        QCOMPARE(ws.admin.listen.port, quint16(9555));
        QCOMPARE(ws.admin.token, QStringLiteral("s3cret"));
        QCOMPARE(ws.upstreams[0].targets[0].url, QUrl("http://10.0.0.7:9001"));
        QCOMPARE(ws.auth[0].secret, QStringLiteral("k"));
        QCOMPARE(ws.envTemplates.value("admin.listen"), QStringLiteral("127.0.0.1:${ADMIN_PORT}"));
        QCOMPARE(ws.envTemplates.value("admin.token"), QStringLiteral("${TOKEN}"));
        QCOMPARE(
            ws.envTemplates.value("upstreams.api.targets[0].url"), QStringLiteral("http://${API_HOST}:9001"));
        QCOMPARE(ws.envTemplates.value("auth.idp.secret"), QStringLiteral("${JWT_SECRET}"));
        QCOMPARE(ws.envTemplates.size(), 4);
    }

    void envEscape()
    {
        const QByteArray text
            = "version: 1\n"
              "routes:\n"
              "  - {name: m, match: {path: /}, mock: {body: 'Hello $${name} from ${WHO}'}}\n";
        const LoadResult r
            = loadWorkspaceText(text, m_dir.filePath("ws.yaml"), env({ { "WHO", "portico" } }));
        QVERIFY2(r.ok(), qPrintable(positioned(r.errors).join(u'\n')));
        QCOMPARE(r.workspace->routes[0].mock->body, QStringLiteral("Hello ${name} from portico"));
        QCOMPARE(r.workspace->envTemplates.value("routes[0].mock.body"),
            QStringLiteral("Hello $${name} from ${WHO}"));
    }

    void envUnsetSecretsAreEmpty()
    {
        // admin.token and the auth secrets may be left unset (no token; a secret set at run time);
        // a jwt scheme whose only key source is an unset ${SECRET} is still configured.
        const QByteArray text
            = "version: 1\n"
              "admin: {token: '${NO_SUCH_TOKEN}'}\n"
              "auth:\n"
              "  idp: {type: jwt, secret: '${NO_SUCH_SECRET}'}\n"
              "  intro: {type: oauth2_introspection, url: 'http://127.0.0.1:1/i', client_secret: "
              "'${NO_SUCH_CLIENT_SECRET}'}\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.yaml"), QProcessEnvironment());
        QVERIFY2(r.ok(), qPrintable(positioned(r.errors).join(u'\n')));
        QCOMPARE(r.workspace->admin.token, QString());
        QCOMPARE(r.workspace->auth[0].secret, QString());
        QCOMPARE(r.workspace->auth[1].clientSecret, QString());
    }

    void envUnsetElsewhereIsAnError()
    {
        const QByteArray text = "version: 1\n"
                                "capture:\n"
                                "  database: ${DATA_DIR}/traffic.db\n"
                                "  max_body_bytes: ${BODY_LIMIT}\n";
        const LoadResult r
            = loadWorkspaceText(text, m_dir.filePath("ws.yaml"), env({ { "DATA_DIR", "/var/x" } }));
        QCOMPARE(positioned(r.errors), QStringList { "4:19: environment variable 'BODY_LIMIT' is not set" });
        const LoadResult ok = loadWorkspaceText(
            text, m_dir.filePath("ws.yaml"), env({ { "DATA_DIR", "/var/x" }, { "BODY_LIMIT", "2MiB" } }));
        QVERIFY(ok.ok());
        QCOMPARE(ok.workspace->capture.database, QStringLiteral("/var/x/traffic.db"));
        QCOMPARE(ok.workspace->capture.maxBodyBytes, 2 * 1024 * 1024);
    }

    void threeMistakes()
    {
        const QByteArray text = "version: 1\n"
                                "upstreams:\n"
                                "  users:\n"
                                "    targets: [{url: http://127.0.0.1:9001}]\n"
                                "routes:\n"
                                "  - name: users\n"
                                "    match: {path: /api/users, methds: [GET]}\n"
                                "    upstream: userz\n"
                                "    timeout: 5x\n";
        const QString file = m_dir.filePath("three.yaml");
        const LoadResult r = loadWorkspaceText(text, file, QProcessEnvironment());
        QStringList lines;
        for (const Diagnostic &d : r.errors)
            lines.append(d.toString());
        QCOMPARE(lines,
            (QStringList {
                file + ":7:31: error: unknown key 'methds' in route match (did you mean 'methods'?)",
                file + ":8:15: error: route 'users' names upstream 'userz', which does not exist",
                file + ":9:14: error: invalid duration '5x' (use e.g. 250ms, 5s, 1m, 2h, 30d)",
            }));
        QCOMPARE(r.errors[1].path, QStringLiteral("routes[0].upstream"));
        QCOMPARE(r.errors[0].path, QStringLiteral("routes[0].match.methds"));
    }

    void jsonInput()
    {
        const QByteArray text = "{\n"
                                "  \"version\": 1,\n"
                                "  \"upstreams\": {\"api\": {\"targets\": [{\"url\": "
                                "\"http://127.0.0.1:9001\", \"weight\": 2}]}},\n"
                                "  \"routes\": [\n"
                                "    {\"name\": \"r\", \"match\": {\"path\": \"/api\"}, \"upstream\": "
                                "\"api\", \"timeout\": \"5s\",\n"
                                "     \"strip_prefix\": true}\n"
                                "  ]\n"
                                "}\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.json"), QProcessEnvironment());
        QVERIFY2(r.ok(), qPrintable(positioned(r.errors).join(u'\n')));
        QCOMPARE(r.workspace->upstreams[0].targets[0].weight, 2);
        QCOMPARE(r.workspace->routes[0].timeout, std::optional<Duration>(Duration { 5000 }));
        QVERIFY(r.workspace->routes[0].stripPrefix);
    }

    void jsonMistakeHasPosition()
    {
        const QByteArray text
            = "{\n"
              "  \"version\": 1,\n"
              "  \"routes\": [{\"name\": \"r\", \"match\": {\"path\": \"/\"}, \"upstream\": \"nope\"}]\n"
              "}\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.json"), QProcessEnvironment());
        QCOMPARE(positioned(r.errors),
            QStringList { "3:64: route 'r' names upstream 'nope', which does not exist" });
    }

    void jsonSyntaxError()
    {
        // JSON's own rules (no trailing comma) hold for .json files, with the position of the fault.
        const QByteArray text = "{\n  \"version\": 1,\n}\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.json"), QProcessEnvironment());
        QCOMPARE(r.errors.size(), 1);
        QCOMPARE(r.errors[0].line, 3);
        QCOMPARE(r.errors[0].column, 1);
        QVERIFY2(r.errors[0].message.startsWith("invalid JSON: "), qPrintable(r.errors[0].message));
    }

    void unreadableFile()
    {
        const QString missing = m_dir.filePath("does-not-exist.yaml");
        const LoadResult r = loadWorkspaceFile(missing, QProcessEnvironment());
        QVERIFY(!r.ok());
        QCOMPARE(r.errors.size(), 1);
        QVERIFY(r.errors[0].toString().startsWith(missing + ": error: cannot read the file"));
    }

    void relativePathsAndExistingFiles()
    {
        QVERIFY(QDir(m_dir.path()).mkpath("mocks"));
        QFile body(m_dir.filePath("mocks/ok.json"));
        QVERIFY(body.open(QIODevice::WriteOnly));
        body.write("{}");
        body.close();
        const QByteArray text
            = "version: 1\n"
              "routes:\n"
              "  - {name: m, match: {path: /}, mock: {body_file: mocks/ok.json, delay: 200ms}}\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.yaml"), QProcessEnvironment());
        QVERIFY2(r.ok(), qPrintable(positioned(r.errors).join(u'\n')));
        QCOMPARE(r.workspace->routes[0].mock->bodyFile, QStringLiteral("mocks/ok.json"));
        QCOMPARE(r.workspace->resolvePath("mocks/ok.json"), m_dir.filePath("mocks/ok.json"));
        QCOMPARE(r.workspace->resolvePath(r.workspace->capture.database), m_dir.filePath("traffic.db"));
        QCOMPARE(r.workspace->baseDir(), m_dir.path());
    }

    void validateInMemoryModel()
    {
        Workspace ws;
        Upstream api;
        api.name = "api";
        api.targets = { Target { QUrl("http://127.0.0.1:9001"), 1 } };
        ws.upstreams = { api };
        Route route;
        route.name = "r";
        route.upstream = "apx";
        route.match.methods = { "FETCH" };
        ws.routes = { route };
        QVERIFY(ws.findUpstream("api"));
        QVERIFY(!ws.findUpstream("apx"));
        const QList<Diagnostic> d = validateWorkspace(ws);
        QCOMPARE(d.size(), 2);
        QCOMPARE(d[0].path, QStringLiteral("routes[0].match.methods[0]"));
        QCOMPARE(d[0].message, QStringLiteral("invalid HTTP method 'FETCH' (did you mean 'PATCH'?)"));
        QCOMPARE(d[1].path, QStringLiteral("routes[0].upstream"));
        QCOMPARE(d[1].line, 0);
        QCOMPARE(d[1].toString(),
            QStringLiteral("routes[0].upstream: error: route 'r' names upstream 'apx', which does "
                           "not exist"));
        ws.routes[0].upstream = "api";
        ws.routes[0].match.methods = { "GET" };
        QVERIFY(validateWorkspace(ws).isEmpty());
    }

    // Values that would overflow a 64-bit count (or make a limit meaningless) are config errors
    // with their position, never a wrapped-around number.
    void hugeSizesAndDurationsAreRefused()
    {
        const QByteArray text
            = "version: 1\n"
              "gateway:\n"
              "  limits: {max_body_bytes: 999999999999999G, idle_timeout: 999999999999999d}\n"
              "capture: {max_body_bytes: 99999999999999999999, retention: {max_age: 36501d}}\n"
              "consumers:\n"
              "  - {name: \"eve\\r\\nX-Consumer-Groups: admins\", groups: [\"a\\nb\", \"c,d\"]}\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.yaml"), QProcessEnvironment());
        QCOMPARE(positioned(r.errors),
            (QStringList { "3:28: size '999999999999999G' is too large (at most 1024GiB)",
                "3:60: duration '999999999999999d' is too large (at most 100 years)",
                "4:27: size '99999999999999999999' is too large (at most 1024GiB)",
                "4:70: duration '36501d' is too large (at most 100 years)",
                "6:12: a consumer name must not contain control characters",
                "6:57: a group must not contain commas or control characters",
                "6:65: a group must not contain commas or control characters" }));
        QCOMPARE(parseSize(u"1024GiB"), std::optional<qint64>(qint64(1) << 40));
        QCOMPARE(parseSize(u"1025GiB"), std::nullopt);
    }

    void allProblemsInOnePass()
    {
        // Mistakes in different sections are all reported, sorted by position.
        const QByteArray text = "version: 1\n"
                                "gateway: {listen: nowhere}\n"
                                "capture: {max_body_bytes: lots}\n"
                                "tracing: {propagation: [jaeger]}\n"
                                "consumers:\n"
                                "  - {name: a, tier: none}\n";
        const LoadResult r = loadWorkspaceText(text, m_dir.filePath("ws.yaml"), QProcessEnvironment());
        QCOMPARE(positioned(r.errors),
            (QStringList {
                "2:19: invalid listener 'nowhere' (use host:port, e.g. 127.0.0.1:8080 or [::1]:8080)",
                "3:27: invalid size 'lots' (use e.g. 512, 64KiB, 10MiB)",
                "4:25: unknown tracing propagation 'jaeger' (use w3c, b3)",
                "6:21: consumer 'a' names tier 'none', which does not exist" }));
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceValues)
#include "tst_workspacevalues.moc"
