#include "core/admin/ExchangesEndpoint.h"

#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/capture/ExchangeJson.h"
#include "core/capture/FilterExpression.h"
#include "core/gateway/Gateway.h"

#include <QJsonArray>

namespace portico::admin {

namespace {

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
constexpr std::chrono::milliseconds kSearchBudget { 2000 };

std::optional<capture::FilterExpression> parseFilter(const QString &text, AdminReply *error)
{
    capture::FilterError fe;
    auto filter = capture::FilterExpression::parse(text, &fe);
    if (!filter) {
        QJsonObject extra;
        extra.insert(QStringLiteral("column"), fe.column);
        extra.insert(QStringLiteral("filter"), text);
        *error = AdminReply::problem(
            400, "invalid-filter", QStringLiteral("Invalid filter"), fe.toString(), extra);
    }
    return filter;
}

AdminReply badParameter(const QString &detail)
{
    return AdminReply::problem(400, "invalid-parameter", QStringLiteral("Invalid parameter"), detail);
}

AdminReply captureDisabled()
{
    return AdminReply::problem(503, "capture-disabled", QStringLiteral("Capture is disabled"),
        QStringLiteral("this workspace does not record exchanges (capture.enabled is false)"));
}

std::optional<qint64> parseId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id <= 0)
        return std::nullopt;
    return id;
}

} // namespace

ExchangesEndpoint::ExchangesEndpoint(gateway::Gateway &gateway)
    : m_gateway(gateway)
{
}

ExchangesEndpoint::~ExchangesEndpoint() = default;

QString ExchangesEndpoint::queryValue(const QUrlQuery &query, const QString &key)
{
    QString raw = query.queryItemValue(key, QUrl::FullyEncoded);
    raw.replace(u'+', QStringLiteral("%20"));
    return QUrl::fromPercentEncoding(raw.toUtf8());
}

capture::CaptureReader *ExchangesEndpoint::reader(AdminReply *error)
{
    capture::CaptureStore *store = m_gateway.captureStore();
    if (!store) {
        *error = captureDisabled();
        return nullptr;
    }
    // Whatever finished before this call is visible to it.
    store->flush();
    const QString path = store->options().databasePath;
    if (!m_reader || m_readerPath != path) {
        auto reader = std::make_unique<capture::CaptureReader>();
        QString why;
        if (!reader->open(path, &why)) {
            *error = AdminReply::problem(503, "capture-unavailable",
                QStringLiteral("Capture database unavailable"), QStringLiteral("%1: %2").arg(path, why));
            return nullptr;
        }
        m_reader = std::move(reader);
        m_readerPath = path;
    }
    return m_reader.get();
}

AdminReply ExchangesEndpoint::list(const QUrlQuery &query)
{
    AdminReply error;
    const auto filter = parseFilter(queryValue(query, QStringLiteral("filter")), &error);
    if (!filter)
        return error;
    int limit = kDefaultLimit;
    if (query.hasQueryItem(QStringLiteral("limit"))) {
        bool ok = false;
        limit = queryValue(query, QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 1 || limit > kMaxLimit)
            return badParameter(QStringLiteral("limit must be a number from 1 to %1").arg(kMaxLimit));
    }
    qint64 before = 0;
    if (query.hasQueryItem(QStringLiteral("before"))) {
        const auto id = parseId(queryValue(query, QStringLiteral("before")));
        if (!id)
            return badParameter(QStringLiteral("before must be an exchange id (a positive number)"));
        before = *id;
    }
    capture::CaptureReader *r = reader(&error);
    if (!r)
        return error;

    const capture::CaptureReader::Page page = r->search(*filter, limit, before, kSearchBudget);
    QJsonArray rows;
    for (const capture::ExchangeSummary &s : page.rows)
        rows.append(capture::summaryToJson(s));
    QJsonObject o;
    o.insert(QStringLiteral("exchanges"), rows);
    o.insert(QStringLiteral("partial"), page.partial);
    if (page.partial && page.resumeBeforeId > 0)
        o.insert(QStringLiteral("next_before"), page.resumeBeforeId);
    else if (page.rows.size() == limit)
        o.insert(QStringLiteral("next_before"), page.rows.last().id);
    else
        o.insert(QStringLiteral("next_before"), QJsonValue(QJsonValue::Null));
    return AdminReply::json(o);
}

std::optional<capture::Exchange> ExchangesEndpoint::find(const QString &idText, AdminReply *error)
{
    const auto id = parseId(idText);
    if (!id) {
        *error = AdminReply::problem(404, "no-such-exchange", QStringLiteral("Not Found"),
            QStringLiteral("'%1' is not an exchange id").arg(idText));
        return std::nullopt;
    }
    capture::CaptureReader *r = reader(error);
    if (!r)
        return std::nullopt;
    auto e = r->get(*id);
    if (!e)
        *error = AdminReply::problem(404, "no-such-exchange", QStringLiteral("Not Found"),
            QStringLiteral("no exchange with id %1").arg(*id));
    return e;
}

AdminReply ExchangesEndpoint::get(const QString &id)
{
    AdminReply error;
    const auto e = find(id, &error);
    if (!e)
        return error;
    // The running workspace's gRPC schemas decode a gRPC call's messages.
    const config::WorkspacePtr ws = m_gateway.workspace();
    return AdminReply::json(capture::exchangeToJson(*e, ws ? ws->grpcSchema.get() : nullptr));
}

std::optional<HarExport> ExchangesEndpoint::harExport(const QUrlQuery &query, AdminReply *error)
{
    const auto filter = parseFilter(queryValue(query, QStringLiteral("filter")), error);
    if (!filter)
        return std::nullopt;
    capture::CaptureStore *store = m_gateway.captureStore();
    if (!store) {
        *error = captureDisabled();
        return std::nullopt;
    }
    // Whatever finished before this call is in the export.
    store->flush();
    const config::WorkspacePtr ws = m_gateway.workspace();
    return HarExport { store->options().databasePath, *filter, ws ? ws->grpcSchema : nullptr };
}

} // namespace portico::admin
