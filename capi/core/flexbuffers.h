/* pylite: a small bounds-checked FlexBuffers reader.
 *
 * Custom ops keep their options in FlexBuffers (Flex ops: a vector of the TF
 * op name and a serialized NodeDef). Every read here checks the offsets and
 * sizes it follows against the buffer, so hostile bytes give "invalid"
 * (false) and never an out-of-bounds read.
 *
 * FlexBuffers facts used here: little-endian; the buffer ends with the root
 * value (root byte width bytes), its packed type and the root byte width
 * (1, 2, 4 or 8). A packed type is (type << 2) | log2(byte width). Scalars
 * (int, uint, float, bool, null) sit inline with the parent's width; other
 * values are an unsigned offset back from where it is stored. A string,
 * blob or vector is preceded by its element count (its own byte width); a
 * string also ends with a NUL; a key is NUL-terminated with no count. An
 * untyped vector's elements are followed by one packed type byte each; a
 * map is an untyped vector of values preceded by (offset to a typed vector
 * of keys, the keys' byte width, the count). */
#ifndef PYLITE_CORE_FLEXBUFFERS_H_
#define PYLITE_CORE_FLEXBUFFERS_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types (the upper 6 bits of a packed type). */
enum {
  PL_FLEX_NULL = 0,
  PL_FLEX_INT = 1,
  PL_FLEX_UINT = 2,
  PL_FLEX_FLOAT = 3,
  PL_FLEX_KEY = 4,
  PL_FLEX_STRING = 5,
  PL_FLEX_INDIRECT_INT = 6,
  PL_FLEX_INDIRECT_UINT = 7,
  PL_FLEX_INDIRECT_FLOAT = 8,
  PL_FLEX_MAP = 9,
  PL_FLEX_VECTOR = 10,
  PL_FLEX_VECTOR_INT = 11, /* typed vectors: 11..15 and 36 */
  PL_FLEX_VECTOR_UINT = 12,
  PL_FLEX_VECTOR_FLOAT = 13,
  PL_FLEX_VECTOR_KEY = 14,
  PL_FLEX_VECTOR_STRING_DEPRECATED = 15,
  PL_FLEX_VECTOR_INT2 = 16, /* fixed-length typed vectors: 16..24 */
  PL_FLEX_VECTOR_FLOAT4 = 24,
  PL_FLEX_BLOB = 25,
  PL_FLEX_BOOL = 26,
  PL_FLEX_VECTOR_BOOL = 36,
};

/* A reference to one value: where it is stored and how to read it. */
typedef struct PlFlexRef {
  const uint8_t* buf;
  size_t size;
  size_t pos;           /* where the value (or its offset) is stored */
  uint8_t parent_width; /* bytes of the inline value / offset */
  uint8_t byte_width;   /* bytes of the target's count and elements */
  uint8_t type;
} PlFlexRef;

/* A vector, typed or not, or a map's values. */
typedef struct PlFlexVec {
  const uint8_t* buf;
  size_t size;
  size_t pos; /* first element */
  uint32_t len;
  uint8_t byte_width;
  int16_t elem_type; /* element type of a typed vector; -1 if untyped */
} PlFlexVec;

/* Reads the root reference. False if the buffer is too small or its
 * trailer is malformed. */
bool pl_flex_root(const uint8_t* buf, size_t size, PlFlexRef* out);

/* Any vector: untyped (VECTOR, MAP: the map's values), typed or fixed
 * typed. False for other types or out-of-bounds data. */
bool pl_flex_as_vector(const PlFlexRef* ref, PlFlexVec* out);
/* Element i (false if i >= len). */
bool pl_flex_vec_at(const PlFlexVec* vec, uint32_t i, PlFlexRef* out);

/* Bytes of a STRING, KEY or BLOB (not NUL-terminated; len excludes any
 * terminator). False for other types or out-of-bounds data. */
bool pl_flex_as_bytes(const PlFlexRef* ref, const uint8_t** data,
                      size_t* len);

/* Scalars. Ints read INT, UINT, BOOL and the indirect ints; floats read
 * FLOAT and INDIRECT_FLOAT (4 or 8 bytes). False for other types. */
bool pl_flex_as_int(const PlFlexRef* ref, int64_t* out);
bool pl_flex_as_uint(const PlFlexRef* ref, uint64_t* out);
bool pl_flex_as_double(const PlFlexRef* ref, double* out);
bool pl_flex_as_bool(const PlFlexRef* ref, bool* out);

/* Looks `key` up in a MAP (linear scan; keys are not trusted to be sorted).
 * Returns 1 and the value if found, 0 if absent, -1 if the map is
 * malformed or `ref` is not a map. */
int pl_flex_map_get(const PlFlexRef* ref, const char* key, PlFlexRef* out);

#endif /* PYLITE_CORE_FLEXBUFFERS_H_ */
