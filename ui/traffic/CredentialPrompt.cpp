#include "ui/traffic/CredentialPrompt.h"

#include "core/filters/auth/ReplayCredentials.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace portico::ui {

namespace {

using Withheld = capture::Replayer::Withheld;

QString fieldLabel(const CredentialDialog::Field &f)
{
    const QString kind = f.what.kind == Withheld::Kind::Header
        ? QObject::tr("Header %1").arg(f.what.name)
        : QObject::tr("Query parameter %1").arg(f.what.name);
    return f.scheme.isEmpty() ? kind : QObject::tr("%1 (scheme %2)").arg(kind, f.scheme);
}

QString memoryKey(const QString &consumer, const Withheld &w)
{
    return consumer + u'\n' + (w.kind == Withheld::Kind::Header ? u'h' : u'q') + w.name.toLower();
}

// Adds one supplied value to the options, with its note; false when it cannot go on the wire.
bool supply(
    capture::ReplayOptions &options, const CredentialDialog::Field &f, const QString &value, bool remembered)
{
    const QString how = remembered ? QStringLiteral(" (remembered for this session)") : QString();
    if (f.token) {
        filters::auth::ReplayCredentials::Ask ask;
        ask.scheme = f.scheme;
        ask.header = f.what.name.toLatin1();
        if (!filters::auth::supplyToken(options, ask, value.toUtf8()))
            return false;
        options.notes.last() += how;
        return true;
    }
    if (f.what.kind == Withheld::Kind::Header) {
        const QByteArray v = value.trimmed().toUtf8();
        if (std::any_of(v.begin(), v.end(), [](char c) { return uchar(c) < 0x20 || uchar(c) == 0x7f; }))
            return false;
        options.headers.append({ f.what.name.toLatin1(), v });
        options.notes << QStringLiteral("header %1 supplied for the replay%2").arg(f.what.name, how);
    } else {
        options.query.append({ f.what.name, value });
        options.notes << QStringLiteral("query parameter %1 supplied for the replay%2").arg(f.what.name, how);
    }
    return true;
}

} // namespace

CredentialDialog::CredentialDialog(qint64 exchangeId, const QString &consumer, const QList<Field> &fields,
    const QStringList &reasons, QWidget *parent)
    : QDialog(parent)
    , m_remember(new QCheckBox(tr("Remember for this session (kept in memory, never saved)"), this))
{
    setWindowTitle(tr("Replay #%1: credentials").arg(exchangeId));
    auto *form = new QFormLayout(this);
    QString intro = consumer.isEmpty()
        ? tr("The capture redacted these values. Without them the gateway will most likely refuse the "
             "replay.")
        : tr("The capture redacted these values of consumer %1. Without them the gateway will most likely "
             "refuse the replay.")
              .arg(consumer.toHtmlEscaped());
    for (const QString &r : reasons)
        intro += QStringLiteral("<br>• ") + r.toHtmlEscaped();
    auto *label = new QLabel(intro, this);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    form->addRow(label);
    for (const Field &f : fields) {
        auto *edit = new QLineEdit(this);
        edit->setEchoMode(QLineEdit::Password);
        edit->setPlaceholderText(
            f.token ? tr("the token (sent as Bearer TOKEN)") : tr("leave empty to leave it out"));
        edit->setMinimumWidth(320);
        form->addRow(fieldLabel(f), edit);
        m_edits << edit;
    }
    form->addRow(m_remember);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *send = buttons->addButton(tr("Send"), QDialogButtonBox::AcceptRole);
    send->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

QString CredentialDialog::value(int field) const
{
    return field >= 0 && field < m_edits.size() ? m_edits.at(field)->text().trimmed() : QString();
}

bool CredentialDialog::remember() const
{
    return m_remember->isChecked();
}

bool CredentialPrompt::complete(const capture::Exchange &original, const ReplayWorkspace &where,
    capture::ReplayOptions &options, QWidget *parent)
{
    QList<filters::auth::ReplayCredentials::Ask> asks;
    QStringList reasons;
    if (where.workspace) {
        const auto restored
            = filters::auth::restoreCredentials(original, *where.workspace, options, where.listeners);
        restored.applyTo(options);
        asks = restored.asks;
        reasons = restored.problems;
    } else {
        reasons << QObject::tr("no workspace is running to restore them from");
    }
    QList<CredentialDialog::Field> fields;
    for (const Withheld &w : capture::Replayer::withheld(original, options)) {
        CredentialDialog::Field f { w, {}, false };
        for (const auto &a : asks) {
            if (w.kind == Withheld::Kind::Header
                && w.name.compare(QString::fromLatin1(a.header), Qt::CaseInsensitive) == 0) {
                f.scheme = a.scheme;
                f.token = true;
            }
        }
        const auto known = m_remembered.constFind(memoryKey(original.consumer, w));
        if (known == m_remembered.cend())
            fields << f;
        else if (!known->isEmpty())
            supply(options, f, *known, true);
    }
    if (fields.isEmpty())
        return true;
    CredentialDialog dialog(original.id, original.consumer, fields, reasons, parent);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    for (int i = 0; i < fields.size(); ++i) {
        const QString value = dialog.value(i);
        const bool ok = value.isEmpty() || supply(options, fields.at(i), value, false);
        if (dialog.remember())
            m_remembered.insert(memoryKey(original.consumer, fields.at(i).what), ok ? value : QString());
    }
    return true;
}

} // namespace portico::ui
