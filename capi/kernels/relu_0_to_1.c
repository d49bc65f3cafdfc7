/* pylite: RELU_0_TO_1, y = min(max(x, 0), 1).
 *
 * As TFLite's builtin RELU_0_TO_1: the output has the input's shape and type.
 * float32: NaN stays NaN and -0.0 stays -0.0 (the clamp only replaces
 * values strictly outside the range). int8 and uint8 (quantized per
 * tensor): y = clamp(zo + (x - zi) * si / so, zo + round(0.0 / so),
 * zo + round(1.0 / so)) within the type's range, the ratio of scales
 * applied in fixed point as LiteRT's reference kernel
 * (internal/unary_quant.h). */
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"

static const TfLiteType kTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                    kTfLiteUInt8};

static TfLiteStatus relu_0_to_1_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(PlReluQuant));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void relu_0_to_1_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus relu_0_to_1_prepare(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "RELU_0_TO_1", kTypes, 3, true,
                                  &input, &output));
  if (pl_unary_q_type(input))
    pl_unary_relu_quant_setup(input, output, 0.0f, 1.0f, node->user_data);
  return kTfLiteOk;
}

static float relu_0_to_1_f32(float x) {
  return x > 1.0f ? 1.0f : (x < 0.0f ? 0.0f : x);
}

static TfLiteStatus relu_0_to_1_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (input->type == kTfLiteFloat32)
    pl_unary_map_f32(sg, node, relu_0_to_1_f32);
  else
    pl_unary_relu_quant_eval(node->user_data, input, output);
  return kTfLiteOk;
}

const PlKernel pl_kernel_relu_0_to_1 = {
    .name = "RELU_0_TO_1",
    .init = relu_0_to_1_init,
    .free = relu_0_to_1_free,
    .prepare = relu_0_to_1_prepare,
    .eval = relu_0_to_1_eval,
    .types = "float32, int8, uint8 (quantized)",
};
