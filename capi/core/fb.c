/* pylite: bounds-checked access to FlatBuffers data (see fb.h).
 *
 * `field` arguments are schema field ids: the n-th field declared in a table
 * has id n, and a union field takes two ids (its type, then its value). The
 * vtable entry of field n is at byte 4 + 2n of the vtable.
 *
 * All offset arithmetic is done in uint64_t, so no sum of a position and an
 * offset read from the buffer can wrap, and every multi-byte read is done
 * byte by byte, so no load is misaligned. Structure is still held to the
 * alignment FlatBuffers' own verifier requires (tables and vector lengths
 * on 4 bytes, vtables on 2, relative to the buffer start), and uoffsets must
 * be non-zero and below 2^31, so that a buffer verifies here only if it is
 * well formed for every other FlatBuffers reader too. */
#include "capi/core/fb.h"

#include <string.h>

/* ---- Little-endian loads (caller has checked the range) ----------------- */

static uint16_t ld_u16(const uint8_t* p) {
  return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t ld_u32(const uint8_t* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static uint64_t ld_u64(const uint8_t* p) {
  return (uint64_t)ld_u32(p) | (uint64_t)ld_u32(p + 4) << 32;
}

/* True if [pos, pos + len) lies inside a buffer of `size` bytes. */
static bool in_range(uint64_t pos, uint64_t len, size_t size) {
  return pos <= (uint64_t)size && len <= (uint64_t)size - pos;
}

/* ---- Tables -------------------------------------------------------------- */

int pl_fb_table_at(const PlFb* fb, uint32_t pos, PlFbTable* out) {
  memset(out, 0, sizeof(*out));
  if (fb == NULL || fb->base == NULL || pos % 4 != 0 ||
      !in_range(pos, 4, fb->size)) {
    return PL_FB_INVALID;
  }
  /* vtable = table - soffset; the soffset may point either way. */
  int64_t soffset = (int32_t)ld_u32(fb->base + pos);
  int64_t vtable = (int64_t)pos - soffset;
  if (vtable < 0 || vtable > (int64_t)UINT32_MAX || vtable % 2 != 0 ||
      !in_range((uint64_t)vtable, 4, fb->size)) {
    return PL_FB_INVALID;
  }
  uint16_t vt_size = ld_u16(fb->base + vtable);
  uint16_t inline_size = ld_u16(fb->base + vtable + 2);
  if (vt_size < 4 || (vt_size & 1) != 0 ||
      !in_range((uint64_t)vtable, vt_size, fb->size)) {
    return PL_FB_INVALID;
  }
  /* The inline part holds at least the soffset itself. */
  if (inline_size < 4 || !in_range(pos, inline_size, fb->size)) {
    return PL_FB_INVALID;
  }
  out->base = fb->base;
  out->size = fb->size;
  out->pos = pos;
  out->vtable = (uint32_t)vtable;
  out->vtable_size = vt_size;
  out->inline_size = inline_size;
  return PL_FB_OK;
}

int pl_fb_root(const PlFb* fb, PlFbTable* out) {
  memset(out, 0, sizeof(*out));
  if (fb == NULL || fb->base == NULL || fb->size < 4) return PL_FB_INVALID;
  uint32_t pos = ld_u32(fb->base);
  if (pos == 0 || pos > INT32_MAX) return PL_FB_INVALID;
  return pl_fb_table_at(fb, pos, out);
}

/* Offset of the field inside the table (from the table start), or 0 if the
 * field is absent. */
static uint16_t field_offset(const PlFbTable* t, int field) {
  if (t == NULL || t->base == NULL || field < 0) return 0;
  uint32_t entry = 4u + 2u * (uint32_t)field;
  if ((uint64_t)entry + 2 > t->vtable_size) return 0;
  return ld_u16(t->base + t->vtable + entry);
}

bool pl_fb_has(const PlFbTable* t, int field) {
  return field_offset(t, field) != 0;
}

/* Address of a scalar field of `len` bytes, or NULL if it is absent or would
 * not lie inside the table's inline part (then it reads as the default). */
static const uint8_t* scalar_at(const PlFbTable* t, int field, uint32_t len) {
  uint16_t off = field_offset(t, field);
  if (off < 4 || (uint32_t)off + len > t->inline_size) return NULL;
  return t->base + t->pos + off;
}

uint8_t pl_fb_u8(const PlFbTable* t, int field, uint8_t def) {
  const uint8_t* p = scalar_at(t, field, 1);
  return p ? p[0] : def;
}

int8_t pl_fb_i8(const PlFbTable* t, int field, int8_t def) {
  const uint8_t* p = scalar_at(t, field, 1);
  return p ? (int8_t)p[0] : def;
}

bool pl_fb_bool(const PlFbTable* t, int field, bool def) {
  const uint8_t* p = scalar_at(t, field, 1);
  return p ? p[0] != 0 : def;
}

int16_t pl_fb_i16(const PlFbTable* t, int field, int16_t def) {
  const uint8_t* p = scalar_at(t, field, 2);
  return p ? (int16_t)ld_u16(p) : def;
}

uint16_t pl_fb_u16(const PlFbTable* t, int field, uint16_t def) {
  const uint8_t* p = scalar_at(t, field, 2);
  return p ? ld_u16(p) : def;
}

int32_t pl_fb_i32(const PlFbTable* t, int field, int32_t def) {
  const uint8_t* p = scalar_at(t, field, 4);
  return p ? (int32_t)ld_u32(p) : def;
}

uint32_t pl_fb_u32(const PlFbTable* t, int field, uint32_t def) {
  const uint8_t* p = scalar_at(t, field, 4);
  return p ? ld_u32(p) : def;
}

int64_t pl_fb_i64(const PlFbTable* t, int field, int64_t def) {
  const uint8_t* p = scalar_at(t, field, 8);
  return p ? (int64_t)ld_u64(p) : def;
}

uint64_t pl_fb_u64(const PlFbTable* t, int field, uint64_t def) {
  const uint8_t* p = scalar_at(t, field, 8);
  return p ? ld_u64(p) : def;
}

float pl_fb_f32(const PlFbTable* t, int field, float def) {
  const uint8_t* p = scalar_at(t, field, 4);
  if (p == NULL) return def;
  uint32_t bits = ld_u32(p);
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

/* ---- Offsets ------------------------------------------------------------- */

/* Follows the uoffset stored at `loc` (whose 4 bytes are known to be in the
 * buffer) and returns the target position, or -1 if the offset is 0 or
 * negative as a signed value (both invalid in FlatBuffers), or the target
 * leaves the buffer or is not representable as a uint32 position. */
static int64_t follow(const uint8_t* base, size_t size, uint64_t loc) {
  uint32_t off = ld_u32(base + loc);
  if (off == 0 || off > INT32_MAX) return -1;
  uint64_t target = loc + off;
  if (target >= (uint64_t)size || target > UINT32_MAX) return -1;
  return (int64_t)target;
}

/* Resolves an offset field to its target position: PL_FB_OK with *target
 * set, PL_FB_ABSENT, or PL_FB_INVALID. */
static int field_target(const PlFbTable* t, int field, uint32_t* target) {
  uint16_t off = field_offset(t, field);
  if (off == 0) return PL_FB_ABSENT;
  if (off < 4 || off % 4 != 0 || (uint32_t)off + 4 > t->inline_size) {
    return PL_FB_INVALID;
  }
  int64_t pos = follow(t->base, t->size, (uint64_t)t->pos + off);
  if (pos < 0) return PL_FB_INVALID;
  *target = (uint32_t)pos;
  return PL_FB_OK;
}

/* Checks a vector (or string) header at `pos` and fills `out`. */
static int vector_at(const uint8_t* base, size_t size, uint32_t pos,
                     uint32_t elem_size, PlFbVec* out) {
  if (elem_size == 0 || pos % 4 != 0 || !in_range(pos, 4, size)) {
    return PL_FB_INVALID;
  }
  uint32_t len = ld_u32(base + pos);
  uint64_t bytes = (uint64_t)len * elem_size; /* < 2^64: both are 32-bit */
  if (!in_range((uint64_t)pos + 4, bytes, size)) return PL_FB_INVALID;
  out->data = base + pos + 4;
  out->len = len;
  out->elem_size = elem_size;
  out->pos = pos + 4;
  return PL_FB_OK;
}

/* Checks a string at `pos`: a byte vector followed by a NUL. */
static int string_at(const uint8_t* base, size_t size, uint32_t pos,
                     const char** str, uint32_t* len) {
  PlFbVec v;
  if (vector_at(base, size, pos, 1, &v) != PL_FB_OK) return PL_FB_INVALID;
  uint64_t nul = (uint64_t)v.pos + v.len;
  if (nul >= (uint64_t)size || base[nul] != 0) return PL_FB_INVALID;
  *str = (const char*)v.data;
  if (len) *len = v.len;
  return PL_FB_OK;
}

int pl_fb_subtable(const PlFbTable* t, int field, PlFbTable* out) {
  memset(out, 0, sizeof(*out));
  uint32_t target;
  int rc = field_target(t, field, &target);
  if (rc != PL_FB_OK) return rc;
  PlFb fb = {t->base, t->size};
  return pl_fb_table_at(&fb, target, out);
}

int pl_fb_vector(const PlFbTable* t, int field, uint32_t elem_size,
                 PlFbVec* out) {
  memset(out, 0, sizeof(*out));
  uint32_t target;
  int rc = field_target(t, field, &target);
  if (rc != PL_FB_OK) return rc;
  rc = vector_at(t->base, t->size, target, elem_size, out);
  if (rc != PL_FB_OK) memset(out, 0, sizeof(*out));
  return rc;
}

int pl_fb_string(const PlFbTable* t, int field, const char** str,
                 uint32_t* len) {
  *str = NULL;
  if (len) *len = 0;
  uint32_t target;
  int rc = field_target(t, field, &target);
  if (rc != PL_FB_OK) return rc;
  rc = string_at(t->base, t->size, target, str, len);
  if (rc != PL_FB_OK) {
    *str = NULL;
    if (len) *len = 0;
  }
  return rc;
}

/* ---- Vector elements ----------------------------------------------------- */

/* Element i of a vector with elements of at least `need` bytes, or NULL if
 * the index or element size is wrong (a cheap guard against misuse). */
static const uint8_t* elem(const PlFbVec* v, uint32_t i, uint32_t need) {
  if (v == NULL || v->data == NULL || i >= v->len || v->elem_size < need) {
    return NULL;
  }
  return v->data + (size_t)i * v->elem_size;
}

int32_t pl_fb_vec_i32(const PlFbVec* v, uint32_t i) {
  const uint8_t* p = elem(v, i, 4);
  return p ? (int32_t)ld_u32(p) : 0;
}

uint32_t pl_fb_vec_u32(const PlFbVec* v, uint32_t i) {
  const uint8_t* p = elem(v, i, 4);
  return p ? ld_u32(p) : 0;
}

int64_t pl_fb_vec_i64(const PlFbVec* v, uint32_t i) {
  const uint8_t* p = elem(v, i, 8);
  return p ? (int64_t)ld_u64(p) : 0;
}

float pl_fb_vec_f32(const PlFbVec* v, uint32_t i) {
  const uint8_t* p = elem(v, i, 4);
  if (p == NULL) return 0.0f;
  uint32_t bits = ld_u32(p);
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

uint8_t pl_fb_vec_u8(const PlFbVec* v, uint32_t i) {
  const uint8_t* p = elem(v, i, 1);
  return p ? p[0] : 0;
}

void pl_fb_vec_copy(const PlFbVec* v, uint32_t size, void* out) {
  if (v == NULL || v->len == 0) return;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (v->data != NULL && v->elem_size == size) {
    memcpy(out, v->data, (size_t)v->len * size);
    return;
  }
#endif
  for (uint32_t i = 0; i < v->len; ++i) {
    if (size == 8) {
      const uint8_t* p = elem(v, i, 8);
      const uint64_t x = p ? ld_u64(p) : 0;
      memcpy((uint8_t*)out + (size_t)i * 8, &x, 8);
    } else {
      const uint8_t* p = elem(v, i, 4);
      const uint32_t x = p ? ld_u32(p) : 0;
      memcpy((uint8_t*)out + (size_t)i * 4, &x, 4);
    }
  }
}

/* Position that element i (a uoffset) of a vector of offsets points to. */
static int64_t vec_target(const PlFb* fb, const PlFbVec* v, uint32_t i) {
  if (fb == NULL || fb->base == NULL || v == NULL || v->data == NULL ||
      i >= v->len || v->elem_size != 4) {
    return -1;
  }
  uint64_t loc = (uint64_t)v->pos + 4ull * i;
  if (!in_range(loc, 4, fb->size)) return -1;
  return follow(fb->base, fb->size, loc);
}

int pl_fb_vec_table(const PlFb* fb, const PlFbVec* v, uint32_t i,
                    PlFbTable* out) {
  memset(out, 0, sizeof(*out));
  int64_t pos = vec_target(fb, v, i);
  if (pos < 0) return PL_FB_INVALID;
  return pl_fb_table_at(fb, (uint32_t)pos, out);
}

int pl_fb_vec_string(const PlFb* fb, const PlFbVec* v, uint32_t i,
                     const char** str, uint32_t* len) {
  *str = NULL;
  if (len) *len = 0;
  int64_t pos = vec_target(fb, v, i);
  if (pos < 0) return PL_FB_INVALID;
  int rc = string_at(fb->base, fb->size, (uint32_t)pos, str, len);
  if (rc != PL_FB_OK) {
    *str = NULL;
    if (len) *len = 0;
  }
  return rc;
}
