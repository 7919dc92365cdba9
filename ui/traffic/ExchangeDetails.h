#pragma once

#include "core/capture/Exchange.h"
#include "core/grpc/Schema.h"

#include <QWidget>

#include <functional>

class QLabel;
class QPlainTextEdit;
class QTabWidget;

namespace portico::ui {

class BodyView;
class TimingWaterfall;

// The selected exchange in full: an overview with the timing waterfall and the trace link, and
// the request and response heads and bodies.
class ExchangeDetails final : public QWidget
{
    Q_OBJECT

public:
    explicit ExchangeDetails(QWidget *parent = nullptr);

    // The schemas that decode a gRPC call's messages (the running workspace's), asked at each
    // exchange shown; without one, or for a method it does not know, the raw frames are shown.
    void setGrpcSchemaProvider(std::function<grpc::SchemaPtr()> provider) { m_schema = std::move(provider); }
    void setExchange(const capture::Exchange &e);
    void clear();
    const capture::Exchange &exchange() const { return m_exchange; }
    BodyView *requestBody() const { return m_requestBody; }
    BodyView *responseBody() const { return m_responseBody; }
    QTabWidget *tabs() const { return m_tabs; }

    static QString headText(const capture::HeaderList &headers);

Q_SIGNALS:
    // The trace id link was clicked: show every exchange of that trace.
    void traceRequested(const QString &traceId);

private:
    QTabWidget *m_tabs;
    QLabel *m_summary;
    QLabel *m_timingTitle;
    TimingWaterfall *m_waterfall;
    QLabel *m_notes;
    QPlainTextEdit *m_requestHead;
    BodyView *m_requestBody;
    QPlainTextEdit *m_responseHead;
    BodyView *m_responseBody;
    capture::Exchange m_exchange;
    std::function<grpc::SchemaPtr()> m_schema;
};

} // namespace portico::ui
