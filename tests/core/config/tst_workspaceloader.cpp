// One data row per kind of mistake a user can make in a workspace file, each asserting the exact
// line, column and message of every diagnostic the loader reports.
#include "core/config/WorkspaceLoader.h"
#include "WorkspaceMistakeRows.h"

#include <QTemporaryDir>
#include <QTest>

using namespace portico::config;

class TestWorkspaceLoader : public QObject
{
    Q_OBJECT

private:
    static QString examplePath()
    {
        return qEnvironmentVariable("PORTICO_SOURCE_DIR") + "/docs/portico.example.yaml";
    }

    // "LINE:COL: message" per diagnostic, in the order reported; the temporary folder reads "DIR".
    QStringList positioned(const QList<Diagnostic> &errors) const
    {
        QStringList out;
        for (const Diagnostic &d : errors)
            out.append(QStringLiteral("%1:%2: %3")
                           .arg(d.line)
                           .arg(d.column)
                           .arg(d.message)
                           .replace(m_dir.path(), "DIR"));
        return out;
    }

    QTemporaryDir m_dir;

private Q_SLOTS:
    void exampleFileLoads()
    {
        const LoadResult r = loadWorkspaceFile(examplePath(), QProcessEnvironment());
        QVERIFY2(r.ok(), qPrintable(positioned(r.errors).join(u'\n')));
        const Workspace &ws = *r.workspace;
        QCOMPARE(ws.routes.size(), 4);
        QCOMPARE(ws.upstreams.size(), 3);
        QCOMPARE(ws.admin.token, QString()); // ${PORTICO_ADMIN_TOKEN} unset means no token
        QCOMPARE(ws.envTemplates.value("admin.token"), QStringLiteral("${PORTICO_ADMIN_TOKEN}"));
    }

    void mistakes_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QStringList>("expected");

        QTest::newRow("unknown key with hint")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users, methds: [GET]}
    upstream: users
)yaml")
            << QStringList { QStringLiteral(
                   "7:31: unknown key 'methds' in route match (did you mean 'methods'?)") };
        QTest::newRow("unknown top-level key")
            << QByteArrayLiteral(R"yaml(version: 1
gatway:
  listen: 127.0.0.1:8080
)yaml")
            << QStringList { QStringLiteral(
                   "2:1: unknown key 'gatway' in the workspace (did you mean 'gateway'?)") };
        QTest::newRow("unknown key without hint") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    colour: red
)yaml") << QStringList { QStringLiteral("9:5: unknown key 'colour' in route") };
        QTest::newRow("list where a map is expected") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: [/api/users]
    upstream: users
)yaml") << QStringList { QStringLiteral("7:12: 'match' must be a map, not a list") };
        QTest::newRow("map where a string is expected") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: {name: users}
)yaml") << QStringList { QStringLiteral("8:15: 'upstream' must be a string, not a map") };
        QTest::newRow("value where a list is expected") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: http://127.0.0.1:9001
)yaml") << QStringList { QStringLiteral("4:14: 'targets' must be a list, not 'http://127.0.0.1:9001'") };
        QTest::newRow("bad duration") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    timeout: 5x
)yaml") << QStringList { QStringLiteral("9:14: invalid duration '5x' (use e.g. 250ms, 5s, 1m, 2h, 30d)") };
        QTest::newRow("bad size") << QByteArrayLiteral(R"yaml(version: 1
gateway:
  limits:
    max_body_bytes: 10XB
)yaml") << QStringList { QStringLiteral("4:21: invalid size '10XB' (use e.g. 512, 64KiB, 10MiB)") };
        QTest::newRow("bad url") << QByteArrayLiteral(R"yaml(version: 1
auth:
  idp:
    type: jwt
    jwks_url: http://exa mple.com/jwks
)yaml") << QStringList { QStringLiteral("5:15: invalid URL 'http://exa mple.com/jwks'") };
        QTest::newRow("bad regex")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path_regex: '^/api/(\d+$'}
    upstream: users
)yaml")
            << QStringList { QStringLiteral(
                   "7:25: invalid regex '^/api/(\\d+$': missing closing parenthesis at offset 11") };
        QTest::newRow("bad method") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users, methods: [GET, PSOT]}
    upstream: users
)yaml") << QStringList { QStringLiteral("7:46: invalid HTTP method 'PSOT' (did you mean 'POST'?)") };
        QTest::newRow("bad date") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    versions:
      map: {v1: users}
      default: v1
      deprecated:
        v1: {since: 15.01.2026, sunset: 2027-13-01}
)yaml") << QStringList { QStringLiteral("12:21: invalid date '15.01.2026' (use YYYY-MM-DD)"),
                           QStringLiteral("12:41: invalid date '2027-13-01' (use YYYY-MM-DD)") };
        QTest::newRow("unknown upstream") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: userz
)yaml") << QStringList { QStringLiteral("8:15: route 'users' names upstream 'userz', which does not exist") };
        QTest::newRow("unknown auth scheme")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    auth: [keys]
)yaml")
            << QStringList { QStringLiteral(
                   "9:12: route 'users' names auth scheme 'keys', which does not exist") };
        QTest::newRow("unknown tier") << QByteArrayLiteral(R"yaml(version: 1
tiers:
  gold: {rate_limit: {requests: 10, per: 1m}}
consumers:
  - name: alice
    tier: gld
)yaml") << QStringList { QStringLiteral("6:11: consumer 'alice' names tier 'gld', which does not exist") };
        QTest::newRow("unknown group") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    auth: [keys]
    allow_groups: [admns]
auth:
  keys: {type: api_key, header: X-API-Key}
consumers:
  - {name: alice, groups: [admins], api_keys: [k1]}
)yaml") << QStringList { QStringLiteral("10:20: route 'users' allows group 'admns', which no consumer has") };
        QTest::newRow("allow_groups without auth")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    allow_groups: [admins]
consumers:
  - {name: alice, groups: [admins]}
)yaml")
            << QStringList { QStringLiteral(
                   "9:5: route 'users' has allow_groups but no auth (list the schemes in 'auth')") };
        QTest::newRow("route without a destination")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
)yaml")
            << QStringList { QStringLiteral(
                   "6:5: route 'users' has none of upstream, versions, aggregate, mock") };
        QTest::newRow("route with two destinations") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    mock: {status: 204}
)yaml") << QStringList { QStringLiteral("9:5: route 'users' has both 'upstream' and 'mock' (use one)") };
        QTest::newRow("duplicate route name") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
  - name: users
    match: {path: /api/people}
    upstream: users
)yaml") << QStringList { QStringLiteral("9:11: duplicate route name 'users'") };
        QTest::newRow("duplicate consumer") << QByteArrayLiteral(R"yaml(version: 1
consumers:
  - name: alice
  - name: alice
)yaml") << QStringList { QStringLiteral("4:11: duplicate consumer 'alice'") };
        QTest::newRow("api key used twice") << QByteArrayLiteral(R"yaml(version: 1
consumers:
  - {name: alice, api_keys: [k1]}
  - {name: bob, api_keys: [k2, k1]}
)yaml") << QStringList { QStringLiteral("4:32: api key 'k1' is used twice (also by consumer 'alice')") };
        QTest::newRow("duplicate upstream") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
  users:
    targets: [{url: http://127.0.0.1:9002}]
)yaml") << QStringList { QStringLiteral("5:3: duplicate upstream 'users'") };
        QTest::newRow("duplicate key") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    upstream: users
    timeout: 5s
    timeout: 6s
)yaml") << QStringList { QStringLiteral("10:5: duplicate key 'timeout' in route") };
        QTest::newRow("versions without default") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    versions:
      map: {v1: users}
)yaml") << QStringList { QStringLiteral("8:5: route 'users' versions have no default") };
        QTest::newRow("default version not in map") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    versions:
      map: {v1: users}
      default: v2
)yaml") << QStringList { QStringLiteral("10:16: default version 'v2' is not in the version map") };
        QTest::newRow("deprecated version not in map") << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    versions:
      map: {v1: users}
      default: v1
      deprecated:
        v0: {link: https://docs.example.com/v0}
)yaml") << QStringList { QStringLiteral("12:9: deprecated version 'v0' is not in the version map") };
        QTest::newRow("version maps to unknown upstream")
            << QByteArrayLiteral(R"yaml(version: 1
upstreams:
  users:
    targets: [{url: http://127.0.0.1:9001}]
routes:
  - name: users
    match: {path: /api/users}
    versions:
      map: {v1: users, v2: users-v2}
      default: v1
)yaml")
            << QStringList { QStringLiteral(
                   "9:28: route 'users' maps version 'v2' to upstream 'users-v2', which does not exist") };
        addValueMistakeRows();
    }

    void mistakes()
    {
        QFETCH(QByteArray, text);
        QFETCH(QStringList, expected);
        const QString file = m_dir.filePath("workspace.yaml");
        const LoadResult r = loadWorkspaceText(text, file, QProcessEnvironment());
        QCOMPARE(positioned(r.errors).join(u'\n'), expected.join(u'\n'));
        QVERIFY(!r.ok());
        QVERIFY(!r.workspace);
        for (const Diagnostic &d : r.errors) {
            QCOMPARE(d.file, file);
            QVERIFY(d.toString().startsWith(
                QStringLiteral("%1:%2:%3: error: ").arg(file).arg(d.line).arg(d.column)));
        }
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceLoader)
#include "tst_workspaceloader.moc"
