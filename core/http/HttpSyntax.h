#pragma once

#include <QByteArrayView>

namespace portico::http {

// The HTTP grammar checks shared by every place that takes a name or value from configuration or
// from the wire and puts it into a message.

// An RFC 9110 token (section 5.6.2): one or more of ALPHA, DIGIT and !#$%&'*+-.^_`|~. Field
// names and methods are tokens.
bool isToken(QByteArrayView s);
// A field value the gateway may write: no CR, LF or NUL, the bytes that would split or end a
// header (RFC 9110 section 5.5). See HttpHeaders::isSafeValue for the stricter check.
bool isFieldValue(QByteArrayView value);

} // namespace portico::http
