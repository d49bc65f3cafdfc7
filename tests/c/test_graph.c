/* pylite: graph-level tests of the runtime (capi/core/interp.c).
 *
 * Multi-op, multi-subgraph models built in memory with model_builder.h and
 * run through the public C API:
 *  - deferred prepare: a RESHAPE by a non-constant shape gives a tensor
 *    whose shape is only known at Invoke, so its consumers are prepared at
 *    Invoke and their outputs are dynamic (shapes change from one Invoke to
 *    the next; errors at Invoke, then recovery; chains of deferred nodes;
 *    the allocation limit at Invoke; string RESHAPEs and their consumers);
 *  - the arena planner seen through the runtime: intermediates whose
 *    lifetimes do not overlap share memory, results stay right;
 *  - signatures over two subgraphs: runners by key, names sorted, the NULL
 *    key;
 *  - errors at AllocateTensors: shapes that do not broadcast after a resize,
 *    unsupported builtin and custom ops.
 * Expected values are worked out by hand; floats are compared bit for bit.
 *
 * Prints one line per failed check and ends with "N passed, N failed". */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/interp.h" /* white-box: deferred flags, the arena */
#include "model_builder.h"
#include "run_util.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

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

/* ---- Running ------------------------------------------------------------- */


/* Builds and loads the model; false (and a failed check) if that fails. */
static bool run_open(Run* r, const MbModel* m) {
  size_t size = 0;
  uint8_t* bytes = mb_build(m, &size);
  run_load(r, bytes, size);
  CHECK(r->model != NULL);
  if (!r->model) return false;
  CHECK(r->interp != NULL);
  return r->interp != NULL;
}



static bool resize_input(Run* r, int i, int rank, const int* dims) {
  return TfLiteInterpreterResizeInputTensor(r->interp, i, dims, rank) ==
         kTfLiteOk;
}

/* Tensor `index` of subgraph 0. */
static const TfLiteTensor* tensor_at(Run* r, int index) {
  return TfLiteInterpreterGetTensor(r->interp, index);
}

static PlSubgraph* primary_sg(Run* r) { return &r->interp->subgraphs[0]; }

static bool shape_is(const TfLiteTensor* t, int rank, const int* dims) {
  if (!t || TfLiteTensorNumDims(t) != rank) return false;
  for (int i = 0; i < rank; ++i)
    if (TfLiteTensorDim(t, i) != dims[i]) return false;
  return true;
}

/* shape_is, printing the difference. */
static bool has_shape(const TfLiteTensor* t, int rank, const int* dims) {
  if (!t || TfLiteTensorNumDims(t) != rank) {
    printf("  rank %d, want %d\n", t ? TfLiteTensorNumDims(t) : -1, rank);
    return false;
  }
  for (int i = 0; i < rank; ++i) {
    if (TfLiteTensorDim(t, i) != dims[i]) {
      printf("  dim %d is %d, want %d\n", i, TfLiteTensorDim(t, i), dims[i]);
      return false;
    }
  }
  return true;
}

/* Bitwise float comparison. */
static bool same_f32(const float* got, const float* want, int n) {
  if (n > 0 && !got) {
    printf("  no data\n");
    return false;
  }
  for (int i = 0; i < n; ++i) {
    if (memcmp(&got[i], &want[i], sizeof(float)) != 0) {
      printf("  [%d] got %.9g want %.9g\n", i, got[i], want[i]);
      return false;
    }
  }
  return true;
}

/* A float32 tensor with exactly this shape and these values. */
static bool is_f32(const TfLiteTensor* t, int rank, const int* dims,
                   const float* want, int n) {
  if (!has_shape(t, rank, dims)) return false;
  if (TfLiteTensorType(t) != kTfLiteFloat32 ||
      TfLiteTensorByteSize(t) != (size_t)n * sizeof(float)) {
    printf("  type %d, %zu bytes, want %d floats\n", (int)TfLiteTensorType(t),
           TfLiteTensorByteSize(t), n);
    return false;
  }
  return same_f32(TfLiteTensorData(t), want, n);
}

static bool output_is_f32(Run* r, int i, int rank, const int* dims,
                          const float* want, int n) {
  return is_f32(TfLiteInterpreterGetOutputTensor(r->interp, i), rank, dims,
                want, n);
}

/* Call right after the failing call: most API calls clear the message. */
static bool error_contains(const char* needle) {
  const char* msg = PyliteGetLastError();
  if (strstr(msg, needle)) return true;
  printf("  expected an error containing \"%s\", got \"%s\"\n", needle, msg);
  return false;
}

static float relu(float x) { return x < 0.0f ? 0.0f : x; }

/* ---- 1. RESHAPE by a computed shape -> ADD -> RELU ----------------------- */

enum { kRsX = 0, kRsShape = 1, kRsR = 2, kRsC = 3, kRsA = 4, kRsY = 5 };

/* y = relu(reshape(x, shape) + c), c a constant of shape c_shape. */
static void reshape_add_relu_model(MbModel* m, int c_rank, const int* c_shape,
                                   const float* c, size_t c_bytes) {
  const int x_shape[2] = {2, 3}, two[1] = {2}, one[1] = {1};
  mb_init(m, "reshape add relu");
  const int reshape = mb_opcode(m, OP_RESHAPE, NULL);
  const int add = mb_opcode(m, OP_ADD, NULL);
  const int relu_op = mb_opcode(m, OP_RELU, NULL);
  MbSubgraph* sg = mb_subgraph(m, "main");
  mb_tensor(sg, "x", T_F32, 2, x_shape);
  mb_tensor(sg, "shape", T_I32, 1, two);
  mb_tensor(sg, "reshaped", T_F32, 1, one);
  mb_tensor_data(sg, "c", T_F32, c_rank, c_shape, c, c_bytes);
  mb_tensor(sg, "sum", T_F32, 1, one);
  mb_tensor(sg, "y", T_F32, 1, one);
  mb_op(sg, reshape, 2, (int[]){kRsX, kRsShape}, 1, (int[]){kRsR});
  MbOp* op = mb_op(sg, add, 2, (int[]){kRsR, kRsC}, 1, (int[]){kRsA});
  op->options = OPT_ADD;
  op->activation = ACT_NONE;
  mb_op(sg, relu_op, 1, (int[]){kRsA}, 1, (int[]){kRsY});
  mb_io(sg, 2, (int[]){kRsX, kRsShape}, 1, (int[]){kRsY});
}

/* Sets the shape input and invokes; checks y, and the intermediates. */
static void invoke_reshape_add_relu(Run* r, const int32_t* shape, int rank,
                                    const float* x, int n, float c) {
  if (rank > 0) CHECK(set_input(r, 1, shape, sizeof(int32_t) * (size_t)rank));
  CHECK(TfLiteInterpreterInvoke(r->interp) == kTfLiteOk);
  float sum[16], y[16];
  for (int i = 0; i < n; ++i) {
    sum[i] = x[i] + c;
    y[i] = relu(sum[i]);
  }
  int dims[8];
  for (int i = 0; i < rank; ++i) dims[i] = shape[i];
  /* -1 stands for the inferred dim: the other dims divide n. */
  for (int i = 0; i < rank; ++i) {
    if (dims[i] != -1) continue;
    int rest = 1;
    for (int j = 0; j < rank; ++j)
      if (j != i) rest *= dims[j];
    dims[i] = rest ? n / rest : 0;
  }
  CHECK(is_f32(tensor_at(r, kRsR), rank, dims, x, n));
  /* ADD with a [1] constant: rank at least 1. */
  const int one[1] = {1};
  const int out_rank = rank ? rank : 1;
  const int* out_dims = rank ? dims : one;
  CHECK(is_f32(tensor_at(r, kRsA), out_rank, out_dims, sum, n));
  CHECK(output_is_f32(r, 0, out_rank, out_dims, y, n));
}

static void test_reshape_add_relu(void) {
  g_case = "deferred_allocate";
  const int c_shape[1] = {1};
  const float c[1] = {-2.5f};
  MbModel m;
  reshape_add_relu_model(&m, 1, c_shape, c, sizeof(c));
  Run r;
  if (!run_open(&r, &m)) {
    run_close(&r);
    return;
  }
  CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
  {
    /* RESHAPE is prepared now (its output is dynamic); ADD and RELU wait. */
    PlSubgraph* sg = primary_sg(&r);
    CHECK(!sg->nodes[0].deferred);
    CHECK(sg->nodes[1].deferred);
    CHECK(sg->nodes[2].deferred);
    CHECK(tensor_at(&r, kRsR)->allocation_type == kTfLiteDynamic);
    CHECK(tensor_at(&r, kRsA)->allocation_type == kTfLiteDynamic);
    CHECK(tensor_at(&r, kRsY)->allocation_type == kTfLiteDynamic);
    CHECK(tensor_at(&r, kRsX)->allocation_type == kTfLiteArenaRw);
    CHECK(tensor_at(&r, kRsShape)->allocation_type == kTfLiteArenaRw);
  }

  const float x[6] = {0, 1, 2, 3, 4, 5};
  CHECK(set_input(&r, 0, x, sizeof(x)));
  /* The shape changes on every Invoke and the outputs follow it. */
  g_case = "deferred_shape_3x-1";
  invoke_reshape_add_relu(&r, (const int32_t[]){3, -1}, 2, x, 6, c[0]);
  g_case = "deferred_shape_1x6";
  invoke_reshape_add_relu(&r, (const int32_t[]){1, 6}, 2, x, 6, c[0]);
  g_case = "deferred_shape_6x1";
  invoke_reshape_add_relu(&r, (const int32_t[]){6, 1}, 2, x, 6, c[0]);
  g_case = "deferred_shape_-1x2";
  invoke_reshape_add_relu(&r, (const int32_t[]){-1, 2}, 2, x, 6, c[0]);

  g_case = "deferred_bad_shape";
  {
    const int32_t bad[2] = {4, -1};
    CHECK(set_input(&r, 1, bad, sizeof(bad)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("cannot reshape [2,3] (6 elements) to [4,-1]"));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("Node number 0 (RESHAPE) failed to invoke"));
    const int32_t two_stretch[2] = {-1, -1};
    CHECK(set_input(&r, 1, two_stretch, sizeof(two_stretch)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("only one dim may be -1"));
  }
  g_case = "deferred_recovers";
  invoke_reshape_add_relu(&r, (const int32_t[]){3, 2}, 2, x, 6, c[0]);
  g_case = "deferred_new_values";
  {
    const float x2[6] = {10, -10, 2.5f, 2.75f, -0.0f, 1e-3f};
    CHECK(set_input(&r, 0, x2, sizeof(x2)));
    invoke_reshape_add_relu(&r, (const int32_t[]){2, 3}, 2, x2, 6, c[0]);
    const float y[6] = {7.5f, 0, 0, 0.25f, 0, 0};
    const int dims[2] = {2, 3};
    CHECK(output_is_f32(&r, 0, 2, dims, y, 6));
  }

  /* A longer shape tensor: resize it, allocate again, rank 3 outputs. */
  g_case = "deferred_rank3";
  {
    const int three[1] = {3};
    CHECK(resize_input(&r, 1, 1, three));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("not ready"));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(primary_sg(&r)->nodes[1].deferred);
    CHECK(primary_sg(&r)->nodes[2].deferred);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    invoke_reshape_add_relu(&r, (const int32_t[]){1, 2, 3}, 3, x, 6, c[0]);
    invoke_reshape_add_relu(&r, (const int32_t[]){3, -1, 1}, 3, x, 6, c[0]);
  }
  /* Both inputs resized: 4 elements in a 1-D shape. */
  g_case = "deferred_resized_x";
  {
    const int x_dims[2] = {2, 2}, one[1] = {1};
    const float x4[4] = {-1, 2.5f, 3, 10};
    CHECK(resize_input(&r, 0, 2, x_dims));
    CHECK(resize_input(&r, 1, 1, one));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x4, sizeof(x4)));
    invoke_reshape_add_relu(&r, (const int32_t[]){-1}, 1, x4, 4, c[0]);
    const float y[4] = {0, 0, 0.5f, 7.5f};
    const int four[1] = {4};
    CHECK(output_is_f32(&r, 0, 1, four, y, 4));
  }
  /* An empty shape tensor: a scalar, which ADD broadcasts with [1]. */
  g_case = "deferred_scalar";
  {
    const int one[1] = {1}, zero[1] = {0};
    const float x1[1] = {4};
    CHECK(resize_input(&r, 0, 1, one));
    CHECK(resize_input(&r, 1, 1, zero));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x1, sizeof(x1)));
    invoke_reshape_add_relu(&r, NULL, 0, x1, 1, c[0]);
    const float y[1] = {1.5f};
    CHECK(output_is_f32(&r, 0, 1, one, y, 1));
  }
  /* Zero elements all the way through. */
  g_case = "deferred_empty";
  {
    const int x_dims[2] = {0, 3}, two[1] = {2};
    CHECK(resize_input(&r, 0, 2, x_dims));
    CHECK(resize_input(&r, 1, 1, two));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    invoke_reshape_add_relu(&r, (const int32_t[]){3, 0}, 2, x, 0, c[0]);
    invoke_reshape_add_relu(&r, (const int32_t[]){0, 7}, 2, x, 0, c[0]);
  }
  /* Back to the model's shapes. */
  g_case = "deferred_back";
  {
    const int x_dims[2] = {2, 3}, two[1] = {2};
    CHECK(resize_input(&r, 0, 2, x_dims));
    CHECK(resize_input(&r, 1, 1, two));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    invoke_reshape_add_relu(&r, (const int32_t[]){6, 1}, 2, x, 6, c[0]);
    /* AllocateTensors again without a resize: still deferred, still right. */
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    invoke_reshape_add_relu(&r, (const int32_t[]){2, 3}, 2, x, 6, c[0]);
  }
  run_close(&r);
}

/* A deferred node whose prepare fails at Invoke: the ADD's constant [3]
 * broadcasts with [2,3] but not with [3,2]. */
static void test_deferred_prepare_error(void) {
  g_case = "deferred_prepare_error";
  const int c_shape[1] = {3};
  const float c[3] = {10, -20, 30};
  MbModel m;
  reshape_add_relu_model(&m, 1, c_shape, c, sizeof(c));
  Run r;
  if (run_open(&r, &m)) {
    const float x[6] = {0, 1, 2, 3, 4, 5};
    const int dims[2] = {2, 3}, dims13[3] = {1, 2, 3};
    const float y[6] = {10, 0, 32, 13, 0, 35};
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    const int32_t ok[2] = {2, 3}, bad[2] = {3, 2};
    CHECK(set_input(&r, 1, ok, sizeof(ok)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, dims, y, 6));
    CHECK(set_input(&r, 1, bad, sizeof(bad)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("Given shapes, [3,2] and [3], are not broadcastable"));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("Node number 1 (ADD) failed to prepare"));
    CHECK(set_input(&r, 1, ok, sizeof(ok)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, dims, y, 6));
    /* Rank 3 needs a longer shape input. */
    const int three[1] = {3};
    const int32_t s13[3] = {1, -1, 3};
    CHECK(resize_input(&r, 1, 1, three));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(set_input(&r, 1, s13, sizeof(s13)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 3, dims13, y, 6));
  }
  run_close(&r);
}

/* The shape computed in the graph (an int32 ADD), a deferred RESHAPE after
 * the dynamic one, and a deferred tensor that is both a graph output and
 * the input of a later node:
 *   s = shape_in + k;  r1 = reshape(x, s);  r2 = reshape(r1, [-1]);
 *   sum = r1 + 0.5;  y = relu(sum);  outputs y, r2, sum. */
static void test_deferred_chain(void) {
  g_case = "deferred_chain";
  const int x_shape[2] = {2, 3}, two[1] = {2}, one[1] = {1};
  static const int32_t k[2] = {1, 2}, flat[1] = {-1};
  static const float half[1] = {0.5f};
  enum { X, SHAPE_IN, K, S, R1, FLAT, R2, C, SUM, Y };
  MbModel m;
  mb_init(&m, "deferred chain");
  const int add = mb_opcode(&m, OP_ADD, NULL);
  const int reshape = mb_opcode(&m, OP_RESHAPE, NULL);
  const int relu_op = mb_opcode(&m, OP_RELU, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  mb_tensor(sg, "x", T_F32, 2, x_shape);
  mb_tensor(sg, "shape_in", T_I32, 1, two);
  mb_tensor_data(sg, "k", T_I32, 1, two, k, sizeof(k));
  mb_tensor(sg, "s", T_I32, 1, two);
  mb_tensor(sg, "r1", T_F32, 1, one);
  mb_tensor_data(sg, "flat", T_I32, 1, one, flat, sizeof(flat));
  mb_tensor(sg, "r2", T_F32, 1, one);
  mb_tensor_data(sg, "c", T_F32, 1, one, half, sizeof(half));
  mb_tensor(sg, "sum", T_F32, 1, one);
  mb_tensor(sg, "y", T_F32, 1, one);
  mb_op(sg, add, 2, (int[]){SHAPE_IN, K}, 1, (int[]){S});
  mb_op(sg, reshape, 2, (int[]){X, S}, 1, (int[]){R1});
  mb_op(sg, reshape, 2, (int[]){R1, FLAT}, 1, (int[]){R2});
  mb_op(sg, add, 2, (int[]){R1, C}, 1, (int[]){SUM});
  mb_op(sg, relu_op, 1, (int[]){SUM}, 1, (int[]){Y});
  mb_io(sg, 2, (int[]){X, SHAPE_IN}, 3, (int[]){Y, R2, SUM});
  Run r;
  if (run_open(&r, &m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const PlNode* nodes = primary_sg(&r)->nodes;
    CHECK(!nodes[0].deferred && !nodes[1].deferred);
    CHECK(nodes[2].deferred && nodes[3].deferred && nodes[4].deferred);
    CHECK(tensor_at(&r, S)->allocation_type == kTfLiteArenaRw);
    const float x[6] = {-3, -0.5f, -0.25f, 0, 1, 2.5f};
    const float sum[6] = {-2.5f, 0, 0.25f, 0.5f, 1.5f, 3};
    const float y[6] = {0, 0, 0.25f, 0.5f, 1.5f, 3};
    CHECK(set_input(&r, 0, x, sizeof(x)));
    /* shape_in + [1, 2] gives the shape. */
    const int32_t ins[3][2] = {{2, 0}, {0, 4}, {5, -1}};
    const int outs[3][2] = {{3, 2}, {1, 6}, {6, 1}};
    const int six[1] = {6};
    for (int i = 0; i < 3; ++i) {
      CHECK(set_input(&r, 1, ins[i], sizeof(ins[i])));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_is_f32(&r, 0, 2, outs[i], y, 6));
      CHECK(output_is_f32(&r, 1, 1, six, x, 6));
      CHECK(output_is_f32(&r, 2, 2, outs[i], sum, 6));
      CHECK(is_f32(tensor_at(&r, R1), 2, outs[i], x, 6));
    }
    g_case = "deferred_chain_bad_shape";
    const int32_t bad[2] = {0, 0}; /* [1, 2] */
    CHECK(set_input(&r, 1, bad, sizeof(bad)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("cannot reshape [2,3] (6 elements) to [1,2]"));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("Node number 1 (RESHAPE) failed to invoke"));
    CHECK(set_input(&r, 1, ins[0], sizeof(ins[0])));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, outs[0], y, 6));
  }
  run_close(&r);
}

/* The allocation limit applies to the outputs of deferred nodes, at
 * Invoke: [30,1] + [1,4] needs 480 bytes, over a 200-byte limit. */
static void test_deferred_allocation_limit(void) {
  g_case = "deferred_allocation_limit";
  const int c_shape[2] = {1, 4};
  const float c[4] = {0, 1, 2, 3};
  MbModel m;
  reshape_add_relu_model(&m, 2, c_shape, c, sizeof(c));
  size_t size = 0;
  Run r;
  memset(&r, 0, sizeof(r));
  r.bytes = mb_build(&m, &size);
  r.model = TfLiteModelCreate(r.bytes, size);
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(opts, PyliteQuietReporter, NULL);
  PyliteInterpreterOptionsSetMaxAllocationBytes(opts, 200);
  r.interp = r.model ? TfLiteInterpreterCreate(r.model, opts) : NULL;
  TfLiteInterpreterOptionsDelete(opts);
  CHECK(r.interp != NULL);
  if (r.interp) {
    float x[30], want[120];
    for (int i = 0; i < 30; ++i) x[i] = (float)i - 2;
    for (int i = 0; i < 30; ++i)
      for (int j = 0; j < 4; ++j) want[i * 4 + j] = relu(x[i] + c[j]);
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const int32_t s6[2] = {6, 1}, s30[2] = {30, 1};
    const int out6[2] = {6, 4};
    CHECK(set_input(&r, 0, x, 6 * sizeof(float)));
    CHECK(set_input(&r, 1, s6, sizeof(s6)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, out6, want, 24));
    /* 30 inputs fit (the arena is 192 bytes), the ADD output does not. */
    const int x30[2] = {5, 6};
    CHECK(resize_input(&r, 0, 2, x30));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(set_input(&r, 1, s30, sizeof(s30)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("'sum' needs 480 bytes, more than the allocation "
                         "limit of 200 bytes"));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("Node number 1 (ADD) failed to prepare"));
    /* Back to 6 inputs. */
    const int x6[2] = {2, 3};
    CHECK(resize_input(&r, 0, 2, x6));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, 6 * sizeof(float)));
    CHECK(set_input(&r, 1, s6, sizeof(s6)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, out6, want, 24));
  }
  run_close(&r);
}

/* Strings: x (32 strings) -> RESHAPE -> FlexStringToNumber -> y.
 *
 * A string RESHAPE's output is always dynamic (its bytes depend on the
 * data), but its shape is known at prepare only when the shape tensor is
 * constant. With a computed shape the FlexStringToNumber after it must wait
 * for Invoke like any other consumer of a data-dependent shape; with a
 * constant shape the RESHAPE must give its output that shape at prepare.
 * Otherwise FlexStringToNumber is sized from the declared shape [1] (4
 * bytes of arena) and writes 32 floats: the Invoke is skipped then, as it
 * would write out of bounds. */

/* FlexStringToNumber's custom options as the converter writes them
 * (out_type float); the same bytes as in test_flex.c. */
static const unsigned char kStringToNumberOptions[78] =
    "\016StringToNumber\000"
    "4\022\016StringToNumbe"
    "r\032\000*\016\012\010out_type\022"
    "\0020\0012\020\012\016StringToN"
    "umber\000\002F7\024\024\004(\001";

static void string_reshape_case(bool shape_is_input) {
  static const int32_t const_shape[2] = {4, 8};
  const int n32[1] = {32}, two[1] = {2}, one[1] = {1};
  MbModel m;
  mb_init(&m, "string reshape");
  const int reshape = mb_opcode(&m, OP_RESHAPE, NULL);
  const int s2n = mb_opcode(&m, OP_CUSTOM, "FlexStringToNumber");
  MbSubgraph* sg = mb_subgraph(&m, "main");
  mb_tensor(sg, "x", T_STR, 1, n32);
  if (shape_is_input)
    mb_tensor(sg, "shape", T_I32, 1, two);
  else
    mb_tensor_data(sg, "shape", T_I32, 1, two, const_shape,
                   sizeof(const_shape));
  mb_tensor(sg, "reshaped", T_STR, 1, one);
  mb_tensor(sg, "y", T_F32, 1, one);
  mb_op(sg, reshape, 2, (int[]){0, 1}, 1, (int[]){2});
  MbOp* op = mb_op(sg, s2n, 1, (int[]){2}, 1, (int[]){3});
  op->custom_options = kStringToNumberOptions;
  op->custom_options_size = sizeof(kStringToNumberOptions);
  if (shape_is_input)
    mb_io(sg, 2, (int[]){0, 1}, 1, (int[]){3});
  else
    mb_io(sg, 1, (int[]){0}, 1, (int[]){3});

  Run r;
  if (run_open(&r, &m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const TfLiteTensor* y = tensor_at(&r, 3);
    const int dims48[2] = {4, 8}, dims84[2] = {8, 4};
    /* Either FlexStringToNumber waits for Invoke (y dynamic) or y already
     * has its true size; with a computed shape only the first can be. */
    const bool deferred = y->allocation_type == kTfLiteDynamic;
    const bool sized = shape_is(y, 2, dims48) && TfLiteTensorByteSize(y) == 128;
    if (shape_is_input) {
      CHECK(deferred && primary_sg(&r)->nodes[1].deferred);
    } else {
      CHECK(deferred || sized);
    }
    if (!deferred && !sized) {
      printf("  %s: Invoke skipped, it would write 128 bytes into %zu\n",
             g_case, TfLiteTensorByteSize(y));
    } else {
      char text[32][4];
      const char* strs[32];
      size_t lens[32];
      float want[32];
      for (int i = 0; i < 32; ++i) {
        snprintf(text[i], sizeof(text[i]), "%d", i - 5);
        strs[i] = text[i];
        lens[i] = strlen(text[i]);
        want[i] = (float)(i - 5);
      }
      TfLiteTensor* x = TfLiteInterpreterGetInputTensor(r.interp, 0);
      CHECK(x && PyliteTensorWriteStrings(x, 32, strs, lens) == kTfLiteOk);
      if (shape_is_input) {
        CHECK(set_input(&r, 1, const_shape, sizeof(const_shape)));
      }
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_is_f32(&r, 0, 2, dims48, want, 32));
      if (shape_is_input) {
        const int32_t s84[2] = {8, -1};
        CHECK(set_input(&r, 1, s84, sizeof(s84)));
        CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
        CHECK(output_is_f32(&r, 0, 2, dims84, want, 32));
      }
    }
  }
  run_close(&r);
}

static void test_string_reshape_consumer(void) {
  g_case = "string_reshape_computed_shape";
  string_reshape_case(true);
  g_case = "string_reshape_constant_shape";
  string_reshape_case(false);
}

/* ---- 2. RESHAPE by a computed shape -> FULLY_CONNECTED ------------------- */

enum { kFcX = 0, kFcShape = 1, kFcR = 2, kFcW = 3, kFcB = 4, kFcY = 5 };

static const float kFcWeights[6] = {1, 0, -1, 0.5f, 2, 1}; /* [2 units, 3] */
static const float kFcBias[2] = {0.25f, -1};

static void reshape_fc_model(MbModel* m, bool keep_num_dims) {
  const int x_shape[2] = {2, 3}, two[1] = {2}, one[1] = {1};
  const int w_shape[2] = {2, 3};
  mb_init(m, "reshape fully_connected");
  const int reshape = mb_opcode(m, OP_RESHAPE, NULL);
  const int fc = mb_opcode(m, OP_FULLY_CONNECTED, NULL);
  MbSubgraph* sg = mb_subgraph(m, "main");
  mb_tensor(sg, "x", T_F32, 2, x_shape);
  mb_tensor(sg, "shape", T_I32, 1, two);
  mb_tensor(sg, "reshaped", T_F32, 1, one);
  mb_tensor_data(sg, "w", T_F32, 2, w_shape, kFcWeights, sizeof(kFcWeights));
  mb_tensor_data(sg, "b", T_F32, 1, two, kFcBias, sizeof(kFcBias));
  mb_tensor(sg, "y", T_F32, 1, one);
  MbOp* op = mb_op(sg, reshape, 2, (int[]){kFcX, kFcShape}, 1, (int[]){kFcR});
  op->options = OPT_RESHAPE; /* options without new_shape: the input wins */
  op = mb_op(sg, fc, 3, (int[]){kFcR, kFcW, kFcB}, 1, (int[]){kFcY});
  op->options = OPT_FC;
  op->activation = ACT_NONE;
  op->keep_num_dims = keep_num_dims;
  mb_io(sg, 2, (int[]){kFcX, kFcShape}, 1, (int[]){kFcY});
}

/* Rows of 3 inputs -> 2 outputs, by hand:
 *   unit 0 = x0 - x2 + 0.25, unit 1 = 0.5 x0 + 2 x1 + x2 - 1. */
static const float kFcX8[12] = {1, 2, 3, 4, 5, 6, -1, 0, 1, 0, 0, 0};
static const float kFcY8[8] = {-1.75f, 6.5f, -1.75f, 17, -1.75f, -0.5f,
                               0.25f, -1};

static void test_reshape_fc(void) {
  g_case = "deferred_fc";
  MbModel m;
  reshape_fc_model(&m, false);
  Run r;
  if (run_open(&r, &m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(!primary_sg(&r)->nodes[0].deferred);
    CHECK(primary_sg(&r)->nodes[1].deferred);
    CHECK(tensor_at(&r, kFcY)->allocation_type == kTfLiteDynamic);
    CHECK(set_input(&r, 0, kFcX8, 6 * sizeof(float)));
    /* Without keep_num_dims every shape flattens to [2, 3] rows. */
    const int32_t shapes[5][2] = {{2, 3}, {3, 2}, {6, 1}, {1, 6}, {-1, 3}};
    const int out[2] = {2, 2};
    for (int s = 0; s < 5; ++s) {
      CHECK(set_input(&r, 1, shapes[s], sizeof(shapes[s])));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      const int rdims[2] = {shapes[s][0] == -1 ? 2 : shapes[s][0],
                            shapes[s][1]};
      CHECK(has_shape(tensor_at(&r, kFcR), 2, rdims));
      CHECK(output_is_f32(&r, 0, 2, out, kFcY8, 4));
    }
    g_case = "deferred_fc_resized";
    const int x_dims[2] = {4, 3}, three[1] = {3}, out4[2] = {4, 2};
    CHECK(resize_input(&r, 0, 2, x_dims));
    CHECK(resize_input(&r, 1, 1, three));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(primary_sg(&r)->nodes[1].deferred);
    CHECK(set_input(&r, 0, kFcX8, sizeof(kFcX8)));
    const int32_t s3[3] = {2, 2, 3};
    CHECK(set_input(&r, 1, s3, sizeof(s3)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, out4, kFcY8, 8));
    const int32_t s3b[3] = {1, 12, 1}; /* still 4 rows of 3 */
    CHECK(set_input(&r, 1, s3b, sizeof(s3b)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, out4, kFcY8, 8));
  }
  run_close(&r);

  /* keep_num_dims: the output keeps the reshaped leading dims, and a last
   * dim other than 3 fails FULLY_CONNECTED's prepare, at Invoke. */
  g_case = "deferred_fc_keep_num_dims";
  reshape_fc_model(&m, true);
  if (run_open(&r, &m)) {
    const int three[1] = {3};
    CHECK(resize_input(&r, 1, 1, three));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, kFcX8, 6 * sizeof(float)));
    const int32_t s1[3] = {2, 1, 3}, s2[3] = {1, 2, 3}, bad[3] = {1, 3, 2};
    const int out1[3] = {2, 1, 2}, out2[3] = {1, 2, 2};
    CHECK(set_input(&r, 1, s1, sizeof(s1)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 3, out1, kFcY8, 4));
    CHECK(set_input(&r, 1, s2, sizeof(s2)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 3, out2, kFcY8, 4));
    CHECK(set_input(&r, 1, bad, sizeof(bad)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("keep_num_dims"));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("Node number 1 (FULLY_CONNECTED) failed to prepare"));
    CHECK(set_input(&r, 1, s1, sizeof(s1)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 3, out1, kFcY8, 4));
  }
  run_close(&r);
}

/* ---- 2b. Constant folding: RESHAPE by the SHAPE of an input --------------- */

enum { kFoX = 0, kFoV = 1, kFoShape = 2, kFoR = 3, kFoY = 4 };

/* y = reshape(v, shape(x)) + x: SHAPE is computed at prepare (folded), so
 * the RESHAPE and the ADD are planned as usual instead of being deferred
 * to every Invoke; resizing x computes it again. */
static void test_constant_folding(void) {
  g_case = "fold_shape_reshape";
  const int x_shape[2] = {2, 3}, six[1] = {6}, two[1] = {2};
  MbModel m;
  mb_init(&m, "fold shape");
  const int shape_op = mb_opcode(&m, OP_SHAPE, NULL);
  const int reshape = mb_opcode(&m, OP_RESHAPE, NULL);
  const int add = mb_opcode(&m, OP_ADD, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  mb_tensor(sg, "x", T_F32, 2, x_shape);
  mb_tensor(sg, "v", T_F32, 1, six);
  mb_tensor(sg, "shape", T_I32, 1, two);
  mb_tensor(sg, "r", T_F32, 2, x_shape);
  mb_tensor(sg, "y", T_F32, 2, x_shape);
  mb_op(sg, shape_op, 1, (int[]){kFoX}, 1, (int[]){kFoShape});
  mb_op(sg, reshape, 2, (int[]){kFoV, kFoShape}, 1, (int[]){kFoR});
  MbOp* op = mb_op(sg, add, 2, (int[]){kFoR, kFoX}, 1, (int[]){kFoY});
  op->options = OPT_ADD;
  op->activation = ACT_NONE;
  mb_io(sg, 2, (int[]){kFoX, kFoV}, 1, (int[]){kFoY});
  Run r;
  if (run_open(&r, &m)) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    PlSubgraph* s = primary_sg(&r);
    CHECK(s->nodes[0].folded);
    CHECK(!s->nodes[1].deferred && !s->nodes[2].deferred);
    CHECK(tensor_at(&r, kFoShape)->allocation_type == kTfLitePersistentRo);
    CHECK(tensor_at(&r, kFoR)->allocation_type == kTfLiteArenaRw);
    CHECK(tensor_at(&r, kFoY)->allocation_type == kTfLiteArenaRw);
    const float x[6] = {1, 2, 3, 4, 5, 6};
    const float v[6] = {10, 20, 30, 40, 50, 60};
    const float y[6] = {11, 22, 33, 44, 55, 66};
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(set_input(&r, 1, v, sizeof(v)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, x_shape, y, 6));
    const int32_t want_shape[2] = {2, 3};
    CHECK(memcmp(TfLiteTensorData(tensor_at(&r, kFoShape)), want_shape,
                 sizeof(want_shape)) == 0);

    g_case = "fold_shape_reshape_resized";
    const int x2[3] = {3, 1, 2};
    CHECK(resize_input(&r, 0, 3, x2));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(s->nodes[0].folded);
    CHECK(TfLiteTensorNumDims(tensor_at(&r, kFoShape)) == 1 &&
          TfLiteTensorDim(tensor_at(&r, kFoShape), 0) == 3);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(set_input(&r, 1, v, sizeof(v)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 3, x2, y, 6));
  }
  run_close(&r);
}

/* ---- 3. A chain of ADDs: arena reuse ------------------------------------- */

/* x -> +1 -> t1 -> +2 -> t2 -> +4 -> t3 -> +8 -> t4 -> +16 -> y. */
enum { kChX = 0, kChC0 = 1, kChT1 = 6, kChY = 10, kChAdds = 5 };

static void test_add_chain(void) {
  g_case = "arena_chain";
  static const float consts[kChAdds] = {1, 2, 4, 8, 16};
  const int x_shape[2] = {4, 4}, one[1] = {1};
  MbModel m;
  mb_init(&m, "add chain");
  const int add = mb_opcode(&m, OP_ADD, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  mb_tensor(sg, "x", T_F32, 2, x_shape);
  for (int k = 0; k < kChAdds; ++k)
    mb_tensor_data(sg, NULL, T_F32, 1, one, &consts[k], sizeof(float));
  for (int k = 0; k < kChAdds - 1; ++k) mb_tensor(sg, NULL, T_F32, 2, x_shape);
  mb_tensor(sg, "y", T_F32, 2, x_shape);
  for (int k = 0; k < kChAdds; ++k) {
    const int in = k == 0 ? kChX : kChT1 + k - 1;
    const int out = k == kChAdds - 1 ? kChY : kChT1 + k;
    MbOp* op = mb_op(sg, add, 2, (int[]){in, kChC0 + k}, 1, (int[]){out});
    op->options = OPT_ADD;
  }
  mb_io(sg, 1, (int[]){kChX}, 1, (int[]){kChY});

  Run r;
  if (!run_open(&r, &m)) {
    run_close(&r);
    return;
  }
  for (int round = 0; round < 2; ++round) {
    /* Round 1 grows x from 16 to 64 elements: a new plan, same sharing. */
    const int n = round == 0 ? 16 : 64;
    const int dims[2] = {round == 0 ? 4 : 8, round == 0 ? 4 : 8};
    if (round == 1) {
      g_case = "arena_chain_resized";
      CHECK(resize_input(&r, 0, 2, dims));
    }
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    const void* p[11];
    for (int i = 0; i < 11; ++i) p[i] = TfLiteTensorData(tensor_at(&r, i));
    const void *t1 = p[kChT1], *t2 = p[kChT1 + 1], *t3 = p[kChT1 + 2],
               *t4 = p[kChT1 + 3];
    /* t1 lives over ADDs 0-1, t3 over 2-3: they may share, and the greedy
     * plan puts them together; likewise t2 (1-2) and t4 (3-4). */
    CHECK(t1 != NULL && t1 == t3);
    CHECK(t2 != NULL && t2 == t4);
    /* Lifetimes that overlap never share. */
    CHECK(t1 != t2 && t3 != t4 && t2 != t3);
    for (int i = kChT1; i < kChT1 + 4; ++i)
      CHECK(p[i] != p[kChX] && p[i] != p[kChY]);
    CHECK(p[kChX] != p[kChY]);
    /* Everything in the arena, which holds 4 buffers instead of 6. */
    PlSubgraph* psg = primary_sg(&r);
    const size_t bytes = (size_t)n * sizeof(float);
    for (int i = 0; i < 11; ++i) {
      if (i >= kChC0 && i < kChC0 + kChAdds) continue; /* constants */
      const uint8_t* d = p[i];
      CHECK(d >= psg->arena && d + bytes <= psg->arena + psg->arena_size);
    }
    CHECK(psg->arena_size == 4 * bytes);

    for (int pass = 0; pass < 2; ++pass) {
      float x[64], y[64], v3[64], v4[64];
      for (int i = 0; i < n; ++i) {
        x[i] = (float)(i * (pass ? -3 : 1)) - 7.5f;
        v3[i] = x[i] + 7;  /* t3 = x + 1 + 2 + 4 */
        v4[i] = x[i] + 15; /* t4 = t3 + 8 */
        y[i] = x[i] + 31;  /* y = t4 + 16 */
      }
      CHECK(set_input(&r, 0, x, bytes));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_is_f32(&r, 0, 2, dims, y, n));
      /* The shared buffers hold what was written last: t3 over t1, t4 over
       * t2. */
      CHECK(same_f32(TfLiteTensorData(tensor_at(&r, kChT1)), v3, n));
      CHECK(same_f32(TfLiteTensorData(tensor_at(&r, kChT1 + 1)), v4, n));
      CHECK(TfLiteTensorData(tensor_at(&r, kChT1)) == t1);
    }
  }
  run_close(&r);
}

/* ---- 4. Signatures over two subgraphs ------------------------------------ */

/* Subgraph 0: sum = a + b, a [2,3], b [3]. Subgraph 1: lin = FC(x, W),
 * pos = relu(lin), with W = diag(2, 3). */
static const float kSigW[4] = {2, 0, 0, 3};

static void two_subgraph_model(MbModel* m, bool add_on_sg0_signature) {
  const int a_shape[2] = {2, 3}, b_shape[1] = {3}, x_shape[2] = {1, 2};
  const int w_shape[2] = {2, 2};
  mb_init(m, "two subgraphs");
  const int add = mb_opcode(m, OP_ADD, NULL);
  const int fc = mb_opcode(m, OP_FULLY_CONNECTED, NULL);
  const int relu_op = mb_opcode(m, OP_RELU, NULL);

  MbSubgraph* sg0 = mb_subgraph(m, "adder");
  mb_tensor(sg0, "tb", T_F32, 1, b_shape);    /* 0 */
  mb_tensor(sg0, "ta", T_F32, 2, a_shape);    /* 1 */
  mb_tensor(sg0, "tsum", T_F32, 2, a_shape);  /* 2 */
  mb_op(sg0, add, 2, (int[]){1, 0}, 1, (int[]){2});
  mb_io(sg0, 2, (int[]){0, 1}, 1, (int[]){2});

  MbSubgraph* sg1 = mb_subgraph(m, "scaler");
  mb_tensor(sg1, "tx", T_F32, 2, x_shape);                           /* 0 */
  mb_tensor_data(sg1, "tw", T_F32, 2, w_shape, kSigW, sizeof(kSigW)); /* 1 */
  mb_tensor(sg1, "tlin", T_F32, 2, x_shape);                         /* 2 */
  mb_tensor(sg1, "tpos", T_F32, 2, x_shape);                         /* 3 */
  MbOp* op = mb_op(sg1, fc, 2, (int[]){0, 1}, 1, (int[]){2});
  op->options = OPT_FC;
  mb_op(sg1, relu_op, 1, (int[]){2}, 1, (int[]){3});
  mb_io(sg1, 1, (int[]){0}, 2, (int[]){2, 3});

  /* Names out of order on purpose: the runtime lists them sorted. */
  MbSignature* s = mb_signature(m, "scale", 1);
  mb_sig_input(s, "x", 0);
  mb_sig_output(s, "z_linear", 2);
  mb_sig_output(s, "positive", 3);
  s = mb_signature(m, add_on_sg0_signature ? "add" : "scale_again",
                   add_on_sg0_signature ? 0 : 1);
  if (add_on_sg0_signature) {
    mb_sig_input(s, "b", 0);
    mb_sig_input(s, "a", 1);
    mb_sig_output(s, "sum", 2);
  } else {
    mb_sig_input(s, "x", 0);
    mb_sig_output(s, "y", 3);
  }
}

static bool str_is(const char* got, const char* want) {
  if (got && strcmp(got, want) == 0) return true;
  printf("  got \"%s\", want \"%s\"\n", got ? got : "(null)", want);
  return false;
}

static void run_add_signature(TfLiteSignatureRunner* add, float scale) {
  const float a[6] = {1, 2, 3, 4, 5, 6};
  const float b[3] = {10, 20, 30};
  float a2[6], want[6];
  for (int i = 0; i < 6; ++i) {
    a2[i] = a[i] * scale;
    want[i] = a2[i] + b[i % 3];
  }
  TfLiteTensor* ta = TfLiteSignatureRunnerGetInputTensor(add, "a");
  TfLiteTensor* tb = TfLiteSignatureRunnerGetInputTensor(add, "b");
  CHECK(ta && str_is(TfLiteTensorName(ta), "ta"));
  CHECK(tb && str_is(TfLiteTensorName(tb), "tb"));
  /* The shapes differ, so a mix-up of the names would fail the copies. */
  CHECK(ta && TfLiteTensorCopyFromBuffer(ta, a2, sizeof(a2)) == kTfLiteOk);
  CHECK(tb && TfLiteTensorCopyFromBuffer(tb, b, sizeof(b)) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(add) == kTfLiteOk);
  const int dims[2] = {2, 3};
  CHECK(is_f32(TfLiteSignatureRunnerGetOutputTensor(add, "sum"), 2, dims, want,
               6));
}

static void run_scale_signature(TfLiteSignatureRunner* scale, float x0,
                                float x1) {
  const float x[2] = {x0, x1};
  const float lin[2] = {2 * x0, 3 * x1};
  const float pos[2] = {relu(lin[0]), relu(lin[1])};
  TfLiteTensor* tx = TfLiteSignatureRunnerGetInputTensor(scale, "x");
  CHECK(tx && TfLiteTensorCopyFromBuffer(tx, x, sizeof(x)) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(scale) == kTfLiteOk);
  const int dims[2] = {1, 2};
  CHECK(is_f32(TfLiteSignatureRunnerGetOutputTensor(scale, "z_linear"), 2,
               dims, lin, 2));
  CHECK(is_f32(TfLiteSignatureRunnerGetOutputTensor(scale, "positive"), 2,
               dims, pos, 2));
}

static void test_signatures(void) {
  g_case = "signatures";
  MbModel m;
  two_subgraph_model(&m, true);
  Run r;
  if (run_open(&r, &m)) {
    CHECK(TfLiteInterpreterGetSignatureCount(r.interp) == 2);
    CHECK(str_is(TfLiteInterpreterGetSignatureKey(r.interp, 0), "scale"));
    CHECK(str_is(TfLiteInterpreterGetSignatureKey(r.interp, 1), "add"));
    CHECK(TfLiteInterpreterGetSignatureKey(r.interp, 2) == NULL);

    TfLiteSignatureRunner* add =
        TfLiteInterpreterGetSignatureRunner(r.interp, "add");
    TfLiteSignatureRunner* scale =
        TfLiteInterpreterGetSignatureRunner(r.interp, "scale");
    CHECK(add != NULL && scale != NULL);
    if (add && scale) {
      g_case = "signature_add_names";
      CHECK(PyliteSignatureRunnerGetSubgraphIndex(add) == 0);
      CHECK(TfLiteSignatureRunnerGetInputCount(add) == 2);
      CHECK(str_is(TfLiteSignatureRunnerGetInputName(add, 0), "a"));
      CHECK(str_is(TfLiteSignatureRunnerGetInputName(add, 1), "b"));
      CHECK(TfLiteSignatureRunnerGetInputName(add, 2) == NULL);
      CHECK(TfLiteSignatureRunnerGetOutputCount(add) == 1);
      CHECK(str_is(TfLiteSignatureRunnerGetOutputName(add, 0), "sum"));
      CHECK(PyliteSignatureRunnerGetInputTensorIndex(add, "a") == 1);
      CHECK(PyliteSignatureRunnerGetInputTensorIndex(add, "b") == 0);
      CHECK(PyliteSignatureRunnerGetOutputTensorIndex(add, "sum") == 2);

      g_case = "signature_scale_names";
      CHECK(PyliteSignatureRunnerGetSubgraphIndex(scale) == 1);
      CHECK(TfLiteSignatureRunnerGetInputCount(scale) == 1);
      CHECK(str_is(TfLiteSignatureRunnerGetInputName(scale, 0), "x"));
      CHECK(TfLiteSignatureRunnerGetOutputCount(scale) == 2);
      CHECK(str_is(TfLiteSignatureRunnerGetOutputName(scale, 0), "positive"));
      CHECK(str_is(TfLiteSignatureRunnerGetOutputName(scale, 1), "z_linear"));
      CHECK(PyliteSignatureRunnerGetOutputTensorIndex(scale, "positive") == 3);
      CHECK(PyliteSignatureRunnerGetOutputTensorIndex(scale, "z_linear") == 2);

      g_case = "signature_unknown_name";
      CHECK(TfLiteSignatureRunnerGetInputTensor(add, "c") == NULL);
      CHECK(error_contains("Input name c was not found"));
      CHECK(TfLiteSignatureRunnerGetOutputTensor(scale, "lin") == NULL);
      CHECK(error_contains("Output name lin was not found"));

      g_case = "signature_run";
      CHECK(TfLiteSignatureRunnerInvoke(add) == kTfLiteError); /* unallocated */
      CHECK(error_contains("not ready"));
      CHECK(TfLiteSignatureRunnerAllocateTensors(add) == kTfLiteOk);
      CHECK(TfLiteSignatureRunnerAllocateTensors(scale) == kTfLiteOk);
      run_add_signature(add, 1);
      run_scale_signature(scale, -1.5f, 2);
      /* Interleaved: each subgraph keeps its own tensors. */
      run_add_signature(add, -2);
      run_scale_signature(scale, 4, -0.5f);
      run_add_signature(add, 0.5f);

      g_case = "signature_null_key";
      TfLiteSignatureRunner* first =
          TfLiteInterpreterGetSignatureRunner(r.interp, NULL);
      CHECK(first != NULL);
      if (first) {
        /* "scale" comes first in the model but is not on subgraph 0. */
        CHECK(str_is(PyliteSignatureRunnerGetKey(first), "add"));
        CHECK(PyliteSignatureRunnerGetSubgraphIndex(first) == 0);
        CHECK(str_is(TfLiteSignatureRunnerGetInputName(first, 0), "a"));
        run_add_signature(first, 3);
        TfLiteSignatureRunnerDelete(first);
      }
      g_case = "signature_primary_is_sg0";
      /* The interpreter's own inputs are subgraph 0's, in model order. */
      CHECK(TfLiteInterpreterGetInputTensorCount(r.interp) == 2);
      const TfLiteTensor* in0 = TfLiteInterpreterGetInputTensor(r.interp, 0);
      CHECK(str_is(TfLiteTensorName(in0), "tb"));
    }
    g_case = "signature_unknown_key";
    CHECK(TfLiteInterpreterGetSignatureRunner(r.interp, "mul") == NULL);
    CHECK(error_contains("'mul'"));
    TfLiteSignatureRunnerDelete(add);
    TfLiteSignatureRunnerDelete(scale);
  }
  run_close(&r);

  g_case = "signature_none_on_sg0";
  two_subgraph_model(&m, false);
  if (run_open(&r, &m)) {
    CHECK(TfLiteInterpreterGetSignatureCount(r.interp) == 2);
    CHECK(TfLiteInterpreterGetSignatureRunner(r.interp, NULL) == NULL);
    CHECK(error_contains("none of those points to primary subgraph"));
    TfLiteSignatureRunner* scale =
        TfLiteInterpreterGetSignatureRunner(r.interp, "scale_again");
    CHECK(scale != NULL);
    if (scale) {
      CHECK(TfLiteSignatureRunnerAllocateTensors(scale) == kTfLiteOk);
      const float x[2] = {-1, 1}, y[2] = {0, 3};
      const int dims[2] = {1, 2};
      TfLiteTensor* tx = TfLiteSignatureRunnerGetInputTensor(scale, "x");
      CHECK(tx && TfLiteTensorCopyFromBuffer(tx, x, sizeof(x)) == kTfLiteOk);
      CHECK(TfLiteSignatureRunnerInvoke(scale) == kTfLiteOk);
      CHECK(is_f32(TfLiteSignatureRunnerGetOutputTensor(scale, "y"), 2, dims,
                   y, 2));
      TfLiteSignatureRunnerDelete(scale);
    }
  }
  run_close(&r);
}

/* ---- 5. Resizing to shapes that do not broadcast ------------------------- */

static void test_resize_broadcast_error(void) {
  g_case = "resize_not_broadcastable";
  const int x_shape[2] = {2, 3}, c_shape[1] = {3};
  const float c[3] = {1, -2, 3};
  MbModel m;
  mb_init(&m, "add relu");
  const int add = mb_opcode(&m, OP_ADD, NULL);
  const int relu_op = mb_opcode(&m, OP_RELU, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  mb_tensor(sg, "x", T_F32, 2, x_shape);
  mb_tensor_data(sg, "c", T_F32, 1, c_shape, c, sizeof(c));
  mb_tensor(sg, "sum", T_F32, 2, x_shape);
  mb_tensor(sg, "y", T_F32, 2, x_shape);
  mb_op(sg, add, 2, (int[]){0, 1}, 1, (int[]){2})->options = OPT_ADD;
  mb_op(sg, relu_op, 1, (int[]){2}, 1, (int[]){3});
  mb_io(sg, 1, (int[]){0}, 1, (int[]){3});
  Run r;
  if (run_open(&r, &m)) {
    const float x[6] = {0, 1, 2, -3, 4, -5};
    const float y[6] = {1, 0, 5, 0, 2, 0};
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, x_shape, y, 6));

    const int bad[2] = {2, 4};
    CHECK(resize_input(&r, 0, 2, bad));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
    CHECK(error_contains("Given shapes, [2,4] and [3], are not broadcastable"));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
    CHECK(error_contains("Node number 0 (ADD) failed to prepare"));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("not ready"));

    g_case = "resize_back";
    CHECK(resize_input(&r, 0, 2, x_shape));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is_f32(&r, 0, 2, x_shape, y, 6));

    g_case = "resize_other_broadcasts";
    {
      /* [3,1] + [3] -> [3,3]. */
      const int col[2] = {3, 1}, out[2] = {3, 3};
      const float xc[3] = {0, 10, -10};
      const float yc[9] = {1, 0, 3, 11, 8, 13, 0, 0, 0};
      CHECK(resize_input(&r, 0, 2, col));
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, xc, sizeof(xc)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_is_f32(&r, 0, 2, out, yc, 9));
      CHECK(is_f32(tensor_at(&r, 2), 2, out,
                   (const float[]){1, -2, 3, 11, 8, 13, -9, -12, -7}, 9));
    }
    {
      /* A 3-D input, then a 1-D one of the wrong length. */
      const int d3[3] = {2, 1, 3};
      CHECK(resize_input(&r, 0, 3, d3));
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
      CHECK(set_input(&r, 0, x, sizeof(x)));
      CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
      CHECK(output_is_f32(&r, 0, 3, d3, y, 6));
      const int d1[1] = {2};
      CHECK(resize_input(&r, 0, 1, d1));
      CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
      CHECK(error_contains("Given shapes, [2] and [3], are not broadcastable"));
    }
  }
  run_close(&r);
}

/* ---- 6. Ops pylite does not implement ------------------------------------ */

/* x -> ADD(x, x) -> t -> <op> -> y: the unsupported op is node 1. */
static void expect_unsupported(int builtin, const char* custom,
                               const char* needle) {
  const int s[1] = {4};
  MbModel m;
  mb_init(&m, "unsupported op");
  const int add = mb_opcode(&m, OP_ADD, NULL);
  const int other = mb_opcode(&m, builtin, custom);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  mb_tensor(sg, "x", T_F32, 1, s);
  mb_tensor(sg, "t", T_F32, 1, s);
  mb_tensor(sg, "y", T_F32, 1, s);
  mb_op(sg, add, 2, (int[]){0, 0}, 1, (int[]){1});
  MbOp* op = mb_op(sg, other, 1, (int[]){1}, 1, (int[]){2});
  static const uint8_t opts[3] = {1, 2, 3};
  if (custom) op->custom_options = opts, op->custom_options_size = 3;
  mb_io(sg, 1, (int[]){0}, 1, (int[]){2});
  Run r;
  if (run_open(&r, &m)) { /* creation succeeds */
    CHECK(PyliteInterpreterGetNodeCount(r.interp, 0) == 2);
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
    CHECK(error_contains(needle));
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
    CHECK(error_contains("node 1 of subgraph 0"));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteError);
    CHECK(error_contains("not ready"));
  }
  run_close(&r);
}

static bool op_is_linked(const char* name) {
  for (int32_t i = 0; i < PyliteGetOpCount(); ++i)
    if (strcmp(PyliteGetOpName(i), name) == 0) return true;
  return false;
}

static void test_unsupported_ops(void) {
  g_case = "unsupported_builtin";
  /* CONV_2D while the build has no kernel for it, else an op pylite is
   * not meant to implement. */
  static const struct {
    int code;
    const char* name;
  } candidates[] = {{OP_CONV_2D, "CONV_2D"},
                    {15, "LSH_PROJECTION"},
                    {30, "SKIP_GRAM"},
                    {51, "DELEGATE"}};
  int pick = -1;
  for (int i = 0; i < 4 && pick < 0; ++i)
    if (!op_is_linked(candidates[i].name)) pick = i;
  CHECK(pick >= 0);
  if (pick >= 0) {
    char needle[64];
    snprintf(needle, sizeof(needle), "'%s'", candidates[pick].name);
    expect_unsupported(candidates[pick].code, NULL, needle);
  }
  g_case = "unsupported_custom";
  expect_unsupported(OP_CUSTOM, "MyFancyOp", "unresolved custom op: MyFancyOp");
}

int main(void) {
  test_reshape_add_relu();
  test_deferred_prepare_error();
  test_deferred_chain();
  test_deferred_allocation_limit();
  test_string_reshape_consumer();
  test_reshape_fc();
  test_constant_folding();
  test_add_chain();
  test_signatures();
  test_resize_broadcast_error();
  test_unsupported_ops();
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed ? 1 : 0;
}
