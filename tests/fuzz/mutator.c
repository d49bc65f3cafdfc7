/* pylite fuzzing: schema-aware mutations of a .tflite file (see mutator.h).
 * Field ids are the TFLite schema's (v3). */
#include "mutator.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

typedef enum SlotKind {
  SLOT_TENSOR_INDEX,   /* i32: operator / subgraph inputs and outputs */
  SLOT_BUFFER_INDEX,   /* u32: Tensor.buffer */
  SLOT_OPCODE_INDEX,   /* u32: Operator.opcode_index */
  SLOT_SUBGRAPH_INDEX, /* u32: SignatureDef.subgraph_index */
  SLOT_SIG_TENSOR,     /* u32: TensorMap.tensor_index */
  SLOT_DIM,            /* i32: shapes, shape signatures, small constants */
  SLOT_TYPE,           /* i8: Tensor.type */
  SLOT_BUILTIN_CODE,   /* i32: OperatorCode.builtin_code */
  SLOT_OPTIONS_TYPE,   /* u8: Operator.builtin_options_type */
  SLOT_OPTION,         /* a builtin / custom option field, width 1..4 */
  SLOT_SCALE,          /* f32: quantization scale, min, max */
  SLOT_ZERO_POINT,     /* i64 */
  SLOT_QUANT_DIM,      /* i32: quantized_dimension */
  SLOT_VEC_LEN,        /* u32: the length word of a vector */
  SLOT_BUFFER_RANGE,   /* u64: Buffer.offset / Buffer.size */
  SLOT_BYTE,           /* u8: flags (is_variable, has_rank, ...) */
} SlotKind;

typedef struct Slot {
  uint32_t at;
  uint8_t kind;
  uint8_t width; /* bytes, for SLOT_OPTION */
} Slot;

enum { kMaxSlots = 8192 };

typedef struct Walk {
  const uint8_t* p;
  size_t size;
  Slot* slots;
  size_t count;
  int32_t num_tensors; /* of the largest subgraph */
  int32_t num_buffers;
  int32_t num_opcodes;
  int32_t num_subgraphs;
} Walk;

static bool in_range(const Walk* w, size_t at, size_t n) {
  return at <= w->size && n <= w->size - at;
}

static uint32_t rd32(const Walk* w, size_t at) {
  uint32_t v = 0;
  if (in_range(w, at, 4)) memcpy(&v, w->p + at, 4);
  return v;
}

static uint16_t rd16(const Walk* w, size_t at) {
  uint16_t v = 0;
  if (in_range(w, at, 2)) memcpy(&v, w->p + at, 2);
  return v;
}

static void add(Walk* w, size_t at, SlotKind kind, size_t width) {
  if (w->count >= kMaxSlots || !in_range(w, at, width) || width == 0) return;
  w->slots[w->count].at = (uint32_t)at;
  w->slots[w->count].kind = (uint8_t)kind;
  w->slots[w->count].width = (uint8_t)width;
  w->count++;
}

/* A table at `table`: position of field `id`, or 0 if absent. */
static size_t field(const Walk* w, size_t table, int id) {
  if (!in_range(w, table, 4)) return 0;
  int32_t soff = (int32_t)rd32(w, table);
  int64_t vt = (int64_t)table - soff;
  if (vt < 0 || !in_range(w, (size_t)vt, 4)) return 0;
  uint16_t vt_len = rd16(w, (size_t)vt);
  if ((size_t)(4 + 2 * id + 2) > vt_len) return 0;
  uint16_t off = rd16(w, (size_t)vt + 4 + 2 * (size_t)id);
  if (off == 0 || !in_range(w, table + off, 1)) return 0;
  return table + off;
}

/* Follows the offset stored at `at` (a table or vector reference). */
static size_t deref(const Walk* w, size_t at) {
  if (at == 0 || !in_range(w, at, 4)) return 0;
  uint64_t target = (uint64_t)at + rd32(w, at);
  return target < w->size ? (size_t)target : 0;
}

/* A vector field: its element count (0 if absent), *data its first
 * element. Records the length word as a slot. */
static uint32_t vector(Walk* w, size_t table, int id, size_t elem,
                       size_t* data) {
  size_t v = deref(w, field(w, table, id));
  if (v == 0 || !in_range(w, v, 4)) return 0;
  uint32_t n = rd32(w, v);
  if ((uint64_t)n * elem > w->size - v - 4) return 0;
  add(w, v, SLOT_VEC_LEN, 4);
  *data = v + 4;
  return n;
}

/* Every field of an options table, each with the width up to the next
 * field (at most 4): options are scalars, enums and bools. */
static void option_fields(Walk* w, size_t table) {
  if (!in_range(w, table, 4)) return;
  int32_t soff = (int32_t)rd32(w, table);
  int64_t vt = (int64_t)table - soff;
  if (vt < 0 || !in_range(w, (size_t)vt, 4)) return;
  uint16_t vt_len = rd16(w, (size_t)vt), table_len = rd16(w, (size_t)vt + 2);
  int nfields = vt_len >= 4 ? (vt_len - 4) / 2 : 0;
  for (int i = 0; i < nfields && i < 64; ++i) {
    uint16_t off = rd16(w, (size_t)vt + 4 + 2 * (size_t)i);
    if (off == 0) continue;
    uint16_t next = table_len;
    for (int j = 0; j < nfields && j < 64; ++j) {
      uint16_t o = rd16(w, (size_t)vt + 4 + 2 * (size_t)j);
      if (o > off && o < next) next = o;
    }
    size_t width = next > off ? (size_t)(next - off) : 1;
    if (width > 4) width = 4;
    /* A 4-byte field could be an offset (a vector of ints in some
     * options); mutating it too is fine, the reader must cope. */
    add(w, table + off, SLOT_OPTION, width);
  }
}

static void walk_quantization(Walk* w, size_t q) {
  size_t data;
  for (int id = 0; id <= 2; ++id) { /* min, max, scale */
    uint32_t n = vector(w, q, id, 4, &data);
    for (uint32_t i = 0; i < n && i < 64; ++i) add(w, data + 4 * i, SLOT_SCALE, 4);
  }
  uint32_t n = vector(w, q, 3, 8, &data);
  for (uint32_t i = 0; i < n && i < 64; ++i) add(w, data + 8 * i, SLOT_ZERO_POINT, 8);
  add(w, field(w, q, 6), SLOT_QUANT_DIM, 4);
  add(w, field(w, q, 4), SLOT_BYTE, 1);
}

static void walk_subgraph(Walk* w, size_t sg) {
  size_t data;
  uint32_t nt = vector(w, sg, 0, 4, &data);
  if ((int32_t)nt > w->num_tensors) w->num_tensors = (int32_t)nt;
  for (uint32_t i = 0; i < nt && i < 4096; ++i) {
    size_t t = deref(w, data + 4 * i);
    if (t == 0) continue;
    size_t d;
    uint32_t rank = vector(w, t, 0, 4, &d);
    for (uint32_t k = 0; k < rank && k < 16; ++k) add(w, d + 4 * k, SLOT_DIM, 4);
    rank = vector(w, t, 7, 4, &d);
    for (uint32_t k = 0; k < rank && k < 16; ++k) add(w, d + 4 * k, SLOT_DIM, 4);
    add(w, field(w, t, 1), SLOT_TYPE, 1);
    add(w, field(w, t, 2), SLOT_BUFFER_INDEX, 4);
    add(w, field(w, t, 5), SLOT_BYTE, 1);
    add(w, field(w, t, 8), SLOT_BYTE, 1);
    size_t q = deref(w, field(w, t, 4));
    if (q) walk_quantization(w, q);
  }
  for (int id = 1; id <= 2; ++id) { /* inputs, outputs */
    uint32_t n = vector(w, sg, id, 4, &data);
    for (uint32_t i = 0; i < n && i < 1024; ++i)
      add(w, data + 4 * i, SLOT_TENSOR_INDEX, 4);
  }
  uint32_t nops = vector(w, sg, 3, 4, &data);
  for (uint32_t i = 0; i < nops && i < 4096; ++i) {
    size_t op = deref(w, data + 4 * i);
    if (op == 0) continue;
    add(w, field(w, op, 0), SLOT_OPCODE_INDEX, 4);
    size_t d;
    for (int id = 1; id <= 2; ++id) {
      uint32_t n = vector(w, op, id, 4, &d);
      for (uint32_t k = 0; k < n && k < 256; ++k)
        add(w, d + 4 * k, SLOT_TENSOR_INDEX, 4);
    }
    uint32_t n = vector(w, op, 8, 4, &d); /* intermediates */
    for (uint32_t k = 0; k < n && k < 64; ++k) add(w, d + 4 * k, SLOT_TENSOR_INDEX, 4);
    add(w, field(w, op, 3), SLOT_OPTIONS_TYPE, 1);
    add(w, field(w, op, 11), SLOT_OPTIONS_TYPE, 1);
    size_t options = deref(w, field(w, op, 4));
    if (options) option_fields(w, options);
    options = deref(w, field(w, op, 12));
    if (options) option_fields(w, options);
    n = vector(w, op, 5, 1, &d); /* custom options: a flexbuffer */
    for (uint32_t k = 0; k < n && k < 512; ++k) add(w, d + k, SLOT_OPTION, 1);
  }
}

static void walk_model(Walk* w) {
  size_t root = rd32(w, 0); /* the root table's offset, from byte 0 */
  if (root == 0 || root >= w->size) return;
  size_t data;
  uint32_t n = vector(w, root, 1, 4, &data); /* operator codes */
  w->num_opcodes = (int32_t)n;
  for (uint32_t i = 0; i < n && i < 1024; ++i) {
    size_t oc = deref(w, data + 4 * i);
    if (oc == 0) continue;
    add(w, field(w, oc, 0), SLOT_BYTE, 1);
    add(w, field(w, oc, 3), SLOT_BUILTIN_CODE, 4);
    add(w, field(w, oc, 2), SLOT_OPTION, 4); /* version */
  }
  n = vector(w, root, 2, 4, &data); /* subgraphs */
  w->num_subgraphs = (int32_t)n;
  for (uint32_t i = 0; i < n && i < 256; ++i) {
    size_t sg = deref(w, data + 4 * i);
    if (sg) walk_subgraph(w, sg);
  }
  n = vector(w, root, 4, 4, &data); /* buffers */
  w->num_buffers = (int32_t)n;
  for (uint32_t i = 0; i < n && i < 4096; ++i) {
    size_t b = deref(w, data + 4 * i);
    if (b == 0) continue;
    size_t d;
    uint32_t bytes = vector(w, b, 0, 1, &d);
    /* Small constants are mostly shapes, axes, paddings, begin/end. */
    if (bytes <= 64)
      for (uint32_t k = 0; k + 4 <= bytes; k += 4) add(w, d + k, SLOT_DIM, 4);
    add(w, field(w, b, 1), SLOT_BUFFER_RANGE, 8);
    add(w, field(w, b, 2), SLOT_BUFFER_RANGE, 8);
  }
  n = vector(w, root, 7, 4, &data); /* signature defs */
  for (uint32_t i = 0; i < n && i < 64; ++i) {
    size_t sig = deref(w, data + 4 * i);
    if (sig == 0) continue;
    add(w, field(w, sig, 4), SLOT_SUBGRAPH_INDEX, 4);
    for (int id = 0; id <= 1; ++id) {
      size_t d;
      uint32_t m = vector(w, sig, id, 4, &d);
      for (uint32_t k = 0; k < m && k < 256; ++k) {
        size_t tm = deref(w, d + 4 * k);
        if (tm) add(w, field(w, tm, 1), SLOT_SIG_TENSOR, 4);
      }
    }
  }
}

/* ---- Values ------------------------------------------------------------------- */

static uint32_t next(uint32_t* s) {
  /* xorshift32; the seed comes from libFuzzer. */
  uint32_t x = *s ? *s : 0x9E3779B9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* Two's-complement wrap without signed overflow. */
static int32_t wrap(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

/* An index value: mostly a valid one (another tensor than the model
 * names), sometimes just out of range or absurd. */
static int32_t index_value(uint32_t* s, int32_t count, int32_t current) {
  switch (next(s) % 8) {
    case 0: return -1;
    case 1: return count;
    case 2: return wrap((int64_t)count + 1 + next(s) % 4);
    case 3: return (int32_t)0x7FFFFFFF;
    case 4: return wrap((int64_t)current + ((next(s) & 1) ? 1 : -1));
    default: return count > 0 ? (int32_t)(next(s) % (uint32_t)count) : 0;
  }
}

static int32_t dim_value(uint32_t* s, int32_t current) {
  static const int32_t values[] = {0, 1, -1, 2, 3, 4, 7, 64, 1 << 16,
                                   (int32_t)0x7FFFFFFF, -2, (int32_t)0x80000000,
                                   1 << 30, 255, 256};
  switch (next(s) % 4) {
    case 0: return wrap((int64_t)current + 1);
    case 1: return current > 1 ? current - 1 : wrap((int64_t)current * 2);
    default: return values[next(s) % (sizeof(values) / sizeof(values[0]))];
  }
}

static void put(uint8_t* p, const void* v, size_t n) { memcpy(p, v, n); }

static void mutate_slot(uint8_t* data, const Walk* w, const Slot* slot,
                        uint32_t* s) {
  uint8_t* p = data + slot->at;
  int32_t cur32 = p[0];
  if (slot->width >= 4) memcpy(&cur32, p, 4);
  switch ((SlotKind)slot->kind) {
    case SLOT_TENSOR_INDEX:
    case SLOT_SIG_TENSOR: {
      int32_t v = index_value(s, w->num_tensors, cur32);
      put(p, &v, 4);
      break;
    }
    case SLOT_BUFFER_INDEX: {
      int32_t v = index_value(s, w->num_buffers, cur32);
      put(p, &v, 4);
      break;
    }
    case SLOT_OPCODE_INDEX: {
      int32_t v = index_value(s, w->num_opcodes, cur32);
      put(p, &v, 4);
      break;
    }
    case SLOT_SUBGRAPH_INDEX: {
      int32_t v = index_value(s, w->num_subgraphs, cur32);
      put(p, &v, 4);
      break;
    }
    case SLOT_DIM: {
      int32_t v = dim_value(s, cur32);
      put(p, &v, 4);
      break;
    }
    case SLOT_TYPE:
      /* The schema's types run 0..19 today; a few beyond. */
      p[0] = (uint8_t)(next(s) % 24);
      break;
    case SLOT_BUILTIN_CODE: {
      int32_t v = (next(s) % 8 == 0) ? -1 - (int32_t)(next(s) % 3)
                                     : (int32_t)(next(s) % 210);
      put(p, &v, 4);
      break;
    }
    case SLOT_OPTIONS_TYPE:
      p[0] = (uint8_t)(next(s) % 130);
      break;
    case SLOT_OPTION: {
      static const int32_t values[] = {0, 1, 2, 3, 4, -1, -2, 127, 255,
                                       (int32_t)0x7FFFFFFF, (int32_t)0x80000000,
                                       6, 100};
      int32_t v = values[next(s) % (sizeof(values) / sizeof(values[0]))];
      if (next(s) % 3 == 0) v = wrap((int64_t)cur32 + ((next(s) & 1) ? 1 : -1));
      if (slot->width >= 4) {
        if (next(s) % 4 == 0) { /* a float option (alpha, beta, eps) */
          static const float fv[] = {0.0f, -1.0f, 1e30f, 1e-30f, 0.5f};
          float f = fv[next(s) % 5];
          if (next(s) % 5 == 0) f = NAN;
          if (next(s) % 7 == 0) f = INFINITY;
          put(p, &f, 4);
        } else {
          put(p, &v, 4);
        }
      } else if (slot->width >= 2) {
        int16_t h = (int16_t)v;
        put(p, &h, 2);
      } else {
        p[0] = (uint8_t)v;
      }
      break;
    }
    case SLOT_SCALE: {
      static const float values[] = {0.0f, -1.0f, 1.0f, 0.5f, 1e-45f,
                                     1e38f, 3.4e38f, 1e-3f, 255.0f};
      float f = values[next(s) % (sizeof(values) / sizeof(values[0]))];
      if (next(s) % 6 == 0) f = NAN;
      if (next(s) % 6 == 0) f = -INFINITY;
      put(p, &f, 4);
      break;
    }
    case SLOT_ZERO_POINT: {
      static const int64_t values[] = {0, 1, -1, -128, 127, 255, 256, -32768,
                                       INT64_MAX, INT64_MIN};
      int64_t v = values[next(s) % (sizeof(values) / sizeof(values[0]))];
      put(p, &v, 8);
      break;
    }
    case SLOT_QUANT_DIM: {
      int32_t v = dim_value(s, cur32);
      put(p, &v, 4);
      break;
    }
    case SLOT_VEC_LEN: {
      uint32_t cur = (uint32_t)cur32, v;
      switch (next(s) % 6) {
        case 0: v = 0; break;
        case 1: v = cur + 1; break;
        case 2: v = cur ? cur - 1 : 1; break;
        case 3: v = cur * 2 + 1; break;
        case 4: v = 0x7FFFFFFFu; break;
        default: v = 0xFFFFFFFFu; break;
      }
      put(p, &v, 4);
      break;
    }
    case SLOT_BUFFER_RANGE: {
      uint64_t cur;
      memcpy(&cur, p, 8);
      static const uint64_t values[] = {0, 1, 16, UINT64_MAX,
                                        (uint64_t)1 << 63, 0xFFFFFFFFu};
      uint64_t v = next(s) % 2 ? cur + (next(s) % 9) - 4
                               : values[next(s) % 6];
      put(p, &v, 8);
      break;
    }
    case SLOT_BYTE:
      p[0] = (uint8_t)(next(s) % 3 == 0 ? 0xFF : next(s) % 3);
      break;
  }
}

static size_t collect(const uint8_t* data, size_t size, Slot* slots,
                      Walk* w) {
  memset(w, 0, sizeof(*w));
  w->p = data;
  w->size = size;
  w->slots = slots;
  if (size >= 8 && size <= 0x7FFFFFFF) walk_model(w);
  return w->count;
}

size_t pl_tflite_count_slots(const uint8_t* data, size_t size) {
  static Slot slots[kMaxSlots];
  Walk w;
  return collect(data, size, slots, &w);
}

size_t pl_tflite_mutate(uint8_t* data, size_t size, uint32_t seed) {
  static Slot slots[kMaxSlots];
  Walk w;
  if (collect(data, size, slots, &w) == 0) return 0;
  uint32_t s = seed * 2654435761u + 1;
  int rounds = 1 + (int)(next(&s) % 3);
  for (int i = 0; i < rounds; ++i) {
    const Slot* slot = &slots[next(&s) % w.count];
    mutate_slot(data, &w, slot, &s);
  }
  return size;
}
