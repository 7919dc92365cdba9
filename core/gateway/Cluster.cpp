#include "core/gateway/Cluster.h"

#include "core/http/SocketAddress.h"
#include "core/http/TlsContext.h"

#include <QCryptographicHash>
#include <QMutexLocker>
#include <QSslConfiguration>
#include <QSslSocket>

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
{
}

namespace {
void describeTarget(TargetState *state, const QUrl &url)
{
    state->url = url;
    state->urlText = url.toString();
    state->tls = url.scheme() == u"https";
    state->hostName = url.host();
    state->port = quint16(url.port(state->tls ? 443 : 80));
    state->hostHeader
        = (state->hostName.contains(u':') ? u'[' + state->hostName + u']' : state->hostName).toUtf8();
    if (url.port() >= 0)
        state->hostHeader += ':' + QByteArray::number(state->port);
}

QByteArray poolKey(const TargetState &t)
{
    return (t.tls ? "https://" : "http://") + t.address.toString().toUtf8() + ':' + QByteArray::number(t.port)
        + (t.tls ? '/' + t.hostName.toUtf8() : QByteArray());
}
} // namespace

std::shared_ptr<Cluster> Cluster::forOrigin(
    const QUrl &url, const QHostAddress &address, std::shared_ptr<const http::TlsContext> tls)
{
    config::Upstream u;
    u.name = QString(); // captured exchanges name no upstream: the app chose the server
    u.targets = { config::Target { url, 1 } };
    u.connectTimeout = config::Duration(10'000);
    u.responseTimeout = config::Duration(120'000);
    std::shared_ptr<Cluster> c(new Cluster(u));
    c->m_tls = std::move(tls);
    auto state = std::make_unique<TargetState>();
    describeTarget(state.get(), url);
    state->address = address;
    state->key = poolKey(*state);
    c->m_targets.push_back(std::move(state));
    c->m_current.assign(1, 0);
    return c;
}

std::shared_ptr<Cluster> Cluster::create(const config::Upstream &upstream, QString *error)
{
    std::shared_ptr<Cluster> c(new Cluster(upstream));
    for (const config::Target &t : upstream.targets) {
        auto state = std::make_unique<TargetState>();
        describeTarget(state.get(), t.url);
        state->weight = std::max(1, t.weight);
        // Prefer IPv4 for "localhost"-style names: most dev servers listen on 127.0.0.1.
        const QHostAddress addr = http::resolveHost(state->hostName, http::AddressPreference::IPv4);
        if (addr.isNull()) {
            if (error)
                *error = QStringLiteral("upstream '%1': cannot resolve host '%2'")
                             .arg(upstream.name, state->hostName);
            return nullptr;
        }
        state->address = addr;
        state->key = poolKey(*state);
        c->m_targets.push_back(std::move(state));
    }
    c->m_current.assign(c->m_targets.size(), 0);
    if (std::any_of(c->m_targets.cbegin(), c->m_targets.cend(), [](const auto &t) { return t->tls; })) {
        // Copied from the default configuration when the config is compiled (tests add CAs there).
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
        // HTTP/2 over TLS is agreed on with ALPN; the session refuses a target that does not say h2.
        if (upstream.protocol == config::UpstreamProtocol::H2)
            tls.setAllowedNextProtocols({ QByteArrayLiteral("h2") });
        QString tlsError;
        c->m_tls = http::TlsContext::client(tls, &tlsError);
        if (!c->m_tls) {
            if (error)
                *error = QStringLiteral("upstream '%1': %2").arg(upstream.name, tlsError);
            return nullptr;
        }
    }
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
