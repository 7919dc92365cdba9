// gRPC-Web decoding (core/gateway/grpc/GrpcWeb, GrpcWebBridge) on a client's bytes. The first
// byte picks the mode (bit 0: -text, else binary) and a piece size (bits 1-3: 1 to 8 bytes); the
// rest is a request body, and also an answer body as a gRPC-Web client would read it.
//
// Beyond "no crash, no ASan/UBSan report": the body fed whole and fed in pieces gives the same
// verdict and the same native bytes (base64 split anywhere); a binary body passes unchanged; what
// a -text body decodes to, encoded again in pieces and decoded, is the same; whatever is accepted
// holds only frames with known flags and ends on a frame boundary; the encoder fed in pieces
// matches Qt's base64; trailer fields that parse, written as a trailer frame, parse back equal.
#include "FuzzSupport.h"

#include "core/gateway/grpc/GrpcWeb.h"
#include "core/gateway/grpc/GrpcWebBridge.h"
#include "core/gateway/pipeline/DownstreamStream.h"

#include <algorithm>

using namespace portico;
using namespace portico::gateway::grpc;

namespace {

bool translate(const QByteArray &body, bool text, qsizetype step, QByteArray &out)
{
    http::RequestHead request;
    request.headers.add("content-type", text ? "application/grpc-web-text" : "application/grpc-web+proto");
    std::unique_ptr<GrpcWebBridge> bridge = GrpcWebBridge::create(request);
    FUZZ_CHECK(bridge);
    gateway::RequestFraming framing;
    FUZZ_CHECK(bridge->decide(true, request, framing, out));
    FUZZ_CHECK(request.headers.value("te") == "trailers");
    for (qsizetype i = 0; i < body.size(); i += step) {
        const qsizetype n = std::min(step, body.size() - i);
        if (!bridge->requestBody(body.constData() + i, size_t(n), out)) {
            FUZZ_CHECK(!bridge->requestError().isEmpty());
            return false;
        }
    }
    const bool ok = bridge->requestEnd();
    FUZZ_CHECK(ok == bridge->requestError().isEmpty());
    return ok;
}

QByteArray encodeInPieces(const QByteArray &data, qsizetype step)
{
    Base64Encoder e;
    QByteArray out;
    for (qsizetype i = 0; i < data.size(); i += step)
        e.feed(QByteArrayView(data).sliced(i, std::min(step, data.size() - i)), out);
    e.finish(out);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0)
        return 0;
    const bool text = data[0] & 1;
    const qsizetype step = 1 + ((data[0] >> 1) & 7);
    const QByteArray body = fuzz::bytes(data + 1, size - 1);

    QByteArray whole, pieces;
    const bool wholeOk = translate(body, text, std::max<qsizetype>(1, body.size()), whole);
    const bool piecesOk = translate(body, text, step, pieces);
    FUZZ_CHECK(wholeOk == piecesOk);
    if (wholeOk) {
        FUZZ_CHECK(whole == pieces);
        if (!text)
            FUZZ_CHECK(whole == body);
        std::vector<Frame> frames;
        QString error;
        FUZZ_CHECK(parseFrames(whole, &frames, &error));
        for (const Frame &f : frames)
            FUZZ_CHECK((f.flags & ~kCompressedFlag) == 0);
        if (text) {
            const QByteArray again = encodeInPieces(whole, step);
            Base64Decoder d;
            QByteArray back;
            FUZZ_CHECK(d.feed(again, back) && d.finish());
            FUZZ_CHECK(back == whole);
        }
    }

    FUZZ_CHECK(encodeInPieces(body, step) == body.toBase64());

    // The answer side, as a client reads it.
    std::vector<Frame> frames;
    QString error;
    if (!parseFrames(body, &frames, &error))
        return 0;
    for (const Frame &f : frames) {
        http::HttpHeaders fields;
        if (!parseTrailers(f.payload, &fields, &error))
            continue;
        std::vector<Frame> written;
        FUZZ_CHECK(parseFrames(trailerFrame(fields), &written, &error));
        FUZZ_CHECK(written.size() == 1 && written[0].flags == kTrailerFlag);
        http::HttpHeaders back;
        FUZZ_CHECK(parseTrailers(written[0].payload, &back, &error));
        FUZZ_CHECK(back == fields);
    }
    return 0;
}
