import type { Metadata } from "../../mod.ts";
import { metadataToHeaders } from "../../protocol.ts";

/** The prefix under which a unary Connect response carries its trailers as headers. */
export const TRAILER_PREFIX = "trailer-";

/**
 * Adds trailers to the headers of a unary Connect response, each key
 * prefixed with `trailer-`.
 */
export function muxTrailers(trailer: Metadata, add: (key: string, value: string) => void): void {
  metadataToHeaders(trailer, (k, v) => add(TRAILER_PREFIX + k, v));
}

/**
 * Splits the header fields of a unary Connect response into headers and
 * trailers (those prefixed with `trailer-`, prefix removed).
 */
export function demuxTrailers(
  fields: Iterable<[string, string]>,
): { header: Array<[string, string]>; trailer: Array<[string, string]> } {
  const header: Array<[string, string]> = [];
  const trailer: Array<[string, string]> = [];
  for (const [k, v] of fields) {
    const key = k.toLowerCase();
    if (key.startsWith(TRAILER_PREFIX)) trailer.push([key.slice(TRAILER_PREFIX.length), v]);
    else header.push([key, v]);
  }
  return { header, trailer };
}
