// Rename with references (core/config/Renames): renaming an upstream, a tier or an auth scheme
// renames every place that names it, and nothing else; the result still validates and writes
// back with the new names.
#include "core/config/Renames.h"
#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"
#include "core/filters/auth/AuthConfig.h"

#include <QTest>

using namespace portico;
using namespace portico::config;

namespace {

// The URLs are ordinary literals: moc reads a `//` inside a raw string as a comment.
const char kWorkspace[] = "version: 1\n"
                          "upstreams:\n"
                          "  users: {targets: [\"http://127.0.0.1:9001\"]}\n"
                          "  orders: {targets: [\"http://127.0.0.1:9003\"]}\n"
                          "  usersx: {targets: [\"http://127.0.0.1:9005\"]}\n"
                          R"(tiers:
  basic:
  metered: {rate_limit: {requests: 5, per: 1s, by: ip}}
consumers:
  - {name: alice, tier: metered, api_keys: [k1]}
  - {name: bob, tier: basic, api_keys: [k2]}
  - {name: carol, api_keys: [k3]}
auth:
  keys: {type: api_key, query: apikey}
  idp: {type: jwt, algorithms: [HS256], secret: "${JWT_SECRET}"}
  idp2: {type: jwt, algorithms: [HS256], secret: "${OTHER_SECRET}"}
routes:
  - name: versioned
    match: {path: /api}
    versions: {by: header, header: Accept-Version, map: {"1": users, "2": orders}, default: "2"}
    auth: [keys, idp]
  - {name: plain, match: {path: /users}, upstream: users, auth: idp2}
  - {name: other, match: {path: /x}, upstream: usersx}
  - name: fanout
    match: {path_exact: /dash}
    aggregate:
      - {key: u, upstream: users, path: /me}
      - {key: o, upstream: orders, path: /recent}
)";

Workspace sample()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("JWT_SECRET"), QStringLiteral("s3cret-s3cret-s3cret-s3cret-s3cret"));
    env.insert(QStringLiteral("OTHER_SECRET"), QStringLiteral("other-other-other-other-other-other"));
    const LoadResult r = loadWorkspaceText(kWorkspace, QStringLiteral("/tmp/renames.yaml"), env);
    if (!r.ok())
        qFatal("sample does not load: %s", qPrintable(r.errors.value(0).toString()));
    return *r.workspace;
}

int indexOfUpstream(const Workspace &ws, const QString &name)
{
    for (int i = 0; i < int(ws.upstreams.size()); ++i) {
        if (ws.upstreams[i].name == name)
            return i;
    }
    return -1;
}

int indexOfAuth(const Workspace &ws, const QString &name)
{
    for (int i = 0; i < int(ws.auth.size()); ++i) {
        if (ws.auth[i].name == name)
            return i;
    }
    return -1;
}

} // namespace

class TestRenames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void upstreamRenameFollowsRoutesVersionsAndAggregates()
    {
        Workspace ws = sample();
        const int users = indexOfUpstream(ws, QStringLiteral("users"));
        QVERIFY(users >= 0);
        renameUpstream(ws, users, QStringLiteral("people"));
        QCOMPARE(ws.upstreams[users].name, QStringLiteral("people"));
        QCOMPARE(ws.routes[1].upstream, QStringLiteral("people"));
        QVERIFY(ws.routes[0].versions);
        for (const auto &entry : ws.routes[0].versions->map) {
            if (entry.first == u"1")
                QCOMPARE(entry.second, QStringLiteral("people"));
            else
                QCOMPARE(entry.second, QStringLiteral("orders"));
        }
        QCOMPARE(ws.routes[3].aggregate[0].upstream, QStringLiteral("people"));
        QCOMPARE(ws.routes[3].aggregate[1].upstream, QStringLiteral("orders"));
        // A name that only starts with the old one is another upstream.
        QCOMPARE(ws.routes[2].upstream, QStringLiteral("usersx"));
        QCOMPARE(validateWorkspace(ws), QList<Diagnostic>());
    }

    void tierRenameFollowsConsumers()
    {
        Workspace ws = sample();
        int metered = -1;
        for (int i = 0; i < int(ws.tiers.size()); ++i) {
            if (ws.tiers[i].name == u"metered")
                metered = i;
        }
        QVERIFY(metered >= 0);
        renameTier(ws, metered, QStringLiteral("paid"));
        QCOMPARE(ws.tiers[metered].name, QStringLiteral("paid"));
        QCOMPARE(ws.consumers[0].tier, QStringLiteral("paid"));
        QCOMPARE(ws.consumers[1].tier, QStringLiteral("basic"));
        QVERIFY(ws.consumers[2].tier.isEmpty());
        QCOMPARE(validateWorkspace(ws), QList<Diagnostic>());
    }

    void authSchemeRenameFollowsRoutesAndItsSecretTemplates()
    {
        Workspace ws = sample();
        const int idp = indexOfAuth(ws, QStringLiteral("idp"));
        QVERIFY(idp >= 0);
        QCOMPARE(ws.envTemplates.value(QStringLiteral("auth.idp.secret")), QStringLiteral("${JWT_SECRET}"));
        renameAuthScheme(ws, idp, QStringLiteral("sso"));
        QCOMPARE(ws.auth[idp].name, QStringLiteral("sso"));
        QCOMPARE(ws.routes[0].filters.value<AuthConfig>().schemes, QStringList({ QStringLiteral("keys"), QStringLiteral("sso") }));
        // idp2 starts with "idp" but is another scheme: its route and its secret stay.
        QCOMPARE(ws.routes[1].filters.value<AuthConfig>().schemes, QStringList({ QStringLiteral("idp2") }));
        QVERIFY(!ws.envTemplates.contains(QStringLiteral("auth.idp.secret")));
        QCOMPARE(ws.envTemplates.value(QStringLiteral("auth.sso.secret")), QStringLiteral("${JWT_SECRET}"));
        QCOMPARE(
            ws.envTemplates.value(QStringLiteral("auth.idp2.secret")), QStringLiteral("${OTHER_SECRET}"));
        QCOMPARE(validateWorkspace(ws), QList<Diagnostic>());
        // Written back, the secret is still the ${ENV} reference, under the new name.
        const QByteArray yaml = writeWorkspaceYaml(ws);
        QVERIFY2(yaml.contains("${JWT_SECRET}"), yaml.constData());
        QVERIFY2(!yaml.contains("s3cret"), yaml.constData());
    }

    // Hostile names (what a user may type in a form): kept verbatim, references follow exactly.
    void oddNamesAreTakenVerbatim()
    {
        const QStringList names { QStringLiteral("a b"), QStringLiteral("é-ü"), QStringLiteral("x.y"),
            QStringLiteral("${NOT_ENV}"), QStringLiteral("\"quoted\"") };
        for (const QString &name : names) {
            Workspace ws = sample();
            const int users = indexOfUpstream(ws, QStringLiteral("users"));
            renameUpstream(ws, users, name);
            QCOMPARE(ws.routes[1].upstream, name);
            QCOMPARE(ws.routes[3].aggregate[0].upstream, name);
            const int idp = indexOfAuth(ws, QStringLiteral("idp"));
            renameAuthScheme(ws, idp, name);
            QCOMPARE(ws.routes[0].filters.value<AuthConfig>().schemes.value(1), name);
            QCOMPARE(ws.envTemplates.value(QStringLiteral("auth.") + name + QStringLiteral(".secret")),
                QStringLiteral("${JWT_SECRET}"));
        }
    }
};

QTEST_MAIN(TestRenames)
#include "tst_renames.moc"
