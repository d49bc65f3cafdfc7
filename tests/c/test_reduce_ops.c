/* pylite: tests of the reduction and scan kernels beyond LiteRT's recording.
 *
 * The conformance suite (tests/conformance/cases/reduce.py) checks these
 * ops against LiteRT. This file covers what it cannot record: empty outputs
 * (LiteRT's Python API cannot return them), the thread split of full
 * reductions (the suite runs one thread), a dynamic axis changing between
 * invokes, and some errors. Expected values are worked out by hand. */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

#define OP_TEST_NAME "reduce test"
#include "op_test_util.h"

/* Builtin operator codes and options types used here (schema.fbs). */
enum {
  kOpMean = 40,
  kOpTopkV2 = 48,
  kOpArgMax = 56,
  kOpSum = 74,
  kOpReduceMax = 82,
  kOpCumsum = 128,
};
enum { kOptReducer = 27, kOptArgMax = 40, kOptCumsum = 102 };

/* ---- Empty tensors ------------------------------------------------------- */

/* SUM over the full axis of [3, 0] leaves [0]; MAX of an empty [0, 2]
 * gives lowest; MEAN of it NaN (float) or 0 (int32). */
static void test_empty_reductions(void) {
  const int32_t axis0 = 0;
  {
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 2, (int[]){3, 0});
    op_const(&o, T_I32, 1, (int[]){1}, &axis0, 4);
    op_output(&o, T_F32, 1, (int[]){0});
    TfLiteInterpreter* it = op_load_threads(&o, kOpSum, kOptReducer, 1,
                                            (int32_t[]){0}, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    CHECK(shape_is(out(it, 0), 1, (int[]){0}));
    op_release(&o, it);
  }
  {
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 2, (int[]){0, 2});
    op_const(&o, T_I32, 1, (int[]){1}, &axis0, 4);
    op_output(&o, T_F32, 1, (int[]){2});
    TfLiteInterpreter* it = op_load_threads(&o, kOpReduceMax, kOptReducer, 1,
                                            (int32_t[]){0}, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    const float* got = TfLiteTensorData(out(it, 0));
    CHECK(got[0] == -FLT_MAX && got[1] == -FLT_MAX);
    op_release(&o, it);
  }
  for (int type = 0; type < 2; ++type) {
    Op o;
    op_begin(&o);
    const int t = type == 0 ? T_F32 : T_I32;
    op_input(&o, t, 2, (int[]){0, 2});
    op_const(&o, T_I32, 1, (int[]){1}, &axis0, 4);
    op_output(&o, t, 2, (int[]){1, 2});
    /* keep_dims */
    TfLiteInterpreter* it = op_load_threads(&o, kOpMean, kOptReducer, 1,
                                            (int32_t[]){1}, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    CHECK(shape_is(out(it, 0), 2, (int[]){1, 2}));
    if (type == 0) {
      const float* got = TfLiteTensorData(out(it, 0));
      CHECK(isnan(got[0]) && isnan(got[1]));
    } else {
      const int32_t* got = TfLiteTensorData(out(it, 0));
      CHECK(got[0] == 0 && got[1] == 0);
    }
    op_release(&o, it);
  }
}

/* ARG_MAX with an empty outer dim gives an empty output; an empty axis dim
 * is an error. */
static void test_empty_arg_max(void) {
  const int32_t axis1 = 1;
  for (int empty_axis = 0; empty_axis < 2; ++empty_axis) {
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 2, empty_axis ? (int[]){3, 0} : (int[]){0, 3});
    op_const(&o, T_I32, 1, (int[]){1}, &axis1, 4);
    op_output(&o, T_I64, 1, (int[]){empty_axis ? 3 : 0});
    TfLiteInterpreter* it = op_load_threads(&o, kOpArgMax, kOptArgMax, 1,
                                            (int32_t[]){T_I64}, 1);
    if (empty_axis) {
      CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
      CHECK_CONTAINS(PyliteGetLastError(), "empty axis");
    } else {
      CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
      CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
      CHECK(shape_is(out(it, 0), 1, (int[]){0}));
    }
    op_release(&o, it);
  }
}

/* TOPK_V2 with k 0 or negative gives an empty last dim; CUMSUM of an empty
 * input an empty output. */
static void test_empty_topk_cumsum(void) {
  const int32_t ks[2] = {0, -3};
  for (int i = 0; i < 2; ++i) {
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 2, (int[]){2, 3});
    op_const(&o, T_I32, 0, NULL, &ks[i], 4);
    op_output(&o, T_F32, 2, (int[]){2, 0});
    op_output(&o, T_I32, 2, (int[]){2, 0});
    TfLiteInterpreter* it =
        op_load_threads(&o, kOpTopkV2, OPT_NONE, 0, NULL, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    CHECK(shape_is(out(it, 0), 2, (int[]){2, 0}));
    CHECK(shape_is(out(it, 1), 2, (int[]){2, 0}));
    op_release(&o, it);
  }
  const int32_t axis = -1;
  Op o;
  op_begin(&o);
  op_input(&o, T_F32, 2, (int[]){0, 3});
  op_const(&o, T_I32, 0, NULL, &axis, 4);
  op_output(&o, T_F32, 2, (int[]){0, 3});
  TfLiteInterpreter* it = op_load_threads(&o, kOpCumsum, kOptCumsum, 2,
                                          (int32_t[]){1, 1}, 1);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 2, (int[]){0, 3}));
  op_release(&o, it);
}

/* TOPK_V2 with k much smaller than the row (the heap selection) against a
 * plain reference: values largest first, NaN last, ties by index. */
static bool topk_first(float a, int ia, float b, int ib) {
  if (isnan(a) != isnan(b)) return isnan(b);
  if (a != b && !isnan(a)) return a > b;
  return ia < ib;
}

static void test_topk_small_k(void) {
  enum { kRows = 3, kN = 500 };
  static float x[kRows * kN];
  uint32_t seed = 7;
  for (int i = 0; i < kRows * kN; ++i) {
    seed = seed * 1664525u + 1013904223u;
    const uint32_t r = seed >> 8;
    x[i] = r % 11 == 0 ? NAN : (float)(int)(r % 41) - 20.0f; /* many ties */
  }
  const int32_t ks[3] = {1, 7, 40};
  for (int c = 0; c < 3; ++c) {
    const int32_t k = ks[c];
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 2, (int[]){kRows, kN});
    op_const(&o, T_I32, 0, NULL, &k, 4);
    op_output(&o, T_F32, 2, (int[]){kRows, k});
    op_output(&o, T_I32, 2, (int[]){kRows, k});
    TfLiteInterpreter* it =
        op_load_threads(&o, kOpTopkV2, OPT_NONE, 0, NULL, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    CHECK(TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(it, 0),
                                     x, sizeof(x)) == kTfLiteOk);
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    const float* vals = TfLiteTensorData(out(it, 0));
    const int32_t* idx = TfLiteTensorData(out(it, 1));
    int bad = 0;
    for (int r = 0; r < kRows; ++r) {
      const float* row = x + r * kN;
      bool taken[kN] = {false};
      for (int j = 0; j < k; ++j) {
        int best = -1;
        for (int i = 0; i < kN; ++i)
          if (!taken[i] && (best < 0 || topk_first(row[i], i, row[best], best)))
            best = i;
        taken[best] = true;
        const float v = vals[r * k + j];
        if (idx[r * k + j] != best ||
            (isnan(v) ? !isnan(row[best]) : v != row[best]))
          ++bad;
      }
    }
    CHECK(bad == 0);
    op_release(&o, it);
  }
}

/* ---- Threads ------------------------------------------------------------- */

/* A full float SUM of 2048 elements: 1e8, 1023 ones, -1e8, 1023 ones. One
 * thread folds in order: every 1 is lost against 1e8 (its ulp is 8), then
 * -1e8 cancels it and the last 1023 ones count: 1023. Two threads (1024
 * elements each, as TFLite splits) sum each half from 0: 1e8 and -1e8,
 * whose sum is 0. */
static void test_sum_thread_split(void) {
  enum { kN = 2048 };
  static float x[kN];
  for (int i = 0; i < kN; ++i) x[i] = 1.0f;
  x[0] = 1e8f;
  x[kN / 2] = -1e8f;
  const int32_t axis0 = 0;
  const float want[3] = {1023.0f, 0.0f, 1023.0f};
  const int threads[3] = {1, 2, 4};
  for (int i = 0; i < 3; ++i) {
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 1, (int[]){kN});
    op_const(&o, T_I32, 1, (int[]){1}, &axis0, 4);
    op_output(&o, T_F32, 0, NULL);
    TfLiteInterpreter* it = op_load_threads(&o, kOpSum, kOptReducer, 1,
                                            (int32_t[]){0}, threads[i]);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
    CHECK(write_raw(it, 0, x, sizeof(x)));
    CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
    const float got = *(const float*)TfLiteTensorData(out(it, 0));
    /* 4 threads: 512 per thread is under TFLite's 1024 minimum, so one
     * pass, as with 1 thread. */
    if (got != want[i])
      printf("  %d threads: sum %.1f, want %.1f\n", threads[i], got,
             want[i]);
    CHECK(got == want[i]);
    op_release(&o, it);
  }
}

/* ---- A dynamic axis ------------------------------------------------------ */

/* SUM whose axis is a model input: the output is sized at each invoke, and
 * an out-of-range axis fails at invoke with a message naming the op. */
static void test_dynamic_axis(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_F32, 2, (int[]){2, 3});
  op_input(&o, T_I32, 1, (int[]){1});
  op_output(&o, T_F32, 1, (int[]){1});
  TfLiteInterpreter* it = op_load_threads(&o, kOpSum, kOptReducer, 1,
                                          (int32_t[]){0}, 1);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const float x[6] = {1, 2, 3, 4, 5, 6};
  CHECK(write_raw(it, 0, x, sizeof(x)));
  int32_t axis = 0;
  CHECK(write_raw(it, 1, &axis, 4));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 1, (int[]){3}));
  const float* got = TfLiteTensorData(out(it, 0));
  CHECK(got[0] == 5 && got[1] == 7 && got[2] == 9);
  axis = -1;
  CHECK(write_raw(it, 1, &axis, 4));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 1, (int[]){2}));
  got = TfLiteTensorData(out(it, 0));
  CHECK(got[0] == 6 && got[1] == 15);
  axis = 2;
  CHECK(write_raw(it, 1, &axis, 4));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "SUM");
  CHECK_CONTAINS(PyliteGetLastError(), "out of range");
  op_release(&o, it);
}

/* ---- Errors -------------------------------------------------------------- */

static void test_errors(void) {
  const int32_t axis0 = 0;
  { /* ANY needs bool */
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 1, (int[]){3});
    op_const(&o, T_I32, 1, (int[]){1}, &axis0, 4);
    op_output(&o, T_F32, 0, NULL);
    TfLiteInterpreter* it =
        op_load_threads(&o, 91 /* REDUCE_ANY */, kOptReducer, 1,
                        (int32_t[]){0}, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
    CHECK_CONTAINS(PyliteGetLastError(), "REDUCE_ANY supports bool");
    op_release(&o, it);
  }
  { /* ARG_MAX without options: no output type */
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 1, (int[]){3});
    op_const(&o, T_I32, 1, (int[]){1}, &axis0, 4);
    op_output(&o, T_I64, 0, NULL);
    TfLiteInterpreter* it =
        op_load_threads(&o, kOpArgMax, OPT_NONE, 0, NULL, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
    CHECK_CONTAINS(PyliteGetLastError(), "output_type");
    op_release(&o, it);
  }
  { /* CUMSUM of a scalar */
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 0, NULL);
    op_const(&o, T_I32, 0, NULL, &axis0, 4);
    op_output(&o, T_F32, 0, NULL);
    TfLiteInterpreter* it =
        op_load_threads(&o, kOpCumsum, kOptCumsum, 0, NULL, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
    CHECK_CONTAINS(PyliteGetLastError(), "CUMSUM needs an input of rank 1");
    op_release(&o, it);
  }
  { /* TOPK_V2 with a two-element k */
    const int32_t k[2] = {1, 2};
    Op o;
    op_begin(&o);
    op_input(&o, T_F32, 1, (int[]){3});
    op_const(&o, T_I32, 1, (int[]){2}, k, 8);
    op_output(&o, T_F32, 1, (int[]){1});
    op_output(&o, T_I32, 1, (int[]){1});
    TfLiteInterpreter* it =
        op_load_threads(&o, kOpTopkV2, OPT_NONE, 0, NULL, 1);
    CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
    CHECK_CONTAINS(PyliteGetLastError(), "TOPK_V2 needs a single k");
    op_release(&o, it);
  }
}

/* MEAN float32 split across threads (by columns when the innermost dim is
 * kept, by outputs when the reduced dims are innermost, serial otherwise):
 * at 1, 2 and 4 threads the bits of a sequential row-major fold, on an
 * [kA, kB, kC] input (kC: whole and partial slices of 16 and 8 columns). */
static void check_mean_thread_split(const int kA, const int kB,
                                    const int kC) {
  enum { kMaxCount = 6 * 70 * 97 };
  static float x[kMaxCount], want[kMaxCount];
  if (kA * kB * kC > kMaxCount) {
    CHECK(!"mean test shape too large");
    return;
  }
  const size_t x_bytes = sizeof(float) * (size_t)(kA * kB * kC);
  uint32_t seed = 99;
  for (int i = 0; i < kA * kB * kC; ++i) {
    seed = seed * 1664525u + 1013904223u;
    x[i] = (float)((int)(seed >> 9) % 20001 - 10000) / 997.0f;
  }
  /* Reduced axes as a bit mask over (A, B, C). */
  static const int kMasks[] = {1, 2, 3, 4, 6, 5, 7};
  for (size_t m = 0; m < sizeof(kMasks) / sizeof(kMasks[0]); ++m) {
    const int mask = kMasks[m];
    const int dims[3] = {kA, kB, kC};
    int32_t axes[3];
    int naxes = 0, out_dims[3], orank = 0;
    int64_t out_count = 1;
    float count = 1.0f;
    for (int d = 0; d < 3; ++d) {
      if (mask >> d & 1) {
        axes[naxes++] = d;
        count *= (float)dims[d];
      } else {
        out_dims[orank++] = dims[d];
        out_count *= dims[d];
      }
    }
    for (int64_t i = 0; i < out_count; ++i) want[i] = 0.0f;
    for (int a = 0; a < kA; ++a)
      for (int b = 0; b < kB; ++b)
        for (int c = 0; c < kC; ++c) {
          int64_t o = 0;
          if (!(mask & 1)) o = o * kA + a;
          if (!(mask & 2)) o = o * kB + b;
          if (!(mask & 4)) o = o * kC + c;
          want[o] = want[o] + x[(a * kB + b) * kC + c];
        }
    for (int64_t i = 0; i < out_count; ++i) want[i] = want[i] / count;
    for (int threads = 1; threads <= 4; threads *= 2) {
      Op o;
      op_begin(&o);
      op_input(&o, T_F32, 3, (int[]){kA, kB, kC});
      op_const(&o, T_I32, 1, (int[]){naxes}, axes, 4 * (size_t)naxes);
      op_output(&o, T_F32, orank, out_dims);
      TfLiteInterpreter* it = op_load_threads(&o, kOpMean, kOptReducer, 1,
                                              (int32_t[]){0}, threads);
      bool ok = TfLiteInterpreterAllocateTensors(it) == kTfLiteOk &&
                write_raw(it, 0, x, x_bytes) &&
                TfLiteInterpreterInvoke(it) == kTfLiteOk &&
                memcmp(TfLiteTensorData(out(it, 0)), want,
                       sizeof(float) * (size_t)out_count) == 0;
      if (!ok)
        fprintf(stderr, "mean [%d, %d, %d] mask %d, %d threads\n", kA, kB,
                kC, mask, threads);
      CHECK(ok);
      op_release(&o, it);
    }
  }
}

/* Quantized SUM int8 over the middle axes of [2, R, C] (equal scales,
 * small values: the output is the exact sum), for the block sums' narrow
 * channels (chunks of a multiple of C, with a tail) and wide ones, against
 * the plain loop; and over the first and last axes (not one run: the
 * generic walk). */
static void test_quantized_sum_blocks(void) {
  static const int kShapes[][2] = {{25, 3}, {1, 8}, {13, 8}, {9, 70},
                                   {64, 1}, {7, 63}};
  for (size_t k = 0; k < sizeof(kShapes) / sizeof(kShapes[0]); ++k) {
    const int rows = kShapes[k][0], c = kShapes[k][1];
    for (int split = 0; split < 2; ++split) {
      int8_t x[2 * 64 * 70], want[2 * 70 * 64];
      uint32_t seed = 7u + (uint32_t)k;
      for (int i = 0; i < 2 * rows * c; ++i) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (int8_t)((int)(seed >> 20) % 3 - 1);
      }
      /* split 0: axis 1 ([2, C] out); split 1: axes 0 and 2 ([R] out). */
      const int32_t axes[2] = {split ? 0 : 1, 2};
      const int naxes = split ? 2 : 1;
      const int out_count = split ? rows : 2 * c;
      for (int o = 0; o < out_count; ++o) {
        int sum = 0;
        for (int b = 0; b < 2; ++b)
          for (int r = 0; r < rows; ++r)
            for (int j = 0; j < c; ++j)
              if (split ? r == o : b * c + j == o)
                sum += x[(b * rows + r) * c + j];
        want[o] = (int8_t)(sum < -128 ? -128 : sum > 127 ? 127 : sum);
      }
      Op o;
      op_begin(&o);
      op_input(&o, T_I8, 3, (int[]){2, rows, c});
      o.sg->tensors[o.sg->num_tensors - 1].scale = 0.5f;
      op_const(&o, T_I32, 1, (int[]){naxes}, axes, 4 * (size_t)naxes);
      op_output(&o, T_I8, split ? 1 : 2,
                split ? (int[]){rows} : (int[]){2, c});
      o.sg->tensors[o.sg->num_tensors - 1].scale = 0.5f;
      TfLiteInterpreter* it = op_load_threads(&o, kOpSum, kOptReducer, 1,
                                              (int32_t[]){0}, 1);
      const bool ok = TfLiteInterpreterAllocateTensors(it) == kTfLiteOk &&
                      write_raw(it, 0, x, (size_t)(2 * rows * c)) &&
                      TfLiteInterpreterInvoke(it) == kTfLiteOk &&
                      memcmp(TfLiteTensorData(out(it, 0)), want,
                             (size_t)out_count) == 0;
      if (!ok) fprintf(stderr, "quantized sum [2, %d, %d] split %d\n", rows,
                       c, split);
      CHECK(ok);
      op_release(&o, it);
    }
  }
}

static void test_mean_thread_split(void) {
  check_mean_thread_split(6, 70, 97);
  check_mean_thread_split(5, 9, 8);
  check_mean_thread_split(3, 33, 40);
}

int main(void) {
  test_empty_reductions();
  test_empty_arg_max();
  test_empty_topk_cumsum();
  test_topk_small_k();
  test_sum_thread_split();
  test_mean_thread_split();
  test_quantized_sum_blocks();
  test_dynamic_axis();
  test_errors();
  return CHECK_SUMMARY();
}
