#include "core/gateway/aggregate/AggregateSubRequest.h"

#include "core/http/Compression.h"

namespace portico::gateway {

http::RequestHead makeAggregateSubRequest(const http::RequestHead &client, const config::AggregatePart &part)
{
    http::RequestHead sub;
    sub.method = "GET";
    sub.httpMinor = 1;
    const QByteArray target = part.path.toUtf8();
    const qsizetype q = target.indexOf('?');
    sub.path = q < 0 ? target : target.left(q);
    sub.query = q < 0 ? QByteArray() : target.mid(q + 1);
    if (!sub.path.startsWith('/'))
        sub.path.prepend('/');
    sub.target = sub.pathAndQuery();

    QList<QByteArray> dropped { "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Proxy-Authorization", "Host", "Content-Length", "Content-Type",
        "Content-Encoding", "Expect", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since",
        "If-Range", "Range", "Accept-Encoding" };
    for (const QByteArray &value : client.headers.values("Connection")) {
        for (const QByteArray &name : value.split(','))
            dropped.append(name.trimmed());
    }
    for (const auto &[name, value] : client.headers.entries()) {
        bool drop = false;
        for (const QByteArray &d : dropped)
            drop = drop || http::HttpHeaders::nameEquals(name, d);
        if (!drop)
            sub.headers.add(name, value);
    }
    const QByteArray accept
        = http::Compression::narrowAcceptEncoding(client.headers.combined("Accept-Encoding"));
    if (!accept.isEmpty())
        sub.headers.add("Accept-Encoding", accept);
    return sub;
}

} // namespace portico::gateway
