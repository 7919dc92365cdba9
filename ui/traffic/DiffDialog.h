#pragma once

#include "core/capture/Exchange.h"

#include <QDialog>

class QTabWidget;
class QTableWidget;

namespace portico::ui {

// Two exchanges side by side, on two tabs: Responses (status, headers, JSON paths of the bodies)
// and Requests (method, URL, headers, JSON paths of the bodies). Each tab lists the changes above
// and shows both messages in full below. It opens on Responses, or on Requests when the
// responses are the same and the requests are not.
class DiffDialog final : public QDialog
{
    Q_OBJECT

public:
    DiffDialog(const capture::Exchange &a, const capture::Exchange &b, QWidget *parent = nullptr);

    QTableWidget *changesTable() const { return m_changes; } // the responses'
    QTableWidget *requestChangesTable() const { return m_requestChanges; }
    QTabWidget *tabs() const { return m_tabs; }
    static QString responseText(const capture::Exchange &e);
    static QString requestText(const capture::Exchange &e);

private:
    QTabWidget *m_tabs;
    QTableWidget *m_changes;
    QTableWidget *m_requestChanges;
};

} // namespace portico::ui
