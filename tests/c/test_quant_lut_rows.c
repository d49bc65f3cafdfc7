/* pylite: the vectorized rows of capi/kernels/internal/quant_lut.c: the
 * int16 LOGISTIC (pl_q_logistic16) over every int16 input, for the input
 * rescalings LiteRT's prepare makes (power-of-two and general scales) and
 * hostile ones (any multiplier, shifts 0..31), and the 8-bit table lookup
 * (pl_q_lut8_apply) for random and structured tables over every byte, on
 * rows of odd lengths: the AVX2 path, the portable path and the scalar
 * definition agree bit for bit. A one-op int16 LOGISTIC model, large
 * enough to be split, gives the same bytes with 1, 2 and 4 threads as the
 * portable path on one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant_lut.h"
#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"

enum { kAll = 65536 };

static int check_logistic16(int32_t multiplier, int shift) {
  static int16_t x[kAll + 7], fast[kAll + 7], portable[kAll + 7];
  for (int i = 0; i < kAll; ++i) x[i] = (int16_t)(i - 32768);
  /* An odd length (the remainder) and an offset start. */
  const int64_t n = kAll - 1 - (int64_t)(check_rand_u32() % 7);
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
  uint8_t tables[256], x[kN], fast[kN], avx2[kN], portable[kN];
  pl_q_lut8_shuffle_tables(lut, tables);
  for (int i = 0; i < kN; ++i) x[i] = i < 256 ? (uint8_t)i : (uint8_t)check_rand_u32();
  const int64_t n = kN - (int64_t)(check_rand_u32() % 70);
  /* The CPU's best path (AVX-512 VBMI where it has it), AVX2, portable. */
  pl_simd_cap(-1);
  pl_q_lut8_apply(lut, tables, x, fast, n);
  pl_simd_cap(PL_SIMD_AVX2);
  pl_q_lut8_apply(lut, tables, x, avx2, n);
  pl_simd_cap(PL_SIMD_PORTABLE);
  pl_q_lut8_apply(lut, tables, x, portable, n);
  pl_simd_cap(-1);
  int mismatches = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (fast[i] != lut[x[i]] || avx2[i] != lut[x[i]] ||
        portable[i] != lut[x[i]]) {
      if (mismatches < 4)
        printf("  lut8 x %d: want %d, best %d, avx2 %d, portable %d\n",
               x[i], lut[x[i]], fast[i], avx2[i], portable[i]);
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
        case 0: lut[i] = (uint8_t)check_rand_u32(); break;
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

enum { OP_LOGISTIC = 14, kModelN = 40001 };

/* Runs LOGISTIC on int16 x (kModelN values, input scale `scale`) with
 * `threads` threads into y; false if a step fails. */
static bool run_logistic16(float scale, const int16_t* x, int threads,
                           int16_t* y) {
  MbModel m;
  mb_init(&m, "pylite logistic16 test");
  mb_opcode(&m, OP_LOGISTIC, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const int shape[1] = {kModelN};
  const int in = mb_tensor(sg, "x", T_I16, 1, shape);
  const int out = mb_tensor(sg, "y", T_I16, 1, shape);
  sg->tensors[in].scale = scale;
  sg->tensors[out].scale = 1.0f / 32768;
  mb_io(sg, 1, &in, 1, &out);
  mb_op(sg, 0, 1, &in, 1, &out);
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  TfLiteModel* model = TfLiteModelCreate(bytes, size);
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetNumThreads(opts, threads);
  TfLiteInterpreter* interp =
      model ? TfLiteInterpreterCreate(model, opts) : NULL;
  TfLiteInterpreterOptionsDelete(opts);
  const size_t n = sizeof(int16_t) * kModelN;
  bool ok = interp && TfLiteInterpreterAllocateTensors(interp) == kTfLiteOk;
  ok = ok && TfLiteTensorCopyFromBuffer(
                 TfLiteInterpreterGetInputTensor(interp, 0), x, n) == kTfLiteOk;
  ok = ok && TfLiteInterpreterInvoke(interp) == kTfLiteOk;
  ok = ok && TfLiteTensorCopyToBuffer(
                 TfLiteInterpreterGetOutputTensor(interp, 0), y, n) == kTfLiteOk;
  TfLiteInterpreterDelete(interp);
  TfLiteModelDelete(model);
  free(bytes);
  return ok;
}

static void test_logistic16_threads(void) {
  static int16_t x[kModelN], want[kModelN], got[kModelN];
  for (int i = 0; i < kModelN; ++i) x[i] = (int16_t)check_rand_u32();
  static const float kScales[2] = {1.0f / 4096, 0.00037f};
  for (int s = 0; s < 2; ++s) {
    pl_simd_force_portable(true);
    CHECK(run_logistic16(kScales[s], x, 1, want));
    pl_simd_force_portable(false);
    for (int threads = 1; threads <= 4; threads *= 2) {
      memset(got, 0, sizeof(got));
      CHECK(run_logistic16(kScales[s], x, threads, got));
      CHECK(memcmp(got, want, sizeof(got)) == 0);
    }
  }
}

int main(void) {
  test_logistic16_threads();
  test_lut8();
  int mismatches = 0, cases = 0;
  /* Power-of-two input scales: the factor 3 shifted. */
  for (int s = 0; s <= 4; ++s, ++cases) mismatches += check_logistic16(3 << s, 0);
  /* General scales as pl_sigmoid_int16_setup makes them. */
  for (int k = 0; k < 24; ++k, ++cases) {
    const double scale = (1.0 + (check_rand_u32() % 1000) / 1000.0) / (1 << (check_rand_u32() % 20));
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
    const int32_t m = k < 6 ? kEdges[k] : (int32_t)check_rand_u32();
    mismatches += check_logistic16(m, (int)(check_rand_u32() % 32));
  }
  printf("logistic16: %d cases of every int16 input, %d mismatches\n", cases,
         mismatches);
  CHECK(mismatches == 0);
  return CHECK_SUMMARY();
}
