/* pylite: RSQRT, elementwise.
 *
 * As TFLite's RSQRT. The output has the input's shape and type.
 * float32: y = 1.0f / sqrtf(x): x = 0 gives +inf, -0.0 gives -inf,
 * negative x NaN.
 * int8 (per tensor), as LiteRT: v = x - zi; v = 0 gives 127; otherwise
 * 1 / sqrt(v) as a fixed-point multiplier (Newton-Raphson,
 * internal/quant_lut.h) applied to 1 << 20, then rescaled by
 * 1 / (sqrt(si) * so) and shifted back, plus zo, clamped.
 * int16 (zero points 0): LiteRT's table of 1 / sqrtf(x), where x <= 0 maps
 * to 32767 * so.
 * Both quantized forms fail at invoke on an input below the input zero
 * point (a negative value), as LiteRT does. */
#include <math.h>
#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"

typedef struct RsqrtData {
  PlUnaryLut lut;
  float output_max; /* int16: 32767 * output scale */
  int32_t multiplier;
  int shift;
} RsqrtData;

static const TfLiteType kRsqrtTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                         kTfLiteInt16};

static float rsqrt_f32(float x) { return 1.0f / sqrtf(x); }

static float rsqrt_lut_fn(float x, const void* ctx) {
  if (x <= 0.0f) return *(const float*)ctx;
  return 1.0f / sqrtf(x);
}

static TfLiteStatus rsqrt_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(RsqrtData));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void rsqrt_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus rsqrt_prepare(PlSubgraph* sg, PlNode* node) {
  RsqrtData* d = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, d != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "RSQRT", kRsqrtTypes, 3, true,
                                  &input, &output));
  if (!pl_unary_q_type(input)) return kTfLiteOk;
  const PlQuantParams pi = pl_q_params(input);
  const PlQuantParams po = pl_q_params(output);
  if (input->type == kTfLiteInt16) {
    d->output_max = 32767.0f * po.scale;
    pl_unary_lut_build(input, output, rsqrt_lut_fn, &d->output_max, &d->lut);
  } else {
    /* sqrtf(si) * so in float, inverted in double, as LiteRT. */
    pl_q_multiplier(1.0 / (double)(sqrtf(pi.scale) * po.scale),
                    &d->multiplier, &d->shift);
  }
  return kTfLiteOk;
}

static TfLiteStatus rsqrt_negative(PlSubgraph* sg, int64_t i, int32_t v) {
  pl_report(sg, "RSQRT: input value %d at index %lld is below the input "
            "zero point; the quantized RSQRT is only defined for positive "
            "values.", (int)v, (long long)i);
  return kTfLiteError;
}

static TfLiteStatus rsqrt_int8(PlSubgraph* sg, const RsqrtData* d,
                               const TfLiteTensor* in, TfLiteTensor* out) {
  const int32_t zi = pl_q_params(in).zero_point;
  const int32_t zo = pl_q_params(out).zero_point;
  const int kShift = 20; /* keeps 1 / sqrt(v) an integer */
  const int64_t n = pl_num_elements(in);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t x = in->data.int8[i];
    if (x < zi) return rsqrt_negative(sg, i, x);
    const int32_t v = x - zi;
    if (v == 0) {
      out->data.int8[i] = 127;
      continue;
    }
    int32_t inv_multiplier = 0;
    int inv_shift = 0;
    pl_fx_inv_sqrt(v, -1, &inv_multiplier, &inv_shift);
    const int32_t scaled = pl_q_mul(1, inv_multiplier, inv_shift + kShift);
    const int32_t y =
        pl_q_add(pl_q_mul(scaled, d->multiplier, d->shift - kShift), zo);
    out->data.int8[i] = (int8_t)pl_q_clamp(y, -128, 127);
  }
  return kTfLiteOk;
}

static TfLiteStatus rsqrt_eval(PlSubgraph* sg, PlNode* node) {
  const RsqrtData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  switch (input->type) {
    case kTfLiteInt8:
      return rsqrt_int8(sg, d, input, output);
    case kTfLiteInt16: {
      const int64_t n = pl_num_elements(input);
      for (int64_t i = 0; i < n; ++i)
        if (input->data.i16[i] < 0)
          return rsqrt_negative(sg, i, input->data.i16[i]);
      pl_unary_lut_eval(&d->lut, input, output);
      return kTfLiteOk;
    }
    default:
      pl_unary_map_f32(sg, node, rsqrt_f32);
      return kTfLiteOk;
  }
}

const PlKernel pl_kernel_rsqrt = {
    .name = "RSQRT",
    .init = rsqrt_init,
    .free = rsqrt_free,
    .prepare = rsqrt_prepare,
    .eval = rsqrt_eval,
    .types = "float32, int8, int16 (quantized)",
};
