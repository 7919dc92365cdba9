// REST <-> gRPC transcoding (core/grpc/Transcoder, core/gateway/grpc/TranscodeBridge) on arbitrary
// bytes, against a schema with every kind of field. The first byte picks the side:
//   even: a REST request, "METHOD PATH?QUERY\nBODY": matched, then encoded into a message;
//   odd:  an upstream's answer body in pieces of 1-16 bytes: frames decoded into JSON.
//
// Beyond "no crash", it checks: an encoded request parses back as the method's input type, every
// decoded answer is a JSON object (or a value for response_body), and an answer body ending
// inside a frame is reported, never taken as complete.
#include "FuzzSupport.h"

#include "core/gateway/grpc/TranscodeBridge.h"
#include "core/grpc/Transcoder.h"

#include <google/protobuf/descriptor.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace portico;

namespace {

const char *kProto = R"(syntax = "proto3";
package fz;
import "google/api/annotations.proto";
import "google/protobuf/timestamp.proto";
enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; }
message Inner { string s = 1; repeated int64 ids = 2; Kind kind = 3; }
message Req {
  string name = 1; int32 n = 2; uint64 big = 3; bool flag = 4; double d = 5; bytes raw = 6;
  Inner inner = 7; repeated string tags = 8; google.protobuf.Timestamp at = 9; map<string, int32> m = 10;
}
message Resp { Inner inner = 1; string note = 2; }
service Svc {
  rpc Get(Req) returns (Resp) { option (google.api.http) = { get: "/v1/{name}/{inner.s=x/*}" }; }
  rpc Put(Req) returns (Resp) { option (google.api.http) = { put: "/v1/{name=items/**}:set" body: "inner" response_body: "inner" }; }
  rpc Post(Req) returns (Resp) { option (google.api.http) = { post: "/v1/post" body: "*" }; }
  rpc Stream(Req) returns (stream Resp);
}
)";

struct Fixture
{
    QTemporaryDir dir;
    std::shared_ptr<const grpc::Transcoder> transcoder;
    Fixture()
    {
        QFile f(dir.filePath(QStringLiteral("fz.proto")));
        f.open(QIODevice::WriteOnly);
        f.write(kProto);
        f.close();
        const grpc::SchemaLoadResult r = grpc::loadSchema({ f.fileName() }, { dir.path() });
        FUZZ_CHECK(r.schema);
        QString error;
        transcoder = grpc::Transcoder::build(r.schema, {}, false, &error);
        FUZZ_CHECK(transcoder);
    }
};

Fixture &fixture()
{
    static Fixture f;
    return f;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 2)
        return 0;
    const auto &t = fixture().transcoder;
    const QByteArray in = portico::fuzz::bytes(data + 1, size - 1);
    if (data[0] % 2 == 0) {
        const qsizetype newline = in.indexOf('\n');
        const QByteArray line = newline < 0 ? in : in.left(newline);
        const QByteArray body = newline < 0 ? QByteArray() : in.mid(newline + 1);
        const qsizetype space = line.indexOf(' ');
        const QByteArray method = space < 0 ? QByteArray("GET") : line.left(space);
        const QByteArray target = space < 0 ? line : line.mid(space + 1);
        const qsizetype q = target.indexOf('?');
        auto matched = t->match(method, QString::fromUtf8(q < 0 ? target : target.left(q)));
        const auto *call = std::get_if<grpc::Transcoder::Call>(&matched);
        if (!call)
            return 0;
        const auto encoded = t->encodeRequest(*call, body, q < 0 ? QByteArrayView() : QByteArrayView(target).sliced(q + 1));
        if (const auto *message = std::get_if<QByteArray>(&encoded))
            FUZZ_CHECK(t->schema().toJson(call->method->input_type(), *message).has_value());
        return 0;
    }
    static const char *kPaths[] = { "/v1/a/x/b", "/v1/items/a/b:set", "/fz.Svc/Stream" };
    static const char *kMethods[] = { "GET", "PUT", "POST" };
    const int which = (data[0] >> 1) % 3;
    auto matched = t->match(kMethods[which], QString::fromLatin1(kPaths[which]));
    const auto *call = std::get_if<grpc::Transcoder::Call>(&matched);
    FUZZ_CHECK(call);
    gateway::grpc::TranscodeBridge bridge(t, *call, 1 << 20);
    const size_t piece = size_t((data[0] >> 3) % 16) + 1;
    bool ok = true;
    for (qsizetype at = 0; at < in.size() && ok; at += qsizetype(piece)) {
        QList<QByteArray> json;
        QString error;
        const QByteArray chunk = in.mid(at, qsizetype(piece));
        ok = bridge.responseBody(chunk.constData(), size_t(chunk.size()), &json, &error);
        FUZZ_CHECK(ok || !error.isEmpty());
        for (const QByteArray &j : json) {
            if (call->responseBody.isEmpty())
                FUZZ_CHECK(QJsonDocument::fromJson(j).isObject());
            else
                FUZZ_CHECK(!QJsonDocument::fromJson("[" + j + "]").isNull());
        }
    }
    if (ok) {
        gateway::grpc::TranscodeBridge::Outcome outcome;
        QString error;
        bridge.responseEnd({}, &outcome, &error);
    }
    return 0;
}
