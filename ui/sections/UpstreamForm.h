#pragma once

#include "ui/sections/ItemForm.h"

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace portico::ui {

class DurationEdit;
class RowsEditor;
class TargetHealth;

// One upstream: name, targets with weights, protocol, balancing, timeouts, retries and health check.
class UpstreamForm final : public ItemForm
{
    Q_OBJECT

public:
    explicit UpstreamForm(WorkspaceDocument *document, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    RowsEditor *targetsEditor() const { return m_targets; }
    QComboBox *protocolCombo() const { return m_protocol; }
    // What the running gateway says about this upstream's targets, shown under them.
    void setHealth(TargetHealth *health);
    QLabel *healthLabel() const { return m_targetHealth; }

protected:
    void load(const config::Workspace &ws, int row) override;

private:
    void commitHealth();
    void markTargets();
    void showHealth();

    QLineEdit *m_name;
    RowsEditor *m_targets;
    QComboBox *m_protocol;
    QComboBox *m_balance;
    DurationEdit *m_connect;
    DurationEdit *m_response;
    QSpinBox *m_retries;
    QGroupBox *m_health;
    QLineEdit *m_healthPath;
    DurationEdit *m_healthInterval;
    DurationEdit *m_healthTimeout;
    QSpinBox *m_unhealthyAfter;
    QSpinBox *m_healthyAfter;
    QLabel *m_targetHealth;
    TargetHealth *m_healthSource = nullptr;
};

} // namespace portico::ui
