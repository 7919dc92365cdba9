#pragma once

#include "core/config/Workspace.h"
#include "core/filters/auth/AuthMethod.h"
#include "core/filters/auth/ConsumerDirectory.h"

namespace portico::filters::auth {

// `type: api_key`: the key comes from the scheme's header, else from its query parameter, and
// must be one of some consumer's api_keys (compared by digest, see ConsumerDirectory).
class ApiKeyAuth final : public AuthMethod
{
public:
    ApiKeyAuth(const config::AuthScheme &scheme, ConsumerDirectoryPtr consumers, MetricsRegistry *metrics);

    std::optional<AuthResult> authenticate(const http::RequestHead &request,
        const std::shared_ptr<FilterCallbacks> &callbacks, Done done) const override;
    QByteArray challenge(bool presented) const override;

    // The percent-decoded value of the first `name` parameter of a raw query; null when absent.
    static QByteArray queryValue(QByteArrayView query, QByteArrayView name);
    // `query` without any `name` parameter; the other parameters are kept byte for byte.
    static QByteArray removeQueryParam(QByteArrayView query, QByteArrayView name);

private:
    QByteArray m_header;
    QByteArray m_query;
    ConsumerDirectoryPtr m_consumers;
};

} // namespace portico::filters::auth
