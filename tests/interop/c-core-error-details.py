# The C-core side of tests/interop/error-details.test.ts, on Debian's
# python3-grpcio (gRPC's C core under Python) and python3-protobuf.
#
#   c-core-error-details.py DESCRIPTORS server
#       serves /wirecall.demo.v1.DemoService/Greet, failing every call with
#       INVALID_ARGUMENT and one of every google.rpc error detail in
#       grpc-status-details-bin; prints "listening <port>".
#   c-core-error-details.py DESCRIPTORS client PORT
#       calls Greet on 127.0.0.1:PORT, expects it to fail, and prints the
#       status and every detail it decoded as one JSON line.
#
# DESCRIPTORS is a FileDescriptorSet holding google/rpc/status.proto and
# google/rpc/error_details.proto (Debian has no googleapis-common-protos).
import json
import sys
from concurrent import futures

import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, json_format
from google.protobuf import duration_pb2  # noqa: F401  (puts Duration in the default pool)
from google.protobuf import message_factory

GREET = "/wirecall.demo.v1.DemoService/Greet"


def load_classes(path):
    pool = descriptor_pool.Default()
    with open(path, "rb") as f:
        fds = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    for fdp in fds.file:
        try:
            pool.FindFileByName(fdp.name)
        except KeyError:
            pool.Add(fdp)
    names = [
        "Status", "ErrorInfo", "BadRequest", "RetryInfo", "DebugInfo", "QuotaFailure",
        "PreconditionFailure", "ResourceInfo", "RequestInfo", "Help", "LocalizedMessage",
    ]
    classes = {}
    for name in names:
        desc = pool.FindMessageTypeByName("google.rpc." + name)
        if hasattr(message_factory, "GetMessageClass"):
            classes[name] = message_factory.GetMessageClass(desc)
        else:
            classes[name] = message_factory.MessageFactory(pool).GetPrototype(desc)
    return classes


def rich_status(c):
    # Nested messages are built through their repeated fields: classes made
    # from a descriptor pool do not expose nested types as attributes.
    bad = c["BadRequest"]()
    bad.field_violations.add(field="name", description="too short", reason="LEN")
    quota = c["QuotaFailure"]()
    quota.violations.add(subject="project:p", description="over", quota_value=9)
    pre = c["PreconditionFailure"]()
    pre.violations.add(type="TOS", subject="u", description="accept")
    help_ = c["Help"]()
    help_.links.add(description="docs", url="https://example.com/py")
    details = [
        c["ErrorInfo"](reason="QUOTA", domain="c-core.example.com", metadata={"lang": "python"}),
        bad,
        c["RetryInfo"](retry_delay=duration_pb2.Duration(seconds=7, nanos=250000000)),
        c["DebugInfo"](stack_entries=["frame 1", "frame 2"], detail="from python"),
        quota,
        pre,
        c["ResourceInfo"](resource_type="book", resource_name="shelves/1/books/2", owner="o"),
        c["RequestInfo"](request_id="py-1", serving_data="s"),
        help_,
        c["LocalizedMessage"](locale="ja-JP", message="名前が短すぎます"),
    ]
    packed = []
    for d in details:
        a = any_pb2.Any()
        a.Pack(d)
        packed.append(a)
    return c["Status"](code=3, message="bad name from c-core", details=packed)


def serve(classes):
    status = rich_status(classes)

    def greet(_request, context):
        context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, status.message)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handler = grpc.method_handlers_generic_handler(
        "wirecall.demo.v1.DemoService",
        {"Greet": grpc.unary_unary_rpc_method_handler(greet)},
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("listening %d" % port, flush=True)
    # Runs until the test kills it, or its stdin closes.
    sys.stdin.read()
    server.stop(0)


def call(classes, port):
    by_url = {"type.googleapis.com/google.rpc." + n: cls for n, cls in classes.items()}
    with grpc.insecure_channel("127.0.0.1:%s" % port) as channel:
        greet = channel.unary_unary(GREET)
        try:
            greet(b"\x0a\x06c-core", timeout=10)
            print(json.dumps({"ok": True}), flush=True)
            return
        except grpc.RpcError as e:
            trailers = dict(e.trailing_metadata() or ())
            raw = trailers.get("grpc-status-details-bin")
            out = {"code": e.code().value[0], "message": e.details(), "details": []}
            if raw is not None:
                status = classes["Status"].FromString(raw)
                out["statusCode"] = status.code
                out["statusMessage"] = status.message
                for a in status.details:
                    cls = by_url.get(a.type_url)
                    value = cls.FromString(a.value) if cls else None
                    out["details"].append({
                        "type": a.type_url,
                        "value": json_format.MessageToDict(value) if value is not None else None,
                    })
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    classes = load_classes(sys.argv[1])
    if sys.argv[2] == "server":
        serve(classes)
    else:
        call(classes, sys.argv[3])
