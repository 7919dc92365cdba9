#include "core/gateway/Problem.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace portico::gateway {

QString defaultTitle(int status)
{
    return QString::fromLatin1(http::reasonPhrase(status));
}

QByteArray problemBody(const filters::LocalReply &reply, const QByteArray &traceId, const QByteArray &requestId)
{
    QByteArray suffix = reply.typeSuffix;
    if (suffix.isEmpty())
        suffix = QByteArray::number(reply.status);
    QJsonObject o;
    o.insert(QStringLiteral("type"), QStringLiteral("https://portico.dev/problems/") + QString::fromLatin1(suffix));
    o.insert(QStringLiteral("title"), reply.title.isEmpty() ? defaultTitle(reply.status) : reply.title);
    o.insert(QStringLiteral("status"), reply.status);
    if (!reply.detail.isEmpty())
        o.insert(QStringLiteral("detail"), reply.detail);
    if (!traceId.isEmpty())
        o.insert(QStringLiteral("trace_id"), QString::fromLatin1(traceId));
    if (!requestId.isEmpty())
        o.insert(QStringLiteral("request_id"), QString::fromLatin1(requestId));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace portico::gateway
