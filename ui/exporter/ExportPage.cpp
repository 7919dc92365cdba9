#include "ui/exporter/ExportPage.h"

#include "core/export/Exporter.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/widgets/SaveFolder.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

namespace portico::ui {

ExportPage::ExportPage(WorkspaceDocument *document, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_target(new QComboBox(this))
    , m_output(new QPlainTextEdit(this))
    , m_warnings(new QListWidget(this))
    , m_warningsLabel(new QLabel(this))
    , m_save(new QPushButton(tr("Save…"), this))
    , m_saved(new QLabel(this))
    , m_debounce(new QTimer(this))
{
    auto *title = new QLabel(tr("Export"), this);
    title->setObjectName(QStringLiteral("sectionTitle"));
    auto *hint = new QLabel(tr("The same workspace as configuration for a production gateway."), this);
    hint->setObjectName(QStringLiteral("sectionHint"));
    m_target->addItems(exporter::exportTargets());
    m_output->setReadOnly(true);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setObjectName(QStringLiteral("exportOutput"));
    m_warnings->setObjectName(QStringLiteral("exportWarnings"));
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Target"), this));
    bar->addWidget(m_target);
    bar->addStretch(1);
    m_saved->setObjectName(QStringLiteral("exportSaved"));
    m_saved->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_saved);
    bar->addWidget(m_save);
    auto *warningsBox = new QWidget(this);
    auto *wl = new QVBoxLayout(warningsBox);
    wl->setContentsMargins(0, 0, 0, 0);
    wl->addWidget(m_warningsLabel);
    wl->addWidget(m_warnings);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_output);
    split->addWidget(warningsBox);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->addWidget(title);
    layout->addWidget(hint);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_target, &QComboBox::currentTextChanged, this, &ExportPage::regenerate);
    connect(document, &WorkspaceDocument::changed, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, &ExportPage::regenerate);
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path
            = QFileDialog::getSaveFileName(this, tr("Save exported configuration"), defaultSavePath());
        if (!path.isEmpty())
            saveTo(path);
    });
    regenerate();
}

void ExportPage::regenerate()
{
    const exporter::ExportResult result = exporter::exportWorkspace(m_document->workspace(), m_target->currentText());
    m_suggestedName = result.suggestedFileName;
    m_files = result.files;
    const QString text = result.error.isEmpty() ? QString::fromUtf8(result.text) : result.error;
    if (m_output->toPlainText() != text)
        m_output->setPlainText(text);
    m_warnings->clear();
    for (const QString &w : result.warnings)
        m_warnings->addItem(QStringLiteral("⚠ ") + w);
    m_warningsLabel->setText(result.warnings.isEmpty()
                                 ? tr("Everything in the workspace maps to %1.").arg(m_target->currentText())
                                 : tr("%n feature(s) that %1 cannot express:", nullptr, int(result.warnings.size()))
                                       .arg(m_target->currentText()));
    m_warnings->setVisible(!result.warnings.isEmpty());
    m_save->setEnabled(result.error.isEmpty());
}

bool ExportPage::saveTo(const QString &path)
{
    QList<std::pair<QString, QByteArray>> writes { { path, m_output->toPlainText().toUtf8() } };
    QStringList extra;
    for (const exporter::ExportFile &f : std::as_const(m_files)) {
        writes.append({ QFileInfo(path).absoluteDir().filePath(f.name), f.content });
        extra << f.name;
    }
    for (const auto &[where, content] : writes) {
        QSaveFile file(where);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit()) {
            QMessageBox::warning(
                this, tr("Cannot save"), tr("Cannot write %1: %2").arg(where, file.errorString()));
            m_saved->setText(tr("Not saved"));
            return false;
        }
    }
    rememberSaveFolder(path);
    const QString target = QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath());
    m_saved->setText(extra.isEmpty() ? tr("Saved %1 to %2").arg(m_target->currentText(), target)
                                     : tr("Saved %1 to %2 (and %3 beside it)")
                                           .arg(m_target->currentText(), target, extra.join(u", ")));
    return true;
}

QString ExportPage::defaultSavePath() const
{
    return defaultSaveFolder(m_document->filePath()) + u'/' + m_suggestedName;
}

} // namespace portico::ui
