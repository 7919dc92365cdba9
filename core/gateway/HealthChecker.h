#pragma once

#include "core/gateway/Cluster.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

class QNetworkAccessManager;

namespace portico::gateway {

// Active health checks: GET <target><health_check.path> every `interval`; a 2xx/3xx answer within
// `timeout` is a success. `unhealthy_after` failures in a row take a target out of rotation,
// `healthy_after` successes bring it back. Runs on the control thread; one timer per cluster.
class HealthChecker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthChecker)

public:
    explicit HealthChecker(QObject *parent = nullptr);
    ~HealthChecker() override;

    // Replaces the set of clusters checked (after a config reload).
    void setClusters(const std::vector<std::shared_ptr<Cluster>> &clusters);

Q_SIGNALS:
    void targetHealthChanged(const QString &upstream, const QString &target, bool healthy);

private:
    struct Entry
    {
        std::shared_ptr<Cluster> cluster;
        QTimer *timer = nullptr;
    };
    void checkCluster(const std::shared_ptr<Cluster> &cluster);
    void record(const std::shared_ptr<Cluster> &cluster, TargetState *target, bool ok);

    QNetworkAccessManager *m_network;
    std::vector<Entry> m_entries;
};

} // namespace portico::gateway
