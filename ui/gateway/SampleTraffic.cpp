#include "ui/gateway/SampleTraffic.h"

#include "core/capture/CaptureStore.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>

namespace portico::ui {

SampleTraffic::SampleTraffic(QObject *parent)
    : QObject(parent)
    , m_nam(new QNetworkAccessManager(this))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(250);
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    m_token = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
    connect(m_timer, &QTimer::timeout, this, &SampleTraffic::sendOne);
}

void SampleTraffic::setTarget(const QUrl &gatewayUrl, const config::WorkspacePtr &ws)
{
    m_base = gatewayUrl;
    m_workspace = ws;
}

void SampleTraffic::setPlan(const config::WorkspacePtr &demo)
{
    m_plan = demo;
}

bool SampleTraffic::isDemo(const config::Workspace &ws) const
{
    return m_plan && !ws.filePath.isEmpty() && ws.filePath == m_plan->filePath;
}

void SampleTraffic::markStore(capture::CaptureStore *store)
{
    if (store)
        store->markSamples(m_token);
}

void SampleTraffic::setRunning(bool on)
{
    if (on)
        m_timer->start();
    else
        m_timer->stop();
}

bool SampleTraffic::isRunning() const { return m_timer->isActive(); }

void SampleTraffic::setInterval(int ms) { m_timer->setInterval(ms); }

void SampleTraffic::sendOne()
{
    if (!m_workspace || !m_plan || !m_base.isValid() || !isDemo(*m_workspace))
        return;
    auto *rng = QRandomGenerator::global();
    // The demo's routes still there as shipped (same name and path), and its consumers' keys
    // that the running workspace still gives them.
    const config::Workspace &ws = *m_plan;
    const config::Workspace &live = *m_workspace;
    QList<const config::Route *> routes;
    for (const config::Route &r : ws.routes) {
        for (const config::Route &l : live.routes) {
            if (l.name == r.name && l.match.path == r.match.path)
                routes.append(&r);
        }
    }
    if (routes.isEmpty())
        return;
    const config::Route &route = *routes.at(rng->bounded(int(routes.size())));

    QString path = route.match.path;
    if (route.match.pathKind == config::RouteMatch::PathKind::Regex)
        path = QStringLiteral("/");
    if (route.match.pathKind == config::RouteMatch::PathKind::Prefix) {
        if (route.versions && route.versions->by == config::Versions::By::Path && !route.versions->map.isEmpty()
            && rng->bounded(2) == 0)
            path = QLatin1Char('/') + route.versions->map.at(rng->bounded(int(route.versions->map.size()))).first + path;
        const int pick = rng->bounded(4);
        if (pick == 1)
            path += QStringLiteral("/%1").arg(rng->bounded(1, 5));
    }
    if (rng->bounded(20) == 0)
        path = QStringLiteral("/no/such/route");

    QUrl url = m_base;
    url.setPath(path);
    QNetworkRequest request(url);
    request.setTransferTimeout(5000);
    QString method = route.match.methods.isEmpty() ? QStringLiteral("GET")
                                                   : route.match.methods.at(rng->bounded(int(route.match.methods.size())));
    if (!route.match.hosts.isEmpty() && !route.match.hosts.first().startsWith(u'*'))
        request.setRawHeader("Host", route.match.hosts.first().toUtf8());
    for (const auto &[name, value] : route.match.headers)
        request.setRawHeader(name.toUtf8(), value.toUtf8());

    // Authenticate with an API key when the route takes one; now and then with a wrong one.
    for (const QString &schemeName : route.filters.value<config::AuthConfig>().schemes) {
        const config::AuthScheme *scheme = ws.findAuth(schemeName);
        if (!scheme || scheme->type != config::AuthType::ApiKey || scheme->header.isEmpty())
            continue;
        QStringList keys;
        for (const auto &c : ws.consumers) {
            for (const auto &l : live.consumers) {
                if (l.name != c.name)
                    continue;
                for (const QString &k : c.apiKeys) {
                    if (l.apiKeys.contains(k))
                        keys += k;
                }
            }
        }
        if (keys.isEmpty())
            break;
        const QString key = rng->bounded(10) == 0 ? QStringLiteral("wrong-key") : keys.at(rng->bounded(int(keys.size())));
        request.setRawHeader(scheme->header.toUtf8(), key.toUtf8());
        break;
    }
    QByteArray body;
    if (method == u"POST" || method == u"PUT" || method == u"PATCH") {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        body = QByteArrayLiteral("{\"name\":\"Dana Scully\",\"email\":\"dana@example.com\"}");
    }
    request.setRawHeader("X-Portico-Sample", m_token);
    QNetworkReply *reply = m_nam->sendCustomRequest(request, method.toLatin1(), body);
    connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    ++m_sent;
}

} // namespace portico::ui
