/* pylite: the vectorized rows of capi/kernels/internal/quant_lut.c: the
 * int16 LOGISTIC (pl_q_logistic16) over every int16 input, for the input
 * rescalings LiteRT's prepare makes (power-of-two and general scales) and
 * hostile ones (any multiplier, shifts 0..31), and the 8-bit table lookup
 * (pl_q_lut8_apply) for random and structured tables over every byte, on
 * rows of odd lengths: the AVX2 path, the portable path and the scalar
 * definition agree bit for bit. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant_lut.h"
#include "check.h"

static uint64_t g_state = 0x9E3779B97F4A7C15ull;
static uint32_t next_u32(void) {
  g_state ^= g_state << 13;
  g_state ^= g_state >> 7;
  g_state ^= g_state << 17;
  return (uint32_t)(g_state >> 11);
}

enum { kAll = 65536 };

static int check_logistic16(int32_t multiplier, int shift) {
  static int16_t x[kAll + 7], fast[kAll + 7], portable[kAll + 7];
  for (int i = 0; i < kAll; ++i) x[i] = (int16_t)(i - 32768);
  /* An odd length (the remainder) and an offset start. */
  const int64_t n = kAll - 1 - (int64_t)(next_u32() % 7);
  const int16_t* xs = x + 1;
  pl_simd_force_portable(false);
  pl_q_logistic16(xs, fast, n, multiplier, shift);
  pl_simd_force_portable(true);
  pl_q_logistic16(xs, portable, n, multiplier, shift);
  pl_simd_force_portable(false);
  int mismatches = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int16_t want =
        pl_q_logistic16_one(pl_q_sigmoid16_input(xs[i], multiplier, shift));
    if (fast[i] != want || portable[i] != want) {
      if (mismatches < 4)
        printf("  logistic16 mult %d shift %d x %d: want %d, avx2 %d, "
               "portable %d\n", multiplier, shift, xs[i], want, fast[i],
               portable[i]);
      ++mismatches;
    }
  }
  return mismatches;
}

static int check_lut8(const uint8_t lut[256]) {
  enum { kN = 1000 };
  uint8_t tables[256], x[kN], fast[kN], portable[kN];
  pl_q_lut8_shuffle_tables(lut, tables);
  for (int i = 0; i < kN; ++i) x[i] = i < 256 ? (uint8_t)i : (uint8_t)next_u32();
  const int64_t n = kN - (int64_t)(next_u32() % 40);
  pl_simd_force_portable(false);
  pl_q_lut8_apply(lut, tables, x, fast, n);
  pl_simd_force_portable(true);
  pl_q_lut8_apply(lut, tables, x, portable, n);
  pl_simd_force_portable(false);
  int mismatches = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (fast[i] != lut[x[i]] || portable[i] != lut[x[i]]) {
      if (mismatches < 4)
        printf("  lut8 x %d: want %d, avx2 %d, portable %d\n", x[i],
               lut[x[i]], fast[i], portable[i]);
      ++mismatches;
    }
  }
  return mismatches;
}

static void test_lut8(void) {
  uint8_t lut[256];
  int mismatches = 0;
  for (int k = 0; k < 40; ++k) {
    for (int i = 0; i < 256; ++i) {
      switch (k % 4) {
        case 0: lut[i] = (uint8_t)next_u32(); break;
        case 1: lut[i] = (uint8_t)i; break;
        case 2: lut[i] = (uint8_t)(255 - i); break;
        default: lut[i] = (uint8_t)(i < 128 ? 0x80 : 0x7F); break;
      }
    }
    mismatches += check_lut8(lut);
  }
  printf("lut8: 40 tables, %d mismatches\n", mismatches);
  CHECK(mismatches == 0);
}

int main(void) {
  test_lut8();
  int mismatches = 0, cases = 0;
  /* Power-of-two input scales: the factor 3 shifted. */
  for (int s = 0; s <= 4; ++s, ++cases) mismatches += check_logistic16(3 << s, 0);
  /* General scales as pl_sigmoid_int16_setup makes them. */
  for (int k = 0; k < 24; ++k, ++cases) {
    const double scale = (1.0 + (next_u32() % 1000) / 1000.0) / (1 << (next_u32() % 20));
    double m = scale * 4096.0 * 3.0;
    int shift = 0;
    while (m <= 32767.0 / 2.0 && shift <= 30) {
      ++shift;
      m *= 2.0;
    }
    mismatches += check_logistic16(m < 2147483648.0 ? (int32_t)m : INT32_MIN,
                                   shift);
  }
  /* Hostile. */
  static const int32_t kEdges[] = {INT32_MIN, INT32_MAX, -1, 0, 1, 65536};
  for (int k = 0; k < 30; ++k, ++cases) {
    const int32_t m = k < 6 ? kEdges[k] : (int32_t)next_u32();
    mismatches += check_logistic16(m, (int)(next_u32() % 32));
  }
  printf("logistic16: %d cases of every int16 input, %d mismatches\n", cases,
         mismatches);
  CHECK(mismatches == 0);
  return CHECK_SUMMARY();
}
