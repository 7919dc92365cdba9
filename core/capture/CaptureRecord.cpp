#include "core/capture/CaptureRecord.h"

#include "core/capture/GrpcCall.h"

#include <algorithm>
#include <vector>

namespace portico::capture {

namespace {

constexpr std::size_t kSparesPerThread = 4;
thread_local std::vector<std::string> t_spares;

} // namespace

void CaptureRecord::reserve(qsizetype bytes)
{
    if (m_data.empty() && !t_spares.empty()) {
        m_data.swap(t_spares.back());
        t_spares.pop_back();
    }
    m_data.reserve(size_t(bytes));
}

std::string CaptureRecord::releaseBuffer()
{
    std::string buffer;
    buffer.swap(m_data);
    buffer.clear();
    m_offset = {};
    m_length = {};
    m_headStart = 0;
    return buffer;
}

bool CaptureRecord::wantsSpare()
{
    return t_spares.size() < kSparesPerThread;
}

void CaptureRecord::adoptSpare(std::string &&buffer)
{
    if (t_spares.size() < kSparesPerThread) {
        if (t_spares.capacity() == 0)
            t_spares.reserve(kSparesPerThread);
        t_spares.push_back(std::move(buffer));
    }
}

void CaptureRecord::set(Field f, QByteArrayView utf8)
{
    m_offset[f] = quint32(m_data.size());
    m_length[f] = quint32(utf8.size());
    m_data.append(utf8.data(), size_t(utf8.size()));
}

void CaptureRecord::append(Field f, QByteArrayView bytes)
{
    const size_t length = m_length[f];
    if (length == 0 || m_offset[f] + length != m_data.size()) {
        // Not at the end: move what the field has to the end (reserved first, so that the
        // source stays valid while it is copied).
        m_data.reserve(m_data.size() + length + size_t(bytes.size()));
        const size_t at = m_data.size();
        m_data.append(m_data.data() + m_offset[f], length);
        m_offset[f] = quint32(at);
    }
    m_data.append(bytes.data(), size_t(bytes.size()));
    m_length[f] = quint32(length + size_t(bytes.size()));
}

void CaptureRecord::setJoined(Field f, std::initializer_list<QByteArrayView> parts)
{
    const size_t at = m_data.size();
    for (QByteArrayView part : parts)
        m_data.append(part.data(), size_t(part.size()));
    m_offset[f] = quint32(at);
    m_length[f] = quint32(m_data.size() - at);
}

void CaptureRecord::setText(Field f, const QString &text)
{
    const ushort *p = text.utf16();
    const qsizetype size = text.size();
    if (std::any_of(p, p + size, [](ushort c) { return c >= 0x80; })) {
        set(f, QByteArrayView(text.toUtf8()));
        return;
    }
    const size_t at = m_data.size();
    m_data.resize(at + size_t(size));
    std::copy(p, p + size, m_data.begin() + qsizetype(at));
    m_offset[f] = quint32(at);
    m_length[f] = quint32(size);
}

void CaptureRecord::beginHead(Field)
{
    m_headStart = qsizetype(m_data.size());
    m_data += '\n';
}

void CaptureRecord::addHeader(QByteArrayView name, QByteArrayView value)
{
    m_data.append(name.data(), size_t(name.size()));
    m_data.append(": ", 2);
    m_data.append(value.data(), size_t(value.size()));
    m_data += '\n';
}

void CaptureRecord::endHead(Field f)
{
    m_offset[f] = quint32(m_headStart);
    m_length[f] = quint32(qsizetype(m_data.size()) - m_headStart);
}

void CaptureRecord::setHead(Field f, const HeaderList &headers)
{
    beginHead(f);
    for (const auto &h : headers)
        addHeader(h.first, h.second);
    endHead(f);
}

void CaptureRecord::dropBodies(const QString &note)
{
    CaptureRecord r;
    r.n = n;
    r.n.bodiesDropped = true;
    const QByteArray noteUtf8 = note.toUtf8();
    qsizetype size = noteUtf8.size() + 1;
    for (int f = 0; f < RequestBody; ++f)
        size += m_length[f];
    r.reserve(size);
    for (int f = 0; f < RequestBody; ++f) {
        if (f == Notes)
            continue;
        r.set(Field(f), view(Field(f)));
    }
    if (isEmpty(Notes)) {
        r.set(Notes, QByteArrayView(noteUtf8));
    } else {
        QByteArray notes = view(Notes).toByteArray();
        notes += '\n';
        notes += noteUtf8;
        r.set(Notes, QByteArrayView(notes));
    }
    r.set(RequestBody, QByteArrayView());
    r.set(ResponseBody, QByteArrayView());
    *this = std::move(r);
}

void CaptureRecord::normalizeCase()
{
    if (m_data.empty())
        return;
    char *data = m_data.data();
    for (char *c = data + m_offset[Method], *end = c + m_length[Method]; c != end; ++c) {
        if (*c >= 'a' && *c <= 'z')
            *c = char(*c - 'a' + 'A');
    }
    for (char *c = data + m_offset[Host], *end = c + m_length[Host]; c != end; ++c) {
        if (*c >= 'A' && *c <= 'Z')
            *c = char(*c - 'A' + 'a');
    }
}

CaptureRecord CaptureRecord::fromExchange(const Exchange &e, qint64 maxBodyBytes)
{
    CaptureRecord r;
    r.n.id = e.id;
    r.n.startedAtMs = e.startedAt.isValid() ? e.startedAt.toMSecsSinceEpoch() : 0;
    r.n.status = e.status;
    r.n.retries = e.retries;
    r.n.parentId = e.parentId;
    r.n.requestBytes = e.requestBytes;
    r.n.responseBytes = e.responseBytes;
    r.n.requestBodySize = std::max<qint64>(e.requestBodySize, e.requestBody.size());
    r.n.responseBodySize = std::max<qint64>(e.responseBodySize, e.responseBody.size());
    r.n.requestTruncated = e.requestTruncated;
    r.n.responseTruncated = e.responseTruncated;
    r.n.bodiesDropped = e.bodiesDropped;
    r.n.timings = e.timings;
    r.n.grpcStatus = e.grpcStatus;
    r.n.proxied = e.proxied;

    auto body = [&](const QByteArray &b, bool &truncated) {
        if (maxBodyBytes >= 0 && b.size() > maxBodyBytes) {
            truncated = true;
            return QByteArrayView(b).first(maxBodyBytes);
        }
        return QByteArrayView(b);
    };
    const QByteArrayView requestBody = body(e.requestBody, r.n.requestTruncated);
    const QByteArrayView responseBody = body(e.responseBody, r.n.responseTruncated);

    qsizetype size = requestBody.size() + responseBody.size() + 2;
    for (const QString *s : { &e.clientAddress, &e.method, &e.url, &e.scheme, &e.host, &e.path, &e.query,
             &e.route, &e.consumer, &e.upstream, &e.upstreamTarget, &e.apiVersion, &e.traceId, &e.spanId,
             &e.parentSpanId, &e.error, &e.notes, &e.listener, &e.protocol })
        size += s->size();
    for (const HeaderList *list : { &e.requestHeaders, &e.responseHeaders }) {
        for (const auto &h : *list)
            size += h.first.size() + h.second.size() + 3;
    }
    r.reserve(size);
    r.setText(ClientAddress, e.clientAddress);
    r.setText(Method, e.method);
    r.setText(Url, e.url);
    r.setText(Scheme, e.scheme);
    r.setText(Host, e.host);
    r.setText(Path, e.path);
    r.setText(Query, e.query);
    r.setText(Route, e.route);
    r.setText(Consumer, e.consumer);
    r.setText(Upstream, e.upstream);
    r.setText(UpstreamTarget, e.upstreamTarget);
    r.setText(ApiVersion, e.apiVersion);
    r.setText(TraceId, e.traceId);
    r.setText(SpanId, e.spanId);
    r.setText(ParentSpanId, e.parentSpanId);
    r.setText(Error, e.error);
    r.setText(Notes, e.notes);
    r.setText(Listener, e.listener);
    r.setText(Protocol, e.protocol);
    r.setHead(RequestHead, e.requestHeaders);
    r.setHead(ResponseHead, e.responseHeaders);
    r.set(RequestBody, requestBody);
    r.set(ResponseBody, responseBody);
    return r;
}

ExchangeSummary CaptureRecord::summary() const
{
    auto text = [this](Field f) { return QString::fromUtf8(view(f)); };
    ExchangeSummary s;
    s.id = n.id;
    s.startedAtMs = n.startedAtMs;
    s.method = text(Method);
    s.url = text(Url);
    s.host = text(Host);
    s.path = text(Path);
    s.status = n.status;
    s.durationUs = n.timings.lastByteUs;
    s.route = text(Route);
    s.consumer = text(Consumer);
    s.upstream = text(Upstream);
    s.traceId = text(TraceId);
    s.parentId = n.parentId;
    s.requestBytes = n.requestBytes;
    s.responseBytes = n.responseBytes;
    s.error = text(Error);
    s.apiVersion = text(ApiVersion);
    s.sample = view(Notes).startsWith(QByteArrayView(kSampleNote));
    s.protocol = text(Protocol);
    const GrpcCall call = grpcCallOf(view(Path), view(RequestHead), view(ResponseHead), n.grpcStatus);
    s.grpcService = QString::fromUtf8(call.service);
    s.grpcMethod = QString::fromUtf8(call.method);
    s.grpcStatus = call.status;
    s.proxied = n.proxied;
    return s;
}

} // namespace portico::capture
