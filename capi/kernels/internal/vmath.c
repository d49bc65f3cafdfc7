/* pylite: vectorized float32 math (see vmath.h). */
#include "capi/kernels/internal/vmath.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h" /* pl_simd_avx2 */

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_VMATH_X86 1
#include <immintrin.h>
#endif

/* exp(t) = 2^k * exp(r), k = round(t * log2(e)), r = t - k * ln2 in two
 * parts (Cody and Waite), exp(r) by its Taylor polynomial to degree 7 in
 * Horner form (|r| <= 0.35: truncation below 1e-8 relative); 2^k built in
 * the exponent bits. Valid for t in [kExpLo, kExpHi]. */
static const float kLog2e = 1.44269504088896341f;
static const float kLn2Hi = 0.693359375f;
static const float kLn2Lo = -2.12194440e-4f;
static const float kExpLo = -87.0f;
static const float kExpHi = 88.0f;
static const float kC[8] = {1.0f,          1.0f,           0.5f,
                            1.0f / 6.0f,   1.0f / 24.0f,   1.0f / 120.0f,
                            1.0f / 720.0f, 1.0f / 5040.0f};

/* Logistic cut-offs of TFLite's reference kernel. */
static const float kSigHi = 16.619047164916992188f;
static const float kSigLo = -9.0f;

static float exp_poly(float t) {
  const float k = nearbyintf(t * kLog2e);
  float r = t - k * kLn2Hi;
  r = r - k * kLn2Lo;
  float p = kC[7];
  for (int i = 6; i >= 0; --i) p = p * r + kC[i];
  const int32_t bits = ((int32_t)k + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof(scale));
  return p * scale;
}

/* Whether the polynomial path handles x (else libm does). */
static bool exp_in_range(float x) { return x >= kExpLo && x <= kExpHi; }

static float exp_one(float x) { return exp_in_range(x) ? exp_poly(x) : expf(x); }

static bool logistic_in_range(float x) { return x >= kExpLo; } /* not NaN */

static float logistic_one(float x) {
  if (!logistic_in_range(x)) return x < kSigLo ? expf(x) : x; /* NaN */
  if (x > kSigHi) return 1.0f;
  if (x < kSigLo) return exp_poly(x);
  return 1.0f / (1.0f + exp_poly(-x));
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

static float horner(const float* c, int last, float t) {
  float p = c[last];
  for (int i = last - 1; i >= 0; --i) p = p * t + c[i];
  return p;
}

/* erfc(a) for 1 <= a < kErfcZero. */
static float erfc_tail(float a) {
  const float t = 1.0f / (1.0f + a);
  return exp_poly(-(a * a)) * horner(kErfcQ, 12, t);
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
    r = 1.0f - 2.0f / (exp_poly(2.0f * a) + 1.0f);
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

#ifdef PL_VMATH_X86
#define PL_AVX2 __attribute__((target("avx2")))

/* exp_poly on 8 lanes, the same operations in the same order. */
PL_AVX2 static __m256 exp_poly8(__m256 t) {
  const __m256 k = _mm256_round_ps(
      _mm256_mul_ps(t, _mm256_set1_ps(kLog2e)),
      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_sub_ps(t, _mm256_mul_ps(k, _mm256_set1_ps(kLn2Hi)));
  r = _mm256_sub_ps(r, _mm256_mul_ps(k, _mm256_set1_ps(kLn2Lo)));
  __m256 p = _mm256_set1_ps(kC[7]);
  for (int i = 6; i >= 0; --i)
    p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(kC[i]));
  const __m256i bits = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

/* Lanes where lo <= x <= hi (false for NaN). */
PL_AVX2 static int in_range_mask(__m256 x, float lo, float hi) {
  const __m256 ok = _mm256_and_ps(
      _mm256_cmp_ps(x, _mm256_set1_ps(lo), _CMP_GE_OQ),
      _mm256_cmp_ps(x, _mm256_set1_ps(hi), _CMP_LE_OQ));
  return _mm256_movemask_ps(ok);
}

PL_AVX2 static int64_t exp_avx2(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    if (in_range_mask(v, kExpLo, kExpHi) != 0xFF) {
      for (int j = 0; j < 8; ++j) y[i + j] = exp_one(x[i + j]);
      continue;
    }
    _mm256_storeu_ps(y + i, exp_poly8(v));
  }
  return i;
}

PL_AVX2 static int64_t logistic_avx2(const float* x, float* y, int64_t n) {
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    if (in_range_mask(v, kExpLo, INFINITY) != 0xFF) {
      for (int j = 0; j < 8; ++j) y[i + j] = logistic_one(x[i + j]);
      continue;
    }
    const __m256 low = _mm256_cmp_ps(v, _mm256_set1_ps(kSigLo), _CMP_LT_OQ);
    const __m256 high = _mm256_cmp_ps(v, _mm256_set1_ps(kSigHi), _CMP_GT_OQ);
    /* exp(x) below the lower cut-off, exp(-x) elsewhere (the high lanes'
     * values are replaced below; clamp them so exp stays finite). */
    __m256 t = _mm256_blendv_ps(_mm256_xor_ps(v, _mm256_set1_ps(-0.0f)), v, low);
    t = _mm256_max_ps(t, _mm256_set1_ps(kExpLo));
    const __m256 e = exp_poly8(t);
    __m256 r = _mm256_div_ps(one, _mm256_add_ps(one, e));
    r = _mm256_blendv_ps(r, e, low);
    r = _mm256_blendv_ps(r, one, high);
    _mm256_storeu_ps(y + i, r);
  }
  return i;
}
PL_AVX2 static __m256 horner8(const float* c, int last, __m256 t) {
  __m256 p = _mm256_set1_ps(c[last]);
  for (int i = last - 1; i >= 0; --i)
    p = _mm256_add_ps(_mm256_mul_ps(p, t), _mm256_set1_ps(c[i]));
  return p;
}

/* Both branches on 8 lanes, blended: each lane's result equals the scalar
 * functions' (the same operations per lane). Blocks holding NaN or
 * infinities go through the scalar functions. */
PL_AVX2 static bool all_finite8(__m256 v) {
  return in_range_mask(v, -FLT_MAX, FLT_MAX) == 0xFF;
}

/* erfc_tail on lanes with 1 <= a < kErfcZero (others: any finite value). */
PL_AVX2 static __m256 erfc_tail8(__m256 a) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 t = _mm256_div_ps(one, _mm256_add_ps(one, a));
  const __m256 e =
      exp_poly8(_mm256_xor_ps(_mm256_mul_ps(a, a), _mm256_set1_ps(-0.0f)));
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
  const __m256 am = _mm256_min_ps(a, _mm256_set1_ps(9.0f));
  const __m256 e = exp_poly8(_mm256_mul_ps(two, am));
  const __m256 r2 =
      _mm256_sub_ps(one, _mm256_div_ps(two, _mm256_add_ps(e, one)));
  __m256 r = _mm256_blendv_ps(r2, r1, small);
  r = _mm256_blendv_ps(r, one, big);
  return _mm256_or_ps(r, _mm256_and_ps(v, sign));
}

PL_AVX2 static __m256 gelu_exact8(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 z = _mm256_mul_ps(x, _mm256_set1_ps(kMinusSqrtHalf));
  const __m256 a = _mm256_andnot_ps(sign, z);
  const __m256 small = _mm256_cmp_ps(a, one, _CMP_LT_OQ);
  const __m256 zero_tail =
      _mm256_cmp_ps(a, _mm256_set1_ps(kErfcZero), _CMP_GE_OQ);
  const __m256 r_small = _mm256_sub_ps(
      one, _mm256_mul_ps(z, horner8(kErfP, 7, _mm256_mul_ps(z, z))));
  const __m256 am =
      _mm256_min_ps(_mm256_max_ps(a, one), _mm256_set1_ps(kErfcZero));
  __m256 tail = erfc_tail8(am);
  tail = _mm256_blendv_ps(tail, _mm256_setzero_ps(), zero_tail);
  const __m256 positive = _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ);
  __m256 e = _mm256_blendv_ps(_mm256_sub_ps(_mm256_set1_ps(2.0f), tail), tail,
                              positive);
  e = _mm256_blendv_ps(e, r_small, small);
  return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), e);
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
#endif /* PL_VMATH_X86 */

/* The public functions: whole blocks on the AVX2 path when the CPU has it,
 * the rest (or everything) with the scalar function. */
#ifdef PL_VMATH_X86
#define PL_VMATH_FAST(AVX2, x, y, n) (pl_simd_avx2() ? AVX2(x, y, n) : 0)
#else
#define PL_VMATH_FAST(AVX2, x, y, n) 0
#endif
#define PL_VMATH_MAP(STORAGE, NAME, AVX2, SCALAR)             \
  STORAGE void NAME(const float* x, float* y, int64_t n) {    \
    for (int64_t i = PL_VMATH_FAST(AVX2, x, y, n); i < n; ++i) \
      y[i] = SCALAR(x[i]);                                    \
  }

PL_VMATH_MAP(, pl_vmath_exp_f32, exp_avx2, exp_one)
PL_VMATH_MAP(, pl_vmath_logistic_f32, logistic_avx2, logistic_one)
PL_VMATH_MAP(, pl_vmath_erf_f32, erf_avx2, erf_one)
PL_VMATH_MAP(, pl_vmath_tanh_f32, tanh_avx2, tanh_one)
PL_VMATH_MAP(static, gelu_exact_f32, gelu_exact_avx2, gelu_exact_one)
PL_VMATH_MAP(static, gelu_approximate_f32, gelu_approximate_avx2,
             gelu_approximate_one)

void pl_vmath_gelu_f32(const float* x, float* y, int64_t n,
                       bool approximate) {
  if (approximate)
    gelu_approximate_f32(x, y, n);
  else
    gelu_exact_f32(x, y, n);
}
