#pragma once

// Shared by the admin tests: a real gateway with a capture database in a temp dir, the loopback
// upstream behind it, the admin server on port 0, and an HTTP client that spins the event loop
// (the admin server lives on the test's thread, so a blocking client would deadlock it).

#include "core/admin/AdminServer.h"
#include "core/capture/CaptureStore.h"
#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "core/gateway/Gateway.h"
#include "support/LoopbackUpstream.h"
#include "support/TempWorkspace.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTest>
#include <QTimer>

#include <memory>

namespace portico::test {

struct HttpResult
{
    int status = 0; // 0 = no response
    QString error;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// One request with QNetworkAccessManager, waiting (event loop running) up to timeoutMs.
inline HttpResult httpCall(const QByteArray &method, const QUrl &url, const QByteArray &body = {},
    const QList<std::pair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = 10000)
{
    static QNetworkAccessManager *nam = new QNetworkAccessManager;
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    for (const auto &[k, v] : headers)
        request.setRawHeader(k, v);
    QNetworkReply *reply = nam->sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    HttpResult r;
    if (!reply->isFinished()) {
        reply->abort();
        r.error = QStringLiteral("timeout");
    }
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    r.status = status.isValid() ? status.toInt() : 0;
    if (r.status == 0 && r.error.isEmpty())
        r.error = reply->errorString();
    r.body = reply->readAll();
    r.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return r;
}

// A gateway + admin server started from a workspace text with {{UPSTREAM_URL}} (the loopback
// upstream's http://host:port) and {{DIR}} filled in. No `//` in the tests' raw string literals:
// moc takes it for a comment, then finds no test class.
class AdminFixture
{
public:
    QString start(const QString &yaml)
    {
        if (!upstream.isRunning())
            return QStringLiteral("upstream: ") + upstream.errorString();
        const QString path = workspace.writeWorkspace(yaml,
            { { QStringLiteral("UPSTREAM_URL"), upstream.url().toString() },
                { QStringLiteral("DIR"), workspace.dir() } });
        const config::LoadResult r = config::loadWorkspaceFile(path);
        if (!r.ok()) {
            QStringList lines;
            for (const auto &d : r.errors)
                lines << d.toString();
            return lines.join(u'\n');
        }
        gateway = std::make_unique<gateway::Gateway>(SystemClock::instance());
        QStringList errors = gateway->apply(r.workspace);
        if (errors.isEmpty())
            errors = gateway->start();
        if (!errors.isEmpty())
            return errors.join(u'\n');
        admin = std::make_unique<admin::AdminServer>(*gateway);
        QString error;
        if (!admin->start(r.workspace->admin.listen, &error))
            return error;
        return {};
    }

    QUrl gatewayUrl(const QString &pathAndQuery) const
    {
        return QUrl(gateway->listenUrls().first().toString() + pathAndQuery);
    }
    // A worker finishes (counts, captures) an exchange just after its last byte went out, so a
    // client can see the answer first: wait until `rows` exchanges are committed.
    bool waitForStored(quint64 rows, int timeoutMs = 5000)
    {
        capture::CaptureStore *store = gateway->captureStore();
        return store
            && QTest::qWaitFor(
                [&] {
                    store->flush();
                    return store->storedRows() >= rows;
                },
                timeoutMs);
    }

    QUrl adminUrl(const QString &pathAndQuery) const { return QUrl(admin->url().toString() + pathAndQuery); }

    HttpResult adminCall(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body = {},
        QList<std::pair<QByteArray, QByteArray>> headers = {})
    {
        if (!token.isEmpty())
            headers.append({ "Authorization", "Bearer " + token });
        return httpCall(method, adminUrl(pathAndQuery), body, headers);
    }

    ~AdminFixture()
    {
        admin.reset();
        if (gateway)
            gateway->stop();
    }

    LoopbackUpstream upstream;
    TempWorkspace workspace;
    std::unique_ptr<gateway::Gateway> gateway;
    std::unique_ptr<admin::AdminServer> admin;
    QByteArray token; // sent as Bearer by adminCall() when set
};

} // namespace portico::test
