#pragma once

#include "support/RecordedRequest.h"

#include <QList>
#include <QMutex>
#include <QMutexLocker>

#include <atomic>

namespace portico::test {

// What LoopbackUpstream's server thread shares with the test thread. Written by the server thread,
// read by tests: the request log behind a mutex, the counters and the health flag atomic.
struct LoopbackState
{
    static constexpr int kMaxRecorded = 1000;

    QString name;
    std::atomic<int> connections { 0 };
    std::atomic<bool> healthy { true };

    mutable QMutex mutex;
    QList<RecordedRequest> requests; // oldest first, at most kMaxRecorded
    int requestCount = 0; // all requests ever, not capped

    void record(const RecordedRequest &request)
    {
        QMutexLocker lock(&mutex);
        ++requestCount;
        requests.append(request);
        if (requests.size() > kMaxRecorded)
            requests.removeFirst();
    }
};

} // namespace portico::test
