#include "support/WebSocketFrame.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace portico::test {

QByteArray WebSocketFrame::encode(bool mask) const
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0x00) | (opcode & 0x0F)));
    const quint64 size = quint64(payload.size());
    const char maskBit = mask ? char(0x80) : char(0);
    if (size < 126) {
        out.append(char(maskBit | char(size)));
    } else if (size <= 0xFFFF) {
        out.append(char(maskBit | 126));
        out.append(char(size >> 8));
        out.append(char(size & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((size >> shift) & 0xFF));
    }
    if (!mask)
        return out + payload;
    const quint32 key = QRandomGenerator::global()->generate();
    char keyBytes[4] = { char(key >> 24), char(key >> 16), char(key >> 8), char(key) };
    out.append(keyBytes, 4);
    QByteArray maskedPayload = payload;
    for (qsizetype i = 0; i < maskedPayload.size(); ++i)
        maskedPayload[i] = char(maskedPayload[i] ^ keyBytes[i % 4]);
    return out + maskedPayload;
}

qsizetype WebSocketFrame::decode(const QByteArray &buffer, WebSocketFrame *frame)
{
    if (buffer.size() < 2)
        return 0;
    const auto b0 = quint8(buffer[0]);
    const auto b1 = quint8(buffer[1]);
    if (b0 & 0x70)
        return -1; // RSV bits without a negotiated extension
    const quint8 opcode = b0 & 0x0F;
    const bool isControl = opcode & 0x08;
    quint64 size = b1 & 0x7F;
    qsizetype pos = 2;
    if (size == 126) {
        if (buffer.size() < 4)
            return 0;
        size = (quint64(quint8(buffer[2])) << 8) | quint8(buffer[3]);
        pos = 4;
    } else if (size == 127) {
        if (buffer.size() < 10)
            return 0;
        size = 0;
        for (int i = 0; i < 8; ++i)
            size = (size << 8) | quint8(buffer[2 + i]);
        pos = 10;
        if (size > (quint64(1) << 40))
            return -1;
    }
    if (isControl && (size > 125 || !(b0 & 0x80)))
        return -1;
    const bool masked = b1 & 0x80;
    char key[4] = {};
    if (masked) {
        if (buffer.size() < pos + 4)
            return 0;
        for (int i = 0; i < 4; ++i)
            key[i] = buffer[pos + i];
        pos += 4;
    }
    if (quint64(buffer.size() - pos) < size)
        return 0;
    frame->fin = b0 & 0x80;
    frame->opcode = opcode;
    frame->masked = masked;
    frame->payload = buffer.mid(pos, qsizetype(size));
    if (masked) {
        for (qsizetype i = 0; i < frame->payload.size(); ++i)
            frame->payload[i] = char(frame->payload[i] ^ key[i % 4]);
    }
    return pos + qsizetype(size);
}

QByteArray WebSocketFrame::acceptKey(const QByteArray &secWebSocketKey)
{
    return QCryptographicHash::hash(
        secWebSocketKey.trimmed() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1)
        .toBase64();
}

QByteArray WebSocketFrame::closePayload(quint16 code, const QByteArray &reason)
{
    QByteArray out;
    out.append(char(code >> 8));
    out.append(char(code & 0xFF));
    return out + reason;
}

} // namespace portico::test
