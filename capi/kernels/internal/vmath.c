/* pylite: vectorized float32 math (see vmath.h). */
#include "capi/kernels/internal/vmath.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "capi/kernels/internal/simd.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_VMATH_X86 1
#include <immintrin.h>
#endif

/* exp(t) = 2^k * exp(r): k = round(t * log2(e)), done by adding 1.5 * 2^23
 * + 127 (the sum rounds to an integer, and its low bits then hold k + 127,
 * the exponent field of 2^k); r = t - k * ln2 in two fused steps (Cody and
 * Waite); exp(r) for |r| <= ln2 / 2 by a degree-6 polynomial (fitted for
 * this code: relative minimax, within 0.53 ulp in float32 with its final
 * rounding). 2^k is applied as two factors, so that results in the
 * subnormals round once and large ones overflow to inf; where the result
 * is a normal number one factor gives the same bits (the scalings are
 * exact), which the AVX2 path uses when a whole block allows it. t is
 * first clamped to [kExpLo, kExpHi], beyond which exp rounds to 0 and to
 * inf; NaN stays NaN. */
static const float kExpMagic = 12583039.0f; /* 1.5 * 2^23 + 127 */
static const float kLog2e = 1.44269504088896341f;
static const float kLn2Hi = 0.693147182464599609375f; /* ln 2 in float */
static const float kLn2Lo = -1.904654323148236e-09f;  /* ln 2 - kLn2Hi */
static const float kExpLo = -104.0f;
static const float kExpHi = 89.0f;
static const float kExpP[7] = {1.0f,
                               1.0f,
                               0.49999988079071045f,
                               0.166665181517601f,
                               0.041669487953186035f,
                               0.008368910290300846f,
                               0.0013753952225670218f};

/* Logistic cut-offs of TFLite's reference kernel. */
static const float kSigHi = 16.619047164916992188f;
static const float kSigLo = -9.0f;

/* Polynomials in Horner form with fused multiply-adds (fmaf rounds once,
 * as the AVX2 instruction does). */
static float horner(const float* c, int last, float t) {
  float p = c[last];
  for (int i = last - 1; i >= 0; --i) p = fmaf(p, t, c[i]);
  return p;
}

static float float_of_bits(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

static float exp_one(float x) {
  float t = x < kExpLo ? kExpLo : x; /* NaN stays */
  t = t > kExpHi ? kExpHi : t;
  const float kf = fmaf(t, kLog2e, kExpMagic);
  const float k = kf - kExpMagic;
  float r = fmaf(k, -kLn2Hi, t);
  r = fmaf(k, -kLn2Lo, r);
  const float p = horner(kExpP, 6, r);
  uint32_t bits, magic_bits;
  memcpy(&bits, &kf, sizeof(bits));
  memcpy(&magic_bits, &kExpMagic, sizeof(magic_bits));
  const int32_t ki = (int32_t)(bits - magic_bits);
  const int32_t half = ki >> 1; /* arithmetic, as _mm256_srai_epi32 */
  const float s1 = float_of_bits((uint32_t)(half + 127) << 23);
  const float s2 = float_of_bits((uint32_t)(ki - half + 127) << 23);
  return p * s1 * s2;
}

/* TFLite's formula: 1 / (1 + exp(-x)) between the cut-offs, exp(x) below
 * the lower one, 1 above the upper one. */
static float logistic_one(float x) {
  const bool low = x < kSigLo;
  const float e = exp_one(low ? x : -x);
  const float s = 1.0f / (1.0f + e);
  if (low) return e;
  return x > kSigHi ? 1.0f : s;
}

/* x * logistic(x), clamped as binary.h's pl_bin_clamp_f32; a NaN x is the
 * result itself (which of two NaN operands a product keeps is up to the
 * compiler). */
static float swish_one(float x, float lo, float hi) {
  if (isnan(x)) return x;
  float p = x * logistic_one(x);
  p = p < lo ? lo : p;
  return hi < p ? hi : p;
}

/* erf(a), a = |x|: a * P(a^2) below 1; 1 - erfc(a) below 4 (erf rounds
 * to 1 in float32 from 3.92); 1 above. erfc(a) for a >= 1 is
 * exp(-a^2) * Q(1 / (1 + a)), Q fitting erfc(a) * exp(a^2) over [1, 12].
 * Coefficients fitted for this code (weighted least squares on Chebyshev
 * nodes; in float32, P is within 2 ulp and Q within 2.5e-7 relative). */
static const float kErfP[8] = {1.128379225730896f,    -0.37612637877464294f,
                               0.11283783614635468f,  -0.02686547487974167f,
                               0.005221138708293438f, -0.0008485438884235919f,
                               0.0001127473806263879f, -9.689741091278847e-06f};
static const float kErfcQ[13] = {
    -1.8805808110755606e-07f, 0.5642019510269165f, 0.5638335347175598f,
    0.28803303837776184f,     -0.3456399440765381f, -0.24922126531600952f,
    -2.3542206287384033f,     8.660664558410645f,   -10.9493408203125f,
    3.555455207824707f,       5.5977606773376465f,  -6.338127613067627f,
    2.0031168460845947f};
/* Beyond this a, erfc(a) is below float32's normal range: 0 here. */
static const float kErfcZero = 9.2f;
/* tanh(a): a * T(a^2) below 0.625; 1 - 2 / (exp(2a) + 1) below 9; 1. */
static const float kTanhT[7] = {1.0f,
                                -0.3333333134651184f,
                                0.1333320140838623f,
                                -0.05394650623202324f,
                                0.021699897944927216f,
                                -0.008176164701581001f,
                                0.002142236102372408f};

/* erfc(a) for 1 <= a < kErfcZero. */
static float erfc_tail(float a) {
  const float t = 1.0f / (1.0f + a);
  return exp_one(-(a * a)) * horner(kErfcQ, 12, t);
}

static float erf_one(float x) {
  if (isnan(x)) return x;
  const float a = fabsf(x);
  float r;
  if (a < 1.0f) {
    r = a * horner(kErfP, 7, a * a);
  } else if (a < 4.0f) {
    r = 1.0f - erfc_tail(a);
  } else {
    r = 1.0f;
  }
  return copysignf(r, x);
}

/* erfc(z), from erf below |z| = 1 and from the tail above. */
static float erfc_one(float z) {
  const float a = fabsf(z);
  if (a < 1.0f) return 1.0f - z * horner(kErfP, 7, z * z);
  const float tail = a < kErfcZero ? erfc_tail(a) : 0.0f;
  return z > 0.0f ? tail : 2.0f - tail;
}

/* TFLite's float GELU formulas (see gelu.c), with erfc and tanh above. */
static const float kMinusSqrtHalf = (float)-0.70710678118654752440;
static const float kSqrt2OverPi =
    (float)(1.12837916709551257390 * 0.70710678118654752440);

static float gelu_exact_one(float x) {
  if (isnan(x)) return x;
  return 0.5f * x * erfc_one(x * kMinusSqrtHalf); /* -inf: NaN, as TFLite */
}

static float tanh_one(float x) {
  if (isnan(x)) return x;
  const float a = fabsf(x);
  float r;
  if (a < 0.625f) {
    r = a * horner(kTanhT, 6, a * a);
  } else if (a < 9.0f) {
    r = 1.0f - 2.0f / (exp_one(2.0f * a) + 1.0f);
  } else {
    r = 1.0f;
  }
  return copysignf(r, x);
}

static float gelu_approximate_one(float x) {
  if (isnan(x)) return x;
  const float inner = kSqrt2OverPi * (x + 0.044715f * (x * x * x));
  return 0.5f * x * (1.0f + tanh_one(inner));
}

/* The lane combination of the row reductions (see vmath.h), as the
 * AVX2 path does it with 128-bit halves. */
static float max2(float a, float b) { return a > b ? a : b; }
static float add2(float a, float b) { return a + b; }

static float combine_lanes(const float* l, float (*op)(float, float)) {
  const float m0 = op(l[0], l[4]), m1 = op(l[1], l[5]);
  const float m2 = op(l[2], l[6]), m3 = op(l[3], l[7]);
  return op(op(m0, m2), op(m1, m3));
}

/* The reductions over whole blocks of 8 in the portable loop; return how
 * many leading elements were done. */
static int64_t max_blocks(const float* x, int64_t n, float* m) {
  float l[8];
  for (int j = 0; j < 8; ++j) l[j] = -FLT_MAX;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) l[j] = max2(x[i + j], l[j]);
  *m = combine_lanes(l, max2);
  return i;
}

static float exp_shifted(float x, float shift, float scale) {
  return exp_one((x - shift) * scale);
}

static int64_t exp_sum_blocks(const float* x, float* y, int64_t n,
                              float shift, float scale, float* sum) {
  float l[8] = {0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) {
      const float e = exp_shifted(x[i + j], shift, scale);
      if (y) y[i + j] = e;
      l[j] += e;
    }
  }
  *sum = combine_lanes(l, add2);
  return i;
}

#ifdef PL_VMATH_X86
#define PL_AVX2 __attribute__((target("avx2,fma")))

/* Within [-kExpNormal, kExpNormal], exp is a normal number. */
static const float kExpNormal = 87.0f;

PL_AVX2 static __m256 horner8(const float* c, int last, __m256 t) {
  __m256 p = _mm256_set1_ps(c[last]);
  for (int i = last - 1; i >= 0; --i)
    p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(c[i]));
  return p;
}

/* The reduction of exp_one on 8 lanes: returns exp(r), sets *kf. */
PL_AVX2 static __m256 exp_reduce8(__m256 t, __m256* kf) {
  const __m256 magic = _mm256_set1_ps(kExpMagic);
  *kf = _mm256_fmadd_ps(t, _mm256_set1_ps(kLog2e), magic);
  const __m256 k = _mm256_sub_ps(*kf, magic);
  __m256 r = _mm256_fmadd_ps(k, _mm256_set1_ps(-kLn2Hi), t);
  r = _mm256_fmadd_ps(k, _mm256_set1_ps(-kLn2Lo), r);
  return horner8(kExpP, 6, r);
}

/* exp_one on 8 lanes, the same operations in the same order (max and min
 * keep a NaN in their second operand, as the scalar comparisons do). */
PL_AVX2 static __m256 exp8(__m256 x) {
  __m256 t = _mm256_max_ps(_mm256_set1_ps(kExpLo), x);
  t = _mm256_min_ps(_mm256_set1_ps(kExpHi), t);
  __m256 kf;
  const __m256 p = exp_reduce8(t, &kf);
  const __m256i ki = _mm256_sub_epi32(
      _mm256_castps_si256(kf),
      _mm256_castps_si256(_mm256_set1_ps(kExpMagic)));
  const __m256i half = _mm256_srai_epi32(ki, 1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 =
      _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(
      _mm256_add_epi32(_mm256_sub_epi32(ki, half), bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

/* exp8 where every lane is NaN or within +-kExpNormal: the same bits with
 * one scaling, whose exponent field the low bits of kf hold already. */
PL_AVX2 static __m256 exp8_normal(__m256 t) {
  __m256 kf;
  const __m256 p = exp_reduce8(t, &kf);
  return _mm256_mul_ps(
      p, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(kf), 23)));
}

/* Whether some lane of t is beyond +-kExpNormal (NaN is not). */
PL_AVX2 static bool beyond_normal8(__m256 t) {
  const __m256 a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), t);
  return _mm256_movemask_ps(_mm256_cmp_ps(
             a, _mm256_set1_ps(kExpNormal), _CMP_GT_OQ)) != 0;
}

/* logistic_one on 8 lanes. */
PL_AVX2 static __m256 logistic8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 low = _mm256_cmp_ps(x, _mm256_set1_ps(kSigLo), _CMP_LT_OQ);
  const __m256 t =
      _mm256_blendv_ps(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)), x, low);
  const __m256 e = beyond_normal8(t) ? exp8(t) : exp8_normal(t);
  __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, e));
  s = _mm256_blendv_ps(s, e, low);
  return _mm256_blendv_ps(
      s, one, _mm256_cmp_ps(x, _mm256_set1_ps(kSigHi), _CMP_GT_OQ));
}

/* exp8 with the one-scaling form when the block allows it. */
PL_AVX2 static __m256 exp8_any(__m256 x) {
  return beyond_normal8(x) ? exp8(x) : exp8_normal(x);
}

/* Lanes where lo <= x <= hi (false for NaN). */
PL_AVX2 static int in_range_mask(__m256 x, float lo, float hi) {
  const __m256 ok = _mm256_and_ps(
      _mm256_cmp_ps(x, _mm256_set1_ps(lo), _CMP_GE_OQ),
      _mm256_cmp_ps(x, _mm256_set1_ps(hi), _CMP_LE_OQ));
  return _mm256_movemask_ps(ok);
}

/* Whole blocks of 8 through VEC, which handles every input; returns how
 * many leading elements were done. */
#define PL_VMATH_ALL(NAME, VEC)                                       \
  PL_AVX2 static int64_t NAME(const float* x, float* y, int64_t n) { \
    int64_t i = 0;                                                    \
    for (; i + 8 <= n; i += 8)                                        \
      _mm256_storeu_ps(y + i, VEC(_mm256_loadu_ps(x + i)));           \
    return i;                                                         \
  }

PL_VMATH_ALL(exp_avx2, exp8_any)
PL_VMATH_ALL(logistic_avx2, logistic8)

/* swish_one on whole blocks of 8. */
PL_AVX2 static int64_t swish_avx2(const float* x, float* y, int64_t n,
                                  float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    __m256 p = _mm256_mul_ps(v, logistic8(v));
    p = _mm256_min_ps(vhi, _mm256_max_ps(vlo, p));
    _mm256_storeu_ps(y + i,
                     _mm256_blendv_ps(p, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
  }
  return i;
}

/* Both branches on 8 lanes, blended: each lane's result equals the scalar
 * functions' (the same operations per lane). Blocks holding NaN or
 * infinities go through the scalar functions. */
PL_AVX2 static bool all_finite8(__m256 v) {
  return in_range_mask(v, -FLT_MAX, FLT_MAX) == 0xFF;
}

/* erfc_tail on lanes with 1 <= a <= kErfcZero (others: any finite value;
 * exp's argument stays above -kExpNormal). */
PL_AVX2 static __m256 erfc_tail8(__m256 a) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 t = _mm256_div_ps(one, _mm256_add_ps(one, a));
  const __m256 e = exp8_normal(
      _mm256_xor_ps(_mm256_mul_ps(a, a), _mm256_set1_ps(-0.0f)));
  return _mm256_mul_ps(e, horner8(kErfcQ, 12, t));
}

PL_AVX2 static __m256 erf8(__m256 v) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 a = _mm256_andnot_ps(sign, v);
  const __m256 small = _mm256_cmp_ps(a, one, _CMP_LT_OQ);
  const __m256 big = _mm256_cmp_ps(a, _mm256_set1_ps(4.0f), _CMP_GE_OQ);
  const __m256 r1 = _mm256_mul_ps(a, horner8(kErfP, 7, _mm256_mul_ps(a, a)));
  const __m256 am = _mm256_min_ps(_mm256_max_ps(a, one), _mm256_set1_ps(4.0f));
  const __m256 r2 = _mm256_sub_ps(one, erfc_tail8(am));
  __m256 r = _mm256_blendv_ps(r2, r1, small);
  r = _mm256_blendv_ps(r, one, big);
  return _mm256_or_ps(r, _mm256_and_ps(v, sign));
}

PL_AVX2 static __m256 tanh8(__m256 v) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 two = _mm256_set1_ps(2.0f);
  const __m256 a = _mm256_andnot_ps(sign, v);
  const __m256 small = _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ);
  const __m256 big = _mm256_cmp_ps(a, _mm256_set1_ps(9.0f), _CMP_GE_OQ);
  const __m256 r1 = _mm256_mul_ps(a, horner8(kTanhT, 6, _mm256_mul_ps(a, a)));
  const __m256 am = _mm256_min_ps(a, _mm256_set1_ps(9.0f)); /* exp normal */
  const __m256 e = exp8_normal(_mm256_mul_ps(two, am));
  const __m256 r2 =
      _mm256_sub_ps(one, _mm256_div_ps(two, _mm256_add_ps(e, one)));
  __m256 r = _mm256_blendv_ps(r2, r1, small);
  r = _mm256_blendv_ps(r, one, big);
  return _mm256_or_ps(r, _mm256_and_ps(v, sign));
}

/* Computes only the branch a block needs when all its lanes take one
 * (each lane's operations, and so its bits, are the same either way). */
PL_AVX2 static __m256 gelu_exact8(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 z = _mm256_mul_ps(x, _mm256_set1_ps(kMinusSqrtHalf));
  const __m256 a = _mm256_andnot_ps(sign, z);
  const __m256 small = _mm256_cmp_ps(a, one, _CMP_LT_OQ);
  const int small_lanes = _mm256_movemask_ps(small);
  const __m256 half_x = _mm256_mul_ps(_mm256_set1_ps(0.5f), x);
  __m256 r_small = one;
  if (small_lanes != 0) {
    r_small = _mm256_sub_ps(
        one, _mm256_mul_ps(z, horner8(kErfP, 7, _mm256_mul_ps(z, z))));
    if (small_lanes == 0xFF) return _mm256_mul_ps(half_x, r_small);
  }
  const __m256 zero_tail =
      _mm256_cmp_ps(a, _mm256_set1_ps(kErfcZero), _CMP_GE_OQ);
  const __m256 am =
      _mm256_min_ps(_mm256_max_ps(a, one), _mm256_set1_ps(kErfcZero));
  __m256 tail = erfc_tail8(am);
  tail = _mm256_blendv_ps(tail, _mm256_setzero_ps(), zero_tail);
  const __m256 positive = _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ);
  __m256 e = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(2.0f), tail), tail,
                              positive);
  e = _mm256_blendv_ps(e, r_small, small);
  return _mm256_mul_ps(half_x, e);
}

PL_AVX2 static __m256 gelu_approximate8(__m256 x) {
  const __m256 cube = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
  const __m256 inner = _mm256_mul_ps(
      _mm256_set1_ps(kSqrt2OverPi),
      _mm256_add_ps(x, _mm256_mul_ps(_mm256_set1_ps(0.044715f), cube)));
  const __m256 t = tanh8(inner);
  return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x),
                       _mm256_add_ps(_mm256_set1_ps(1.0f), t));
}


/* Runs vec over whole blocks of 8 finite values, scalar over the rest of
 * a block; returns how many leading elements were done. */
#define PL_VMATH_BLOCKS(NAME, VEC, SCALAR)                               \
  PL_AVX2 static int64_t NAME(const float* x, float* y, int64_t n) {    \
    int64_t i = 0;                                                       \
    for (; i + 8 <= n; i += 8) {                                         \
      const __m256 v = _mm256_loadu_ps(x + i);                           \
      if (!all_finite8(v)) {                                             \
        for (int j = 0; j < 8; ++j) y[i + j] = SCALAR(x[i + j]);         \
        continue;                                                        \
      }                                                                  \
      _mm256_storeu_ps(y + i, VEC(v));                                   \
    }                                                                    \
    return i;                                                            \
  }

PL_VMATH_BLOCKS(erf_avx2, erf8, erf_one)
PL_VMATH_BLOCKS(tanh_avx2, tanh8, tanh_one)
PL_VMATH_BLOCKS(gelu_exact_avx2, gelu_exact8, gelu_exact_one)
PL_VMATH_BLOCKS(gelu_approximate_avx2, gelu_approximate8,
                gelu_approximate_one)

/* combine_lanes on a vector: halves, then pairs, then the two left. */
#define PL_VMATH_COMBINE(NAME, OP128, OPSS)                           \
  PL_AVX2 static float NAME(__m256 v) {                               \
    const __m128 h = OP128(_mm256_castps256_ps128(v),                 \
                           _mm256_extractf128_ps(v, 1));              \
    const __m128 q = OP128(h, _mm_movehl_ps(h, h));                   \
    return _mm_cvtss_f32(OPSS(q, _mm_shuffle_ps(q, q, 1)));           \
  }
PL_VMATH_COMBINE(combine_max8, _mm_max_ps, _mm_max_ss)
PL_VMATH_COMBINE(combine_add8, _mm_add_ps, _mm_add_ss)

PL_AVX2 static int64_t max_blocks_avx2(const float* x, int64_t n, float* m) {
  __m256 acc = _mm256_set1_ps(-FLT_MAX);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_max_ps(_mm256_loadu_ps(x + i), acc);
  *m = combine_max8(acc);
  return i;
}

PL_AVX2 static int64_t exp_sum_blocks_avx2(const float* x, float* y,
                                           int64_t n, float shift,
                                           float scale, float* sum) {
  const __m256 vs = _mm256_set1_ps(shift), vk = _mm256_set1_ps(scale);
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = exp8_any(
        _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vs), vk));
    if (y) _mm256_storeu_ps(y + i, e);
    acc = _mm256_add_ps(acc, e);
  }
  *sum = combine_add8(acc);
  return i;
}

/* ---- AVX-512: exp and logistic on 16 lanes ---------------------------------
 * The same operations per lane as the AVX2 and scalar code (blends by mask
 * pick the same sides), so the bits agree with both; the other functions
 * stay on 8 lanes. Only AVX-512F instructions are used (sign-bit logic in
 * the integer domain). */
#define PL_AVX512 __attribute__((target("avx512f,avx2,fma")))

PL_AVX512 static __m512 horner16(const float* c, int last, __m512 t) {
  __m512 p = _mm512_set1_ps(c[last]);
  for (int i = last - 1; i >= 0; --i)
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(c[i]));
  return p;
}

PL_AVX512 static __m512 exp_reduce16(__m512 t, __m512* kf) {
  const __m512 magic = _mm512_set1_ps(kExpMagic);
  *kf = _mm512_fmadd_ps(t, _mm512_set1_ps(kLog2e), magic);
  const __m512 k = _mm512_sub_ps(*kf, magic);
  __m512 r = _mm512_fmadd_ps(k, _mm512_set1_ps(-kLn2Hi), t);
  r = _mm512_fmadd_ps(k, _mm512_set1_ps(-kLn2Lo), r);
  return horner16(kExpP, 6, r);
}

PL_AVX512 static __m512 exp16(__m512 x) {
  __m512 t = _mm512_max_ps(_mm512_set1_ps(kExpLo), x);
  t = _mm512_min_ps(_mm512_set1_ps(kExpHi), t);
  __m512 kf;
  const __m512 p = exp_reduce16(t, &kf);
  const __m512i ki = _mm512_sub_epi32(
      _mm512_castps_si512(kf),
      _mm512_castps_si512(_mm512_set1_ps(kExpMagic)));
  const __m512i half = _mm512_srai_epi32(ki, 1);
  const __m512i bias = _mm512_set1_epi32(127);
  const __m512 s1 =
      _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(half, bias), 23));
  const __m512 s2 = _mm512_castsi512_ps(_mm512_slli_epi32(
      _mm512_add_epi32(_mm512_sub_epi32(ki, half), bias), 23));
  return _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
}

PL_AVX512 static __m512 exp16_normal(__m512 t) {
  __m512 kf;
  const __m512 p = exp_reduce16(t, &kf);
  return _mm512_mul_ps(
      p, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(kf), 23)));
}

PL_AVX512 static bool beyond_normal16(__m512 t) {
  const __m512 a = _mm512_castsi512_ps(_mm512_and_si512(
      _mm512_castps_si512(t), _mm512_set1_epi32(0x7FFFFFFF)));
  return _mm512_cmp_ps_mask(a, _mm512_set1_ps(kExpNormal), _CMP_GT_OQ) != 0;
}

PL_AVX512 static __m512 exp16_any(__m512 x) {
  return beyond_normal16(x) ? exp16(x) : exp16_normal(x);
}

/* logistic_one on 16 lanes, in fewer instructions than the 8-lane form
 * with the same result per lane: -x by a masked sign flip; the exp's
 * out-of-normal test only looks below (t <= 9 in every lane); the masked
 * division and move give the low lanes e and the high ones 1. */
PL_AVX512 static __m512 logistic16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __mmask16 low =
      _mm512_cmp_ps_mask(x, _mm512_set1_ps(kSigLo), _CMP_LT_OQ);
  const __m512i xi = _mm512_castps_si512(x);
  const __m512 t = _mm512_castsi512_ps(_mm512_mask_xor_epi32(
      xi, _mm512_knot(low), xi, _mm512_set1_epi32((int)0x80000000u)));
  const bool beyond =
      _mm512_cmp_ps_mask(t, _mm512_set1_ps(-kExpNormal), _CMP_LT_OQ) != 0;
  const __m512 e = beyond ? exp16(t) : exp16_normal(t);
  const __m512 s =
      _mm512_mask_div_ps(e, _mm512_knot(low), one, _mm512_add_ps(one, e));
  return _mm512_mask_mov_ps(
      s, _mm512_cmp_ps_mask(x, _mm512_set1_ps(kSigHi), _CMP_GT_OQ), one);
}

/* Whole blocks of 16 through VEC; returns how many leading elements were
 * done. */
#define PL_VMATH_ALL16(NAME, VEC)                                       \
  PL_AVX512 static int64_t NAME(const float* x, float* y, int64_t n) { \
    int64_t i = 0;                                                      \
    for (; i + 16 <= n; i += 16)                                        \
      _mm512_storeu_ps(y + i, VEC(_mm512_loadu_ps(x + i)));             \
    return i;                                                           \
  }

PL_VMATH_ALL16(exp_avx512, exp16_any)
PL_VMATH_ALL16(logistic_avx512, logistic16)

/* erfc_tail8 and gelu_exact8 on 16 lanes. */
PL_AVX512 static __m512 erfc_tail16(__m512 a) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 t = _mm512_div_ps(one, _mm512_add_ps(one, a));
  const __m512 minus_a2 = _mm512_castsi512_ps(
      _mm512_xor_si512(_mm512_castps_si512(_mm512_mul_ps(a, a)),
                       _mm512_set1_epi32((int)0x80000000u)));
  return _mm512_mul_ps(exp16_normal(minus_a2), horner16(kErfcQ, 12, t));
}

PL_AVX512 static __m512 gelu_exact16(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 z = _mm512_mul_ps(x, _mm512_set1_ps(kMinusSqrtHalf));
  const __m512 a = _mm512_castsi512_ps(_mm512_and_si512(
      _mm512_castps_si512(z), _mm512_set1_epi32(0x7FFFFFFF)));
  const __mmask16 small = _mm512_cmp_ps_mask(a, one, _CMP_LT_OQ);
  const __m512 half_x = _mm512_mul_ps(_mm512_set1_ps(0.5f), x);
  __m512 r_small = one;
  if (small != 0) {
    r_small = _mm512_sub_ps(
        one, _mm512_mul_ps(z, horner16(kErfP, 7, _mm512_mul_ps(z, z))));
    if (small == 0xFFFF) return _mm512_mul_ps(half_x, r_small);
  }
  const __mmask16 zero_tail =
      _mm512_cmp_ps_mask(a, _mm512_set1_ps(kErfcZero), _CMP_GE_OQ);
  const __m512 am =
      _mm512_min_ps(_mm512_max_ps(a, one), _mm512_set1_ps(kErfcZero));
  __m512 tail = erfc_tail16(am);
  tail = _mm512_mask_blend_ps(zero_tail, tail, _mm512_setzero_ps());
  const __mmask16 positive =
      _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_GT_OQ);
  __m512 e = _mm512_mask_blend_ps(
      positive, _mm512_sub_ps(_mm512_set1_ps(2.0f), tail), tail);
  e = _mm512_mask_blend_ps(small, e, r_small);
  return _mm512_mul_ps(half_x, e);
}

/* Whole blocks of 16 finite values through gelu_exact16; a block with NaN
 * or infinities goes to the scalar function. */
PL_AVX512 static int64_t gelu_exact_avx512(const float* x, float* y,
                                           int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __m512 a = _mm512_castsi512_ps(_mm512_and_si512(
        _mm512_castps_si512(v), _mm512_set1_epi32(0x7FFFFFFF)));
    if (_mm512_cmp_ps_mask(a, _mm512_set1_ps(FLT_MAX), _CMP_LE_OQ) !=
        0xFFFF) {
      for (int j = 0; j < 16; ++j) y[i + j] = gelu_exact_one(x[i + j]);
      continue;
    }
    _mm512_storeu_ps(y + i, gelu_exact16(v));
  }
  return i;
}

/* swish_one on 16 lanes: a NaN lane keeps x through the product (masked)
 * and the clamp (max and min return their second operand, a NaN, as it
 * is). */
PL_AVX512 static int64_t swish_avx512(const float* x, float* y, int64_t n,
                                      float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_loadu_ps(x + i);
    const __m512 p = _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v,
                                  logistic16(v));
    _mm512_storeu_ps(y + i, _mm512_min_ps(vhi, _mm512_max_ps(vlo, p)));
  }
  return i;
}
#endif /* PL_VMATH_X86 */

/* The public functions: whole blocks on the widest vector path the CPU
 * has (and the test cap allows), the rest with the next narrower ones. */
enum { kIsaPortable = PL_SIMD_PORTABLE, kIsaAvx2 = PL_SIMD_AVX2,
       kIsaAvx512 = PL_SIMD_AVX512 };

#ifdef PL_VMATH_X86
static int vmath_isa(void) { return (int)pl_simd_level(); }

static bool avx2_fma(void) { return vmath_isa() >= kIsaAvx2; }

static int64_t run_fast(int64_t (*avx512)(const float*, float*, int64_t),
                        int64_t (*avx2)(const float*, float*, int64_t),
                        const float* x, float* y, int64_t n) {
  const int isa = vmath_isa();
  int64_t i = 0;
  if (isa >= kIsaAvx512 && avx512) i = avx512(x, y, n);
  if (isa >= kIsaAvx2) i += avx2(x + i, y + i, n - i);
  return i;
}
#define PL_VMATH_FAST(AVX512, AVX2, x, y, n) run_fast(AVX512, AVX2, x, y, n)
#else
#define PL_VMATH_FAST(AVX512, AVX2, x, y, n) 0
#endif
#define PL_VMATH_MAP(STORAGE, NAME, AVX512, AVX2, SCALAR)             \
  STORAGE void NAME(const float* x, float* y, int64_t n) {            \
    for (int64_t i = PL_VMATH_FAST(AVX512, AVX2, x, y, n); i < n; ++i) \
      y[i] = SCALAR(x[i]);                                            \
  }

PL_VMATH_MAP(, pl_vmath_exp_f32, exp_avx512, exp_avx2, exp_one)
PL_VMATH_MAP(, pl_vmath_logistic_f32, logistic_avx512, logistic_avx2,
             logistic_one)
PL_VMATH_MAP(, pl_vmath_erf_f32, NULL, erf_avx2, erf_one)
PL_VMATH_MAP(, pl_vmath_tanh_f32, NULL, tanh_avx2, tanh_one)
PL_VMATH_MAP(static, gelu_exact_f32, gelu_exact_avx512, gelu_exact_avx2,
             gelu_exact_one)
PL_VMATH_MAP(static, gelu_approximate_f32, NULL, gelu_approximate_avx2,
             gelu_approximate_one)

void pl_vmath_gelu_f32(const float* x, float* y, int64_t n,
                       bool approximate) {
  if (approximate)
    gelu_approximate_f32(x, y, n);
  else
    gelu_exact_f32(x, y, n);
}

float pl_vmath_max_f32(const float* x, int64_t n) {
  float m;
#ifdef PL_VMATH_X86
  int64_t i = avx2_fma() ? max_blocks_avx2(x, n, &m) : max_blocks(x, n, &m);
#else
  int64_t i = max_blocks(x, n, &m);
#endif
  for (; i < n; ++i) m = max2(x[i], m);
  return m;
}

float pl_vmath_exp_sum_f32(const float* x, float* y, int64_t n, float shift,
                           float scale) {
  float sum;
#ifdef PL_VMATH_X86
  int64_t i = avx2_fma() ? exp_sum_blocks_avx2(x, y, n, shift, scale, &sum)
                         : exp_sum_blocks(x, y, n, shift, scale, &sum);
#else
  int64_t i = exp_sum_blocks(x, y, n, shift, scale, &sum);
#endif
  for (; i < n; ++i) {
    const float e = exp_shifted(x[i], shift, scale);
    if (y) y[i] = e;
    sum += e;
  }
  return sum;
}

void pl_vmath_swish_f32(const float* x, float* y, int64_t n, float lo,
                        float hi) {
  int64_t i = 0;
#ifdef PL_VMATH_X86
  const int isa = vmath_isa();
  if (isa >= kIsaAvx512) i = swish_avx512(x, y, n, lo, hi);
  if (isa >= kIsaAvx2) i += swish_avx2(x + i, y + i, n - i, lo, hi);
#endif
  for (; i < n; ++i) y[i] = swish_one(x[i], lo, hi);
}
