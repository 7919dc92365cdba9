#pragma once

#include "core/filters/Filter.h"

#include <QByteArray>

namespace portico::gateway {

// Renders a gateway-generated error as application/problem+json (RFC 9457): type, title, status,
// detail, and the request's trace id and request id.
QByteArray problemBody(const filters::LocalReply &reply, const QByteArray &traceId, const QByteArray &requestId);

// Default title for a status ("Not Found" style from the reason phrase).
QString defaultTitle(int status);

} // namespace portico::gateway
