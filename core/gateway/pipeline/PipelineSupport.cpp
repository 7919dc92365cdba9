#include "core/gateway/pipeline/PipelineSupport.h"

namespace portico::gateway::detail {

// Whether a header the filters want on every answer (ctx.extraResponseHeaders) is sent next to
// what the response already has. Single-valued fields: the response's own value wins. Vary and
// Link are lists, so the gateway's members are added to the upstream's (a version header missing
// from Vary would let caches mix versions up; a pagination Link must not hide the deprecation one).
bool addsToResponse(const http::HttpHeaders &response, const QByteArray &name, const QByteArray &value)
{
    if (!response.contains(name))
        return true;
    if (http::HttpHeaders::nameEquals(name, "vary")) {
        for (const QByteArray &member : response.combined("vary").split(',')) {
            const QByteArray m = member.trimmed();
            if (m == "*" || m.compare(value.trimmed(), Qt::CaseInsensitive) == 0)
                return false;
        }
        return true;
    }
    if (http::HttpHeaders::nameEquals(name, "link"))
        return !response.values("link").contains(value);
    return false;
}

} // namespace portico::gateway::detail
