/* pylite: SQRT, elementwise.
 *
 * As TFLite's SQRT. The output has the input's shape and type.
 * float32: y = sqrtf(x): negative x gives NaN, sqrt(-0.0) is -0.0.
 * int8 (per tensor) and int16 (zero points 0), as LiteRT: each value is
 * dequantized in float, sqrtf, divided by the output scale and truncated
 * toward zero (not rounded), plus the output zero point, clamped. A
 * negative input value is an error at invoke, as in LiteRT. */
#include <math.h>

#include "capi/kernels/internal/unary_quant.h"

static const TfLiteType kSqrtTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                        kTfLiteInt16};

static float sqrt_f32(float x) { return sqrtf(x); }

static TfLiteStatus sqrt_prepare(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input;
  TfLiteTensor* output;
  return pl_unary_prepare_q(sg, node, "SQRT", kSqrtTypes, 3, true, &input,
                            &output);
}

static TfLiteStatus sqrt_quant(PlSubgraph* sg, const TfLiteTensor* in,
                               TfLiteTensor* out) {
  const PlQuantParams pi = pl_q_params(in);
  const PlQuantParams po = pl_q_params(out);
  int32_t lo = 0, hi = 0;
  pl_q_type_range(in->type, &lo, &hi);
  const int64_t n = pl_num_elements(in);
  for (int64_t i = 0; i < n; ++i) {
    const float real = pi.scale * (float)(pl_q_load(in, i) - pi.zero_point);
    if (!(real >= 0.0f)) {
      pl_report(sg, "SQRT: input value %d at index %lld is negative (%g); "
                "the quantized SQRT is only defined for non-negative values.",
                (int)pl_q_load(in, i), (long long)i, (double)real);
      return kTfLiteError;
    }
    const int32_t q = pl_fx_add(pl_q_f32_to_i32(sqrtf(real) / po.scale),
                                po.zero_point);
    pl_q_store(out, i, pl_q_clamp(q, lo, hi));
  }
  return kTfLiteOk;
}

static TfLiteStatus sqrt_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  if (pl_unary_q_type(input))
    return sqrt_quant(sg, input, pl_output(sg, node, 0));
  pl_unary_map_f32(sg, node, sqrt_f32);
  return kTfLiteOk;
}

const PlKernel pl_kernel_sqrt = {
    .name = "SQRT",
    .init = NULL,
    .free = NULL,
    .prepare = sqrt_prepare,
    .eval = sqrt_eval,
    .types = "float32, int8, int16 (quantized)",
};
