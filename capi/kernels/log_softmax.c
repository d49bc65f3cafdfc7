/* pylite: LOG_SOFTMAX over the last axis (no options).
 *
 * float32: semantics in internal/nn_softmax.h. A scalar input is an error,
 * as for SOFTMAX (LiteRT accepts it here but returns an unspecified
 * value).
 * int8 / uint8 (per tensor), as LiteRT's reference kernels: the output
 * must be scale 16/256 with zero point 127 (int8) or 255 (uint8), i.e.
 * [-16, 0) in steps of 1/16. Differences to the row maximum are scaled by
 * the input scale into Q5.26, exponentiated and summed in Q12.19
 * (gemmlowp fixed point, internal/quant_lut.h), and the sum's log (Q5.26)
 * subtracted; differences too small to land in range give the type's
 * minimum. A row whose exponentials sum past 4096 (the accumulator's
 * range; only with over 4096 classes) is an error at invoke: LiteRT's
 * result is undefined there. */
#include "capi/kernels/internal/nn_softmax.h"

#include <math.h>
#include <stdlib.h>

#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_lut.h"

typedef struct LogSoftmaxData {
  int32_t input_multiplier;
  int input_left_shift;
  int32_t reverse_multiplier;
  int reverse_shift; /* <= 0 */
  int32_t diff_min;
} LogSoftmaxData;

static TfLiteStatus log_softmax_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(LogSoftmaxData));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void log_softmax_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus log_softmax_prepare_quant(PlSubgraph* sg,
                                              LogSoftmaxData* d,
                                              const TfLiteTensor* input,
                                              const TfLiteTensor* output) {
  PL_ENSURE_OK(pl_q_check_tensor(sg, "LOG_SOFTMAX", "input", input));
  PL_ENSURE_OK(pl_q_check_tensor(sg, "LOG_SOFTMAX", "output", output));
  const PlQuantParams po = pl_q_params(output);
  const int32_t zero = input->type == kTfLiteInt8 ? 127 : 255;
  if ((double)po.scale != 16.0 / 256 || po.zero_point != zero) {
    pl_report(sg, "LOG_SOFTMAX: %s output '%s' has scale %g and zero point "
              "%d; LiteRT requires scale 16/256 and zero point %d.",
              TfLiteTypeGetName(output->type),
              output->name ? output->name : "", (double)po.scale,
              (int)po.zero_point, (int)zero);
    return kTfLiteError;
  }
  /* The input scale in Q5.26 (beta is 1), as for SOFTMAX. */
  const double kMax = (double)(((int64_t)1 << 31) - 1);
  double real = (double)pl_q_params(input).scale * (double)(1 << 26);
  real = real < kMax ? real : kMax;
  bool ok = real > 1.0;
  if (ok) {
    pl_q_multiplier(real, &d->input_multiplier, &d->input_left_shift);
    /* The inverse scaling, to map the log-sum back to input units. */
    const double reverse = (double)((int64_t)1 << (31 - d->input_left_shift)) /
                           (double)d->input_multiplier;
    ok = d->input_left_shift >= 1 && reverse > 0.0 && reverse < 1.0;
    if (ok) pl_q_multiplier(reverse, &d->reverse_multiplier, &d->reverse_shift);
  }
  if (!ok) {
    pl_report(sg, "LOG_SOFTMAX: input scale %g is too small for the "
              "quantized kernel (LiteRT aborts on it).",
              (double)pl_q_params(input).scale);
    return kTfLiteError;
  }
  const double radius = 31.0 * (double)((int64_t)1 << 26) /
                        (double)((int64_t)1 << d->input_left_shift);
  d->diff_min = -pl_q_f64_to_i32(floor(radius)); /* huge: as x86 */
  return kTfLiteOk;
}

static TfLiteStatus log_softmax_prepare(PlSubgraph* sg, PlNode* node) {
  LogSoftmaxData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  if (pl_num_inputs(node) == 1 && pl_num_outputs(node) == 1) {
    const TfLiteTensor* input = pl_input(sg, node, 0);
    TfLiteTensor* output = pl_output(sg, node, 0);
    if (input && output &&
        (input->type == kTfLiteInt8 || input->type == kTfLiteUInt8)) {
      if (output->type != input->type) {
        pl_report(sg, "LOG_SOFTMAX input type %s does not match output "
                  "type %s.", TfLiteTypeGetName(input->type),
                  TfLiteTypeGetName(output->type));
        return kTfLiteError;
      }
      if (input->dims->size < 1) {
        pl_report(sg, "LOG_SOFTMAX needs an input of rank >= 1, got a "
                  "scalar.");
        return kTfLiteError;
      }
      PL_ENSURE_OK(log_softmax_prepare_quant(sg, d, input, output));
      return pl_resize_like(sg, output, input->dims);
    }
  }
  return pl_nn_softmax_prepare(sg, node, "LOG_SOFTMAX");
}

static TfLiteStatus log_softmax_quant(PlSubgraph* sg,
                                      const LogSoftmaxData* d,
                                      const TfLiteTensor* input,
                                      TfLiteTensor* output) {
  int64_t rows, depth;
  pl_nn_softmax_rows(input, &rows, &depth);
  int32_t lo = 0, hi = 0;
  pl_q_type_range(input->type, &lo, &hi);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t base = r * depth;
    int32_t max = lo;
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t v = pl_q_load(input, base + c);
      max = v > max ? v : max;
    }
    int64_t sum = 0; /* Q12.19 */
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t diff = pl_q_load(input, base + c) - max;
      if (diff >= d->diff_min) {
        const int32_t scaled =
            pl_q_mul(diff, d->input_multiplier, d->input_left_shift);
        sum += pl_fx_rescale(pl_fx_exp_on_negative_values(scaled, 5), 0, 12);
      }
    }
    if (sum > INT32_MAX) {
      pl_report(sg, "LOG_SOFTMAX: row %lld sums to %.1f in exponentials, "
                "beyond LiteRT's fixed-point accumulator (4096); too many "
                "classes near the maximum (LiteRT's result is undefined).",
                (long long)r, (double)sum / (1 << 19));
      return kTfLiteError;
    }
    const int32_t log_sum = pl_fx_log_x_ge_1((int32_t)sum, 12, 5); /* Q5.26 */
    /* The smallest difference whose output is still above the minimum. */
    const int32_t reverse = pl_q_mul(log_sum + INT32_MIN,
                                     d->reverse_multiplier, d->reverse_shift);
    const int32_t adjusted_diff_min =
        d->diff_min - 1 > reverse ? d->diff_min - 1 : reverse;
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t diff = pl_q_load(input, base + c) - max;
      int32_t y = lo;
      if (diff > adjusted_diff_min) {
        const int32_t scaled =
            pl_q_mul(diff, d->input_multiplier, d->input_left_shift);
        /* Q5.26 to units of 1/16 (4 integer bits), offset by the max. */
        y = pl_q_shift_right(pl_fx_sub(scaled, log_sum), 31 - 5 - 4) + hi;
        y = pl_q_clamp(y, lo, hi);
      }
      pl_q_store(output, base + c, y);
    }
  }
  return kTfLiteOk;
}

static TfLiteStatus log_softmax_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (input->type != kTfLiteFloat32)
    return log_softmax_quant(sg, node->user_data, input, output);
  pl_nn_softmax_f32(sg, input, output, 0.0f, true);
  return kTfLiteOk;
}

const PlKernel pl_kernel_log_softmax = {
    .name = "LOG_SOFTMAX",
    .init = log_softmax_init,
    .free = log_softmax_free,
    .prepare = log_softmax_prepare,
    .eval = log_softmax_eval,
    .types = "float32, int8, uint8 (quantized)",
};
