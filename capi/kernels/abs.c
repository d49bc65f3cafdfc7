/* pylite: ABS, y = |x|.
 *
 * As TFLite's ABS for float32 (fabsf: -0.0 gives 0.0, NaN keeps its
 * payload), int32 and unquantized int16. Integer minimums wrap to
 * themselves, as in TFLite (|INT32_MIN| is INT32_MIN; the int16 result is
 * computed in int32 and truncated). The output has the input's shape and
 * type.
 *
 * Quantized int8/int16 ABS is not supported yet. */
#include <math.h>
#include <stdint.h>

#include "capi/kernels/internal/unary_common.h"

static const TfLiteType kAbsTypes[] = {kTfLiteFloat32, kTfLiteInt32,
                                       kTfLiteInt16};

static TfLiteStatus abs_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_unary_prepare(sg, node, "ABS", kAbsTypes, 3);
}

static void abs_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = fabsf(x[i]);
}

static void abs_i32(const int32_t* x, int32_t* y, int64_t n) {
  /* Negation in unsigned arithmetic: defined wrap-around at INT32_MIN. */
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] < 0 ? (int32_t)(0u - (uint32_t)x[i]) : x[i];
}

static void abs_i16(const int16_t* x, int16_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = (int16_t)(uint16_t)(x[i] < 0 ? -(int32_t)x[i] : x[i]);
}

static TfLiteStatus abs_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t n = pl_num_elements(input);
  switch (input->type) {
    case kTfLiteFloat32:
      abs_f32(input->data.f, output->data.f, n);
      return kTfLiteOk;
    case kTfLiteInt32:
      abs_i32(input->data.i32, output->data.i32, n);
      return kTfLiteOk;
    case kTfLiteInt16:
      abs_i16(input->data.i16, output->data.i16, n);
      return kTfLiteOk;
    default:
      pl_report(sg, "ABS: unsupported type %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
}

const PlKernel pl_kernel_abs = {
    .name = "ABS",
    .init = NULL,
    .free = NULL,
    .prepare = abs_prepare,
    .eval = abs_eval,
};
