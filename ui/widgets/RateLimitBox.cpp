#include "ui/widgets/RateLimitBox.h"

#include "ui/widgets/DurationEdit.h"
#include "ui/widgets/FieldBox.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>

namespace portico::ui {

using config::RateLimit;

RateLimitBox::RateLimitBox(bool withBy, QWidget *parent)
    : QGroupBox(tr("Rate limit"), parent)
    , m_requests(new QSpinBox(this))
    , m_per(new DurationEdit(this))
    , m_requestsField(new FieldBox(m_requests, this))
    , m_perField(new FieldBox(m_per, this))
{
    setCheckable(true);
    setChecked(false);
    m_requests->setRange(0, 100'000'000);
    m_requests->setSuffix(tr(" requests"));
    m_per->setPlaceholderText(QStringLiteral("1m"));

    auto *form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Allow"), m_requestsField);
    form->addRow(tr("Per"), m_perField);
    if (withBy) {
        m_by = new QComboBox(this);
        m_by->addItem(tr("consumer"), int(RateLimit::By::Consumer));
        m_by->addItem(tr("client IP"), int(RateLimit::By::Ip));
        m_by->addItem(tr("route (shared)"), int(RateLimit::By::Route));
        m_by->addItem(tr("header value"), int(RateLimit::By::Header));
        m_header = new QLineEdit(this);
        m_header->setPlaceholderText(tr("header name"));
        auto *row = new QHBoxLayout;
        row->addWidget(m_by, 1);
        row->addWidget(m_header, 1);
        form->addRow(tr("Counted per"), row);
        connect(m_by, &QComboBox::activated, this, [this] {
            m_header->setEnabled(m_by->currentData().toInt() == int(RateLimit::By::Header));
            emitEdited();
        });
        connect(m_header, &QLineEdit::editingFinished, this, &RateLimitBox::emitEdited);
    }
    connect(this, &QGroupBox::toggled, this, &RateLimitBox::emitEdited);
    connect(m_requests, &QSpinBox::editingFinished, this, &RateLimitBox::emitEdited);
    connect(m_per, &DurationEdit::committed, this, &RateLimitBox::emitEdited);
}

void RateLimitBox::setRateLimit(const std::optional<RateLimit> &limit)
{
    const QSignalBlocker blocker(this);
    setChecked(limit.has_value());
    RateLimit fallback;
    fallback.requests = 60;
    const RateLimit value = limit.value_or(fallback);
    m_requests->setValue(value.requests);
    m_per->setDuration(value.per);
    if (m_by) {
        m_by->setCurrentIndex(m_by->findData(int(value.by)));
        m_header->setText(value.header);
        m_header->setEnabled(value.by == RateLimit::By::Header);
    }
}

std::optional<RateLimit> RateLimitBox::rateLimit() const
{
    if (!isChecked())
        return std::nullopt;
    RateLimit r;
    r.requests = m_requests->value();
    r.per = m_per->duration().value_or(std::chrono::minutes(1));
    if (m_by) {
        r.by = RateLimit::By(m_by->currentData().toInt());
        if (r.by == RateLimit::By::Header)
            r.header = m_header->text().trimmed();
    }
    return r;
}

void RateLimitBox::emitEdited() { Q_EMIT edited(rateLimit()); }

} // namespace portico::ui
