/**
 * The browser build of `binary-encoder.ts`, swapped in by the `browser` field
 * of package.json (esbuild, webpack, Rollup and Vite do so for browser
 * targets): `@bufbuild/protobuf`'s `toBinary`, which writes the same bytes
 * and throws the same errors. The sized encoder pays off in a server streaming
 * many messages; in a browser app its 8 KB (2.6 KB gzipped) would be most of
 * what it costs.
 *
 * @module
 */
import { type DescMessage, toBinary } from "@bufbuild/protobuf";

/**
 * Protobuf binary encoding of messages of `schema`: `toBinary` itself.
 *
 * @example
 * ```ts
 * import { DurationSchema } from "@bufbuild/protobuf/wkt";
 * const encode = binaryEncoder(DurationSchema);
 * encode({ $typeName: "google.protobuf.Duration", seconds: 1n, nanos: 0 }); // Uint8Array [8, 1]
 * ```
 */
export function binaryEncoder<Desc extends DescMessage>(
  schema: Desc,
): (message: unknown) => Uint8Array {
  return (message) => toBinary(schema, message as never);
}
