#include "core/filters/auth/AuthConfig.h"

#include "core/config/ValidationSink.h"
#include "core/config/WorkspaceTree.h"
#include "core/config/YamlReader.h"

namespace portico::config {

namespace {

const QStringList kAuthApiKeyKeys { "header", "query" };
const QStringList kAuthJwtKeys { "issuer", "audience", "algorithms", "jwks_url", "public_key", "secret",
    "consumer_claim", "clock_skew" };
const QStringList kAuthIntrospectionKeys { "url", "client_id", "client_secret", "cache" };
const QStringList kJwtAlgorithms { "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384",
    "PS512", "ES256", "ES384", "ES512", "EdDSA" };


void parseAuthField(YamlReader &r, AuthScheme &a, const YamlReader::Entry &f)
{
    const auto secret = YamlReader::UnsetEnv::Empty;
    if (f.key == u"header")
        assign(a.header, r.string(f.value, f.path));
    else if (f.key == u"query")
        assign(a.query, r.string(f.value, f.path));
    else if (f.key == u"issuer")
        assign(a.issuer, r.string(f.value, f.path));
    else if (f.key == u"audience")
        a.audience = r.stringList(f.value, f.path);
    else if (f.key == u"algorithms")
        a.algorithms = r.stringList(f.value, f.path);
    else if (f.key == u"jwks_url")
        assign(a.jwksUrl, r.url(f.value, f.path));
    else if (f.key == u"public_key")
        assign(a.publicKey, r.string(f.value, f.path));
    else if (f.key == u"secret")
        assign(a.secret, r.string(f.value, f.path, secret));
    else if (f.key == u"consumer_claim")
        assign(a.consumerClaim, r.string(f.value, f.path));
    else if (f.key == u"clock_skew")
        assign(a.clockSkew, r.duration(f.value, f.path));
    else if (f.key == u"url")
        assign(a.url, r.url(f.value, f.path));
    else if (f.key == u"client_id")
        assign(a.clientId, r.string(f.value, f.path));
    else if (f.key == u"client_secret")
        assign(a.clientSecret, r.string(f.value, f.path, secret));
    else if (f.key == u"cache")
        assign(a.cache, r.duration(f.value, f.path));
}

} // namespace

QString authTypeName(AuthType t)
{
    switch (t) {
    case AuthType::ApiKey:
        return QStringLiteral("api_key");
    case AuthType::Jwt:
        return QStringLiteral("jwt");
    case AuthType::OAuth2Introspection:
        return QStringLiteral("oauth2_introspection");
    }
    return {};
}

QList<AuthScheme> parseAuthSchemes(YamlReader &r, const YAML::Node &node, const QString &path)
{
    QList<AuthScheme> out;
    const QStringList types { authTypeName(AuthType::ApiKey), authTypeName(AuthType::Jwt),
        authTypeName(AuthType::OAuth2Introspection) };
    const QList<QStringList> typeKeys { kAuthApiKeyKeys, kAuthJwtKeys, kAuthIntrospectionKeys };
    for (const auto &e : r.entries(node, path, QStringLiteral("auth scheme"))) {
        AuthScheme a;
        a.name = e.key;
        const QStringList allKeys
            = QStringList { "type" } + kAuthApiKeyKeys + kAuthJwtKeys + kAuthIntrospectionKeys;
        const auto fields = r.fields(e.value, e.path, QStringLiteral("auth scheme '%1'").arg(e.key), allKeys);
        int type = -1;
        bool hasType = false;
        for (const auto &f : fields) {
            if (f.key != u"type")
                continue;
            hasType = true;
            if (const auto t = r.choice(f.value, f.path, QStringLiteral("auth type"), types))
                type = int(types.indexOf(*t));
        }
        if (!hasType && e.value.IsMap() && !r.failedUnder(e.path))
            r.error(e.path, QStringLiteral("missing 'type' in auth scheme '%1'").arg(e.key),
                YamlReader::Anchor::Key);
        if (type >= 0)
            a.type = static_cast<AuthType>(type);
        for (const auto &f : fields) {
            if (f.key == u"type")
                continue;
            if (type >= 0 && !typeKeys[type].contains(f.key)) {
                r.error(f.path,
                    QStringLiteral("key '%1' does not apply to auth type '%2'").arg(f.key, types[type]),
                    YamlReader::Anchor::Key);
                continue;
            }
            parseAuthField(r, a, f);
        }
        out.append(a);
    }
    return out;
}

void validateAuthSchemes(ValidationSink &sink)
{
    const Workspace &ws = sink.workspace();
    for (const AuthScheme &a : ws.auth) {
        const QString p = QStringLiteral("auth.") + a.name;
        switch (a.type) {
        case AuthType::ApiKey:
            if (a.header.isEmpty() && a.query.isEmpty())
                sink.add(
                    p, QStringLiteral("api_key scheme '%1' needs 'header' or 'query'").arg(a.name), true);
            if (!a.header.isEmpty())
                sink.checkHeaderName(p + QStringLiteral(".header"), a.header);
            break;
        case AuthType::Jwt: {
            const bool hasSecret
                = !a.secret.isEmpty() || ws.envTemplates.contains(p + QStringLiteral(".secret"));
            if (a.jwksUrl.isEmpty() && a.publicKey.isEmpty() && !hasSecret)
                sink.add(p,
                    QStringLiteral("jwt scheme '%1' needs one of jwks_url, public_key, secret").arg(a.name),
                    true);
            if (!a.jwksUrl.isEmpty())
                sink.checkHttpUrl(p + QStringLiteral(".jwks_url"), a.jwksUrl);
            sink.checkFile(p + QStringLiteral(".public_key"), a.publicKey);
            for (int i = 0; i < a.algorithms.size(); ++i)
                sink.checkChoice(QStringLiteral("%1.algorithms[%2]").arg(p).arg(i),
                    QStringLiteral("jwt algorithm"), a.algorithms[i], kJwtAlgorithms);
            if (a.consumerClaim.isEmpty())
                sink.add(p + QStringLiteral(".consumer_claim"),
                    QStringLiteral("'consumer_claim' must not be empty"));
            if (a.clockSkew.count() < 0)
                sink.add(
                    p + QStringLiteral(".clock_skew"), QStringLiteral("'clock_skew' must not be negative"));
            break;
        }
        case AuthType::OAuth2Introspection:
            if (a.url.isEmpty())
                sink.add(p, QStringLiteral("missing 'url' in auth scheme '%1'").arg(a.name), true);
            else
                sink.checkHttpUrl(p + QStringLiteral(".url"), a.url);
            break;
        }
    }
}

WorkspaceTree writeAuthScheme(const TreeWriter &w, const AuthScheme &a, const QString &p)
{
    const AuthScheme def;
    WorkspaceTree t;
    t.block = true;
    t.insert("type", w.str(p + ".type", authTypeName(a.type)));
    auto text = [&](const char *key, const QString &value, bool secret = false) {
        const QString path = p + u'.' + QLatin1String(key);
        if (!value.isEmpty() || w.workspace().envTemplates.contains(path))
            t.insert(key, w.str(path, value, secret));
    };
    switch (a.type) {
    case AuthType::ApiKey:
        text("header", a.header);
        text("query", a.query);
        break;
    case AuthType::Jwt: {
        text("issuer", a.issuer);
        if (a.audience.size() == 1)
            t.insert("audience", w.str(p + ".audience[0]", a.audience.first()));
        else if (!a.audience.isEmpty())
            t.insert("audience", w.list(p + ".audience", a.audience));
        if (!a.algorithms.isEmpty())
            t.insert("algorithms", w.list(p + ".algorithms", a.algorithms));
        text("jwks_url", a.jwksUrl.toString());
        text("public_key", a.publicKey);
        text("secret", a.secret, true);
        if (a.consumerClaim != def.consumerClaim)
            text("consumer_claim", a.consumerClaim);
        if (a.clockSkew != def.clockSkew)
            t.insert("clock_skew", w.duration(p + ".clock_skew", a.clockSkew));
        break;
    }
    case AuthType::OAuth2Introspection:
        text("url", a.url.toString());
        text("client_id", a.clientId);
        text("client_secret", a.clientSecret, true);
        if (a.cache != def.cache)
            t.insert("cache", w.duration(p + ".cache", a.cache));
        break;
    }
    return t;
}

const QStringList &AuthConfig::routeKeys()
{
    static const QStringList keys { "auth", "hide_credentials" };
    return keys;
}

void AuthConfig::parse(
    YamlReader &r, const QString &key, const YAML::Node &node, const QString &path, FilterConfigs &configs)
{
    if (key == u"auth") {
        configs.edit<AuthConfig>().schemes = r.stringList(node, path);
    } else if (const auto hide = r.boolean(node, path)) {
        configs.edit<AuthConfig>().hideCredentials = *hide;
    }
}

void AuthConfig::validate(ValidationSink &sink, const Route &route, const QString &p) const
{
    for (int i = 0; i < schemes.size(); ++i) {
        if (!sink.workspace().findAuth(schemes[i]))
            sink.add(QStringLiteral("%1.auth[%2]").arg(p).arg(i),
                QStringLiteral("route '%1' names auth scheme '%2', which does not exist")
                    .arg(route.name, schemes[i]),
                false, "auth");
    }
}

void AuthConfig::write(const TreeWriter &w, const QString &p, WorkspaceTree &route) const
{
    if (!schemes.isEmpty())
        route.insert("auth", w.list(p + ".auth", schemes));
    if (hideCredentials)
        route.insert("hide_credentials", w.scalar(p + ".hide_credentials", WorkspaceTree::boolean(true)));
}

} // namespace portico::config
