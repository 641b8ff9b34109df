// The interop cases call a TestService through this interface, so the same
// case code runs on the wirecall client, the grpc-js client and the Connect
// client; each peer has a small adapter that implements it.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Empty, EmptySchema } from "../../protos/gen/grpc/testing/empty_pb.ts";
import type {
  SimpleRequestSchema,
  SimpleResponse,
  StreamingInputCallRequestSchema,
  StreamingInputCallResponse,
  StreamingOutputCallRequestSchema,
  StreamingOutputCallResponse,
} from "../../protos/gen/grpc/testing/messages_pb.ts";

/** Reads one metadata value: text, or bytes for `-bin` keys. */
export type MetadataReader = (key: string) => string | Uint8Array | undefined;

/** Options of one interop call. */
export interface InteropCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  metadata?: Record<string, string | Uint8Array>;
  onHeader?: (get: MetadataReader) => void;
  onTrailer?: (get: MetadataReader) => void;
}

/** A failed call, whatever the client library: its code and message. */
export interface InteropError {
  code: number;
  message: string;
}

type SimpleRequestInit = MessageInitShape<typeof SimpleRequestSchema>;
type InputInit = MessageInitShape<typeof StreamingInputCallRequestSchema>;
type OutputInit = MessageInitShape<typeof StreamingOutputCallRequestSchema>;

/** TestService (and UnimplementedService) as the cases call it. */
export interface InteropStub {
  emptyCall(req: MessageInitShape<typeof EmptySchema>, o?: InteropCallOptions): Promise<Empty>;
  unaryCall(req: SimpleRequestInit, o?: InteropCallOptions): Promise<SimpleResponse>;
  streamingOutputCall(
    req: OutputInit,
    o?: InteropCallOptions,
  ): AsyncIterable<StreamingOutputCallResponse>;
  streamingInputCall(
    reqs: AsyncIterable<InputInit>,
    o?: InteropCallOptions,
  ): Promise<StreamingInputCallResponse>;
  fullDuplexCall(
    reqs: AsyncIterable<OutputInit>,
    o?: InteropCallOptions,
  ): AsyncIterable<StreamingOutputCallResponse>;
  /** TestService.UnimplementedCall. */
  unimplementedCall(o?: InteropCallOptions): Promise<Empty>;
  /** UnimplementedService.UnimplementedCall. */
  unimplementedServiceCall(o?: InteropCallOptions): Promise<Empty>;
  /**
   * Whether a received response message arrived with the frame's compressed
   * flag set; absent for client libraries that do not expose it.
   */
  compressedOf?(message: object): boolean;
  /** Turns whatever the library threw into a code and a message. */
  errorOf(e: unknown): InteropError;
  /** Releases connections. */
  close(): Promise<void>;
}

/** The stubs a run needs: one plain, one that gzips its requests. */
export interface InteropStubs {
  plain: InteropStub;
  gzip: InteropStub;
}
