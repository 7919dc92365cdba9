// Captured gRPC bodies (from clients and upstreams: anything) through the frame splitter and the
// message decoder (core/grpc/GrpcFrames, core/capture/GrpcMessages) with a real schema. The first
// byte picks the side (request: GetUserRequest, response: User) and whether the body counts as
// cut by the capture cap; the rest is the body.
#include "FuzzSupport.h"

#include "core/capture/GrpcMessages.h"
#include "core/grpc/GrpcFrames.h"
#include "core/grpc/Schema.h"

#include <google/protobuf/descriptor.h>

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace portico;

namespace {

// Well-known types, an enum, a nested message, repeated and map fields: the decoder's paths.
const char kSchema[] = R"(syntax = "proto3";
package demo.users.v1;
import "google/protobuf/timestamp.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/any.proto";
enum Role { ROLE_UNSPECIFIED = 0; ROLE_ADMIN = 1; }
message GetUserRequest { string id = 1; repeated int64 ids = 2; map<string, User> by_name = 3; }
message User {
  string name = 1; int64 id = 2; Role role = 3; google.protobuf.Timestamp created = 4;
  google.protobuf.Struct extra = 5; google.protobuf.Any any = 6; repeated User friends = 7;
  bytes avatar = 8; double score = 9; oneof contact { string email = 10; uint64 phone = 11; }
}
service Users { rpc GetUser(GetUserRequest) returns (User); }
)";

grpc::SchemaPtr g_schema;

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("users.proto")));
    if (!f.open(QIODevice::WriteOnly) || f.write(kSchema) < 0)
        std::abort();
    f.close();
    const grpc::SchemaLoadResult r = grpc::loadSchema({ f.fileName() }, {});
    if (!r.schema) {
        std::fprintf(stderr, "the fuzz schema does not load: %s\n",
            r.errors.isEmpty() ? "?" : qPrintable(r.errors.first().message));
        std::abort();
    }
    g_schema = r.schema;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0)
        return 0;
    const bool request = data[0] & 1;
    const bool truncated = data[0] & 2;
    const QByteArray body = fuzz::bytes(data + 1, size - 1);

    const grpc::GrpcFrames split = grpc::splitFrames(body, 1 << 20, 64);
    qsizetype consumed = 0;
    FUZZ_CHECK(split.frames.size() <= 64);
    for (const grpc::GrpcFrame &f : split.frames) {
        FUZZ_CHECK(f.payload.size() <= qsizetype(f.length));
        FUZZ_CHECK(f.complete == (f.payload.size() == qsizetype(f.length)));
        FUZZ_CHECK(f.length <= (1u << 20));
        consumed += 5 + f.payload.size();
    }
    FUZZ_CHECK(consumed <= body.size());
    FUZZ_CHECK(split.error.isEmpty() == (consumed == body.size()));

    capture::Exchange e;
    e.grpcService = QStringLiteral("demo.users.v1.Users");
    e.grpcMethod = QStringLiteral("GetUser");
    (request ? e.requestBody : e.responseBody) = body;
    (request ? e.requestTruncated : e.responseTruncated) = truncated;
    for (const grpc::Schema *schema : { g_schema.get(), static_cast<const grpc::Schema *>(nullptr) }) {
        const QJsonArray messages = capture::grpcMessages(e, request, schema);
        const grpc::GrpcFrames all = grpc::splitFrames(body);
        FUZZ_CHECK(messages.size() >= all.frames.size());
        for (qsizetype i = 0; i < all.frames.size(); ++i) {
            const QJsonObject m = messages[i].toObject();
            // Without a schema, and for any frame that is cut or compressed, the raw frame is shown.
            if (!schema || !all.frames[i].complete || all.frames[i].compressed)
                FUZZ_CHECK(m.contains(QStringLiteral("raw")));
        }
    }
    return 0;
}
