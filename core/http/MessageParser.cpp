#include "core/http/MessageParser.h"

namespace portico::http {

namespace {

MessageParser *self(http_parser *p)
{
    return static_cast<MessageParser *>(p->data);
}

// A header name as a QByteArray: the common names (spelled as clients and servers send them) come
// from static data, so storing and dropping them costs neither an allocation nor an atomic
// reference count; any other spelling is copied. Static data detaches on write, as any shared
// QByteArray does.
QByteArray headerName(const char *at, size_t len)
{
    static const QByteArray kCommon[] = {
        QByteArrayLiteral("Host"),
        QByteArrayLiteral("User-Agent"),
        QByteArrayLiteral("Accept"),
        QByteArrayLiteral("Accept-Encoding"),
        QByteArrayLiteral("Accept-Language"),
        QByteArrayLiteral("Connection"),
        QByteArrayLiteral("Content-Type"),
        QByteArrayLiteral("Content-Length"),
        QByteArrayLiteral("Date"),
        QByteArrayLiteral("Server"),
        QByteArrayLiteral("Cache-Control"),
        QByteArrayLiteral("Cookie"),
        QByteArrayLiteral("Set-Cookie"),
        QByteArrayLiteral("Authorization"),
        QByteArrayLiteral("Transfer-Encoding"),
        QByteArrayLiteral("Keep-Alive"),
        QByteArrayLiteral("Origin"),
        QByteArrayLiteral("Referer"),
        QByteArrayLiteral("ETag"),
        QByteArrayLiteral("Last-Modified"),
        QByteArrayLiteral("Vary"),
        QByteArrayLiteral("X-Request-Id"),
        QByteArrayLiteral("X-Forwarded-For"),
        QByteArrayLiteral("X-Forwarded-Proto"),
        QByteArrayLiteral("X-Forwarded-Host"),
        QByteArrayLiteral("X-API-Key"),
        QByteArrayLiteral("traceparent"),
        QByteArrayLiteral("tracestate"),
        QByteArrayLiteral("host"),
        QByteArrayLiteral("user-agent"),
        QByteArrayLiteral("accept"),
        QByteArrayLiteral("content-type"),
        QByteArrayLiteral("content-length"),
    };
    const QByteArrayView name(at, qsizetype(len));
    for (const QByteArray &common : kCommon) {
        if (common.size() == name.size() && QByteArrayView(common) == name)
            return common;
    }
    return QByteArray(at, qsizetype(len));
}

QByteArray trimmedLower(QByteArray v)
{
    return v.trimmed().toLower();
}

// Splits the request-target into path and query. Absolute-form targets (a client that treats us
// as a forward proxy) keep only their path; the Host header is what routing uses.
void splitTarget(RequestHead &head)
{
    QByteArray t = head.target;
    if (!t.startsWith('/') && t != "*") {
        http_parser_url u;
        http_parser_url_init(&u);
        if (http_parser_parse_url(t.constData(), size_t(t.size()), 0, &u) == 0) {
            QByteArray rebuilt;
            if (u.field_set & (1 << UF_PATH))
                rebuilt = t.mid(u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
            else
                rebuilt = "/";
            if (u.field_set & (1 << UF_QUERY))
                rebuilt += '?' + t.mid(u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
            t = rebuilt;
        }
    }
    const qsizetype q = t.indexOf('?');
    if (q < 0) {
        head.path = t;
    } else {
        head.path = t.left(q);
        head.query = t.mid(q + 1);
    }
}

} // namespace

MessageParser::MessageParser(Mode mode, Sink *sink)
    : m_mode(mode)
    , m_sink(sink)
{
    http_parser_init(&m_parser, mode == Mode::Request ? HTTP_REQUEST : HTTP_RESPONSE);
    m_parser.data = this;
    http_parser_settings_init(&m_settings);
    m_settings.on_message_begin = &MessageParser::onMessageBegin;
    m_settings.on_url = &MessageParser::onUrl;
    m_settings.on_status = &MessageParser::onStatus;
    m_settings.on_header_field = &MessageParser::onHeaderField;
    m_settings.on_header_value = &MessageParser::onHeaderValue;
    m_settings.on_headers_complete = &MessageParser::onHeadersComplete;
    m_settings.on_body = &MessageParser::onBodyData;
    m_settings.on_message_complete = &MessageParser::onMessageCompleteCb;
    m_scanState = 4;
}

void MessageParser::setLimits(qint64 maxHeaderBytes, qint64 maxBodyBytes)
{
    m_maxHeaderBytes = maxHeaderBytes;
    m_maxBodyBytes = maxBodyBytes;
}

void MessageParser::fail(int status, const QString &detail)
{
    if (m_errorStatus == 0) {
        m_errorStatus = status;
        m_errorDetail = detail;
    }
}

// Looks at the raw head for what libhttp-parser tolerates but a gateway must refuse, because a
// backend might read it differently: bare CR and obs-fold (RFC 9112 2.2, 5.2).
bool MessageParser::scanHeadBytes(const char *data, qint64 length)
{
    for (qint64 i = 0; i < length && !m_scanDone; ++i) {
        const char c = data[i];
        switch (m_scanState) {
        case 4: // before the request line: empty lines are allowed
            if (c != '\r' && c != '\n')
                m_scanState = 0;
            break;
        case 0: // inside a line
            if (c == '\r')
                m_scanState = 1;
            else if (c == '\n')
                m_scanState = 2;
            break;
        case 1: // after CR
            if (c != '\n') {
                fail(400, QStringLiteral("bare CR in the request head"));
                return false;
            }
            m_scanState = 2;
            break;
        case 2: // at the start of a line
            if (c == ' ' || c == '\t') {
                fail(400, QStringLiteral("obsolete line folding (obs-fold) in a header field"));
                return false;
            }
            if (c == '\r')
                m_scanState = 3;
            else if (c == '\n')
                m_scanDone = true;
            else
                m_scanState = 0;
            break;
        case 3: // CR at the start of a line: the head ends
            if (c != '\n') {
                fail(400, QStringLiteral("bare CR in the request head"));
                return false;
            }
            m_scanDone = true;
            break;
        }
    }
    return true;
}

qint64 MessageParser::feed(const char *data, qint64 length)
{
    if (failed() || m_paused)
        return 0;
    if (m_mode == Mode::Request && !m_scanDone && !scanHeadBytes(data, length))
        return 0;
    const size_t n = http_parser_execute(&m_parser, &m_settings, data, size_t(length));
    const http_errno err = HTTP_PARSER_ERRNO(&m_parser);
    if (err == HPE_PAUSED) {
        m_paused = true;
        return qint64(n);
    }
    if (err != HPE_OK && !failed()) {
        if (err == HPE_HEADER_OVERFLOW)
            fail(431, QStringLiteral("request head larger than allowed"));
        else if (m_mode == Mode::Response)
            fail(502, QStringLiteral("invalid response from upstream: %1")
                          .arg(QString::fromLatin1(http_errno_description(err))));
        else
            fail(400, QStringLiteral("malformed request: %1")
                          .arg(QString::fromLatin1(http_errno_description(err))));
    }
    return qint64(n);
}

void MessageParser::feedEof()
{
    if (failed() || m_paused)
        return;
    http_parser_execute(&m_parser, &m_settings, nullptr, 0);
}

void MessageParser::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    m_scanState = 4;
    m_scanDone = false;
    http_parser_pause(&m_parser, 0);
}

bool MessageParser::countHead(size_t len)
{
    m_headBytes += qint64(len);
    if (m_maxHeaderBytes > 0 && m_headBytes > m_maxHeaderBytes) {
        fail(m_mode == Mode::Request ? 431 : 502,
             m_mode == Mode::Request ? QStringLiteral("request head larger than %1 bytes").arg(m_maxHeaderBytes)
                                     : QStringLiteral("upstream response head too large"));
        return false;
    }
    return true;
}

int MessageParser::onMessageBegin(http_parser *p)
{
    MessageParser *m = self(p);
    m->m_inMessage = true;
    m->m_headComplete = false;
    m->m_headBytes = 0;
    m->m_bodyBytes = 0;
    m->m_contentLength = -1;
    m->m_expectContinue = false;
    m->m_lastWasValue = false;
    m->m_url.clear();
    m->m_reason.clear();
    m->m_headers.clear();
    m->m_headers.reserve(12); // the head moves out with each message: one allocation, not a regrowth
    return 0;
}

int MessageParser::onUrl(http_parser *p, const char *at, size_t len)
{
    MessageParser *m = self(p);
    if (!m->countHead(len))
        return 1;
    m->m_url.append(at, qsizetype(len));
    return 0;
}

int MessageParser::onStatus(http_parser *p, const char *at, size_t len)
{
    MessageParser *m = self(p);
    if (!m->countHead(len))
        return 1;
    if (m->m_reason.isEmpty() && len == 2 && at[0] == 'O' && at[1] == 'K') {
        static const QByteArray kOk = QByteArrayLiteral("OK"); // nearly every answer: no allocation
        m->m_reason = kOk;
    } else {
        m->m_reason.append(at, qsizetype(len));
    }
    return 0;
}

int MessageParser::onHeaderField(http_parser *p, const char *at, size_t len)
{
    MessageParser *m = self(p);
    // A field name arrives in several calls when its bytes do: ": " and CRLF count once per field,
    // not once per call, so a head split across reads is measured like the same head in one read.
    const bool newField = m->m_lastWasValue || m->m_headers.isEmpty();
    if (!m->countHead(newField ? len + 4 : len))
        return 1;
    if (newField)
        m->m_headers.add(headerName(at, len), QByteArray());
    else
        m->m_headers.entries().last().first.append(at, qsizetype(len));
    m->m_lastWasValue = false;
    return 0;
}

int MessageParser::onHeaderValue(http_parser *p, const char *at, size_t len)
{
    MessageParser *m = self(p);
    if (!m->countHead(len))
        return 1;
    if (m->m_headers.isEmpty())
        return 1;
    // Nearly always one call per value: construct it (QByteArray::append goes through insert()).
    QByteArray &value = m->m_headers.entries().last().second;
    if (value.isNull())
        value = QByteArray(at, qsizetype(len));
    else
        value.append(at, qsizetype(len));
    m->m_lastWasValue = true;
    return 0;
}

// Request framing rules of RFC 9112 6.1/6.3 that keep a gateway and its backends agreeing on where
// a request ends.
bool MessageParser::checkFraming()
{
    // libhttp-parser (non-strict build) lets spaces into field names, so "Transfer-Encoding : chunked"
    // would pass here unrecognised while a lenient backend honours it (RFC 9112 5.1: reject).
    for (const auto &e : m_headers.entries()) {
        if (e.first.contains(' ') || e.first.contains('\t')) {
            fail(400, QStringLiteral("whitespace in a header field name"));
            return false;
        }
    }
    const QList<QByteArray> te = m_headers.values("transfer-encoding");
    const QList<QByteArray> cl = m_headers.values("content-length");
    if (!te.isEmpty()) {
        if (!cl.isEmpty()) {
            fail(400, QStringLiteral("both Content-Length and Transfer-Encoding"));
            return false;
        }
        if (m_parser.http_major == 1 && m_parser.http_minor == 0) {
            fail(400, QStringLiteral("Transfer-Encoding in an HTTP/1.0 request"));
            return false;
        }
        const QByteArray all = te.join(',');
        const QList<QByteArray> codings = all.split(',');
        if (trimmedLower(codings.last()) != "chunked") {
            fail(400, QStringLiteral("the final transfer coding is not chunked"));
            return false;
        }
        for (qsizetype i = 0; i + 1 < codings.size(); ++i) {
            if (trimmedLower(codings[i]) == "chunked") {
                fail(400, QStringLiteral("chunked applied more than once"));
                return false;
            }
        }
    }
    if (cl.size() > 1) {
        for (const QByteArray &v : cl) {
            if (v.trimmed() != cl.first().trimmed()) {
                fail(400, QStringLiteral("several differing Content-Length values"));
                return false;
            }
        }
    }
    const qsizetype hosts = m_headers.count("host");
    if (hosts > 1 || (hosts == 0 && m_parser.http_major == 1 && m_parser.http_minor >= 1)) {
        fail(400, hosts > 1 ? QStringLiteral("several Host header fields") : QStringLiteral("missing Host header"));
        return false;
    }
    return true;
}

int MessageParser::onHeadersComplete(http_parser *p)
{
    MessageParser *m = self(p);
    m->m_headComplete = true;
    if (p->flags & F_CONTENTLENGTH)
        m->m_contentLength = qint64(p->content_length);
    for (auto &e : m->m_headers.entries())
        e.second = e.second.trimmed();

    if (m->m_mode == Mode::Request) {
        if (!m->checkFraming())
            return -1;
        if (m->m_maxBodyBytes >= 0 && m->m_contentLength > m->m_maxBodyBytes) {
            m->fail(413, QStringLiteral("request body of %1 bytes is larger than the %2 allowed")
                             .arg(m->m_contentLength)
                             .arg(m->m_maxBodyBytes));
            return -1;
        }
        const QByteArray expect = m->m_headers.value("expect");
        m->m_expectContinue = !expect.isEmpty() && expect.toLower() == "100-continue";
        RequestHead head;
        head.method = http_method_str(http_method(p->method));
        head.target = std::move(m->m_url);
        head.httpMinor = p->http_minor;
        head.headers = std::move(m->m_headers);
        splitTarget(head);
        m->m_sink->onRequestHead(std::move(head));
        return 0;
    }

    ResponseHead head;
    head.status = int(p->status_code);
    head.reason = std::move(m->m_reason);
    head.httpMinor = p->http_minor;
    head.headers = std::move(m->m_headers);
    const bool noBody = m->m_expectNoBody || head.status == 204 || head.status == 304
        || (head.status >= 100 && head.status < 200);
    m->m_sink->onResponseHead(std::move(head));
    // 1: tell the parser there is no body (HEAD answers, 1xx, 204, 304).
    return noBody && p->status_code != 101 ? 1 : 0;
}

int MessageParser::onBodyData(http_parser *p, const char *at, size_t len)
{
    MessageParser *m = self(p);
    m->m_bodyBytes += qint64(len);
    if (m->m_mode == Mode::Request && m->m_maxBodyBytes >= 0 && m->m_bodyBytes > m->m_maxBodyBytes) {
        m->fail(413, QStringLiteral("request body larger than the %1 bytes allowed").arg(m->m_maxBodyBytes));
        return 1;
    }
    m->m_sink->onBody(at, len);
    return 0;
}

int MessageParser::onMessageCompleteCb(http_parser *p)
{
    MessageParser *m = self(p);
    m->m_inMessage = false;
    if (m->m_headComplete && !m->m_headers.isEmpty()) {
        // libhttp-parser reports a chunked body's trailer fields like head fields, after the
        // head went to the sink.
        for (auto &e : m->m_headers.entries())
            e.second = e.second.trimmed();
        m->m_sink->onTrailers(std::move(m->m_headers));
        m->m_headers.clear();
    }
    m->m_sink->onMessageComplete();
    // One message at a time: pipelined requests wait until this one is answered.
    http_parser_pause(p, 1);
    return 0;
}

} // namespace portico::http
