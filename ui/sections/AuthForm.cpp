#include "ui/sections/AuthForm.h"

#include "core/config/Renames.h"
#include "ui/widgets/CheckList.h"
#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/ListEdit.h"
#include "ui/widgets/UserUrl.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QRegularExpression>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace portico::ui {

using config::AuthScheme;
using config::AuthType;

namespace {

const QRegularExpression &envPattern()
{
    static const QRegularExpression re(QStringLiteral("^\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}$"));
    return re;
}

} // namespace

AuthForm::AuthForm(WorkspaceDocument *document, QWidget *parent)
    : ItemForm(document, parent)
    , m_name(new QLineEdit(this))
    , m_type(new QComboBox(this))
    , m_pages(new QStackedWidget(this))
{
    auto *top = new QWidget(this);
    auto *form = makeForm(top);
    bind(QStringLiteral("name"), addField(form, tr("Name"), m_name));
    for (AuthType t : { AuthType::ApiKey, AuthType::Jwt, AuthType::OAuth2Introspection })
        m_type->addItem(config::authTypeName(t), int(t));
    bind(QStringLiteral("type"), addField(form, tr("Type"), m_type));
    body()->addWidget(top);
    body()->addWidget(m_pages);

    auto *apiKey = new QWidget(m_pages);
    auto *apiForm = makeForm(apiKey);
    m_header = text(apiForm, tr("Header"), QStringLiteral("header"), [](AuthScheme &a, const QString &v) { a.header = v; });
    m_query = text(apiForm, tr("Query parameter"), QStringLiteral("query"), [](AuthScheme &a, const QString &v) { a.query = v; });
    // Empty means "not read from there"; a bare "apikey" in grey read as a parameter in use.
    m_header->setPlaceholderText(tr("not read from a header (e.g. X-API-Key)"));
    m_query->setPlaceholderText(tr("not read from the query (e.g. apikey)"));

    auto *jwt = new QWidget(m_pages);
    auto *jwtForm = makeForm(jwt);
    m_issuer = text(jwtForm, tr("Issuer"), QStringLiteral("issuer"), [](AuthScheme &a, const QString &v) { a.issuer = v; });
    m_audience = new ListEdit(jwt);
    bind(QStringLiteral("audience"), addField(jwtForm, tr("Audience"), m_audience));
    m_algorithms = new CheckList(jwt);
    m_algorithms->setOptions({ QStringLiteral("RS256"), QStringLiteral("RS384"), QStringLiteral("RS512"),
                               QStringLiteral("PS256"), QStringLiteral("ES256"), QStringLiteral("ES384"),
                               QStringLiteral("EdDSA"), QStringLiteral("HS256"), QStringLiteral("HS384"),
                               QStringLiteral("HS512") });
    bind(QStringLiteral("algorithms"), addField(jwtForm, tr("Algorithms"), m_algorithms));
    m_jwks = text(jwtForm, tr("JWKS URL"), QStringLiteral("jwks_url"),
                  [](AuthScheme &a, const QString &v) { a.jwksUrl = userUrl(v); });
    m_publicKey = text(jwtForm, tr("Public key file"), QStringLiteral("public_key"),
                       [](AuthScheme &a, const QString &v) { a.publicKey = v; });
    m_secret = secret(jwtForm, tr("HS secret"), QStringLiteral("secret"));
    m_claim = text(jwtForm, tr("Consumer claim"), QStringLiteral("consumer_claim"),
                   [](AuthScheme &a, const QString &v) { a.consumerClaim = v; });
    m_skew = new DurationEdit(jwt);
    bind(QStringLiteral("clock_skew"), addField(jwtForm, tr("Clock skew"), m_skew));

    auto *oauth = new QWidget(m_pages);
    auto *oauthForm = makeForm(oauth);
    m_url = text(oauthForm, tr("Introspection URL"), QStringLiteral("url"), [](AuthScheme &a, const QString &v) { a.url = userUrl(v); });
    m_clientId = text(oauthForm, tr("Client id"), QStringLiteral("client_id"),
                      [](AuthScheme &a, const QString &v) { a.clientId = v; });
    m_clientSecret = secret(oauthForm, tr("Client secret"), QStringLiteral("client_secret"));
    m_cache = new DurationEdit(oauth);
    bind(QStringLiteral("cache"), addField(oauthForm, tr("Cache answers for"), m_cache));

    m_pages->addWidget(apiKey);
    m_pages->addWidget(jwt);
    m_pages->addWidget(oauth);

    connect(m_name, &QLineEdit::editingFinished, this, [this] {
        const QString name = m_name->text().trimmed();
        editItem(tr("Rename auth scheme"), [&](config::Workspace &ws, int row) {
            if (ws.auth[row].name != name)
                config::renameAuthScheme(ws, row, name);
        });
    });
    connect(m_type, &QComboBox::activated, this, [this] {
        const auto type = AuthType(m_type->currentData().toInt());
        editItem(tr("Change auth type"), [&](config::Workspace &ws, int row) { ws.auth[row].type = type; });
    });
    connect(m_audience, &ListEdit::committed, this, [this](const QStringList &v) {
        editItem(tr("Change audience"), [&](config::Workspace &ws, int row) { ws.auth[row].audience = v; });
    });
    connect(m_algorithms, &CheckList::edited, this, [this](const QStringList &v) {
        editItem(tr("Change algorithms"), [&](config::Workspace &ws, int row) { ws.auth[row].algorithms = v; });
    });
    connect(m_skew, &DurationEdit::durationCommitted, this, [this](auto d) {
        editItem(tr("Change clock skew"),
                 [&](config::Workspace &ws, int row) { ws.auth[row].clockSkew = d.value_or(config::Duration {}); });
    });
    connect(m_cache, &DurationEdit::durationCommitted, this, [this](auto d) {
        editItem(tr("Change cache time"), [&](config::Workspace &ws, int row) { ws.auth[row].cache = d.value_or(config::Duration {}); });
    });
}

QLineEdit *AuthForm::text(QFormLayout *form, const QString &label, const QString &key, const Setter &set)
{
    auto *edit = new QLineEdit(form->parentWidget());
    bind(key, addField(form, label, edit));
    connect(edit, &QLineEdit::editingFinished, this, [this, edit, label, set] {
        const QString value = edit->text().trimmed();
        editItem(tr("Change %1").arg(label.toLower()), [&](config::Workspace &ws, int row) { set(ws.auth[row], value); });
    });
    return edit;
}

QLineEdit *AuthForm::secret(QFormLayout *form, const QString &label, const QString &key)
{
    auto *edit = new QLineEdit(form->parentWidget());
    edit->setPlaceholderText(QStringLiteral("${ENV_VAR}"));
    edit->setToolTip(tr("Prefer ${ENV_VAR}: the file then keeps the variable's name, not the secret"));
    bind(key, addField(form, label, edit));
    connect(edit, &QLineEdit::editingFinished, this, [this, edit, label, key] {
        const QString value = edit->text().trimmed();
        editItem(tr("Change %1").arg(label.toLower()), [&](config::Workspace &ws, int row) {
            AuthScheme &a = ws.auth[row];
            const QString path = QStringLiteral("auth.%1.%2").arg(a.name, key);
            QString expanded = value;
            const auto m = envPattern().match(value);
            if (m.hasMatch()) {
                ws.envTemplates.insert(path, value);
                expanded = qEnvironmentVariable(m.captured(1).toUtf8().constData());
            } else {
                ws.envTemplates.remove(path);
            }
            (key == u"secret" ? a.secret : a.clientSecret) = expanded;
        });
    });
    edit->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    return edit;
}

void AuthForm::setSecretText(QLineEdit *edit, const config::Workspace &ws, const QString &key, const QString &value)
{
    const QString path = QStringLiteral("auth.%1.%2").arg(ws.auth.at(row()).name, key);
    const QString shown = ws.envTemplates.value(path, value);
    // A template is not secret: show it in clear so that the variable name can be read.
    edit->setEchoMode(ws.envTemplates.contains(path) ? QLineEdit::Normal : QLineEdit::PasswordEchoOnEdit);
    edit->setText(shown);
}

void AuthForm::load(const config::Workspace &ws, int row)
{
    const AuthScheme &a = ws.auth.at(row);
    m_name->setText(a.name);
    m_type->setCurrentIndex(m_type->findData(int(a.type)));
    showStackPage(m_pages, int(a.type));
    m_header->setText(a.header);
    m_query->setText(a.query);
    m_issuer->setText(a.issuer);
    m_audience->setList(a.audience);
    m_algorithms->setChecked(a.algorithms);
    m_jwks->setText(a.jwksUrl.toString());
    m_publicKey->setText(a.publicKey);
    setSecretText(m_secret, ws, QStringLiteral("secret"), a.secret);
    m_claim->setText(a.consumerClaim);
    m_skew->setDuration(a.clockSkew);
    m_url->setText(a.url.toString());
    m_clientId->setText(a.clientId);
    setSecretText(m_clientSecret, ws, QStringLiteral("client_secret"), a.clientSecret);
    m_cache->setDuration(a.cache);
}

} // namespace portico::ui
