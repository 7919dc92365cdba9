#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

// Small HTTP/1.1 wire helpers shared by LoopbackUpstream (requests) and RawClient (responses).
// They parse exactly what a test sends or receives; no attempt at lenient recovery.
namespace portico::test::wire {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// All values of a header (case-insensitive name), joined by ", " as RFC 9110 allows; empty if absent.
QByteArray headerValue(const Headers &headers, QByteArrayView name);
bool hasHeader(const Headers &headers, QByteArrayView name);
// True if a comma-separated header (Connection, Transfer-Encoding, Upgrade) holds `token`.
bool headerHasToken(const Headers &headers, QByteArrayView name, QByteArrayView token);

// Splits a head (everything before the blank line, without it) into its start line and headers.
// Returns false for a malformed header line (no colon, empty name, obsolete line folding).
bool parseHead(const QByteArray &head, QByteArray *startLine, Headers *headers);

// Decodes a chunked body that starts at buffer[from]. Returns the number of bytes consumed when the
// whole body (including the last chunk and trailers) is present, 0 when more bytes are needed, and -1
// when the framing is malformed. *body (and *trailers, the fields after the last chunk, if given)
// receive the decoded payload only on completion.
qsizetype decodeChunked(const QByteArray &buffer, qsizetype from, QByteArray *body, Headers *trailers = nullptr);

// Encodes one chunk ("size CRLF data CRLF"); an empty `data` gives the last chunk "0 CRLF CRLF".
QByteArray encodeChunk(const QByteArray &data);

// gzip (RFC 1952) wrapper around zlib, for `gzip=1` and for tests that check decompression.
QByteArray gzip(const QByteArray &data);
QByteArray gunzip(const QByteArray &data, bool *ok = nullptr);

} // namespace portico::test::wire
