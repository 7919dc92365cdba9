#include "core/filters/auth/ApiKeyAuth.h"

namespace portico::filters::auth {

namespace {

QByteArray decodeComponent(QByteArrayView v)
{
    QByteArray b = v.toByteArray();
    b.replace('+', ' ');
    return QByteArray::fromPercentEncoding(b);
}

} // namespace

ApiKeyAuth::ApiKeyAuth(
    const config::AuthScheme &scheme, ConsumerDirectoryPtr consumers, MetricsRegistry *metrics)
    : AuthMethod(scheme.name, metrics)
    , m_header(scheme.header.toUtf8())
    , m_query(scheme.query.toUtf8())
    , m_consumers(std::move(consumers))
{
}

QByteArray ApiKeyAuth::queryValue(QByteArrayView query, QByteArrayView name)
{
    for (const QByteArray &part : query.toByteArray().split('&')) {
        const qsizetype eq = part.indexOf('=');
        const QByteArray key = eq < 0 ? part : part.left(eq);
        if (decodeComponent(key) == name)
            return eq < 0 ? QByteArray("") : decodeComponent(part.mid(eq + 1));
    }
    return {};
}

QByteArray ApiKeyAuth::removeQueryParam(QByteArrayView query, QByteArrayView name)
{
    QByteArray out;
    for (const QByteArray &part : query.toByteArray().split('&')) {
        const qsizetype eq = part.indexOf('=');
        if (part.isEmpty() || decodeComponent(eq < 0 ? part : part.left(eq)) == name)
            continue;
        if (!out.isEmpty())
            out += '&';
        out += part;
    }
    return out;
}

std::optional<AuthResult> ApiKeyAuth::authenticate(
    const http::RequestHead &request, const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const
{
    Q_UNUSED(callbacks);
    Q_UNUSED(done);
    QByteArray key;
    QByteArray header, query;
    if (!m_header.isEmpty()) {
        key = request.headers.value(m_header).trimmed();
        if (!key.isEmpty())
            header = m_header;
    }
    if (key.isEmpty() && !m_query.isEmpty() && !request.query.isEmpty()) {
        key = queryValue(request.query, m_query);
        if (!key.isEmpty())
            query = m_query;
    }
    if (key.isEmpty())
        return AuthResult::missing();
    auto consumer = m_consumers->byApiKey(key);
    if (!consumer)
        return AuthResult::rejected(AuthReason::InvalidKey, header, query);
    AuthResult r;
    r.kind = AuthResult::Kind::Success;
    r.consumer = std::move(*consumer);
    r.consumer.scheme = schemeName();
    r.credentialHeader = header;
    r.credentialQuery = query;
    return r;
}

QByteArray ApiKeyAuth::challenge(bool presented) const
{
    Q_UNUSED(presented); // the same answer either way: nothing about the key is revealed
    return QByteArrayLiteral("ApiKey realm=\"portico\"");
}

} // namespace portico::filters::auth
