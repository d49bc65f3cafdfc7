/* pylite: EXP, elementwise.
 *
 * As TFLite's reference EXP. The output has the input's shape and type.
 * float32: y = exp(x), vectorized (internal/vmath.h: within 1 ulp of
 * expf, the same bits on every CPU path and thread count).
 * int8 (per tensor) and int16 (zero points 0): LiteRT's tables of expf
 * (internal/quant_lut.h). */
#include <math.h>
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"
#include "capi/kernels/internal/vmath.h"

static const TfLiteType kExpTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                       kTfLiteInt16};


static float exp_lut_fn(float x, const void* ctx) {
  (void)ctx;
  return expf(x);
}

static TfLiteStatus exp_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(PlUnaryLut));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void exp_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus exp_prepare(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "EXP", kExpTypes, 3, true,
                                  &input, &output));
  if (pl_unary_q_type(input))
    pl_unary_lut_build(input, output, exp_lut_fn, NULL, node->user_data);
  return kTfLiteOk;
}

static TfLiteStatus exp_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  if (pl_unary_q_type(input))
    pl_unary_lut_eval(node->user_data, input, pl_output(sg, node, 0));
  else
    pl_unary_vec_f32(sg, node, pl_vmath_exp_f32);
  return kTfLiteOk;
}

const PlKernel pl_kernel_exp = {
    .name = "EXP",
    .init = exp_init,
    .free = exp_free,
    .prepare = exp_prepare,
    .eval = exp_eval,
    .types = "float32, int8, int16 (quantized)",
};
