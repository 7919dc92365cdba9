#pragma once

// The auth filter's config: the workspace's `auth` section (named schemes) and a route's `auth`
// (the schemes it accepts) and `hide_credentials`.

#include "core/config/ConfigTypes.h"
#include "core/config/FilterConfig.h"

#include <QStringList>
#include <QUrl>

namespace portico::config {

enum class AuthType { ApiKey, Jwt, OAuth2Introspection };

struct AuthScheme
{
    QString name;
    AuthType type = AuthType::ApiKey;
    // api_key
    QString header; // e.g. X-API-Key (empty = not read from a header)
    QString query; // e.g. apikey (empty = not read from the query)
    // jwt
    QString issuer;
    QStringList audience; // "audience: x" or a list
    QStringList algorithms;
    QUrl jwksUrl;
    QString publicKey; // PEM file path, as written
    QString secret; // HS* shared secret (after ${ENV} expansion)
    QString consumerClaim = QStringLiteral("sub");
    Duration clockSkew { 0 };
    // oauth2_introspection
    QUrl url;
    QString clientId;
    QString clientSecret;
    Duration cache { 0 };
    bool operator==(const AuthScheme &) const = default;
};

QString authTypeName(AuthType t);

// The workspace's `auth` section: its parse, its checks (on ValidationSink::workspace().auth) and
// one scheme's tree at `path` ("auth.NAME").
QList<AuthScheme> parseAuthSchemes(YamlReader &r, const YAML::Node &node, const QString &path);
void validateAuthSchemes(ValidationSink &sink);
WorkspaceTree writeAuthScheme(const TreeWriter &w, const AuthScheme &scheme, const QString &path);

// A route's auth: the scheme names it accepts (any one will do); empty = public.
struct AuthConfig final : FilterConfigBase<AuthConfig>
{
    static constexpr const char *kName = "auth";
    QStringList schemes;
    bool hideCredentials = false;

    static const QStringList &routeKeys();
    static void parse(YamlReader &r, const QString &key, const YAML::Node &node, const QString &path,
        FilterConfigs &configs);
    bool isEmpty() const override { return schemes.isEmpty() && !hideCredentials; }
    void validate(ValidationSink &sink, const Route &route, const QString &routePath) const override;
    void write(const TreeWriter &w, const QString &routePath, WorkspaceTree &route) const override;
    bool operator==(const AuthConfig &) const = default;
};

} // namespace portico::config
