#include "core/gateway/ProxyStreamSupport.h"

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

// API keys may come in the query (an api_key scheme's `query`): they are the same secret as the
// X-API-Key header that capture.redact_headers hides, so the capture keeps the parameter and not
// its value, for every api_key scheme the route accepts, whether the key was good or not.
void redactQueryCredentials(
    const config::Workspace &ws, const config::Route &route, capture::CaptureRecord *r)
{
    using R = capture::CaptureRecord;
    const QByteArrayView query = r->view(R::Query);
    if (query.isEmpty())
        return;
    QStringList names;
    for (const QString &scheme : route.auth) {
        const config::AuthScheme *s = ws.findAuth(scheme);
        if (s && s->type == config::AuthType::ApiKey && !s->query.isEmpty())
            names.append(s->query);
    }
    if (names.isEmpty())
        return;
    QByteArrayList parts = query.toByteArray().split('&');
    bool changed = false;
    for (QByteArray &part : parts) {
        const qsizetype eq = part.indexOf('=');
        QByteArray name = eq < 0 ? part : part.left(eq);
        name.replace('+', ' ');
        if (eq < 0 || !names.contains(QString::fromUtf8(QByteArray::fromPercentEncoding(name))))
            continue;
        part = part.left(eq + 1) + "[redacted]";
        changed = true;
    }
    if (!changed)
        return;
    const QByteArray redacted = parts.join('&');
    const QByteArray url = r->view(R::Url).toByteArray();
    const qsizetype mark = url.indexOf('?');
    if (mark >= 0 && QByteArrayView(url).sliced(mark + 1) == query)
        r->setJoined(R::Url, { QByteArrayView(url).first(mark + 1), redacted });
    r->set(R::Query, redacted);
}

} // namespace portico::gateway::detail
