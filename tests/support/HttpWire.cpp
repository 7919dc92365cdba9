#include "support/HttpWire.h"

#include <zlib.h>

namespace portico::test::wire {

QByteArray headerValue(const Headers &headers, QByteArrayView name)
{
    QByteArray joined;
    bool found = false;
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        if (found)
            joined += ", ";
        joined += value;
        found = true;
    }
    return joined;
}

bool hasHeader(const Headers &headers, QByteArrayView name)
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool headerHasToken(const Headers &headers, QByteArrayView name, QByteArrayView token)
{
    const QList<QByteArray> tokens = headerValue(headers, name).split(',');
    for (const QByteArray &t : tokens) {
        if (t.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool parseHead(const QByteArray &head, QByteArray *startLine, Headers *headers)
{
    const QList<QByteArray> lines = head.split('\n');
    if (lines.isEmpty())
        return false;
    *startLine = lines.first().endsWith('\r') ? lines.first().chopped(1) : lines.first();
    headers->clear();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        if (line.startsWith(' ') || line.startsWith('\t'))
            return false;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return false;
        const QByteArray name = line.left(colon);
        if (name.contains(' ') || name.contains('\t'))
            return false;
        headers->append({ name, line.mid(colon + 1).trimmed() });
    }
    return true;
}

qsizetype decodeChunked(const QByteArray &buffer, qsizetype from, QByteArray *body, Headers *trailers)
{
    QByteArray out;
    qsizetype pos = from;
    while (true) {
        const qsizetype lineEnd = buffer.indexOf("\r\n", pos);
        if (lineEnd < 0)
            return buffer.size() - pos > 1024 ? -1 : 0;
        QByteArray sizeText = buffer.mid(pos, lineEnd - pos);
        const qsizetype ext = sizeText.indexOf(';');
        if (ext >= 0)
            sizeText.truncate(ext);
        bool ok = false;
        const qlonglong size = sizeText.trimmed().toLongLong(&ok, 16);
        if (!ok || size < 0)
            return -1;
        pos = lineEnd + 2;
        if (size == 0) {
            // Trailers, if any, end with an empty line.
            Headers fields;
            while (true) {
                const qsizetype end = buffer.indexOf("\r\n", pos);
                if (end < 0)
                    return 0;
                const bool empty = end == pos;
                const QByteArray line = buffer.mid(pos, end - pos);
                pos = end + 2;
                if (empty) {
                    *body = out;
                    if (trailers)
                        *trailers = fields;
                    return pos - from;
                }
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    return -1;
                fields.append({ line.left(colon), line.mid(colon + 1).trimmed() });
            }
        }
        if (buffer.size() - pos < size + 2)
            return 0;
        if (buffer.mid(pos + size, 2) != "\r\n")
            return -1;
        out += buffer.mid(pos, size);
        pos += size + 2;
    }
}

QByteArray encodeChunk(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

QByteArray gzip(const QByteArray &data)
{
    z_stream zs {};
    // windowBits 15 + 16 asks zlib for the gzip header and trailer instead of the zlib ones.
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out(qsizetype(deflateBound(&zs, uLong(data.size()))) + 32, Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(qsizetype(zs.total_out));
    deflateEnd(&zs);
    return rc == Z_STREAM_END ? out : QByteArray();
}

QByteArray gunzip(const QByteArray &data, bool *ok)
{
    z_stream zs {};
    if (ok)
        *ok = false;
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return {};
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    QByteArray out;
    char chunk[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        zs.next_out = reinterpret_cast<Bytef *>(chunk);
        zs.avail_out = sizeof chunk;
        rc = inflate(&zs, Z_NO_FLUSH);
        out.append(chunk, qsizetype(sizeof chunk - zs.avail_out));
        if (rc == Z_BUF_ERROR && zs.avail_in == 0)
            break;
    }
    inflateEnd(&zs);
    if (ok)
        *ok = rc == Z_STREAM_END;
    return out;
}

} // namespace portico::test::wire
