/* pylite: NEG, y = -x.
 *
 * As TFLite's NEG for float32 (flips the sign bit: -0.0 and NaN included),
 * int32 and int64 (the minimum wraps to itself). The output has the
 * input's shape and type.
 *
 * Quantized int8 NEG is not supported yet. */
#include <stdint.h>

#include "capi/kernels/internal/unary_common.h"

static const TfLiteType kNegTypes[] = {kTfLiteFloat32, kTfLiteInt32,
                                       kTfLiteInt64};

static TfLiteStatus neg_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_unary_prepare(sg, node, "NEG", kNegTypes, 3);
}

static void neg_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = -x[i];
}

static void neg_i32(const int32_t* x, int32_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = (int32_t)(0u - (uint32_t)x[i]);
}

static void neg_i64(const int64_t* x, int64_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = (int64_t)(0u - (uint64_t)x[i]);
}

static TfLiteStatus neg_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t n = pl_num_elements(input);
  switch (input->type) {
    case kTfLiteFloat32:
      neg_f32(input->data.f, output->data.f, n);
      return kTfLiteOk;
    case kTfLiteInt32:
      neg_i32(input->data.i32, output->data.i32, n);
      return kTfLiteOk;
    case kTfLiteInt64:
      neg_i64(input->data.i64, output->data.i64, n);
      return kTfLiteOk;
    default:
      pl_report(sg, "NEG: unsupported type %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
}

const PlKernel pl_kernel_neg = {
    .name = "NEG",
    .init = NULL,
    .free = NULL,
    .prepare = neg_prepare,
    .eval = neg_eval,
};
