/* pylite: tests of the spatial kernels beyond the conformance suite.
 *
 * tests/conformance/cases/spatial.py checks these ops against LiteRT. This
 * file covers what it cannot record: dynamic outputs re-sized across
 * invokes, int64 RESIZE_NEAREST_NEIGHBOR (pylite only), empty outputs
 * returned directly, and quantized tensors whose scales differ. Expected
 * values are worked out by hand. */
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

#define OP_TEST_NAME "shape test"
#include "op_test_util.h"

/* Builtin operator codes and options types used here (schema.fbs). */
enum {
  kOpDepthToSpace = 5,
  kOpResizeBilinear = 23,
  kOpSpaceToBatchNd = 38,
  kOpResizeNearest = 97,
};
enum { kOptDepthToSpace = 94 };

/* A non-constant size: the output is re-sized at every invoke. */
static void test_resize_bilinear_dynamic_size(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_F32, 4, (int[]){1, 2, 2, 1});
  op_input(&o, T_I32, 1, (int[]){2});
  op_output(&o, T_F32, 4, (int[]){1, 1, 1, 1});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it =
      op_load(&o, kOpResizeBilinear, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const float x[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  CHECK(write_raw(it, 0, x, sizeof(x)));
  CHECK(write_raw(it, 1, (int32_t[]){1, 1}, 8));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 4, (int[]){1, 1, 1, 1}));
  CHECK(((const float*)TfLiteTensorData(out(it, 0)))[0] == 1.0f);
  /* Width scale 0.5: columns at 0, 0.5, 1, 1.5 (clamped to column 1). */
  CHECK(write_raw(it, 1, (int32_t[]){2, 4}, 8));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 4, (int[]){1, 2, 4, 1}));
  const float want[8] = {1.0f, 1.5f, 2.0f, 2.0f, 3.0f, 3.5f, 4.0f, 4.0f};
  const float* got = TfLiteTensorData(out(it, 0));
  for (int i = 0; i < 8; ++i) CHECK(got[i] == want[i]);
  /* A negative size fails the invoke with a message. */
  CHECK(write_raw(it, 1, (int32_t[]){-1, 2}, 8));
  CHECK(TfLiteInterpreterInvoke(it) != kTfLiteOk);
  CHECK_CONTAINS(PyliteGetLastError(), "size [-1, 2] must be >= 0");
  op_free(it, model, bytes);
}

/* Non-constant block_shape and paddings. */
static void test_space_to_batch_dynamic(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_F32, 4, (int[]){1, 2, 2, 1});
  op_input(&o, T_I32, 1, (int[]){2});
  op_input(&o, T_I32, 2, (int[]){2, 2});
  op_output(&o, T_F32, 4, (int[]){1, 2, 2, 1});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it =
      op_load(&o, kOpSpaceToBatchNd, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const float x[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  const int32_t zeros[4] = {0, 0, 0, 0};
  CHECK(write_raw(it, 0, x, sizeof(x)));
  CHECK(write_raw(it, 1, (int32_t[]){2, 2}, 8));
  CHECK(write_raw(it, 2, zeros, sizeof(zeros)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 4, (int[]){4, 1, 1, 1}));
  const float* got = TfLiteTensorData(out(it, 0));
  for (int i = 0; i < 4; ++i) CHECK(got[i] == x[i]);
  /* Blocks [1, 2], one padded row on top: batch j holds columns j. */
  CHECK(write_raw(it, 1, (int32_t[]){1, 2}, 8));
  CHECK(write_raw(it, 2, (int32_t[]){1, 0, 0, 0}, 16));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 4, (int[]){2, 3, 1, 1}));
  got = TfLiteTensorData(out(it, 0));
  const float want[6] = {0.0f, 1.0f, 3.0f, 0.0f, 2.0f, 4.0f};
  for (int i = 0; i < 6; ++i) CHECK(got[i] == want[i]);
  CHECK(write_raw(it, 1, (int32_t[]){0, 2}, 8));
  CHECK(TfLiteInterpreterInvoke(it) != kTfLiteOk);
  CHECK_CONTAINS(PyliteGetLastError(), "block_shape[0] = 0 must be >= 1");
  op_free(it, model, bytes);
}

/* int64 pixels (LiteRT rejects them). */
static void test_resize_nearest_int64(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_I64, 4, (int[]){1, 1, 2, 1});
  const int32_t size[2] = {1, 4};
  op_const(&o, T_I32, 1, (int[]){2}, size, sizeof(size));
  op_output(&o, T_I64, 4, (int[]){1, 1, 4, 1});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it =
      op_load(&o, kOpResizeNearest, 0, 0, NULL, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  const int64_t x[2] = {INT64_MIN, INT64_MAX};
  CHECK(write_raw(it, 0, x, sizeof(x)));
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  const int64_t* got = TfLiteTensorData(out(it, 0));
  CHECK(got[0] == INT64_MIN && got[1] == INT64_MIN && got[2] == INT64_MAX &&
        got[3] == INT64_MAX);
  op_free(it, model, bytes);
}

/* An empty output, returned directly. */
static void test_depth_to_space_empty(void) {
  Op o;
  op_begin(&o);
  op_input(&o, T_F32, 4, (int[]){0, 1, 2, 4});
  op_output(&o, T_F32, 4, (int[]){0, 2, 4, 1});
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpDepthToSpace, kOptDepthToSpace, 1,
                                  (int32_t[]){2}, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(it) == kTfLiteOk);
  CHECK(shape_is(out(it, 0), 4, (int[]){0, 2, 4, 1}));
  op_free(it, model, bytes);
}

/* Moving quantized bytes needs one scale on both sides. */
static void test_quantized_scale_mismatch(void) {
  Op o;
  op_begin(&o);
  const int in = op_input(&o, T_U8, 4, (int[]){1, 1, 1, 4});
  const int ot = op_output(&o, T_U8, 4, (int[]){1, 2, 2, 1});
  o.sg->tensors[in].scale = 0.5f;
  o.sg->tensors[ot].scale = 0.25f;
  TfLiteModel* model;
  uint8_t* bytes;
  TfLiteInterpreter* it = op_load(&o, kOpDepthToSpace, kOptDepthToSpace, 1,
                                  (int32_t[]){2}, &model, &bytes);
  CHECK(TfLiteInterpreterAllocateTensors(it) != kTfLiteOk);
  CHECK_CONTAINS(PyliteGetLastError(), "DEPTH_TO_SPACE: quantized output");
  CHECK_CONTAINS(PyliteGetLastError(), "not supported yet");
  op_free(it, model, bytes);
}

int main(void) {
  test_resize_bilinear_dynamic_size();
  test_space_to_batch_dynamic();
  test_resize_nearest_int64();
  test_depth_to_space_empty();
  test_quantized_scale_mismatch();
  return CHECK_SUMMARY();
}
