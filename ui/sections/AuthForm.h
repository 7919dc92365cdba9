#pragma once

#include "ui/sections/ItemForm.h"

#include <functional>

class QComboBox;
class QFormLayout;
class QLineEdit;
class QStackedWidget;

namespace portico::ui {

class CheckList;
class DurationEdit;
class ListEdit;

// One auth scheme; the fields shown depend on its type (api_key, jwt, oauth2_introspection).
// Secrets may be written as ${ENV}: the template is kept (and saved), the value is read from the
// environment, as the loader does.
class AuthForm final : public ItemForm
{
    Q_OBJECT

public:
    explicit AuthForm(WorkspaceDocument *document, QWidget *parent = nullptr);

    QComboBox *typeCombo() const { return m_type; }
    QLineEdit *headerEdit() const { return m_header; }

protected:
    void load(const config::Workspace &ws, int row) override;

private:
    using Setter = std::function<void(config::AuthScheme &, const QString &)>;
    QLineEdit *text(QFormLayout *form, const QString &label, const QString &key, const Setter &set);
    QLineEdit *secret(QFormLayout *form, const QString &label, const QString &key);
    void setSecretText(QLineEdit *edit, const config::Workspace &ws, const QString &key, const QString &value);

    QLineEdit *m_name;
    QComboBox *m_type;
    QStackedWidget *m_pages;
    QLineEdit *m_header;
    QLineEdit *m_query;
    QLineEdit *m_issuer;
    ListEdit *m_audience;
    CheckList *m_algorithms;
    QLineEdit *m_jwks;
    QLineEdit *m_publicKey;
    QLineEdit *m_secret;
    QLineEdit *m_claim;
    DurationEdit *m_skew;
    QLineEdit *m_url;
    QLineEdit *m_clientId;
    QLineEdit *m_clientSecret;
    DurationEdit *m_cache;
};

} // namespace portico::ui
