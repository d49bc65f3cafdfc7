/* pylite: the rows of capi/kernels/internal/quant_rows.c: QUANTIZE from
 * float32 on random and extreme inputs (ties at every half, NaN, +-inf,
 * values beyond int32, denormals) and scales (tiny, huge, powers of two),
 * for int8, uint8 and int16 outputs and rows of odd lengths: the AVX2
 * path, the portable path and the scalar definition agree bit for bit;
 * and the QUANTIZE op, which splits a large tensor over threads, gives the
 * same bytes with 1, 2 and 4 threads. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant_rows.h"
#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

#define OP_TEST_NAME "quantize rows test"
#include "op_test_util.h"

enum { kOpQuantize = 114 };

/* QUANTIZE float32 -> int8 of [1, 203, 301, 3] (chunks of the thread split
 * and an odd tail) at 1, 2 and 4 threads. */
static void test_quantize_threads(void) {
  enum { kN = 203 * 301 * 3 };
  static float x[kN];
  static int8_t y1[kN];
  for (int k = 0; k < kN; ++k)
    x[k] = (float)((int)(check_rand_u32() % 4001) - 2000) / 16.0f;
  for (int threads = 1; threads <= 4; threads *= 2) {
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 4, (int[]){1, 203, 301, 3});
    op_output(&o, T_I8, 4, (int[]){1, 203, 301, 3});
    o.sg->tensors[o.sg->num_tensors - 1].scale = 0.75f;
    TfLiteInterpreter* it = op_load_threads(&o, kOpQuantize, OPT_NONE, 0, NULL,
                                            threads);
    const bool ok = TfLiteInterpreterAllocateTensors(it) == kTfLiteOk &&
                    write_raw(it, 0, x, sizeof(x)) &&
                    TfLiteInterpreterInvoke(it) == kTfLiteOk;
    CHECK(ok);
    if (ok) {
      const int8_t* y = TfLiteTensorData(out(it, 0));
      if (threads == 1) {
        memcpy(y1, y, sizeof(y1));
        int bad = 0;
        for (int k = 0; k < kN; ++k)
          if (y[k] != pl_q_quantize_f32_one(x[k], 0.75f, 0, -128, 127)) ++bad;
        CHECK(bad == 0);
      } else {
        CHECK(memcmp(y, y1, sizeof(y1)) == 0);
      }
    }
    op_release(&o, it);
  }
}

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
  test_quantize_threads();
  return CHECK_SUMMARY();
}
