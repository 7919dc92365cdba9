#include "ui/sections/ConsumerForm.h"

#include "ui/models/RowsModel.h"
#include "ui/widgets/FieldBox.h"
#include "ui/widgets/FormRows.h"
#include "ui/widgets/ListEdit.h"
#include "ui/widgets/RowsEditor.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace portico::ui {

ConsumerForm::ConsumerForm(WorkspaceDocument *document, QWidget *parent)
    : ItemForm(document, parent)
    , m_name(new QLineEdit(this))
    , m_tier(new QComboBox(this))
    , m_groups(new ListEdit(this))
    , m_keys(new RowsEditor({ tr("API key") }, this))
    , m_generate(new QPushButton(tr("Generate key"), this))
    , m_copy(new QPushButton(tr("Copy key"), this))
    , m_subject(new QLineEdit(this))
{
    m_groups->setPlaceholderText(tr("no groups (e.g. admins, beta)"));
    m_subject->setPlaceholderText(tr("the JWT consumer claim that identifies this consumer"));
    m_generate->setToolTip(tr("Add a new random API key (32 bytes, base64url)"));
    auto *keys = new QWidget(this);
    auto *keysLayout = new QVBoxLayout(keys);
    keysLayout->setContentsMargins(0, 0, 0, 0);
    keysLayout->addWidget(m_keys);
    m_copy->setToolTip(tr("Copy the selected API key (the newest when none is selected) to the clipboard"));
    auto *keyButtons = new QHBoxLayout;
    keyButtons->addWidget(m_generate);
    keyButtons->addWidget(m_copy);
    keyButtons->addStretch(1);
    keysLayout->addLayout(keyButtons);

    auto *box = new QWidget(this);
    auto *form = makeForm(box);
    bind(QStringLiteral("name"), addField(form, tr("Name"), m_name));
    bind(QStringLiteral("tier"), addField(form, tr("Tier"), m_tier));
    bind(QStringLiteral("groups"), addField(form, tr("Groups"), m_groups));
    bind(QStringLiteral("api_keys"), addField(form, tr("API keys"), keys));
    bind(QStringLiteral("jwt_subject"), addField(form, tr("JWT subject"), m_subject));
    body()->addWidget(box);

    connect(m_name, &QLineEdit::editingFinished, this, [this] {
        const QString name = m_name->text().trimmed();
        editItem(tr("Rename consumer"), [&](config::Workspace &ws, int row) { ws.consumers[row].name = name; });
    });
    connect(m_tier, &QComboBox::activated, this, [this] {
        const QString tier = m_tier->currentData().toString();
        editItem(tr("Change tier"), [&](config::Workspace &ws, int row) { ws.consumers[row].tier = tier; });
    });
    connect(m_groups, &ListEdit::committed, this, [this](const QStringList &groups) {
        editItem(tr("Change groups"), [&](config::Workspace &ws, int row) { ws.consumers[row].groups = groups; });
    });
    connect(m_keys, &RowsEditor::rowsEdited, this, [this](const QList<QStringList> &rows) {
        QStringList keys;
        for (const QStringList &r : rows)
            keys << r.value(0);
        editItem(tr("Edit API keys"), [&](config::Workspace &ws, int row) { ws.consumers[row].apiKeys = keys; });
    });
    connect(m_generate, &QPushButton::clicked, this, [this] {
        const QString key = generateApiKey();
        editItem(tr("Generate API key"), [&](config::Workspace &ws, int row) { ws.consumers[row].apiKeys << key; });
        // The new key is selected: Copy key copies it.
        m_keys->view()->selectRow(m_keys->model()->rowCount() - 1);
    });
    connect(m_copy, &QPushButton::clicked, this, &ConsumerForm::copyKey);
    connect(m_subject, &QLineEdit::editingFinished, this, [this] {
        const QString subject = m_subject->text().trimmed();
        editItem(tr("Change JWT subject"), [&](config::Workspace &ws, int row) { ws.consumers[row].jwtSubject = subject; });
    });
}

void ConsumerForm::copyKey()
{
    const int rows = m_keys->model()->rowCount();
    if (rows == 0)
        return;
    const QModelIndex current = m_keys->view()->currentIndex();
    const int row = current.isValid() ? current.row() : rows - 1;
    const QString key = m_keys->model()->rows().value(row).value(0);
    if (key.isEmpty())
        return;
    QApplication::clipboard()->setText(key);
    m_copy->setText(tr("Copied"));
    QTimer::singleShot(1500, m_copy, [this] { m_copy->setText(tr("Copy key")); });
}

QString ConsumerForm::generateApiKey()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

void ConsumerForm::load(const config::Workspace &ws, int row)
{
    const config::Consumer &c = ws.consumers.at(row);
    m_name->setText(c.name);
    m_tier->clear();
    m_tier->addItem(tr("— none —"), QString());
    for (const auto &t : ws.tiers)
        m_tier->addItem(t.name, t.name);
    if (!c.tier.isEmpty() && m_tier->findData(c.tier) < 0)
        m_tier->addItem(tr("%1 (missing)").arg(c.tier), c.tier);
    m_tier->setCurrentIndex(m_tier->findData(c.tier));
    m_groups->setList(c.groups);
    QList<QStringList> keys;
    for (const QString &k : c.apiKeys)
        keys << QStringList { k };
    m_keys->setRows(keys);
    m_subject->setText(c.jwtSubject);
}

} // namespace portico::ui
