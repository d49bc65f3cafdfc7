/* pylite: vectorized float32 math (see vmath.h). */
#include "capi/kernels/internal/vmath.h"

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

/* erf(a), a = |x|: a * P(a^2) below 1; 1 - exp(-a^2) * Q(1 / (1 + a))
 * (Q fits erfc(a) * exp(a^2)) below 4; 1 above (erf rounds to 1 in
 * float32 from 3.92). Coefficients fitted for this code (weighted least
 * squares on Chebyshev nodes, evaluated in float32: <= 3 ulp). */
static const float kErfP[8] = {1.128379225730896f,    -0.37612637877464294f,
                               0.11283783614635468f,  -0.02686547487974167f,
                               0.005221138708293438f, -0.0008485438884235919f,
                               0.0001127473806263879f, -9.689741091278847e-06f};
static const float kErfQ[13] = {
    1.8042816009256057e-05f, 0.5635772347450256f,  0.5733736753463745f,
    0.2025836557149887f,     0.1508055329322815f,  -2.1986541748046875f,
    2.8500847816467285f,     -0.4882086217403412f, -1.5037943124771118f,
    0.4793916344642639f,     0.8339572548866272f,  -0.3404550850391388f,
    -0.1458389312028885f};
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

static float erf_one(float x) {
  if (isnan(x)) return x;
  const float a = fabsf(x);
  float r;
  if (a < 1.0f) {
    r = a * horner(kErfP, 7, a * a);
  } else if (a < 4.0f) {
    const float t = 1.0f / (1.0f + a);
    r = 1.0f - exp_poly(-(a * a)) * horner(kErfQ, 12, t);
  } else {
    r = 1.0f;
  }
  return copysignf(r, x);
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

/* Both branches on 8 lanes, blended: the lanes' results equal the scalar
 * functions' (the same operations per lane). */
PL_AVX2 static int64_t erf_avx2(const float* x, float* y, int64_t n) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
      for (int j = 0; j < 8; ++j) y[i + j] = erf_one(x[i + j]);
      continue;
    }
    const __m256 a = _mm256_andnot_ps(sign, v);
    const __m256 small = _mm256_cmp_ps(a, one, _CMP_LT_OQ);
    const __m256 big = _mm256_cmp_ps(a, _mm256_set1_ps(4.0f), _CMP_GE_OQ);
    const __m256 r1 = _mm256_mul_ps(a, horner8(kErfP, 7, _mm256_mul_ps(a, a)));
    const __m256 am = _mm256_min_ps(a, _mm256_set1_ps(4.0f));
    const __m256 t = _mm256_div_ps(one, _mm256_add_ps(one, am));
    const __m256 e =
        exp_poly8(_mm256_xor_ps(_mm256_mul_ps(am, am), sign));
    const __m256 r2 = _mm256_sub_ps(one, _mm256_mul_ps(e, horner8(kErfQ, 12, t)));
    __m256 r = _mm256_blendv_ps(r2, r1, small);
    r = _mm256_blendv_ps(r, one, big);
    _mm256_storeu_ps(y + i, _mm256_or_ps(r, _mm256_and_ps(v, sign)));
  }
  return i;
}

PL_AVX2 static int64_t tanh_avx2(const float* x, float* y, int64_t n) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 two = _mm256_set1_ps(2.0f);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
      for (int j = 0; j < 8; ++j) y[i + j] = tanh_one(x[i + j]);
      continue;
    }
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
    _mm256_storeu_ps(y + i, _mm256_or_ps(r, _mm256_and_ps(v, sign)));
  }
  return i;
}
#endif /* PL_VMATH_X86 */

void pl_vmath_erf_f32(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#ifdef PL_VMATH_X86
  if (pl_simd_avx2()) i = erf_avx2(x, y, n);
#endif
  for (; i < n; ++i) y[i] = erf_one(x[i]);
}

void pl_vmath_tanh_f32(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#ifdef PL_VMATH_X86
  if (pl_simd_avx2()) i = tanh_avx2(x, y, n);
#endif
  for (; i < n; ++i) y[i] = tanh_one(x[i]);
}

void pl_vmath_exp_f32(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#ifdef PL_VMATH_X86
  if (pl_simd_avx2()) i = exp_avx2(x, y, n);
#endif
  for (; i < n; ++i) y[i] = exp_one(x[i]);
}

void pl_vmath_logistic_f32(const float* x, float* y, int64_t n) {
  int64_t i = 0;
#ifdef PL_VMATH_X86
  if (pl_simd_avx2()) i = logistic_avx2(x, y, n);
#endif
  for (; i < n; ++i) y[i] = logistic_one(x[i]);
}
