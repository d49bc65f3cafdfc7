/* pylite: RELU, y = max(x, 0).
 *
 * As TFLite's builtin RELU for float32: the output has the input's shape and
 * type; y = (x < 0) ? 0 : x, so NaN stays NaN and -0.0 stays -0.0.
 * Quantized int8/uint8/int16 RELU is not supported yet. */
#include "capi/core/kernel.h"

enum { kInput = 0, kOutput = 0 };

static TfLiteStatus relu_prepare(PlSubgraph* sg, PlNode* node) {
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "RELU takes 1 input and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  if (input->type != output->type) {
    pl_report(sg, "RELU input type %s does not match output type %s.",
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  switch (input->type) {
    case kTfLiteFloat32:
      break;
    case kTfLiteInt8:
    case kTfLiteUInt8:
    case kTfLiteInt16:
      pl_report(sg, "Quantized RELU (%s) is not supported yet; only FLOAT32.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
    default:
      pl_report(sg,
                "Only float32, uint8, int8 and int16 are supported by RELU, "
                "got %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
  return pl_resize_like(sg, output, input->dims);
}

static void relu_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

static TfLiteStatus relu_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int64_t n = pl_num_elements(input);
  if (n == 0) return kTfLiteOk;
  switch (input->type) {
    case kTfLiteFloat32:
      relu_f32(input->data.f, output->data.f, n);
      return kTfLiteOk;
    default:
      pl_report(sg, "RELU: unsupported type %s.",
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
}

const PlKernel pl_kernel_relu = {
    .name = "RELU",
    .init = NULL,
    .free = NULL,
    .prepare = relu_prepare,
    .eval = relu_eval,
    .types = "float32",
};
