#pragma once

#include "core/admin/AdminReply.h"
#include "core/admin/HarExport.h"
#include "core/capture/Exchange.h"

#include <QUrlQuery>

#include <memory>
#include <optional>

namespace portico::capture {
class CaptureReader;
}
namespace portico::gateway {
class Gateway;
}

namespace portico::admin {

// The read side of the admin API over the gateway's capture database:
//   GET /exchanges?filter=&limit=&before=   newest first: {"exchanges": [...], "next_before", "partial"}
//   GET /exchanges/{id}                     one exchange in full (404 if none)
//   GET /exchanges.har?filter=              HAR 1.2, oldest first: harExport() checks the call and
//                                           AdminServer runs the HarExport on a thread of its own
// Reads see every exchange finished before the call (the store is flushed first). A bad filter
// answers 400 with the column of the offending term; capture off answers 503.
// Lives on the admin server's thread (one reader connection, reopened when capture moves).
class ExchangesEndpoint
{
public:
    explicit ExchangesEndpoint(gateway::Gateway &gateway);
    ~ExchangesEndpoint();
    ExchangesEndpoint(const ExchangesEndpoint &) = delete;
    ExchangesEndpoint &operator=(const ExchangesEndpoint &) = delete;

    AdminReply list(const QUrlQuery &query);
    AdminReply get(const QString &id);
    // The export GET /exchanges.har asks for, or the reply that explains why there is none.
    std::optional<HarExport> harExport(const QUrlQuery &query, AdminReply *error);

    // The exchange to replay, or the reply that explains why there is none.
    std::optional<capture::Exchange> find(const QString &id, AdminReply *error);

    // A query value with `+` read as a space, as HTML forms and many clients send it.
    static QString queryValue(const QUrlQuery &query, const QString &key);

private:
    capture::CaptureReader *reader(AdminReply *error);

    gateway::Gateway &m_gateway;
    std::unique_ptr<capture::CaptureReader> m_reader;
    QString m_readerPath;
};

} // namespace portico::admin
