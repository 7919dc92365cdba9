// Route::filters (FilterConfigs): a value with copy-on-write configs, equal when only empty configs
// differ; and the config side of the filter registry: its order, keys that no two owners share,
// and a route written back with its filter keys in that order.
#include "core/config/FilterConfigRegistry.h"
#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"
#include "core/filters/acl/AclConfig.h"
#include "core/filters/transform/TransformConfig.h"

#include <QSet>
#include <QTest>

using namespace portico::config;

class TestFilterConfigs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void editingACopyLeavesTheOriginal()
    {
        Route a;
        a.filters.edit<AuthConfig>().schemes = { QStringLiteral("keys") };
        const Route b = a;
        Route c = a;
        c.filters.edit<AuthConfig>().schemes.append(QStringLiteral("idp"));
        QCOMPARE(a.filters.value<AuthConfig>().schemes, QStringList { QStringLiteral("keys") });
        QCOMPARE(c.filters.value<AuthConfig>().schemes, (QStringList { "keys", "idp" }));
        QVERIFY(a == b);
        QVERIFY(!(a == c));
        // Editing the only holder changes it in place.
        const AuthConfig *before = c.filters.get<AuthConfig>();
        c.filters.edit<AuthConfig>().hideCredentials = true;
        QCOMPARE(c.filters.get<AuthConfig>(), before);
    }

    void anEmptyConfigEqualsNone()
    {
        const Route none;
        Route empty;
        empty.filters.edit<AclConfig>();
        empty.filters.edit<TransformConfig>();
        empty.filters.edit<RateLimitConfig>().limit = std::nullopt;
        QVERIFY(empty == none);
        QVERIFY(none == empty);
        QVERIFY(none.filters.get<AclConfig>() == nullptr);
        QVERIFY(none.filters.value<AclConfig>().allowGroups.isEmpty());

        Route hidden;
        hidden.filters.edit<AuthConfig>().hideCredentials = true;
        QVERIFY(!(hidden == none));
        hidden.filters.remove<AuthConfig>();
        QVERIFY(hidden == none);
    }

    void registryOrderAndKeys()
    {
        QStringList names;
        QSet<QString> keys;
        const QSet<QString> routeOwn { "name", "match", "upstream", "versions", "aggregate", "mock",
            "strip_prefix", "timeout" };
        for (const FilterConfigType &type : filterConfigTypes()) {
            names.append(QString(type.name));
            for (const QString &key : *type.routeKeys) {
                QVERIFY2(!keys.contains(key), qPrintable(key));
                QVERIFY2(!routeOwn.contains(key), qPrintable(key));
                keys.insert(key);
                QCOMPARE(filterConfigTypeForKey(key), &type);
            }
        }
        QCOMPARE(names, (QStringList { "auth", "acl", "rate_limit", "transform" }));
        QCOMPARE(filterConfigTypeForKey(QStringLiteral("upstream")), nullptr);
    }

    void filterKeysAreWrittenInRegistryOrder()
    {
        // Keys in the reverse of the written order: the writer puts them in registry order.
        const QByteArray yaml = R"(
upstreams:
  u:
    targets: [http://127.0.0.1:9]
auth:
  keys: {type: api_key, header: X-API-Key}
consumers:
  - {name: a, groups: [admins], api_keys: [k1]}
routes:
  - name: r
    timeout: 5s
    response: {headers: {remove: [Server]}}
    request: {headers: {set: {X-A: "1"}}}
    rate_limit: {requests: 5, per: 1m}
    allow_groups: [admins]
    hide_credentials: true
    auth: [keys]
    upstream: u
    match: {path: /r}
)";
        const LoadResult loaded = loadWorkspaceText(yaml, QStringLiteral("order.yaml"), {});
        QVERIFY2(loaded.ok(), loaded.errors.isEmpty() ? "" : qPrintable(loaded.errors.first().toString()));
        const QByteArray written = writeWorkspaceYaml(*loaded.workspace);
        qsizetype at = 0;
        for (const char *key : { "auth:", "hide_credentials:", "allow_groups:", "rate_limit:", "request:",
                 "response:", "timeout:" }) {
            const qsizetype next = written.indexOf(QByteArray("    ") + key, at);
            QVERIFY2(next > at, key);
            at = next;
        }
        const LoadResult again = loadWorkspaceText(written, QStringLiteral("order.yaml"), {});
        QVERIFY(again.ok());
        QVERIFY(*again.workspace == *loaded.workspace);
    }
};

QTEST_GUILESS_MAIN(TestFilterConfigs)
#include "tst_filterconfigs.moc"
