/* pylite: SOFTMAX over the last axis, with SoftmaxOptions.beta.
 *
 * float32: semantics in internal/nn_softmax.h. beta defaults to 0 when the
 * options are absent, as the schema says (every output is then 1 / depth).
 *
 * Quantized, as LiteRT's reference kernels (per-tensor parameters):
 *  - int8 or uint8 input, output of the same type or int16: gemmlowp
 *    fixed point. Differences to the row maximum are scaled by
 *    beta * input_scale into Q5.26 (differences below -31 / that factor
 *    are dropped), exponentiated (exp_on_negative_values), summed in
 *    Q12.19, and each exponential is multiplied by the sum's reciprocal.
 *    The result is in units of 1/256 (int8, uint8) or 1/65536 (int16)
 *    offset by the type's minimum; the output's own parameters are not
 *    used, but an int8 output must say so (scale 1/256, zero point -128),
 *    as LiteRT checks. beta * input_scale must exceed 2^-26, and with an
 *    int8 / uint8 output a row's exponentials must sum below 512 (LiteRT
 *    aborts the process otherwise; pylite reports an error, at prepare
 *    and invoke respectively).
 *  - int16 input and output (zero points 0, output scale 1/32768 as
 *    LiteRT checks): differences scaled so that [-10, 0] spans 65535 steps,
 *    exponentiated and reciprocated through LiteRT's two 513-entry tables
 *    (internal/quant_lut.h, built in double). */
#include "capi/kernels/internal/nn_softmax.h"

#include <math.h>
#include <stdlib.h>

#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_lut.h"

/* Schema BuiltinOptions union type and SoftmaxOptions field id. */
enum { kSoftmaxOptionsType = 9 };
enum { kFieldBeta = 0 };

typedef struct SoftmaxData {
  float beta;
  /* int8 / uint8 inputs */
  int32_t input_multiplier;
  int input_left_shift;
  int32_t diff_min;
  /* exp of the scaled difference -k, for k in [0, 255] (the differences
   * 8-bit values reach) down to diff_min; 0 beyond. */
  int32_t exp_of_diff[256];
  /* int16 */
  int16_t exp_lut[PL_LUT16_SIZE];
  int16_t one_over_one_plus_x_lut[PL_LUT16_SIZE];
} SoftmaxData;

static TfLiteStatus softmax_init(PlSubgraph* sg, PlNode* node) {
  SoftmaxData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kSoftmaxOptionsType)
    d->beta = pl_fb_f32(&node->def->builtin_options, kFieldBeta, 0.0f);
  node->user_data = d;
  return kTfLiteOk;
}

static void softmax_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static bool is_q_type(TfLiteType t) {
  return t == kTfLiteInt8 || t == kTfLiteUInt8 || t == kTfLiteInt16;
}

static double exp_f64(double x) { return exp(x); }
static double one_over_one_plus_x_f64(double x) { return 1.0 / (1.0 + x); }

static TfLiteStatus softmax_prepare_8bit(PlSubgraph* sg, SoftmaxData* d,
                                         const TfLiteTensor* input,
                                         const TfLiteTensor* output) {
  const char* name = output->name ? output->name : "";
  if (output->type == kTfLiteInt8) {
    const PlQuantParams po = pl_q_params(output);
    const float target = 1.0f / 256;
    const float delta = po.scale > target ? po.scale - target
                                          : target - po.scale;
    if (po.zero_point != -128 || delta > 0.001f * 1.0f / 256) {
      pl_report(sg, "SOFTMAX: int8 output '%s' has scale %g and zero point "
                "%d; LiteRT requires scale 1/256 and zero point -128.", name,
                (double)po.scale, (int)po.zero_point);
      return kTfLiteError;
    }
  }
  /* beta * input_scale in Q5.26, capped as LiteRT's
   * PreprocessSoftmaxScaling. */
  const double kMax = (double)(((int64_t)1 << 31) - 1);
  double real = (double)d->beta * (double)pl_q_params(input).scale *
                (double)(1 << 26);
  real = real < kMax ? real : kMax;
  if (!(real > 1.0)) {
    pl_report(sg, "SOFTMAX: beta (%g) times the input scale (%g) must "
              "exceed 2^-26 for the quantized kernel (LiteRT aborts "
              "otherwise).", (double)d->beta,
              (double)pl_q_params(input).scale);
    return kTfLiteError;
  }
  pl_q_multiplier(real, &d->input_multiplier, &d->input_left_shift);
  /* The largest difference whose scaled value still fits Q5.26. */
  const double radius = 31.0 * (double)((int64_t)1 << 26) /
                        (double)((int64_t)1 << d->input_left_shift);
  d->diff_min = -pl_q_f64_to_i32(floor(radius)); /* huge: as x86 */
  for (int32_t k = 0; k < 256; ++k) {
    d->exp_of_diff[k] =
        -k >= d->diff_min
            ? pl_fx_exp_on_negative_values(
                  pl_q_mul_big(-k, d->input_multiplier, d->input_left_shift),
                  5)
            : 0;
  }
  return kTfLiteOk;
}

static TfLiteStatus softmax_prepare_int16(PlSubgraph* sg, SoftmaxData* d,
                                          const TfLiteTensor* input,
                                          const TfLiteTensor* output) {
  const PlQuantParams po = pl_q_params(output);
  const float target = 1.0f / 32768;
  const float delta = po.scale > target ? po.scale - target
                                        : target - po.scale;
  if (delta > 0.001f * 1.0f / 32768) {
    pl_report(sg, "SOFTMAX: int16 output '%s' has scale %g; LiteRT requires "
              "1/32768.", output->name ? output->name : "",
              (double)po.scale);
    return kTfLiteError;
  }
  const double range = 65535.0;
  /* exp over [-10, 0] and 1 / (1 + x) over [0, 1], outputs in [-1, 1]. */
  pl_q_lut16_populate_f64(10.0 / range, 32767, 2.0 / range, 0, exp_f64,
                          d->exp_lut);
  pl_q_lut16_populate_f64(1.0 / range, -32768, 2.0 / range, 0,
                          one_over_one_plus_x_f64,
                          d->one_over_one_plus_x_lut);
  /* The product is a float, as in LiteRT. */
  const float scale_beta = pl_q_params(input).scale * d->beta;
  pl_q_multiplier((double)scale_beta / (10.0 / 65535.0), &d->input_multiplier,
                  &d->input_left_shift);
  return kTfLiteOk;
}

static TfLiteStatus softmax_prepare(PlSubgraph* sg, PlNode* node) {
  SoftmaxData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1)
    return pl_nn_softmax_prepare(sg, node, "SOFTMAX");
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (!input || !output || !is_q_type(input->type))
    return pl_nn_softmax_prepare(sg, node, "SOFTMAX");
  const bool ok =
      (input->type == kTfLiteInt16 && output->type == kTfLiteInt16) ||
      (input->type != kTfLiteInt16 &&
       (output->type == input->type || output->type == kTfLiteInt16));
  if (!ok) {
    pl_report(sg, "SOFTMAX: a %s input takes a %s output, got %s.",
              TfLiteTypeGetName(input->type),
              input->type == kTfLiteInt16
                  ? "INT16"
                  : (input->type == kTfLiteInt8 ? "INT8 or INT16"
                                                : "UINT8 or INT16"),
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (input->dims->size < 1) {
    pl_report(sg, "SOFTMAX needs an input of rank >= 1, got a scalar.");
    return kTfLiteError;
  }
  const PlQuantRule rule = {-1, input->type == kTfLiteInt16};
  PL_ENSURE_OK(pl_q_check(sg, "SOFTMAX", "input", input, &rule));
  PL_ENSURE_OK(pl_q_check(sg, "SOFTMAX", "output", output, &rule));
  if (input->type == kTfLiteInt16)
    PL_ENSURE_OK(softmax_prepare_int16(sg, d, input, output));
  else
    PL_ENSURE_OK(softmax_prepare_8bit(sg, d, input, output));
  return pl_resize_like(sg, output, input->dims);
}

/* exp(beta * scale * diff) in Q0.31 for a difference within diff_min
 * (from the table made at prepare). */
static int32_t softmax_exp(const SoftmaxData* d, int32_t diff) {
  return d->exp_of_diff[-diff];
}

static TfLiteStatus softmax_8bit(PlSubgraph* sg, const SoftmaxData* d,
                                 const TfLiteTensor* input,
                                 TfLiteTensor* output) {
  int64_t rows, depth;
  pl_nn_softmax_rows(input, &rows, &depth);
  int32_t in_min = 0, in_max = 0, out_min = 0, out_max = 0;
  pl_q_type_range(input->type, &in_min, &in_max);
  pl_q_type_range(output->type, &out_min, &out_max);
  const int out_bits = output->type == kTfLiteInt16 ? 16 : 8;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = r * depth;
    int32_t max = in_min;
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t v = pl_q_load(input, base + c);
      max = v > max ? v : max;
    }
    int64_t sum = 0; /* Q12.19 */
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t diff = pl_q_load(input, base + c) - max;
      if (diff >= d->diff_min)
        sum += pl_fx_rescale(softmax_exp(d, diff), 0, 12);
    }
    int bits_over_unit = 0;
    const int32_t reciprocal =
        sum <= INT32_MAX ? pl_fx_reciprocal((int32_t)sum, 12, &bits_over_unit)
                         : 0;
    const int exponent = bits_over_unit + 31 - out_bits;
    if (sum > INT32_MAX || exponent > 31) {
      pl_report(sg, "SOFTMAX: row %lld sums to %.1f in exponentials, beyond "
                "the range of LiteRT's fixed-point kernel for a %s output "
                "(LiteRT aborts here); too many classes near the maximum.",
                (long long)r, (double)sum / (1 << 19),
                TfLiteTypeGetName(output->type));
      return kTfLiteError;
    }
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t diff = pl_q_load(input, base + c) - max;
      int32_t y = out_min;
      if (diff >= d->diff_min) {
        const int32_t e = softmax_exp(d, diff);
        y = pl_q_shift_right(pl_q_high_mul(reciprocal, e), exponent) +
            out_min;
        y = pl_q_clamp(y, out_min, out_max);
      }
      pl_q_store(output, base + c, y);
    }
  }
  return kTfLiteOk;
}

static void softmax_int16(const SoftmaxData* d, const TfLiteTensor* input,
                          TfLiteTensor* output) {
  int64_t rows, depth;
  pl_nn_softmax_rows(input, &rows, &depth);
  for (int64_t r = 0; r < rows; ++r) {
    const int16_t* x = input->data.i16 + r * depth;
    int16_t* y = output->data.i16 + r * depth;
    int32_t max = INT16_MIN;
    for (int64_t c = 0; c < depth; ++c) max = x[c] > max ? x[c] : max;
    /* The exponentials (Q0.15) are kept in the output row meanwhile. */
    int32_t sum = 0;
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t scaled = pl_q_mul(x[c] - max, d->input_multiplier,
                                      d->input_left_shift);
      const int16_t centered = (int16_t)pl_q_clamp(scaled + 32767, -32768,
                                                   32767);
      y[c] = pl_q_lut16_lookup(centered, d->exp_lut);
      sum += y[c];
    }
    /* 1 / sum through the table of 1 / (1 + x), x = sum normalized to
     * [1, 2) minus 1, recentred to the table's symmetric input range. */
    const int headroom_plus_one = pl_fx_clz32((uint32_t)sum);
    const int32_t shifted_sum = (int32_t)(
        (((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    const int16_t centered = (int16_t)pl_q_clamp(
        shifted_sum - ((1 << 15) + (1 << 16)), -32768, 32767);
    const int16_t reciprocal =
        pl_q_lut16_lookup(centered, d->one_over_one_plus_x_lut);
    const int right_shift = 31 - headroom_plus_one;
    const int64_t round = (int64_t)1 << (right_shift - 1);
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t v =
          (int32_t)(((int64_t)y[c] * reciprocal + round) >> right_shift);
      y[c] = (int16_t)pl_q_clamp(v, 0, 32767);
    }
  }
}

static TfLiteStatus softmax_eval(PlSubgraph* sg, PlNode* node) {
  const SoftmaxData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  switch (input->type) {
    case kTfLiteFloat32:
      pl_nn_softmax_f32(sg, input, output, d->beta, false);
      break;
    case kTfLiteInt16:
      softmax_int16(d, input, output);
      break;
    default:
      return softmax_8bit(sg, d, input, output);
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_softmax = {
    .name = "SOFTMAX",
    .init = softmax_init,
    .free = softmax_free,
    .prepare = softmax_prepare,
    .eval = softmax_eval,
    .types = "float32; int8, uint8 (quantized; int8, uint8 or int16 "
             "output), int16 (quantized)",
};
