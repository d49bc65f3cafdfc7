/* pylite: LEAKY_RELU, y = x > 0 ? x : alpha * x.
 *
 * As TFLite's LEAKY_RELU: alpha from LeakyReluOptions (0 when the options
 * are absent or of another type). The output has the input's shape and
 * type.
 * float32: any alpha including alpha > 1 (no max() shortcut); NaN stays
 * NaN, -0.0 gives alpha * -0.0.
 * int8 / uint8 / int16 (quantized per tensor; int16 with zero points 0):
 * as LiteRT's reference kernel, with two fixed-point multipliers computed
 * in float, si / so and si * alpha / so: x - zi >= 0 is scaled by the
 * first, x - zi < 0 by the second, then zo is added and the result
 * clamped to the type. A negative alpha gives a negative multiplier,
 * applied to |multiplier| and negated, as LiteRT does. */
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"

/* Schema BuiltinOptions union type and LeakyReluOptions field id. */
enum { kLeakyReluOptionsType = 75 };
enum { kFieldAlpha = 0 };

typedef struct LeakyReluData {
  float alpha;
  int32_t input_zero_point, output_zero_point;
  int32_t identity_multiplier, alpha_multiplier;
  int identity_shift, alpha_shift;
} LeakyReluData;

static const TfLiteType kLeakyReluTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                             kTfLiteUInt8, kTfLiteInt16};

static TfLiteStatus leaky_relu_init(PlSubgraph* sg, PlNode* node) {
  LeakyReluData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kLeakyReluOptionsType)
    data->alpha = pl_fb_f32(&node->def->builtin_options, kFieldAlpha, 0.0f);
  node->user_data = data;
  return kTfLiteOk;
}

static void leaky_relu_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus leaky_relu_prepare(PlSubgraph* sg, PlNode* node) {
  LeakyReluData* data = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "LEAKY_RELU", kLeakyReluTypes, 4,
                                  true, &input, &output));
  if (pl_unary_q_type(input)) {
    const PlQuantParams pi = pl_q_params(input);
    const PlQuantParams po = pl_q_params(output);
    data->input_zero_point = pi.zero_point;
    data->output_zero_point = po.zero_point;
    /* Both ratios are float expressions in LiteRT, widened afterwards. */
    pl_q_multiplier((double)(pi.scale * data->alpha / po.scale),
                    &data->alpha_multiplier, &data->alpha_shift);
    pl_q_multiplier((double)(pi.scale / po.scale),
                    &data->identity_multiplier, &data->identity_shift);
  }
  return kTfLiteOk;
}

static void leaky_relu_f32(const float* x, float* y, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : x[i] * alpha;
}

static void leaky_relu_quant(const LeakyReluData* d, const TfLiteTensor* in,
                             TfLiteTensor* out) {
  int32_t lo = 0, hi = 0;
  pl_q_type_range(in->type, &lo, &hi);
  const bool negative = d->alpha_multiplier < 0;
  const int32_t alpha_mult =
      negative ? -d->alpha_multiplier : d->alpha_multiplier;
  const int64_t n = pl_num_elements(in);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = pl_q_load(in, i) - d->input_zero_point;
    int32_t y = d->output_zero_point;
    if (v >= 0) {
      y += pl_q_mul(v, d->identity_multiplier, d->identity_shift);
    } else {
      const int32_t scaled = pl_q_mul(v, alpha_mult, d->alpha_shift);
      y += negative ? -scaled : scaled;
    }
    pl_q_store(out, i, pl_q_clamp(y, lo, hi));
  }
}

static TfLiteStatus leaky_relu_eval(PlSubgraph* sg, PlNode* node) {
  const LeakyReluData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (input->type == kTfLiteFloat32)
    leaky_relu_f32(input->data.f, output->data.f, pl_num_elements(input),
                   data->alpha);
  else
    leaky_relu_quant(data, input, output);
  return kTfLiteOk;
}

const PlKernel pl_kernel_leaky_relu = {
    .name = "LEAKY_RELU",
    .init = leaky_relu_init,
    .free = leaky_relu_free,
    .prepare = leaky_relu_prepare,
    .eval = leaky_relu_eval,
    .types = "float32, int8, uint8, int16 (quantized)",
};
