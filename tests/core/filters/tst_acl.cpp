#include "AuthTestKit.h"
#include "FactoryShims.h"

#include "core/common/Metrics.h"
#include "core/filters/FilterServices.h"
#include "core/filters/acl/AclFactory.h"

#include <QTest>

using namespace portico;
using namespace portico::filters;

class TestAcl : public QObject
{
    Q_OBJECT

private:
    config::Workspace m_ws;
    MetricsRegistry m_metrics;
    FilterServices m_services;
    config::Route m_route;

    static ConsumerIdentity consumer(QStringList groups, bool anonymous = false)
    {
        ConsumerIdentity c;
        c.name = QStringLiteral("someone");
        c.groups = std::move(groups);
        c.anonymous = anonymous;
        return c;
    }

private Q_SLOTS:
    void init()
    {
        m_services.metrics = &m_metrics;
        m_route = config::Route();
        m_route.name = QStringLiteral("admin");
        m_route.filters.edit<config::AuthConfig>().schemes = { QStringLiteral("keys") };
        m_route.filters.edit<config::AclConfig>().allowGroups
            = { QStringLiteral("admins"), QStringLiteral("ops") };
    }

    void noGroupsNoFilter()
    {
        config::Route open;
        QVERIFY(acl::makeAclFilters(m_ws, open, m_services).empty());
        QCOMPARE(acl::makeAclFilters(m_ws, m_route, m_services).size(), 1u);
    }

    void memberOfAnyGroupPasses()
    {
        auto f = acl::makeAclFilters(m_ws, m_route, m_services).front();
        test::TestRequest req(m_ws, m_route);
        req.ctx.consumer = consumer({ "users", "ops" });
        QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Continue);
        QVERIFY(!req.callbacks->reply);
    }

    void outsiderGets403WithoutTheGroupNames()
    {
        auto f = acl::makeAclFilters(m_ws, m_route, m_services).front();
        test::TestRequest req(m_ws, m_route);
        req.ctx.consumer = consumer({ "users" });
        QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Stop);
        QCOMPARE(req.callbacks->reply->status, 403);
        QCOMPARE(req.callbacks->reply->typeSuffix, "forbidden");
        QVERIFY(!req.callbacks->reply->detail.contains("admins"));
        QCOMPARE(m_metrics.sumCounter(
                     "portico_auth_failures_total", { { "scheme", "acl" }, { "reason", "forbidden" } }),
            1u);

        test::TestRequest anon(m_ws, m_route);
        anon.ctx.consumer = consumer({}, true);
        QCOMPARE(f->onRequest(anon.ctx, anon.callbacks), FilterStatus::Stop);
        QCOMPARE(anon.callbacks->reply->status, 403);
    }

    void unauthenticatedGets401First()
    {
        auto f = acl::makeAclFilters(m_ws, m_route, m_services).front();
        test::TestRequest req(m_ws, m_route);
        QCOMPARE(f->onRequest(req.ctx, req.callbacks), FilterStatus::Stop);
        QCOMPARE(req.callbacks->reply->status, 401);
        QVERIFY(req.callbacks->reply->headers.contains("WWW-Authenticate"));
    }
};

QTEST_GUILESS_MAIN(TestAcl)
#include "tst_acl.moc"
