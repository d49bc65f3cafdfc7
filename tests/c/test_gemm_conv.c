/* pylite: tests of the convolutions' GEMM tiles (pl_gemm_narrow_rows and
 * pl_gemm_tall_rows, capi/kernels/internal/gemm.c) against the plain loop,
 * bit for bit (any NaN matching any NaN), on the AVX2 and AVX-512 levels:
 * narrow tiles with 1 to 8 columns, tall tiles with 1 to 3 panels of 16;
 * every row count of a tile and past it, A's rows whole or cut into
 * segments (a convolution's patches read in place), with and without
 * bias, clamped or not, special values included. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "check.h"

static void fill(float* x, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    x[i] = check_rand_float() * 4.0f;
    const uint32_t r = check_rand_u32() % 97;
    if (r == 0) x[i] = NAN;
    if (r == 1) x[i] = INFINITY;
    if (r == 2) x[i] = -0.0f;
  }
}

static bool same_bits(float a, float b) {
  if (isnan(a) && isnan(b)) return true;
  return memcmp(&a, &b, sizeof(a)) == 0;
}

/* A(i, d) as PlGemm defines it, segments included. */
static float a_at(const PlGemm* g, int64_t i, int64_t d) {
  const int64_t kseg = g->kseg > 0 ? g->kseg : g->k;
  return g->a[i * g->sai + (d / kseg) * g->sseg + (d % kseg) * g->sad];
}

static void gemm_case(bool tall, int64_t m, int64_t n, int64_t k,
                      int64_t kseg, bool bias, bool clamp) {
  /* A's rows: sai apart; with segments, each one sseg further. */
  const int64_t segs = kseg > 0 ? (k + kseg - 1) / kseg : 1;
  const int64_t sseg = kseg > 0 ? kseg + 3 : 0;
  const int64_t sai = kseg > 0 ? 2 : k + 1;
  const int64_t a_count = (m - 1) * sai + segs * (sseg > 0 ? sseg : k) + k;
  float* a = malloc(sizeof(float) * (size_t)a_count);
  float* b = malloc(sizeof(float) * (size_t)(n * k));
  float* bv = malloc(sizeof(float) * (size_t)n);
  float* packed = malloc(sizeof(float) * (size_t)pl_gemm_packed_size(n, k));
  const int64_t ldy = n + 2;
  float* y = malloc(sizeof(float) * (size_t)(m * ldy));
  float* want = malloc(sizeof(float) * (size_t)(m * ldy));
  fill(a, a_count);
  fill(b, n * k);
  fill(bv, n);
  pl_gemm_pack(b, n, k, k, 1, packed);
  const PlGemm g = {
      .a = a, .sai = sai, .sad = 1, .kseg = kseg, .sseg = sseg, .m = m,
      .packed = packed, .n = n, .k = k, .bias = bias ? bv : NULL, .y = y,
      .ldy = ldy, .lo = clamp ? -1.0f : -FLT_MAX, .hi = clamp ? 2.0f : FLT_MAX,
  };
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldy; ++j) {
      float acc = 0.0f;
      if (j < n) {
        for (int64_t d = 0; d < k; ++d) acc += a_at(&g, i, d) * b[j * k + d];
        if (bias) acc += bv[j];
        acc = acc < g.lo ? g.lo : acc;
        acc = g.hi < acc ? g.hi : acc;
      } else {
        acc = 7.0f; /* columns past n stay untouched */
      }
      want[i * ldy + j] = acc;
    }
  for (int level = 0; level < 2; ++level) {
    pl_simd_cap(level == 0 ? -1 : PL_SIMD_AVX2);
    if (tall ? !pl_gemm_tall_available(&g) : !pl_gemm_narrow_available(&g))
      continue;
    for (int64_t i = 0; i < m * ldy; ++i) y[i] = 7.0f;
    /* Rows in two calls, as a convolution's runs. */
    if (tall) {
      pl_gemm_tall_rows(&g, 0, m / 3);
      pl_gemm_tall_rows(&g, m / 3, m);
    } else {
      pl_gemm_narrow_rows(&g, 0, m / 3);
      pl_gemm_narrow_rows(&g, m / 3, m);
    }
    bool ok = true;
    for (int64_t i = 0; i < m * ldy && ok; ++i) {
      if (!same_bits(y[i], want[i])) {
        fprintf(stderr,
                "%s m=%lld n=%lld k=%lld kseg=%lld level %d: element "
                "%lld is %a, want %a\n",
                tall ? "tall" : "narrow", (long long)m, (long long)n,
                (long long)k, (long long)kseg, level, (long long)i, y[i],
                want[i]);
        ok = false;
      }
    }
    CHECK(ok);
  }
  pl_simd_cap(-1);
  free(a);
  free(b);
  free(bv);
  free(packed);
  free(y);
  free(want);
}

int main(void) {
  for (int64_t n = 1; n <= 8; ++n)
    for (int64_t m = 1; m <= 26; m += (m < 13 ? 1 : 6)) {
      gemm_case(false, m, n, 27, 0, true, false);
      gemm_case(false, m, n, 27, 9, n % 2 == 0, true);
    }
  gemm_case(false, 40, 8, 1, 0, true, true);
  gemm_case(false, 37, 5, 75, 15, false, false);
  gemm_case(false, 100, 8, 144, 48, true, true);
  /* Tall: every tile height and the rows past them (pl_gemm_rows). */
  for (int64_t m = 1; m <= 35; ++m)
    gemm_case(true, m, 16, 144, 48, m % 2 == 0, m % 3 == 0);
  gemm_case(true, 31, 32, 27, 0, true, false);
  gemm_case(true, 50, 48, 96, 24, false, true);
  gemm_case(true, 16, 16, 1, 0, true, true);
  /* Wider panels are not the narrow tiles', partial ones not the tall
   * ones', nor short segments. */
  const PlGemm wide = {.n = 9, .k = 27};
  CHECK(!pl_gemm_narrow_available(&wide));
  CHECK(!pl_gemm_tall_available(&wide));
  const PlGemm short_seg = {.n = 16, .k = 27, .kseg = 9, .sai = 3};
  CHECK(!pl_gemm_tall_available(&short_seg));
  return CHECK_SUMMARY();
}
