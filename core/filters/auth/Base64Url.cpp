#include "core/filters/auth/Base64Url.h"

namespace portico::filters::auth {

std::optional<QByteArray> decodeBase64Url(QByteArrayView text)
{
    if (text.size() % 4 == 1)
        return std::nullopt;
    for (const char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
            || c == '_';
        if (!ok)
            return std::nullopt;
    }
    auto r = QByteArray::fromBase64Encoding(text.toByteArray(),
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
            | QByteArray::AbortOnBase64DecodingErrors);
    if (r.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return std::nullopt;
    return std::move(r.decoded);
}

QByteArray encodeBase64Url(QByteArrayView data)
{
    return data.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace portico::filters::auth
