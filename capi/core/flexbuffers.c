/* pylite: a small bounds-checked FlexBuffers reader (see flexbuffers.h).
 *
 * Every position is a size_t index into [0, size); each read first checks
 * that its bytes lie inside the buffer, with the comparisons written so that
 * they cannot overflow. Offsets point backwards: target = pos - offset. */
#include "capi/core/flexbuffers.h"

#include <string.h>

static bool valid_width(size_t w) { return w == 1 || w == 2 || w == 4 || w == 8; }

/* Little-endian unsigned read of `width` bytes at pos. */
static bool read_uint(const uint8_t* buf, size_t size, size_t pos,
                      size_t width, uint64_t* out) {
  if (!valid_width(width) || pos > size || width > size - pos) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= (uint64_t)buf[pos + i] << (8 * i);
  *out = v;
  return true;
}

static bool read_int(const uint8_t* buf, size_t size, size_t pos,
                     size_t width, int64_t* out) {
  uint64_t u;
  if (!read_uint(buf, size, pos, width, &u)) return false;
  if (width < 8 && (u >> (8 * width - 1)) & 1) u |= ~(uint64_t)0 << (8 * width);
  memcpy(out, &u, sizeof(*out));
  return true;
}

/* The target of an offset-typed reference. */
static bool indirect(const PlFlexRef* ref, size_t* target) {
  uint64_t off;
  if (!read_uint(ref->buf, ref->size, ref->pos, ref->parent_width, &off))
    return false;
  if (off > ref->pos) return false;
  *target = ref->pos - (size_t)off;
  return true;
}

/* The element count stored just before `target`. */
static bool read_count(const uint8_t* buf, size_t size, size_t target,
                       size_t width, uint64_t* count) {
  if (target < width) return false;
  return read_uint(buf, size, target - width, width, count);
}

static PlFlexRef make_ref(const uint8_t* buf, size_t size, size_t pos,
                          uint8_t parent_width, uint8_t packed_type) {
  PlFlexRef r;
  r.buf = buf;
  r.size = size;
  r.pos = pos;
  r.parent_width = parent_width;
  r.byte_width = (uint8_t)(1u << (packed_type & 3));
  r.type = (uint8_t)(packed_type >> 2);
  return r;
}

bool pl_flex_root(const uint8_t* buf, size_t size, PlFlexRef* out) {
  if (!buf || size < 3) return false;
  const size_t width = buf[size - 1];
  if (!valid_width(width) || size - 2 < width) return false;
  *out = make_ref(buf, size, size - 2 - width, (uint8_t)width, buf[size - 2]);
  return true;
}

static bool is_typed_vector(int type) {
  return (type >= PL_FLEX_VECTOR_INT &&
          type <= PL_FLEX_VECTOR_STRING_DEPRECATED) ||
         type == PL_FLEX_VECTOR_BOOL;
}

static bool is_fixed_typed_vector(int type) {
  return type >= PL_FLEX_VECTOR_INT2 && type <= PL_FLEX_VECTOR_FLOAT4;
}

bool pl_flex_as_vector(const PlFlexRef* ref, PlFlexVec* out) {
  const int type = ref->type;
  const bool untyped = type == PL_FLEX_VECTOR || type == PL_FLEX_MAP;
  if (!untyped && !is_typed_vector(type) && !is_fixed_typed_vector(type))
    return false;
  size_t target;
  if (!indirect(ref, &target)) return false;
  const size_t width = ref->byte_width;
  uint64_t len;
  int16_t elem_type;
  if (is_fixed_typed_vector(type)) {
    len = (uint64_t)((type - PL_FLEX_VECTOR_INT2) / 3 + 2);
    elem_type = (int16_t)((type - PL_FLEX_VECTOR_INT2) % 3 + PL_FLEX_INT);
  } else {
    if (!read_count(ref->buf, ref->size, target, width, &len)) return false;
    if (untyped)
      elem_type = -1;
    else if (type == PL_FLEX_VECTOR_BOOL)
      elem_type = PL_FLEX_BOOL;
    else
      elem_type = (int16_t)(type - PL_FLEX_VECTOR_INT + PL_FLEX_INT);
  }
  if (len > UINT32_MAX || target > ref->size) return false;
  /* Elements, then one type byte each for an untyped vector. */
  const uint64_t per_elem = width + (untyped ? 1 : 0);
  if (len > (uint64_t)(ref->size - target) / per_elem) return false;
  out->buf = ref->buf;
  out->size = ref->size;
  out->pos = target;
  out->len = (uint32_t)len;
  out->byte_width = (uint8_t)width;
  out->elem_type = elem_type;
  return true;
}

bool pl_flex_vec_at(const PlFlexVec* vec, uint32_t i, PlFlexRef* out) {
  if (i >= vec->len) return false;
  const size_t pos = vec->pos + (size_t)i * vec->byte_width;
  if (vec->elem_type < 0) {
    const size_t type_pos =
        vec->pos + (size_t)vec->len * vec->byte_width + i;
    if (type_pos >= vec->size) return false;
    *out = make_ref(vec->buf, vec->size, pos, vec->byte_width,
                    vec->buf[type_pos]);
  } else {
    /* Typed vector elements have an implied type and byte width 1 (as the
     * reference implementation reads them). */
    *out = make_ref(vec->buf, vec->size, pos, vec->byte_width,
                    (uint8_t)(vec->elem_type << 2));
  }
  return true;
}

bool pl_flex_as_bytes(const PlFlexRef* ref, const uint8_t** data,
                      size_t* len) {
  size_t target;
  if (ref->type == PL_FLEX_KEY) {
    if (!indirect(ref, &target) || target >= ref->size) return false;
    const uint8_t* end = memchr(ref->buf + target, 0, ref->size - target);
    if (!end) return false;
    *data = ref->buf + target;
    *len = (size_t)(end - (ref->buf + target));
    return true;
  }
  if (ref->type != PL_FLEX_STRING && ref->type != PL_FLEX_BLOB) return false;
  if (!indirect(ref, &target)) return false;
  uint64_t n;
  if (!read_count(ref->buf, ref->size, target, ref->byte_width, &n))
    return false;
  if (target > ref->size || n > (uint64_t)(ref->size - target)) return false;
  *data = ref->buf + target;
  *len = (size_t)n;
  return true;
}

bool pl_flex_as_int(const PlFlexRef* ref, int64_t* out) {
  size_t target;
  uint64_t u;
  switch (ref->type) {
    case PL_FLEX_INT:
      return read_int(ref->buf, ref->size, ref->pos, ref->parent_width, out);
    case PL_FLEX_UINT:
    case PL_FLEX_BOOL:
      if (!read_uint(ref->buf, ref->size, ref->pos, ref->parent_width, &u))
        return false;
      *out = (int64_t)u;
      return true;
    case PL_FLEX_INDIRECT_INT:
      return indirect(ref, &target) &&
             read_int(ref->buf, ref->size, target, ref->byte_width, out);
    case PL_FLEX_INDIRECT_UINT:
      if (!indirect(ref, &target) ||
          !read_uint(ref->buf, ref->size, target, ref->byte_width, &u))
        return false;
      *out = (int64_t)u;
      return true;
    default:
      return false;
  }
}

bool pl_flex_as_uint(const PlFlexRef* ref, uint64_t* out) {
  int64_t v;
  if (!pl_flex_as_int(ref, &v)) return false;
  *out = (uint64_t)v;
  return true;
}

static bool read_float(const uint8_t* buf, size_t size, size_t pos,
                       size_t width, double* out) {
  uint64_t bits;
  if ((width != 4 && width != 8) || !read_uint(buf, size, pos, width, &bits))
    return false;
  if (width == 4) {
    const uint32_t b32 = (uint32_t)bits;
    float f;
    memcpy(&f, &b32, sizeof(f));
    *out = f;
  } else {
    memcpy(out, &bits, sizeof(*out));
  }
  return true;
}

bool pl_flex_as_double(const PlFlexRef* ref, double* out) {
  size_t target;
  if (ref->type == PL_FLEX_FLOAT)
    return read_float(ref->buf, ref->size, ref->pos, ref->parent_width, out);
  if (ref->type == PL_FLEX_INDIRECT_FLOAT)
    return indirect(ref, &target) &&
           read_float(ref->buf, ref->size, target, ref->byte_width, out);
  return false;
}

bool pl_flex_as_bool(const PlFlexRef* ref, bool* out) {
  int64_t v;
  if (!pl_flex_as_int(ref, &v)) return false;
  *out = v != 0;
  return true;
}

int pl_flex_map_get(const PlFlexRef* ref, const char* key, PlFlexRef* out) {
  if (ref->type != PL_FLEX_MAP) return -1;
  PlFlexVec values;
  if (!pl_flex_as_vector(ref, &values)) return -1;
  /* Before the count: the keys' byte width, and before that the offset to
   * the keys vector. */
  const size_t width = values.byte_width;
  if (values.pos < 3 * width) return -1;
  const size_t keys_ref_pos = values.pos - 3 * width;
  uint64_t keys_off, keys_width;
  if (!read_uint(values.buf, values.size, keys_ref_pos, width, &keys_off) ||
      !read_uint(values.buf, values.size, values.pos - 2 * width, width,
                 &keys_width))
    return -1;
  if (!valid_width((size_t)keys_width) || keys_off > keys_ref_pos) return -1;
  const size_t keys_pos = keys_ref_pos - (size_t)keys_off;
  if ((uint64_t)values.len > (uint64_t)(values.size - keys_pos) / keys_width)
    return -1;
  const size_t key_len = strlen(key);
  for (uint32_t i = 0; i < values.len; ++i) {
    const size_t slot = keys_pos + (size_t)i * (size_t)keys_width;
    uint64_t off;
    if (!read_uint(values.buf, values.size, slot, (size_t)keys_width, &off) ||
        off > slot)
      return -1;
    const size_t at = slot - (size_t)off;
    /* The key and its NUL must lie inside the buffer. */
    if (at >= values.size || key_len >= values.size - at) continue;
    if (memcmp(values.buf + at, key, key_len + 1) == 0)
      return pl_flex_vec_at(&values, i, out) ? 1 : -1;
  }
  return 0;
}
