#include "ui/widgets/SizeEdit.h"

#include "core/config/ValueFormats.h"

namespace portico::ui {

SizeEdit::SizeEdit(QWidget *parent)
    : ParsedEdit(
        [](const QString &text) {
            return config::parseSize(text) ? QString() : tr("'%1' is not a size (use 512, 64KiB, 10MiB)").arg(text);
        },
        parent)
{
    setPlaceholderText(QStringLiteral("64KiB"));
    connect(this, &ParsedEdit::committed, this, [this](const QString &text) {
        if (const auto bytes = config::parseSize(text))
            Q_EMIT sizeCommitted(*bytes);
    });
}

void SizeEdit::setSize(qint64 bytes) { setValueText(config::formatSize(bytes)); }

std::optional<qint64> SizeEdit::size() const { return config::parseSize(text().trimmed()); }

} // namespace portico::ui
