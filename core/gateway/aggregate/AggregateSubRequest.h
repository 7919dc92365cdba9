#pragma once

#include "core/config/Workspace.h"
#include "core/http/HttpMessage.h"

namespace portico::gateway {

// The request head of one part of an aggregate route, derived from the client's request after the
// route's filters ran on it (so auth, hide_credentials and request transforms apply once, at the
// edge, and their result reaches every part).
//
// - method GET (parts are reads; a client HEAD still needs the bodies to merge);
// - path and query from the part's `path` ("/orders/recent?limit=5"); the client's query is not
//   carried over;
// - the client's end-to-end headers, minus hop-by-hop fields (and those Connection names), Host,
//   body framing (no body is sent), Expect, and conditional/range fields (they describe the merged
//   answer, not the parts);
// - Accept-Encoding narrowed to gzip/deflate, which the merger decodes.
// The engine adds its forwarding headers (X-Forwarded-*, traceparent with the parent's trace id)
// as for any upstream request.
http::RequestHead makeAggregateSubRequest(const http::RequestHead &client, const config::AggregatePart &part);

} // namespace portico::gateway
