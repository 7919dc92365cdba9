#include "core/capture/Har.h"

#include "core/capture/GrpcMessages.h"

#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/common/Version.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStringDecoder>
#include <QUrl>
#include <QUrlQuery>

#include <cmath>

namespace portico::capture {

namespace {

QString reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QStringLiteral("OK");
    case 201:
        return QStringLiteral("Created");
    case 202:
        return QStringLiteral("Accepted");
    case 204:
        return QStringLiteral("No Content");
    case 301:
        return QStringLiteral("Moved Permanently");
    case 302:
        return QStringLiteral("Found");
    case 304:
        return QStringLiteral("Not Modified");
    case 400:
        return QStringLiteral("Bad Request");
    case 401:
        return QStringLiteral("Unauthorized");
    case 403:
        return QStringLiteral("Forbidden");
    case 404:
        return QStringLiteral("Not Found");
    case 408:
        return QStringLiteral("Request Timeout");
    case 413:
        return QStringLiteral("Content Too Large");
    case 429:
        return QStringLiteral("Too Many Requests");
    case 431:
        return QStringLiteral("Request Header Fields Too Large");
    case 500:
        return QStringLiteral("Internal Server Error");
    case 502:
        return QStringLiteral("Bad Gateway");
    case 503:
        return QStringLiteral("Service Unavailable");
    case 504:
        return QStringLiteral("Gateway Timeout");
    default:
        return {};
    }
}

QJsonArray headersJson(const HeaderList &headers)
{
    QJsonArray out;
    for (const auto &h : headers)
        out.append(QJsonObject { { QStringLiteral("name"), QString::fromLatin1(h.first) },
            { QStringLiteral("value"), QString::fromUtf8(h.second) } });
    return out;
}

HeaderList headersFrom(const QJsonArray &array)
{
    HeaderList out;
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        out.emplaceBack(o.value(QStringLiteral("name")).toString().toLatin1(),
            o.value(QStringLiteral("value")).toString().toUtf8());
    }
    return out;
}

// Body text: UTF-8 as is, anything else base64 (HAR's "encoding" field).
void putBody(QJsonObject &o, const QByteArray &body)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder(body);
    if (!decoder.hasError()) {
        o.insert(QStringLiteral("text"), text);
    } else {
        o.insert(QStringLiteral("text"), QString::fromLatin1(body.toBase64()));
        o.insert(QStringLiteral("encoding"), QStringLiteral("base64"));
    }
}

QByteArray bodyFrom(const QJsonObject &o)
{
    const QString text = o.value(QStringLiteral("text")).toString();
    if (o.value(QStringLiteral("encoding")).toString() == u"base64")
        return QByteArray::fromBase64(text.toLatin1());
    return text.toUtf8();
}

double ms(qint64 us)
{
    return double(us) / 1000.0;
}

qint64 us(const QJsonValue &v)
{
    const double d = v.toDouble(-1);
    return d < 0 ? -1 : std::llround(d * 1000.0);
}

} // namespace

QJsonObject harEntry(const Exchange &e, const grpc::Schema *schema)
{
    const Timings &t = e.timings;
    // Clamp to a monotonic sequence so every HAR phase is >= 0 and they add up to `time`.
    const qint64 r = std::max<qint64>(0, t.receivedUs);
    const qint64 c = t.upstreamConnectUs >= 0 ? std::max(r, t.upstreamConnectUs) : r;
    const qint64 f = t.firstUpstreamByteUs >= 0 ? std::max(c, t.firstUpstreamByteUs) : c;
    const qint64 l = t.lastByteUs >= 0 ? std::max(f, t.lastByteUs) : f;
    const QJsonObject timings { { QStringLiteral("blocked"), 0 }, { QStringLiteral("dns"), 0 },
        { QStringLiteral("connect"), ms(c - r) }, { QStringLiteral("send"), ms(r) },
        { QStringLiteral("wait"), ms(f - c) }, { QStringLiteral("receive"), ms(l - f) } };

    QJsonArray query;
    for (const auto &item : QUrlQuery(e.query).queryItems(QUrl::FullyDecoded))
        query.append(
            QJsonObject { { QStringLiteral("name"), item.first }, { QStringLiteral("value"), item.second } });

    // Rows from before the capture recorded the protocol were, nearly all, HTTP/1.1.
    const QString httpVersion = e.protocol.isEmpty() ? QStringLiteral("HTTP/1.1") : e.protocol;
    QJsonObject request { { QStringLiteral("method"), e.method }, { QStringLiteral("url"), e.url },
        { QStringLiteral("httpVersion"), httpVersion }, { QStringLiteral("cookies"), QJsonArray() },
        { QStringLiteral("headers"), headersJson(e.requestHeaders) },
        { QStringLiteral("queryString"), query }, { QStringLiteral("headersSize"), -1 },
        { QStringLiteral("bodySize"), e.requestBodySize } };
    if (!e.requestBody.isEmpty()) {
        QJsonObject post { { QStringLiteral("mimeType"),
            QString::fromLatin1(headerValue(e.requestHeaders, "content-type")) } };
        putBody(post, e.requestBody);
        if (!e.grpcService.isEmpty())
            post.insert(QStringLiteral("_grpcMessages"), grpcMessagesText(e, true, schema));
        request.insert(QStringLiteral("postData"), post);
    }
    QJsonObject content { { QStringLiteral("size"), e.responseBodySize },
        { QStringLiteral("mimeType"), QString::fromLatin1(headerValue(e.responseHeaders, "content-type")) } };
    if (!e.responseBody.isEmpty())
        putBody(content, e.responseBody);
    if (!e.grpcService.isEmpty() && !e.responseBody.isEmpty())
        content.insert(QStringLiteral("_grpcMessages"), grpcMessagesText(e, false, schema));
    const QJsonObject response { { QStringLiteral("status"), e.status },
        { QStringLiteral("statusText"), reasonPhrase(e.status) },
        { QStringLiteral("httpVersion"), httpVersion }, { QStringLiteral("cookies"), QJsonArray() },
        { QStringLiteral("headers"), headersJson(e.responseHeaders) }, { QStringLiteral("content"), content },
        { QStringLiteral("redirectURL"), QString::fromUtf8(headerValue(e.responseHeaders, "location")) },
        { QStringLiteral("headersSize"), -1 }, { QStringLiteral("bodySize"), e.responseBodySize } };
    QJsonObject portico {
        { QStringLiteral("id"), e.id },
        { QStringLiteral("clientAddress"), e.clientAddress },
        { QStringLiteral("route"), e.route },
        { QStringLiteral("consumer"), e.consumer },
        { QStringLiteral("upstream"), e.upstream },
        { QStringLiteral("upstreamTarget"), e.upstreamTarget },
        { QStringLiteral("apiVersion"), e.apiVersion },
        { QStringLiteral("traceId"), e.traceId },
        { QStringLiteral("spanId"), e.spanId },
        { QStringLiteral("parentSpanId"), e.parentSpanId },
        { QStringLiteral("parentId"), e.parentId },
        { QStringLiteral("retries"), e.retries },
        { QStringLiteral("error"), e.error },
        { QStringLiteral("notes"), e.notes },
        { QStringLiteral("requestBytes"), e.requestBytes },
        { QStringLiteral("responseBytes"), e.responseBytes },
        { QStringLiteral("requestTruncated"), e.requestTruncated },
        { QStringLiteral("responseTruncated"), e.responseTruncated },
        { QStringLiteral("timingsUs"),
            QJsonArray { t.receivedUs, t.upstreamConnectUs, t.firstUpstreamByteUs, t.lastByteUs } },
    };
    if (e.proxied)
        portico.insert(QStringLiteral("proxied"), true);
    if (!e.grpcService.isEmpty()) {
        portico.insert(QStringLiteral("grpcService"), e.grpcService);
        portico.insert(QStringLiteral("grpcMethod"), e.grpcMethod);
        portico.insert(QStringLiteral("grpcStatus"), e.grpcStatus);
    }
    QJsonObject entry { { QStringLiteral("startedDateTime"),
                            e.startedAt.toUTC().toString(Qt::ISODateWithMs) },
        { QStringLiteral("time"), ms(l) }, { QStringLiteral("request"), request },
        { QStringLiteral("response"), response }, { QStringLiteral("cache"), QJsonObject() },
        { QStringLiteral("timings"), timings }, { QStringLiteral("_portico"), portico } };
    if (!e.upstreamTarget.isEmpty())
        entry.insert(QStringLiteral("serverIPAddress"), QUrl(e.upstreamTarget).host());
    return entry;
}

HarWriter::HarWriter(QIODevice *out, const grpc::Schema *schema)
    : m_out(out)
    , m_schema(schema)
{
}

void HarWriter::begin()
{
    const QByteArray head
        = QByteArrayLiteral("{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"Portico\",\"version\":\"")
        + QByteArray(kVersion) + QByteArrayLiteral("\"},\"entries\":[\n");
    m_ok = m_out->write(head) == head.size();
}

void HarWriter::add(const Exchange &e)
{
    QByteArray line = QJsonDocument(harEntry(e, m_schema)).toJson(QJsonDocument::Compact);
    if (m_count > 0)
        line.prepend(",\n");
    m_ok = m_ok && m_out->write(line) == line.size();
    ++m_count;
}

bool HarWriter::end()
{
    const QByteArray tail = QByteArrayLiteral("\n]}}\n");
    m_ok = m_ok && m_out->write(tail) == tail.size();
    return m_ok;
}

int exportHar(CaptureReader &reader, const FilterExpression &filter, QIODevice *out, QString *error,
    const std::atomic<bool> *cancel, const grpc::Schema *schema)
{
    HarWriter writer(out, schema);
    writer.begin();
    qint64 after = 0;
    for (;;) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            if (error)
                *error = QStringLiteral("the HAR export was cancelled");
            return kExportCancelled;
        }
        const auto page = reader.listAscending(filter, 200, after);
        if (page.isEmpty())
            break;
        for (const auto &s : page) {
            if (const auto e = reader.get(s.id))
                writer.add(*e);
        }
        after = page.last().id;
    }
    if (!writer.end()) {
        if (error)
            *error = QStringLiteral("cannot write HAR: %1").arg(out->errorString());
        return -1;
    }
    return writer.count();
}

bool parseHar(const QByteArray &json, QList<Exchange> *out, QString *error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (pe.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not a HAR file: %1 at offset %2").arg(pe.errorString()).arg(pe.offset));
    const QJsonValue entries
        = doc.object().value(QStringLiteral("log")).toObject().value(QStringLiteral("entries"));
    if (!entries.isArray())
        return fail(QStringLiteral("not a HAR file: no log.entries array"));
    int index = 0;
    for (const QJsonValue &v : entries.toArray()) {
        const QJsonObject entry = v.toObject();
        const QJsonObject req = entry.value(QStringLiteral("request")).toObject();
        const QJsonObject resp = entry.value(QStringLiteral("response")).toObject();
        const QUrl url(req.value(QStringLiteral("url")).toString());
        if (req.value(QStringLiteral("method")).toString().isEmpty() || !url.isValid()
            || url.host().isEmpty())
            return fail(
                QStringLiteral("HAR entry %1: request needs a method and an absolute url").arg(index));
        Exchange e;
        e.startedAt = QDateTime::fromString(
            entry.value(QStringLiteral("startedDateTime")).toString(), Qt::ISODateWithMs)
                          .toUTC();
        if (!e.startedAt.isValid())
            return fail(QStringLiteral("HAR entry %1: bad startedDateTime").arg(index));
        e.method = req.value(QStringLiteral("method")).toString().toUpper();
        e.url = url.toString(QUrl::FullyEncoded);
        e.scheme = url.scheme();
        e.host = QString::fromLatin1(hostHeader(url)).toLower(); // as the gateway records it
        e.path = url.path(QUrl::FullyEncoded).isEmpty() ? QStringLiteral("/") : url.path(QUrl::FullyEncoded);
        e.query = url.query(QUrl::FullyEncoded);
        e.protocol = protocolName(req.value(QStringLiteral("httpVersion")).toString());
        e.requestHeaders = headersFrom(req.value(QStringLiteral("headers")).toArray());
        e.requestBody = bodyFrom(req.value(QStringLiteral("postData")).toObject());
        e.requestBodySize
            = std::max<qint64>(e.requestBody.size(), req.value(QStringLiteral("bodySize")).toInteger(-1));
        e.status = resp.value(QStringLiteral("status")).toInt();
        e.responseHeaders = headersFrom(resp.value(QStringLiteral("headers")).toArray());
        const QJsonObject content = resp.value(QStringLiteral("content")).toObject();
        e.responseBody = bodyFrom(content);
        e.responseBodySize
            = std::max<qint64>(e.responseBody.size(), content.value(QStringLiteral("size")).toInteger(-1));
        if (e.status == 0)
            e.error = resp.value(QStringLiteral("_error")).toString(QStringLiteral("no response"));

        const QJsonObject t = entry.value(QStringLiteral("timings")).toObject();
        const auto phase
            = [&t](const char *name) { return std::max<qint64>(0, us(t.value(QLatin1String(name)))); };
        const qint64 connect = us(t.value(QStringLiteral("connect")));
        e.timings.receivedUs = phase("blocked") + phase("dns") + phase("send");
        e.timings.upstreamConnectUs = connect >= 0 ? e.timings.receivedUs + connect : -1;
        e.timings.firstUpstreamByteUs
            = std::max(e.timings.receivedUs, e.timings.upstreamConnectUs) + phase("wait");
        e.timings.lastByteUs = e.timings.firstUpstreamByteUs + phase("receive");

        const QJsonObject p = entry.value(QStringLiteral("_portico")).toObject();
        if (!p.isEmpty()) {
            const auto str = [&p](const char *k) { return p.value(QLatin1String(k)).toString(); };
            e.clientAddress = str("clientAddress");
            e.route = str("route");
            e.consumer = str("consumer");
            e.upstream = str("upstream");
            e.upstreamTarget = str("upstreamTarget");
            e.apiVersion = str("apiVersion");
            e.traceId = str("traceId");
            e.spanId = str("spanId");
            e.parentSpanId = str("parentSpanId");
            e.retries = p.value(QStringLiteral("retries")).toInt();
            e.error = str("error");
            e.notes = str("notes");
            e.requestBytes = p.value(QStringLiteral("requestBytes")).toInteger();
            e.responseBytes = p.value(QStringLiteral("responseBytes")).toInteger();
            e.requestTruncated = p.value(QStringLiteral("requestTruncated")).toBool();
            e.responseTruncated = p.value(QStringLiteral("responseTruncated")).toBool();
            e.proxied = p.value(QStringLiteral("proxied")).toBool();
            const QJsonArray exact = p.value(QStringLiteral("timingsUs")).toArray();
            if (exact.size() == 4)
                e.timings = { exact[0].toInteger(), exact[1].toInteger(), exact[2].toInteger(),
                    exact[3].toInteger() };
            if (p.value(QStringLiteral("id")).toInteger() > 0)
                e.addNote(QStringLiteral("imported from HAR (original id %1)")
                              .arg(p.value(QStringLiteral("id")).toInteger()));
        } else {
            e.requestBytes = e.requestBodySize;
            e.responseBytes = e.responseBodySize;
            e.addNote(QStringLiteral("imported from HAR"));
        }
        out->append(std::move(e));
        ++index;
    }
    return true;
}

int importHar(const QByteArray &json, CaptureStore &store, QString *error)
{
    QList<Exchange> exchanges;
    if (!parseHar(json, &exchanges, error))
        return -1;
    int n = 0;
    for (Exchange &e : exchanges) {
        n += store.submit(std::move(e)) != 0 ? 1 : 0;
        // Stay well inside the store's queue bound: an import must not drop rows.
        if (n % 1000 == 0)
            store.flush();
    }
    if (!store.flush()) {
        if (error)
            *error = store.lastError();
        return -1;
    }
    return n;
}

} // namespace portico::capture
