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

#define OP_TEST_NAME "indexing test"
#include "op_test_util.h"

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


/* ---- Errors LiteRT cannot record ----------------------------------------- */

static void test_broadcast_args_mismatch(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_I32, 1, (int[]){2});
  op_input(&o, T_I32, 1, (int[]){1});
  op_output(&o, T_I32, 1, (int[]){2});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it =
      op_load(&o, kOpBroadcastArgs, OPT_NONE, 0, NULL, &model, &bytes);
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
  TfLiteInterpreter* it =
      op_load(&o, kOpScatterNd, OPT_NONE, 0, NULL, &model, &bytes);
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
  TfLiteInterpreter* it =
      op_load(&o, kOpEmbeddingLookup, OPT_NONE, 0, NULL, &model, &bytes);
  /* Hybrid lookups dequantize by the value's scales: they must exist. */
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "no quantization parameters");
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
  TfLiteInterpreter* it =
      op_load(&o, kOpMatrixDiag, OPT_NONE, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 3, (int[]){2, 0, 0}));
  op_free(it, model, bytes);

  /* SEGMENT_SUM of no rows is [0, 2]. */
  op_begin(&o);
  op_input(&o, T_F32, 2, (int[]){0, 2});
  op_input(&o, T_I32, 1, (int[]){0});
  op_output(&o, T_F32, 2, (int[]){0, 2});
  it = op_load(&o, kOpSegmentSum, OPT_NONE, 0, NULL, &model, &bytes);
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
  it = op_load(&o, kOpUnsortedSegmentMax, OPT_NONE, 0, NULL, &model, &bytes);
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
  it = op_load(&o, kOpOneHot, OPT_NONE, 0, NULL, &model, &bytes);
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
  TfLiteInterpreter* it =
      op_load(&o, kOpUnique, OPT_NONE, 0, NULL, &model, &bytes);
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
