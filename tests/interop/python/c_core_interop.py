# gRPC's C core as an interop peer: Debian's python3-grpcio (C-core under
# Python) and python3-protobuf, with the grpc.testing messages built at run
# time from a FileDescriptorSet (Debian's python3-grpc-tools is far too old
# to generate them), so nothing here is generated code.
#
#   c_core_interop.py server --descriptors SET [--port 0] [--use_tls --cert PEM --key PEM]
#       serves grpc.testing.TestService (UnimplementedCall and
#       UnimplementedService left out on purpose) on 127.0.0.1 and prints
#       "listening <port>"; runs until killed or its stdin closes.
#   c_core_interop.py client --descriptors SET --server_port N [--server_host H]
#       [--test_case a,b,...|all] [--use_tls --ca_file PEM [--server_host_override NAME]]
#       runs the standard cases and prints "PASS name" / "FAIL name: reason"
#       per case, then "N passed, N failed"; exits 1 when a case failed.
#
# SET is a FileDescriptorSet of grpc/testing/{empty,messages,test}.proto; the
# tests write it from wirecall's generated descriptors.
#
# Compression: the client compresses a call with grpc.Compression.Gzip. The
# public Python API has no per-message switch on the client side, so the
# second message of client_compressed_streaming is sent with C-core's
# GRPC_WRITE_NO_COMPRESS write flag through grpcio's internal cygrpc module
# (see _NoCompressShim). The server compresses per message with
# context.set_compression and context.disable_next_message_compression, both
# public. Neither side of grpcio can see whether a received message was
# compressed, so the server cannot check expect_compressed.
import argparse
import queue
import sys
import threading
import time
from concurrent import futures

import grpc
from grpc import _channel as grpc_channel_internal
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"
TEST = "/grpc.testing.TestService/"

CODES = {c.value[0]: c for c in grpc.StatusCode}


def load_messages(path):
    pool = descriptor_pool.DescriptorPool()
    with open(path, "rb") as f:
        fds = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    for fdp in fds.file:
        pool.Add(fdp)
    names = [
        "Empty", "SimpleRequest", "SimpleResponse", "StreamingInputCallRequest",
        "StreamingInputCallResponse", "StreamingOutputCallRequest",
        "StreamingOutputCallResponse",
    ]
    out = {}
    for name in names:
        desc = pool.FindMessageTypeByName("grpc.testing." + name)
        if hasattr(message_factory, "GetMessageClass"):
            out[name] = message_factory.GetMessageClass(desc)
        else:
            out[name] = message_factory.MessageFactory(pool).GetPrototype(desc)
    return out


# --- per-message compression on the client --------------------------------

_no_compress = threading.local()


class _NoCompressShim:
    """Stands in for cygrpc inside grpc._channel: a request message whose
    serializer asked for it is sent with C-core's no-compress write flag."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def SendMessageOperation(self, message, flags):  # noqa: N802 (cygrpc's name)
        if getattr(_no_compress, "next", False):
            _no_compress.next = False
            flags |= self._real.WriteFlag.no_compress
        return self._real.SendMessageOperation(message, flags)


grpc_channel_internal.cygrpc = _NoCompressShim(grpc_channel_internal.cygrpc)


class Uncompressed:
    """A request to send without compression in a compressed call."""

    def __init__(self, message):
        self.message = message


def serializer(_cls):
    def serialize(m):
        if isinstance(m, Uncompressed):
            # Called on the request-consuming thread right before the send
            # operation is built there.
            _no_compress.next = True
            return m.message.SerializeToString()
        return m.SerializeToString()
    return serialize


# --- the client ------------------------------------------------------------


class Pipe:
    """A request iterator fed by the test; blocks until the next item or close()."""

    _END = object()

    def __init__(self):
        self._q = queue.Queue()

    def add(self, item):
        self._q.put(item)

    def close(self):
        self._q.put(Pipe._END)

    def __iter__(self):
        return self

    def __next__(self):
        item = self._q.get()
        if item is Pipe._END:
            raise StopIteration()
        return item


class Stub:
    def __init__(self, channel, m, compression=None):
        self.m = m
        self.compression = compression

        def mk(kind, name, req, res, prefix=TEST):
            factory = getattr(channel, kind)
            return factory(prefix + name, request_serializer=serializer(req),
                           response_deserializer=res.FromString)

        self.EmptyCall = mk("unary_unary", "EmptyCall", m["Empty"], m["Empty"])
        self.UnaryCall = mk("unary_unary", "UnaryCall", m["SimpleRequest"], m["SimpleResponse"])
        self.StreamingOutputCall = mk("unary_stream", "StreamingOutputCall",
                                      m["StreamingOutputCallRequest"],
                                      m["StreamingOutputCallResponse"])
        self.StreamingInputCall = mk("stream_unary", "StreamingInputCall",
                                     m["StreamingInputCallRequest"],
                                     m["StreamingInputCallResponse"])
        self.FullDuplexCall = mk("stream_stream", "FullDuplexCall",
                                 m["StreamingOutputCallRequest"],
                                 m["StreamingOutputCallResponse"])
        self.UnimplementedCall = mk("unary_unary", "UnimplementedCall", m["Empty"], m["Empty"])
        self.UnimplementedServiceCall = mk("unary_unary", "UnimplementedCall", m["Empty"],
                                           m["Empty"],
                                           prefix="/grpc.testing.UnimplementedService/")

    def kw(self, **extra):
        if self.compression is not None:
            extra["compression"] = self.compression
        extra.setdefault("timeout", 30)
        return extra


class CaseFailure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CaseFailure(what)


def expect_error(code, fn, message=None):
    try:
        fn()
    except grpc.RpcError as e:
        check(e.code() == code, "expected %s, got %s: %s" % (code, e.code(), e.details()))
        if message is not None:
            check(e.details() == message, "expected message %r, got %r" % (message, e.details()))
        return
    raise CaseFailure("expected the call to fail with %s, it succeeded" % (code,))


def zeros(n):
    return b"\x00" * n


SIZES = [31415, 9, 2653, 58979]
PAYLOADS = [27182, 8, 1828, 45904]


def large_unary(stub, **fields):
    m = stub.m
    req = m["SimpleRequest"](response_size=314159)
    req.payload.body = zeros(271828)
    for k, v in fields.items():
        getattr(req, k).value = v
    res = stub.UnaryCall(req, **stub.kw())
    check(len(res.payload.body) == 314159, "payload of %d bytes" % len(res.payload.body))
    check(res.payload.body == zeros(314159), "payload not zeros")
    return res


def input_req(m, size, expect=None):
    r = m["StreamingInputCallRequest"]()
    r.payload.body = zeros(size)
    if expect is not None:
        r.expect_compressed.value = expect
    return r


def output_req(m, sizes, payload=None, compressed=None):
    r = m["StreamingOutputCallRequest"]()
    for i, s in enumerate(sizes):
        p = r.response_parameters.add(size=s)
        if compressed is not None:
            p.compressed.value = compressed[i]
    if payload is not None:
        r.payload.body = zeros(payload)
    return r


def case_empty_unary(s, _g):
    res = s.EmptyCall(s.m["Empty"](), **s.kw())
    check(res.ByteSize() == 0, "non-empty response")


def case_large_unary(s, _g):
    large_unary(s)


def case_client_streaming(s, _g):
    res = s.StreamingInputCall(iter([input_req(s.m, n) for n in PAYLOADS]), **s.kw())
    check(res.aggregated_payload_size == 74922, "aggregated %d" % res.aggregated_payload_size)


def case_server_streaming(s, _g):
    got = [len(r.payload.body) for r in s.StreamingOutputCall(output_req(s.m, SIZES), **s.kw())]
    check(got == SIZES, "sizes %r" % got)


def case_ping_pong(s, _g):
    pipe = Pipe()
    call = s.FullDuplexCall(pipe, **s.kw())
    try:
        for size, payload in zip(SIZES, PAYLOADS):
            pipe.add(output_req(s.m, [size], payload=payload))
            r = next(call)
            check(len(r.payload.body) == size, "got %d, want %d" % (len(r.payload.body), size))
        pipe.close()
        check(next(call, None) is None, "more responses than requests")
    finally:
        pipe.close()


def case_empty_stream(s, _g):
    got = list(s.FullDuplexCall(iter([]), **s.kw()))
    check(got == [], "got %d responses" % len(got))


def case_timeout_on_sleeping_server(s, _g):
    pipe = Pipe()
    pipe.add(output_req(s.m, [], payload=27182))
    try:
        expect_error(grpc.StatusCode.DEADLINE_EXCEEDED,
                     lambda: list(s.FullDuplexCall(pipe, **s.kw(timeout=0.001))))
    finally:
        pipe.close()


def case_cancel_after_begin(s, _g):
    pipe = Pipe()
    future = s.StreamingInputCall.future(pipe, **s.kw())
    future.cancel()
    check(future.cancelled(), "the call is not cancelled")
    check(future.code() == grpc.StatusCode.CANCELLED, "code %s" % (future.code(),))
    pipe.close()


def case_cancel_after_first_response(s, _g):
    pipe = Pipe()
    call = s.FullDuplexCall(pipe, **s.kw())
    try:
        pipe.add(output_req(s.m, [31415], payload=27182))
        r = next(call)
        check(len(r.payload.body) == 31415, "first response of %d bytes" % len(r.payload.body))
        call.cancel()
        expect_error(grpc.StatusCode.CANCELLED, lambda: next(call))
    finally:
        pipe.close()


def case_custom_metadata(s, _g):
    md = ((ECHO_INITIAL, "test_initial_metadata_value"), (ECHO_TRAILING, b"\xab\xab\xab"))

    def verify(initial, trailing):
        initial, trailing = dict(initial), dict(trailing)
        check(initial.get(ECHO_INITIAL) == "test_initial_metadata_value",
              "initial %r" % initial.get(ECHO_INITIAL))
        check(trailing.get(ECHO_TRAILING) == b"\xab\xab\xab",
              "trailing %r" % trailing.get(ECHO_TRAILING))

    req = s.m["SimpleRequest"](response_size=314159)
    req.payload.body = zeros(271828)
    res, call = s.UnaryCall.with_call(req, **s.kw(metadata=md))
    check(len(res.payload.body) == 314159, "unary payload %d" % len(res.payload.body))
    verify(call.initial_metadata(), call.trailing_metadata())
    call = s.FullDuplexCall(iter([output_req(s.m, [314159], payload=271828)]), **s.kw(metadata=md))
    got = [len(r.payload.body) for r in call]
    check(got == [314159], "bidi sizes %r" % got)
    verify(call.initial_metadata(), call.trailing_metadata())


def case_status_code_and_message(s, _g):
    msg = "test status message"
    req = s.m["SimpleRequest"]()
    req.response_status.code = 2
    req.response_status.message = msg
    expect_error(grpc.StatusCode.UNKNOWN, lambda: s.UnaryCall(req, **s.kw()), msg)
    sreq = s.m["StreamingOutputCallRequest"]()
    sreq.response_status.code = 2
    sreq.response_status.message = msg
    expect_error(grpc.StatusCode.UNKNOWN,
                 lambda: list(s.FullDuplexCall(iter([sreq]), **s.kw())), msg)


def case_special_status_message(s, _g):
    msg = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"
    req = s.m["SimpleRequest"]()
    req.response_status.code = 2
    req.response_status.message = msg
    expect_error(grpc.StatusCode.UNKNOWN, lambda: s.UnaryCall(req, **s.kw()), msg)


def case_unimplemented_method(s, _g):
    expect_error(grpc.StatusCode.UNIMPLEMENTED,
                 lambda: s.UnimplementedCall(s.m["Empty"](), **s.kw()))


def case_unimplemented_service(s, _g):
    expect_error(grpc.StatusCode.UNIMPLEMENTED,
                 lambda: s.UnimplementedServiceCall(s.m["Empty"](), **s.kw()))


def case_client_compressed_unary(s, g):
    # The probe: an uncompressed message said to be compressed is refused.
    expect_error(grpc.StatusCode.INVALID_ARGUMENT,
                 lambda: large_unary(s, expect_compressed=True))
    large_unary(g, expect_compressed=True)
    large_unary(s, expect_compressed=False)


def case_server_compressed_unary(s, _g):
    large_unary(s, response_compressed=True)
    large_unary(s, response_compressed=False)


def case_client_compressed_streaming(s, g):
    expect_error(grpc.StatusCode.INVALID_ARGUMENT,
                 lambda: s.StreamingInputCall(iter([input_req(s.m, 27182, True)]), **s.kw()))
    res = g.StreamingInputCall(iter([
        input_req(g.m, 27182, True),
        Uncompressed(input_req(g.m, 45904, False)),
    ]), **g.kw())
    check(res.aggregated_payload_size == 73086, "aggregated %d" % res.aggregated_payload_size)


def case_server_compressed_streaming(s, _g):
    req = output_req(s.m, [31415, 92653], compressed=[True, False])
    got = [len(r.payload.body) for r in s.StreamingOutputCall(req, **s.kw())]
    check(got == [31415, 92653], "sizes %r" % got)


ALL_CASES = [
    "empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong",
    "empty_stream", "timeout_on_sleeping_server", "cancel_after_begin",
    "cancel_after_first_response", "custom_metadata", "status_code_and_message",
    "special_status_message", "unimplemented_method", "unimplemented_service",
    "client_compressed_unary", "server_compressed_unary", "client_compressed_streaming",
    "server_compressed_streaming",
]


def run_client(args, m):
    target = "%s:%d" % (args.server_host, args.server_port)
    options = []
    if args.use_tls:
        with open(args.ca_file, "rb") as f:
            creds = grpc.ssl_channel_credentials(root_certificates=f.read())
        if args.server_host_override:
            options.append(("grpc.ssl_target_name_override", args.server_host_override))
        plain_ch = grpc.secure_channel(target, creds, options=options)
        gzip_ch = grpc.secure_channel(target, creds, options=options)
    else:
        plain_ch = grpc.insecure_channel(target, options=options)
        gzip_ch = grpc.insecure_channel(target, options=options)
    plain = Stub(plain_ch, m)
    gz = Stub(gzip_ch, m, grpc.Compression.Gzip)
    names = ALL_CASES if args.test_case in (None, "all") else [
        n.strip() for n in args.test_case.split(",") if n.strip()]
    failed = 0
    for name in names:
        fn = globals().get("case_" + name)
        try:
            if fn is None:
                raise CaseFailure("unknown test case")
            fn(plain, gz)
            print("PASS %s" % name, flush=True)
        except Exception as e:  # noqa: BLE001 (a case's failure of any kind is reported)
            failed += 1
            reason = str(e).split("\n")[0] or type(e).__name__
            print("FAIL %s: %s" % (name, reason), flush=True)
    print("%d passed, %d failed" % (len(names) - failed, failed), flush=True)
    plain_ch.close()
    gzip_ch.close()
    return 1 if failed else 0


# --- the server ------------------------------------------------------------


def serve(args, m):
    def echo(context):
        md = dict(context.invocation_metadata())
        if ECHO_INITIAL in md:
            context.send_initial_metadata(((ECHO_INITIAL, md[ECHO_INITIAL]),))
        if ECHO_TRAILING in md:
            context.set_trailing_metadata(((ECHO_TRAILING, md[ECHO_TRAILING]),))

    def raise_status(status, context):
        if status.code != 0:
            context.abort(CODES[status.code], status.message)

    def empty_call(_req, _context):
        return m["Empty"]()

    def unary_call(req, context):
        echo(context)
        raise_status(req.response_status, context)
        if req.HasField("response_compressed"):
            if req.response_compressed.value:
                context.set_compression(grpc.Compression.Gzip)
            else:
                context.disable_next_message_compression()
        res = m["SimpleResponse"]()
        res.payload.body = zeros(req.response_size)
        if req.fill_server_id:
            res.server_id = "c-core-python"
            res.hostname = "localhost"
        return res

    def cacheable_unary_call(req, _context):
        res = m["SimpleResponse"]()
        res.payload.body = zeros(req.response_size)
        return res

    def streaming_output_call(req, context):
        echo(context)
        if any(p.compressed.value for p in req.response_parameters):
            context.set_compression(grpc.Compression.Gzip)
        for p in req.response_parameters:
            if p.interval_us > 0:
                time.sleep(p.interval_us / 1e6)
            if p.HasField("compressed") and not p.compressed.value:
                context.disable_next_message_compression()
            res = m["StreamingOutputCallResponse"]()
            res.payload.body = zeros(p.size)
            yield res
        raise_status(req.response_status, context)

    def streaming_input_call(reqs, _context):
        size = 0
        for r in reqs:
            size += len(r.payload.body)
        return m["StreamingInputCallResponse"](aggregated_payload_size=size)

    def full_duplex_call(reqs, context):
        echo(context)
        for r in reqs:
            raise_status(r.response_status, context)
            for p in r.response_parameters:
                if p.interval_us > 0:
                    time.sleep(p.interval_us / 1e6)
                res = m["StreamingOutputCallResponse"]()
                res.payload.body = zeros(p.size)
                yield res

    def half_duplex_call(reqs, _context):
        all_reqs = list(reqs)
        for r in all_reqs:
            for p in r.response_parameters:
                res = m["StreamingOutputCallResponse"]()
                res.payload.body = zeros(p.size)
                yield res

    def h(kind, fn, req, res):
        return kind(fn, request_deserializer=m[req].FromString,
                    response_serializer=lambda x: x.SerializeToString())

    handlers = {
        "EmptyCall": h(grpc.unary_unary_rpc_method_handler, empty_call, "Empty", "Empty"),
        "UnaryCall": h(grpc.unary_unary_rpc_method_handler, unary_call, "SimpleRequest",
                       "SimpleResponse"),
        "CacheableUnaryCall": h(grpc.unary_unary_rpc_method_handler, cacheable_unary_call,
                                "SimpleRequest", "SimpleResponse"),
        "StreamingOutputCall": h(grpc.unary_stream_rpc_method_handler, streaming_output_call,
                                 "StreamingOutputCallRequest", "StreamingOutputCallResponse"),
        "StreamingInputCall": h(grpc.stream_unary_rpc_method_handler, streaming_input_call,
                                "StreamingInputCallRequest", "StreamingInputCallResponse"),
        "FullDuplexCall": h(grpc.stream_stream_rpc_method_handler, full_duplex_call,
                            "StreamingOutputCallRequest", "StreamingOutputCallResponse"),
        "HalfDuplexCall": h(grpc.stream_stream_rpc_method_handler, half_duplex_call,
                            "StreamingOutputCallRequest", "StreamingOutputCallResponse"),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("grpc.testing.TestService", handlers),))
    address = "127.0.0.1:%d" % args.port
    if args.use_tls:
        with open(args.key, "rb") as k, open(args.cert, "rb") as c:
            creds = grpc.ssl_server_credentials(((k.read(), c.read()),))
        port = server.add_secure_port(address, creds)
    else:
        port = server.add_insecure_port(address)
    server.start()
    print("listening %d" % port, flush=True)
    sys.stdin.read()
    server.stop(0)
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["server", "client"])
    p.add_argument("--descriptors", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--server_host", default="127.0.0.1")
    p.add_argument("--server_port", type=int, default=10000)
    p.add_argument("--server_host_override")
    p.add_argument("--test_case")
    p.add_argument("--use_tls", action="store_true")
    p.add_argument("--ca_file")
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()
    m = load_messages(args.descriptors)
    if args.mode == "server":
        return serve(args, m)
    return run_client(args, m)


if __name__ == "__main__":
    sys.exit(main())
