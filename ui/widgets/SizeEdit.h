#pragma once

#include "ui/widgets/ParsedEdit.h"

#include <optional>

namespace portico::ui {

// A byte size in the workspace file's notation (512, 64KiB, 10MiB), parsed and formatted by the
// core (parseSize/formatSize).
class SizeEdit final : public ParsedEdit
{
    Q_OBJECT

public:
    explicit SizeEdit(QWidget *parent = nullptr);

    void setSize(qint64 bytes);
    std::optional<qint64> size() const;

Q_SIGNALS:
    void sizeCommitted(qint64 bytes);
};

} // namespace portico::ui
