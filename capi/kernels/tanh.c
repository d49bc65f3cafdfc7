/* pylite: TANH, elementwise.
 *
 * As TFLite's reference TANH. The output has the input's shape and type.
 * float32: y = tanh(x), vectorized (internal/vmath.h: within 2 ulp of
 * tanhf); float16: tanhf in float32, rounded once.
 * int8 / uint8 (per tensor, any output parameters): a table of tanhf over
 * the 256 inputs (internal/quant_lut.h).
 * int16: zero points 0 and an output scale within 1e-3 (in log2) of
 * 2^-15, as LiteRT checks; LiteRT's interpolated sigmoid table
 * (unary_sigmoid.h), whose result is always in units of 2^-15. */
#include <math.h>

#include "capi/kernels/internal/unary_sigmoid.h"
#include "capi/kernels/internal/vmath.h"

static const TfLiteType kTanhTypes[] = {
    kTfLiteFloat32, kTfLiteFloat16, kTfLiteInt8, kTfLiteUInt8, kTfLiteInt16};

static float tanh_f32(float x) { return tanhf(x); }

static float tanh_lut_fn(float x, const void* ctx) {
  (void)ctx;
  return tanhf(x);
}

static TfLiteStatus tanh_prepare(PlSubgraph* sg, PlNode* node) {
  PlSigmoidData* d = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, d != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "TANH", kTanhTypes, 5, true,
                                  &input, &output));
  if (!pl_unary_q_type(input)) return kTfLiteOk;
  if (input->type == kTfLiteInt16) {
    int log2_out = 0;
    const float out_scale = pl_q_params(output).scale;
    if (!pl_unary_checked_log2(out_scale, &log2_out) || log2_out != -15) {
      pl_report(sg, "TANH: int16 output '%s' has scale %g; LiteRT requires "
                "2^-15 (1/32768).", output->name ? output->name : "",
                (double)out_scale);
      return kTfLiteError;
    }
    pl_sigmoid_int16_setup(pl_q_params(input).scale, 1, d);
    return kTfLiteOk;
  }
  pl_unary_lut_build(input, output, tanh_lut_fn, NULL, &d->lut);
  return kTfLiteOk;
}

static TfLiteStatus tanh_eval(PlSubgraph* sg, PlNode* node) {
  return pl_sigmoid_eval(sg, node, pl_vmath_tanh_f32, tanh_f32, pl_tanh_int16);
}

const PlKernel pl_kernel_tanh = {
    .name = "TANH",
    .init = pl_sigmoid_init,
    .free = pl_sigmoid_free,
    .prepare = tanh_prepare,
    .eval = tanh_eval,
    .types = "float32, float16, int8, uint8, int16 (quantized)",
};
