#include "core/gateway/HealthChecker.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace portico::gateway {

HealthChecker::HealthChecker(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
}

HealthChecker::~HealthChecker() = default;

void HealthChecker::setClusters(const std::vector<std::shared_ptr<Cluster>> &clusters)
{
    for (Entry &e : m_entries)
        delete e.timer;
    m_entries.clear();
    for (const auto &cluster : clusters) {
        if (!cluster->config().healthCheck)
            continue;
        Entry e { cluster, new QTimer(this) };
        e.timer->setInterval(int(cluster->config().healthCheck->interval.count()));
        std::weak_ptr<Cluster> weak = cluster;
        connect(e.timer, &QTimer::timeout, this, [this, weak] {
            if (auto c = weak.lock())
                checkCluster(c);
        });
        e.timer->start();
        m_entries.push_back(e);
        checkCluster(cluster); // first verdict now, not one interval later
    }
}

void HealthChecker::checkCluster(const std::shared_ptr<Cluster> &cluster)
{
    const config::HealthCheck &hc = *cluster->config().healthCheck;
    for (auto &t : cluster->targets()) {
        QUrl url = t->url;
        url.setPath(hc.path);
        QNetworkRequest request(url);
        request.setTransferTimeout(int(hc.timeout.count()));
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        request.setRawHeader("User-Agent", "portico-health-check");
        // Probe in the protocol the exchanges use: an h2c-only server (gRPC) answers no HTTP/1.1.
        if (cluster->config().protocol == config::UpstreamProtocol::H2c)
            request.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
        else
            request.setAttribute(QNetworkRequest::Http2AllowedAttribute,
                                 cluster->config().protocol == config::UpstreamProtocol::H2);
        QNetworkReply *reply = m_network->get(request);
        TargetState *target = t.get();
        std::weak_ptr<Cluster> weak = cluster;
        connect(reply, &QNetworkReply::finished, this, [this, reply, weak, target] {
            reply->deleteLater();
            auto c = weak.lock();
            if (!c)
                return;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            record(c, target, reply->error() == QNetworkReply::NoError && status >= 200 && status < 400);
        });
    }
}

void HealthChecker::record(const std::shared_ptr<Cluster> &cluster, TargetState *target, bool ok)
{
    const config::HealthCheck &hc = *cluster->config().healthCheck;
    if (ok) {
        target->consecutiveFailures.store(0);
        const int successes = target->consecutiveSuccesses.fetch_add(1) + 1;
        if (!target->healthy.load() && successes >= hc.healthyAfter) {
            target->healthy.store(true);
            target->ejectedUntilMs.store(0);
            Q_EMIT targetHealthChanged(cluster->name(), target->url.toString(), true);
        } else if (target->healthy.load()) {
            target->ejectedUntilMs.store(0);
        }
    } else {
        target->consecutiveSuccesses.store(0);
        const int failures = target->consecutiveFailures.fetch_add(1) + 1;
        if (target->healthy.load() && failures >= hc.unhealthyAfter) {
            target->healthy.store(false);
            Q_EMIT targetHealthChanged(cluster->name(), target->url.toString(), false);
        }
    }
}

} // namespace portico::gateway
