#pragma once

#include "core/filters/Filter.h"

namespace portico {
class Counter;
}

namespace portico::filters::acl {

// A route's allow_groups: the consumer must belong to at least one of them. Runs after auth.
// No consumer -> 401 (the route has allow_groups but nothing authenticated the caller); a
// consumer in none of the groups -> 403. Anonymous JWT consumers have no groups. The answer never
// names the groups. Refusals count in portico_auth_failures_total{scheme="acl",reason=...}.
class AclFilter final : public HttpFilter
{
public:
    AclFilter(QStringList allowGroups, Counter *forbidden, Counter *unauthenticated);

    const char *name() const override { return "acl"; }
    FilterStatus onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks) override;

private:
    QStringList m_allowGroups;
    Counter *m_forbidden; // may be null
    Counter *m_unauthenticated; // may be null
};

} // namespace portico::filters::acl
