#pragma once

#include <QByteArray>

namespace portico::test {

// One RFC 6455 frame, with the codec both sides of a test need: LoopbackUpstream decodes masked client
// frames and answers unmasked ones; a test speaking through RawClient encodes masked frames.
struct WebSocketFrame
{
    enum Opcode : quint8 {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA
    };

    bool fin = true;
    quint8 opcode = Text;
    QByteArray payload;
    bool masked = false; // set by decode(); encode() takes the mask choice as an argument

    // Clients must mask (RFC 6455 5.3), servers must not.
    QByteArray encode(bool mask) const;

    // Decodes one frame from the front of `buffer`. Returns the bytes consumed (> 0), 0 when the frame
    // is not complete yet, or -1 when it is malformed (reserved bits, oversized control frame).
    static qsizetype decode(const QByteArray &buffer, WebSocketFrame *frame);

    // Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + RFC 6455 GUID)).
    static QByteArray acceptKey(const QByteArray &secWebSocketKey);
    // Close payload: two-byte status code followed by an optional UTF-8 reason.
    static QByteArray closePayload(quint16 code, const QByteArray &reason = {});
};

} // namespace portico::test
