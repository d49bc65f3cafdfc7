/* pylite: RELU, y = max(x, 0).
 *
 * As TFLite's builtin RELU: the output has the input's shape and type.
 * float32: y = (x < 0) ? 0 : x, so NaN stays NaN and -0.0 stays -0.0.
 * int8 / uint8 / int16 (quantized per tensor; int16 with zero points 0):
 * y = clamp(zo + (x - zi) * si / so, zo + round(0 / so), type max), the
 * ratio of scales applied in fixed point as LiteRT's reference kernel
 * (internal/unary_quant.h). */
#include <math.h>
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"

static const TfLiteType kReluTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                        kTfLiteUInt8, kTfLiteInt16};

static TfLiteStatus relu_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(PlReluQuant));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void relu_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus relu_prepare(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "RELU", kReluTypes, 4, true,
                                  &input, &output));
  if (pl_unary_q_type(input))
    pl_unary_relu_quant_setup(input, output, 0.0f, INFINITY,
                              node->user_data);
  return kTfLiteOk;
}

static void relu_f32(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

static TfLiteStatus relu_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (input->type == kTfLiteFloat32)
    relu_f32(input->data.f, output->data.f, pl_num_elements(input));
  else
    pl_unary_relu_quant_eval(node->user_data, input, output);
  return kTfLiteOk;
}

const PlKernel pl_kernel_relu = {
    .name = "RELU",
    .init = relu_init,
    .free = relu_free,
    .prepare = relu_prepare,
    .eval = relu_eval,
    .types = "float32, int8, uint8, int16 (quantized)",
};
