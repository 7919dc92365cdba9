// google/api/http.proto and google/api/annotations.proto as Portico ships them, so that a
// workspace's .proto files can import them without a googleapis checkout. Written here from the
// published shape of the messages (field names, numbers and the extension number are what the
// wire format and the JSON mapping depend on); comments are Portico's own.
#include "core/grpc/Schema.h"

namespace portico::grpc {

namespace {

const char *const kHttpProto = R"proto(syntax = "proto3";

package google.api;

option go_package = "google.golang.org/genproto/googleapis/api/annotations;annotations";
option java_multiple_files = true;
option java_outer_classname = "HttpProto";
option java_package = "com.google.api";

// A list of HTTP rules for a service, as a service config file carries them.
message Http {
  repeated HttpRule rules = 1;
  bool fully_decode_reserved_expansion = 2;
}

// How one RPC method is reached over HTTP/JSON: a verb with a path template, which part of the
// request message the HTTP body fills, which part of the response becomes the HTTP body, and
// further bindings of the same method.
message HttpRule {
  string selector = 1;
  oneof pattern {
    string get = 2;
    string put = 3;
    string post = 4;
    string delete = 5;
    string patch = 6;
    CustomHttpPattern custom = 8;
  }
  string body = 7;
  string response_body = 12;
  repeated HttpRule additional_bindings = 11;
}

// A verb that is none of the five above.
message CustomHttpPattern {
  string kind = 1;
  string path = 2;
}
)proto";

const char *const kAnnotationsProto = R"proto(syntax = "proto3";

package google.api;

import "google/api/http.proto";
import "google/protobuf/descriptor.proto";

option go_package = "google.golang.org/genproto/googleapis/api/annotations;annotations";
option java_multiple_files = true;
option java_outer_classname = "AnnotationsProto";
option java_package = "com.google.api";

extend google.protobuf.MethodOptions {
  // The method's HTTP mapping: option (google.api.http) = { get: "/v1/things/{id}" };
  HttpRule http = 72295728;
}
)proto";

} // namespace

const char *builtinProto(const QString &name)
{
    if (name == u"google/api/http.proto")
        return kHttpProto;
    if (name == u"google/api/annotations.proto")
        return kAnnotationsProto;
    return nullptr;
}

} // namespace portico::grpc
