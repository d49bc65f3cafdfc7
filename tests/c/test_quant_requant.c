/* pylite: pl_q_requantize_row(s) (capi/kernels/internal/quant.c), the shared
 * output stage of the quantized convolutions and matrix products: on
 * random and extreme accumulators, biases, multipliers and shifts
 * (-31..30), the AVX2 path, the portable path and the scalar definition
 * (pl_q_mul, clamp, store) agree bit for bit, for int8, uint8 and int16
 * outputs; the many-rows form equals the one-row form row by row. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant.h"
#include "check.h"

static int32_t pick_acc(void) {
  static const int32_t kEdges[] = {0, 1, -1, INT32_MAX, INT32_MIN, 1 << 30,
                                   -(1 << 30), 12345, -12345, 65535, -65536};
  const uint32_t r = check_rand_u32();
  if (r % 5 == 0) return kEdges[check_rand_u32() % (sizeof(kEdges) / 4)];
  if (r % 5 == 1) return (int32_t)(check_rand_u32() % 2001) - 1000;
  return (int32_t)check_rand_u32();
}

/* pl_q_requantize_rows on strided rows equals pl_q_requantize_row on each
 * row, on both paths, for every output type. */
static void test_rows(void) {
  enum { kR = 7, kN = 29, kLdAcc = 33, kLdOut = 31 };
  static const TfLiteType kTypes[3] = {kTfLiteInt8, kTfLiteUInt8,
                                       kTfLiteInt16};
  int32_t acc[kR * kLdAcc], bias[kN], mult[kN];
  int shift[kN];
  for (int i = 0; i < kR * kLdAcc; ++i) acc[i] = pick_acc();
  for (int j = 0; j < kN; ++j) {
    bias[j] = pick_acc();
    mult[j] = (int32_t)((1u << 30) | (check_rand_u32() & ((1u << 30) - 1)));
    shift[j] = (int)(check_rand_u32() % 62) - 31;
  }
  int bad = 0;
  for (int portable = 0; portable < 2; ++portable) {
    pl_simd_force_portable(portable == 1);
    for (int t = 0; t < 3; ++t) {
      int32_t lo = 0, hi = 0;
      pl_q_type_range(kTypes[t], &lo, &hi);
      int16_t rows[kR * kLdOut], one[kR * kLdOut];
      memset(rows, 0, sizeof(rows));
      memset(one, 0, sizeof(one));
      const size_t elem = kTypes[t] == kTfLiteInt16 ? 2 : 1;
      pl_q_requantize_rows(acc, kLdAcc, kR, bias, mult, shift, 3, lo, hi,
                           kTypes[t], rows, kLdOut, kN);
      for (int r = 0; r < kR; ++r)
        pl_q_requantize_row(acc + r * kLdAcc, bias, mult, shift, 3, lo, hi,
                            kTypes[t], (char*)one + r * kLdOut * elem, kN);
      if (memcmp(rows, one, sizeof(rows)) != 0) ++bad;
    }
  }
  pl_simd_force_portable(false);
  CHECK(bad == 0);
}

int main(void) {
  test_rows();
  enum { kRows = 400, kN = 37 };
  static const TfLiteType kTypes[3] = {kTfLiteInt8, kTfLiteUInt8,
                                       kTfLiteInt16};
  int32_t acc[kN], bias[kN], mult[kN];
  int shift[kN];
  int mismatches = 0, checked = 0;
  for (int row = 0; row < kRows; ++row) {
    for (int j = 0; j < kN; ++j) {
      acc[j] = pick_acc();
      bias[j] = row % 3 == 0 ? pick_acc() : (int32_t)(check_rand_u32() % 4001) - 2000;
      /* Multipliers as pl_q_multiplier makes them: 0 or in [2^30, 2^31). */
      mult[j] = check_rand_u32() % 17 == 0
                    ? 0
                    : (int32_t)((1u << 30) | (check_rand_u32() & ((1u << 30) - 1)));
      shift[j] = (int)(check_rand_u32() % 62) - 31;
      if (row % 4 == 0) shift[j] = (int)(check_rand_u32() % 12) - 10; /* typical */
    }
    const TfLiteType type = kTypes[row % 3];
    int32_t lo = 0, hi = 0;
    pl_q_type_range(type, &lo, &hi);
    const int32_t zp = row % 2 ? (int32_t)(check_rand_u32() % 21) - 10 : 0;
    const int32_t* b = row % 5 == 4 ? NULL : bias;
    int16_t fast[kN], portable[kN];
    memset(fast, 0, sizeof(fast));
    memset(portable, 0, sizeof(portable));
    pl_simd_force_portable(false);
    pl_simd_force_avx2(row % 2 == 1); /* AVX-512 (where present), AVX2 */
    pl_q_requantize_row(acc, b, mult, shift, zp, lo, hi, type, fast, kN);
    pl_simd_force_avx2(false);
    pl_simd_force_portable(true);
    pl_q_requantize_row(acc, b, mult, shift, zp, lo, hi, type, portable, kN);
    pl_simd_force_portable(false);
    for (int j = 0; j < kN; ++j) {
      const int32_t sum = (int32_t)((uint32_t)acc[j] + (uint32_t)(b ? b[j] : 0));
      const int32_t v = pl_q_clamp(pl_q_mul(sum, mult[j], shift[j]) + zp, lo, hi);
      int32_t got_fast, got_portable;
      switch (type) {
        case kTfLiteInt8:
          got_fast = ((int8_t*)fast)[j];
          got_portable = ((int8_t*)portable)[j];
          break;
        case kTfLiteUInt8:
          got_fast = ((uint8_t*)fast)[j];
          got_portable = ((uint8_t*)portable)[j];
          break;
        default:
          got_fast = fast[j];
          got_portable = portable[j];
          break;
      }
      if (got_fast != v || got_portable != v) {
        if (mismatches < 5)
          printf("  acc %d bias %d mult %d shift %d zp %d: want %d, avx2 %d, "
                 "portable %d\n", acc[j], b ? b[j] : 0, mult[j], shift[j], zp,
                 v, got_fast, got_portable);
        ++mismatches;
      }
      ++checked;
    }
  }
  printf("requantize_row: %d values, %d mismatches\n", checked, mismatches);
  CHECK(mismatches == 0);
  return CHECK_SUMMARY();
}
