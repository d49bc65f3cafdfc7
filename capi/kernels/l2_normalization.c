/* pylite: L2_NORMALIZATION over the last axis.
 *
 * As TFLite's builtin kernel; the output has the input's shape. The fused
 * activation option is ignored, as the schema says TFLite does.
 * float32: per row of the last axis, the float sum of squares in order,
 * norm = max(sqrtf(sum), 1e-6), y = x / norm.
 * int8 / uint8 (per tensor): the output must be scale 1/128 with zero
 * point 0 (int8) or 128 (uint8), as LiteRT requires. Per row, the integer
 * sum of (x - zi)^2, its inverse square root as a fixed-point multiplier
 * (internal/quant_lut.h), applied to each x - zi in units of 1/128,
 * clamped to the type (so +1.0 saturates to 127/128).
 *
 * Differences: TFLite accepts rank 1 to 4; any rank >= 1 works here. */
#include <math.h>
#include <stdint.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_lut.h"

static TfLiteStatus l2norm_prepare(PlSubgraph* sg, PlNode* node) {
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "L2_NORMALIZATION takes 1 input and 1 output, got %d and "
              "%d.", pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  if ((input->type == kTfLiteInt8 || input->type == kTfLiteUInt8) &&
      output->type == input->type) {
    PL_ENSURE_OK(pl_q_check_tensor(sg, "L2_NORMALIZATION", "input", input));
    PL_ENSURE_OK(pl_q_check_tensor(sg, "L2_NORMALIZATION", "output", output));
    const PlQuantParams po = pl_q_params(output);
    const int32_t zero = input->type == kTfLiteInt8 ? 0 : 128;
    if ((double)po.scale != 1.0 / 128 || po.zero_point != zero) {
      pl_report(sg, "L2_NORMALIZATION: %s output '%s' has scale %g and zero "
                "point %d; LiteRT requires scale 1/128 and zero point %d.",
                TfLiteTypeGetName(output->type),
                output->name ? output->name : "", (double)po.scale,
                (int)po.zero_point, (int)zero);
      return kTfLiteError;
    }
  } else {
    const TfLiteTensor* ts[2] = {input, output};
    const char* roles[2] = {"input", "output"};
    PL_ENSURE_OK(pl_nn_require_f32(sg, "L2_NORMALIZATION", 2, ts, roles));
  }
  if (input->dims->size < 1) {
    pl_report(sg, "L2_NORMALIZATION needs an input of rank >= 1, got a "
              "scalar.");
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, input->dims);
}

static void l2norm_f32(const TfLiteTensor* input, TfLiteTensor* output,
                       int64_t rows, int64_t depth) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = input->data.f + r * depth;
    float* y = output->data.f + r * depth;
    float sum = 0.0f;
    for (int64_t c = 0; c < depth; ++c) sum += x[c] * x[c];
    float norm = sqrtf(sum);
    norm = norm < 1e-6f ? 1e-6f : norm; /* std::max(norm, epsilon) */
    for (int64_t c = 0; c < depth; ++c) y[c] = x[c] / norm;
  }
}

static void l2norm_quant(const TfLiteTensor* input, TfLiteTensor* output,
                         int64_t rows, int64_t depth) {
  const int32_t zi = pl_q_params(input).zero_point;
  const bool is_int8 = input->type == kTfLiteInt8;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = r * depth;
    int32_t sum = 0;
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t v = pl_q_load(input, base + c) - zi;
      sum += v * v;
    }
    int32_t multiplier = 0;
    int shift = 0;
    pl_fx_inv_sqrt(sum, -1, &multiplier, &shift);
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t v = pl_q_load(input, base + c) - zi;
      /* LiteRT's int8 and uint8 kernels scale by 1/128 differently. */
      const int32_t y =
          is_int8 ? pl_q_clamp(pl_q_mul(v, multiplier, shift + 7), -128, 127)
                  : pl_q_clamp(128 + pl_q_mul_small(128 * v, multiplier,
                                                    shift),
                               0, 255);
      pl_q_store(output, base + c, y);
    }
  }
}

static TfLiteStatus l2norm_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  const int64_t depth = input->dims->data[input->dims->size - 1];
  const int64_t rows = depth ? pl_num_elements(input) / depth : 0;
  if (input->type == kTfLiteFloat32)
    l2norm_f32(input, output, rows, depth);
  else
    l2norm_quant(input, output, rows, depth);
  return kTfLiteOk;
}

const PlKernel pl_kernel_l2_normalization = {
    .name = "L2_NORMALIZATION",
    .prepare = l2norm_prepare,
    .eval = l2norm_eval,
    .types = "float32, int8, uint8 (quantized)",
};
