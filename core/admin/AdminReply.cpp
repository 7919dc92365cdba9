#include "core/admin/AdminReply.h"

#include <QJsonDocument>

namespace portico::admin {

AdminReply AdminReply::json(const QJsonObject &object, int status)
{
    return raw("application/json", QJsonDocument(object).toJson(QJsonDocument::Indented), status);
}

AdminReply AdminReply::raw(QByteArray contentType, QByteArray body, int status)
{
    AdminReply r;
    r.status = status;
    r.contentType = std::move(contentType);
    r.body = std::move(body);
    return r;
}

AdminReply AdminReply::stream(QByteArray contentType, std::shared_ptr<QIODevice> device, int status)
{
    AdminReply r;
    r.status = status;
    r.contentType = std::move(contentType);
    r.bodyDevice = std::move(device);
    return r;
}

AdminReply AdminReply::problem(int status, const QByteArray &typeSuffix, const QString &title,
    const QString &detail, const QJsonObject &extra)
{
    QJsonObject o = extra;
    o.insert(QStringLiteral("type"),
        QStringLiteral("https://portico.dev/problems/") + QString::fromLatin1(typeSuffix));
    o.insert(QStringLiteral("title"), title);
    o.insert(QStringLiteral("status"), status);
    if (!detail.isEmpty())
        o.insert(QStringLiteral("detail"), detail);
    return raw("application/problem+json", QJsonDocument(o).toJson(QJsonDocument::Indented), status);
}

} // namespace portico::admin
