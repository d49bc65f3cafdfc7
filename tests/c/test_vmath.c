/* pylite: the vectorized float32 math of capi/kernels/internal/vmath.c.
 *
 * For each function, over a dense sweep of its interesting range plus
 * special values (NaN, +-inf, +-0, denormals, the branch and cut-off
 * points): the AVX-512, AVX2 and portable paths give the same bits, and
 * every result is within a few ulp of libm's. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/simd.h"
#include "capi/kernels/internal/vmath.h"
#include "check.h"

typedef void (*VecFn)(const float*, float*, int64_t);

static float logistic_ref(float x) {
  if (x > 16.619047164916992188f) return 1.0f;
  if (x < -9.0f) return expf(x);
  return 1.0f / (1.0f + expf(-x));
}

static float gelu_exact_ref(float x) {
  return 0.5f * x * erfcf(x * (float)-0.70710678118654752440);
}

static float gelu_approximate_ref(float x) {
  const float k = (float)(1.12837916709551257390 * 0.70710678118654752440);
  return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * (x * x * x))));
}

static void gelu_exact_vec(const float* x, float* y, int64_t n) {
  pl_vmath_gelu_f32(x, y, n, false);
}

static void gelu_approximate_vec(const float* x, float* y, int64_t n) {
  pl_vmath_gelu_f32(x, y, n, true);
}

static float swish_ref(float x) { return x * logistic_ref(x); }

static float swish_relu6_ref(float x) {
  float p = swish_ref(x);
  p = p < 0.0f ? 0.0f : p;
  return 6.0f < p ? 6.0f : p;
}

static void swish_vec(const float* x, float* y, int64_t n) {
  pl_vmath_swish_f32(x, y, n, -FLT_MAX, FLT_MAX);
}

static void swish_relu6_vec(const float* x, float* y, int64_t n) {
  pl_vmath_swish_f32(x, y, n, 0.0f, 6.0f);
}

static int64_t ulp_distance(float a, float b) {
  int32_t ia, ib;
  memcpy(&ia, &a, sizeof(ia));
  memcpy(&ib, &b, sizeof(ib));
  /* Map the sign-magnitude bits onto a line so that -0 and +0 meet. */
  int64_t la = ia < 0 ? (int64_t)INT32_MIN - ia : ia;
  int64_t lb = ib < 0 ? (int64_t)INT32_MIN - ib : ib;
  return la > lb ? la - lb : lb - la;
}

/* max_ulp > 0: every result within max_ulp of libm's; max_ulp < 0: within
 * -max_ulp * 2^-23 * max(1, |x|) absolutely (for GELU, whose 1 + tanh and
 * erfc forms cancel where the reference is no closer than that). */
static void check_fn(const char* name, VecFn fn, float (*ref)(float),
                     float lo, float hi, int64_t max_ulp) {
  static const float kSpecial[] = {
      NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-30f, -1e-40f, 1.0f, -1.0f,
      0.625f, -0.625f, 4.0f, -4.0f, 9.0f, -9.0f, 16.619047164916992f,
      16.62f, -87.0f, -87.5f, 88.0f, 88.5f, -104.0f, 3.92f, 1e30f, -1e30f};
  /* NaN payloads, of either sign and signalling, kept as they are. */
  static const uint32_t kNanBits[] = {0x7FC00001u, 0xFFC00002u, 0x7F800001u,
                                      0xFF800003u};
  const int nn = (int)(sizeof(kNanBits) / sizeof(kNanBits[0]));
  const int ns = (int)(sizeof(kSpecial) / sizeof(kSpecial[0])) + nn;
  const int n = 200003; /* not a multiple of 8: the scalar tail runs too */
  float* x = malloc(sizeof(float) * (size_t)(n + ns));
  float* fast = malloc(sizeof(float) * (size_t)(n + ns));
  float* portable = malloc(sizeof(float) * (size_t)(n + ns));
  if (!x || !fast || !portable) {
    CHECK(!"out of memory");
    return;
  }
  for (int i = 0; i < ns - nn; ++i) x[i] = kSpecial[i];
  memcpy(x + ns - nn, kNanBits, sizeof(kNanBits));
  for (int i = 0; i < n; ++i) x[ns + i] = lo + (hi - lo) * (float)i / (float)n;
  pl_simd_force_portable(true);
  fn(x, portable, n + ns);
  pl_simd_force_portable(false);
  int mismatches = 0;
  /* Each vector path the CPU has (AVX-512, AVX2), from offsets 0 and 3 so
   * that every block and tail split is met. */
  for (int cap = 2; cap >= 1; --cap) {
    pl_simd_cap(cap);
    fn(x + 3, fast + 3, n + ns - 3);
    fn(x, fast, 3);
    for (int i = 0; i < n + ns; ++i)
      if (memcmp(&fast[i], &portable[i], sizeof(float)) != 0) ++mismatches;
    fn(x, fast, n + ns);
    for (int i = 0; i < n + ns; ++i)
      if (memcmp(&fast[i], &portable[i], sizeof(float)) != 0) ++mismatches;
  }
  pl_simd_cap(-1);
  int64_t worst = 0;
  for (int i = 0; i < n + ns; ++i) {
    const float want = ref(x[i]);
    if (isnan(want) || isnan(fast[i])) {
      if (isnan(want) != isnan(fast[i])) ++mismatches;
      continue;
    }
    int64_t d;
    if (max_ulp > 0) {
      d = ulp_distance(fast[i], want);
    } else {
      const double scale = fabs(x[i]) > 1.0 ? fabs(x[i]) : 1.0;
      d = (int64_t)ceil(fabs((double)fast[i] - want) / scale * 8388608.0);
    }
    if (d > worst) worst = d;
  }
  printf("%s: %d path mismatches, max %lld %s from libm\n", name, mismatches,
         (long long)worst, max_ulp > 0 ? "ulp" : "ulp(max(1, |x|))");
  CHECK(mismatches == 0);
  CHECK(worst <= (max_ulp > 0 ? max_ulp : -max_ulp));
  free(x);
  free(fast);
  free(portable);
}

/* The row reductions: the same bits on both paths, and close to the
 * sequential reference, for lengths around the block size and rows with
 * NaN, infinities and -1e9 masks. */
static void check_reductions(void) {
  enum { kMax = 300 };
  float x[kMax], y_fast[kMax], y_portable[kMax];
  uint32_t seed = 7;
  int mismatches = 0, far = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int n = trial % 40 + (trial % 3 == 0 ? 257 : 0);
    for (int i = 0; i < n; ++i) {
      seed = seed * 1664525u + 1013904223u;
      x[i] = (float)((int)(seed >> 9) % 20001 - 10000) / 1000.0f;
    }
    if (trial % 5 == 1 && n > 3) x[n / 2] = -1e9f;
    if (trial % 7 == 2 && n > 3) x[n / 3] = NAN;
    if (trial % 11 == 3 && n > 3) x[1] = -INFINITY;
    const float scale = trial % 4 == 0 ? 0.5f : 1.0f;
    float want_max = -FLT_MAX;
    for (int i = 0; i < n; ++i) want_max = want_max < x[i] ? x[i] : want_max;
    double want_sum = 0.0;
    for (int i = 0; i < n; ++i)
      want_sum += exp(((double)x[i] - want_max) * scale);
    float m[2], sum[2], sum_only[2];
    for (int p = 0; p < 2; ++p) {
      pl_simd_force_portable(p == 1);
      m[p] = pl_vmath_max_f32(x, n);
      sum[p] = pl_vmath_exp_sum_f32(x, p ? y_portable : y_fast, n, m[p], scale);
      sum_only[p] = pl_vmath_exp_sum_f32(x, NULL, n, m[p], scale);
    }
    pl_simd_force_portable(false);
    if (memcmp(m, m + 1, sizeof(float)) != 0 ||
        memcmp(sum, sum + 1, sizeof(float)) != 0 ||
        memcmp(sum, sum_only, sizeof(float)) != 0 ||
        memcmp(sum_only, sum_only + 1, sizeof(float)) != 0 ||
        memcmp(y_fast, y_portable, sizeof(float) * (size_t)n) != 0)
      ++mismatches;
    const bool has_nan = trial % 7 == 2 && n > 3;
    if (memcmp(&m[0], &want_max, sizeof(float)) != 0) ++far;
    if (has_nan ? !isnan(sum[0])
                : fabs(sum[0] - want_sum) > 1e-6 * want_sum + 1e-30)
      ++far;
  }
  printf("max / exp sum: %d path mismatches, %d far from the reference\n",
         mismatches, far);
  CHECK(mismatches == 0);
  CHECK(far == 0);
}

int main(void) {
  check_fn("exp", pl_vmath_exp_f32, expf, -110.0f, 100.0f, 1);
  check_fn("logistic", pl_vmath_logistic_f32, logistic_ref, -110.0f, 30.0f, 2);
  check_fn("swish", swish_vec, swish_ref, -87.0f, 30.0f, 3);
  check_fn("swish relu6", swish_relu6_vec, swish_relu6_ref, -110.0f, 30.0f,
           3);
  check_fn("erf", pl_vmath_erf_f32, erff, -6.0f, 6.0f, 3);
  check_fn("tanh", pl_vmath_tanh_f32, tanhf, -12.0f, 12.0f, 3);
  check_fn("gelu", gelu_exact_vec, gelu_exact_ref, -14.0f, 14.0f, -4);
  check_fn("gelu approximate", gelu_approximate_vec, gelu_approximate_ref,
           -14.0f, 14.0f, -4);
  check_reductions();
  return CHECK_SUMMARY();
}
