/* pylite: kernel tests.
 *
 * Each case builds a tiny single-op .tflite model in memory (with the
 * shared writer in model_builder.h), runs it through the public C API and
 * compares the outputs with values worked out by hand (or, for the larger
 * FULLY_CONNECTED case, with a naive loop in the same summation order).
 * Float results are compared bit for bit: the kernels promise TFLite's exact
 * arithmetic, including NaN, -0.0 and the clamp of +-inf to +-FLT_MAX.
 *
 * Prints one line per failed check and ends with "N passed, N failed". */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- Single-op models ------------------------------------------------------ */

typedef struct TensorSpec {
  int type;
  int rank;
  int shape[8];
  const void* data; /* constant data, or NULL */
  size_t bytes;
  float scale; /* > 0: per-tensor quantization */
} TensorSpec;

typedef struct ModelSpec {
  int op;
  int num_tensors;
  TensorSpec t[6];
  int num_inputs; /* subgraph inputs */
  int inputs[4];
  int num_outputs;
  int outputs[2];
  int num_op_inputs;
  int op_inputs[4]; /* -1: omitted */
  int num_op_outputs;
  int op_outputs[2];
  int options; /* OPT_*; OPT_NONE writes no options */
  int activation;
  bool keep_num_dims;
  int weights_format;
  int new_shape_len; /* -1: no new_shape field */
  int new_shape[10];
} ModelSpec;

/* Writes the spec as a one-subgraph model through the shared builder. */
static uint8_t* build_model(const ModelSpec* m, size_t* size) {
  MbModel model;
  mb_init(&model, "pylite kernel test");
  mb_opcode(&model, m->op, NULL);
  MbSubgraph* sg = mb_subgraph(&model, "main");
  for (int i = 0; i < m->num_tensors; ++i) {
    const TensorSpec* ts = &m->t[i];
    int t = mb_tensor_data(sg, NULL, ts->type, ts->rank, ts->shape, ts->data,
                           ts->bytes);
    sg->tensors[t].scale = ts->scale;
  }
  mb_io(sg, m->num_inputs, m->inputs, m->num_outputs, m->outputs);
  MbOp* op = mb_op(sg, 0, m->num_op_inputs, m->op_inputs, m->num_op_outputs,
                   m->op_outputs);
  op->options = m->options;
  op->activation = m->activation;
  op->keep_num_dims = m->keep_num_dims;
  op->weights_format = m->weights_format;
  op->has_new_shape = m->new_shape_len >= 0;
  op->new_shape_len = m->new_shape_len;
  for (int i = 0; i < m->new_shape_len; ++i) op->new_shape[i] = m->new_shape[i];
  return mb_build(&model, size);
}

/* Spec shorthands. */
static TensorSpec tensor(int type, int rank, const int* shape) {
  TensorSpec t;
  memset(&t, 0, sizeof(t));
  t.type = type;
  t.rank = rank;
  for (int i = 0; i < rank; ++i) t.shape[i] = shape[i];
  return t;
}
static TensorSpec constant(int type, int rank, const int* shape,
                           const void* data, size_t bytes) {
  TensorSpec t = tensor(type, rank, shape);
  t.data = data;
  t.bytes = bytes;
  return t;
}

/* A model with tensors 0..n-2 as op inputs (those without data are
 * subgraph inputs) and the last tensor as the output. */
static ModelSpec simple_model(int op, int options, int n,
                              const TensorSpec* ts) {
  ModelSpec m;
  memset(&m, 0, sizeof(m));
  m.op = op;
  m.options = options;
  m.new_shape_len = -1;
  m.num_tensors = n;
  for (int i = 0; i < n; ++i) m.t[i] = ts[i];
  for (int i = 0; i < n - 1; ++i) {
    m.op_inputs[m.num_op_inputs++] = i;
    if (!ts[i].data) m.inputs[m.num_inputs++] = i;
  }
  m.num_outputs = 1;
  m.outputs[0] = n - 1;
  m.num_op_outputs = 1;
  m.op_outputs[0] = n - 1;
  return m;
}

/* ---- Running ------------------------------------------------------------------ */


/* Builds and loads the model; false (and a failed check) if that fails. */
static bool run_open(Run* r, const ModelSpec* m) {
  size_t size = 0;
  uint8_t* bytes = build_model(m, &size);
  run_load(r, bytes, size);
  CHECK(r->model != NULL);
  if (!r->model) return false;
  CHECK(r->interp != NULL);
  return r->interp != NULL;
}



static const TfLiteTensor* output(Run* r, int i) {
  return TfLiteInterpreterGetOutputTensor(r->interp, i);
}

static bool has_shape(const TfLiteTensor* t, int rank, const int* dims) {
  if (!t || TfLiteTensorNumDims(t) != rank) return false;
  for (int i = 0; i < rank; ++i)
    if (TfLiteTensorDim(t, i) != dims[i]) return false;
  return true;
}

/* Bitwise float comparison, except that any NaN matches any NaN. */
static bool same_f32(const float* got, const float* want, int n) {
  for (int i = 0; i < n; ++i) {
    if (isnan(want[i]) && isnan(got[i])) continue;
    if (memcmp(&got[i], &want[i], sizeof(float)) != 0) {
      printf("  [%d] got %.9g want %.9g\n", i, got[i], want[i]);
      return false;
    }
  }
  return true;
}

static bool output_is_f32(Run* r, int rank, const int* dims, const float* want,
                          int n) {
  const TfLiteTensor* t = output(r, 0);
  if (!has_shape(t, rank, dims)) {
    printf("  output shape mismatch (rank %d)\n", t ? TfLiteTensorNumDims(t) : -1);
    return false;
  }
  if (TfLiteTensorType(t) != kTfLiteFloat32 ||
      TfLiteTensorByteSize(t) != n * sizeof(float))
    return false;
  return same_f32(TfLiteTensorData(t), want, n);
}

static bool error_contains(const char* needle) {
  const char* msg = PyliteGetLastError();
  if (strstr(msg, needle)) return true;
  printf("  expected an error containing \"%s\", got \"%s\"\n", needle, msg);
  return false;
}

/* Loads, allocates and expects AllocateTensors to fail with `needle`. */
static void expect_alloc_error(const ModelSpec* m, const char* needle) {
  Run r;
  if (run_open(&r, m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
    CHECK(error_contains(needle));
  }
  run_close(&r);
}

/* ---- ADD ----------------------------------------------------------------------- */

static ModelSpec add_model(int type, int r1, const int* s1, int r2,
                           const int* s2, int activation) {
  const int one[1] = {1};
  TensorSpec ts[3] = {tensor(type, r1, s1), tensor(type, r2, s2),
                      tensor(type, 1, one)};
  ModelSpec m = simple_model(OP_ADD, OPT_ADD, 3, ts);
  m.activation = activation;
  return m;
}

static void run_add_f32(const ModelSpec* m, const float* a, size_t na,
                        const float* b, size_t nb, int rank, const int* dims,
                        const float* want, int n) {
  Run r;
  if (run_open(&r, m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, a, na * sizeof(float)));
    CHECK(set_input(&r, 1, b, nb * sizeof(float)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, rank, dims, want, n));
  }
  run_close(&r);
}

static void test_add_same_shape(void) {
  g_case = "add_same_shape";
  const int s[2] = {2, 3};
  const float a[6] = {1, 2, 3, 4, 5, 6};
  const float b[6] = {0.5f, -2, 10, -4, 0, 1e-3f};
  const float want[6] = {1.5f, 0, 13, 0, 5, 6.001f};
  ModelSpec m = add_model(T_F32, 2, s, 2, s, ACT_NONE);
  run_add_f32(&m, a, 6, b, 6, 2, s, want, 6);
}

static void test_add_broadcast(void) {
  g_case = "add_broadcast_2x1x3_4x1";
  {
    const int s1[3] = {2, 1, 3}, s2[2] = {4, 1}, so[3] = {2, 4, 3};
    const float a[6] = {0, 1, 2, 10, 11, 12};
    const float b[4] = {100, 200, 300, 400};
    const float want[24] = {100, 101, 102, 200, 201, 202, 300, 301,
                            302, 400, 401, 402, 110, 111, 112, 210,
                            211, 212, 310, 311, 312, 410, 411, 412};
    ModelSpec m = add_model(T_F32, 3, s1, 2, s2, ACT_NONE);
    run_add_f32(&m, a, 6, b, 4, 3, so, want, 24);
  }
  g_case = "add_broadcast_scalar";
  {
    const int s2[2] = {2, 2};
    const float a[1] = {1.5f};
    const float b[4] = {1, 2, 3, 4};
    const float want[4] = {2.5f, 3.5f, 4.5f, 5.5f};
    ModelSpec m = add_model(T_F32, 0, NULL, 2, s2, ACT_NONE);
    run_add_f32(&m, a, 1, b, 4, 2, s2, want, 4);
    /* The scalar as the second operand. */
    ModelSpec m2 = add_model(T_F32, 2, s2, 0, NULL, ACT_NONE);
    run_add_f32(&m2, b, 4, a, 1, 2, s2, want, 4);
  }
  g_case = "add_broadcast_rows_and_cols";
  {
    /* [3,1] + [1,4] -> [3,4]: both operands broadcast. */
    const int s1[2] = {3, 1}, s2[2] = {1, 4}, so[2] = {3, 4};
    const float a[3] = {10, 20, 30};
    const float b[4] = {1, 2, 3, 4};
    const float want[12] = {11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34};
    ModelSpec m = add_model(T_F32, 2, s1, 2, s2, ACT_NONE);
    run_add_f32(&m, a, 3, b, 4, 2, so, want, 12);
  }
  g_case = "add_broadcast_rank7";
  {
    const int s1[7] = {2, 1, 1, 1, 1, 1, 3}, s2[7] = {1, 1, 1, 1, 1, 2, 1};
    const int so[7] = {2, 1, 1, 1, 1, 2, 3};
    const float a[6] = {0, 1, 2, 3, 4, 5};
    const float b[2] = {0, 1};
    const float want[12] = {0, 1, 2, 1, 2, 3, 3, 4, 5, 4, 5, 6};
    ModelSpec m = add_model(T_F32, 7, s1, 7, s2, ACT_NONE);
    run_add_f32(&m, a, 6, b, 2, 7, so, want, 12);
  }
  g_case = "add_broadcast_middle";
  {
    /* [2,3,2] + [3,1]: the second operand repeats along dims 0 and 2. */
    const int s1[3] = {2, 3, 2}, s2[2] = {3, 1};
    const float a[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const float b[3] = {100, 200, 300};
    const float want[12] = {100, 101, 202, 203, 304, 305,
                            106, 107, 208, 209, 310, 311};
    ModelSpec m = add_model(T_F32, 3, s1, 2, s2, ACT_NONE);
    run_add_f32(&m, a, 12, b, 3, 3, s1, want, 12);
  }
  g_case = "add_broadcast_empty";
  {
    const int s1[2] = {0, 3}, s2[2] = {1, 3};
    const float b[3] = {1, 2, 3};
    ModelSpec m = add_model(T_F32, 2, s1, 2, s2, ACT_NONE);
    Run r;
    if (run_open(&r, &m)) {
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(has_shape(output(&r, 0), 2, s1));
    }
    run_close(&r);
  }
}

static void test_add_activations(void) {
  const int s[1] = {8};
  const float inf = INFINITY;
  const float a[8] = {inf, -inf, NAN, -0.0f, 0.25f, -3, 7, 1e38f};
  const float b[8] = {1, 0, 0, -0.0f, 0.5f, 1, 0, 1e38f};
  /* Sums: inf, -inf, nan, -0, 0.75, -2, 7, 2e38. */
  const float none[8] = {FLT_MAX, -FLT_MAX, NAN, -0.0f, 0.75f, -2, 7, 2e38f};
  const float relu[8] = {FLT_MAX, 0, NAN, -0.0f, 0.75f, 0, 7, 2e38f};
  const float n1[8] = {1, -1, NAN, -0.0f, 0.75f, -1, 1, 1};
  const float relu6[8] = {6, 0, NAN, -0.0f, 0.75f, 0, 6, 6};
  const struct {
    const char* name;
    int act;
    const float* want;
  } cases[] = {
      {"add_act_none", ACT_NONE, none},
      {"add_act_relu", ACT_RELU, relu},
      {"add_act_relu_n1_to_1", ACT_RELU_N1_TO_1, n1},
      {"add_act_relu6", ACT_RELU6, relu6},
      /* TFLite ignores the non-clamp activations in ADD. */
      {"add_act_tanh_ignored", ACT_TANH, none},
      {"add_act_sign_bit_ignored", ACT_SIGN_BIT, none},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
    g_case = cases[i].name;
    ModelSpec m = add_model(T_F32, 1, s, 1, s, cases[i].act);
    run_add_f32(&m, a, 8, b, 8, 1, s, cases[i].want, 8);
  }
  g_case = "add_no_options";
  {
    ModelSpec m = add_model(T_F32, 1, s, 1, s, ACT_NONE);
    m.options = OPT_NONE;
    run_add_f32(&m, a, 8, b, 8, 1, s, none, 8);
  }
}

static void test_add_ints(void) {
  g_case = "add_int32";
  {
    const int s1[1] = {4}, s2[1] = {1};
    const int32_t a[4] = {-5, INT32_MAX, 3, INT32_MIN};
    const int32_t b[1] = {1};
    const int act[3] = {ACT_NONE, ACT_RELU, ACT_RELU6};
    /* INT32_MAX + 1 wraps to INT32_MIN, as in TFLite. */
    const int32_t want[3][4] = {{-4, INT32_MIN, 4, INT32_MIN + 1},
                                {0, 0, 4, 0},
                                {0, 0, 4, 0}};
    for (int k = 0; k < 3; ++k) {
      ModelSpec m = add_model(T_I32, 1, s1, 1, s2, act[k]);
      Run r;
      if (run_open(&r, &m)) {
        CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
        CHECK(set_input(&r, 0, a, sizeof(a)));
        CHECK(set_input(&r, 1, b, sizeof(b)));
        CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
        const TfLiteTensor* t = output(&r, 0);
        CHECK(has_shape(t, 1, s1) && TfLiteTensorType(t) == kTfLiteInt32);
        CHECK(t && memcmp(TfLiteTensorData(t), want[k], sizeof(want[k])) == 0);
      }
      run_close(&r);
    }
  }
  g_case = "add_int64_relu_n1_to_1";
  {
    const int s[1] = {3};
    const int64_t a[3] = {-5, 7, 0}, b[3] = {1, 1, 1}, want[3] = {-1, 1, 1};
    ModelSpec m = add_model(T_I64, 1, s, 1, s, ACT_RELU_N1_TO_1);
    Run r;
    if (run_open(&r, &m)) {
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, a, sizeof(a)));
      CHECK(set_input(&r, 1, b, sizeof(b)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      const TfLiteTensor* t = output(&r, 0);
      CHECK(t && memcmp(TfLiteTensorData(t), want, sizeof(want)) == 0);
    }
    run_close(&r);
  }
  g_case = "add_int16_unquantized";
  {
    const int s[1] = {3};
    const int16_t a[3] = {-5, 7, 32767}, b[3] = {1, 1, 1};
    const int16_t want_none[3] = {-4, 8, -32768};
    const int16_t want_relu6[3] = {0, 6, 0};
    for (int k = 0; k < 2; ++k) {
      ModelSpec m = add_model(T_I16, 1, s, 1, s, k ? ACT_RELU6 : ACT_NONE);
      Run r;
      if (run_open(&r, &m)) {
        CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
        CHECK(set_input(&r, 0, a, sizeof(a)));
        CHECK(set_input(&r, 1, b, sizeof(b)));
        CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
        const TfLiteTensor* t = output(&r, 0);
        CHECK(t && memcmp(TfLiteTensorData(t), k ? want_relu6 : want_none,
                          sizeof(want_none)) == 0);
      }
      run_close(&r);
    }
  }
}

static void test_add_constant_and_resize(void) {
  g_case = "add_constant_operand";
  const int s1[2] = {2, 2}, s2[1] = {2}, one[1] = {1};
  const float c[2] = {10, 20};
  TensorSpec ts[3] = {tensor(T_F32, 2, s1), constant(T_F32, 1, s2, c, sizeof(c)),
                      tensor(T_F32, 1, one)};
  ModelSpec m = simple_model(OP_ADD, OPT_ADD, 3, ts);
  Run r;
  if (run_open(&r, &m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const float a[4] = {1, 2, 3, 4}, want[4] = {11, 22, 13, 24};
    CHECK(set_input(&r, 0, a, sizeof(a)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 2, s1, want, 4));

    g_case = "add_resize_input";
    const int s3[3] = {3, 1, 2};
    CHECK(TfLiteInterpreterResizeInputTensor(r.interp, 0, s3, 3) == kTfLiteOk);
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const float a3[6] = {1, 2, 3, 4, 5, 6};
    const float want3[6] = {11, 22, 13, 24, 15, 26};
    CHECK(set_input(&r, 0, a3, sizeof(a3)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 3, s3, want3, 6));
  }
  run_close(&r);
}

static void test_add_errors(void) {
  g_case = "add_not_broadcastable";
  {
    const int s1[2] = {2, 3}, s2[2] = {3, 2};
    ModelSpec m = add_model(T_F32, 2, s1, 2, s2, ACT_NONE);
    expect_alloc_error(&m, "[2,3] and [3,2]");
  }
  g_case = "add_zero_vs_three";
  {
    const int s1[1] = {0}, s2[1] = {3};
    ModelSpec m = add_model(T_F32, 1, s1, 1, s2, ACT_NONE);
    expect_alloc_error(&m, "not broadcastable");
  }
  g_case = "add_type_mismatch";
  {
    const int s[1] = {2}, one[1] = {1};
    TensorSpec ts[3] = {tensor(T_F32, 1, s), tensor(T_I32, 1, s),
                        tensor(T_F32, 1, one)};
    ModelSpec m = simple_model(OP_ADD, OPT_ADD, 3, ts);
    expect_alloc_error(&m, "one type");
  }
  /* Quantized ADD whose output scale is too small for its inputs' (the
   * output rescaling would be >= 1, which LiteRT aborts on). */
  g_case = "add_int8_output_scale";
  {
    const int s[1] = {2}, one[1] = {1};
    TensorSpec ts[3] = {tensor(T_I8, 1, s), tensor(T_I8, 1, s),
                        tensor(T_I8, 1, one)};
    for (int i = 0; i < 3; ++i) ts[i].scale = 0.5f;
    ts[2].scale = 1e-7f;
    ModelSpec m = simple_model(OP_ADD, OPT_ADD, 3, ts);
    expect_alloc_error(&m, "is too small for input scales");
  }
  g_case = "add_int16_quantized_output_scale";
  {
    const int s[1] = {2}, one[1] = {1};
    TensorSpec ts[3] = {tensor(T_I16, 1, s), tensor(T_I16, 1, s),
                        tensor(T_I16, 1, one)};
    for (int i = 0; i < 3; ++i) ts[i].scale = 0.5f;
    ts[2].scale = 1e-7f;
    ModelSpec m = simple_model(OP_ADD, OPT_ADD, 3, ts);
    expect_alloc_error(&m, "is too small for input scales");
  }
}

/* ---- FULLY_CONNECTED ------------------------------------------------------------ */

/* Input [in_rank: in_shape], weights [units, depth] constant, optional bias
 * constant (NULL: omitted as -1, or dropped when `two_inputs`). */
static ModelSpec fc_model(int in_rank, const int* in_shape, int units,
                          int depth, const float* w, const float* bias,
                          bool two_inputs, int activation, bool keep) {
  const int one[1] = {1}, wshape[2] = {units, depth}, bshape[1] = {units};
  TensorSpec ts[4];
  int n = 0;
  ts[n++] = tensor(T_F32, in_rank, in_shape);
  ts[n++] = constant(T_F32, 2, wshape, w, sizeof(float) * units * depth);
  if (bias) ts[n++] = constant(T_F32, 1, bshape, bias, sizeof(float) * units);
  ts[n++] = tensor(T_F32, 1, one);
  ModelSpec m = simple_model(OP_FULLY_CONNECTED, OPT_FC, n, ts);
  if (!bias && !two_inputs) m.op_inputs[m.num_op_inputs++] = -1;
  m.activation = activation;
  m.keep_num_dims = keep;
  return m;
}

static void run_fc(const ModelSpec* m, const float* x, size_t nx, int rank,
                   const int* dims, const float* want, int n) {
  Run r;
  if (run_open(&r, m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, nx * sizeof(float)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, rank, dims, want, n));
  }
  run_close(&r);
}

static void test_fc_basic(void) {
  /* x = [[1,2,3],[4,5,6]], W = [[1,0,-1],[0.5,0.5,0.5]], b = [0.25,-10]
   * x W^T = [[-2, 3], [-2, 7.5]]. */
  const int in[2] = {2, 3}, out[2] = {2, 2};
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const float w[6] = {1, 0, -1, 0.5f, 0.5f, 0.5f};
  const float b[2] = {0.25f, -10};
  g_case = "fc_bias";
  {
    const float want[4] = {-1.75f, -7, -1.75f, -2.5f};
    ModelSpec m = fc_model(2, in, 2, 3, w, b, false, ACT_NONE, false);
    run_fc(&m, x, 6, 2, out, want, 4);
  }
  g_case = "fc_no_bias_omitted";
  {
    const float want[4] = {-2, 3, -2, 7.5f};
    ModelSpec m = fc_model(2, in, 2, 3, w, NULL, false, ACT_NONE, false);
    run_fc(&m, x, 6, 2, out, want, 4);
    g_case = "fc_no_bias_two_inputs";
    ModelSpec m2 = fc_model(2, in, 2, 3, w, NULL, true, ACT_NONE, false);
    run_fc(&m2, x, 6, 2, out, want, 4);
  }
  g_case = "fc_activations";
  {
    const float b2[2] = {0.25f, 0};
    /* Sums with b2: [[-1.75, 3], [-1.75, 7.5]]. */
    const float relu[4] = {0, 3, 0, 7.5f};
    const float n1[4] = {-1, 1, -1, 1};
    const float relu6[4] = {0, 3, 0, 6};
    const float none[4] = {-1.75f, 3, -1.75f, 7.5f};
    const int acts[4] = {ACT_NONE, ACT_RELU, ACT_RELU_N1_TO_1, ACT_RELU6};
    const float* wants[4] = {none, relu, n1, relu6};
    for (int k = 0; k < 4; ++k) {
      ModelSpec m = fc_model(2, in, 2, 3, w, b2, false, acts[k], false);
      run_fc(&m, x, 6, 2, out, wants[k], 4);
    }
  }
  g_case = "fc_inf_clamped_nan_kept";
  {
    const int in1[2] = {2, 3};
    const float w1[6] = {0, 1, 2, 3, 4, 5};
    const float b1[2] = {0.5f, 0.5f};
    const float x1[6] = {1e38f, 1e38f, 1e38f, -1, 0, NAN};
    /* Row 0: 1e38 + 2e38 (+ 0.5, lost), and 12e38 = inf -> FLT_MAX;
     * row 1: NaN. Summed in float here exactly as the kernel does. */
    volatile float big = 1e38f;
    const float row0 = (0.0f + big * 0.0f + big * 1.0f) + big * 2.0f;
    const float want[4] = {row0 + 0.5f, FLT_MAX, NAN, NAN};
    ModelSpec m = fc_model(2, in1, 2, 3, w1, b1, false, ACT_NONE, false);
    run_fc(&m, x1, 6, 2, out, want, 4);
  }
  g_case = "fc_negative_zero";
  {
    /* -0 * 1 summed from +0 is +0; with no bias TFLite still adds 0.0f. */
    const int in1[1] = {1}, out1[2] = {1, 1};
    const float w1[1] = {1}, x1[1] = {-0.0f}, want[1] = {0.0f};
    ModelSpec m = fc_model(1, in1, 1, 1, w1, NULL, false, ACT_NONE, false);
    run_fc(&m, x1, 1, 2, out1, want, 1);
  }
}

static void test_fc_shapes(void) {
  const float w[6] = {1, 2, 3, 4, 5, 6}; /* [2,3] */
  const float x[6] = {1, 1, 1, 0, 1, 0};
  const float want[4] = {6, 15, 2, 5};
  g_case = "fc_keep_num_dims_on";
  {
    const int in[3] = {2, 1, 3}, out[3] = {2, 1, 2};
    ModelSpec m = fc_model(3, in, 2, 3, w, NULL, false, ACT_NONE, true);
    run_fc(&m, x, 6, 3, out, want, 4);
  }
  g_case = "fc_keep_num_dims_off";
  {
    const int in[3] = {2, 1, 3}, out[2] = {2, 2};
    ModelSpec m = fc_model(3, in, 2, 3, w, NULL, false, ACT_NONE, false);
    run_fc(&m, x, 6, 2, out, want, 4);
  }
  g_case = "fc_flatten";
  {
    /* [3,2] holds 6 = 2 x 3 elements: read as a [2,3] batch. */
    const int in[2] = {3, 2}, out[2] = {2, 2};
    ModelSpec m = fc_model(2, in, 2, 3, w, NULL, false, ACT_NONE, false);
    run_fc(&m, x, 6, 2, out, want, 4);
  }
  g_case = "fc_1d_input";
  {
    const int in[1] = {3}, out[2] = {1, 2};
    ModelSpec m = fc_model(1, in, 2, 3, w, NULL, false, ACT_NONE, false);
    run_fc(&m, x, 3, 2, out, want, 2);
  }
  g_case = "fc_zero_depth";
  {
    /* K = 0: the output is zeros, bias and all. */
    const int in[2] = {3, 0}, out[2] = {3, 2};
    const float b[2] = {0.5f, 0.5f}, zeros[6] = {0};
    ModelSpec m = fc_model(2, in, 2, 0, w, b, false, ACT_RELU6, false);
    run_fc(&m, x, 0, 2, out, zeros, 6);
  }
  g_case = "fc_resize_batch";
  {
    const int in[2] = {1, 3};
    ModelSpec m = fc_model(2, in, 2, 3, w, NULL, false, ACT_NONE, false);
    Run r;
    if (run_open(&r, &m)) {
      const int in2[2] = {2, 3}, out[2] = {2, 2};
      CHECK(TfLiteInterpreterResizeInputTensor(r.interp, 0, in2, 2) ==
            kTfLiteOk);
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, x, sizeof(x)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_is_f32(&r, 2, out, want, 4));
    }
    run_close(&r);
  }
}

/* Exercises every tile path (4x4, 1x8 and the remainders) against a naive
 * loop with the same summation order, so results must match bit for bit. */
static void test_fc_large(void) {
  g_case = "fc_large";
  const int batch = 7, units = 13, depth = 37;
  float* x = malloc(sizeof(float) * batch * depth);
  float* w = malloc(sizeof(float) * units * depth);
  float* b = malloc(sizeof(float) * units);
  float* want = malloc(sizeof(float) * batch * units);
  uint32_t seed = 12345;
  for (int i = 0; i < batch * depth + units * depth + units; ++i) {
    seed = seed * 1664525u + 1013904223u;
    float v = (float)((seed >> 8) & 0xffff) / 4096.0f - 8.0f;
    if (i < batch * depth) x[i] = v;
    else if (i < batch * depth + units * depth) w[i - batch * depth] = v;
    else b[i - batch * depth - units * depth] = v;
  }
  for (int i = 0; i < batch; ++i)
    for (int n = 0; n < units; ++n) {
      float total = 0.0f;
      for (int d = 0; d < depth; ++d) total += x[i * depth + d] * w[n * depth + d];
      float y = total + b[n];
      want[i * units + n] = y < 0.0f ? 0.0f : y;
    }
  const int in[2] = {batch, depth}, out[2] = {batch, units};
  ModelSpec m = fc_model(2, in, units, depth, w, b, false, ACT_RELU, false);
  run_fc(&m, x, (size_t)batch * depth, 2, out, want, batch * units);
  free(x);
  free(w);
  free(b);
  free(want);
}

/* int8 FULLY_CONNECTED, hand-worked: LiteRT's reference requantizes in
 * double and rounds half away from zero; a product beyond int32 converts to
 * INT32_MIN (its x86-64 build), so it clamps to -128 whatever its sign. */
static void test_fc_int8(void) {
  const int in[2] = {1, 3}, one[1] = {1}, ws[2] = {3, 3};
  const int8_t w8[9] = {1, 2, 3, 1, 0, 3, -1, 0, -3};
  const int8_t x[3] = {1, 2, 3};
  g_case = "fc_int8_round_half_away";
  {
    /* acc = 14, 10, -10; scale 0.5 * 0.5 / 1 = 0.25: 3.5, 2.5, -2.5. */
    TensorSpec ts[3] = {tensor(T_I8, 2, in),
                        constant(T_I8, 2, ws, w8, sizeof(w8)),
                        tensor(T_I8, 1, one)};
    ts[0].scale = 0.5f;
    ts[1].scale = 0.5f;
    ts[2].scale = 1.0f;
    ModelSpec m = simple_model(OP_FULLY_CONNECTED, OPT_FC, 3, ts);
    Run r;
    if (run_open(&r, &m)) {
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, x, sizeof(x)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      const int8_t* y = TfLiteTensorData(output(&r, 0));
      CHECK(y && y[0] == 4 && y[1] == 3 && y[2] == -3);
    }
    run_close(&r);
  }
  g_case = "fc_int8_scale_beyond_int32";
  {
    TensorSpec ts[3] = {tensor(T_I8, 2, in),
                        constant(T_I8, 2, ws, w8, sizeof(w8)),
                        tensor(T_I8, 1, one)};
    ts[0].scale = 0.5f;
    ts[1].scale = 0.5f;
    ts[2].scale = 1e-10f;
    ModelSpec m = simple_model(OP_FULLY_CONNECTED, OPT_FC, 3, ts);
    Run r;
    if (run_open(&r, &m)) {
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, x, sizeof(x)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      const int8_t* y = TfLiteTensorData(output(&r, 0));
      CHECK(y && y[0] == -128 && y[1] == -128 && y[2] == -128);
    }
    run_close(&r);
  }
}

static void test_fc_errors(void) {
  const float w[6] = {1, 2, 3, 4, 5, 6};
  const float b3[3] = {1, 2, 3};
  g_case = "fc_not_divisible";
  {
    const int in[1] = {7};
    ModelSpec m = fc_model(1, in, 2, 3, w, NULL, false, ACT_NONE, false);
    expect_alloc_error(&m, "not a multiple");
  }
  g_case = "fc_keep_num_dims_mismatch";
  {
    const int in[2] = {3, 2};
    ModelSpec m = fc_model(2, in, 2, 3, w, NULL, false, ACT_NONE, true);
    expect_alloc_error(&m, "keep_num_dims");
  }
  g_case = "fc_bias_size";
  {
    const int in[2] = {1, 3}, one[1] = {1}, ws[2] = {2, 3}, bs[1] = {3};
    TensorSpec ts[4] = {tensor(T_F32, 2, in),
                        constant(T_F32, 2, ws, w, sizeof(w)),
                        constant(T_F32, 1, bs, b3, sizeof(b3)),
                        tensor(T_F32, 1, one)};
    ModelSpec m = simple_model(OP_FULLY_CONNECTED, OPT_FC, 4, ts);
    expect_alloc_error(&m, "bias has 3 elements, expected 2");
  }
  g_case = "fc_tanh_rejected";
  {
    const int in[2] = {1, 3};
    ModelSpec m = fc_model(2, in, 2, 3, w, NULL, false, ACT_TANH, false);
    expect_alloc_error(&m, "fused activation");
  }
  g_case = "fc_shuffled_weights";
  {
    const int in[2] = {1, 3};
    ModelSpec m = fc_model(2, in, 2, 3, w, NULL, false, ACT_NONE, false);
    m.weights_format = 1;
    expect_alloc_error(&m, "weights_format");
  }
  g_case = "fc_weights_rank";
  {
    const int in[2] = {1, 3}, one[1] = {1}, ws[1] = {6};
    TensorSpec ts[3] = {tensor(T_F32, 2, in), constant(T_F32, 1, ws, w, sizeof(w)),
                        tensor(T_F32, 1, one)};
    ModelSpec m = simple_model(OP_FULLY_CONNECTED, OPT_FC, 3, ts);
    expect_alloc_error(&m, "2-D");
  }
  g_case = "fc_mixed_types_unsupported";
  {
    const int in[2] = {1, 3}, one[1] = {1}, ws[2] = {2, 3};
    const uint8_t w8[6] = {1, 2, 3, 4, 5, 6};
    TensorSpec ts[3] = {tensor(T_I8, 2, in), constant(T_U8, 2, ws, w8, sizeof(w8)),
                        tensor(T_I8, 1, one)};
    for (int i = 0; i < 3; ++i) ts[i].scale = 0.5f;
    ModelSpec m = simple_model(OP_FULLY_CONNECTED, OPT_FC, 3, ts);
    expect_alloc_error(&m, "not supported");
  }
}

/* ---- RELU ------------------------------------------------------------------------ */

static void test_relu(void) {
  g_case = "relu_f32";
  {
    const int s[2] = {2, 4}, one[1] = {1};
    TensorSpec ts[2] = {tensor(T_F32, 2, s), tensor(T_F32, 1, one)};
    ModelSpec m = simple_model(OP_RELU, OPT_NONE, 2, ts);
    const float x[8] = {-1, 0, 2.5f, -0.0f, NAN, -INFINITY, INFINITY, -1e-30f};
    const float want[8] = {0, 0, 2.5f, -0.0f, NAN, 0, INFINITY, 0};
    Run r;
    if (run_open(&r, &m)) {
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, x, sizeof(x)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_is_f32(&r, 2, s, want, 8));
    }
    run_close(&r);
  }
  g_case = "relu_int8";
  {
    /* Input scale 0.5 to output scale 0.25 (zero points 0): the values
     * double, negatives clamp to 0, the top saturates at 127. */
    const int s[1] = {5};
    TensorSpec ts[2] = {tensor(T_I8, 1, s), tensor(T_I8, 1, s)};
    ts[0].scale = 0.5f;
    ts[1].scale = 0.25f;
    ModelSpec m = simple_model(OP_RELU, OPT_NONE, 2, ts);
    const int8_t x[5] = {-4, -1, 0, 7, 100};
    Run r;
    if (run_open(&r, &m)) {
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, x, sizeof(x)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      const int8_t* y = TfLiteTensorData(output(&r, 0));
      CHECK(y && y[0] == 0 && y[1] == 0 && y[2] == 0 && y[3] == 14 &&
            y[4] == 127);
    }
    run_close(&r);
  }
  g_case = "relu_int8_no_params";
  {
    const int s[1] = {4};
    TensorSpec ts[2] = {tensor(T_I8, 1, s), tensor(T_I8, 1, s)};
    ts[1].scale = 0.5f;
    ModelSpec m = simple_model(OP_RELU, OPT_NONE, 2, ts);
    expect_alloc_error(&m, "has no quantization parameters");
  }
  g_case = "relu_type_mismatch";
  {
    const int s[1] = {4};
    TensorSpec ts[2] = {tensor(T_F32, 1, s), tensor(T_I32, 1, s)};
    ModelSpec m = simple_model(OP_RELU, OPT_NONE, 2, ts);
    expect_alloc_error(&m, "does not match");
  }
}

/* ---- RESHAPE ---------------------------------------------------------------------- */

/* Input [in_rank: in_shape] of `type`, shape tensor `shape` (constant
 * unless `shape_input`; NULL: no second input; the array must outlive the
 * spec), and options new_shape if new_shape_len >= 0. */
static ModelSpec reshape_model(int type, int in_rank, const int* in_shape,
                               const int32_t* shape, int shape_len,
                               bool shape_input, int new_shape_len,
                               const int* new_shape) {
  const int one[1] = {1}, shape_dims[1] = {shape_len};
  TensorSpec ts[3];
  int n = 0;
  ts[n++] = tensor(type, in_rank, in_shape);
  if (shape) {
    ts[n++] = shape_input ? tensor(T_I32, 1, shape_dims)
                          : constant(T_I32, 1, shape_dims, shape,
                                     sizeof(int32_t) * (size_t)shape_len);
  }
  ts[n++] = tensor(type, 1, one);
  ModelSpec m = simple_model(OP_RESHAPE, new_shape_len >= 0 ? OPT_RESHAPE
                                                            : OPT_NONE,
                             n, ts);
  m.new_shape_len = new_shape_len;
  for (int i = 0; i < new_shape_len; ++i) m.new_shape[i] = new_shape[i];
  return m;
}

static void run_reshape_f32(const ModelSpec* m, const float* x, size_t nx,
                            int rank, const int* dims) {
  Run r;
  if (run_open(&r, m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, nx * sizeof(float)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, rank, dims, x, (int)nx));
  }
  run_close(&r);
}

static void test_reshape_shapes(void) {
  const float x[6] = {0, 1, 2, 3, 4, 5};
  const int in6[1] = {6};
  g_case = "reshape_infer_dim";
  {
    const int32_t shape[2] = {2, -1};
    const int out[2] = {2, 3};
    ModelSpec m = reshape_model(T_F32, 1, in6, shape, 2, false, -1, NULL);
    run_reshape_f32(&m, x, 6, 2, out);
  }
  g_case = "reshape_from_options";
  {
    const int ns[2] = {3, 2};
    ModelSpec m = reshape_model(T_F32, 1, in6, NULL, 0, false, 2, ns);
    run_reshape_f32(&m, x, 6, 2, ns);
  }
  g_case = "reshape_options_with_infer";
  {
    const int ns[3] = {-1, 1, 2}, out[3] = {3, 1, 2};
    ModelSpec m = reshape_model(T_F32, 1, in6, NULL, 0, false, 3, ns);
    run_reshape_f32(&m, x, 6, 3, out);
  }
  g_case = "reshape_tensor_wins_over_options";
  {
    const int32_t shape[2] = {1, 6};
    const int ns[2] = {6, 1};
    ModelSpec m = reshape_model(T_F32, 1, in6, shape, 2, false, 2, ns);
    const int out[2] = {1, 6};
    run_reshape_f32(&m, x, 6, 2, out);
  }
  g_case = "reshape_legacy_zero_is_scalar";
  {
    const int in1[1] = {1}, ns[1] = {0};
    ModelSpec m = reshape_model(T_F32, 1, in1, NULL, 0, false, 1, ns);
    run_reshape_f32(&m, x, 1, 0, NULL);
  }
  g_case = "reshape_no_options_is_scalar";
  {
    const int in1[2] = {1, 1};
    ModelSpec m = reshape_model(T_F32, 2, in1, NULL, 0, false, -1, NULL);
    run_reshape_f32(&m, x, 1, 0, NULL);
  }
  g_case = "reshape_empty_shape_tensor_is_scalar";
  {
    const int in1[1] = {1};
    const int32_t none[1] = {0};
    ModelSpec m = reshape_model(T_F32, 1, in1, none, 0, false, -1, NULL);
    run_reshape_f32(&m, x, 1, 0, NULL);
  }
  g_case = "reshape_zero_elements";
  {
    /* TFLite: [0,3] -> [-1,0] infers 3 from the non-zero dims. */
    const int in0[2] = {0, 3}, out[2] = {3, 0};
    const int32_t shape[2] = {-1, 0};
    ModelSpec m = reshape_model(T_F32, 2, in0, shape, 2, false, -1, NULL);
    run_reshape_f32(&m, x, 0, 2, out);
    g_case = "reshape_zero_elements_infer_zero";
    const int32_t shape2[2] = {2, -1};
    const int out2[2] = {2, 0};
    ModelSpec m2 = reshape_model(T_F32, 2, in0, shape2, 2, false, -1, NULL);
    run_reshape_f32(&m2, x, 0, 2, out2);
  }
  g_case = "reshape_int32";
  {
    const int in[2] = {2, 2}, out[1] = {4};
    const int32_t shape[1] = {-1};
    const int32_t v[4] = {7, -8, 9, INT32_MIN};
    ModelSpec m = reshape_model(T_I32, 2, in, shape, 1, false, -1, NULL);
    Run r;
    if (run_open(&r, &m)) {
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, v, sizeof(v)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      const TfLiteTensor* t = output(&r, 0);
      CHECK(has_shape(t, 1, out) && TfLiteTensorType(t) == kTfLiteInt32);
      CHECK(t && memcmp(TfLiteTensorData(t), v, sizeof(v)) == 0);
    }
    run_close(&r);
  }
}

static void test_reshape_dynamic(void) {
  g_case = "reshape_shape_input";
  const int in[2] = {2, 3};
  const float x[6] = {0, 1, 2, 3, 4, 5};
  const int32_t shape0[2] = {0, 0};
  ModelSpec m = reshape_model(T_F32, 2, in, shape0, 2, true, -1, NULL);
  Run r;
  if (run_open(&r, &m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const int32_t s1[2] = {3, -1};
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(set_input(&r, 1, s1, sizeof(s1)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    const int out1[2] = {3, 2};
    CHECK(output_is_f32(&r, 2, out1, x, 6));

    g_case = "reshape_shape_input_changes";
    const int32_t s2[2] = {-1, 6};
    CHECK(set_input(&r, 1, s2, sizeof(s2)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    const int out2[2] = {1, 6};
    CHECK(output_is_f32(&r, 2, out2, x, 6));

    g_case = "reshape_shape_input_bad";
    const int32_t s3[2] = {4, -1};
    CHECK(set_input(&r, 1, s3, sizeof(s3)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("cannot reshape [2,3] (6 elements) to [4,-1]"));

    g_case = "reshape_shape_input_recovers";
    CHECK(set_input(&r, 1, s1, sizeof(s1)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 2, out1, x, 6));
  }
  run_close(&r);
}

static void test_reshape_strings(void) {
  const int in[2] = {2, 2}, out[1] = {4};
  const char* strs[4] = {"a", "bc", "", "def"};
  const size_t lens[4] = {1, 2, 0, 3};
  for (int dynamic = 0; dynamic < 2; ++dynamic) {
    g_case = dynamic ? "reshape_strings_shape_input" : "reshape_strings";
    const int32_t shape[1] = {-1};
    ModelSpec m = reshape_model(T_STR, 2, in, shape, 1, dynamic, -1, NULL);
    Run r;
    if (run_open(&r, &m)) {
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      TfLiteTensor* t = TfLiteInterpreterGetInputTensor(r.interp, 0);
      CHECK(t && PyliteTensorWriteStrings(t, 4, strs, lens) == kTfLiteOk);
      if (dynamic) CHECK(set_input(&r, 1, shape, sizeof(shape)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      const TfLiteTensor* o = output(&r, 0);
      CHECK(has_shape(o, 1, out) && TfLiteTensorType(o) == kTfLiteString);
      CHECK(PyliteTensorGetStringCount(o) == 4);
      for (int i = 0; i < 4; ++i) {
        const char* data = NULL;
        size_t len = 99;
        CHECK(PyliteTensorGetString(o, i, &data, &len) == kTfLiteOk);
        CHECK(len == lens[i] && (len == 0 || memcmp(data, strs[i], len) == 0));
      }
    }
    run_close(&r);
  }
}

static void test_reshape_errors(void) {
  const int in6[1] = {6};
  g_case = "reshape_two_stretch";
  {
    const int32_t shape[2] = {-1, -1};
    ModelSpec m = reshape_model(T_F32, 1, in6, shape, 2, false, -1, NULL);
    expect_alloc_error(&m, "only one dim may be -1");
  }
  g_case = "reshape_count_mismatch";
  {
    const int32_t shape[2] = {4, 2};
    ModelSpec m = reshape_model(T_F32, 1, in6, shape, 2, false, -1, NULL);
    expect_alloc_error(&m, "cannot reshape [6] (6 elements) to [4,2] (8 elements)");
  }
  g_case = "reshape_stretch_not_exact";
  {
    const int32_t shape[2] = {4, -1};
    ModelSpec m = reshape_model(T_F32, 1, in6, shape, 2, false, -1, NULL);
    expect_alloc_error(&m, "cannot reshape");
  }
  g_case = "reshape_negative_dim";
  {
    const int32_t shape[2] = {-2, -3};
    ModelSpec m = reshape_model(T_F32, 1, in6, shape, 2, false, -1, NULL);
    expect_alloc_error(&m, "negative dim");
  }
  g_case = "reshape_type_mismatch";
  {
    const int32_t shape[1] = {6};
    ModelSpec m = reshape_model(T_F32, 1, in6, shape, 1, false, -1, NULL);
    m.t[2].type = T_I32;
    expect_alloc_error(&m, "does not match");
  }
  g_case = "reshape_too_many_new_shape_dims";
  {
    const int ns[9] = {1, 1, 1, 1, 1, 1, 1, 1, 6};
    ModelSpec m = reshape_model(T_F32, 1, in6, NULL, 0, false, 9, ns);
    Run r;
    /* May fail at interpreter creation or at allocation. */
    size_t size = 0;
    r.bytes = build_model(&m, &size);
    r.model = TfLiteModelCreateWithErrorReporter(r.bytes, size,
                                                 PyliteQuietReporter, NULL);
    CHECK(r.model != NULL);
    TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
    TfLiteInterpreterOptionsSetErrorReporter(opts, PyliteQuietReporter, NULL);
    r.interp = r.model ? TfLiteInterpreterCreate(r.model, opts) : NULL;
    TfLiteInterpreterOptionsDelete(opts);
    CHECK(r.interp == NULL ||
          TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
    CHECK(error_contains("new_shape has 9 dims"));
    run_close(&r);
  }
}

int main(void) {
  test_add_same_shape();
  test_add_broadcast();
  test_add_activations();
  test_add_ints();
  test_add_constant_and_resize();
  test_add_errors();
  test_fc_basic();
  test_fc_shapes();
  test_fc_large();
  test_fc_errors();
  test_fc_int8();
  test_relu();
  test_reshape_shapes();
  test_reshape_dynamic();
  test_reshape_strings();
  test_reshape_errors();
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
