/* pylite: GELU, the Gaussian error linear unit.
 *
 * As TFLite's float32 GELU, in its formulas: with GeluOptions.approximate
 * (default false)
 *   exact:       y = 0.5 * x * erfc(-x / sqrt(2))
 *   approximate: y = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3)))
 * computed in float. TFLite evaluates erfc and tanh with Eigen's float
 * approximations, pylite with its own vectorized ones (internal/vmath.h);
 * the results differ by a few ulp (see tests/conformance/cases/unary.py).
 * float16 follows
 * TFLite's half-precision evaluation, rounding after every operation
 * (bit-exact over all finite halves). The output has the input's shape and
 * type.
 *
 * int8 / uint8 / int16 (quantized per tensor): LiteRT's tables
 * (internal/quant_lut.h) of the same formulas in float, with erfcf and
 * tanhf, the approximate cubic evaluated as ((0.044715 x) x) x as LiteRT's
 * table transform does. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"
#include "capi/kernels/internal/vmath.h"

/* Schema BuiltinOptions union type and GeluOptions field id. */
enum { kGeluOptionsType = 116 };
enum { kFieldApproximate = 0 };

typedef struct GeluData {
  bool approximate;
  PlUnaryLut lut;
} GeluData;

static const TfLiteType kGeluTypes[] = {kTfLiteFloat32, kTfLiteFloat16,
                                        kTfLiteInt8, kTfLiteUInt8,
                                        kTfLiteInt16};

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

static float gelu_exact_lut(float x, const void* ctx) {
  (void)ctx;
  return 0.5f * x * erfcf(x * (float)-0.70710678118654752440);
}

static float gelu_approximate_lut(float x, const void* ctx) {
  (void)ctx;
  const float kSqrt2OverPi = (float)(1.12837916709551257390 *
                                     0.70710678118654752440);
  return 0.5f * x * (1.0f + tanhf(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}

static TfLiteStatus gelu_prepare(PlSubgraph* sg, PlNode* node) {
  GeluData* data = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "GELU", kGeluTypes, 5, false,
                                  &input, &output));
  if (pl_unary_q_type(input))
    pl_unary_lut_build(input, output,
                       data->approximate ? gelu_approximate_lut
                                         : gelu_exact_lut,
                       NULL, &data->lut);
  return kTfLiteOk;
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

static void gelu_exact_vec(const float* x, float* y, int64_t n) {
  pl_vmath_gelu_f32(x, y, n, false);
}

static void gelu_approximate_vec(const float* x, float* y, int64_t n) {
  pl_vmath_gelu_f32(x, y, n, true);
}

static TfLiteStatus gelu_eval(PlSubgraph* sg, PlNode* node) {
  const GeluData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  if (pl_unary_q_type(input)) {
    pl_unary_lut_eval(&data->lut, input, pl_output(sg, node, 0));
    return kTfLiteOk;
  }
  if (input->type == kTfLiteFloat16)
    pl_unary_map_f16(sg, node, data->approximate ? gelu_approximate_f16
                                                 : gelu_exact_f16);
  else
    pl_unary_vec_f32(sg, node, data->approximate ? gelu_approximate_vec
                                                 : gelu_exact_vec);
  return kTfLiteOk;
}

const PlKernel pl_kernel_gelu = {
    .name = "GELU",
    .init = gelu_init,
    .free = gelu_free,
    .prepare = gelu_prepare,
    .eval = gelu_eval,
    .types = "float32, float16, int8, uint8, int16 (quantized)",
};
