/* pylite: a minimal bounds-checked protobuf wire-format reader.
 *
 * Enough to walk a serialized message field by field (Flex ops carry a
 * tensorflow.NodeDef). Nothing is read outside [data, data + size); a
 * malformed message yields an error, never an out-of-bounds read.
 *
 * Wire-format facts used here: a message is a sequence of (tag, value);
 * tag = (field number << 3) | wire type, as a varint; field numbers are
 * 1 .. 2^29 - 1. Wire types: 0 varint (1..10 bytes, 7 bits each, low group
 * first, the high bit of each byte but the last set), 1 fixed 64-bit
 * little-endian, 2 length-delimited (varint length, then the bytes), 3/4
 * start/end group (deprecated; a group's fields sit between the two tags),
 * 5 fixed 32-bit little-endian. */
#ifndef PYLITE_CORE_PROTOBUF_H_
#define PYLITE_CORE_PROTOBUF_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PL_PB_VARINT = 0,
  PL_PB_I64 = 1,
  PL_PB_LEN = 2,
  PL_PB_SGROUP = 3,
  PL_PB_EGROUP = 4,
  PL_PB_I32 = 5,
};

/* Results of pl_pb_next. */
enum { PL_PB_ERROR = -1, PL_PB_END = 0, PL_PB_FIELD = 1 };

typedef struct PlPbReader {
  const uint8_t* data;
  size_t size;
  size_t pos;
} PlPbReader;

typedef struct PlPbField {
  uint32_t number;
  uint8_t wire_type;
  /* VARINT: the value; I64 / I32: the raw little-endian bits. */
  uint64_t u64;
  /* LEN: the payload; SGROUP: the group's body (between the tags). */
  const uint8_t* data;
  size_t len;
} PlPbField;

void pl_pb_init(PlPbReader* r, const void* data, size_t size);

/* Reads the next field. PL_PB_FIELD: *f holds it; PL_PB_END: no bytes left;
 * PL_PB_ERROR: malformed (truncated value, bad tag or wire type, field 0,
 * unmatched end-group, groups nested deeper than 64). After an error the
 * reader stays at the end. */
int pl_pb_next(PlPbReader* r, PlPbField* f);

/* Reads one varint at *pos (at most 10 bytes; bits past 64 are dropped, as
 * protobuf does) and advances *pos. False if truncated or over 10 bytes. */
bool pl_pb_varint(const uint8_t* data, size_t size, size_t* pos,
                  uint64_t* out);

/* Checks that a whole buffer is a well-formed sequence of fields (one
 * level: length-delimited payloads are not descended into). */
bool pl_pb_well_formed(const void* data, size_t size);

/* Whether bytes are valid UTF-8 (as protobuf requires of proto3 strings):
 * no overlong forms, surrogates or code points past U+10FFFF. */
bool pl_pb_utf8_valid(const uint8_t* data, size_t len);

/* Scalar views of a field value. */
static inline int64_t pl_pb_as_int64(const PlPbField* f) {
  return (int64_t)f->u64;
}
/* int32 / enum fields: protobuf keeps the low 32 bits of the varint. */
static inline int32_t pl_pb_as_int32(const PlPbField* f) {
  return (int32_t)(uint32_t)f->u64;
}
float pl_pb_as_float(const PlPbField* f);
double pl_pb_as_double(const PlPbField* f);

#endif /* PYLITE_CORE_PROTOBUF_H_ */
