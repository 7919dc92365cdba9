#!/usr/bin/env python3
"""demo.users.v1.Users (tests/data/grpc/protos) served with python3-grpcio for tst_gateway_transcode.

  grpc_users_peer.py    serves on 127.0.0.1 (h2c), prints "port N", runs until killed

Messages are encoded and decoded by hand (protobuf's wire format is small) so the test needs no
generated code: what Portico's transcoder sends and expects is checked against an independent
reading of the same schema.
"""
from concurrent import futures

import grpc

SERVICE = "demo.users.v1.Users"


def varint(n):
    out = b""
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field_bytes(number, data):
    return varint((number << 3) | 2) + varint(len(data)) + data


def field_int(number, value):
    return varint(number << 3) + varint(value)


def read_varint(data, i):
    """(value, next index) of the varint at data[i]."""
    value, shift = 0, 0
    while True:
        b = data[i]; i += 1
        value |= (b & 0x7F) << shift; shift += 7
        if not b & 0x80:
            return value, i


def parse(data):
    """{field number: [values]}: ints for varints, bytes for length-delimited."""
    fields, i = {}, 0
    while i < len(data):
        key, i = read_varint(data, i)
        number, kind = key >> 3, key & 7
        if kind == 0:
            value, i = read_varint(data, i)
        elif kind == 2:
            length, i = read_varint(data, i)
            value = data[i:i + length]; i += length
        else:
            raise ValueError("unexpected wire type %d" % kind)
        fields.setdefault(number, []).append(value)
    return fields


def user(name, uid, role=1):
    return field_bytes(1, name.encode()) + field_int(2, uid) + field_int(3, role)


def get_user(request, context):
    f = parse(request)
    uid = f.get(1, [b""])[0].decode()
    email = f.get(2, [b""])[0].decode()
    if uid == "404":
        context.abort(grpc.StatusCode.NOT_FOUND, "no user 404")
    if email:
        return user("by-email:" + email, 1)
    context.set_trailing_metadata((("x-seen-authorization", dict(context.invocation_metadata()).get("authorization", "")),))
    return user("user-" + uid, int(uid) if uid.isdigit() else 0)


def create_user(request, context):
    f = parse(request)
    return f.get(1, [b""])[0]  # the User it was given


def purge(request, context):
    return user("purged", 0, 0)


def list_users(request, context):
    n = parse(request).get(1, [0])[0]
    for i in range(min(n, 5) if n != 99 else 2):
        yield user("u%d" % i, i)
    if n == 99:
        context.abort(grpc.StatusCode.UNAVAILABLE, "backend went away")


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    handlers = {
        "GetUser": grpc.unary_unary_rpc_method_handler(get_user),
        "CreateUser": grpc.unary_unary_rpc_method_handler(create_user),
        "Purge": grpc.unary_unary_rpc_method_handler(purge),
        "ListUsers": grpc.unary_stream_rpc_method_handler(list_users),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("port %d" % port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
