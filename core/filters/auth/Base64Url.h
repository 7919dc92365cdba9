#pragma once

#include <QByteArray>

#include <optional>

namespace portico::filters::auth {

// Strict base64url (RFC 4648 section 5) as JOSE uses it: URL alphabet only, no padding, no
// whitespace. Anything else is malformed (std::nullopt), never silently repaired.
std::optional<QByteArray> decodeBase64Url(QByteArrayView text);
QByteArray encodeBase64Url(QByteArrayView data);

} // namespace portico::filters::auth
