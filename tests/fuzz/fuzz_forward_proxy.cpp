// The forward proxy's parsers of client bytes (core/gateway/forward/ForwardProxy.h): a CONNECT
// line's host:port, an absolute-form request target, and the server name in the first bytes of
// a TLS tunnel (read without consuming them, before any certificate is chosen).
//
// Beyond "no crash": an accepted origin has a port and a host that is a valid leaf name (so it
// can be minted and resolved); an origin-form target starts with '/'; a server name is no
// longer than the bytes it came from.
#include "FuzzSupport.h"

#include "core/gateway/forward/ForwardProxy.h"
#include "core/proxy/LocalCa.h"

using namespace portico::gateway;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QByteArray input = portico::fuzz::bytes(data, size);
    if (const auto o = parseConnectAuthority(input)) {
        FUZZ_CHECK(o->port != 0);
        FUZZ_CHECK(
            portico::proxy::leafHostName(QString::fromLatin1(o->host)) == QString::fromLatin1(o->host));
        FUZZ_CHECK(parseConnectAuthority(o->authority() + (o->port == 443 ? ":443" : "")).has_value());
    }
    QByteArray originForm;
    if (const auto o = parseAbsoluteTarget(input, &originForm)) {
        FUZZ_CHECK(o->port != 0);
        FUZZ_CHECK(originForm.startsWith('/'));
        FUZZ_CHECK(!o->host.isEmpty() && !o->host.contains('@') && !o->host.contains('/'));
    }
    QByteArray name;
    const ClientHelloResult hello = readClientHelloSni(input, &name);
    FUZZ_CHECK(name.size() <= input.size());
    FUZZ_CHECK(hello == ClientHelloResult::Done || name.isEmpty());
    isRefusedPort(quint16(size));
    return 0;
}
