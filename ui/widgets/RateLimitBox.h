#pragma once

#include "core/config/Workspace.h"

#include <QGroupBox>

#include <optional>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace portico::ui {

class DurationEdit;
class FieldBox;

// A checkable group for an optional rate limit: N requests per duration, counted per consumer, IP,
// route or header value (the `by` part is hidden for tiers, which always count per consumer).
class RateLimitBox final : public QGroupBox
{
    Q_OBJECT

public:
    explicit RateLimitBox(bool withBy, QWidget *parent = nullptr);

    void setRateLimit(const std::optional<config::RateLimit> &limit);
    std::optional<config::RateLimit> rateLimit() const;

    QSpinBox *requestsSpin() const { return m_requests; }
    DurationEdit *perEdit() const { return m_per; }
    FieldBox *requestsField() const { return m_requestsField; }
    FieldBox *perField() const { return m_perField; }

Q_SIGNALS:
    void edited(const std::optional<config::RateLimit> &limit);

private:
    void emitEdited();

    QSpinBox *m_requests;
    DurationEdit *m_per;
    QComboBox *m_by = nullptr;
    QLineEdit *m_header = nullptr;
    FieldBox *m_requestsField;
    FieldBox *m_perField;
};

} // namespace portico::ui
