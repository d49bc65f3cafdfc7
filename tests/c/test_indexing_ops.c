/* pylite: tests of the indexing kernels beyond LiteRT.
 *
 * The conformance suite (tests/conformance/cases/indexing.py) checks these
 * ops against LiteRT. This file covers what LiteRT cannot record: errors
 * where LiteRT aborts or reads out of bounds (BROADCAST_ARGS of shapes that
 * do not broadcast, SCATTER_ND indices outside their dim but inside the
 * output), empty outputs (LiteRT's Python API cannot return them), UNIQUE
 * of NaNs, dynamic outputs across resizes, and the hybrid
 * EMBEDDING_LOOKUP error. Expected values are worked out by hand. */
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

/* Builtin operator codes and options types used here (schema.fbs). */
enum {
  kOpEmbeddingLookup = 7,
  kOpOneHot = 85,
  kOpUnique = 103,
  kOpMatrixDiag = 113,
  kOpScatterNd = 122,
  kOpSegmentSum = 125,
  kOpBroadcastArgs = 145,
  kOpUnsortedSegmentMax = 154,
};

/* ---- A one-op model under construction ---------------------------------- */

typedef struct Op {
  MbModel m;
  MbSubgraph* sg;
  int op_in[MB_MAX_OP_IO], n_op_in;
  int op_out[MB_MAX_OP_IO], n_op_out;
  int g_in[MB_MAX_GRAPH_IO], n_g_in;
} Op;

static void op_begin(Op* o) {
  mb_init(&o->m, "indexing test");
  o->sg = mb_subgraph(&o->m, "main");
  o->n_op_in = o->n_op_out = o->n_g_in = 0;
}

static void op_input(Op* o, int type, int rank, const int* shape) {
  const int t = mb_tensor(o->sg, NULL, type, rank, shape);
  o->op_in[o->n_op_in++] = t;
  o->g_in[o->n_g_in++] = t;
}

static void op_const(Op* o, int type, int rank, const int* shape,
                     const void* data, size_t bytes) {
  o->op_in[o->n_op_in++] =
      mb_tensor_data(o->sg, NULL, type, rank, shape, data, bytes);
}

static void op_output(Op* o, int type, int rank, const int* shape) {
  o->op_out[o->n_op_out++] = mb_tensor(o->sg, NULL, type, rank, shape);
}

static TfLiteInterpreter* op_load(Op* o, int code, TfLiteModel** model,
                                  uint8_t** bytes) {
  const int opcode = mb_opcode(&o->m, code, NULL);
  mb_op(o->sg, opcode, o->n_op_in, o->op_in, o->n_op_out, o->op_out);
  mb_io(o->sg, o->n_g_in, o->g_in, o->n_op_out, o->op_out);
  size_t size = 0;
  *bytes = mb_build(&o->m, &size);
  *model = TfLiteModelCreateWithErrorReporter(*bytes, size,
                                              PyliteQuietReporter, NULL);
  CHECK(*model != NULL);
  if (!*model) return NULL;
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(opts, PyliteQuietReporter, NULL);
  TfLiteInterpreter* it = TfLiteInterpreterCreate(*model, opts);
  TfLiteInterpreterOptionsDelete(opts);
  CHECK(it != NULL);
  return it;
}

static void op_free(TfLiteInterpreter* it, TfLiteModel* model,
                    uint8_t* bytes) {
  TfLiteInterpreterDelete(it);
  TfLiteModelDelete(model);
  free(bytes);
}

static bool write_raw(TfLiteInterpreter* it, int input, const void* data,
                      size_t bytes) {
  return TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(it, input),
                                    data, bytes) == kTfLiteOk;
}

static bool shape_is(const TfLiteTensor* t, int rank, const int* dims) {
  if (!t || TfLiteTensorNumDims(t) != rank) return false;
  for (int i = 0; i < rank; ++i)
    if (TfLiteTensorDim(t, i) != dims[i]) return false;
  return true;
}

static const TfLiteTensor* out(TfLiteInterpreter* it, int i) {
  return TfLiteInterpreterGetOutputTensor(it, i);
}

/* ---- Errors LiteRT cannot record ----------------------------------------- */

static void test_broadcast_args_mismatch(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_I32, 1, (int[]){2});
  op_input(&o, T_I32, 1, (int[]){1});
  op_output(&o, T_I32, 1, (int[]){2});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpBroadcastArgs, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const int32_t a[2] = {2, 3}, b[1] = {4};
  CHECK(write_raw(it, 0, a, sizeof(a)));
  CHECK(write_raw(it, 1, b, sizeof(b)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(),
                 "BROADCAST_ARGS: shapes [2,3] and [4] do not broadcast");
  /* The same interpreter recovers with compatible shapes. */
  const int32_t c[1] = {3};
  CHECK(write_raw(it, 1, c, sizeof(c)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  const int32_t* got = TfLiteTensorData(out(it, 0));
  CHECK(got && got[0] == 2 && got[1] == 3);
  op_free(it, model, bytes);
}

static void test_scatter_nd_index_past_dim(void) {
  /* [0, 5] flattens to 5, inside a [3, 4] output, but 5 >= 4. */
  Op o;
  op_begin(&o);
  const int32_t shape[2] = {3, 4};
  op_input(&o, T_I32, 2, (int[]){1, 2});
  op_input(&o, T_F32, 1, (int[]){1});
  op_const(&o, T_I32, 1, (int[]){2}, shape, sizeof(shape));
  op_output(&o, T_F32, 2, (int[]){3, 4});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpScatterNd, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const int32_t idx[2] = {0, 5};
  const float upd[1] = {1.0f};
  CHECK(write_raw(it, 0, idx, sizeof(idx)));
  CHECK(write_raw(it, 1, upd, sizeof(upd)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "SCATTER_ND: index 5");
  op_free(it, model, bytes);
}

static void test_embedding_lookup_hybrid(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_I32, 1, (int[]){1});
  op_input(&o, T_I8, 2, (int[]){2, 2});
  op_output(&o, T_F32, 2, (int[]){1, 2});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpEmbeddingLookup, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "not supported yet");
  op_free(it, model, bytes);
}

/* ---- Empty and dynamic outputs ------------------------------------------- */

static void test_empty_outputs(void) {
  /* MATRIX_DIAG of [2, 0] is [2, 0, 0]. */
  Op o;
  op_begin(&o);
  op_input(&o, T_F32, 2, (int[]){2, 0});
  op_output(&o, T_F32, 3, (int[]){2, 0, 0});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpMatrixDiag, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 3, (int[]){2, 0, 0}));
  op_free(it, model, bytes);

  /* SEGMENT_SUM of no rows is [0, 2]. */
  op_begin(&o);
  op_input(&o, T_F32, 2, (int[]){0, 2});
  op_input(&o, T_I32, 1, (int[]){0});
  op_output(&o, T_F32, 2, (int[]){0, 2});
  it = op_load(&o, kOpSegmentSum, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 2, (int[]){0, 2}));
  op_free(it, model, bytes);

  /* UNSORTED_SEGMENT_MAX with num_segments 0 and only negative ids. */
  op_begin(&o);
  const int32_t zero[1] = {0};
  op_input(&o, T_F32, 1, (int[]){2});
  op_input(&o, T_I32, 1, (int[]){2});
  op_const(&o, T_I32, 1, (int[]){1}, zero, sizeof(zero));
  op_output(&o, T_F32, 1, (int[]){0});
  it = op_load(&o, kOpUnsortedSegmentMax, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const int32_t ids[2] = {-1, -3};
  CHECK(write_raw(it, 1, ids, sizeof(ids)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 1, (int[]){0}));
  op_free(it, model, bytes);

  /* ONE_HOT with a constant depth of 0 (no options: axis 0). */
  op_begin(&o);
  const float on[1] = {1.0f}, off[1] = {0.0f};
  op_input(&o, T_I32, 1, (int[]){3});
  op_const(&o, T_I32, 0, NULL, zero, sizeof(zero));
  op_const(&o, T_F32, 0, NULL, on, sizeof(on));
  op_const(&o, T_F32, 0, NULL, off, sizeof(off));
  op_output(&o, T_F32, 2, (int[]){3, 0});
  it = op_load(&o, kOpOneHot, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 2, (int[]){0, 3}));
  op_free(it, model, bytes);
}

static void test_unique_nan_and_resize(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_F32, 1, (int[]){4});
  op_output(&o, T_F32, 1, (int[]){4});
  op_output(&o, T_I32, 1, (int[]){4});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpUnique, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const float x[4] = {NAN, 1.0f, NAN, 1.0f};
  CHECK(write_raw(it, 0, x, sizeof(x)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 1, (int[]){3}));
  const float* y = TfLiteTensorData(out(it, 0));
  const int32_t* idx = TfLiteTensorData(out(it, 1));
  CHECK(y && isnan(y[0]) && y[1] == 1.0f && isnan(y[2]));
  CHECK(idx && idx[0] == 0 && idx[1] == 1 && idx[2] == 2 && idx[3] == 1);
  /* Resized to empty, then to 6 elements: the dynamic output follows. */
  CHECK(TfLiteInterpreterResizeInputTensor(it, 0, (int[]){0}, 1) ==
        kTfLiteOk);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 1, (int[]){0}));
  CHECK(shape_is(out(it, 1), 1, (int[]){0}));
  CHECK(TfLiteInterpreterResizeInputTensor(it, 0, (int[]){6}, 1) ==
        kTfLiteOk);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const float z[6] = {3.0f, -0.0f, 3.0f, 0.0f, 2.0f, 2.0f};
  CHECK(write_raw(it, 0, z, sizeof(z)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 1, (int[]){3}));
  y = TfLiteTensorData(out(it, 0));
  idx = TfLiteTensorData(out(it, 1));
  CHECK(y && y[0] == 3.0f && y[1] == 0.0f && signbit(y[1]) && y[2] == 2.0f);
  CHECK(idx && idx[0] == 0 && idx[1] == 1 && idx[2] == 0 && idx[3] == 1 &&
        idx[4] == 2 && idx[5] == 2);
  op_free(it, model, bytes);
}

int main(void) {
  test_broadcast_args_mismatch();
  test_scatter_nd_index_past_dim();
  test_embedding_lookup_hybrid();
  test_empty_outputs();
  test_unique_nan_and_resize();
  return CHECK_SUMMARY();
}
