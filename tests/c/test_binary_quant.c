/* pylite: the quantized ADD, SUB, MUL and SQUARED_DIFFERENCE
 * (capi/kernels/internal/binary_quant.c).
 * - Their rows: on random inputs with realistic parameters (multipliers
 *   made by pl_q_multiplier from random scales) and hostile ones (any
 *   multiplier, shift, left shift, offset and clamp range), for rows of odd
 *   lengths and every broadcast form (steps 0 / 1), the AVX2 path, the
 *   portable path and the scalar definition (pl_binq_add ... stored with a
 *   truncating cast) agree bit for bit; for 8-bit types also over every
 *   pair of input values.
 * - Their parallel eval: one-op int8 models, same-shape and broadcast
 *   (a channel vector, a row, a scalar; first or second), large enough to
 *   be split, give with 1, 2 and 4 threads the bytes of the same op on the
 *   operand broadcast by hand (portable path). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capi/kernels/internal/binary_quant.h"
#include "capi/kernels/internal/gemm.h"
#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"

static int32_t pick_i32(void) {
  static const int32_t kEdges[] = {0,         1,          -1,      INT32_MAX,
                                   INT32_MIN, 1 << 30,    -(1 << 30),
                                   (1 << 30) + 1, INT32_MAX - 1, 255, -256};
  const uint32_t r = check_rand_u32() % 4;
  if (r == 0) return kEdges[check_rand_u32() % (sizeof(kEdges) / 4)];
  if (r == 1) return (int32_t)(check_rand_u32() % 2001) - 1000;
  return (int32_t)check_rand_u32();
}

typedef struct Row {
  const char* name;
  PlBinRowFn fn;
  int kind; /* 0 add, 1 sub, 2 mul, 3 squared difference */
  TfLiteType type;
} Row;

static const Row kRows[] = {
    {"add i8", pl_binq_row_add_i8, 0, kTfLiteInt8},
    {"add u8", pl_binq_row_add_u8, 0, kTfLiteUInt8},
    {"add i16", pl_binq_row_add_i16, 0, kTfLiteInt16},
    {"sub i8", pl_binq_row_sub_i8, 1, kTfLiteInt8},
    {"sub u8", pl_binq_row_sub_u8, 1, kTfLiteUInt8},
    {"sub i16", pl_binq_row_sub_i16, 1, kTfLiteInt16},
    {"mul i8", pl_binq_row_mul_i8, 2, kTfLiteInt8},
    {"mul u8", pl_binq_row_mul_u8, 2, kTfLiteUInt8},
    {"mul i16", pl_binq_row_mul_i16, 2, kTfLiteInt16},
    {"sqdiff i8", pl_binq_row_sqdiff_i8, 3, kTfLiteInt8},
};

static int32_t reference(const Row* r, const PlBinQuant* q, int32_t x,
                         int32_t y) {
  switch (r->kind) {
    case 0: return pl_binq_add(q, x, y);
    case 1: return pl_binq_sub(q, x, y);
    case 2: return pl_binq_mul(q, x, y);
    default: return pl_binq_sqdiff(q, x, y);
  }
}

static int32_t load(TfLiteType t, const void* p, int64_t i) {
  switch (t) {
    case kTfLiteInt8: return ((const int8_t*)p)[i];
    case kTfLiteUInt8: return ((const uint8_t*)p)[i];
    default: return ((const int16_t*)p)[i];
  }
}

static void store(TfLiteType t, void* p, int64_t i, int32_t v) {
  switch (t) {
    case kTfLiteInt8: ((int8_t*)p)[i] = (int8_t)v; break;
    case kTfLiteUInt8: ((uint8_t*)p)[i] = (uint8_t)v; break;
    default: ((int16_t*)p)[i] = (int16_t)v; break;
  }
}

/* A value of the type: extremes often, else uniform. */
static int32_t pick_value(TfLiteType t) {
  int32_t lo = 0, hi = 0;
  pl_q_type_range(t, &lo, &hi);
  const uint32_t r = check_rand_u32() % 8;
  if (r == 0) return lo;
  if (r == 1) return hi;
  return lo + (int32_t)(check_rand_u32() % (uint32_t)(hi - lo + 1));
}

static float pick_scale(void) {
  /* 2^-12 .. 2^4, with mantissa noise. */
  return (float)(1.0 + (check_rand_u32() % 1000) / 1000.0) *
         (float)(1.0 / (1 << 12)) * (float)(1u << (check_rand_u32() % 17));
}

/* Parameters as the prepare functions make them (see binary_quant.c). */
static void realistic(const Row* r, PlBinQuant* q) {
  int32_t tlo = 0, thi = 0;
  pl_q_type_range(r->type, &tlo, &thi);
  const bool i16 = r->type == kTfLiteInt16;
  for (int k = 0; k < 2; ++k)
    q->in_offset[k] = i16 ? 0 : -pick_value(r->type);
  q->out_offset = i16 ? 0 : pick_value(r->type);
  const float s0 = pick_scale(), s1 = pick_scale(), so = pick_scale();
  if (r->kind == 2) {
    pl_q_multiplier(s0 * s1 / so, &q->out_mult, &q->out_shift);
  } else {
    q->left_shift = r->kind == 3 ? 7 : (i16 ? 15 : 20);
    const double twice_max = 2.0f * (s0 > s1 ? s0 : s1);
    pl_q_multiplier(s0 / twice_max, &q->in_mult[0], &q->in_shift[0]);
    pl_q_multiplier(s1 / twice_max, &q->in_mult[1], &q->in_shift[1]);
    const double ro = (r->kind == 3 ? twice_max : 1.0) * twice_max /
                      ((double)(1 << q->left_shift) * so);
    pl_q_multiplier(ro < 1.0 ? ro : 0.99, &q->out_mult, &q->out_shift);
  }
  q->lo = tlo;
  q->hi = thi;
  if (check_rand_u32() % 3 == 0) { /* a fused activation */
    q->lo = q->out_offset > tlo ? q->out_offset : tlo;
    q->hi = tlo + (int32_t)(check_rand_u32() % (uint32_t)(thi - tlo + 1));
    if (q->hi < q->lo) q->hi = q->lo;
  }
}

/* Anything the struct can hold. */
static void hostile(const Row* r, PlBinQuant* q) {
  int32_t tlo = 0, thi = 0;
  pl_q_type_range(r->type, &tlo, &thi);
  for (int k = 0; k < 2; ++k) {
    q->in_offset[k] = check_rand_u32() % 2 ? pick_i32() : -pick_value(r->type);
    q->in_mult[k] = pick_i32();
    q->in_shift[k] = (int)(check_rand_u32() % 80) - 45;
  }
  q->out_offset = pick_i32();
  q->out_mult = pick_i32();
  q->out_shift = (int)(check_rand_u32() % 80) - 45;
  if (check_rand_u32() % 2) q->out_shift = (int)(check_rand_u32() % 62) - 31;
  q->left_shift = (int)(check_rand_u32() % 40);
  q->lo = tlo;
  q->hi = thi;
  const uint32_t c = check_rand_u32() % 4;
  if (c == 1) q->lo = q->hi = pick_value(r->type);
  if (c == 2) {
    q->lo = pick_value(r->type);
    q->hi = pick_value(r->type);
  }
  if (c == 3) {
    q->lo = pick_i32();
    q->hi = pick_i32();
  }
}

enum { OP_MUL = 18, OP_SUB = 41, OP_SQUARED_DIFFERENCE = 99 };
enum { kH = 37, kW = 29, kC = 24, kOut = kH * kW * kC };

/* Runs a one-op int8 model a op b into out (kOut bytes) with `threads`
 * threads: the full-shaped operand (1, kH, kW, kC) is `full`, the other
 * `part` of shape part_shape, first if part_first; false if any step
 * fails. */
static bool run_binary(int op, bool part_first, int part_rank,
                       const int* part_shape, const int8_t* full,
                       const int8_t* part, size_t part_bytes, int threads,
                       int8_t* out) {
  MbModel m;
  mb_init(&m, "pylite binary quant test");
  mb_opcode(&m, op, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const int shape[4] = {1, kH, kW, kC};
  const int f = mb_tensor(sg, "full", T_I8, 4, shape);
  const int p = mb_tensor(sg, "part", T_I8, part_rank, part_shape);
  const int ins[2] = {part_first ? p : f, part_first ? f : p};
  const int o = mb_tensor(sg, "out", T_I8, 4, shape);
  sg->tensors[ins[0]].scale = 0.05f;
  sg->tensors[ins[1]].scale = 0.02f;
  sg->tensors[o].scale = op == OP_MUL ? 0.01f : 0.06f;
  mb_io(sg, 2, ins, 1, &o);
  mb_op(sg, 0, 2, ins, 1, &o);
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  TfLiteModel* model = TfLiteModelCreate(bytes, size);
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetNumThreads(opts, threads);
  TfLiteInterpreter* interp = model ? TfLiteInterpreterCreate(model, opts)
                                    : NULL;
  TfLiteInterpreterOptionsDelete(opts);
  bool ok = interp && TfLiteInterpreterAllocateTensors(interp) == kTfLiteOk;
  ok = ok && TfLiteTensorCopyFromBuffer(
                 TfLiteInterpreterGetInputTensor(interp, part_first ? 1 : 0),
                 full, kOut) == kTfLiteOk;
  ok = ok && TfLiteTensorCopyFromBuffer(
                 TfLiteInterpreterGetInputTensor(interp, part_first ? 0 : 1),
                 part, part_bytes) == kTfLiteOk;
  ok = ok && TfLiteInterpreterInvoke(interp) == kTfLiteOk;
  ok = ok && TfLiteTensorCopyToBuffer(
                 TfLiteInterpreterGetOutputTensor(interp, 0), out, kOut) ==
                 kTfLiteOk;
  TfLiteInterpreterDelete(interp);
  TfLiteModelDelete(model);
  free(bytes);
  return ok;
}

/* Each op and broadcast form (the smaller operand first or second) at 1,
 * 2 and 4 threads against the same op on the operand broadcast by hand
 * (one flat row), computed by the portable path. */
static void test_threads(void) {
  static const int kOps[4] = {OP_ADD, OP_SUB, OP_MUL, OP_SQUARED_DIFFERENCE};
  static const int kShapes[4][4] = {
      {1, kH, kW, kC}, {kC, 0, 0, 0}, {1, kH, 1, kC}, {1, 0, 0, 0}};
  static const int kRanks[4] = {4, 1, 4, 1};
  static const size_t kBytes[4] = {kOut, kC, kH * kC, 1};
  static const int kFull[4] = {1, kH, kW, kC};
  static int8_t x[kOut], y[kOut], y_full[kOut], want[kOut], got[kOut];
  for (int i = 0; i < kOut; ++i) {
    x[i] = (int8_t)check_rand_u32();
    y[i] = (int8_t)check_rand_u32();
  }
  for (int s = 0; s < 4; ++s) {
    for (int h = 0; h < kH; ++h)
      for (int w = 0; w < kW; ++w)
        for (int c = 0; c < kC; ++c) {
          const int at = (h * kW + w) * kC + c;
          y_full[at] = s == 0 ? y[at]
                       : s == 1 ? y[c]
                       : s == 2 ? y[h * kC + c]
                                : y[0];
        }
    for (int o = 0; o < 8; ++o) {
      const int op = kOps[o % 4];
      const bool part_first = o >= 4;
      pl_simd_force_portable(true);
      CHECK(run_binary(op, part_first, 4, kFull, x, y_full, kOut, 1, want));
      pl_simd_force_portable(false);
      for (int threads = 1; threads <= 4; threads *= 2) {
        memset(got, 0, sizeof(got));
        CHECK(run_binary(op, part_first, kRanks[s], kShapes[s], x, y,
                         kBytes[s], threads, got));
        if (memcmp(got, want, kOut) != 0)
          printf("  op %d form %d%s threads %d: differs\n", op, s,
                 part_first ? " (first)" : "", threads);
        CHECK(memcmp(got, want, kOut) == 0);
      }
    }
  }
}

/* Every pair of 8-bit values through row r with realistic parameters:
 * rows of all 256 y values against one x (step 0), AVX2 vs scalar. */
static int check_all_pairs(const Row* r) {
  PlBinQuant q;
  memset(&q, 0, sizeof(q));
  realistic(r, &q);
  int16_t x[1];
  uint8_t y[256], got[256];
  int mismatches = 0;
  for (int v = 0; v < 256; ++v) y[v] = (uint8_t)v;
  for (int u = 0; u < 256; ++u) {
    store(r->type, x, 0, u);
    const void* in[2] = {x, y};
    const int64_t step[2] = {0, 1};
    r->fn(got, in, step, 256, &q);
    for (int v = 0; v < 256; ++v) {
      int16_t want_cell = 0;
      store(r->type, &want_cell, 0,
            reference(r, &q, load(r->type, x, 0), load(r->type, y, v)));
      if (load(r->type, got, v) != load(r->type, &want_cell, 0)) ++mismatches;
    }
  }
  return mismatches;
}

/* int16 MUL at its extremes: offsets 0, any multiplier, right shifts
 * 0..31 (around the narrow lanes' limit of 30), values at +-2^15. */
static int check_mul16_extremes(void) {
  static const int16_t kValues[6] = {-32768, 32767, -32767, 1, -1, 0};
  int16_t x[64], y[64], got[64];
  int mismatches = 0;
  for (int k = 0; k < 400; ++k) {
    PlBinQuant q;
    memset(&q, 0, sizeof(q));
    const int32_t typical =
        (int32_t)(0x40000000u | (check_rand_u32() & 0x3FFFFFFF));
    q.out_mult = k % 3 == 0 ? INT32_MAX : k % 3 == 1 ? typical : pick_i32();
    q.out_shift = -(k % 32);
    q.out_offset = k % 5 ? 0 : pick_i32();
    q.lo = -32768;
    q.hi = 32767;
    for (int i = 0; i < 64; ++i) {
      x[i] = check_rand_u32() % 2 ? kValues[check_rand_u32() % 6] : (int16_t)check_rand_u32();
      y[i] = check_rand_u32() % 2 ? kValues[check_rand_u32() % 6] : (int16_t)check_rand_u32();
    }
    const void* in[2] = {x, y};
    const int64_t step[2] = {1, 1};
    pl_binq_row_mul_i16(got, in, step, 64, &q);
    for (int i = 0; i < 64; ++i)
      if (got[i] != (int16_t)pl_binq_mul(&q, x[i], y[i])) ++mismatches;
  }
  return mismatches;
}

int main(void) {
  check_rand_seed(0x2545F4914F6CDD1Dull);
  test_threads();
  const int mul16 = check_mul16_extremes();
  printf("binary_quant int16 MUL extremes: %d mismatches\n", mul16);
  CHECK(mul16 == 0);
  int pair_mismatches = 0;
  for (int k = 0; k < 60; ++k) {
    const Row* r = &kRows[k % (int)(sizeof(kRows) / sizeof(kRows[0]))];
    if (r->type != kTfLiteInt16) pair_mismatches += check_all_pairs(r);
  }
  printf("binary_quant all 8-bit pairs: %d mismatches\n", pair_mismatches);
  CHECK(pair_mismatches == 0);
  enum { kMaxN = 80, kTrials = 3000 };
  int mismatches = 0, checked = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const Row* r = &kRows[trial % (int)(sizeof(kRows) / sizeof(kRows[0]))];
    PlBinQuant q;
    memset(&q, 0, sizeof(q));
    if (trial % 3 == 2)
      hostile(r, &q);
    else
      realistic(r, &q);
    const int64_t n = 1 + (int64_t)(check_rand_u32() % kMaxN);
    const int64_t step[2] = {(trial / 10) % 4 != 1, (trial / 10) % 4 != 2};
    int16_t x[kMaxN], y[kMaxN], fast[kMaxN], portable[kMaxN];
    for (int64_t i = 0; i < n; ++i) {
      store(r->type, x, i, pick_value(r->type));
      store(r->type, y, i, pick_value(r->type));
    }
    const void* in[2] = {x, y};
    memset(fast, 0x5A, sizeof(fast));
    memset(portable, 0x5A, sizeof(portable));
    pl_simd_force_portable(false);
    pl_simd_force_avx2(trial % 2 == 1); /* AVX-512 (ADD, SUB) or AVX2 */
    r->fn(fast, in, step, n, &q);
    pl_simd_force_avx2(false);
    pl_simd_force_portable(true);
    r->fn(portable, in, step, n, &q);
    pl_simd_force_portable(false);
    for (int64_t i = 0; i < n; ++i) {
      int16_t want_cell = 0;
      store(r->type, &want_cell, 0,
            reference(r, &q, load(r->type, x, i * step[0]),
                      load(r->type, y, i * step[1])));
      const int32_t want = load(r->type, &want_cell, 0);
      const int32_t got_fast = load(r->type, fast, i);
      const int32_t got_portable = load(r->type, portable, i);
      if (got_fast != want || got_portable != want) {
        if (mismatches < 8)
          printf("  %s trial %d n %lld i %lld: want %d, avx2 %d, portable "
                 "%d\n", r->name, trial, (long long)n, (long long)i, want,
                 got_fast, got_portable);
        ++mismatches;
      }
      ++checked;
    }
    /* Nothing written past the row. */
    if (n < kMaxN) {
      const int64_t end = n * (r->type == kTfLiteInt16 ? 2 : 1);
      CHECK(((const uint8_t*)fast)[end] == 0x5A &&
            ((const uint8_t*)portable)[end] == 0x5A);
    }
  }
  printf("binary_quant rows: %d values, %d mismatches\n", checked,
         mismatches);
  CHECK(mismatches == 0);
  return CHECK_SUMMARY();
}
