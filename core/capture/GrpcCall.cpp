#include "core/capture/GrpcCall.h"

#include "core/capture/Schema.h"

namespace portico::capture {

namespace {

QByteArrayView headValue(QByteArrayView block, QByteArrayView name)
{
    QByteArrayView found;
    bool done = false;
    schema::forEachHeadLine(block, [&](QByteArrayView n, QByteArrayView v) {
        if (!done && n.compare(name, Qt::CaseInsensitive) == 0) {
            found = v;
            done = true;
        }
    });
    return found;
}

bool isGrpcContentType(QByteArrayView type)
{
    const QByteArrayView prefix("application/grpc");
    if (type.size() < prefix.size() || type.first(prefix.size()).compare(prefix, Qt::CaseInsensitive) != 0)
        return false;
    const QByteArrayView rest = type.sliced(prefix.size());
    return rest.isEmpty() || rest.front() == '+' || rest.front() == '-' || rest.front() == ';';
}

bool isNameChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

} // namespace

int parseGrpcStatus(QByteArrayView value)
{
    value = value.trimmed();
    if (value.isEmpty() || value.size() > 2)
        return -1;
    int n = 0;
    for (char c : value) {
        if (c < '0' || c > '9')
            return -1;
        n = n * 10 + (c - '0');
    }
    return n;
}

GrpcCall grpcCallOf(
    QByteArrayView path, QByteArrayView requestHead, QByteArrayView responseHead, int trailerStatus)
{
    GrpcCall call;
    // "/pkg.Service/Method": two non-empty segments of identifier characters. Checked before the
    // content type: most paths are not of this shape, and the writer asks for every exchange.
    if (path.size() < 4 || path.front() != '/')
        return call;
    const qsizetype slash = path.indexOf('/', 1);
    if (slash < 2 || slash == path.size() - 1)
        return call;
    const QByteArrayView service = path.sliced(1, slash - 1);
    const QByteArrayView method = path.sliced(slash + 1);
    for (const QByteArrayView part : { service, method }) {
        for (char c : part) {
            if (!isNameChar(c))
                return call;
        }
    }
    if (!isGrpcContentType(headValue(requestHead, "content-type")))
        return call;
    call.service = service;
    call.method = method;
    call.status
        = trailerStatus >= 0 ? trailerStatus : parseGrpcStatus(headValue(responseHead, "grpc-status"));
    return call;
}

} // namespace portico::capture
