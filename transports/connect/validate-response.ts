import { builtinCompressions, Code, type Compression, RpcError } from "../../mod.ts";
import { codeFromHttpStatus, compressionFor, metadataFromHeaders } from "../../protocol.ts";
import { readBodyBytes } from "../../src/fetch-protocol.ts";
import { parseConnectContentType } from "./content-type.ts";
import { errorFromJsonBytes } from "./error-json.ts";
import { demuxTrailers } from "./trailer-mux.ts";

/** The response fields without Connect's own headers. */
function fieldsOf(response: Response): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  response.headers.forEach((v, k) => {
    if (!k.startsWith("connect-")) fields.push([k, v]);
  });
  return fields;
}

/**
 * Checks the head of a Connect response on the client and turns a failure
 * into the call's error: a non-200 status carries Connect error JSON (read,
 * with the headers and `trailer-` headers as its metadata) or maps to a code
 * as gRPC maps HTTP statuses; a 200 must have the content type of the
 * request's kind and serialization and a supported encoding.
 */
export async function validateConnectResponse(
  response: Response,
  url: string,
  stream: boolean,
  subtype: string,
  maxBytes: number,
): Promise<Compression> {
  const contentType = response.headers.get("content-type");
  if (response.status !== 200) {
    const fallback = new RpcError(
      codeFromHttpStatus(response.status),
      `Connect call to ${url} answered HTTP ${response.status}`,
      { metadata: metadataFromHeaders(fieldsOf(response)) },
    );
    if (!/^application\/json/i.test(contentType ?? "")) {
      response.body?.cancel().catch(() => {});
      throw fallback;
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBodyBytes(response.body, maxBytes, null, () => fallback);
    } catch {
      throw fallback;
    }
    const { header, trailer } = demuxTrailers(fieldsOf(response));
    const metadata = metadataFromHeaders([...header, ...trailer]);
    throw errorFromJsonBytes(bytes, metadata, fallback);
  }
  const type = parseConnectContentType(contentType);
  if (type === undefined || type.stream !== stream || type.subtype !== subtype) {
    response.body?.cancel().catch(() => {});
    throw new RpcError(
      Code.INTERNAL,
      `Connect call to ${url} answered content-type "${contentType ?? ""}"`,
    );
  }
  const encoding = response.headers.get(stream ? "connect-content-encoding" : "content-encoding");
  try {
    return compressionFor(encoding, builtinCompressions);
  } catch (e) {
    response.body?.cancel().catch(() => {});
    throw new RpcError(Code.INTERNAL, (e as RpcError).rawMessage);
  }
}

/** Header and trailer metadata of a successful unary Connect response. */
export function unaryResponseMetadata(response: Response): {
  header: Array<[string, string]>;
  trailer: Array<[string, string]>;
} {
  return demuxTrailers(fieldsOf(response));
}

/** Header metadata of a streaming Connect response. */
export function streamResponseHeader(response: Response): Array<[string, string]> {
  return fieldsOf(response);
}
