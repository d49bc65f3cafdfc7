/* pylite: GELU, the Gaussian error linear unit.
 *
 * As TFLite's float32 GELU, in its formulas: with GeluOptions.approximate
 * (default false)
 *   exact:       y = 0.5 * x * erfc(-x / sqrt(2))
 *   approximate: y = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))
 * computed in float. TFLite evaluates erfc and tanh with Eigen's float
 * approximations, pylite with libm's erfcf and tanhf; the results differ
 * by a few ulp (see tests/conformance/cases/unary.py). float16 follows
 * TFLite's half-precision evaluation, rounding after every operation
 * (bit-exact over all finite halves). The output has the input's shape and
 * type.
 *
 * Quantized int8/uint8/int16 GELU is not supported yet. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "capi/kernels/internal/unary_common.h"

/* Schema BuiltinOptions union type and GeluOptions field id. */
enum { kGeluOptionsType = 116 };
enum { kFieldApproximate = 0 };

typedef struct GeluData {
  bool approximate;
} GeluData;

static TfLiteStatus gelu_init(PlSubgraph* sg, PlNode* node) {
  GeluData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kGeluOptionsType)
    data->approximate =
        pl_fb_bool(&node->def->builtin_options, kFieldApproximate, false);
  node->user_data = data;
  return kTfLiteOk;
}

static void gelu_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus gelu_prepare(PlSubgraph* sg, PlNode* node) {
  static const TfLiteType kTypes[] = {kTfLiteFloat32, kTfLiteFloat16};
  PL_ENSURE(sg, node->user_data != NULL);
  return pl_unary_prepare(sg, node, "GELU", kTypes, 2);
}

static float gelu_exact(float x) {
  const float kMinusSqrtHalf = (float)-0.70710678118654752440;
  return 0.5f * x * erfcf(x * kMinusSqrtHalf);
}

static float gelu_approximate(float x) {
  /* sqrt(2 / pi), rounded to float once as TFLite does. */
  const float kSqrt2OverPi = (float)(1.12837916709551257390 *
                                     0.70710678118654752440);
  /* x^3 first, as TFLite's Eigen expression does. */
  const float inner = kSqrt2OverPi * (x + 0.044715f * (x * x * x));
  return 0.5f * x * (1.0f + tanhf(inner));
}

/* float16: TFLite evaluates the same expressions in Eigen's half type,
 * rounding to float16 after every operation. */
static float h(float x) { return pl_f16_to_f32(pl_f32_to_f16(x)); }

static float gelu_exact_f16(float x) {
  const float kMinusSqrtHalf = h((float)-0.70710678118654752440);
  return h(h(0.5f * x) * h(erfcf(h(x * kMinusSqrtHalf))));
}

static float gelu_approximate_f16(float x) {
  const float kSqrt2OverPi = h((float)(1.12837916709551257390 *
                                       0.70710678118654752440));
  const float cube = h(h(x * x) * x);
  const float inner = h(kSqrt2OverPi * h(x + h(h(0.044715f) * cube)));
  return h(h(0.5f * x) * h(1.0f + h(tanhf(inner))));
}

static TfLiteStatus gelu_eval(PlSubgraph* sg, PlNode* node) {
  const GeluData* data = node->user_data;
  if (pl_input(sg, node, 0)->type == kTfLiteFloat16)
    pl_unary_map_f16(sg, node, data->approximate ? gelu_approximate_f16
                                                 : gelu_exact_f16);
  else
    pl_unary_map_f32(sg, node,
                     data->approximate ? gelu_approximate : gelu_exact);
  return kTfLiteOk;
}

const PlKernel pl_kernel_gelu = {
    .name = "GELU",
    .init = gelu_init,
    .free = gelu_free,
    .prepare = gelu_prepare,
    .eval = gelu_eval,
};
