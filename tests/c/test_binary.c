/* pylite: binary-family kernel tests for what the conformance suite cannot
 * record (LiteRT crashes or cannot read the result back):
 * quantized-parameter errors, quantized ADD / SUB / MUL / EQUAL / DIV on
 * hand-worked values, integer corner cases that trap in TFLite, WHERE
 * with no true element and across invokes, rank-0 strings, arity errors;
 * and the broadcast walk against a naive loop on random shapes up to rank 8
 * (beyond the conformance suite's rank 6), through a resize too; the float
 * rows at the AVX2 and portable SIMD levels against a plain loop.
 *
 * Prints one line per failed check and ends with "N passed, N failed". */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/simd.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"
#include "model_builder.h"
#include "run_util.h"

static int g_passed, g_failed;
static const char* g_case = "";

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (cond) {                                                           \
      g_passed++;                                                         \
    } else {                                                              \
      g_failed++;                                                         \
      printf("FAIL %s (%s:%d): %s [last error: %s]\n", g_case, __FILE__, \
             __LINE__, #cond, PyliteGetLastError());                      \
    }                                                                     \
  } while (0)

/* Schema values not in model_builder.h. */
enum {
  T_BOOL = 6,
  OP_LOGISTIC = 14,
  OP_MUL = 18,
  OP_SUB = 41,
  OP_DIV = 42,
  OP_EQUAL = 71,
  OP_FLOOR_MOD = 95,
  OP_SQUARED_DIFFERENCE = 99,
  OP_ADD_N = 106,
  OP_WHERE = 109,
  OPT_MUL = 21,
};

typedef struct T {
  int type, rank, shape[8];
  float scale; /* > 0: quantized */
} T;


/* One op over tensors 0..n_in-1 (all subgraph inputs) to tensor n_in. */
static bool open_op(Run* r, int op, int opt, int act, int n_in, const T* ts) {
  MbModel m;
  mb_init(&m, "pylite binary test");
  mb_opcode(&m, op, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  int ins[MB_MAX_OP_IO];
  for (int i = 0; i <= n_in; ++i) {
    int t = mb_tensor_data(sg, NULL, ts[i].type, ts[i].rank, ts[i].shape,
                           NULL, 0);
    sg->tensors[t].scale = ts[i].scale;
    if (i < n_in) ins[i] = t;
  }
  const int out = n_in;
  mb_io(sg, n_in, ins, 1, &out);
  MbOp* o = mb_op(sg, 0, n_in, ins, 1, &out);
  if (opt) {
    o->options = opt;
    o->num_i32 = 1;
    o->i32[0] = act; /* fused_activation_function, field 0 */
    o->activation = act; /* the same, where the builder writes OPT_ADD */
  }
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  run_load(r, bytes, size);
  CHECK(r->model != NULL);
  if (!r->model) return false;
  CHECK(r->interp != NULL);
  return r->interp != NULL;
}



static bool error_contains(const char* needle) {
  const char* msg = PyliteGetLastError();
  if (strstr(msg, needle)) return true;
  printf("  expected an error containing \"%s\", got \"%s\"\n", needle, msg);
  return false;
}

static bool output_bytes(Run* r, const void* want, size_t bytes) {
  const TfLiteTensor* t = TfLiteInterpreterGetOutputTensor(r->interp, 0);
  return t && TfLiteTensorByteSize(t) == bytes &&
         (bytes == 0 || memcmp(TfLiteTensorData(t), want, bytes) == 0);
}

static void expect_alloc_error(int op, int n_in, const T* ts,
                               const char* needle) {
  Run r;
  if (open_op(&r, op, 0, 0, n_in, ts)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
    CHECK(error_contains(needle));
  }
  run_close(&r);
}

static void test_errors(void) {
  /* Quantized SUB whose output rescaling is exactly 1 (LiteRT aborts). */
  g_case = "sub_int8_output_scale";
  {
    T ts[3] = {{T_I8, 1, {2}, 0.5f}, {T_I8, 1, {2}, 0.5f},
               {T_I8, 1, {2}, 1.0f / 1048576.0f}};
    expect_alloc_error(OP_SUB, 2, ts, "SUB: output scale");
  }
  g_case = "equal_uint8_no_params";
  {
    T ts[3] = {{T_U8, 1, {2}, 0.5f}, {T_U8, 1, {2}, 0},
               {T_BOOL, 1, {2}, 0}};
    expect_alloc_error(OP_EQUAL, 2, ts, "has no quantization parameters");
  }
  g_case = "sub_three_inputs";
  {
    T ts[4] = {{T_F32, 1, {2}, 0}, {T_F32, 1, {2}, 0}, {T_F32, 1, {2}, 0},
               {T_F32, 1, {2}, 0}};
    expect_alloc_error(OP_SUB, 3, ts, "SUB takes 2 inputs and 1 output");
  }
  g_case = "add_n_one_input";
  {
    T ts[2] = {{T_F32, 1, {2}, 0}, {T_F32, 1, {2}, 0}};
    expect_alloc_error(OP_ADD_N, 1, ts, "at least 2 inputs");
  }
  g_case = "div_output_type";
  {
    T ts[3] = {{T_I32, 1, {2}, 0}, {T_I32, 1, {2}, 0}, {T_F32, 1, {2}, 0}};
    expect_alloc_error(OP_DIV, 2, ts, "DIV output must be INT32");
  }
}

static void test_int_corners(void) {
  g_case = "floor_mod_int_min_by_minus_one";
  {
    Run r;
    T ts[3] = {{T_I32, 1, {3}, 0}, {T_I32, 1, {3}, 0}, {T_I32, 1, {3}, 0}};
    if (open_op(&r, OP_FLOOR_MOD, 0, 0, 2, ts)) {
      const int32_t a[3] = {INT32_MIN, -7, 7}, b[3] = {-1, 3, -3};
      const int32_t want[3] = {0, 2, -2};
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)) && set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_bytes(&r, want, sizeof(want)));
    }
    run_close(&r);
  }
  g_case = "div_int32";
  {
    Run r;
    T ts[3] = {{T_I32, 1, {3}, 0}, {T_I32, 1, {3}, 0}, {T_I32, 1, {3}, 0}};
    if (open_op(&r, OP_DIV, 0, 0, 2, ts)) {
      const int32_t a[3] = {INT32_MIN, -7, 7}, b[3] = {-1, 2, 0};
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)) && set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
      CHECK(error_contains("DIV: division by zero"));
      const int32_t b2[3] = {-1, 2, -2}, want[3] = {INT32_MAX, -3, -3};
      CHECK(set_input(&r, 1, b2, sizeof(b2)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_bytes(&r, want, sizeof(want)));
    }
    run_close(&r);
  }
  g_case = "mul_f32_relu_keeps_negative_zero";
  {
    Run r;
    T ts[3] = {{T_F32, 1, {3}, 0}, {T_F32, 0, {0}, 0}, {T_F32, 1, {3}, 0}};
    if (open_op(&r, OP_MUL, OPT_MUL, ACT_RELU, 2, ts)) {
      const float a[3] = {-0.0f, -2.0f, INFINITY}, b = 1.0f;
      const float want[3] = {-0.0f, 0.0f, FLT_MAX};
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)) && set_input(&r, 1, &b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_bytes(&r, want, sizeof(want)));
    }
    run_close(&r);
  }
}

static void test_where(void) {
  g_case = "where_dynamic";
  Run r;
  T ts[2] = {{T_BOOL, 2, {2, 2}, 0}, {T_I64, 2, {0, 2}, 0}};
  if (open_op(&r, OP_WHERE, 0, 0, 1, ts)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const bool none[4] = {0, 0, 0, 0}, three[4] = {1, 0, 1, 1};
    CHECK(set_input(&r, 0, none, sizeof(none)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    const TfLiteTensor* out = TfLiteInterpreterGetOutputTensor(r.interp, 0);
    CHECK(TfLiteTensorNumDims(out) == 2 && TfLiteTensorDim(out, 0) == 0 &&
          TfLiteTensorDim(out, 1) == 2);
    CHECK(output_bytes(&r, NULL, 0));
    CHECK(set_input(&r, 0, three, sizeof(three)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    out = TfLiteInterpreterGetOutputTensor(r.interp, 0);
    const int64_t want[6] = {0, 0, 1, 0, 1, 1};
    CHECK(TfLiteTensorDim(out, 0) == 3);
    CHECK(output_bytes(&r, want, sizeof(want)));
  }
  run_close(&r);
}

static bool set_strings(Run* r, int i, const char* const* s, int count) {
  size_t len[4];
  for (int k = 0; k < count; ++k) len[k] = strlen(s[k]);
  TfLiteTensor* t = TfLiteInterpreterGetInputTensor(r->interp, i);
  return t && PyliteTensorWriteStrings(t, count, s, len) == kTfLiteOk;
}

static void test_strings(void) {
  g_case = "equal_string_rank0";
  Run r;
  T ts[3] = {{T_STR, 1, {3}, 0}, {T_STR, 0, {0}, 0}, {T_BOOL, 1, {3}, 0}};
  if (open_op(&r, OP_EQUAL, 0, 0, 2, ts)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const char* xs[3] = {"q", "", "qq"};
    const char* ys[1] = {"q"};
    CHECK(set_strings(&r, 0, xs, 3) && set_strings(&r, 1, ys, 1));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    const bool want[3] = {true, false, false};
    CHECK(output_bytes(&r, want, sizeof(want)));
  }
  run_close(&r);
}

/* A small deterministic generator (tests must not depend on rand()). */
static uint32_t g_seed = 12345u;
static uint32_t next_rand(void) {
  g_seed = g_seed * 1664525u + 1013904223u;
  return g_seed >> 8;
}

/* The broadcast shape of a and b (ranks ra, rb) into out; its rank. */
static int naive_shape(int ra, const int* a, int rb, const int* b, int* out) {
  const int r = ra > rb ? ra : rb;
  for (int i = 0; i < r; ++i) {
    const int da = i < r - ra ? 1 : a[i - (r - ra)];
    const int db = i < r - rb ? 1 : b[i - (r - rb)];
    out[i] = da == 1 ? db : da;
  }
  return r;
}

/* The flat index into a tensor of rank ra broadcast to the output index. */
static int64_t naive_index(int r, const int* idx, int ra, const int* a) {
  int64_t at = 0;
  for (int i = 0; i < ra; ++i) {
    const int k = idx[i + (r - ra)];
    at = at * a[i] + (a[i] == 1 ? 0 : k);
  }
  return at;
}

static void test_random_broadcast(void) {
  g_case = "sub_random_broadcast";
  for (int trial = 0; trial < 150; ++trial) {
    T ts[3];
    memset(ts, 0, sizeof(ts));
    const int r = 1 + (int)(next_rand() % 8);
    int full[8];
    for (int i = 0; i < r; ++i) full[i] = 1 + (int)(next_rand() % 3);
    for (int k = 0; k < 2; ++k) {
      ts[k].type = T_F32;
      ts[k].rank = (int)(next_rand() % (unsigned)(r + 1));
      for (int i = 0; i < ts[k].rank; ++i) {
        const int d = full[r - ts[k].rank + i];
        ts[k].shape[i] = next_rand() % 3 == 0 ? 1 : d;
      }
    }
    int out_shape[8];
    const int ro = naive_shape(ts[0].rank, ts[0].shape, ts[1].rank,
                               ts[1].shape, out_shape);
    ts[2].type = T_F32;
    ts[2].rank = ro;
    memcpy(ts[2].shape, out_shape, sizeof(out_shape));
    int64_t na = 1, nb = 1, no = 1;
    for (int i = 0; i < ts[0].rank; ++i) na *= ts[0].shape[i];
    for (int i = 0; i < ts[1].rank; ++i) nb *= ts[1].shape[i];
    for (int i = 0; i < ro; ++i) no *= out_shape[i];
    float a[6561], b[6561], want[6561];
    for (int64_t i = 0; i < na; ++i) a[i] = (float)(next_rand() % 1000);
    for (int64_t i = 0; i < nb; ++i) b[i] = (float)(next_rand() % 1000) / 8;
    int idx[8] = {0};
    for (int64_t o = 0; o < no; ++o) {
      want[o] = a[naive_index(ro, idx, ts[0].rank, ts[0].shape)] -
                b[naive_index(ro, idx, ts[1].rank, ts[1].shape)];
      for (int d = ro - 1; d >= 0; --d) {
        if (++idx[d] < out_shape[d]) break;
        idx[d] = 0;
      }
    }
    Run run;
    bool ok = open_op(&run, OP_SUB, 0, 0, 2, ts);
    ok = ok && TfLiteInterpreterAllocateTensors(run.interp) == kTfLiteOk;
    ok = ok && set_input(&run, 0, a, sizeof(float) * na) &&
         set_input(&run, 1, b, sizeof(float) * nb);
    ok = ok && TfLiteInterpreterInvoke(run.interp) == kTfLiteOk;
    ok = ok && output_bytes(&run, want, sizeof(float) * no);
    if (!ok) printf("  trial %d (rank %d)\n", trial, ro);
    CHECK(ok);
    /* Grow input 0 by a leading dim of 2 and check again. */
    if (ok && ts[0].rank < 8 && ts[0].rank >= ts[1].rank) {
      int grown[9] = {2};
      memcpy(grown + 1, ts[0].shape, sizeof(int) * ts[0].rank);
      int shape2[9];
      const int r2 = naive_shape(ts[0].rank + 1, grown, ts[1].rank,
                                 ts[1].shape, shape2);
      int64_t n2 = 1;
      for (int i = 0; i < r2; ++i) n2 *= shape2[i];
      static float a2[13122], want2[13122];
      for (int64_t i = 0; i < 2 * na; ++i) a2[i] = (float)(i % 7);
      int idx2[9] = {0};
      for (int64_t o = 0; o < n2; ++o) {
        want2[o] = a2[naive_index(r2, idx2, ts[0].rank + 1, grown)] -
                   b[naive_index(r2, idx2, ts[1].rank, ts[1].shape)];
        for (int d = r2 - 1; d >= 0; --d) {
          if (++idx2[d] < shape2[d]) break;
          idx2[d] = 0;
        }
      }
      ok = TfLiteInterpreterResizeInputTensor(run.interp, 0, grown,
                                              ts[0].rank + 1) == kTfLiteOk &&
           TfLiteInterpreterAllocateTensors(run.interp) == kTfLiteOk &&
           set_input(&run, 0, a2, sizeof(float) * 2 * na) &&
           set_input(&run, 1, b, sizeof(float) * nb) &&
           TfLiteInterpreterInvoke(run.interp) == kTfLiteOk &&
           output_bytes(&run, want2, sizeof(float) * n2);
      if (!ok) printf("  resized trial %d (rank %d)\n", trial, r2);
      CHECK(ok);
    }
    run_close(&run);
  }
}

/* Quantized forms on hand-worked values (zero points 0; the scales chosen
 * so every multiplier is a power of two and each step is exact). */
static void test_quantized(void) {
  /* ADD int8, inputs 0.5, output 1.0: q = (x + y) / 2, ties away from
   * zero (the final rounding shift). */
  g_case = "add_int8_halves";
  {
    Run r;
    T ts[3] = {{T_I8, 1, {6}, 0.5f}, {T_I8, 1, {6}, 0.5f},
               {T_I8, 1, {6}, 1.0f}};
    if (open_op(&r, OP_ADD, 0, 0, 2, ts)) {
      const int8_t a[6] = {1, -1, 1, -1, 127, -128};
      const int8_t b[6] = {2, -2, 0, 0, 127, -128};
      const int8_t want[6] = {2, -2, 1, -1, 127, -128};
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)) && set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_bytes(&r, want, sizeof(want)));
    }
    run_close(&r);
  }
  /* SUB int8 with one scale: exact differences, saturating. */
  g_case = "sub_int8_saturates";
  {
    Run r;
    T ts[3] = {{T_I8, 1, {4}, 0.25f}, {T_I8, 1, {4}, 0.25f},
               {T_I8, 1, {4}, 0.25f}};
    if (open_op(&r, OP_SUB, 0, 0, 2, ts)) {
      const int8_t a[4] = {5, -5, 127, -128}, b[4] = {7, -7, -1, 1};
      const int8_t want[4] = {-2, 2, 127, -128};
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)) && set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_bytes(&r, want, sizeof(want)));
    }
    run_close(&r);
  }
  /* MUL int8, inputs 0.5, output 0.125: q = x * y * 2 with saturation;
   * RELU (MulOptions) clamps at 0. */
  g_case = "mul_int8_relu";
  {
    Run r;
    T ts[3] = {{T_I8, 1, {4}, 0.5f}, {T_I8, 1, {4}, 0.5f},
               {T_I8, 1, {4}, 0.125f}};
    if (open_op(&r, OP_MUL, OPT_MUL, 1, 2, ts)) {
      const int8_t a[4] = {3, -3, 10, 2}, b[4] = {5, 5, 10, -1};
      const int8_t want[4] = {30, 0, 127, 0};
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)) && set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_bytes(&r, want, sizeof(want)));
    }
    run_close(&r);
  }
  /* EQUAL on uint8 of different scales: 0.5 * 4 == 0.25 * 8. */
  g_case = "equal_uint8_scales";
  {
    Run r;
    T ts[3] = {{T_U8, 1, {4}, 0.5f}, {T_U8, 1, {4}, 0.25f},
               {T_BOOL, 1, {4}, 0}};
    if (open_op(&r, OP_EQUAL, 0, 0, 2, ts)) {
      const uint8_t a[4] = {4, 4, 0, 255}, b[4] = {8, 9, 0, 255};
      const bool want[4] = {true, false, true, false};
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)) && set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_bytes(&r, want, sizeof(want)));
    }
    run_close(&r);
  }
  /* DIV uint8 (zero point 0 is a real 0 in the divisor: an error). */
  g_case = "div_uint8";
  {
    Run r;
    T ts[3] = {{T_U8, 1, {3}, 1.0f}, {T_U8, 1, {3}, 1.0f},
               {T_U8, 1, {3}, 0.25f}};
    if (open_op(&r, OP_DIV, 0, 0, 2, ts)) {
      const uint8_t a[3] = {6, 1, 200}, b[3] = {3, 4, 0};
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)) && set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
      CHECK(error_contains("DIV: division by zero"));
      /* 6/3 = 2 -> 8; 1/4 -> 1; 200/1 = 200 -> 800, clamped to 255. */
      const uint8_t b2[3] = {3, 4, 1}, want[3] = {8, 1, 255};
      CHECK(set_input(&r, 1, b2, sizeof(b2)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_bytes(&r, want, sizeof(want)));
    }
    run_close(&r);
  }
}

/* MUL (with RELU6) of shapes big enough to be split across threads: the
 * same bits at 1, 2 and 4 threads as the naive loop, for same-shape,
 * per-channel, scalar and middle-axis broadcasts (the split then falls
 * inside rows and between them); and small shapes whose walk of one or two
 * loops is run directly (one row, a single value against a row, rows
 * against a column or a vector, an outer product, one element). */
static void test_threaded_broadcast(void) {
  g_case = "mul_threaded_broadcast";
  static const struct {
    int ra, a[4], rb, b[4];
  } kCases[] = {
      {4, {3, 37, 29, 41}, 4, {3, 37, 29, 41}},
      {4, {3, 37, 29, 41}, 1, {41}},
      {4, {3, 37, 29, 41}, 0, {0}},
      {4, {3, 37, 29, 41}, 4, {3, 1, 29, 1}},
      {2, {1, 41}, 4, {3, 37, 29, 41}},
      {2, {1, 24}, 2, {1, 24}},
      {2, {1, 24}, 0, {0}},
      {0, {0}, 2, {3, 5}},
      {3, {1, 16, 32}, 3, {1, 16, 1}},
      {3, {1, 16, 32}, 1, {32}},
      {3, {1, 16, 1}, 3, {1, 1, 32}},
      {3, {1, 1, 1}, 1, {1}},
  };
  const int64_t max = 3 * 37 * 29 * 41;
  float* a = malloc(sizeof(float) * (size_t)max);
  float* b = malloc(sizeof(float) * (size_t)max);
  float* want = malloc(sizeof(float) * (size_t)max);
  for (int64_t i = 0; i < max; ++i) {
    a[i] = (float)((int)(next_rand() % 2001) - 1000) / 64;
    b[i] = (float)((int)(next_rand() % 2001) - 1000) / 128;
  }
  for (size_t c = 0; c < sizeof(kCases) / sizeof(kCases[0]); ++c) {
    T ts[3];
    memset(ts, 0, sizeof(ts));
    ts[0].type = ts[1].type = ts[2].type = T_F32;
    ts[0].rank = kCases[c].ra;
    ts[1].rank = kCases[c].rb;
    memcpy(ts[0].shape, kCases[c].a, sizeof(kCases[c].a));
    memcpy(ts[1].shape, kCases[c].b, sizeof(kCases[c].b));
    ts[2].rank = naive_shape(ts[0].rank, ts[0].shape, ts[1].rank, ts[1].shape,
                             ts[2].shape);
    int64_t na = 1, nb = 1, no = 1;
    for (int i = 0; i < ts[0].rank; ++i) na *= ts[0].shape[i];
    for (int i = 0; i < ts[1].rank; ++i) nb *= ts[1].shape[i];
    for (int i = 0; i < ts[2].rank; ++i) no *= ts[2].shape[i];
    int idx[8] = {0};
    for (int64_t o = 0; o < no; ++o) {
      float v = a[naive_index(ts[2].rank, idx, ts[0].rank, ts[0].shape)] *
                b[naive_index(ts[2].rank, idx, ts[1].rank, ts[1].shape)];
      v = v < 0.0f ? 0.0f : v;
      want[o] = 6.0f < v ? 6.0f : v;
      for (int d = ts[2].rank - 1; d >= 0; --d) {
        if (++idx[d] < ts[2].shape[d]) break;
        idx[d] = 0;
      }
    }
    for (int threads = 1; threads <= 4; threads *= 2) {
      Run run;
      bool ok = open_op(&run, OP_MUL, OPT_MUL, ACT_RELU6, 2, ts);
      TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
      TfLiteInterpreterOptionsSetErrorReporter(opts, PyliteQuietReporter,
                                               NULL);
      TfLiteInterpreterOptionsSetNumThreads(opts, threads);
      TfLiteInterpreterDelete(run.interp);
      run.interp = ok ? TfLiteInterpreterCreate(run.model, opts) : NULL;
      TfLiteInterpreterOptionsDelete(opts);
      ok = run.interp &&
           TfLiteInterpreterAllocateTensors(run.interp) == kTfLiteOk &&
           set_input(&run, 0, a, sizeof(float) * na) &&
           set_input(&run, 1, b, sizeof(float) * nb) &&
           TfLiteInterpreterInvoke(run.interp) == kTfLiteOk &&
           output_bytes(&run, want, sizeof(float) * no);
      if (!ok) printf("  case %zu, %d threads\n", c, threads);
      CHECK(ok);
      run_close(&run);
    }
  }
  free(a);
  free(b);
  free(want);
}

/* Whether the output holds the n floats of `want`, bit for bit, except
 * that any NaN matches any NaN: with two NaN operands, which one's sign
 * and payload come out depends on the order the compiler gave the
 * operands of a commutative instruction. */
static bool output_floats(Run* r, const float* want, int n) {
  const TfLiteTensor* t = TfLiteInterpreterGetOutputTensor(r->interp, 0);
  if (!t || TfLiteTensorByteSize(t) != sizeof(float) * (size_t)n) return false;
  const float* got = TfLiteTensorData(t);
  for (int i = 0; i < n; ++i) {
    if (isnan(got[i]) && isnan(want[i])) continue;
    if (memcmp(&got[i], &want[i], sizeof(float)) != 0) return false;
  }
  return true;
}

/* One float row op of test_float_row_levels, as a plain loop would
 * compute it: x op y, clamped to [lo, hi] as pl_bin_clamp_f32 (NaN passes)
 * unless the op has no activation. */
static float float_row_ref(int op, float x, float y, bool clamp, float lo,
                           float hi) {
  float v = op == OP_ADD   ? x + y
            : op == OP_SUB ? x - y
            : op == OP_MUL ? x * y
            : op == OP_DIV ? x / y
                           : (x - y) * (x - y);
  if (!clamp) return v;
  v = v < lo ? lo : v;
  return hi < v ? hi : v;
}

/* The float ADD, SUB, MUL, DIV and SQUARED_DIFFERENCE rows (one C loop
 * compiled for SSE and for AVX2, chosen by the SIMD level): the same bits
 * at the AVX2 level and the portable one as the plain loop, on lengths
 * around the vector widths (remainders), same-shape and with either input
 * a scalar, with NaN, infinities, -0, denormals and huge values, without
 * and with RELU6. */
static void test_float_row_levels(void) {
  g_case = "float_row_levels";
  static const struct {
    int op, opt;
  } kOps[] = {{OP_ADD, OPT_ADD}, {OP_SUB, 28}, {OP_MUL, OPT_MUL},
              {OP_DIV, 29}, {OP_SQUARED_DIFFERENCE, 0}};
  static const int kLengths[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100};
  const float specials[] = {NAN, -NAN, INFINITY, -INFINITY, -0.0f, 0.0f,
                            FLT_MIN / 4, FLT_MAX, -FLT_MAX, 1e30f, 5.5f};
  const int num_specials = (int)(sizeof(specials) / sizeof(specials[0]));
  float a[100], b[100], want[100];
  for (size_t o = 0; o < sizeof(kOps) / sizeof(kOps[0]); ++o) {
    for (int act = 0; act <= ACT_RELU6; act += ACT_RELU6) {
      if (kOps[o].opt == 0 && act != 0) continue;
      for (size_t l = 0; l < sizeof(kLengths) / sizeof(kLengths[0]); ++l) {
        const int n = kLengths[l];
        for (int i = 0; i < n; ++i) {
          a[i] = next_rand() % 4 == 0
                     ? specials[next_rand() % (unsigned)num_specials]
                     : (float)((int)(next_rand() % 2001) - 1000) / 64;
          b[i] = next_rand() % 4 == 0
                     ? specials[next_rand() % (unsigned)num_specials]
                     : (float)((int)(next_rand() % 2001) - 1000) / 128;
        }
        /* 0: same shape; 1: y a scalar; 2: x a scalar. */
        for (int form = 0; form < 3; ++form) {
          T ts[3];
          memset(ts, 0, sizeof(ts));
          ts[0].type = ts[1].type = ts[2].type = T_F32;
          ts[0].rank = form == 2 ? 0 : 1;
          ts[1].rank = form == 1 ? 0 : 1;
          ts[0].shape[0] = ts[1].shape[0] = ts[2].shape[0] = n;
          ts[2].rank = 1;
          for (int i = 0; i < n; ++i)
            want[i] = float_row_ref(kOps[o].op, a[form == 2 ? 0 : i],
                                    b[form == 1 ? 0 : i], kOps[o].opt != 0,
                                    act ? 0.0f : -FLT_MAX,
                                    act ? 6.0f : FLT_MAX);
          for (int portable = 0; portable <= 1; ++portable) {
            pl_simd_force_portable(portable);
            Run run;
            bool ok = open_op(&run, kOps[o].op, kOps[o].opt, act, 2, ts);
            ok = ok &&
                 TfLiteInterpreterAllocateTensors(run.interp) == kTfLiteOk &&
                 set_input(&run, 0, a, sizeof(float) * (form == 2 ? 1 : n)) &&
                 set_input(&run, 1, b, sizeof(float) * (form == 1 ? 1 : n)) &&
                 TfLiteInterpreterInvoke(run.interp) == kTfLiteOk &&
                 output_floats(&run, want, n);
            if (!ok)
              printf("  op %d, act %d, n %d, form %d, portable %d\n",
                     kOps[o].op, act, n, form, portable);
            CHECK(ok);
            run_close(&run);
          }
          pl_simd_force_portable(false);
        }
      }
    }
  }
}

/* x -> LOGISTIC -> s, MUL(x, s) (or MUL(s, x)) -> y, all of `type`
 * (int8 / uint8: x scale 0.05, s 1/256 as LOGISTIC requires, y 0.03); with
 * s_is_output, s is a graph output too, which keeps the ops apart. */
static bool open_swish(Run* r, int type, int n, bool swapped, int act,
                       bool s_is_output, int threads) {
  MbModel m;
  mb_init(&m, "pylite swish test");
  const int logistic = mb_opcode(&m, OP_LOGISTIC, NULL);
  const int mul = mb_opcode(&m, OP_MUL, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const int x = mb_tensor(sg, NULL, type, 1, &n);
  const int st = mb_tensor(sg, NULL, type, 1, &n);
  const int y = mb_tensor(sg, NULL, type, 1, &n);
  if (type != T_F32) {
    sg->tensors[x].scale = 0.05f;
    sg->tensors[st].scale = 1.0f / 256;
    sg->tensors[y].scale = 0.03f;
  }
  mb_op(sg, logistic, 1, &x, 1, &st);
  const int ins[2] = {swapped ? st : x, swapped ? x : st};
  MbOp* o = mb_op(sg, mul, 2, ins, 1, &y);
  o->options = OPT_MUL;
  o->num_i32 = 1;
  o->i32[0] = act;
  const int outs[2] = {y, st};
  mb_io(sg, 1, &x, s_is_output ? 2 : 1, outs);
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  memset(r, 0, sizeof(*r));
  r->bytes = bytes;
  r->model = TfLiteModelCreateWithErrorReporter(bytes, size,
                                                PyliteQuietReporter, NULL);
  if (!r->model) return false;
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(opts, PyliteQuietReporter, NULL);
  TfLiteInterpreterOptionsSetNumThreads(opts, threads);
  r->interp = TfLiteInterpreterCreate(r->model, opts);
  TfLiteInterpreterOptionsDelete(opts);
  return r->interp &&
         TfLiteInterpreterAllocateTensors(r->interp) == kTfLiteOk;
}

/* The same bits, except that any NaN matches any NaN (C leaves the
 * operand whose NaN a product keeps to the compiler). */
static bool same_floats(const float* a, const float* b, int n) {
  for (int i = 0; i < n; ++i)
    if (memcmp(&a[i], &b[i], sizeof(float)) != 0 &&
        !(isnan(a[i]) && isnan(b[i])))
      return false;
  return true;
}

/* The quantized swish (int8 and uint8): the fused table gives the bytes of
 * the two ops apart for every input value, in both input orders, with and
 * without a fused activation, at 1, 2 and 4 threads. */
static void test_swish_quantized(void) {
  g_case = "swish quantized";
  enum { kN = 256 * 131 };
  static uint8_t x[kN], want[kN];
  for (int i = 0; i < kN; ++i) x[i] = (uint8_t)(i * 7 + i / 256);
  for (int type = 0; type < 2; ++type)
    for (int variant = 0; variant < 4; ++variant) {
      const int t = type ? T_U8 : T_I8;
      const bool swapped = variant & 1;
      const int act = variant & 2 ? ACT_RELU6 : ACT_NONE;
      Run apart;
      bool ok = open_swish(&apart, t, kN, swapped, act, true, 1) &&
                set_input(&apart, 0, x, kN) &&
                TfLiteInterpreterInvoke(apart.interp) == kTfLiteOk;
      const TfLiteTensor* y =
          ok ? TfLiteInterpreterGetOutputTensor(apart.interp, 0) : NULL;
      if (y) memcpy(want, TfLiteTensorData(y), kN);
      run_close(&apart);
      for (int threads = 1; ok && threads <= 4; threads *= 2) {
        Run fused;
        ok = open_swish(&fused, t, kN, swapped, act, false, threads) &&
             set_input(&fused, 0, x, kN);
        TfLiteTensor* st = ok ? TfLiteInterpreterGetTensor(fused.interp, 1)
                              : NULL;
        ok = st && TfLiteTensorByteSize(st) == kN;
        if (ok) ((uint8_t*)TfLiteTensorData(st))[0] = 77;
        ok = ok && TfLiteInterpreterInvoke(fused.interp) == kTfLiteOk &&
             ((const uint8_t*)TfLiteTensorData(st))[0] == 77;
        const TfLiteTensor* got =
            ok ? TfLiteInterpreterGetOutputTensor(fused.interp, 0) : NULL;
        ok = got && TfLiteTensorByteSize(got) == kN &&
             memcmp(TfLiteTensorData(got), want, kN) == 0;
        run_close(&fused);
        if (!ok) printf("  %s, variant %d, %d threads\n",
                        type ? "uint8" : "int8", variant, threads);
      }
      CHECK(ok);
    }
}

/* The fused swish (binary.h) gives the bits of the two ops apart, for both
 * input orders, with and without a fused activation, at 1, 2 and 4 threads,
 * on special values and on sizes that split across threads. */
static void test_swish(void) {
  g_case = "swish";
  static const float kSpecial[] = {0.0f, -0.0f, 1.0f, -1.0f, 20.0f, -20.0f,
                                   -95.0f, 100.0f, NAN, INFINITY, -INFINITY,
                                   1e-40f, 16.62f, -9.0f, 6.0f};
  const int kSizes[] = {15, 8191, 3 * 37 * 29 * 41};
  for (size_t si = 0; si < sizeof(kSizes) / sizeof(kSizes[0]); ++si) {
    const int n = kSizes[si];
    float* x = malloc(sizeof(float) * (size_t)n);
    float* want = malloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; ++i)
      x[i] = i < 15 ? kSpecial[i]
                    : (float)((int)(next_rand() % 4001) - 2000) / 100;
    for (int variant = 0; variant < 4; ++variant) {
      const bool swapped = variant & 1;
      const int act = variant & 2 ? ACT_RELU6 : ACT_NONE;
      Run apart;
      bool ok = open_swish(&apart, T_F32, n, swapped, act, true, 1) &&
                set_input(&apart, 0, x, sizeof(float) * n) &&
                TfLiteInterpreterInvoke(apart.interp) == kTfLiteOk;
      const TfLiteTensor* y =
          ok ? TfLiteInterpreterGetOutputTensor(apart.interp, 0) : NULL;
      if (y) memcpy(want, TfLiteTensorData(y), sizeof(float) * n);
      run_close(&apart);
      for (int threads = 1; ok && threads <= 4; threads *= 2) {
        Run fused;
        ok = open_swish(&fused, T_F32, n, swapped, act, false, threads) &&
             set_input(&fused, 0, x, sizeof(float) * n);
        /* The LOGISTIC's output (tensor 1) is left alone when fused. */
        TfLiteTensor* st = ok ? TfLiteInterpreterGetTensor(fused.interp, 1)
                              : NULL;
        ok = st && TfLiteTensorByteSize(st) == sizeof(float) * n;
        if (ok) ((float*)TfLiteTensorData(st))[0] = 1234.5f;
        ok = ok && TfLiteInterpreterInvoke(fused.interp) == kTfLiteOk &&
             ((const float*)TfLiteTensorData(st))[0] == 1234.5f;
        const TfLiteTensor* got =
            ok ? TfLiteInterpreterGetOutputTensor(fused.interp, 0) : NULL;
        ok = got && TfLiteTensorByteSize(got) == sizeof(float) * n &&
             same_floats(TfLiteTensorData(got), want, n);
        run_close(&fused);
        if (!ok) printf("  size %d, variant %d, %d threads\n", n, variant,
                        threads);
      }
      CHECK(ok);
    }
    free(x);
    free(want);
  }
}

int main(void) {
  test_errors();
  test_quantized();
  test_int_corners();
  test_where();
  test_strings();
  test_random_broadcast();
  test_threaded_broadcast();
  test_float_row_levels();
  test_swish();
  test_swish_quantized();
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
