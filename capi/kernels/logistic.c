/* pylite: LOGISTIC (sigmoid), elementwise.
 *
 * As TFLite's reference LOGISTIC. The output has the input's shape and
 * type.
 * float32: y = 1 / (1 + exp(-x)), except that above x = 16.619047164916992188
 * the result is exactly 1 and below x = -9 it is exp(x) (where the two
 * agree to float precision). NaN stays NaN. float32 is vectorized
 * (internal/vmath.h: within 2 ulp of the libm formula, the same bits on
 * every CPU path and thread count); float16 uses the libm formula in
 * float32, rounded once. A float32, int8 or uint8 LOGISTIC read only by a
 * MUL with its own input (swish, internal/binary.h) leaves the work to that
 * MUL.
 * int8 / uint8 (per tensor): the output scale must be 1/256 (LiteRT's
 * check; the zero point is free); a table of 1 / (1 + expf(-x)) over the
 * 256 inputs (internal/quant_lut.h).
 * int16: zero points 0 and an output scale of 2^-15 (exactly, as LiteRT
 * requires); LiteRT's interpolated sigmoid table (unary_sigmoid.h). */
#include <math.h>

#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/unary_sigmoid.h"
#include "capi/kernels/internal/vmath.h"

static const TfLiteType kLogisticTypes[] = {
    kTfLiteFloat32, kTfLiteFloat16, kTfLiteInt8, kTfLiteUInt8, kTfLiteInt16};

static float logistic_f32(float x) {
  const float kCutoffUpper = 16.619047164916992188f;
  const float kCutoffLower = -9.0f;
  if (x > kCutoffUpper) return 1.0f;
  if (x < kCutoffLower) return expf(x);
  return 1.0f / (1.0f + expf(-x));
}

/* The table's transform (LiteRT's: no cutoffs). */
static float logistic_lut_fn(float x, const void* ctx) {
  (void)ctx;
  return 1.0f / (1.0f + expf(-x));
}

void pl_logistic_lut8(const TfLiteTensor* input, const TfLiteTensor* output,
                      uint8_t lut[256]) {
  const PlQuantParams pi = pl_q_params(input);
  const PlQuantParams po = pl_q_params(output);
  pl_q_lut8_populate(input->type, pi.scale, pi.zero_point, po.scale,
                     po.zero_point, logistic_lut_fn, NULL, lut);
}

static TfLiteStatus logistic_prepare(PlSubgraph* sg, PlNode* node) {
  PlSigmoidData* d = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, d != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "LOGISTIC", kLogisticTypes, 5,
                                  true, &input, &output));
  d->fused_into_mul = pl_swish_mul_of(sg, node) != NULL;
  if (!pl_unary_q_type(input)) return kTfLiteOk;
  const PlQuantParams po = pl_q_params(output);
  if (input->type == kTfLiteInt16) {
    if ((double)po.scale != 1.0 / 32768) {
      pl_report(sg, "LOGISTIC: int16 output '%s' has scale %g; LiteRT "
                "requires exactly 1/32768 (and zero point 0).",
                output->name ? output->name : "", (double)po.scale);
      return kTfLiteError;
    }
    pl_sigmoid_int16_setup(pl_q_params(input).scale, 0, d);
    return kTfLiteOk;
  }
  if ((double)po.scale != 1.0 / 256) {
    pl_report(sg, "LOGISTIC: %s output '%s' has scale %g; LiteRT requires "
              "exactly 1/256.", TfLiteTypeGetName(output->type),
              output->name ? output->name : "", (double)po.scale);
    return kTfLiteError;
  }
  pl_unary_lut_build(input, output, logistic_lut_fn, NULL, &d->lut);
  return kTfLiteOk;
}

static TfLiteStatus logistic_eval(PlSubgraph* sg, PlNode* node) {
  return pl_sigmoid_eval(sg, node, pl_vmath_logistic_f32, logistic_f32, pl_logistic_int16);
}

const PlKernel pl_kernel_logistic = {
    .name = "LOGISTIC",
    .init = pl_sigmoid_init,
    .free = pl_sigmoid_free,
    .prepare = logistic_prepare,
    .eval = logistic_eval,
    .types = "float32, float16, int8, uint8, int16 (quantized)",
};
