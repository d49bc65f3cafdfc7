/* pylite: tests of the quantized convolutions' helpers
 * (capi/kernels/internal/quant_conv.c) and of their thread independence.
 *
 * - The hybrid input quantization, on hand-worked values: LiteRT's
 *   asymmetric rule (range widened to 0, zero point from the side with the
 *   smaller error, nudged into [-128, 127]) and its symmetric one.
 * - The integer GEMMs and the depthwise sums against the plain loop, on
 *   the portable, AVX2 and VNNI paths, with sums that wrap around int32 as
 *   TFLite's accumulators do.
 * - Converter-made quantized models of the conformance suite give the same
 *   bytes with one thread, two and four. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant_conv.h"
#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

#define OP_TEST_NAME "quantized conv test"
#include "op_test_util.h"

static void test_asymmetric(void) {
  int8_t q[3];
  float scale = 0;
  int32_t offset = 0;
  /* [-1, 3]: scale 4/255; both sides give zero point -64.25, the min side
   * has the smaller error; -64.25 rounds to -64. */
  const float x[3] = {-1.0f, 0.0f, 3.0f};
  pl_qconv_quantize_asymmetric(x, 3, q, &scale, &offset);
  CHECK(scale == (float)(4.0 / 255.0));
  CHECK(offset == -64);
  CHECK(q[0] == -128 && q[1] == -64 && q[2] == 127);

  /* All positive: the range starts at 0, zero point -128; 1.0 lands on
   * -0.5, rounded away from zero. */
  const float p[2] = {1.0f, 2.0f};
  pl_qconv_quantize_asymmetric(p, 2, q, &scale, &offset);
  CHECK(offset == -128);
  CHECK(q[0] == -1 && q[1] == 127);

  /* All zero: scale 1, zero point 0, zeros. */
  const float z[3] = {0.0f, 0.0f, 0.0f};
  memset(q, 5, sizeof(q));
  pl_qconv_quantize_asymmetric(z, 3, q, &scale, &offset);
  CHECK(scale == 1.0f && offset == 0);
  CHECK(q[0] == 0 && q[1] == 0 && q[2] == 0);
}

static void test_symmetric(void) {
  int8_t q[3];
  float scale = 0;
  const float x[3] = {-2.0f, 1.0f, 0.5f};
  pl_qconv_quantize_symmetric(x, 3, q, &scale);
  CHECK(scale == 2.0f / 127.0f);
  /* 127 / 2 = 63.5 per unit: 63.5 rounds away from zero. */
  CHECK(q[0] == -127 && q[1] == 64 && q[2] == 32);
  const float z[2] = {0.0f, -0.0f};
  pl_qconv_quantize_symmetric(z, 2, q, &scale);
  CHECK(scale == 1.0f && q[0] == 0 && q[1] == 0);
}

static uint32_t g_seed = 88172645u;
static int16_t rand_i16(void) {
  g_seed ^= g_seed << 13;
  g_seed ^= g_seed >> 17;
  g_seed ^= g_seed << 5;
  return (int16_t)(g_seed >> 16);
}

static void check_gemm(int64_t m, int64_t n, int64_t k, int64_t lda,
                       bool extreme) {
  int16_t* a = malloc(sizeof(int16_t) * (size_t)(m * lda + 1));
  int16_t* b = malloc(sizeof(int16_t) * (size_t)(n * k + 1));
  int32_t* got32 = malloc(sizeof(int32_t) * (size_t)(m * n + 1));
  int64_t* got64 = malloc(sizeof(int64_t) * (size_t)(m * n + 1));
  for (int64_t i = 0; i < m * lda; ++i) a[i] = extreme ? INT16_MIN : rand_i16();
  for (int64_t i = 0; i < n * k; ++i) b[i] = extreme ? INT16_MIN : rand_i16();
  int16_t* packed =
      malloc(sizeof(int16_t) * (size_t)(pl_qgemm_packed_size(n, k) + 1));
  int32_t* packed32 = malloc(sizeof(int32_t) * (size_t)(m * n + 1));
  pl_qgemm_pack(b, n, k, packed);
  for (int portable = 0; portable < 2; ++portable) {
    pl_simd_force_portable(portable == 1);
    pl_qgemm_i32(a, lda, b, m, n, k, got32, n);
    pl_qgemm_i64(a, lda, b, m, n, k, got64, n);
    pl_qgemm_i32_packed(a, lda, packed, m, n, k, packed32, n);
    int bad32 = 0, bad64 = 0, bad_packed = 0;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        uint32_t s32 = 0;
        int64_t s64 = 0;
        for (int64_t d = 0; d < k; ++d) {
          const int32_t p = (int32_t)a[i * lda + d] * b[j * k + d];
          s32 += (uint32_t)p;
          s64 += p;
        }
        if (got32[i * n + j] != (int32_t)s32) ++bad32;
        if (packed32[i * n + j] != (int32_t)s32) ++bad_packed;
        if (got64[i * n + j] != s64) ++bad64;
      }
    }
    CHECK(bad32 == 0);
    CHECK(bad_packed == 0);
    CHECK(bad64 == 0);
  }
  pl_simd_force_portable(false);
  free(packed);
  free(packed32);
  free(a);
  free(b);
  free(got32);
  free(got64);
}

static void test_gemm(void) {
  check_gemm(1, 1, 1, 1, false);
  check_gemm(7, 5, 13, 13, false);
  check_gemm(9, 16, 200, 211, false); /* a strided A, as the direct 1x1 */
  check_gemm(13, 19, 27, 27, false);  /* odd k, partial row and column blocks */
  check_gemm(4, 8, 16, 16, false);    /* whole blocks */
  check_gemm(3, 6, 0, 4, false);      /* empty sums */
  /* (-32768)^2 * 4 = 2^32: the int32 sum wraps to 0, the int64 one not. */
  check_gemm(2, 5, 4, 4, true);
  int16_t a[4] = {INT16_MIN, INT16_MIN, INT16_MIN, INT16_MIN};
  int32_t s32 = -1;
  int64_t s64 = -1;
  pl_qgemm_i32(a, 4, a, 1, 1, 4, &s32, 1);
  pl_qgemm_i64(a, 4, a, 1, 1, 4, &s64, 1);
  CHECK(s32 == 0);
  CHECK(s64 == ((int64_t)1 << 32));
}

/* The depthwise kernel on 3 pixels of `taps` rows of int8 or uint8 values
 * (random, or the extremes), as sums and through the output stage, against
 * the plain loop and pl_q_mul, on the portable, AVX2 and VNNI paths; the
 * taps addressed by a table of pointers (pattern false) or by one pattern
 * of offsets moving by a row per pixel. */
static void check_dw_mode(int64_t taps, int64_t channels, bool u8,
                          bool extreme, bool pattern) {
  enum { kPixels = 3 };
  const size_t n = (size_t)((taps + kPixels) * channels + 1);
  uint8_t* x = malloc(n);
  int16_t* w = malloc(sizeof(int16_t) * n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = extreme ? (u8 ? 255 : 0x80) : (uint8_t)rand_i16();
    /* uint8 filters hold w - zw in [-255, 255]. */
    w[i] = extreme ? (u8 ? -255 : -128)
                   : (int16_t)(u8 ? rand_i16() % 256 : (int8_t)rand_i16());
  }
  /* Pixel p reads the taps rotated by p (table), or rows p to p + taps - 1
   * (pattern). */
  intptr_t* rows = malloc(sizeof(intptr_t) * (size_t)(kPixels * taps + 1));
  intptr_t* offsets = malloc(sizeof(intptr_t) * (size_t)(taps + 1));
  for (int64_t t = 0; t < taps; ++t) offsets[t] = (intptr_t)(t * channels);
  for (int64_t p = 0; p < kPixels; ++p)
    for (int64_t t = 0; t < taps; ++t)
      rows[p * taps + t] =
          (intptr_t)(x + (pattern ? t + p : (t + p) % taps) * channels);
  void* packed = NULL;
  const size_t m = (size_t)(channels + 1);
  int32_t* init = malloc(sizeof(int32_t) * m);
  int32_t* mult = malloc(sizeof(int32_t) * m);
  int* shift = malloc(sizeof(int) * m);
  int32_t* sums = malloc(sizeof(int32_t) * m * kPixels);
  uint8_t* y = malloc(m * kPixels + 2 * kPixels);
  for (int64_t j = 0; j < channels; ++j) {
    init[j] = extreme ? INT32_MAX : (int32_t)rand_i16() * 1000;
    mult[j] = (int32_t)((1u << 30) | ((uint32_t)rand_i16() << 14));
    shift[j] = j % 7 == 6 ? rand_i16() % 31 : -(int)((uint16_t)rand_i16() % 20);
  }
  const int64_t ldy = channels + 2;
  const PlQdwOut out = {.multiplier = mult, .shift = shift,
                        .zero_point = u8 ? 128 : -1, .lo = u8 ? 3 : -128,
                        .hi = u8 ? 255 : 100, .y = y, .ldy = ldy};
  bool bytes = false;
  for (int path = 0; path < 3; ++path) { /* VNNI, AVX2, portable */
    pl_simd_cap(path == 0 ? -1 : path == 1 ? PL_SIMD_AVX2 : PL_SIMD_PORTABLE);
    /* Each path packs in its own form; with the pattern, the paths run
     * the first path's packing instead (a level lowered after packing). */
    if (path == 0 || !pattern) {
      free(packed);
      packed = malloc((size_t)pl_qdw_packed_size(taps, channels, u8) + 1);
      bytes = pl_qdw_pack(w, taps, channels, u8, packed);
    }
    PlQdwArgs args = {.table = rows, .u8 = u8, .bytes = bytes,
                      .packed = packed, .w = w,
                      .taps = taps, .channels = channels, .pixels = kPixels,
                      .init = init, .sums = sums, .out = NULL};
    if (pattern) { /* pixel 0 through the table, 1 and 2 the pattern */
      args.inner_begin = 1;
      args.inner_end = kPixels;
      args.base = (uintptr_t)x;
      args.step = channels;
      args.pattern = offsets;
    }
    pl_qdw(&args);
    args.out = &out;
    memset(y, 0x55, m * kPixels + 2 * kPixels);
    pl_qdw(&args);
    int bad = 0, bad_out = 0;
    for (int64_t p = 0; p < kPixels; ++p)
      for (int64_t j = 0; j < channels; ++j) {
        uint32_t s = (uint32_t)init[j];
        for (int64_t t = 0; t < taps; ++t) {
          const uint8_t* r = (const uint8_t*)rows[p * taps + t];
          const int32_t v = u8 ? r[j] : (int8_t)r[j];
          s += (uint32_t)(v * w[t * channels + j]);
        }
        if (sums[p * channels + j] != (int32_t)s) ++bad;
        const int32_t want = pl_q_clamp(
            pl_q_add(pl_q_mul((int32_t)s, mult[j], shift[j]), out.zero_point),
            out.lo, out.hi);
        const int32_t got = u8 ? y[p * ldy + j] : (int8_t)y[p * ldy + j];
        if (got != want) ++bad_out;
      }
    CHECK(bad == 0);
    CHECK(bad_out == 0);
  }
  pl_simd_cap(-1);
  free(x);
  free(w);
  free(rows);
  free(offsets);
  free(packed);
  free(init);
  free(mult);
  free(shift);
  free(sums);
  free(y);
}

static void check_dw(int64_t taps, int64_t channels, bool u8, bool extreme) {
  check_dw_mode(taps, channels, u8, extreme, false);
  check_dw_mode(taps, channels, u8, extreme, true);
}

static void test_dw(void) {
  for (int u8 = 0; u8 < 2; ++u8) {
    check_dw(9, 32, u8, false);  /* 3x3, whole blocks */
    check_dw(4, 48, u8, false);  /* even taps */
    check_dw(25, 37, u8, false); /* 5x5, a partial block */
    check_dw(1, 7, u8, false);   /* channels below one block */
    check_dw(9, 8, u8, false);   /* one block of 8 */
    check_dw(9, 29, u8, false);  /* 16, 8, then 5 one at a time */
    check_dw(4, 24, u8, true);   /* 16 and 8, the extremes */
    check_dw(1, 16, u8, false);  /* one tap */
    check_dw(9, 33, u8, true);   /* the largest products, wrapping sums */
    check_dw(9, 64, u8, false);  /* one wide block of 64 (int8) */
    check_dw(9, 144, u8, false); /* two wide, one of 16 */
    check_dw(25, 130, u8, false); /* 5x5: wide, 16, then 2 */
    check_dw(2, 192, u8, true);  /* three wide, the extremes */
    check_dw(3, 64, u8, false);
    check_dw(1, 64, u8, false);
  }
}

/* The uint8 x int8 GEMM, its output stage and its sums against the plain
 * loop and pl_q_mul, with VNNI (when the CPU has it) and without. */
static void check_dot(int64_t m, int64_t n, int64_t k, bool extreme) {
  const int64_t lda = pl_qdot_depth(k) + 3; /* a strided A */
  const int64_t ldy = n + 2;                /* a strided output */
  uint8_t* a = malloc((size_t)(m * lda + 1));
  int8_t* w = malloc((size_t)(n * k + 1));
  for (int64_t i = 0; i < m * lda; ++i)
    a[i] = extreme ? 255 : (uint8_t)rand_i16();
  for (int64_t i = 0; i < n * k; ++i)
    w[i] = extreme ? -128 : (int8_t)rand_i16();
  int8_t* packed = malloc((size_t)(pl_qdot_packed_size(n, k) + 1));
  int32_t* wsum = malloc(sizeof(int32_t) * (size_t)(n + 1));
  int32_t* init = malloc(sizeof(int32_t) * (size_t)(n + 1));
  int32_t* mult = malloc(sizeof(int32_t) * (size_t)(n + 1));
  int* shift = malloc(sizeof(int) * (size_t)(n + 1));
  int8_t* y = malloc((size_t)(m * ldy + 1));
  int32_t* sums = malloc(sizeof(int32_t) * (size_t)(m * ldy + 1));
  pl_qdot_pack(w, n, k, packed, wsum);
  /* The layout quant_conv.h documents: blocks of 16 columns, 4 values of a
   * column per quad, zeros past the last column and the last k. */
  const int64_t quads = pl_qdot_depth(k) / 4;
  int bad_pack = 0;
  for (int64_t b = 0; b * 16 < n; ++b)
    for (int64_t q = 0; q < quads; ++q)
      for (int64_t c = 0; c < 16; ++c)
        for (int64_t r = 0; r < 4; ++r) {
          const int64_t j = 16 * b + c, d = 4 * q + r;
          const int8_t want = (int8_t)(j < n && d < k ? w[j * k + d] : 0);
          bad_pack += packed[((b * quads + q) * 16 + c) * 4 + r] != want;
        }
  CHECK(bad_pack == 0);
  for (int64_t j = 0; j < n; ++j) {
    init[j] = extreme ? INT32_MIN : (int32_t)rand_i16() * 977;
    /* As pl_q_multiplier makes them: in [2^30, 2^31); shifts mostly the
     * usual small negative ones, some hostile. */
    mult[j] = (int32_t)((1u << 30) | ((uint32_t)rand_i16() << 14));
    shift[j] = j % 5 == 4 ? rand_i16() % 31 : -(int)((uint16_t)rand_i16() % 20);
  }
  const PlQdotOut out = {.multiplier = mult, .shift = shift,
                         .zero_point = extreme ? 127 : -3,
                         .lo = extreme ? -128 : -100, .hi = 127, .y = y,
                         .ldy = ldy};
  for (int off = 0; off < 2; ++off) {
    pl_simd_force_avx2(off == 1);
    memset(y, 0x55, (size_t)(m * ldy + 1));
    pl_qdot(a, lda, packed, init, m, n, k, &out);
    const PlQdotOut as_sums = {.ldy = ldy, .sums = sums};
    pl_qdot(a, lda, packed, init, m, n, k, &as_sums);
    int bad = 0, bad_sum = 0, bad_gap = 0, bad_sums = 0;
    for (int64_t j = 0; j < n; ++j) {
      uint32_t ws = 0;
      for (int64_t d = 0; d < k; ++d) ws += (uint32_t)w[j * k + d];
      if (wsum[j] != (int32_t)ws) ++bad_sum;
      for (int64_t i = 0; i < m; ++i) {
        uint32_t s = (uint32_t)init[j];
        for (int64_t d = 0; d < k; ++d)
          s += (uint32_t)(a[i * lda + d] * w[j * k + d]);
        const int32_t want = pl_q_clamp(
            pl_q_add(pl_q_mul((int32_t)s, mult[j], shift[j]), out.zero_point),
            out.lo, out.hi);
        if (y[i * ldy + j] != want) ++bad;
        if (sums[i * ldy + j] != (int32_t)s) ++bad_sums;
      }
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = n; j < ldy; ++j)
        if (y[i * ldy + j] != 0x55) ++bad_gap; /* untouched between rows */
    CHECK(bad == 0);
    CHECK(bad_sum == 0);
    CHECK(bad_gap == 0);
    CHECK(bad_sums == 0);
  }
  pl_simd_force_avx2(false);
  free(a);
  free(w);
  free(packed);
  free(wsum);
  free(init);
  free(mult);
  free(shift);
  free(y);
  free(sums);
}

static void test_dot(void) {
  check_dot(1, 1, 1, false);
  check_dot(9, 16, 27, false);  /* 3x3x3: k rounded up to 28 */
  check_dot(13, 37, 96, false); /* partial row tiles and column blocks */
  check_dot(8, 32, 64, false);  /* whole tiles */
  check_dot(3, 5, 0, false);    /* empty sums: the starting sums */
  check_dot(5, 17, 4099, true); /* 255 * -128 * 4099 wraps past int32 */
  /* At most 8 columns: two rows per vector (pairs of tiles, a last odd
   * row alone). */
  check_dot(2, 8, 48, false);
  check_dot(17, 8, 32, false);
  check_dot(23, 5, 20, false);
  check_dot(8, 1, 8, false);
  check_dot(11, 8, 200, true);
}

/* pl_qdot_seg (rows of segments read in place) against the plain loop on
 * the gathered values, with VNNI (when the CPU has it) and without: rows
 * overlapping (lda smaller than a row), segments of 9 values (a 3x3 filter
 * row of 3 channels, padded to 12). */
static void check_dot_seg(int64_t m, int64_t n, int64_t segs, int64_t seg_k,
                          int64_t lda, int64_t seg_step) {
  const int64_t seg_depth = pl_qdot_depth(seg_k), k = segs * seg_depth;
  const size_t a_bytes = (size_t)((m - 1) * lda + (segs - 1) * seg_step +
                                  seg_depth + 1);
  uint8_t* a = malloc(a_bytes);
  for (size_t i = 0; i < a_bytes; ++i) a[i] = (uint8_t)rand_i16();
  int8_t* w = calloc((size_t)(n * k + 1), 1);
  for (int64_t j = 0; j < n; ++j)
    for (int64_t g = 0; g < segs; ++g)
      for (int64_t d = 0; d < seg_k; ++d)
        w[j * k + g * seg_depth + d] = (int8_t)rand_i16();
  int8_t* packed = malloc((size_t)(pl_qdot_packed_size(n, k) + 1));
  int32_t* wsum = malloc(sizeof(int32_t) * (size_t)(n + 1));
  int32_t* init = malloc(sizeof(int32_t) * (size_t)(n + 1));
  int32_t* mult = malloc(sizeof(int32_t) * (size_t)(n + 1));
  int* shift = malloc(sizeof(int) * (size_t)(n + 1));
  int8_t* y = malloc((size_t)(m * n + 1));
  int32_t* sums = malloc(sizeof(int32_t) * (size_t)(m * n + 1));
  pl_qdot_pack(w, n, k, packed, wsum);
  for (int64_t j = 0; j < n; ++j) {
    init[j] = (int32_t)rand_i16() * 977;
    mult[j] = (int32_t)((1u << 30) | ((uint32_t)rand_i16() << 14));
    shift[j] = -(int)((uint16_t)rand_i16() % 12) - 4;
  }
  const PlQdotOut out = {.multiplier = mult, .shift = shift,
                         .zero_point = 3, .lo = -128, .hi = 127, .y = y,
                         .ldy = n};
  const PlQdotOut as_sums = {.ldy = n, .sums = sums};
  for (int path = 0; path < 2; ++path) {
    pl_simd_force_avx2(path == 1);
    pl_qdot_seg(a, lda, segs, seg_step, seg_k, packed, init, m, n, &out);
    pl_qdot_seg(a, lda, segs, seg_step, seg_k, packed, init, m, n, &as_sums);
    int bad = 0, bad_sums = 0;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        uint32_t s = (uint32_t)init[j];
        for (int64_t g = 0; g < segs; ++g)
          for (int64_t d = 0; d < seg_k; ++d)
            s += (uint32_t)(a[i * lda + g * seg_step + d] *
                            w[j * k + g * seg_depth + d]);
        const int32_t want = pl_q_clamp(
            pl_q_add(pl_q_mul((int32_t)s, mult[j], shift[j]), 3), -128, 127);
        if (y[i * n + j] != want) ++bad;
        if (sums[i * n + j] != (int32_t)s) ++bad_sums;
      }
    CHECK(bad == 0);
    CHECK(bad_sums == 0);
  }
  pl_simd_force_avx2(false);
  free(a);
  free(w);
  free(packed);
  free(wsum);
  free(init);
  free(mult);
  free(shift);
  free(y);
  free(sums);
}

static void test_dot_seg(void) {
  check_dot_seg(7, 16, 3, 9, 6, 200);   /* a 3x3 stride-2 first layer */
  check_dot_seg(5, 32, 3, 9, 6, 200);
  check_dot_seg(9, 37, 2, 16, 16, 100); /* whole quads, odd columns */
  check_dot_seg(4, 8, 5, 15, 3, 77);    /* 5x5 rows of 3 channels */
  check_dot_seg(13, 8, 3, 9, 6, 200);   /* narrow: two rows per vector */
  check_dot_seg(9, 6, 2, 16, 16, 100);
}

/* The fused output stage alone (k = 0: the sums are the starting sums) on
 * edge sums, multipliers and every shift from -31 to 30, against
 * pl_q_mul, on every path. */
static void test_dot_requantize(void) {
  enum { kN = 62 * 4, kRows = 5 }; /* a tile of 4 rows, then one */
  static const int32_t sums[] = {0, 1, -1, INT32_MAX, INT32_MIN, 1 << 30,
                                 -(1 << 30), 12345, -12345, 0x40000000 - 1};
  static const int32_t mults[] = {0, 1 << 30, INT32_MAX, 0x5A5A5A5A};
  int32_t init[kN], mult[kN];
  int shift[kN];
  int8_t y[kRows * kN];
  const uint8_t a[4 * kRows] = {0};
  int8_t* packed = malloc((size_t)pl_qdot_packed_size(kN, 0) + 1);
  int32_t wsum[kN];
  const int8_t w0 = 0;
  pl_qdot_pack(&w0, kN, 0, packed, wsum); /* k = 0: w is not read */
  for (int round = 0; round < 40; ++round) {
    for (int j = 0; j < kN; ++j) {
      init[j] = round < 10 ? sums[(j + round) % 10] : (int32_t)(
          ((uint32_t)rand_i16() << 16) ^ (uint32_t)rand_i16());
      mult[j] = j % 8 < 4 ? mults[j % 4]
                          : (int32_t)((1u << 30) | ((uint32_t)rand_i16() << 14));
      shift[j] = j / 4 - 31;
    }
    const int32_t zp = round % 3 == 0 ? 127 : -5;
    const PlQdotOut out = {.multiplier = mult, .shift = shift,
                           .zero_point = zp, .lo = -128, .hi = 127, .y = y,
                           .ldy = kN};
    for (int path = 0; path < 3; ++path) {
      pl_simd_cap(path == 0 ? -1 : path == 1 ? PL_SIMD_AVX2 : PL_SIMD_PORTABLE);
      memset(y, 0x55, sizeof(y));
      pl_qdot(a, 4, packed, init, kRows, kN, 0, &out);
      int bad = 0;
      for (int j = 0; j < kN; ++j) {
        const int32_t want = pl_q_clamp(
            pl_q_add(pl_q_mul(init[j], mult[j], shift[j]), zp), -128, 127);
        for (int i = 0; i < kRows; ++i) bad += y[i * kN + j] != want;
      }
      CHECK(bad == 0);
    }
  }
  pl_simd_cap(-1);
  free(packed);
}

/* The hybrid input quantization: the AVX2 path equals the portable one on
 * ties, huge values, infinities and NaN, with remainders. */
static void test_quantize_paths(void) {
  enum { kN = 203 };
  float x[kN];
  for (int i = 0; i < kN; ++i) x[i] = (float)rand_i16() / 64.0f;
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 1e30f;
  x[4] = -1e30f;
  x[5] = 0.49999997f;
  x[6] = -0.0f;
  float y[kN];
  memcpy(y, x, sizeof(y));
  y[7] = (float)INFINITY;
  y[8] = (float)NAN;
  y[0] = (float)NAN; /* a NaN first: the range is NaN */
  /* Halves, and 127 first: symmetric scale 1, every odd half a tie. */
  float z[kN];
  for (int i = 0; i < kN; ++i) z[i] = (float)(i - 101) / 2.0f;
  z[0] = 127.0f;
  /* The floats next to those halves and integers (the rounding's edges). */
  float e[kN];
  for (int i = 0; i < kN; ++i)
    e[i] = nextafterf((float)(i / 2 - 50) / 2.0f, i % 2 ? 200.0f : -200.0f);
  e[0] = 127.0f;
  const float* inputs[5] = {x, y, y + 1, z, e};
  const int64_t sizes[5] = {kN, kN, kN - 1, kN, kN};
  for (int c = 0; c < 5; ++c) {
    for (int64_t n = 0; n <= sizes[c]; n += (n < 20 ? 1 : 37)) {
      int8_t qa[2][kN], qs[2][kN];
      float sa[2], ss[2];
      int32_t oa[2];
      for (int portable = 0; portable < 2; ++portable) {
        pl_simd_force_portable(portable == 1);
        pl_qconv_quantize_asymmetric(inputs[c], n, qa[portable], &sa[portable],
                                     &oa[portable]);
        pl_qconv_quantize_symmetric(inputs[c], n, qs[portable],
                                    &ss[portable]);
      }
      pl_simd_force_portable(false);
      CHECK(memcmp(qa[0], qa[1], (size_t)n) == 0);
      CHECK(memcmp(qs[0], qs[1], (size_t)n) == 0);
      CHECK(memcmp(&sa[0], &sa[1], sizeof(float)) == 0);
      CHECK(memcmp(&ss[0], &ss[1], sizeof(float)) == 0);
      CHECK(oa[0] == oa[1]);
    }
  }
}

/* Runs a one-input model with `threads` threads on bytes `in`; returns the
 * output bytes (malloc'd) or NULL. */
static unsigned char* run_model(const char* path, int threads,
                                const unsigned char* in, size_t* out_size,
                                size_t* in_size) {
  TfLiteModel* model = TfLiteModelCreateFromFile(path);
  if (!model) return NULL;
  TfLiteInterpreterOptions* o = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetNumThreads(o, threads);
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, o);
  TfLiteInterpreterOptionsDelete(o);
  TfLiteModelDelete(model);
  unsigned char* out = NULL;
  if (interp && TfLiteInterpreterAllocateTensors(interp) == kTfLiteOk) {
    TfLiteTensor* x = TfLiteInterpreterGetInputTensor(interp, 0);
    *in_size = TfLiteTensorByteSize(x);
    if (in) TfLiteTensorCopyFromBuffer(x, in, *in_size);
    if (TfLiteInterpreterInvoke(interp) == kTfLiteOk) {
      const TfLiteTensor* y = TfLiteInterpreterGetOutputTensor(interp, 0);
      *out_size = TfLiteTensorByteSize(y);
      out = malloc(*out_size);
      TfLiteTensorCopyToBuffer(y, out, *out_size);
    }
  }
  TfLiteInterpreterDelete(interp);
  return out;
}

static void test_threads(void) {
  const char* models[] = {
      "tests/conformance/models/qconv/conv_blocks_int8.tflite",
      "tests/conformance/models/qconv/dw_rows_int8.tflite",
      "tests/conformance/models/qconv/conv_wide_16x8.tflite",
      "tests/conformance/models/qconv/conv_hybrid.tflite",
      "tests/conformance/models/qconv/dw_hybrid_stride2.tflite",
      "tests/conformance/models/qconv/u8_conv_grouped.tflite",
      "tests/conformance/models/qmodels/mobilenet_v2_int8.tflite",
      "tests/conformance/models/qmodels/efficientnet_b0_int8.tflite",
  };
  for (size_t m = 0; m < sizeof(models) / sizeof(models[0]); ++m) {
    size_t in_size = 0, out1 = 0, out4 = 0;
    unsigned char* probe = run_model(models[m], 1, NULL, &out1, &in_size);
    CHECK(probe != NULL);
    free(probe);
    unsigned char* in = malloc(in_size ? in_size : 1);
    for (size_t i = 0; i < in_size; ++i) in[i] = (unsigned char)(rand_i16());
    if (strstr(models[m], "hybrid")) {
      /* Finite floats for the hybrid models. */
      float* f = (float*)in;
      for (size_t i = 0; i < in_size / sizeof(float); ++i)
        f[i] = (float)rand_i16() / 4096.0f;
    }
    unsigned char* y1 = run_model(models[m], 1, in, &out1, &in_size);
    for (int threads = 2; threads <= 4; threads += 2) {
      unsigned char* y4 = run_model(models[m], threads, in, &out4, &in_size);
      CHECK(y1 != NULL && y4 != NULL);
      CHECK(out1 == out4);
      if (y1 && y4 && out1 == out4) CHECK(memcmp(y1, y4, out1) == 0);
      free(y4);
    }
    free(in);
    free(y1);
  }
}

/* An int8 CONV_2D (b x h x w x c input, oc filters of f x f) run first in
 * its im2col form (AVX2 level), then on the CPU's best path at 1, 2 and 4
 * threads: every output byte the same. */
static void check_conv_forms(int b, int h, int w, int c, int oc, int f,
                             int padding, int stride_w, int stride_h,
                             int dilation_h) {
  const size_t x_size = (size_t)b * h * w * c, w_size = (size_t)oc * f * f * c;
  int8_t* x = malloc(x_size);
  int8_t* wts = malloc(w_size);
  int32_t* bias = malloc(sizeof(int32_t) * (size_t)oc);
  for (size_t i = 0; i < x_size; ++i) x[i] = (int8_t)rand_i16();
  for (size_t i = 0; i < w_size; ++i) wts[i] = (int8_t)rand_i16();
  for (int i = 0; i < oc; ++i) bias[i] = rand_i16() % 5000;
  /* Output sizes as TFLite's padding (SAME 0, VALID 1). */
  const int eff_h = (f - 1) * dilation_h + 1;
  const int oh = padding == 0 ? (h + stride_h - 1) / stride_h
                              : (h - eff_h + stride_h) / stride_h;
  const int ow = padding == 0 ? (w + stride_w - 1) / stride_w
                              : (w - f + stride_w) / stride_w;
  unsigned char* first = NULL;
  const size_t out_bytes = (size_t)b * oh * ow * oc;
  for (int run = 0; run < 4; ++run) {
    const int threads = run == 0 ? 1 : run == 1 ? 1 : run == 2 ? 2 : 4;
    pl_simd_force_avx2(run == 0); /* run 0: the im2col form */
    Op o;
    op_begin(&o);
    op_input(&o, T_I8, 4, (int[]){b, h, w, c});
    o.sg->tensors[o.sg->num_tensors - 1].scale = 0.5f;
    op_const(&o, T_I8, 4, (int[]){oc, f, f, c}, wts, w_size);
    o.sg->tensors[o.sg->num_tensors - 1].scale = 0.25f;
    op_const(&o, T_I32, 1, (int[]){oc}, bias, sizeof(int32_t) * (size_t)oc);
    o.sg->tensors[o.sg->num_tensors - 1].scale = 0.125f;
    op_output(&o, T_I8, 4, (int[]){b, oh, ow, oc});
    o.sg->tensors[o.sg->num_tensors - 1].scale = 3.0f;
    const int32_t fields[6] = {padding, stride_w, stride_h, 0, 1,
                               dilation_h};
    TfLiteInterpreter* it = op_load_threads(&o, 3 /* CONV_2D */,
                                            1 /* Conv2DOptions */, 6, fields,
                                            threads);
    const bool ok = it && TfLiteInterpreterAllocateTensors(it) == kTfLiteOk &&
                    write_raw(it, 0, x, x_size) &&
                    TfLiteInterpreterInvoke(it) == kTfLiteOk &&
                    TfLiteTensorByteSize(out(it, 0)) == out_bytes;
    CHECK(ok);
    if (ok) {
      const void* y = TfLiteTensorData(out(it, 0));
      if (!first) {
        first = malloc(out_bytes);
        memcpy(first, y, out_bytes);
      } else {
        CHECK(memcmp(first, y, out_bytes) == 0);
      }
    }
    op_release(&o, it);
  }
  pl_simd_force_avx2(false);
  free(first);
  free(x);
  free(wts);
  free(bias);
}

/* A short filter row (3 channels: the in-place form on CPUs with VNNI):
 * dilated rows, strides 1 and 2, SAME and VALID padding, two batches. */
static void check_conv_small_rows(int padding, int stride_w, int stride_h,
                                  int dilation_h) {
  check_conv_forms(2, 11, 10, 3, 5, 3, padding, stride_w, stride_h,
                   dilation_h);
}

/* Few pixels, many filters: at 2 and 4 threads the dot path splits the
 * filters (in 64s; here 200 = 3 x 64 + 8, a last block of 16 cut short). */
static void test_conv_few_pixels(void) {
  check_conv_forms(1, 2, 2, 128, 200, 1, 1, 1, 1, 1);
  check_conv_forms(2, 3, 3, 24, 320, 1, 1, 1, 1, 1);
}

static void test_conv_small_rows(void) {
  check_conv_small_rows(0, 2, 2, 1); /* the usual first layer */
  check_conv_small_rows(0, 1, 1, 2); /* dilated rows */
  check_conv_small_rows(1, 2, 1, 2);
  check_conv_small_rows(1, 1, 2, 1);
}

/* An int8 DEPTHWISE_CONV_2D on small images (one pl_qdw call for all the
 * rows of a batch) with two batches: each batch's output equals the same
 * model's on that batch alone, at 1, 2 and 4 threads. */
static unsigned char* run_dw(int batches, const int8_t* x, int threads,
                             size_t* out_bytes) {
  enum { kH = 5, kW = 6, kC = 16 };
  static int8_t wts[3 * 3 * kC];
  static int32_t bias[kC];
  for (size_t i = 0; i < sizeof(wts); ++i)
    wts[i] = (int8_t)(i * 37 % 251 - 120);
  for (int i = 0; i < kC; ++i) bias[i] = i * 311 - 2000;
  Op o;
  op_begin(&o);
  op_input(&o, T_I8, 4, (int[]){batches, kH, kW, kC});
  o.sg->tensors[o.sg->num_tensors - 1].scale = 0.5f;
  op_const(&o, T_I8, 4, (int[]){1, 3, 3, kC}, wts, sizeof(wts));
  o.sg->tensors[o.sg->num_tensors - 1].scale = 0.25f;
  op_const(&o, T_I32, 1, (int[]){kC}, bias, sizeof(bias));
  o.sg->tensors[o.sg->num_tensors - 1].scale = 0.125f;
  op_output(&o, T_I8, 4, (int[]){batches, kH, kW, kC});
  o.sg->tensors[o.sg->num_tensors - 1].scale = 2.0f;
  /* SAME, strides 1, depth multiplier 1, no activation, dilation_w 1
   * (dilation_h left at its default, 1). */
  const int32_t fields[6] = {0, 1, 1, 1, 0, 1};
  TfLiteInterpreter* it = op_load_threads(&o, 4 /* DEPTHWISE_CONV_2D */,
                                          2 /* options */, 6, fields,
                                          threads);
  unsigned char* y = NULL;
  *out_bytes = (size_t)(batches * kH * kW * kC);
  if (it && TfLiteInterpreterAllocateTensors(it) == kTfLiteOk &&
      write_raw(it, 0, x, *out_bytes) &&
      TfLiteInterpreterInvoke(it) == kTfLiteOk &&
      TfLiteTensorByteSize(out(it, 0)) == *out_bytes) {
    y = malloc(*out_bytes);
    memcpy(y, TfLiteTensorData(out(it, 0)), *out_bytes);
  }
  op_release(&o, it);
  return y;
}

static void test_dw_small_batches(void) {
  enum { kOne = 5 * 6 * 16 };
  int8_t x[2 * kOne];
  for (int i = 0; i < 2 * kOne; ++i) x[i] = (int8_t)rand_i16();
  size_t one_bytes = 0, two_bytes = 0;
  unsigned char* first = run_dw(1, x, 1, &one_bytes);
  unsigned char* second = run_dw(1, x + kOne, 1, &one_bytes);
  CHECK(first != NULL && second != NULL);
  for (int threads = 1; threads <= 4; threads *= 2) {
    unsigned char* both = run_dw(2, x, threads, &two_bytes);
    CHECK(both != NULL);
    if (both && first && second) {
      CHECK(memcmp(both, first, one_bytes) == 0);
      CHECK(memcmp(both + one_bytes, second, one_bytes) == 0);
    }
    free(both);
  }
  free(first);
  free(second);
}

int main(void) {
  test_asymmetric();
  test_symmetric();
  test_quantize_paths();
  test_gemm();
  test_dw();
  test_dot();
  test_dot_requantize();
  test_dot_seg();
  test_conv_small_rows();
  test_dw_small_batches();
  test_threads();
  test_conv_few_pixels();
  return CHECK_SUMMARY();
}
