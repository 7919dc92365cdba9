#pragma once

#include "core/capture/Exchange.h"
#include "core/gateway/aggregate/AggregatePlan.h"
#include "core/gateway/RuntimeConfig.h"
#include "core/gateway/UpstreamRequest.h"

#include <QObject>

#include <functional>
#include <memory>
#include <vector>

namespace portico::gateway {

class ExchangeRecorder;
class Worker;

// Serves an `aggregate` route: sends one sub-request per part, in parallel, each through its
// upstream's pool with the route's timeout, collects the answers and merges them (AggregateMerger).
// Every sub-request is captured as its own exchange, linked to the client-facing one by parentId
// and sharing its trace id (each with its own span).
class AggregateFanout final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AggregateFanout)

public:
    struct Context
    {
        Worker *worker = nullptr;
        RuntimeConfigPtr config;
        std::shared_ptr<const AggregatePlan> plan;
        const http::RequestHead *clientRequest = nullptr; // after the route's filters
        ForwardInfo forward;                              // base forwarding info (trace = parent's)
        config::Duration timeout { 30'000 };
        qint64 parentId = 0;
        QString route;
        QString consumer;
        // The client-facing exchange's: each part that reaches a target is one of its upstream
        // attempts (a CLIENT span, with the part's span id) while it is traced. Outlives the fanout.
        ExchangeRecorder *recorder = nullptr;
    };
    using Done = std::function<void(AggregateResponse)>;

    AggregateFanout(Context context, Done done, QObject *parent);
    ~AggregateFanout() override;

    void start();
    void checkTimeouts(qint64 nowMs);

private:
    class Part;
    void partFinished();

    Context m_context;
    Done m_done;
    std::vector<std::unique_ptr<Part>> m_parts;
    bool m_finished = false;
};

} // namespace portico::gateway
