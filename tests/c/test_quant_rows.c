/* pylite: the rows of capi/kernels/internal/quant_rows.c: QUANTIZE from
 * float32 on random and extreme inputs (ties at every half, NaN, +-inf,
 * values beyond int32, denormals) and scales (tiny, huge, powers of two),
 * for int8, uint8 and int16 outputs and rows of odd lengths: the AVX2
 * path, the portable path and the scalar definition agree bit for bit. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant_rows.h"
#include "check.h"

static float pick_scale(void) {
  static const float kScales[] = {1.0f, 0.5f, 1.0f / 256, 3e-38f, 1e-45f,
                                  3e38f, 0.1f, 0.003921569f};
  if (check_rand_u32() % 3 == 0) return kScales[check_rand_u32() % 8];
  return ldexpf(1.0f + (float)(check_rand_u32() % 4096) / 4096.0f,
                (int)(check_rand_u32() % 40) - 30);
}

static float pick_input(float scale) {
  static const float kEdges[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN,
                                 3e38f, -3e38f, 2147483648.0f, -2147483904.0f,
                                 1e-40f, -1e-40f};
  const uint32_t r = check_rand_u32() % 6;
  if (r == 0) return kEdges[check_rand_u32() % 11];
  /* Near a tie: (k + 1/2) * scale, nudged by an ulp or not. */
  const float tie = ((float)((int)(check_rand_u32() % 2001) - 1000) + 0.5f) * scale;
  if (r == 1) return tie;
  if (r == 2) return nextafterf(tie, (check_rand_u32() % 2) ? INFINITY : -INFINITY);
  if (r == 3) return (float)((int)(check_rand_u32() % 70001) - 35000) * scale;
  uint32_t bits = check_rand_u32() | (check_rand_u32() << 21);
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

int main(void) {
  check_rand_seed(0x243F6A8885A308D3ull);
  enum { kMaxN = 70, kTrials = 4000 };
  static const TfLiteType kTypes[3] = {kTfLiteInt8, kTfLiteUInt8,
                                       kTfLiteInt16};
  int mismatches = 0, checked = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const TfLiteType type = kTypes[trial % 3];
    int32_t lo = 0, hi = 0;
    pl_q_type_range(type, &lo, &hi);
    const float scale = pick_scale();
    const int32_t zp =
        trial % 5 == 0 ? 0 : lo + (int32_t)(check_rand_u32() % (uint32_t)(hi - lo + 1));
    const int64_t n = 1 + (int64_t)(check_rand_u32() % kMaxN);
    float x[kMaxN];
    for (int64_t k = 0; k < n; ++k) x[k] = pick_input(scale);
    int16_t fast[kMaxN], portable[kMaxN];
    pl_simd_force_portable(false);
    pl_simd_force_avx2(trial % 2 == 1); /* AVX-512 (where present), AVX2 */
    pl_q_quantize_f32_row(x, n, scale, zp, lo, hi, type, fast);
    pl_simd_force_avx2(false);
    pl_simd_force_portable(true);
    pl_q_quantize_f32_row(x, n, scale, zp, lo, hi, type, portable);
    pl_simd_force_portable(false);
    for (int64_t k = 0; k < n; ++k) {
      const int32_t want = pl_q_quantize_f32_one(x[k], scale, zp, lo, hi);
      int32_t got_fast, got_portable;
      switch (type) {
        case kTfLiteInt8:
          got_fast = ((int8_t*)fast)[k];
          got_portable = ((int8_t*)portable)[k];
          break;
        case kTfLiteUInt8:
          got_fast = ((uint8_t*)fast)[k];
          got_portable = ((uint8_t*)portable)[k];
          break;
        default:
          got_fast = fast[k];
          got_portable = portable[k];
          break;
      }
      if (got_fast != want || got_portable != want) {
        if (mismatches < 6)
          printf("  quantize %a / %a zp %d: want %d, avx2 %d, portable %d\n",
                 (double)x[k], (double)scale, zp, want, got_fast,
                 got_portable);
        ++mismatches;
      }
      ++checked;
    }
  }
  printf("quantize_f32_row: %d values, %d mismatches\n", checked, mismatches);
  CHECK(mismatches == 0);
  return CHECK_SUMMARY();
}
