#include "core/gateway/TraceContext.h"

#include <QRandomGenerator>

#include <random>

namespace portico::gateway {

namespace {

bool isHex(QByteArrayView v, qsizetype length)
{
    if (v.size() != length)
        return false;
    bool nonZero = false;
    for (char c : v) {
        const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (!digit)
            return false;
        nonZero = nonZero || c != '0';
    }
    return nonZero; // all-zero ids are invalid in both formats
}

} // namespace

QByteArray randomHex(int bytes)
{
    thread_local std::mt19937_64 rng(QRandomGenerator::system()->generate64());
    static const char digits[] = "0123456789abcdef";
    QByteArray out(bytes * 2, Qt::Uninitialized);
    char *p = out.data(); // one detach check, not one per digit
    for (int i = 0; i < bytes; i += 8) {
        quint64 v = rng();
        for (int j = 0; j < 8 && i + j < bytes; ++j) {
            const quint8 b = quint8(v >> (j * 8));
            p[(i + j) * 2] = digits[b >> 4];
            p[(i + j) * 2 + 1] = digits[b & 15];
        }
    }
    return out;
}

TraceContext TraceContext::fromRequest(const http::HttpHeaders &headers)
{
    TraceContext t;
    // One pass over the fields for all six names (the first of each counts, as value() has it).
    const QByteArray *fields[6] = {};
    enum { TraceParent, TraceState, B3, B3TraceId, B3SpanId, B3Sampled };
    const auto take = [&fields](int which, const http::HttpHeaders::Entry &e, const char *name) {
        if (!fields[which] && http::HttpHeaders::sameLetters(e.first, name))
            fields[which] = &e.second;
    };
    for (const http::HttpHeaders::Entry &e : headers.entries()) {
        switch (e.first.size()) {
        case 2:
            take(B3, e, "b3");
            break;
        case 10:
            take(TraceState, e, "tracestate");
            break;
        case 11:
            take(TraceParent, e, "traceparent");
            take(B3SpanId, e, "x-b3-spanid");
            break;
        case 12:
            take(B3TraceId, e, "x-b3-traceid");
            take(B3Sampled, e, "x-b3-sampled");
            break;
        default:
            break;
        }
    }
    const auto field = [&fields](int which) { return fields[which] ? *fields[which] : QByteArray(); };
    const QByteArray tp = field(TraceParent).toLower();
    if (!tp.isEmpty()) {
        // version-traceid-parentid-flags
        const QList<QByteArray> parts = tp.split('-');
        if (parts.size() >= 4 && parts[0].size() == 2 && parts[0] != "ff" && isHex(parts[1], 32)
            && isHex(parts[2], 16) && parts[3].size() == 2) {
            t.traceId = parts[1];
            t.parentSpanId = parts[2];
            t.sampled = (parts[3].toInt(nullptr, 16) & 1) != 0;
            t.traceState = field(TraceState);
        }
    }
    if (t.traceId.isEmpty()) {
        const QByteArray b3 = field(B3).toLower();
        if (!b3.isEmpty() && b3 != "0" && b3 != "1" && b3 != "d") {
            // traceid-spanid[-sampled[-parentspanid]]; 64-bit trace ids are left-padded
            const QList<QByteArray> parts = b3.split('-');
            QByteArray tid = parts.value(0);
            if (tid.size() == 16)
                tid.prepend(QByteArray(16, '0'));
            if (parts.size() >= 2 && isHex(tid, 32) && isHex(parts[1], 16)) {
                t.traceId = tid;
                t.parentSpanId = parts[1];
                t.sampled = parts.value(2) != "0";
            }
        }
    }
    if (t.traceId.isEmpty()) {
        QByteArray tid = field(B3TraceId).toLower();
        const QByteArray sid = field(B3SpanId).toLower();
        if (tid.size() == 16)
            tid.prepend(QByteArray(16, '0'));
        if (isHex(tid, 32) && isHex(sid, 16)) {
            t.traceId = tid;
            t.parentSpanId = sid;
            t.sampled = field(B3Sampled) != "0";
        }
    }
    if (t.traceId.isEmpty())
        t.traceId = randomHex(16);
    t.spanId = randomHex(8);
    return t;
}

QByteArray TraceContext::traceparent() const
{
    return "00-" + traceId + '-' + spanId + (sampled ? "-01" : "-00");
}

void TraceContext::inject(http::HttpHeaders &headers, bool w3c, bool b3) const
{
    headers.remove("traceparent");
    headers.remove("b3");
    headers.remove("x-b3-traceid");
    headers.remove("x-b3-spanid");
    headers.remove("x-b3-parentspanid");
    headers.remove("x-b3-sampled");
    if (w3c) {
        headers.add("traceparent", traceparent());
        // tracestate stays as the client sent it (it was not removed).
    } else {
        headers.remove("tracestate");
    }
    if (b3) {
        headers.add("X-B3-TraceId", traceId);
        headers.add("X-B3-SpanId", spanId);
        if (!parentSpanId.isEmpty())
            headers.add("X-B3-ParentSpanId", parentSpanId);
        headers.add("X-B3-Sampled", sampled ? "1" : "0");
    }
}

} // namespace portico::gateway
