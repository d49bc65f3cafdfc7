/* pylite: prepare of the quantized binary forms; see binary_quant.h. */
#include "capi/kernels/internal/binary_quant.h"

#include <math.h>

/* LiteRT's CheckedLog2: log2 of x rounded to an integer, computed in float,
 * and whether x is within 1e-3 (in log2) of that power of two. */
static bool binq_log2(float x, int* log2) {
  const float l = logf(x) * (1.0f / logf(2.0f));
  const float r = roundf(l);
  *log2 = (int)r;
  return fabsf(l - r) < 1e-3f;
}

static TfLiteStatus binq_symmetric(PlSubgraph* sg, const char* op,
                                   const TfLiteTensor* const* in,
                                   const TfLiteTensor* output) {
  const int32_t z0 = pl_q_params(in[0]).zero_point;
  const int32_t z1 = pl_q_params(in[1]).zero_point;
  const int32_t zo = pl_q_params(output).zero_point;
  if (z0 != 0 || z1 != 0 || zo != 0) {
    pl_report(sg, "%s: int16 tensors must have zero points of 0, got %d, %d "
              "-> %d.", op, (int)z0, (int)z1, (int)zo);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus pl_binq_prepare_addsub(PlSubgraph* sg, const char* op,
                                    bool pot, int activation,
                                    const TfLiteTensor* const* in,
                                    const TfLiteTensor* output, PlBinQuant* q,
                                    bool* is_pot) {
  const PlQuantParams p0 = pl_q_params(in[0]), p1 = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  const bool int16 = output->type == kTfLiteInt16;
  *is_pot = false;
  if (int16) PL_ENSURE_OK(binq_symmetric(sg, op, in, output));
  PL_ENSURE_OK(pl_q_activation_range(sg, activation, output, &q->lo, &q->hi));
  int l0 = 0, l1 = 0, lo = 0;
  if (int16 && pot && binq_log2(p0.scale, &l0) && binq_log2(p1.scale, &l1) &&
      binq_log2(po.scale, &lo)) {
    const int s0 = l0 - lo, s1 = l1 - lo;
    if ((s0 != 0 && s1 != 0) || s0 > 0 || s1 > 0) {
      pl_report(sg, "%s: with power-of-two int16 scales (2^%d, 2^%d -> 2^%d) "
                "only one input may differ from the output, and only by a "
                "smaller scale.", op, l0, l1, lo);
      return kTfLiteError;
    }
    q->in_shift[0] = -s0;
    q->in_shift[1] = -s1;
    *is_pot = true;
    return kTfLiteOk;
  }
  q->in_offset[0] = -p0.zero_point;
  q->in_offset[1] = -p1.zero_point;
  q->out_offset = po.zero_point;
  q->left_shift = int16 ? 15 : 20;
  /* As LiteRT: 2 * max in float, the ratios in double, 2^shift * s_out in
   * float. */
  const float twice_max_f = 2.0f * (p0.scale > p1.scale ? p0.scale : p1.scale);
  const double twice_max = twice_max_f;
  const double r0 = (double)p0.scale / twice_max;
  const double r1 = (double)p1.scale / twice_max;
  const double ro =
      twice_max / (double)((float)(1 << q->left_shift) * po.scale);
  /* LiteRT aborts for an ADD output multiplier >= 1 (and SUB's == 1); for
   * SUB's > 1 its reference kernel shifts right by a negative amount, an
   * undefined result: both are errors here. */
  if (ro >= 1.0) {
    pl_report(sg, "%s: output scale %g is too small for input scales %g and "
              "%g (the rescaling factor %g is not below 1).", op,
              (double)po.scale, (double)p0.scale, (double)p1.scale, ro);
    return kTfLiteError;
  }
  pl_q_multiplier(r0, &q->in_mult[0], &q->in_shift[0]);
  pl_q_multiplier(r1, &q->in_mult[1], &q->in_shift[1]);
  pl_q_multiplier(ro, &q->out_mult, &q->out_shift);
  return kTfLiteOk;
}

TfLiteStatus pl_binq_prepare_mul(PlSubgraph* sg, const char* op,
                                 int activation, const TfLiteTensor* const* in,
                                 const TfLiteTensor* output, PlBinQuant* q) {
  const PlQuantParams p0 = pl_q_params(in[0]), p1 = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  if (output->type == kTfLiteInt16)
    PL_ENSURE_OK(binq_symmetric(sg, op, in, output));
  PL_ENSURE_OK(pl_q_activation_range(sg, activation, output, &q->lo, &q->hi));
  q->in_offset[0] = -p0.zero_point;
  q->in_offset[1] = -p1.zero_point;
  q->out_offset = po.zero_point;
  /* In float, as LiteRT. */
  const float real = p0.scale * p1.scale / po.scale;
  pl_q_multiplier(real, &q->out_mult, &q->out_shift);
  return kTfLiteOk;
}

TfLiteStatus pl_binq_prepare_sqdiff(PlSubgraph* sg, const char* op,
                                    const TfLiteTensor* const* in,
                                    const TfLiteTensor* output,
                                    PlBinQuant* q) {
  const PlQuantParams p0 = pl_q_params(in[0]), p1 = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  q->in_offset[0] = -p0.zero_point;
  q->in_offset[1] = -p1.zero_point;
  q->out_offset = po.zero_point;
  q->left_shift = 7;
  const double twice_max =
      2.0f * (p0.scale > p1.scale ? p0.scale : p1.scale);
  const double ro =
      twice_max * twice_max / (double)((float)(1 << 14) * po.scale);
  if (ro >= 1.0) {
    pl_report(sg, "%s: output scale %g is too small for input scales %g and "
              "%g (the rescaling factor %g is not below 1).", op,
              (double)po.scale, (double)p0.scale, (double)p1.scale, ro);
    return kTfLiteError;
  }
  pl_q_multiplier((double)p0.scale / twice_max, &q->in_mult[0],
                  &q->in_shift[0]);
  pl_q_multiplier((double)p1.scale / twice_max, &q->in_mult[1],
                  &q->in_shift[1]);
  pl_q_multiplier(ro, &q->out_mult, &q->out_shift);
  pl_q_type_range(output->type, &q->lo, &q->hi);
  return kTfLiteOk;
}

TfLiteStatus pl_binq_prepare_div(PlSubgraph* sg, const char* op,
                                 int activation, const TfLiteTensor* const* in,
                                 const TfLiteTensor* output, PlBinQuant* q) {
  (void)op;
  const PlQuantParams p0 = pl_q_params(in[0]), p1 = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  PL_ENSURE_OK(pl_q_activation_range(sg, activation, output, &q->lo, &q->hi));
  q->in_offset[0] = -p0.zero_point;
  q->in_offset[1] = -p1.zero_point;
  q->out_offset = po.zero_point;
  const float real = p0.scale / (p1.scale * po.scale); /* in float */
  pl_q_multiplier(real, &q->out_mult, &q->out_shift);
  return kTfLiteOk;
}

/* gemmlowp's saturating multiply by 2^e (e > 0) of a raw int32. */
static int32_t binq_sat_shl(int32_t x, int e) {
  const int32_t threshold = (int32_t)((1u << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return pl_q_shift_left(x, e);
}

/* 1 / (1 + a) for a in [0, 1) (Q0.31 in, Q0.31 out): gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1, three Newton-Raphson steps in Q2.29
 * from the initial guess 48/17 - 32/17 d, d = (1 + a) / 2. */
static int32_t binq_reciprocal_q31(int32_t a) {
  int64_t sum = (int64_t)a + INT32_MAX;
  const int32_t half_denominator = (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
  const int32_t c48_17 = 1515870810, cneg32_17 = -1010580540;
  const int32_t one_q2 = 1 << 29;
  int32_t x = (int32_t)((uint32_t)c48_17 +
                        (uint32_t)pl_q_high_mul(half_denominator, cneg32_17));
  for (int i = 0; i < 3; ++i) {
    const int32_t hdx = pl_q_high_mul(half_denominator, x);
    const int32_t one_minus = (int32_t)((uint32_t)one_q2 - (uint32_t)hdx);
    x = (int32_t)((uint32_t)x +
                  (uint32_t)binq_sat_shl(pl_q_high_mul(x, one_minus), 2));
  }
  /* x / 2 exactly (Q2.29 read as Q1.30), then rescaled to Q0.31. */
  return binq_sat_shl(x, 1);
}

/* Leading sign bits of x beyond the first (GCC's __builtin_clrsb; 31 for
 * 0 and -1). */
static int binq_clrsb(int32_t x) { return __builtin_clrsb(x); }

int32_t pl_binq_div(const PlBinQuant* q, int32_t x, int32_t y) {
  int32_t a = x + q->in_offset[0];
  int32_t b = y + q->in_offset[1];
  if (b < 0) {
    a = -a;
    b = -b;
  }
  /* The reciprocal of b as a Q0.31 mantissa and an exponent. */
  const int headroom_plus_one = __builtin_clz((uint32_t)b);
  const int recip_shift = 31 - headroom_plus_one;
  const int32_t shifted_minus_one =
      (int32_t)(((uint32_t)b << headroom_plus_one) - (1u << 31));
  const int32_t inv = binq_reciprocal_q31(shifted_minus_one);
  const int headroom = binq_clrsb(a);
  const int32_t unscaled = pl_q_mul_big(a, inv, headroom);
  const int total_shift = q->out_shift - recip_shift - headroom;
  return pl_q_clamp(pl_q_add(pl_q_mul(unscaled, q->out_mult, total_shift),
                             q->out_offset),
                    q->lo, q->hi);
}

TfLiteStatus pl_binq_prepare_compare(PlSubgraph* sg, const char* op,
                                     const TfLiteTensor* const* in,
                                     PlBinQuant* q) {
  for (int k = 0; k < 2; ++k) {
    const PlQuantParams p = pl_q_params(in[k]);
    q->in_offset[k] = -p.zero_point;
    pl_q_multiplier(p.scale, &q->in_mult[k], &q->in_shift[k]);
    /* LiteRT applies these with a right shift only; a scale >= 1 makes it
     * shift by a negative amount, whose result is undefined (on x86 every
     * value collapses to +-1). */
    if (q->in_shift[k] > 0) {
      pl_report(sg, "%s: input %d has scale %g; quantized comparisons "
                "support scales below 1 only (LiteRT's reference kernel has "
                "no defined result for larger ones).", op, k,
                (double)p.scale);
      return kTfLiteError;
    }
  }
  q->left_shift = 8;
  return kTfLiteOk;
}
