#pragma once

// The gRPC length-prefixed message framing (a 1-byte compressed flag, a 4-byte big-endian length,
// the message) as captured bodies hold it: split into messages without trusting the lengths.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace portico::grpc {

struct GrpcFrame
{
    bool compressed = false;
    quint32 length = 0; // as the prefix declares it
    QByteArray payload; // the bytes present: shorter than `length` when the body was cut
    bool complete = true;
};

struct GrpcFrames
{
    QList<GrpcFrame> frames;
    QString error; // why the rest of the body is no frame (empty: the body was all frames)
};

// At most `maxFrames` frames; a prefix that declares more than `maxLength` bytes ends the split
// with an error (its payload is not copied).
GrpcFrames splitFrames(QByteArrayView body, quint32 maxLength = 64u * 1024 * 1024, int maxFrames = 10'000);

} // namespace portico::grpc
