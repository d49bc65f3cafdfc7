/* pylite: a minimal bounds-checked protobuf wire-format reader (see
 * protobuf.h). */
#include "capi/core/protobuf.h"

#include <string.h>

/* Deepest group nesting skipped (protobuf's own recursion limit is 100). */
enum { kMaxGroupDepth = 64 };

void pl_pb_init(PlPbReader* r, const void* data, size_t size) {
  r->data = data;
  r->size = data ? size : 0;
  r->pos = 0;
}

bool pl_pb_varint(const uint8_t* data, size_t size, size_t* pos,
                  uint64_t* out) {
  uint64_t v = 0;
  size_t p = *pos;
  for (int i = 0; i < 10; ++i) {
    if (p >= size) return false;
    const uint8_t b = data[p++];
    v |= (uint64_t)(b & 0x7f) << (7 * i); /* i == 9 keeps only bit 63 */
    if (!(b & 0x80)) {
      *pos = p;
      *out = v;
      return true;
    }
  }
  return false; /* an 11th byte would follow */
}

/* Reads a tag: a varint that fits 32 bits, with a field number >= 1. */
static bool read_tag(const uint8_t* data, size_t size, size_t* pos,
                     uint32_t* number, uint8_t* wire_type) {
  uint64_t tag;
  if (!pl_pb_varint(data, size, pos, &tag) || tag > UINT32_MAX) return false;
  *number = (uint32_t)(tag >> 3);
  *wire_type = (uint8_t)(tag & 7);
  return *number != 0 && *wire_type <= PL_PB_I32;
}

/* Skips the value of a field whose tag was just read (not a group). */
static bool skip_value(const uint8_t* data, size_t size, size_t* pos,
                       uint8_t wire_type) {
  uint64_t v;
  switch (wire_type) {
    case PL_PB_VARINT:
      return pl_pb_varint(data, size, pos, &v);
    case PL_PB_I64:
      if (size - *pos < 8) return false;
      *pos += 8;
      return true;
    case PL_PB_I32:
      if (size - *pos < 4) return false;
      *pos += 4;
      return true;
    case PL_PB_LEN:
      if (!pl_pb_varint(data, size, pos, &v) || v > size - *pos) return false;
      *pos += (size_t)v;
      return true;
    default:
      return false;
  }
}

/* Skips a group body up to the end-group tag matching `number` (nested
 * groups included). On success *body_end is where the end tag starts and
 * *pos is past it. */
static bool skip_group(const uint8_t* data, size_t size, size_t* pos,
                       uint32_t number, size_t* body_end) {
  uint32_t stack[kMaxGroupDepth];
  int depth = 0;
  stack[depth++] = number;
  while (depth > 0) {
    const size_t tag_pos = *pos;
    uint32_t n;
    uint8_t wt;
    if (!read_tag(data, size, pos, &n, &wt)) return false;
    if (wt == PL_PB_SGROUP) {
      if (depth == kMaxGroupDepth) return false;
      stack[depth++] = n;
    } else if (wt == PL_PB_EGROUP) {
      if (stack[depth - 1] != n) return false;
      --depth;
      if (depth == 0) *body_end = tag_pos;
    } else if (!skip_value(data, size, pos, wt)) {
      return false;
    }
  }
  return true;
}

int pl_pb_next(PlPbReader* r, PlPbField* f) {
  if (r->pos >= r->size) return PL_PB_END;
  const uint8_t* data = r->data;
  const size_t size = r->size;
  size_t pos = r->pos;
  memset(f, 0, sizeof(*f));
  uint64_t v;
  if (!read_tag(data, size, &pos, &f->number, &f->wire_type)) goto fail;
  switch (f->wire_type) {
    case PL_PB_VARINT:
      if (!pl_pb_varint(data, size, &pos, &f->u64)) goto fail;
      break;
    case PL_PB_I64:
    case PL_PB_I32: {
      const size_t n = f->wire_type == PL_PB_I64 ? 8 : 4;
      if (size - pos < n) goto fail;
      for (size_t i = 0; i < n; ++i)
        f->u64 |= (uint64_t)data[pos + i] << (8 * i);
      pos += n;
      break;
    }
    case PL_PB_LEN:
      if (!pl_pb_varint(data, size, &pos, &v) || v > size - pos) goto fail;
      f->data = data + pos;
      f->len = (size_t)v;
      pos += (size_t)v;
      break;
    case PL_PB_SGROUP: {
      const size_t body = pos;
      size_t body_end = pos;
      if (!skip_group(data, size, &pos, f->number, &body_end)) goto fail;
      f->data = data + body;
      f->len = body_end - body;
      break;
    }
    default: /* an end-group with no start */
      goto fail;
  }
  r->pos = pos;
  return PL_PB_FIELD;
fail:
  r->pos = r->size;
  return PL_PB_ERROR;
}

bool pl_pb_well_formed(const void* data, size_t size) {
  PlPbReader r;
  PlPbField f;
  pl_pb_init(&r, data, size);
  int status;
  while ((status = pl_pb_next(&r, &f)) == PL_PB_FIELD) {
  }
  return status == PL_PB_END;
}

bool pl_pb_utf8_valid(const uint8_t* s, size_t len) {
  size_t i = 0;
  while (i < len) {
    const uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) {
      n = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      n = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      n = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (len - i < n) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n;
  }
  return true;
}

float pl_pb_as_float(const PlPbField* f) {
  const uint32_t bits = (uint32_t)f->u64;
  float v;
  memcpy(&v, &bits, sizeof(v));
  return v;
}

double pl_pb_as_double(const PlPbField* f) {
  double v;
  memcpy(&v, &f->u64, sizeof(v));
  return v;
}
