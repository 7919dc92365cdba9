#pragma once

#include "core/capture/Exchange.h"

#include <QDialog>

class QPlainTextEdit;
class QTableWidget;

namespace portico::ui {

// Two exchanges side by side: the list of changes (status, headers, JSON paths of the bodies)
// above, both responses in full below.
class DiffDialog final : public QDialog
{
    Q_OBJECT

public:
    DiffDialog(const capture::Exchange &a, const capture::Exchange &b, QWidget *parent = nullptr);

    QTableWidget *changesTable() const { return m_changes; }
    static QString responseText(const capture::Exchange &e);

private:
    QTableWidget *m_changes;
    QPlainTextEdit *m_left;
    QPlainTextEdit *m_right;
};

} // namespace portico::ui
