/* pylite: ELU, y = x < 0 ? exp(x) - 1 : x.
 *
 * As TFLite's ELU (alpha fixed at 1). The output has the input's shape
 * and type.
 * float32: expm1f for negative x, so small negatives keep full precision;
 * NaN and -0.0 pass through.
 * int8 (per tensor): LiteRT's table of the same function in float
 * (internal/quant_lut.h). */
#include <math.h>
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"

static const TfLiteType kEluTypes[] = {kTfLiteFloat32, kTfLiteInt8};

static float elu_f32(float x) { return x < 0.0f ? expm1f(x) : x; }

static float elu_lut_fn(float x, const void* ctx) {
  (void)ctx;
  return elu_f32(x);
}

static TfLiteStatus elu_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(PlUnaryLut));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void elu_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus elu_prepare(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "ELU", kEluTypes, 2, false,
                                  &input, &output));
  if (input->type == kTfLiteInt8)
    pl_unary_lut_build(input, output, elu_lut_fn, NULL, node->user_data);
  return kTfLiteOk;
}

static TfLiteStatus elu_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  if (input->type == kTfLiteInt8)
    pl_unary_lut_eval(node->user_data, input, pl_output(sg, node, 0));
  else
    pl_unary_map_f32(sg, node, elu_f32);
  return kTfLiteOk;
}

const PlKernel pl_kernel_elu = {
    .name = "ELU",
    .init = elu_init,
    .free = elu_free,
    .prepare = elu_prepare,
    .eval = elu_eval,
    .types = "float32, int8 (quantized)",
};
