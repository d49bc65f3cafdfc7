/* pylite: bounds-checked access to FlatBuffers data.
 *
 * Every accessor checks the offsets it follows against the buffer it was
 * given, so a malformed buffer yields "invalid" instead of an out-of-bounds
 * read. The model reader (model.c) uses these to verify the whole file once;
 * kernels use the same accessors to read their builtin options tables.
 *
 * FlatBuffers facts used here: little-endian; a table starts with an int32
 * soffset to its vtable (vtable = table - soffset); a vtable is uint16
 * [vtable size, table inline size, field offsets...]; a field offset of 0
 * means "absent, use the default"; offsets to tables, vectors and strings are
 * uint32 relative to where they are stored; vectors and strings start with a
 * uint32 element count; strings end with a NUL byte. */
#ifndef PYLITE_CORE_FB_H_
#define PYLITE_CORE_FB_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct PlFb {
  const uint8_t* base;
  size_t size;
} PlFb;

/* A verified table: its vtable and inline part lie inside the buffer.
 * A zeroed PlFbTable (base == NULL) stands for an absent table, whose every
 * field reads as its default. */
typedef struct PlFbTable {
  const uint8_t* base;
  size_t size;
  uint32_t pos;          /* offset of the table in base */
  uint32_t vtable;       /* offset of its vtable */
  uint16_t vtable_size;  /* in bytes */
  uint16_t inline_size;  /* in bytes */
} PlFbTable;

/* A verified vector: `len` elements of `elem_size` bytes at `data`, inside
 * the buffer. */
typedef struct PlFbVec {
  const uint8_t* data;
  uint32_t len;
  uint32_t elem_size;
  uint32_t pos; /* offset of the first element in the buffer */
} PlFbVec;

/* Results of lookups that may be absent. */
enum { PL_FB_INVALID = -1, PL_FB_ABSENT = 0, PL_FB_OK = 1 };

/* Reads the root table (uint32 offset at byte 0). */
int pl_fb_root(const PlFb* fb, PlFbTable* out);
/* Verifies the table at `pos`. */
int pl_fb_table_at(const PlFb* fb, uint32_t pos, PlFbTable* out);

/* In every accessor, `field` is the schema field id: fields numbered from 0
 * in declaration order, a union taking two ids (its type, then its value). */

/* True if the field is present (non-zero vtable entry). */
bool pl_fb_has(const PlFbTable* t, int field);

/* Scalars. A field that is absent, or whose bytes would not lie inside the
 * table's inline part, reads as `def`. */
uint8_t pl_fb_u8(const PlFbTable* t, int field, uint8_t def);
int8_t pl_fb_i8(const PlFbTable* t, int field, int8_t def);
bool pl_fb_bool(const PlFbTable* t, int field, bool def);
int16_t pl_fb_i16(const PlFbTable* t, int field, int16_t def);
uint16_t pl_fb_u16(const PlFbTable* t, int field, uint16_t def);
int32_t pl_fb_i32(const PlFbTable* t, int field, int32_t def);
uint32_t pl_fb_u32(const PlFbTable* t, int field, uint32_t def);
int64_t pl_fb_i64(const PlFbTable* t, int field, int64_t def);
uint64_t pl_fb_u64(const PlFbTable* t, int field, uint64_t def);
float pl_fb_f32(const PlFbTable* t, int field, float def);

/* Offsets: sub-table, vector of scalars/structs (elem_size bytes each),
 * string (NUL-terminated, len excludes the NUL). Return PL_FB_OK, ABSENT or
 * INVALID; on ABSENT the output is zeroed. */
int pl_fb_subtable(const PlFbTable* t, int field, PlFbTable* out);
int pl_fb_vector(const PlFbTable* t, int field, uint32_t elem_size,
                 PlFbVec* out);
int pl_fb_string(const PlFbTable* t, int field, const char** str,
                 uint32_t* len);

/* Element access on a vector (index must be < len; unchecked reads of
 * little-endian values from the verified vector). */
int32_t pl_fb_vec_i32(const PlFbVec* v, uint32_t i);
uint32_t pl_fb_vec_u32(const PlFbVec* v, uint32_t i);
int64_t pl_fb_vec_i64(const PlFbVec* v, uint32_t i);
float pl_fb_vec_f32(const PlFbVec* v, uint32_t i);
uint8_t pl_fb_vec_u8(const PlFbVec* v, uint32_t i);
/* All v->len elements of a vector of `size`-byte scalars (4 or 8), in host
 * order, into out: what the getters above give one at a time (zeros where
 * they give 0), in one copy on little-endian hosts. */
void pl_fb_vec_copy(const PlFbVec* v, uint32_t size, void* out);
/* Elements of a vector of tables (elem_size 4) and of strings. */
int pl_fb_vec_table(const PlFb* fb, const PlFbVec* v, uint32_t i,
                    PlFbTable* out);
int pl_fb_vec_string(const PlFb* fb, const PlFbVec* v, uint32_t i,
                     const char** str, uint32_t* len);

#endif /* PYLITE_CORE_FB_H_ */
