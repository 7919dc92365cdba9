// The runtime side of the filter registry: every filter once, in chain order, each factory with the
// one signature building nothing (and reporting nothing) for a route that does not use it.
#include "core/filters/FilterRegistry.h"
#include "core/filters/FilterServices.h"

#include <QTest>

using namespace portico;
using namespace portico::filters;

class TestFilterRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chainOrder()
    {
        QStringList names;
        int order = 0;
        for (const FilterRegistration &filter : filterRegistry()) {
            names.append(QString::fromLatin1(filter.name));
            QCOMPARE(filter.order, order++);
            QVERIFY(filter.make != nullptr);
        }
        QCOMPARE(names, (QStringList { "auth", "acl", "rate_limit", "versioning", "transform", "mock" }));
    }

    void aPlainRouteGetsNoFilters()
    {
        config::Workspace ws;
        config::Route route;
        route.name = QStringLiteral("plain");
        route.upstream = QStringLiteral("u");
        FilterServices services;
        for (const FilterRegistration &filter : filterRegistry()) {
            QStringList errors;
            QVERIFY2(filter.make(FilterBuildContext { ws, route, services }, errors).empty(), filter.name);
            QVERIFY2(errors.isEmpty(), filter.name);
        }
    }

    void emptyConfigsBuildNothing()
    {
        config::Workspace ws;
        config::Route route;
        route.name = QStringLiteral("empty");
        route.filters.edit<config::AuthConfig>();
        route.filters.edit<config::AclConfig>();
        route.filters.edit<config::TransformConfig>();
        FilterServices services;
        for (const FilterRegistration &filter : filterRegistry()) {
            QStringList errors;
            QVERIFY2(filter.make(FilterBuildContext { ws, route, services }, errors).empty(), filter.name);
            QVERIFY2(errors.isEmpty(), filter.name);
        }
    }
};

QTEST_GUILESS_MAIN(TestFilterRegistry)
#include "tst_filter_registry.moc"
