#pragma once

#include "core/config/Workspace.h"
#include "core/filters/Filter.h"
#include "core/gateway/Cluster.h"
#include "core/gateway/aggregate/AggregatePlan.h"
#include "core/gateway/forward/ForwardProxy.h"
#include "core/grpc/Transcoder.h"
#include "core/http/PathNormalizer.h"

#include <QHash>
#include <QRegularExpression>

#include <map>
#include <memory>
#include <vector>

namespace portico::filters {
struct FilterServices;
}

namespace portico::gateway {

struct CompiledRoute
{
    const config::Route *route = nullptr;
    int index = 0; // file order
    QRegularExpression regex;
    QByteArray pathBytes; // prefix / exact path
    QByteArrayList methods;
    std::vector<filters::FilterPtr> filters;
    std::shared_ptr<Cluster> cluster;                          // route.upstream
    std::map<QString, std::shared_ptr<Cluster>> versionClusters; // version -> cluster
    std::shared_ptr<const AggregatePlan> aggregate;    // route.aggregate
    std::shared_ptr<const portico::grpc::Transcoder> transcoder; // route.grpc.transcode
    QByteArray nameBytes;
};

struct RouteMatchResult
{
    const CompiledRoute *route = nullptr;
    // Path the upstream receives before filters run (strip_prefix applied; the version segment of
    // path-versioned routes is left for the versioning filter to remove).
    QByteArray upstreamPath;
};

// Everything the proxy path needs for one config revision, compiled once and never changed:
// workers take a shared_ptr to it per request, so a reload swaps it without stopping anything.
class RuntimeConfig
{
public:
    // Compiles the workspace. `previous` lends its clusters where an upstream is unchanged, so
    // health state survives reloads. Returns null with `errors` filled when something cannot be
    // built (an unresolvable host, an unreadable file).
    static std::shared_ptr<const RuntimeConfig> compile(config::WorkspacePtr workspace,
                                                        const RuntimeConfig *previous,
                                                        filters::FilterServices &services,
                                                        QStringList *errors);

    const config::Workspace &workspace() const { return *m_workspace; }
    config::WorkspacePtr workspacePtr() const { return m_workspace; }
    int revision() const { return m_revision; }
    // How request paths are normalised before match() (gateway.paths).
    const http::PathOptions &pathOptions() const { return m_pathOptions; }

    // Priority: exact paths, then the longest prefix, then regexes; within each, file order.
    // Prefixes match whole segments: /api/users matches /api/users and /api/users/7, not /api/usersx.
    RouteMatchResult match(const http::RequestHead &request, QByteArrayView host) const;

    std::shared_ptr<Cluster> cluster(const QString &name) const;
    // proxy: (null without it); see forward/ForwardProxy.h.
    const ForwardProxy *forwardProxy() const { return m_forwardProxy.get(); }
    const std::vector<std::shared_ptr<Cluster>> &clusters() const { return m_clusterList; }

private:
    bool matchesConstraints(const CompiledRoute &r, const http::RequestHead &request, QByteArrayView host) const;

    config::WorkspacePtr m_workspace;
    int m_revision = 0;
    http::PathOptions m_pathOptions;
    std::vector<std::unique_ptr<CompiledRoute>> m_routes;
    std::vector<const CompiledRoute *> m_prefix; // longest first, then file order
    std::vector<const CompiledRoute *> m_regex;
    std::map<QString, std::shared_ptr<Cluster>> m_clusters;
    std::vector<std::shared_ptr<Cluster>> m_clusterList;
    std::shared_ptr<const ForwardProxy> m_forwardProxy;
};

using RuntimeConfigPtr = std::shared_ptr<const RuntimeConfig>;

// Builds a route's filter chain in the order of core/filters/FilterRegistry.h (FilterChain.cpp).
std::vector<filters::FilterPtr> buildFilterChain(const config::Workspace &ws, const config::Route &route,
                                                 filters::FilterServices &services, QStringList *errors);

} // namespace portico::gateway
