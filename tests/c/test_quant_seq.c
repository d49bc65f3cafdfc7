/* pylite: tests of the quantized sequence helpers
 * (capi/kernels/internal/quant_seq.c): the per-row input quantization of
 * the hybrid LSTM/RNN, the hybrid int8 product (every SIMD level and
 * packed layout against the plain definition), and gemmlowp's 16-bit
 * logistic and tanh, on hand-worked values and their symmetries. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/quant_seq.h"
#include "capi/kernels/internal/simd.h"
#include "check.h"

static void test_symmetric(void) {
  /* max|x| = 127: scale 1, values rounded half away from zero. */
  const float x[4] = {127.0f, 0.5f, -63.5f, 2.4f};
  int8_t q[4];
  float scale = 0.0f;
  pl_qs_quantize_rows(x, 1, 4, q, &scale, NULL, false);
  CHECK(scale == 1.0f);
  CHECK(q[0] == 127 && q[1] == 1 && q[2] == -64 && q[3] == 2);
  /* A zero row: scale 1, all zeros. */
  const float z[3] = {0.0f, -0.0f, 0.0f};
  int8_t qz[3] = {9, 9, 9};
  pl_qs_quantize_rows(z, 1, 3, qz, &scale, NULL, false);
  CHECK(scale == 1.0f && qz[0] == 0 && qz[1] == 0 && qz[2] == 0);
}

static void test_asymmetric(void) {
  /* [-1, 2]: scale 3/255, zero point -128 + 85 = -43; 0.5 / scale = 42.5
   * rounds to 43 before the zero point is added (LiteRT's order), so 0. */
  const float x[2][3] = {{-1.0f, 2.0f, 0.5f}, {0.0f, 0.0f, 0.0f}};
  int8_t q[6];
  float scales[2];
  int32_t zps[2];
  pl_qs_quantize_rows(&x[0][0], 2, 3, q, scales, zps, true);
  CHECK(scales[0] == (float)(3.0 / 255.0));
  CHECK(zps[0] == -43);
  CHECK(q[0] == -128 && q[1] == 127 && q[2] == 0);
  CHECK(scales[1] == 1.0f && zps[1] == 0);
  CHECK(q[3] == 0 && q[4] == 0 && q[5] == 0);
  /* All positive: the range still includes 0, zero point -128. */
  const float p[2] = {1.0f, 0.5f};
  int8_t qp[2];
  pl_qs_quantize_rows(p, 1, 2, qp, scales, zps, true);
  CHECK(zps[0] == -128 && qp[0] == 127);
}

/* pl_qs_hybrid_matvec on unpacked W, packing it first (in a buffer of
 * pl_qs_hybrid_packed_bytes, in the layout of the current SIMD level). */
static void matvec(const int8_t* w, float w_scale, int m, int n,
                   const int8_t* q, const float* scales, const int32_t* zps,
                   int rows, float* out, int out_stride) {
  void* packed = malloc((size_t)pl_qs_hybrid_packed_bytes(m, n));
  pl_qs_hybrid_pack(w, m, n, packed);
  pl_qs_hybrid_matvec(packed, w_scale, m, n, q, scales, zps, rows, out,
                      out_stride);
  free(packed);
}

static void test_matvec(void) {
  /* W = [[1, 2], [3, -4]], q = [10, -5], row scale 0.5, weight scale
   * 0.25, zero point 2: row 0: 10 - 10 - 2 * 3 = -6 -> -0.75; row 1:
   * 30 + 20 - 2 * -1 = 52 -> 6.5; added to out. */
  const int8_t w[4] = {1, 2, 3, -4};
  const int8_t q[2] = {10, -5};
  const float scale = 0.5f;
  const int32_t zp = 2;
  float out[2] = {1.0f, -1.0f};
  matvec(w, 0.25f, 2, 2, q, &scale, &zp, 1, out, 2);
  CHECK(out[0] == 0.25f && out[1] == 5.5f);
  float sym[2] = {0.0f, 0.0f};
  matvec(w, 0.25f, 2, 2, q, &scale, NULL, 1, sym, 2);
  CHECK(sym[0] == 0.0f && sym[1] == 6.25f);
}

/* The plain definition: the int32 dot product wrapping, less the zero
 * point times the row sum, scaled and added in float. */
static void matvec_reference(const int8_t* w, float w_scale, int m, int n,
                             const int8_t* q, const float* scales,
                             const int32_t* zps, int rows, float* out,
                             int out_stride) {
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < m; ++j) {
      uint32_t dot = 0, sum = 0;
      for (int k = 0; k < n; ++k) {
        dot += (uint32_t)(w[(int64_t)j * n + k] * q[(int64_t)r * n + k]);
        sum += (uint32_t)w[(int64_t)j * n + k];
      }
      if (zps) dot -= sum * (uint32_t)zps[r];
      out[(int64_t)r * out_stride + j] +=
          (float)(int32_t)dot * (scales[r] * w_scale);
    }
  }
}

/* One case at every SIMD level, packed and run at that level, and packed
 * at the best level but run portable: each equal bit for bit to the
 * reference (outputs between the rows' strides untouched). */
static void check_matvec_case(const char* what, const int8_t* w, int m,
                              int n, const int8_t* q, int rows, bool asym) {
  const int stride = m + 3;
  float scales[3];
  int32_t zps[3];
  for (int r = 0; r < rows; ++r) {
    scales[r] = 0.001f + 0.01f * (float)(check_rand_u32() % 100);
    zps[r] = (int32_t)(check_rand_u32() % 256) - 128;
  }
  const int64_t count = (int64_t)rows * stride;
  float* want = malloc(sizeof(float) * (size_t)count);
  float* got = malloc(sizeof(float) * (size_t)count);
  for (int64_t i = 0; i < count; ++i) want[i] = check_rand_float();
  float* start = malloc(sizeof(float) * (size_t)count);
  memcpy(start, want, sizeof(float) * (size_t)count);
  matvec_reference(w, 0.37f, m, n, q, scales, asym ? zps : NULL, rows, want,
                   stride);
  for (int level = 0; level <= 3; ++level) {
    memcpy(got, start, sizeof(float) * (size_t)count);
    void* packed = malloc((size_t)pl_qs_hybrid_packed_bytes(m, n));
    pl_simd_cap(level < 3 ? level : -1);
    pl_qs_hybrid_pack(w, m, n, packed);
    if (level == 3) pl_simd_force_portable(true);
    pl_qs_hybrid_matvec(packed, 0.37f, m, n, q, scales, asym ? zps : NULL,
                        rows, got, stride);
    pl_simd_cap(-1);
    free(packed);
    const bool same = memcmp(got, want, sizeof(float) * (size_t)count) == 0;
    if (!same)
      printf("  %s: m %d n %d rows %d asym %d level %d differs\n", what, m, n,
             rows, asym, level);
    CHECK(same);
  }
  free(start);
  free(want);
  free(got);
}

static void test_matvec_levels(void) {
  static const int kSizes[][2] = {{1, 1},   {3, 5},   {8, 2},   {16, 4},
                                  {17, 33}, {32, 32}, {40, 7},  {5, 64},
                                  {33, 3},  {64, 130}, {0, 4},  {4, 0}};
  for (size_t c = 0; c < sizeof(kSizes) / sizeof(kSizes[0]); ++c) {
    const int m = kSizes[c][0], n = kSizes[c][1];
    for (int rows = 1; rows <= 3; rows += 2) {
      int8_t* w = malloc(((size_t)m * (size_t)n) + 1);
      int8_t* q = malloc(((size_t)rows * (size_t)n) + 1);
      for (int i = 0; i < m * n; ++i) w[i] = (int8_t)check_rand_u32();
      for (int i = 0; i < rows * n; ++i) q[i] = (int8_t)check_rand_u32();
      check_matvec_case("random", w, m, n, q, rows, false);
      check_matvec_case("random", w, m, n, q, rows, true);
      /* Extremes: -128 everywhere, then alternating -128 and 127. */
      memset(w, 0x80, ((size_t)m * (size_t)n));
      memset(q, 0x80, ((size_t)rows * (size_t)n));
      check_matvec_case("-128", w, m, n, q, rows, true);
      for (int i = 0; i < m * n; ++i) w[i] = (int8_t)(i % 2 ? 127 : -128);
      check_matvec_case("alternating", w, m, n, q, rows, false);
      free(w);
      free(q);
    }
  }
  /* Long rows whose int32 sums wrap: 140001 products of 16384. */
  const int n = 140001;
  int8_t* w = malloc((size_t)(3 * n));
  int8_t* q = malloc((size_t)n);
  memset(w, 0x80, (size_t)(3 * n));
  memset(q, 0x80, (size_t)n);
  check_matvec_case("wrapping", w, 3, n, q, 1, true);
  check_matvec_case("wrapping", w, 3, n, q, 1, false);
  free(w);
  free(q);
}

/* Both row quantizers at every SIMD level on rows of odd lengths (vector
 * body and scalar tail) holding ties, huge values, infinities and NaN:
 * the same bytes, scales and zero points as the portable path, and that
 * path equal to the definition on the finite rows. */
static void test_quantize_levels(void) {
  static const float kSpecial[] = {0.5f,  -0.5f,   1.5f,     -2.5f,
                                   126.5f, -126.5f, 1e30f,   -1e30f,
                                   INFINITY, -INFINITY, NAN, 3.0f};
  for (int n = 1; n <= 41; n += 4) {
    for (int variant = 0; variant < 3; ++variant) {
      float x[2 * 41];
      for (int i = 0; i < 2 * n; ++i) {
        x[i] = 127.0f * check_rand_float();
        if (variant > 0 && check_rand_u32() % 3 == 0)
          x[i] = kSpecial[check_rand_u32() % (variant == 1 ? 6 : 12)];
      }
      if (variant == 1) x[0] = 127.0f; /* scale 1: ties stay ties */
      for (int asym = 0; asym <= 1; ++asym) {
        int8_t q[3][2 * 41];
        float sc[3][2];
        int32_t zp[3][2] = {{0, 0}, {0, 0}, {0, 0}};
        for (int level = 0; level <= 2; ++level) {
          pl_simd_cap(level);
          pl_qs_quantize_rows(x, 2, n, q[level], sc[level], zp[level],
                              asym != 0);
        }
        pl_simd_cap(-1);
        for (int level = 1; level <= 2; ++level) {
          const bool same = memcmp(q[0], q[level], (size_t)(2 * n)) == 0 &&
                            memcmp(sc[0], sc[level], sizeof(sc[0])) == 0 &&
                            memcmp(zp[0], zp[level], sizeof(zp[0])) == 0;
          if (!same)
            printf("  quantize n %d variant %d asym %d level %d differs\n",
                   n, variant, asym, level);
          CHECK(same);
        }
        if (variant == 1 && !asym) {
          /* Row 0 has scale 1: each value rounded half away from zero. */
          CHECK(sc[0][0] == 1.0f);
          for (int i = 0; i < n; ++i) {
            const float r = roundf(x[i]);
            const int want = r > 127.0f ? 127 : (r < -127.0f ? -127 : (int)r);
            CHECK(q[0][i] == want);
          }
        }
      }
    }
  }
}

static void test_logistic_tanh(void) {
  CHECK(pl_qs_logistic_q3(0) == 16384);
  CHECK(pl_qs_tanh(0, 3) == 0);
  int worst_logistic = 0, worst_tanh = 0, asymmetric = 0;
  for (int v = -32767; v <= 32767; v += 7) {
    const int16_t x = (int16_t)v;
    const int16_t s = pl_qs_logistic_q3(x);
    const double want = 32768.0 / (1.0 + exp(-v / 4096.0));
    const int err = (int)fabs(s - want);
    if (err > worst_logistic) worst_logistic = err;
    if (v != 0 && pl_qs_logistic_q3(x) + pl_qs_logistic_q3((int16_t)-v) !=
                      32767)
      ++asymmetric;
    for (int bits = 0; bits <= 6; ++bits) {
      const int16_t t = pl_qs_tanh(x, bits);
      const double tw = 32768.0 * tanh(v / (double)(1 << (15 - bits)));
      const int te = (int)fabs(t - tw);
      if (te > worst_tanh) worst_tanh = te;
      if (pl_qs_tanh((int16_t)-v, bits) != -t) ++asymmetric;
    }
  }
  /* gemmlowp's 16-bit approximations are within a few units of Q0.15. */
  CHECK(worst_logistic <= 8);
  CHECK(worst_tanh <= 16);
  CHECK(asymmetric == 0);
  /* Saturating ends. */
  CHECK(pl_qs_logistic_q3(32767) > 32700);
  CHECK(pl_qs_logistic_q3(-32768) < 20);
  CHECK(pl_qs_tanh(32767, 0) > 24900 && pl_qs_tanh(32767, 0) < 25000);
  CHECK(pl_qs_tanh(-32768, 6) == -32768 || pl_qs_tanh(-32768, 6) < -32700);
}

int main(void) {
  test_symmetric();
  test_asymmetric();
  test_quantize_levels();
  test_matvec();
  test_matvec_levels();
  test_logistic_tanh();
  return CHECK_SUMMARY();
}
