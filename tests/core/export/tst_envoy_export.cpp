#include "SampleWorkspace.h"
#include "core/export/Exporter.h"

#include <QSet>
#include <QTest>

#include <yaml-cpp/yaml.h>

using namespace portico::exporter;
using namespace portico::exporter::test;

// Envoy has no validator on this machine: the bootstrap is checked against the documented shape
// of the v3 API (typed configs carry @type, routes name existing clusters, durations are "Ns").
class TstEnvoyExport : public QObject
{
    Q_OBJECT

private:
    static std::string str(const YAML::Node &n) { return n.as<std::string>(); }

    // Every typed_config in the tree names a v3 Envoy type; every duration-like value ends in "s".
    static void walk(const YAML::Node &n, const std::string &key, QStringList &problems)
    {
        if (n.IsMap()) {
            if (key == "typed_config" || key == "envoy.filters.http.jwt_authn"
                || key == "envoy.filters.http.local_ratelimit") {
                if (!n["@type"] || str(n["@type"]).rfind("type.googleapis.com/envoy.", 0) != 0)
                    problems << QStringLiteral("%1 without a v3 @type").arg(QString::fromStdString(key));
            }
            for (const auto &kv : n)
                walk(kv.second, kv.first.as<std::string>(), problems);
        } else if (n.IsSequence()) {
            for (const YAML::Node &item : n)
                walk(item, key, problems);
        } else if (n.IsScalar()) {
            static const QSet<QString> durations { "timeout", "interval", "connect_timeout", "fill_interval",
                "idle_timeout", "request_headers_timeout", "cache_duration" };
            const QString v = QString::fromStdString(n.Scalar());
            if (durations.contains(QString::fromStdString(key)) && !v.endsWith(u's'))
                problems << QStringLiteral("%1: %2 is not a protobuf duration")
                                .arg(QString::fromStdString(key), v);
        }
    }

    static YAML::Node byName(const YAML::Node &list, const std::string &name)
    {
        for (const YAML::Node &n : list) {
            if (n["name"] && str(n["name"]) == name)
                return n;
        }
        const YAML::Node none = YAML::Load("{}");
        return none["missing"]; // an undefined node: false in a condition
    }

private Q_SLOTS:
    void bootstrapHasTheDocumentedShape()
    {
        const ExportResult r = exportWorkspace(sampleWorkspace(), QStringLiteral("envoy"));
        QCOMPARE(r.suggestedFileName, QStringLiteral("envoy.yaml"));
        QCOMPARE(exportWorkspace(sampleWorkspace(), QStringLiteral("envoy")).text, r.text);
        const YAML::Node doc = YAML::Load(r.text.toStdString());
        QCOMPARE(doc.size(), std::size_t(1));
        const YAML::Node res = doc["static_resources"];
        QStringList problems;
        walk(doc, "", problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));

        QSet<std::string> clusters;
        for (const YAML::Node &c : res["clusters"]) {
            QVERIFY(c["name"] && c["type"] && c["connect_timeout"] && c["load_assignment"]);
            QCOMPARE(str(c["load_assignment"]["cluster_name"]), str(c["name"]));
            clusters.insert(str(c["name"]));
        }
        QVERIFY(clusters.contains("jwks_idp"));
        const YAML::Node v1 = byName(res["clusters"], "users-v1");
        QCOMPARE(v1["load_assignment"]["endpoints"][0]["lb_endpoints"].size(), std::size_t(2));
        QCOMPARE(str(v1["health_checks"][0]["http_health_check"]["path"]), std::string("/healthz"));
        QCOMPARE(v1["health_checks"][0]["unhealthy_threshold"].as<int>(), 3);

        const YAML::Node listener = res["listeners"][0];
        QCOMPARE(listener["address"]["socket_address"]["port_value"].as<int>(), 8080);
        const YAML::Node hcm = listener["filter_chains"][0]["filters"][0]["typed_config"];
        const YAML::Node filters = hcm["http_filters"];
        QCOMPARE(str(filters[filters.size() - 1]["name"]), std::string("envoy.filters.http.router"));
        const YAML::Node jwt = byName(filters, "envoy.filters.http.jwt_authn")["typed_config"];
        QCOMPARE(str(jwt["providers"]["idp"]["remote_jwks"]["http_uri"]["cluster"]), std::string("jwks_idp"));
        QCOMPARE(str(jwt["providers"]["idp"]["audiences"][0]), std::string("orders-api"));
        QVERIFY(jwt["requirement_map"]["idp"]);

        const YAML::Node vhosts = hcm["route_config"]["virtual_hosts"];
        QCOMPARE(vhosts.size(), std::size_t(2));
        QCOMPARE(str(vhosts[0]["domains"][1]), std::string("*.api.local"));
        QCOMPARE(str(vhosts[1]["domains"][0]), std::string("*"));
        QVERIFY(byName(vhosts[0]["routes"], "orders")); // host-less routes are served on every host
        for (const YAML::Node &vh : vhosts) {
            for (const YAML::Node &route : vh["routes"]) {
                QVERIFY(route["match"]);
                QVERIFY(route["route"] || route["direct_response"]);
                if (route["route"])
                    QVERIFY2(clusters.contains(str(route["route"]["cluster"])), str(route["name"]).c_str());
            }
        }
        const YAML::Node usersV1 = byName(vhosts[0]["routes"], "users-v1");
        QCOMPARE(str(usersV1["match"]["prefix"]), std::string("/v1/api/users"));
        QCOMPARE(str(usersV1["route"]["regex_rewrite"]["pattern"]["regex"]), std::string("^/v1/?(.*)"));
        QCOMPARE(str(usersV1["route"]["timeout"]), std::string("5s"));
        QCOMPARE(usersV1["typed_per_filter_config"]["envoy.filters.http.local_ratelimit"]["token_bucket"]
                        ["max_tokens"]
                            .as<int>(),
            100);
        QCOMPARE(str(usersV1["typed_per_filter_config"]["envoy.filters.http.jwt_authn"]["requirement_name"]),
            std::string("idp"));
        QCOMPARE(str(usersV1["request_headers_to_remove"][1]), std::string("X-API-Key")); // hide_credentials
        const YAML::Node health = byName(vhosts[1]["routes"], "health");
        QCOMPARE(health["direct_response"]["status"].as<int>(), 200);
        QVERIFY(!byName(vhosts[1]["routes"], "dashboard"));

        const QString all = r.warnings.join(u'\n');
        QVERIFY(all.contains(u"route dashboard: aggregate"));
        QVERIFY(all.contains(u"route orders: auth scheme introspect"));
        QVERIFY(all.contains(u"route orders: exported WITHOUT authentication"));
    }
};

QTEST_GUILESS_MAIN(TstEnvoyExport)
#include "tst_envoy_export.moc"
