#include "core/grpc/GrpcFrames.h"

namespace portico::grpc {

GrpcFrames splitFrames(QByteArrayView body, quint32 maxLength, int maxFrames)
{
    GrpcFrames out;
    qsizetype at = 0;
    while (at < body.size()) {
        if (out.frames.size() >= maxFrames) {
            out.error = QStringLiteral("more than %1 messages; the rest is not shown").arg(maxFrames);
            return out;
        }
        if (body.size() - at < 5) {
            out.error = QStringLiteral("%1 bytes after the last message are no message prefix")
                            .arg(body.size() - at);
            return out;
        }
        const auto *p = reinterpret_cast<const uchar *>(body.data() + at);
        if (p[0] > 1) {
            out.error = QStringLiteral("byte %1 is no message prefix (flag %2)").arg(at).arg(p[0]);
            return out;
        }
        GrpcFrame f;
        f.compressed = p[0] == 1;
        f.length = quint32(p[1]) << 24 | quint32(p[2]) << 16 | quint32(p[3]) << 8 | quint32(p[4]);
        if (f.length > maxLength) {
            out.error = QStringLiteral("a message declares %1 bytes, more than the limit of %2")
                            .arg(f.length)
                            .arg(maxLength);
            return out;
        }
        at += 5;
        const qsizetype present = std::min<qsizetype>(f.length, body.size() - at);
        f.payload = body.sliced(at, present).toByteArray();
        f.complete = present == qsizetype(f.length);
        at += present;
        out.frames.append(std::move(f));
    }
    return out;
}

} // namespace portico::grpc
