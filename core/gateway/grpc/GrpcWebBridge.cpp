#include "core/gateway/grpc/GrpcWebBridge.h"

#include "core/gateway/pipeline/DownstreamStream.h"

#include <limits>

namespace portico::gateway::grpc {

namespace {

// The fields of a trailers-only answer that are trailers: they go into the trailer frame.
bool isStatusField(QByteArrayView name)
{
    return http::HttpHeaders::nameEquals(name, "grpc-status")
        || http::HttpHeaders::nameEquals(name, "grpc-message")
        || http::HttpHeaders::nameEquals(name, "grpc-status-details-bin");
}

} // namespace

std::unique_ptr<GrpcWebBridge> GrpcWebBridge::create(const http::RequestHead &request)
{
    // Every request asks: answer the common case without parsing or allocating.
    const QByteArray type = request.headers.value("content-type");
    if (type.size() < 20 || qstrnicmp(type.constData(), "application/grpc-web", 20) != 0)
        return nullptr;
    const WebMode mode = webModeOf(type);
    return mode == WebMode::None ? nullptr : std::make_unique<GrpcWebBridge>(mode);
}

GrpcWebBridge::GrpcWebBridge(WebMode mode)
    : m_mode(mode)
    , m_requestFrames(false, std::numeric_limits<quint32>::max())
{
}

bool GrpcWebBridge::decide(
    bool nativeUpstream, http::RequestHead &request, RequestFraming &framing, QByteArray &pending)
{
    m_decided = true;
    m_translate = nativeUpstream;
    if (m_translate) {
        http::HttpHeaders &h = request.headers;
        h.set("content-type", nativeContentType(h.value("content-type")));
        h.set("te", "trailers");
        if (m_mode == WebMode::Text) {
            // Decoded, the body is shorter by a quarter and more: its length is known only at the end.
            h.remove("content-length");
            if (!framing.bodyless) {
                framing.chunked = true;
                framing.contentLength = -1;
            }
        }
    }
    for (const QByteArray &piece : m_pending) {
        if (m_translate) {
            if (!translate(piece, pending))
                return false;
        } else {
            pending += piece;
        }
    }
    m_pending.clear();
    m_pendingBytes = 0;
    return true;
}

bool GrpcWebBridge::translate(QByteArrayView in, QByteArray &out)
{
    if (!m_error.isEmpty())
        return false;
    if (m_mode == WebMode::Binary) {
        out.append(in);
        if (!m_requestFrames.feed(in)) {
            m_error = m_requestFrames.error();
            return false;
        }
        return true;
    }
    const qsizetype before = out.size();
    if (!m_decoder.feed(in, out)) {
        m_error = m_decoder.error();
        return false;
    }
    if (!m_requestFrames.feed(QByteArrayView(out).sliced(before))) {
        m_error = m_requestFrames.error();
        return false;
    }
    return true;
}

bool GrpcWebBridge::requestBody(const char *data, size_t length, QByteArray &out)
{
    if (!m_decided) {
        m_pending.emplace_back(data, qsizetype(length));
        m_pendingBytes += qint64(length);
        return true;
    }
    if (!m_translate) {
        out.append(data, qsizetype(length));
        return true;
    }
    return translate(QByteArrayView(data, qsizetype(length)), out);
}

bool GrpcWebBridge::requestEnd()
{
    if (!m_translate || !m_error.isEmpty())
        return m_error.isEmpty();
    if (m_mode == WebMode::Text && !m_decoder.finish()) {
        m_error = m_decoder.error();
        return false;
    }
    if (!m_requestFrames.finish()) {
        m_error = m_requestFrames.error();
        return false;
    }
    return true;
}

void GrpcWebBridge::responseHead(http::ResponseHead &head)
{
    if (!m_translate)
        return;
    const QByteArray type = head.headers.value("content-type");
    if (!isNativeGrpc(type) && !(type.isEmpty() && head.headers.contains("grpc-status")))
        return; // not a gRPC answer: it passes as it is
    m_translateResponse = true;
    head.headers.set("content-type",
        webContentType(type.isEmpty() ? QByteArrayLiteral("application/grpc") : type, m_mode));
    head.headers.remove("content-length");
    if (head.endsMessage) {
        // Trailers-only: the status goes in the body's trailer frame, like any other answer's.
        auto &entries = head.headers.entries();
        for (qsizetype i = 0; i < entries.size();) {
            if (isStatusField(entries[i].first)) {
                m_headTrailers.add(entries[i].first, entries[i].second);
                entries.removeAt(i);
            } else {
                ++i;
            }
        }
        head.endsMessage = false;
    }
}

QByteArray GrpcWebBridge::responseBody(const char *data, size_t length)
{
    const QByteArrayView in(data, qsizetype(length));
    if (m_mode == WebMode::Binary)
        return in.toByteArray();
    QByteArray out;
    m_encoder.feed(in, out);
    return out;
}

QByteArray GrpcWebBridge::responseEnd(const http::HttpHeaders &trailers)
{
    http::HttpHeaders all = m_headTrailers;
    for (const auto &[name, value] : trailers.entries())
        all.add(name, value);
    if (!all.contains("grpc-status")) {
        all.add("grpc-status", "13");
        all.add("grpc-message", "upstream sent no grpc-status");
    }
    const QByteArray frame = trailerFrame(all);
    if (m_mode == WebMode::Binary)
        return frame;
    QByteArray out;
    m_encoder.feed(frame, out);
    m_encoder.finish(out);
    return out;
}

} // namespace portico::gateway::grpc
