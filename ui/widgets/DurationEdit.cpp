#include "ui/widgets/DurationEdit.h"

#include "core/config/ValueFormats.h"

namespace portico::ui {

DurationEdit::DurationEdit(QWidget *parent)
    : ParsedEdit(
        [](const QString &text) {
            return config::parseDuration(text) ? QString()
                                               : tr("'%1' is not a duration (use 250ms, 5s, 1m, 2h, 30d)").arg(text);
        },
        parent)
{
    setPlaceholderText(QStringLiteral("5s"));
    connect(this, &ParsedEdit::committed, this, [this](const QString &text) {
        Q_EMIT durationCommitted(text.isEmpty() ? std::nullopt : config::parseDuration(text));
    });
}

void DurationEdit::setDuration(std::optional<config::Duration> d)
{
    setValueText(d ? config::formatDuration(*d) : QString());
}

std::optional<config::Duration> DurationEdit::duration() const { return config::parseDuration(text().trimmed()); }

} // namespace portico::ui
