#pragma once

// gRPC-Web (grpc/grpc doc/PROTOCOL-WEB.md) as bytes: what the gateway needs to turn a gRPC-Web
// request into a native gRPC one and the answer back, each piece working on a stream split
// anywhere, never holding a whole body.
//
//   application/grpc-web[+proto]        the native length-prefixed frames, as they are
//   application/grpc-web-text[+proto]   the same frames in base64
//
// A frame is a flags byte, a 4-byte big-endian length and the payload. Flag 0x80 marks the trailer
// frame, the last of a response, whose payload is the trailers as "name: value\r\n" lines (names in
// lower case); 0x01 marks a compressed message.

#include "core/http/HttpHeaders.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <vector>

namespace portico::gateway::grpc {

enum class WebMode { None, Binary, Text };

constexpr unsigned char kCompressedFlag = 0x01;
constexpr unsigned char kTrailerFlag = 0x80;
constexpr int kFrameHeader = 5;

// The mode a request's Content-Type asks for: application/grpc-web and application/grpc-web+FMT
// are Binary, application/grpc-web-text and application/grpc-web-text+FMT Text; case-insensitive,
// parameters (";...") ignored. Anything else is None.
WebMode webModeOf(QByteArrayView contentType);
// application/grpc-web[-text][+FMT] -> application/grpc[+FMT].
QByteArray nativeContentType(QByteArrayView webContentType);
// Whether a Content-Type is native gRPC: application/grpc or application/grpc+FMT.
bool isNativeGrpc(QByteArrayView contentType);
// application/grpc[+FMT] -> application/grpc-web[+FMT] or application/grpc-web-text[+FMT].
QByteArray webContentType(QByteArrayView nativeContentType, WebMode mode);

// Base64 (RFC 4648, standard alphabet, padded) decoded as it streams: the input may be split at
// any offset. Each 4-character quantum decodes on its own, so padded pieces may follow each other
// (clients that encode every message apart do that). Anything outside the alphabet, padding in
// the wrong place, or (at finish) an incomplete quantum is an error.
class Base64Decoder
{
public:
    // Appends what `in` completes to `out`; false on bad input (error() says why; stays failed).
    bool feed(QByteArrayView in, QByteArray &out);
    bool finish(); // false when a quantum is left incomplete
    const QString &error() const { return m_error; }

private:
    bool fail(const QString &why);

    unsigned char m_quantum[4] = {};
    int m_have = 0;
    qint64 m_offset = 0; // characters read, for the error message
    QString m_error;
};

// Base64 encoded as it streams: whole 3-byte groups go out at once, up to two bytes wait for the
// next piece; finish() pads what is left. The pieces concatenated are one valid base64 text.
class Base64Encoder
{
public:
    void feed(QByteArrayView in, QByteArray &out);
    void finish(QByteArray &out);

private:
    unsigned char m_carry[2] = {};
    int m_have = 0;
};

// Follows the frames of a body as it streams (without keeping payloads): refuses flags other
// than 0x00/0x01 (and 0x80 where `trailerAllowed`), a frame longer than `maxLength`, anything
// after a trailer frame, and (at finish) a body that stops inside a frame.
class FrameTracker
{
public:
    FrameTracker(bool trailerAllowed, quint32 maxLength);
    bool feed(QByteArrayView in);
    bool finish();
    const QString &error() const { return m_error; }
    qint64 frames() const { return m_frames; }

private:
    bool fail(const QString &why);

    bool m_trailerAllowed;
    quint32 m_maxLength;
    unsigned char m_header[kFrameHeader] = {};
    int m_headerHave = 0;
    quint32 m_remaining = 0;
    bool m_inPayload = false;
    bool m_sawTrailer = false;
    qint64 m_frames = 0;
    QString m_error;
};

// The trailer frame for `trailers`: pseudo-fields and values that could break a line are left
// out; names in lower case.
QByteArray trailerFrame(const http::HttpHeaders &trailers);

// What a gRPC-Web client does with an answer (tests, the fuzzer): the frames of a whole binary
// body, and the fields of a trailer frame's payload. False with `error` set on a malformed body:
// a frame longer than what remains, a line without ':' or CRLF, a name that is not a token.
struct Frame
{
    unsigned char flags = 0;
    QByteArray payload;
};
bool parseFrames(QByteArrayView body, std::vector<Frame> *out, QString *error);
bool parseTrailers(QByteArrayView payload, http::HttpHeaders *out, QString *error);

} // namespace portico::gateway::grpc
