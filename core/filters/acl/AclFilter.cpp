#include "core/filters/acl/AclFilter.h"

#include "core/common/Metrics.h"

namespace portico::filters::acl {

AclFilter::AclFilter(QStringList allowGroups, Counter *forbidden, Counter *unauthenticated)
    : m_allowGroups(std::move(allowGroups))
    , m_forbidden(forbidden)
    , m_unauthenticated(unauthenticated)
{
}

FilterStatus AclFilter::onRequest(RequestContext &ctx, const std::shared_ptr<FilterCallbacks> &callbacks)
{
    LocalReply reply;
    if (!ctx.consumer) {
        if (m_unauthenticated)
            m_unauthenticated->inc();
        reply.status = 401;
        reply.title = QStringLiteral("Unauthorized");
        reply.detail = QStringLiteral("This route requires authentication.");
        reply.typeSuffix = "unauthorized";
        reply.headers.set("WWW-Authenticate", "Bearer realm=\"portico\"");
        callbacks->sendLocalReply(std::move(reply));
        return FilterStatus::Stop;
    }
    for (const QString &g : ctx.consumer->groups) {
        if (m_allowGroups.contains(g))
            return FilterStatus::Continue;
    }
    if (m_forbidden)
        m_forbidden->inc();
    reply.status = 403;
    reply.title = QStringLiteral("Forbidden");
    reply.detail = QStringLiteral("The consumer is not allowed to use this route.");
    reply.typeSuffix = "forbidden";
    callbacks->sendLocalReply(std::move(reply));
    return FilterStatus::Stop;
}

} // namespace portico::filters::acl
