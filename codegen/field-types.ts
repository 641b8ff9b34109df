/**
 * `google.protobuf.FieldDescriptorProto.Type` numbers by keyword, the one
 * table the parser, the option interpreter and the builder share.
 *
 * @module
 */

/** Field type numbers, keyed by the type's name in .proto syntax. */
export const FIELD_TYPES = {
  double: 1,
  float: 2,
  int64: 3,
  uint64: 4,
  int32: 5,
  fixed64: 6,
  fixed32: 7,
  bool: 8,
  string: 9,
  group: 10,
  message: 11,
  bytes: 12,
  uint32: 13,
  enum: 14,
  sfixed32: 15,
  sfixed64: 16,
  sint32: 17,
  sint64: 18,
} as const;

/** Type names by number (for messages like "Value must be integer for int32 option"). */
export const FIELD_TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(FIELD_TYPES).map(([k, v]) => [v, k]),
);
