#pragma once

#include "core/capture/Replayer.h"
#include "core/config/Workspace.h"

#include <QDialog>
#include <QHash>

#include <functional>

class QCheckBox;
class QLineEdit;

namespace portico::ui {

// Where the gateway that a replay goes through runs: its workspace (null without one) and its
// listeners, for restoring a redacted API key (filters::auth::restoreCredentials).
struct ReplayWorkspace
{
    config::WorkspacePtr workspace;
    QList<QUrl> listeners;
};

// Asks for the values a replay would otherwise leave out: a token (JWT, introspection) the
// workspace does not know, or any redacted value when there is no workspace to restore it from.
// One line per value, shown as a password; "Remember for this session" keeps the answers in
// memory (never on disk) for the next replay of the same consumer.
class CredentialDialog final : public QDialog
{
    Q_OBJECT

public:
    struct Field
    {
        capture::Replayer::Withheld what;
        QString scheme; // the auth scheme that reads it, when known (a token: sent as Bearer)
        bool token = false;
    };
    CredentialDialog(qint64 exchangeId, const QString &consumer, const QList<Field> &fields,
        const QStringList &reasons, QWidget *parent = nullptr);

    QList<QLineEdit *> edits() const { return m_edits; }
    QCheckBox *rememberBox() const { return m_remember; }
    QString value(int field) const;
    bool remember() const;

private:
    QList<QLineEdit *> m_edits;
    QCheckBox *m_remember;
};

// The credentials part of replaying from the GUI: restores what the workspace knows, asks for
// the rest (CredentialDialog), and remembers answers for the session when asked to.
class CredentialPrompt
{
public:
    // Completes `options` for replaying `original`; false when the user cancelled (send nothing).
    bool complete(const capture::Exchange &original, const ReplayWorkspace &where,
        capture::ReplayOptions &options, QWidget *parent);
    void forget() { m_remembered.clear(); }
    int rememberedCount() const { return int(m_remembered.size()); }

private:
    QHash<QString, QString> m_remembered; // consumer + what -> value (empty: leave it out)
};

} // namespace portico::ui
