import {
  type DescMessage,
  fromBinary,
  fromJsonString,
  type JsonReadOptions,
  type JsonWriteOptions,
  type MessageShape,
  type Registry,
  toJsonString,
} from "@bufbuild/protobuf";
import { binaryEncoder } from "./binary-encoder.ts";
import { Code } from "./code.ts";
import { RpcError } from "./rpc-error.ts";

/**
 * Turns messages into bytes and back. `name` is the gRPC content subtype
 * (`application/grpc+<name>`).
 */
export interface Codec<T> {
  /** The content subtype: `"proto"` or `"json"`. */
  readonly name: string;
  /** Serializes a message. */
  encode(value: T): Uint8Array;
  /** Parses a message; throws `RpcError` with `INTERNAL` on malformed bytes. */
  decode(bytes: Uint8Array): T;
}

/** The serialization formats wirecall speaks. */
export type CodecFormat = "proto" | "json";

/**
 * The protobuf binary codec for a message schema, on `@bufbuild/protobuf`.
 *
 * @example
 * ```ts
 * import { protobufCodec } from "wirecall";
 * import { DurationSchema } from "@bufbuild/protobuf/wkt";
 * const codec = protobufCodec(DurationSchema);
 * codec.decode(codec.encode({ $typeName: "google.protobuf.Duration", seconds: 1n, nanos: 0 }));
 * ```
 */
export function protobufCodec<Desc extends DescMessage>(schema: Desc): Codec<MessageShape<Desc>> {
  return {
    name: "proto",
    encode: binaryEncoder(schema),
    decode(bytes) {
      try {
        return fromBinary(schema, bytes);
      } catch (e) {
        throw new RpcError(
          Code.INTERNAL,
          `cannot decode ${schema.typeName}: ${(e as Error).message}`,
          { cause: e },
        );
      }
    },
  };
}

/** Options of {@link jsonCodec}. */
export interface JsonCodecOptions {
  /** Resolves `Any` and extensions in JSON. */
  registry?: Registry;
  /** Extra options passed to `toJson`. */
  write?: Partial<JsonWriteOptions>;
  /** Extra options passed to `fromJson`. */
  read?: Partial<JsonReadOptions>;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * The protobuf JSON codec for a message schema (`application/grpc+json`).
 *
 * @example
 * ```ts
 * import { jsonCodec } from "wirecall";
 * import { DurationSchema } from "@bufbuild/protobuf/wkt";
 * new TextDecoder().decode(jsonCodec(DurationSchema).encode(
 *   { $typeName: "google.protobuf.Duration", seconds: 1n, nanos: 0 })); // "\"1s\""
 * ```
 */
export function jsonCodec<Desc extends DescMessage>(
  schema: Desc,
  options: JsonCodecOptions = {},
): Codec<MessageShape<Desc>> {
  const write = { registry: options.registry, ...options.write };
  const read = { registry: options.registry, ignoreUnknownFields: true, ...options.read };
  return {
    name: "json",
    encode: (value) => utf8Encoder.encode(toJsonString(schema, value, write)),
    decode(bytes) {
      try {
        return fromJsonString(schema, utf8Decoder.decode(bytes), read);
      } catch (e) {
        throw new RpcError(
          Code.INTERNAL,
          `cannot decode ${schema.typeName} from JSON: ${(e as Error).message}`,
          { cause: e },
        );
      }
    },
  };
}

/** Returns the codec of `format` for a schema. */
export function codecFor<Desc extends DescMessage>(
  schema: Desc,
  format: CodecFormat,
): Codec<MessageShape<Desc>> {
  return format === "json" ? jsonCodec(schema) : protobufCodec(schema);
}
