/* pylite: prepare-time helpers of the quantized kernels (see quant.h). */
#include "capi/kernels/internal/quant.h"

#include <math.h>

bool pl_q_type_range(TfLiteType type, int32_t* lo, int32_t* hi) {
  switch (type) {
    case kTfLiteInt8: *lo = -128; *hi = 127; return true;
    case kTfLiteUInt8: *lo = 0; *hi = 255; return true;
    case kTfLiteInt16: *lo = -32768; *hi = 32767; return true;
    case kTfLiteInt32: *lo = INT32_MIN; *hi = INT32_MAX; return true;
    default: return false;
  }
}

void pl_q_multiplier(double real, int32_t* multiplier, int* shift) {
  if (real == 0.0 || !isfinite(real)) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  int exponent = 0;
  const double mantissa = frexp(real, &exponent); /* in [0.5, 1) */
  int64_t fixed = (int64_t)round(mantissa * (double)((int64_t)1 << 31));
  if (fixed == ((int64_t)1 << 31)) { /* rounded up to 1.0 */
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) { /* every bit would be shifted out */
    exponent = 0;
    fixed = 0;
  }
  if (exponent > 30) { /* beyond what a left shift of int32 can carry */
    exponent = 30;
    fixed = ((int64_t)1 << 31) - 1;
  }
  *multiplier = (int32_t)fixed;
  *shift = exponent;
}

PlQuantParams pl_q_params(const TfLiteTensor* t) {
  PlQuantParams p = {t->params.scale, t->params.zero_point};
  const TfLiteAffineQuantization* q = t->quantization.params;
  if (t->quantization.type == kTfLiteAffineQuantization && q && q->scale &&
      q->scale->size > 0) {
    p.scale = q->scale->data[0];
    if (q->zero_point && q->zero_point->size > 0)
      p.zero_point = q->zero_point->data[0];
  }
  return p;
}

TfLiteStatus pl_q_check(PlSubgraph* sg, const char* op, const char* role,
                        const TfLiteTensor* t, const PlQuantRule* rule) {
  const TfLiteAffineQuantization* q = t->quantization.params;
  const char* name = t->name ? t->name : "";
  if (t->quantization.type != kTfLiteAffineQuantization || !q || !q->scale ||
      q->scale->size < 1) {
    pl_report(sg, "%s: %s '%s' (%s) has no quantization parameters (a scale "
              "and zero point are required).", op, role, name,
              TfLiteTypeGetName(t->type));
    return kTfLiteError;
  }
  const int count = q->scale->size;
  if (!q->zero_point || q->zero_point->size != count) {
    pl_report(sg, "%s: %s '%s' has %d scales but %d zero points.", op, role,
              name, count, q->zero_point ? q->zero_point->size : 0);
    return kTfLiteError;
  }
  if (count > 1) {
    const int dim = q->quantized_dimension;
    if (rule->channel_dim < 0) {
      pl_report(sg, "%s: %s '%s' must be quantized per tensor, but has %d "
                "scales.", op, role, name, count);
      return kTfLiteError;
    }
    if (dim != rule->channel_dim || dim >= t->dims->size ||
        t->dims->data[dim] != count) {
      char shape[64];
      pl_shape_string(t->dims, shape, sizeof(shape));
      pl_report(sg, "%s: %s '%s' of shape %s has %d per-channel scales along "
                "dimension %d; expected one per element of dimension %d.", op,
                role, name, shape, count, dim, rule->channel_dim);
      return kTfLiteError;
    }
  }
  int32_t lo = 0, hi = 0;
  if (!pl_q_type_range(t->type, &lo, &hi)) {
    lo = INT32_MIN;
    hi = INT32_MAX;
  }
  for (int k = 0; k < count; ++k) {
    const float s = q->scale->data[k];
    if (!(s > 0.0f) || !isfinite(s)) {
      pl_report(sg, "%s: %s '%s' has scale %g at index %d; scales must be "
                "finite and greater than zero.", op, role, name, (double)s,
                k);
      return kTfLiteError;
    }
    const int32_t z = q->zero_point->data[k];
    if (z < lo || z > hi) {
      pl_report(sg, "%s: %s '%s' has zero point %d at index %d, outside the "
                "range [%d, %d] of %s.", op, role, name, (int)z, k, (int)lo,
                (int)hi, TfLiteTypeGetName(t->type));
      return kTfLiteError;
    }
    if (rule->symmetric && z != 0) {
      pl_report(sg, "%s: %s '%s' has zero point %d at index %d; it must be "
                "0 (symmetric quantization).", op, role, name, (int)z, k);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

TfLiteStatus pl_q_check_tensor(PlSubgraph* sg, const char* op,
                               const char* role, const TfLiteTensor* t) {
  const PlQuantRule rule = {-1, false};
  return pl_q_check(sg, op, role, t, &rule);
}

TfLiteStatus pl_q_activation_range(PlSubgraph* sg, int activation,
                                   const TfLiteTensor* output, int32_t* lo,
                                   int32_t* hi) {
  int32_t qmin = 0, qmax = 0;
  if (!pl_q_type_range(output->type, &qmin, &qmax)) {
    pl_report(sg, "Fused activation on a %s output is not quantized.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  const PlQuantParams p = pl_q_params(output);
  const float scale = p.scale;
#define PL_QUANTIZE_(f) (p.zero_point + (int32_t)roundf((f) / scale))
  int32_t a = qmin, b = qmax;
  switch (activation) {
    case PL_ACT_RELU:
      a = PL_QUANTIZE_(0.0f);
      break;
    case PL_ACT_RELU6:
      a = PL_QUANTIZE_(0.0f);
      b = PL_QUANTIZE_(6.0f);
      break;
    case PL_ACT_RELU_N1_TO_1:
      a = PL_QUANTIZE_(-1.0f);
      b = PL_QUANTIZE_(1.0f);
      break;
    default:
      break;
  }
#undef PL_QUANTIZE_
  *lo = a > qmin ? a : qmin;
  *hi = b < qmax ? b : qmax;
  return kTfLiteOk;
}

void pl_q_channel_multipliers(const TfLiteTensor* input,
                              const TfLiteTensor* filter,
                              const TfLiteTensor* output, int channels,
                              int32_t* multipliers, int* shifts) {
  const double input_scale = pl_q_params(input).scale;
  const double output_scale = pl_q_params(output).scale;
  const TfLiteAffineQuantization* fq = filter->quantization.params;
  const int count = fq && fq->scale ? fq->scale->size : 0;
  for (int c = 0; c < channels; ++c) {
    const double filter_scale =
        count > 1 ? fq->scale->data[c]
                  : (count == 1 ? fq->scale->data[0] : filter->params.scale);
    pl_q_multiplier(input_scale * filter_scale / output_scale,
                    &multipliers[c], &shifts[c]);
  }
}
