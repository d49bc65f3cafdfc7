/* pylite: SIGN, y = 1, 0 or -1 by the sign of x.
 *
 * As TFLite's SIGN for float32, float64 and int32: NaN stays NaN, both
 * zeros give +0. The output has the input's shape and type. */
#include <math.h>
#include <stdint.h>

#include "capi/kernels/internal/unary_common.h"

static const TfLiteType kSignTypes[] = {kTfLiteFloat32, kTfLiteFloat64,
                                        kTfLiteInt32};

static TfLiteStatus sign_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_unary_prepare(sg, node, "SIGN", kSignTypes, 3);
}

static void sign_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = isnan(x[i]) ? x[i] : (x[i] > 0) ? 1.0f : (x[i] < 0) ? -1.0f : 0.0f;
}

static void sign_f64(const double* x, double* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = isnan(x[i]) ? x[i] : (x[i] > 0) ? 1.0 : (x[i] < 0) ? -1.0 : 0.0;
}

static void sign_i32(const int32_t* x, int32_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] > 0) - (x[i] < 0);
}

static TfLiteStatus sign_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t n = pl_num_elements(input);
  switch (input->type) {
    case kTfLiteFloat32:
      sign_f32(input->data.f, output->data.f, n);
      return kTfLiteOk;
    case kTfLiteFloat64:
      sign_f64(input->data.f64, output->data.f64, n);
      return kTfLiteOk;
    case kTfLiteInt32:
      sign_i32(input->data.i32, output->data.i32, n);
      return kTfLiteOk;
    default:
      pl_report(sg, "SIGN: unsupported type %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
}

const PlKernel pl_kernel_sign = {
    .name = "SIGN",
    .init = NULL,
    .free = NULL,
    .prepare = sign_prepare,
    .eval = sign_eval,
    .types = "float32, float64 and int32",
};
