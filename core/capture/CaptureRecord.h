#pragma once

#include "core/capture/Exchange.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace portico::capture {

// One exchange on its way to the capture writer, in the form the writer binds without converting
// anything: the numbers in a plain struct, every text column, both head blocks and both bodies as
// UTF-8 in ONE buffer. The proxy fills it on its worker thread straight from the bytes it already
// has (method, path, host, trace ids, header fields), so capturing an exchange costs one
// allocation there and one free on the writer, instead of a QString per field and a QByteArray
// per header name and value (each freed on another thread: perf showed those frees and their
// cache misses as the writer's largest cost after SQLite itself).
//
// Fields may be set in any order and set again (the last value wins; the earlier bytes stay in
// the buffer until the record is freed). Head blocks use the schema's form, "\nName: value\n..."
// unredacted: the writer applies the redaction list while it binds.
class CaptureRecord
{
public:
    // Text fields in the order of the exchanges table's text columns, then heads and bodies.
    enum Field : std::uint8_t {
        ClientAddress,
        Method,
        Url,
        Scheme,
        Host,
        Path,
        Query,
        Route,
        Consumer,
        Upstream,
        UpstreamTarget,
        ApiVersion,
        TraceId,
        SpanId,
        ParentSpanId,
        Error,
        Notes,
        Listener,
        Protocol,
        RequestHead,
        ResponseHead,
        RequestBody,
        ResponseBody,
        FieldCount
    };

    struct Numbers
    {
        qint64 id = 0;
        qint64 startedAtMs = 0; // 0 = unknown: the writer stamps the time it stores the row
        int status = 0;
        int retries = 0;
        qint64 parentId = 0;
        qint64 requestBytes = 0;
        qint64 responseBytes = 0;
        qint64 requestBodySize = 0;
        qint64 responseBodySize = 0;
        bool requestTruncated = false;
        bool responseTruncated = false;
        bool bodiesDropped = false;
        int grpcStatus = -1; // from the response trailers (GrpcCall.h); -1 = none
        bool proxied = false; // see Exchange::proxied
        Timings timings;
    };
    Numbers n;

    // Takes a recycled buffer of this thread first (see adoptSpare), then makes room.
    void reserve(qsizetype bytes);
    qsizetype size() const { return qsizetype(m_data.size()); } // bytes in the buffer so far
    void set(Field f, QByteArrayView utf8);
    void setText(Field f, const QString &text); // as UTF-8; ASCII copied without a temporary
    void setJoined(Field f, std::initializer_list<QByteArrayView> parts); // e.g. scheme + "://" + host
    // Adds bytes to the end of a field (a body as it streams). Free while the field is the last
    // one written; otherwise its bytes so far move to the end first.
    void append(Field f, QByteArrayView bytes);
    QByteArrayView view(Field f) const { return { m_data.data() + m_offset[f], qsizetype(m_length[f]) }; }
    bool isEmpty(Field f) const { return m_length[f] == 0; }

    // A head block, written field by field between begin and end (nothing else may be set in
    // between): beginHead(RequestHead); addHeader(...)...; endHead(RequestHead).
    void beginHead(Field f);
    void addHeader(QByteArrayView name, QByteArrayView value);
    void endHead(Field f);
    void setHead(Field f, const HeaderList &headers);

    // The overload path: rebuilds the buffer without the bodies (so their memory goes now), sets
    // bodiesDropped and adds `note` to the notes.
    void dropBodies(const QString &note);
    // What the schema stores: the method in upper case, the host in lower case (ASCII).
    void normalizeCase();

    // What the record holds on the heap, for the store's queue bound.
    qint64 heapBytes() const { return qint64(sizeof(CaptureRecord) + m_data.capacity()) + 32; }

    // The capture form of a complete Exchange (bodies cut to maxBodyBytes when >= 0).
    static CaptureRecord fromExchange(const Exchange &e, qint64 maxBodyBytes = -1);
    // The traffic table's row.
    ExchangeSummary summary() const;

    // Buffer recycling. A record's buffer (~2 KiB for a small exchange) is allocated on a proxy
    // thread and was freed on the writer thread: too big for the allocator's per-thread cache,
    // so both ends took its slow path, per exchange. The writer hands written buffers back
    // (releaseBuffer), the store passes one to each submitting thread (adoptSpare), and the next
    // record reserved on that thread starts from it.
    std::string releaseBuffer(); // empties the record; the buffer keeps its capacity
    static constexpr std::size_t kMaxRecycledBytes = 16 * 1024; // larger buffers are freed
    static bool wantsSpare(); // this thread keeps a few spares
    static void adoptSpare(std::string &&buffer);

private:
    std::string m_data; // appends are plain memcpy (QByteArray::append went through insert())
    std::array<quint32, FieldCount> m_offset {};
    std::array<quint32, FieldCount> m_length {};
    qsizetype m_headStart = 0;
};

} // namespace portico::capture
