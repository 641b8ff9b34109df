import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { Code, RpcError } from "../../mod.ts";

/** A JSON object under construction: the request message in proto3 JSON form. */
export type JsonObject = Record<string, unknown>;

/** Well-known types whose proto3 JSON form is a string, so a query parameter can carry them. */
const stringWellKnown = new Set([
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
  "google.protobuf.FieldMask",
]);

function badRequest(message: string): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, message);
}

/** Finds a field by its proto name or its JSON name. */
export function findField(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name) ??
    message.fields.find((f) => f.jsonName === name);
}

/** Resolves a dotted field path (`sub.subfield`) on a message: the fields along it. */
export function resolveFieldPath(message: DescMessage, path: readonly string[]): DescField[] {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = message;
  for (const [k, name] of path.entries()) {
    const field: DescField | undefined = current === undefined
      ? undefined
      : findField(current, name);
    if (field === undefined) {
      throw badRequest(`${message.typeName} has no field "${path.slice(0, k + 1).join(".")}"`);
    }
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  return fields;
}

/** The proto3 JSON value of one text value (a path variable or query parameter) for a field. */
function jsonValueOf(field: DescField, text: string, where: string): unknown {
  const kind = field.fieldKind === "list" ? field.listKind : field.fieldKind;
  if (kind === "enum") return /^-?\d+$/.test(text) ? Number(text) : text;
  if (kind === "message") {
    const m = field.fieldKind === "list"
      ? field.message!
      : (field as { message: DescMessage }).message;
    if (stringWellKnown.has(m.typeName)) return text;
    if (
      m.typeName.startsWith("google.protobuf.") && m.typeName.endsWith("Value") &&
      m.fields.length === 1
    ) {
      return jsonValueOf(m.fields[0], text, where);
    }
    throw badRequest(
      `${where} cannot set ${field.name}: a message field takes its subfields ("${field.name}.x=…")`,
    );
  }
  if (kind === "map") throw badRequest(`${where} cannot set the map field ${field.name}`);
  const scalar = field.fieldKind === "list"
    ? field.scalar!
    : (field as { scalar: ScalarType }).scalar;
  switch (scalar) {
    case ScalarType.BOOL:
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      throw badRequest(`${where}: "${text}" is not a bool for ${field.name}`);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT: {
      const n = Number(text);
      return Number.isFinite(n) && text.trim() !== "" ? n : text;
    }
    default:
      return text;
  }
}

/**
 * Sets a field path of the JSON request object from text values (a path
 * variable, or the values of one query parameter), converting them to the
 * field's proto3 JSON form. Repeated fields take every value; a singular
 * field given twice is `INVALID_ARGUMENT`.
 */
export function setFieldPath(
  root: JsonObject,
  message: DescMessage,
  path: readonly string[],
  values: readonly string[],
  where: string,
): void {
  const fields = resolveFieldPath(message, path);
  let target = root;
  for (const f of fields.slice(0, -1)) {
    if (f.fieldKind !== "message") throw badRequest(`${where}: ${f.name} is not a message field`);
    const next = target[f.jsonName];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) {
      target = next as JsonObject;
    } else target = target[f.jsonName] = {};
  }
  const field = fields[fields.length - 1];
  if (field.fieldKind === "list") {
    const list = Array.isArray(target[field.jsonName]) ? target[field.jsonName] as unknown[] : [];
    for (const v of values) list.push(jsonValueOf(field, v, where));
    target[field.jsonName] = list;
    return;
  }
  if (values.length > 1) {
    throw badRequest(
      `${where}: ${path.join(".")} is not repeated but was given ${values.length} values`,
    );
  }
  // The body may name the same field by its proto name; the path wins.
  if (field.name !== field.jsonName) delete target[field.name];
  target[field.jsonName] = jsonValueOf(field, values[0], where);
}
