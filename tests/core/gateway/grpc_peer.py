#!/usr/bin/env python3
"""A gRPC peer for tst_gateway_grpc and tst_gateway_grpc_web, written with python3-grpcio (Debian), not with Portico's code.

  grpc_peer.py server            serves demo.Echo on 127.0.0.1 (h2c), prints "port N", runs until killed
  grpc_peer.py client HOST:PORT  calls every method through HOST:PORT, prints one JSON object
  grpc_peer.py capture HOST:PORT calls Say, Chat and Fail with protobuf-shaped messages (see
                                 tests/data/grpc/protos/demo/echo.proto), prints one JSON object

Messages are raw bytes (no generated code): the proxy sees real gRPC framing, trailers, deadlines
and status codes, which is what it has to carry.
"""
import json
import sys
import time
from concurrent import futures

import grpc

SERVICE = "demo.Echo"


def say(request, context):
    context.set_trailing_metadata((("x-served-by", "grpc-peer"),))
    return b"echo:" + request


def count(request, context):
    for i in range(int(request)):
        yield b"n%d" % i


def total(requests, context):
    return b"+".join(requests)


def chat(requests, context):
    for r in requests:
        yield r.upper()


def fail(request, context):
    context.abort(grpc.StatusCode.NOT_FOUND, "no such user: " + request.decode())


def tick(request, context):
    # Server streaming with pauses: a proxy that buffered the stream would deliver it all at the end.
    for i in range(int(request)):
        if i:
            time.sleep(0.3)
        yield b"t%d" % i


def slow(request, context):
    time.sleep(float(request))
    return b"late"


def serve():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    handlers = {
        "Say": grpc.unary_unary_rpc_method_handler(say),
        "Count": grpc.unary_stream_rpc_method_handler(count),
        "Sum": grpc.stream_unary_rpc_method_handler(total),
        "Chat": grpc.stream_stream_rpc_method_handler(chat),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
        "Slow": grpc.unary_unary_rpc_method_handler(slow),
        "Tick": grpc.unary_stream_rpc_method_handler(tick),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("port %d" % port, flush=True)
    server.wait_for_termination()


def call(target):
    out = {}
    with grpc.insecure_channel(target) as channel:
        method = lambda kind, name: getattr(channel, kind)("/%s/%s" % (SERVICE, name))
        reply, c = method("unary_unary", "Say").with_call(b"hello", timeout=10)
        out["say"] = reply.decode()
        out["say_trailer"] = dict(c.trailing_metadata()).get("x-served-by")
        out["count"] = [m.decode() for m in method("unary_stream", "Count")(b"5", timeout=10)]
        out["sum"] = method("stream_unary", "Sum")(iter([b"a", b"b", b"c"]), timeout=10).decode()
        out["chat"] = [m.decode() for m in method("stream_stream", "Chat")(iter([b"x", b"y"]), timeout=10)]
        big = b"z" * (3 * 1024 * 1024)
        out["big"] = len(method("unary_unary", "Say")(big, timeout=20))
        try:
            method("unary_unary", "Fail")(b"bob", timeout=10)
            out["fail"] = "no error"
        except grpc.RpcError as e:
            out["fail"] = [e.code().name, e.details()]
        try:
            method("unary_unary", "Slow")(b"3", timeout=0.5)
            out["deadline"] = "no error"
        except grpc.RpcError as e:
            out["deadline"] = e.code().name
    print(json.dumps(out), flush=True)


def capture(target):
    """Messages that are demo.Msg {text: "bob"} on the wire (field 1, length 3)."""
    out = {}
    bob = b"\x0a\x03bob"
    with grpc.insecure_channel(target) as channel:
        method = lambda kind, name: getattr(channel, kind)("/%s/%s" % (SERVICE, name))
        out["say"] = method("unary_unary", "Say")(bob, timeout=10).hex()
        out["chat"] = [m.hex() for m in method("stream_stream", "Chat")(iter([bob, bob]), timeout=10)]
        try:
            method("unary_unary", "Fail")(b"bob", timeout=10)
        except grpc.RpcError as e:
            out["fail"] = e.code().name
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve()
    elif sys.argv[1] == "capture":
        capture(sys.argv[2])
    else:
        call(sys.argv[2])
