#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>
#include <utility>

class QIODevice;

namespace portico::admin {

// One answer of the admin API, built by an endpoint and written by AdminServer. Errors are
// application/problem+json (RFC 9457) like the gateway's own, with type, title, status, detail.
// A large body (a HAR export) comes as `bodyDevice` instead of `body`: an open, readable,
// random-access device (typically a QTemporaryFile) sent from its current position to its end in
// bounded chunks; the reply's last owner releases it when the transfer ends or the client leaves.
struct AdminReply
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    std::shared_ptr<QIODevice> bodyDevice;
    QList<std::pair<QByteArray, QByteArray>> headers;

    void addHeader(const QByteArray &name, const QByteArray &value)
    {
        headers.append(std::make_pair(name, value));
    }

    static AdminReply json(const QJsonObject &object, int status = 200);
    static AdminReply raw(QByteArray contentType, QByteArray body, int status = 200);
    static AdminReply stream(QByteArray contentType, std::shared_ptr<QIODevice> device, int status = 200);
    // `typeSuffix` names the problem (https://portico.dev/problems/<suffix>); `extra` adds members
    // such as the list of config problems or the column of a bad filter term.
    static AdminReply problem(int status, const QByteArray &typeSuffix, const QString &title,
        const QString &detail, const QJsonObject &extra = {});
};

} // namespace portico::admin
