#pragma once

#include "core/config/Workspace.h"
#include "ui/widgets/ParsedEdit.h"

#include <optional>

namespace portico::ui {

// A duration in the workspace file's notation (250ms, 5s, 1m, 2h, 30d), parsed and formatted by
// the core (parseDuration/formatDuration) so the GUI accepts exactly what the file accepts.
class DurationEdit final : public ParsedEdit
{
    Q_OBJECT

public:
    explicit DurationEdit(QWidget *parent = nullptr);

    void setDuration(std::optional<config::Duration> d);
    // Empty when the field is empty (optional) or the text does not parse.
    std::optional<config::Duration> duration() const;

Q_SIGNALS:
    void durationCommitted(std::optional<config::Duration> d);
};

} // namespace portico::ui
