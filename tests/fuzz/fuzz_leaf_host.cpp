// The forward proxy's host check (core/proxy/LocalCa: leafHostName) on arbitrary bytes: the name
// a client's CONNECT line or TLS SNI gives, from which a certificate would be minted.
//
// Beyond "no crash", it checks what minting relies on: an accepted name is at most 253 bytes of
// lower-case letters, digits, '-', '_', '.' (or an IP address), never holds a wildcard, space,
// comma or control character that could add a subjectAltName, and is a fixed point.
#include "FuzzSupport.h"

#include "core/proxy/LocalCa.h"

#include <QHostAddress>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QString host = QString::fromUtf8(portico::fuzz::bytes(data, size));
    const QString name = portico::proxy::leafHostName(host);
    if (name.isEmpty())
        return 0;
    FUZZ_CHECK(name.size() <= 253);
    FUZZ_CHECK(portico::proxy::leafHostName(name) == name);
    if (!QHostAddress(name).isNull())
        return 0;
    for (const QChar c : name) {
        const ushort u = c.unicode();
        FUZZ_CHECK((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '_' || u == '.');
    }
    FUZZ_CHECK(!name.startsWith(QLatin1Char('.')) && !name.contains(QStringLiteral("..")));
    return 0;
}
