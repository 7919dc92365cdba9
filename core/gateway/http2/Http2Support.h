#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <nghttp2/nghttp2.h>

namespace portico::gateway::h2 {

// Connection-specific fields have no place in HTTP/2 (RFC 9113 8.2.2): a message carrying one
// would be a protocol error for the peer.
inline bool connectionSpecific(QByteArrayView lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive" || lowerName == "proxy-connection"
        || lowerName == "transfer-encoding" || lowerName == "upgrade";
}

// A name/value pair for nghttp2, pointing into the two arrays (which must outlive the submit call).
inline nghttp2_nv nv(const QByteArray &name, const QByteArray &value)
{
    return { reinterpret_cast<uint8_t *>(const_cast<char *>(name.constData())),
        reinterpret_cast<uint8_t *>(const_cast<char *>(value.constData())), size_t(name.size()),
        size_t(value.size()), NGHTTP2_NV_FLAG_NONE };
}

} // namespace portico::gateway::h2
