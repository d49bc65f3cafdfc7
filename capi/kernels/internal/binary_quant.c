/* pylite: the quantized binary forms (see binary_quant.h): their prepare,
 * the vectorized rows of ADD, SUB, MUL and SQUARED_DIFFERENCE, and the
 * parallel eval. */
#include "capi/kernels/internal/binary_quant.h"

#include <math.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h" /* pl_simd_avx2 */
#include "capi/kernels/internal/quant_lut.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_BINQ_X86 1
#include <immintrin.h>
#endif

/* LiteRT's CheckedLog2: log2 of x rounded to an integer, computed in float,
 * and whether x is within 1e-3 (in log2) of that power of two. */
static bool binq_log2(float x, int* log2) {
  const float l = logf(x) * (1.0f / logf(2.0f));
  const float r = roundf(l);
  *log2 = (int)r;
  return fabsf(l - r) < 1e-3f;
}

static TfLiteStatus binq_symmetric(PlSubgraph* sg, const char* op,
                                   const TfLiteTensor* const* in,
                                   const TfLiteTensor* output) {
  const int32_t z0 = pl_q_params(in[0]).zero_point;
  const int32_t z1 = pl_q_params(in[1]).zero_point;
  const int32_t zo = pl_q_params(output).zero_point;
  if (z0 != 0 || z1 != 0 || zo != 0) {
    pl_report(sg, "%s: int16 tensors must have zero points of 0, got %d, %d "
              "-> %d.", op, (int)z0, (int)z1, (int)zo);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus pl_binq_prepare_addsub(PlSubgraph* sg, const char* op,
                                    bool pot, int activation,
                                    const TfLiteTensor* const* in,
                                    const TfLiteTensor* output, PlBinQuant* q,
                                    bool* is_pot) {
  const PlQuantParams p0 = pl_q_params(in[0]), p1 = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  const bool int16 = output->type == kTfLiteInt16;
  *is_pot = false;
  if (int16) PL_ENSURE_OK(binq_symmetric(sg, op, in, output));
  PL_ENSURE_OK(pl_q_activation_range(sg, activation, output, &q->lo, &q->hi));
  int l0 = 0, l1 = 0, lo = 0;
  if (int16 && pot && binq_log2(p0.scale, &l0) && binq_log2(p1.scale, &l1) &&
      binq_log2(po.scale, &lo)) {
    const int s0 = l0 - lo, s1 = l1 - lo;
    if ((s0 != 0 && s1 != 0) || s0 > 0 || s1 > 0) {
      pl_report(sg, "%s: with power-of-two int16 scales (2^%d, 2^%d -> 2^%d) "
                "only one input may differ from the output, and only by a "
                "smaller scale.", op, l0, l1, lo);
      return kTfLiteError;
    }
    q->in_shift[0] = -s0;
    q->in_shift[1] = -s1;
    *is_pot = true;
    return kTfLiteOk;
  }
  q->in_offset[0] = -p0.zero_point;
  q->in_offset[1] = -p1.zero_point;
  q->out_offset = po.zero_point;
  q->left_shift = int16 ? 15 : 20;
  /* As LiteRT: 2 * max in float, the ratios in double, 2^shift * s_out in
   * float. */
  const float twice_max_f = 2.0f * (p0.scale > p1.scale ? p0.scale : p1.scale);
  const double twice_max = twice_max_f;
  const double r0 = (double)p0.scale / twice_max;
  const double r1 = (double)p1.scale / twice_max;
  const double ro =
      twice_max / (double)((float)(1 << q->left_shift) * po.scale);
  /* LiteRT aborts for an ADD output multiplier >= 1 (and SUB's == 1); for
   * SUB's > 1 its reference kernel shifts right by a negative amount, an
   * undefined result: both are errors here. */
  if (ro >= 1.0) {
    pl_report(sg, "%s: output scale %g is too small for input scales %g and "
              "%g (the rescaling factor %g is not below 1).", op,
              (double)po.scale, (double)p0.scale, (double)p1.scale, ro);
    return kTfLiteError;
  }
  pl_q_multiplier(r0, &q->in_mult[0], &q->in_shift[0]);
  pl_q_multiplier(r1, &q->in_mult[1], &q->in_shift[1]);
  pl_q_multiplier(ro, &q->out_mult, &q->out_shift);
  return kTfLiteOk;
}

TfLiteStatus pl_binq_prepare_mul(PlSubgraph* sg, const char* op,
                                 int activation, const TfLiteTensor* const* in,
                                 const TfLiteTensor* output, PlBinQuant* q) {
  const PlQuantParams p0 = pl_q_params(in[0]), p1 = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  if (output->type == kTfLiteInt16)
    PL_ENSURE_OK(binq_symmetric(sg, op, in, output));
  PL_ENSURE_OK(pl_q_activation_range(sg, activation, output, &q->lo, &q->hi));
  q->in_offset[0] = -p0.zero_point;
  q->in_offset[1] = -p1.zero_point;
  q->out_offset = po.zero_point;
  /* In float, as LiteRT. */
  const float real = p0.scale * p1.scale / po.scale;
  pl_q_multiplier(real, &q->out_mult, &q->out_shift);
  return kTfLiteOk;
}

TfLiteStatus pl_binq_prepare_sqdiff(PlSubgraph* sg, const char* op,
                                    const TfLiteTensor* const* in,
                                    const TfLiteTensor* output,
                                    PlBinQuant* q) {
  const PlQuantParams p0 = pl_q_params(in[0]), p1 = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  q->in_offset[0] = -p0.zero_point;
  q->in_offset[1] = -p1.zero_point;
  q->out_offset = po.zero_point;
  q->left_shift = 7;
  const double twice_max =
      2.0f * (p0.scale > p1.scale ? p0.scale : p1.scale);
  const double ro =
      twice_max * twice_max / (double)((float)(1 << 14) * po.scale);
  if (ro >= 1.0) {
    pl_report(sg, "%s: output scale %g is too small for input scales %g and "
              "%g (the rescaling factor %g is not below 1).", op,
              (double)po.scale, (double)p0.scale, (double)p1.scale, ro);
    return kTfLiteError;
  }
  pl_q_multiplier((double)p0.scale / twice_max, &q->in_mult[0],
                  &q->in_shift[0]);
  pl_q_multiplier((double)p1.scale / twice_max, &q->in_mult[1],
                  &q->in_shift[1]);
  pl_q_multiplier(ro, &q->out_mult, &q->out_shift);
  pl_q_type_range(output->type, &q->lo, &q->hi);
  return kTfLiteOk;
}

TfLiteStatus pl_binq_prepare_div(PlSubgraph* sg, const char* op,
                                 int activation, const TfLiteTensor* const* in,
                                 const TfLiteTensor* output, PlBinQuant* q) {
  (void)op;
  const PlQuantParams p0 = pl_q_params(in[0]), p1 = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  PL_ENSURE_OK(pl_q_activation_range(sg, activation, output, &q->lo, &q->hi));
  q->in_offset[0] = -p0.zero_point;
  q->in_offset[1] = -p1.zero_point;
  q->out_offset = po.zero_point;
  const float real = p0.scale / (p1.scale * po.scale); /* in float */
  pl_q_multiplier(real, &q->out_mult, &q->out_shift);
  return kTfLiteOk;
}

/* gemmlowp's saturating multiply by 2^e (e > 0) of a raw int32. */
static int32_t binq_sat_shl(int32_t x, int e) {
  const int32_t threshold = (int32_t)((1u << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return pl_q_shift_left(x, e);
}

/* 1 / (1 + a) for a in [0, 1) (Q0.31 in, Q0.31 out): gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1, three Newton-Raphson steps in Q2.29
 * from the initial guess 48/17 - 32/17 d, d = (1 + a) / 2. */
static int32_t binq_reciprocal_q31(int32_t a) {
  int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_17 = 1515870810, cneg32_17 = -1010580540;
  const int32_t one_q2 = 1 << 29;
  int32_t x = (int32_t)((uint32_t)c48_17 +
                        (uint32_t)pl_q_high_mul(half_denominator, cneg32_17));
  for (int i = 0; i < 3; ++i) {
    const int32_t hdx = pl_q_high_mul(half_denominator, x);
    const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)hdx);
    x = (int32_t)((uint32_t)x +
                  (uint32_t)binq_sat_shl(pl_q_high_mul(x, one_minus), 2));
  }
  /* x / 2 exactly (Q2.29 read as Q1.30), then rescaled to Q0.31. */
  return binq_sat_shl(x, 1);
}

/* Leading sign bits of x beyond the first (GCC's __builtin_clrsb; 31 for
 * 0 and -1). */
static int binq_clrsb(int32_t x) { return __builtin_clrsb(x); }

int32_t pl_binq_div(const PlBinQuant* q, int32_t x, int32_t y) {
  int32_t a = x + q->in_offset[0];
  int32_t b = y + q->in_offset[1];
  if (b < 0) {
    a = -a;
    b = -b;
  }
  /* The reciprocal of b as a Q0.31 mantissa and an exponent. */
  const int headroom_plus_one = __builtin_clz((uint32_t)b);
  const int recip_shift = 31 - headroom_plus_one;
  const int32_t shifted_minus_one =
      (int32_t)(((uint32_t)b << headroom_plus_one) - (1u << 31));
  const int32_t inv = binq_reciprocal_q31(shifted_minus_one);
  const int headroom = binq_clrsb(a);
  const int32_t unscaled = pl_q_mul_big(a, inv, headroom);
  const int total_shift = q->out_shift - recip_shift - headroom;
  return pl_q_clamp(pl_q_add(pl_q_mul(unscaled, q->out_mult, total_shift),
                             q->out_offset),
                    q->lo, q->hi);
}

TfLiteStatus pl_binq_prepare_compare(PlSubgraph* sg, const char* op,
                                     const TfLiteTensor* const* in,
                                     PlBinQuant* q) {
  for (int k = 0; k < 2; ++k) {
    const PlQuantParams p = pl_q_params(in[k]);
    q->in_offset[k] = -p.zero_point;
    pl_q_multiplier(p.scale, &q->in_mult[k], &q->in_shift[k]);
    /* LiteRT applies these with a right shift only; a scale >= 1 makes it
     * shift by a negative amount, whose result is undefined (on x86 every
     * value collapses to +-1). */
    if (q->in_shift[k] > 0) {
      pl_report(sg, "%s: input %d has scale %g; quantized comparisons "
                "support scales below 1 only (LiteRT's reference kernel has "
                "no defined result for larger ones).", op, k,
                (double)p.scale);
      return kTfLiteError;
    }
  }
  q->left_shift = 8;
  return kTfLiteOk;
}

/* ---- Rows of ADD, SUB, MUL, SQUARED_DIFFERENCE -------------------------- */

/* BINQ_MUL_NARROW is MUL when its lanes may take the short rounding shift
 * (binq_lanes_ok says when). */
typedef enum {
  BINQ_ADD,
  BINQ_SUB,
  BINQ_MUL,
  BINQ_MUL_NARROW,
  BINQ_SQDIFF
} BinqKind;
typedef enum { BINQ_I8, BINQ_U8, BINQ_I16 } BinqType;

static inline int32_t binq_scalar(BinqKind kind, const PlBinQuant* q,
                                  int32_t x, int32_t y) {
  switch (kind) {
    case BINQ_ADD: return pl_binq_add(q, x, y);
    case BINQ_SUB: return pl_binq_sub(q, x, y);
    case BINQ_MUL:
    case BINQ_MUL_NARROW: return pl_binq_mul(q, x, y);
    default: return pl_binq_sqdiff(q, x, y);
  }
}

static inline int32_t binq_load(BinqType type, const void* p, int64_t i) {
  switch (type) {
    case BINQ_I8: return ((const int8_t*)p)[i];
    case BINQ_U8: return ((const uint8_t*)p)[i];
    default: return ((const int16_t*)p)[i];
  }
}

static inline void binq_store(BinqType type, void* p, int64_t i, int32_t v) {
  switch (type) {
    case BINQ_I8: ((int8_t*)p)[i] = (int8_t)v; break;
    case BINQ_U8: ((uint8_t*)p)[i] = (uint8_t)v; break;
    default: ((int16_t*)p)[i] = (int16_t)v; break;
  }
}

#ifdef PL_BINQ_X86
#define PL_BINQ_AVX2 __attribute__((target("avx2")))
#define PL_BINQ_AVX2_INLINE \
  static inline __attribute__((always_inline, target("avx2")))

/* Whether the lanes reproduce pl_q_mul(., multiplier, shift) exactly: the
 * saturating case of the high multiply needs a multiplier of INT32_MIN,
 * and right shifts beyond 31 follow x86's count masking only in scalar. */
static inline bool binq_lane_mul_ok(int32_t multiplier, int shift) {
  return multiplier != INT32_MIN && shift >= -31;
}

/* Whether the vector rows apply to q: multipliers and shifts as above, and
 * a clamp range that is not empty and lies within the stored type (the
 * narrowing packs saturate, where the scalar store truncates). */
static inline bool binq_lanes_ok(BinqKind kind, BinqType type,
                                 const PlBinQuant* q) {
  const int32_t tlo = type == BINQ_I8 ? -128 : type == BINQ_U8 ? 0 : -32768;
  const int32_t thi = type == BINQ_I8 ? 127 : type == BINQ_U8 ? 255 : 32767;
  if (!(tlo <= q->lo && q->lo <= q->hi && q->hi <= thi)) return false;
  if (!binq_lane_mul_ok(q->out_mult, q->out_shift)) return false;
  if (kind == BINQ_MUL_NARROW) {
    /* The high product plus the rounding terms of a right shift r >= 1
     * stay inside int32: 8-bit values with offsets within +-255 keep
     * |product| below 2^18; int16 values with offsets of 0 keep it at
     * most 2^30, leaving room for 2^(r-1) up to r = 30. */
    if (type == BINQ_I16)
      return q->in_offset[0] == 0 && q->in_offset[1] == 0 &&
             q->out_shift <= -1 && q->out_shift >= -30;
    return q->out_shift <= -1 && q->in_offset[0] >= -255 &&
           q->in_offset[0] <= 255 && q->in_offset[1] >= -255 &&
           q->in_offset[1] <= 255;
  }
  return kind == BINQ_MUL ||
         (binq_lane_mul_ok(q->in_mult[0], q->in_shift[0]) &&
          binq_lane_mul_ok(q->in_mult[1], q->in_shift[1]));
}

/* pl_q_mul by one multiplier and shift, prepared for 8 lanes. */
typedef struct BinqLaneMul {
  __m256i multiplier;
  __m128i left, right; /* shift counts */
  __m256i mask, half;  /* 2^right - 1 and its half, for the rounding */
  __m256i nudge;       /* 2^(right - 1), for right >= 1 */
} BinqLaneMul;

PL_BINQ_AVX2_INLINE BinqLaneMul binq_lane_mul(int32_t multiplier,
                                              int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int32_t mask = (int32_t)(((int64_t)1 << right) - 1);
  BinqLaneMul m;
  m.multiplier = _mm256_set1_epi32(multiplier);
  m.left = _mm_cvtsi32_si128(left & 31);
  m.right = _mm_cvtsi32_si128(right);
  m.mask = _mm256_set1_epi32(mask);
  m.half = _mm256_set1_epi32(mask >> 1);
  m.nudge = _mm256_set1_epi32(
      right >= 1 && right <= 31 ? (int32_t)1 << (right - 1) : 0);
  return m;
}

/* pl_q_mul on 8 lanes. The high multiply: with the nudge by sign and the
 * truncating division, round(a b / 2^31) is (a b + 2^30) >> 31 (floor) for
 * every product, whose low 32 bits a logical 64-bit shift gives; the odd
 * lanes' products are shifted left by one instead, leaving those bits in
 * the upper halves. The rounding shift: the remainder against half the
 * divisor, plus one for negative values (ties away from zero). */
PL_BINQ_AVX2_INLINE __m256i binq_lane_high_mul(const BinqLaneMul* m,
                                               __m256i xs) {
  const __m256i round = _mm256_set1_epi64x((int64_t)1 << 30);
  const __m256i even = _mm256_srli_epi64(
      _mm256_add_epi64(_mm256_mul_epi32(xs, m->multiplier), round), 31);
  const __m256i odd = _mm256_slli_epi64(
      _mm256_add_epi64(
          _mm256_mul_epi32(_mm256_srli_epi64(xs, 32), m->multiplier), round),
      1);
  return _mm256_blend_epi32(even, odd, 0xAA);
}

PL_BINQ_AVX2_INLINE __m256i binq_lane_apply(const BinqLaneMul* m, __m256i x) {
  const __m256i v = binq_lane_high_mul(m, _mm256_sll_epi32(x, m->left));
  const __m256i remainder = _mm256_and_si256(v, m->mask);
  const __m256i threshold = _mm256_sub_epi32(m->half, _mm256_srai_epi32(v, 31));
  return _mm256_sub_epi32(_mm256_sra_epi32(v, m->right),
                          _mm256_cmpgt_epi32(remainder, threshold));
}

/* binq_lane_apply for no left shift and a right shift r >= 1, where the
 * high product v leaves room for 2^(r-1) in int32: the rounding shift is
 * then (v + 2^(r-1) - [v < 0]) >> r (the remainder test folded into the
 * carry). */
PL_BINQ_AVX2_INLINE __m256i binq_lane_apply_narrow(const BinqLaneMul* m,
                                                   __m256i x) {
  const __m256i v = binq_lane_high_mul(m, x);
  return _mm256_sra_epi32(
      _mm256_add_epi32(_mm256_add_epi32(v, m->nudge), _mm256_srai_epi32(v, 31)),
      m->right);
}

PL_BINQ_AVX2_INLINE __m256i binq_lane_load(BinqType type, const void* p,
                                           int64_t i) {
  switch (type) {
    case BINQ_I8:
      return _mm256_cvtepi8_epi32(
          _mm_loadl_epi64((const __m128i*)((const int8_t*)p + i)));
    case BINQ_U8:
      return _mm256_cvtepu8_epi32(
          _mm_loadl_epi64((const __m128i*)((const uint8_t*)p + i)));
    default:
      return _mm256_cvtepi16_epi32(
          _mm_loadu_si128((const __m128i*)((const int16_t*)p + i)));
  }
}

/* Stores 8 lanes already within the type's range. */
PL_BINQ_AVX2_INLINE void binq_lane_store(BinqType type, void* p, int64_t i,
                                         __m256i v) {
  const __m128i v16 = _mm_packs_epi32(_mm256_castsi256_si128(v),
                                      _mm256_extracti128_si256(v, 1));
  switch (type) {
    case BINQ_I8:
      _mm_storel_epi64((__m128i*)((int8_t*)p + i), _mm_packs_epi16(v16, v16));
      break;
    case BINQ_U8:
      _mm_storel_epi64((__m128i*)((uint8_t*)p + i),
                       _mm_packus_epi16(v16, v16));
      break;
    default:
      _mm_storeu_si128((__m128i*)((int16_t*)p + i), v16);
      break;
  }
}

/* The per-row constants of the lanes. */
typedef struct BinqLanes {
  __m256i off0, off1;
  __m128i left;
  BinqLaneMul in0, in1, outm;
  __m256i zo, lo, hi;
} BinqLanes;

PL_BINQ_AVX2_INLINE void binq_lanes_init(const PlBinQuant* q, BinqLanes* l) {
  l->off0 = _mm256_set1_epi32(q->in_offset[0]);
  l->off1 = _mm256_set1_epi32(q->in_offset[1]);
  l->left = _mm_cvtsi32_si128(q->left_shift & 31);
  l->in0 = binq_lane_mul(q->in_mult[0], q->in_shift[0]);
  l->in1 = binq_lane_mul(q->in_mult[1], q->in_shift[1]);
  l->outm = binq_lane_mul(q->out_mult, q->out_shift);
  l->zo = _mm256_set1_epi32(q->out_offset);
  l->lo = _mm256_set1_epi32(q->lo);
  l->hi = _mm256_set1_epi32(q->hi);
}

/* 8 outputs, clamped, from 8 stored values of each input. */
PL_BINQ_AVX2_INLINE __m256i binq_lanes_eval(BinqKind kind,
                                            const BinqLanes* l, __m256i x,
                                            __m256i y) {
  x = _mm256_add_epi32(x, l->off0);
  y = _mm256_add_epi32(y, l->off1);
  __m256i raw;
  if (kind == BINQ_MUL || kind == BINQ_MUL_NARROW) {
    raw = _mm256_mullo_epi32(x, y);
  } else {
    const __m256i sx = binq_lane_apply(&l->in0, _mm256_sll_epi32(x, l->left));
    const __m256i sy = binq_lane_apply(&l->in1, _mm256_sll_epi32(y, l->left));
    raw = kind == BINQ_ADD ? _mm256_add_epi32(sx, sy)
                           : _mm256_sub_epi32(sx, sy);
    if (kind == BINQ_SQDIFF) raw = _mm256_mullo_epi32(raw, raw);
  }
  const __m256i v = _mm256_add_epi32(
      kind == BINQ_MUL_NARROW ? binq_lane_apply_narrow(&l->outm, raw)
                              : binq_lane_apply(&l->outm, raw),
      l->zo);
  return _mm256_min_epi32(_mm256_max_epi32(v, l->lo), l->hi);
}

/* Stores 16 lanes (a then b) already within the type's range: one pack
 * pass, then the 32-bit groups put back in order. */
PL_BINQ_AVX2_INLINE void binq_lane_store16(BinqType type, void* p, int64_t i,
                                           __m256i a, __m256i b) {
  const __m256i v16 = _mm256_packs_epi32(a, b); /* a0-3 b0-3 | a4-7 b4-7 */
  if (type == BINQ_I16) {
    _mm256_storeu_si256((__m256i*)((int16_t*)p + i),
                        _mm256_permute4x64_epi64(v16, 0xD8));
    return;
  }
  const __m256i v8 = type == BINQ_I8 ? _mm256_packs_epi16(v16, v16)
                                     : _mm256_packus_epi16(v16, v16);
  const __m256i ordered =
      _mm256_permutevar8x32_epi32(v8, _mm256_setr_epi32(0, 4, 1, 5, 0, 4, 1, 5));
  _mm_storeu_si128((__m128i*)((uint8_t*)p + i),
                   _mm256_castsi256_si128(ordered));
}

/* The vector part of a row: elements [0, n - n % 8), 16 at a time, then
 * 8. An input with step 0 is one value, broadcast. */
PL_BINQ_AVX2_INLINE int64_t binq_row_avx2(BinqKind kind, BinqType type,
                                          void* out, const void* const* in,
                                          const int64_t* step, int64_t n,
                                          const PlBinQuant* q) {
  if (n < 8) return 0;
  BinqLanes l;
  binq_lanes_init(q, &l);
  const __m256i x0 = _mm256_set1_epi32(binq_load(type, in[0], 0));
  const __m256i y0 = _mm256_set1_epi32(binq_load(type, in[1], 0));
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i a = binq_lanes_eval(
        kind, &l, step[0] ? binq_lane_load(type, in[0], i) : x0,
        step[1] ? binq_lane_load(type, in[1], i) : y0);
    const __m256i b = binq_lanes_eval(
        kind, &l, step[0] ? binq_lane_load(type, in[0], i + 8) : x0,
        step[1] ? binq_lane_load(type, in[1], i + 8) : y0);
    binq_lane_store16(type, out, i, a, b);
  }
  for (; i + 8 <= n; i += 8) {
    binq_lane_store(type, out, i,
                    binq_lanes_eval(
                        kind, &l, step[0] ? binq_lane_load(type, in[0], i) : x0,
                        step[1] ? binq_lane_load(type, in[1], i) : y0));
  }
  return i;
}

/* ADD, SUB, MUL and SQUARED_DIFFERENCE on 16 lanes with AVX-512 (pl_q_mul16: the same integer
 * steps as pl_q_mul), for the shifts pl_q_multiplier makes (at most 31
 * either way). */
#include "capi/kernels/internal/quant_avx512.h"

#define PL_BINQ_AVX512 __attribute__((target("avx2,avx512f,avx512vl,avx512bw")))
#define PL_BINQ_AVX512_INLINE \
  static inline __attribute__((always_inline,        \
                               target("avx2,avx512f,avx512vl,avx512bw")))

static inline bool binq_lanes16_ok(BinqKind kind, BinqType type,
                                   const PlBinQuant* q) {
  if (kind == BINQ_MUL)
    return binq_lanes_ok(kind, type, q) && q->out_shift <= 31;
  return (kind == BINQ_ADD || kind == BINQ_SUB || kind == BINQ_SQDIFF) &&
         binq_lanes_ok(kind, type, q) && q->in_shift[0] <= 31 &&
         q->in_shift[1] <= 31 && q->out_shift <= 31;
}

PL_BINQ_AVX512_INLINE __m512i binq_load16(BinqType type, const void* p,
                                          int64_t i) {
  switch (type) {
    case BINQ_I8:
      return _mm512_cvtepi8_epi32(
          _mm_loadu_si128((const __m128i*)((const int8_t*)p + i)));
    case BINQ_U8:
      return _mm512_cvtepu8_epi32(
          _mm_loadu_si128((const __m128i*)((const uint8_t*)p + i)));
    default:
      return _mm512_cvtepi16_epi32(
          _mm256_loadu_si256((const __m256i*)((const int16_t*)p + i)));
  }
}

/* Stores 16 lanes already within the type's range. */
PL_BINQ_AVX512_INLINE void binq_store16(BinqType type, void* p, int64_t i,
                                        __m512i v) {
  if (type == BINQ_I16)
    _mm256_storeu_si256((__m256i*)((int16_t*)p + i), _mm512_cvtepi32_epi16(v));
  else
    _mm_storeu_si128((__m128i*)((uint8_t*)p + i), _mm512_cvtepi32_epi8(v));
}

/* The vector part of a row: elements [0, n - n % 16). An input with step 0
 * is one value, broadcast. */
PL_BINQ_AVX512_INLINE int64_t binq_row_avx512(BinqKind kind, BinqType type,
                                              void* out,
                                              const void* const* in,
                                              const int64_t* step, int64_t n,
                                              const PlBinQuant* q) {
  const __m512i off0 = _mm512_set1_epi32(q->in_offset[0]);
  const __m512i off1 = _mm512_set1_epi32(q->in_offset[1]);
  const __m128i left = _mm_cvtsi32_si128(q->left_shift & 31);
  /* MUL has no input multipliers. */
  const bool scale_in = kind != BINQ_MUL;
  const PlQMul16 m0 = pl_q_mul16_uniform(scale_in ? q->in_mult[0] : 0,
                                         scale_in ? q->in_shift[0] : 0);
  const PlQMul16 m1 = pl_q_mul16_uniform(scale_in ? q->in_mult[1] : 0,
                                         scale_in ? q->in_shift[1] : 0);
  const PlQMul16 mo = pl_q_mul16_uniform(q->out_mult, q->out_shift);
  const __m512i zo = _mm512_set1_epi32(q->out_offset);
  const __m512i lo = _mm512_set1_epi32(q->lo), hi = _mm512_set1_epi32(q->hi);
  const __m512i x0 = _mm512_set1_epi32(binq_load(type, in[0], 0));
  const __m512i y0 = _mm512_set1_epi32(binq_load(type, in[1], 0));
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512i x = step[0] ? binq_load16(type, in[0], i) : x0;
    const __m512i y = step[1] ? binq_load16(type, in[1], i) : y0;
    __m512i raw;
    if (kind == BINQ_MUL) {
      raw = _mm512_mullo_epi32(_mm512_add_epi32(x, off0),
                               _mm512_add_epi32(y, off1));
    } else {
      const __m512i sx =
          pl_q_mul16(_mm512_sll_epi32(_mm512_add_epi32(x, off0), left), &m0);
      const __m512i sy =
          pl_q_mul16(_mm512_sll_epi32(_mm512_add_epi32(y, off1), left), &m1);
      raw = kind == BINQ_ADD ? _mm512_add_epi32(sx, sy)
                             : _mm512_sub_epi32(sx, sy);
      if (kind == BINQ_SQDIFF) raw = _mm512_mullo_epi32(raw, raw);
    }
    const __m512i v = _mm512_add_epi32(pl_q_mul16(raw, &mo), zo);
    binq_store16(type, out, i, _mm512_min_epi32(_mm512_max_epi32(v, lo), hi));
  }
  return i;
}
#endif /* PL_BINQ_X86 */

/* Elements [from, n) of a row, one at a time. */
static inline void binq_row_scalar(BinqKind kind, BinqType type, void* out,
                                   const void* const* in, const int64_t* step,
                                   int64_t n, const PlBinQuant* q,
                                   int64_t from) {
  for (int64_t i = from; i < n; ++i)
    binq_store(type, out, i,
               binq_scalar(kind, q, binq_load(type, in[0], i * step[0]),
                           binq_load(type, in[1], i * step[1])));
}

/* BINQ_ROW(NAME, KIND, TYPE) defines the row NAME: the AVX2 part
 * (NAME_avx2) when it applies, then the scalar remainder. BINQ_ROW_MUL
 * first tries MUL's narrow lanes (NAME_narrow_avx2). */
#ifdef PL_BINQ_X86
#define BINQ_ROW_AVX2(NAME, KIND, TYPE)                                    \
  PL_BINQ_AVX2 static int64_t NAME##_avx2(void* out, const void* const* in, \
                                          const int64_t* step, int64_t n,  \
                                          const PlBinQuant* q) {           \
    return binq_row_avx2(KIND, TYPE, out, in, step, n, q);                 \
  }
#define BINQ_TRY(NAME, KIND, TYPE)                                    \
  if (!tried && pl_simd_avx2() && binq_lanes_ok(KIND, TYPE, q)) {     \
    from = NAME##_avx2(out, in, step, n, q);                          \
    tried = true;                                                     \
  }
#define BINQ_ROW_AVX512(NAME, KIND, TYPE)                                   \
  PL_BINQ_AVX512 static int64_t NAME##_avx512(                              \
      void* out, const void* const* in, const int64_t* step, int64_t n,     \
      const PlBinQuant* q) {                                                \
    return binq_row_avx512(KIND, TYPE, out, in, step, n, q);               \
  }
#define BINQ_TRY512(NAME, KIND, TYPE)                                       \
  if (n >= 16 && pl_simd_avx512() && binq_lanes16_ok(KIND, TYPE, q)) {      \
    from = NAME##_avx512(out, in, step, n, q);                              \
    tried = true;                                                           \
  }
#else
#define BINQ_ROW_AVX2(NAME, KIND, TYPE)
#define BINQ_TRY(NAME, KIND, TYPE)
#define BINQ_ROW_AVX512(NAME, KIND, TYPE)
#define BINQ_TRY512(NAME, KIND, TYPE)
#endif

#define BINQ_ROW_BEGIN(NAME)                                               \
  void NAME(void* out, const void* const* in, const int64_t* step,         \
            int64_t n, const void* ctx) {                                  \
    const PlBinQuant* q = ctx;                                             \
    int64_t from = 0;                                                      \
    bool tried = false;
#define BINQ_ROW_END(KIND, TYPE)                                           \
    (void)tried;                                                           \
    binq_row_scalar(KIND, TYPE, out, in, step, n, q, from);                \
  }

#define BINQ_ROW(NAME, KIND, TYPE)                                         \
  BINQ_ROW_AVX2(NAME, KIND, TYPE)                                          \
  BINQ_ROW_BEGIN(NAME)                                                     \
  BINQ_TRY(NAME, KIND, TYPE)                                               \
  BINQ_ROW_END(KIND, TYPE)

/* ADD, SUB and SQUARED_DIFFERENCE try AVX-512 first (its remainder, under
 * 16, is scalar); so does MUL (BINQ_ROW_MUL). */
#define BINQ_ROW_ADDSUB(NAME, KIND, TYPE)                                  \
  BINQ_ROW_AVX512(NAME, KIND, TYPE)                                        \
  BINQ_ROW_AVX2(NAME, KIND, TYPE)                                          \
  BINQ_ROW_BEGIN(NAME)                                                     \
  BINQ_TRY512(NAME, KIND, TYPE)                                            \
  BINQ_TRY(NAME, KIND, TYPE)                                               \
  BINQ_ROW_END(KIND, TYPE)

#define BINQ_ROW_MUL(NAME, TYPE)                                          \
  BINQ_ROW_AVX512(NAME, BINQ_MUL, TYPE)                                    \
  BINQ_ROW_AVX2(NAME##_narrow, BINQ_MUL_NARROW, TYPE)                      \
  BINQ_ROW_AVX2(NAME, BINQ_MUL, TYPE)                                      \
  BINQ_ROW_BEGIN(NAME)                                                     \
  BINQ_TRY512(NAME, BINQ_MUL, TYPE)                                        \
  BINQ_TRY(NAME##_narrow, BINQ_MUL_NARROW, TYPE)                           \
  BINQ_TRY(NAME, BINQ_MUL, TYPE)                                           \
  BINQ_ROW_END(BINQ_MUL, TYPE)

BINQ_ROW_ADDSUB(pl_binq_row_add_i8, BINQ_ADD, BINQ_I8)
BINQ_ROW_ADDSUB(pl_binq_row_add_u8, BINQ_ADD, BINQ_U8)
BINQ_ROW_ADDSUB(pl_binq_row_add_i16, BINQ_ADD, BINQ_I16)
BINQ_ROW_ADDSUB(pl_binq_row_sub_i8, BINQ_SUB, BINQ_I8)
BINQ_ROW_ADDSUB(pl_binq_row_sub_u8, BINQ_SUB, BINQ_U8)
BINQ_ROW_ADDSUB(pl_binq_row_sub_i16, BINQ_SUB, BINQ_I16)
BINQ_ROW_MUL(pl_binq_row_mul_i8, BINQ_I8)
BINQ_ROW_MUL(pl_binq_row_mul_u8, BINQ_U8)
BINQ_ROW_MUL(pl_binq_row_mul_i16, BINQ_I16)
BINQ_ROW_ADDSUB(pl_binq_row_sqdiff_i8, BINQ_SQDIFF, BINQ_I8)

/* ---- Parallel eval ---------------------------------------------------------- */

/* Output elements per parallel task: small ops stay on one thread. */
enum { kBinqSpan = 16384 };

typedef struct BinqRun {
  PlBcast plan; /* count >= 1 */
  const char* in[2];
  size_t in_elem, out_elem;
  char* out;
  PlBinRowFn row;
  const PlBinQuant* q;
  int64_t total;
} BinqRun;

/* The tile (on the stack) of copies of a short repeated row. */
enum { kBinqTileBytes = 2048 };

/* Which input is a short row repeated along loop 1 while the other runs
 * on contiguously across it (a per-channel vector against pixels): its
 * rows then go to the row function several at a time, against a tile of
 * copies of the repeated row. -1 if neither. */
static int binq_repeated_input(const PlBcast* p, size_t in_elem) {
  if (p->count < 2 || p->stride[0][0] != 1 || p->stride[1][0] != 1)
    return -1;
  const int64_t n = p->extent[0];
  if (n * 2 * (int64_t)in_elem > kBinqTileBytes) return -1;
  for (int k = 0; k < 2; ++k)
    if (p->stride[k][1] == 0 && p->stride[1 - k][1] == n) return k;
  return -1;
}

/* Moves the walk `rows` rows on (rows >= 1, without leaving loop 1 before
 * its last step): loop 1 jumps, then the last step may carry outward. */
static void binq_next_rows(const PlBcast* p, int64_t rows, int64_t* index,
                           int64_t* off) {
  if (p->count < 2) return;
  index[1] += rows - 1;
  for (int k = 0; k < 2; ++k) off[k] += (rows - 1) * p->stride[k][1];
  for (int l = 1; l < p->count; ++l) {
    for (int k = 0; k < 2; ++k) off[k] += p->stride[k][l];
    if (++index[l] < p->extent[l]) break;
    for (int k = 0; k < 2; ++k) off[k] -= p->stride[k][l] * p->extent[l];
    index[l] = 0;
  }
}

/* Tasks [begin, end): output elements [begin, end) * kBinqSpan. The walk
 * of pl_bcast_walk, entered at the row and column of the first element;
 * whole rows against a repeated short row go several per call. */
static void binq_run_spans(void* ctx, int64_t begin, int64_t end,
                           int worker) {
  (void)worker;
  const BinqRun* r = ctx;
  const PlBcast* p = &r->plan;
  int64_t e = begin * kBinqSpan;
  const int64_t e_end =
      end * kBinqSpan < r->total ? end * kBinqSpan : r->total;
  const int64_t n = p->extent[0];
  int64_t index[PL_MAX_RANK] = {0};
  int64_t off[2] = {0, 0};
  int64_t row = e / n, col = e % n;
  for (int l = 1; l < p->count; ++l) {
    index[l] = row % p->extent[l];
    row /= p->extent[l];
    for (int k = 0; k < 2; ++k) off[k] += index[l] * p->stride[k][l];
  }
  const int64_t step[2] = {p->stride[0][0], p->stride[1][0]};
  const int rep = binq_repeated_input(p, r->in_elem);
  const size_t row_bytes = (size_t)n * r->in_elem;
  const int64_t tile_rows = rep < 0 ? 1 : kBinqTileBytes / (int64_t)row_bytes;
  _Alignas(32) char tile[kBinqTileBytes];
  /* The repeated row the tile holds copies of, and how many (only as many
   * as a call needs: loop 1 may be short while the outer loops are long). */
  int64_t tile_off = -1, tile_filled = 0;
  while (e < e_end) {
    int64_t rows = 1;
    if (rep >= 0 && col == 0) {
      rows = p->extent[1] - index[1];
      rows = rows < tile_rows ? rows : tile_rows;
      rows = rows < (e_end - e) / n ? rows : (e_end - e) / n;
      if (rows < 1) rows = 1;
    }
    const int64_t len = rows > 1 ? rows * n : (n - col < e_end - e ? n - col
                                                               : e_end - e);
    const void* in[2];
    for (int k = 0; k < 2; ++k)
      in[k] = r->in[k] + (off[k] + col * step[k]) * (int64_t)r->in_elem;
    if (rows > 1) {
      if (tile_off != off[rep]) {
        tile_off = off[rep];
        tile_filled = 0;
      }
      for (; tile_filled < rows; ++tile_filled)
        memcpy(tile + tile_filled * row_bytes, in[rep], row_bytes);
      in[rep] = tile;
    }
    r->row(r->out + e * (int64_t)r->out_elem, in, step, len, r->q);
    e += len;
    col = 0;
    binq_next_rows(p, rows, index, off);
  }
}

/* A quantized swish (binary.h): its table over x, in spans on the
 * threads. */
typedef struct SwishLookup {
  const PlBinaryData* data;
  const uint8_t* x;
  uint8_t* y;
  int64_t n;
} SwishLookup;

static void swish_lookup_spans(void* ctx, int64_t begin, int64_t end,
                               int worker) {
  (void)worker;
  const SwishLookup* s = ctx;
  const int64_t from = begin * kBinqSpan;
  const int64_t to = end * kBinqSpan < s->n ? end * kBinqSpan : s->n;
  pl_q_lut8_apply(s->data->swish_lut, s->data->swish_shuffle, s->x + from,
                  s->y + from, to - from);
}

static void swish_lookup(PlSubgraph* sg, const PlBinaryData* data,
                         const TfLiteTensor* x, TfLiteTensor* output) {
  SwishLookup s = {data, (const uint8_t*)x->data.raw_const,
                   (uint8_t*)output->data.raw, pl_num_elements(output)};
  pl_parallel_for_cost(sg, (s.n + kBinqSpan - 1) / kBinqSpan, kBinqSpan / 8,
                       swish_lookup_spans, &s);
}

TfLiteStatus pl_binq_eval(PlSubgraph* sg, PlNode* node,
                          const PlBinaryOp* op) {
  const PlBinaryData* data = node->user_data;
  if (!data || !data->quant) return pl_binary_eval(sg, node, op);
  const TfLiteTensor* in[2] = {pl_input(sg, node, 0), pl_input(sg, node, 1)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  int dims[PL_MAX_RANK];
  int rank = 0;
  PL_ENSURE_OK(pl_bin_eval_shape(sg, op->name, 2, in, output, dims, &rank));
  BinqRun run = {
      .in = {in[0]->data.raw_const, in[1]->data.raw_const},
      .in_elem = pl_bin_elem_size(in[0]->type),
      .out_elem = pl_bin_elem_size(output->type),
      .out = output->data.raw,
      .row = data->qrow,
      .q = &data->q,
  };
  if (data->swish_x >= 0) {
    swish_lookup(sg, data, in[data->swish_x], output);
    return kTfLiteOk;
  }
  const TfLiteIntArray* d[2] = {in[0]->dims, in[1]->dims};
  if (!pl_bcast_plan(&run.plan, 2, d, dims, rank)) return kTfLiteOk;
  if (run.plan.count == 0) { /* a single element */
    run.plan.count = 1;
    run.plan.extent[0] = 1;
    run.plan.stride[0][0] = run.plan.stride[1][0] = 0;
  }
  run.total = 1;
  for (int l = 0; l < run.plan.count; ++l) run.total *= run.plan.extent[l];
  pl_parallel_for(sg, (run.total + kBinqSpan - 1) / kBinqSpan,
                  binq_run_spans, &run);
  return kTfLiteOk;
}
