#include "core/gateway/Cluster.h"

#include "core/http/SocketAddress.h"

#include <QCryptographicHash>
#include <QMutexLocker>

#include <algorithm>

namespace portico::gateway {

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Cluster::Cluster(const config::Upstream &upstream)
    : m_config(upstream)
    , m_tls(QSslConfiguration::defaultConfiguration())
{
    m_tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    // HTTP/2 over TLS is agreed on with ALPN; the session refuses a target that does not say h2.
    if (upstream.protocol == config::UpstreamProtocol::H2)
        m_tls.setAllowedNextProtocols({ QByteArrayLiteral("h2") });
}

std::shared_ptr<Cluster> Cluster::create(const config::Upstream &upstream, QString *error)
{
    std::shared_ptr<Cluster> c(new Cluster(upstream));
    for (const config::Target &t : upstream.targets) {
        auto state = std::make_unique<TargetState>();
        state->url = t.url;
        state->urlText = t.url.toString();
        state->tls = t.url.scheme() == u"https";
        state->hostName = t.url.host();
        state->port = quint16(t.url.port(state->tls ? 443 : 80));
        state->weight = std::max(1, t.weight);
        const bool defaultPort = t.url.port() < 0;
        state->hostHeader = (state->hostName.contains(u':') ? u'[' + state->hostName + u']' : state->hostName).toUtf8();
        if (!defaultPort)
            state->hostHeader += ':' + QByteArray::number(state->port);
        // Prefer IPv4 for "localhost"-style names: most dev servers listen on 127.0.0.1.
        const QHostAddress addr = http::resolveHost(state->hostName, http::AddressPreference::IPv4);
        if (addr.isNull()) {
            if (error)
                *error = QStringLiteral("upstream '%1': cannot resolve host '%2'")
                             .arg(upstream.name, state->hostName);
            return nullptr;
        }
        state->address = addr;
        state->key = (state->tls ? "https://" : "http://") + addr.toString().toUtf8() + ':'
            + QByteArray::number(state->port) + (state->tls ? '/' + state->hostName.toUtf8() : QByteArray());
        c->m_targets.push_back(std::move(state));
    }
    c->m_current.assign(c->m_targets.size(), 0);
    return c;
}

TargetState *Cluster::pick(const QHostAddress &client, const std::vector<TargetState *> &exclude)
{
    const qint64 now = steadyMs();
    auto usable = [&](TargetState *t) {
        return t->available(now) && std::find(exclude.begin(), exclude.end(), t) == exclude.end();
    };
    if (m_targets.size() == 1) {
        TargetState *t = m_targets.front().get();
        return usable(t) ? t : nullptr;
    }
    switch (m_config.balance) {
    case config::Balance::IpHash: {
        // Hash the client address onto the usable targets (weights ignored, like nginx ip_hash).
        std::vector<TargetState *> candidates;
        for (auto &t : m_targets) {
            if (usable(t.get()))
                candidates.push_back(t.get());
        }
        if (candidates.empty())
            return nullptr;
        const QByteArray h = QCryptographicHash::hash(client.toString().toUtf8(), QCryptographicHash::Md5);
        quint32 v = 0;
        memcpy(&v, h.constData(), sizeof(v));
        return candidates[v % candidates.size()];
    }
    case config::Balance::LeastConnections: {
        TargetState *best = nullptr;
        double bestScore = 0;
        for (auto &t : m_targets) {
            if (!usable(t.get()))
                continue;
            const double score = double(t->activeRequests.load(std::memory_order_relaxed)) / t->weight;
            if (!best || score < bestScore) {
                best = t.get();
                bestScore = score;
            }
        }
        return best;
    }
    case config::Balance::RoundRobin:
    default: {
        QMutexLocker lock(&m_mutex);
        int total = 0;
        int bestIndex = -1;
        for (size_t i = 0; i < m_targets.size(); ++i) {
            TargetState *t = m_targets[i].get();
            if (!usable(t))
                continue;
            m_current[i] += t->weight;
            total += t->weight;
            if (bestIndex < 0 || m_current[i] > m_current[size_t(bestIndex)])
                bestIndex = int(i);
        }
        if (bestIndex < 0)
            return nullptr;
        m_current[size_t(bestIndex)] -= total;
        return m_targets[size_t(bestIndex)].get();
    }
    }
}

void Cluster::reportFailure(TargetState *t)
{
    t->consecutiveSuccesses.store(0, std::memory_order_relaxed);
    const int failures = t->consecutiveFailures.fetch_add(1, std::memory_order_relaxed) + 1;
    const int threshold = m_config.healthCheck ? m_config.healthCheck->unhealthyAfter : 3;
    if (failures >= threshold && m_targets.size() > 1) {
        // Eject for a while; with active checks configured they bring it back sooner.
        t->ejectedUntilMs.store(steadyMs() + 10'000, std::memory_order_relaxed);
        t->consecutiveFailures.store(0, std::memory_order_relaxed);
    }
}

void Cluster::reportSuccess(TargetState *t)
{
    if (t->consecutiveFailures.load(std::memory_order_relaxed) != 0)
        t->consecutiveFailures.store(0, std::memory_order_relaxed);
}

} // namespace portico::gateway
