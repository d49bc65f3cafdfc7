/* pylite: shared pieces of the quantized unary kernels (header-only).
 *
 * The checks every quantized form makes at prepare (per-tensor parameters
 * on both tensors, symmetric int16 where LiteRT requires it), the
 * requantize-and-clamp loop of the RELU family, and the table loops of the
 * ops LiteRT evaluates through lookup tables (internal/quant_lut.h). */
#ifndef PYLITE_KERNELS_INTERNAL_UNARY_QUANT_H_
#define PYLITE_KERNELS_INTERNAL_UNARY_QUANT_H_

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_lut.h"
#include "capi/kernels/internal/unary_common.h"

/* Whether `t` has one of the quantized integer types. */
static inline bool pl_unary_q_type(const TfLiteTensor* t) {
  return t->type == kTfLiteInt8 || t->type == kTfLiteUInt8 ||
         t->type == kTfLiteInt16;
}

/* Prepare of an op with quantized forms: one input and one output of the
 * same type, the type one of `types`, the output shaped like the input;
 * then, for int8 / uint8 / int16, per-tensor parameters on both
 * tensors, zero points 0 for int16 if `symmetric_int16`. */
static inline TfLiteStatus pl_unary_prepare_q(PlSubgraph* sg, PlNode* node,
                                              const char* op,
                                              const TfLiteType* types,
                                              int count, bool symmetric_int16,
                                              const TfLiteTensor** in,
                                              TfLiteTensor** out) {
  PL_ENSURE_OK(pl_unary_io(sg, node, op, in, out));
  const TfLiteTensor* input = *in;
  if (input->type != (*out)->type) {
    pl_report(sg, "%s input type %s does not match output type %s.", op,
              TfLiteTypeGetName(input->type),
              TfLiteTypeGetName((*out)->type));
    return kTfLiteError;
  }
  if (!pl_unary_type_in(input->type, types, count))
    return pl_unary_bad_type(sg, op, input, types, count);
  if (pl_unary_q_type(input)) {
    const PlQuantRule rule = {-1,
                              symmetric_int16 && input->type == kTfLiteInt16};
    PL_ENSURE_OK(pl_q_check(sg, op, "input", input, &rule));
    PL_ENSURE_OK(pl_q_check(sg, op, "output", *out, &rule));
  }
  return pl_resize_like(sg, *out, input->dims);
}

/* ---- requantize and clamp (RELU, RELU6, RELU_N1_TO_1, RELU_0_TO_1) ---- */

typedef struct PlReluQuant {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier;
  int shift;
  int32_t lo, hi;
} PlReluQuant;

/* y = clamp(zo + (x - zi) * si / so, q(act_min), q(act_max)), the bounds
 * quantized as LiteRT does (zero point + round(bound / scale), in float,
 * within the type's range; no upper bound when act_max is infinite). */
static inline void pl_unary_relu_quant_setup(const TfLiteTensor* input,
                                             const TfLiteTensor* output,
                                             float act_min, float act_max,
                                             PlReluQuant* q) {
  const PlQuantParams pi = pl_q_params(input);
  const PlQuantParams po = pl_q_params(output);
  q->input_zero_point = pi.zero_point;
  q->output_zero_point = po.zero_point;
  /* The ratio is taken in float, then widened, as LiteRT does. */
  pl_q_multiplier((double)(pi.scale / po.scale), &q->multiplier, &q->shift);
  int32_t tmin = 0, tmax = 0;
  pl_q_type_range(output->type, &tmin, &tmax);
  const int32_t qmin = pl_fx_add(
      po.zero_point, pl_q_f32_to_i32(roundf(act_min / po.scale)));
  q->lo = qmin > tmin ? qmin : tmin;
  if (isinf(act_max)) {
    q->hi = tmax;
  } else {
    const int32_t qmax = pl_fx_add(
        po.zero_point, pl_q_f32_to_i32(roundf(act_max / po.scale)));
    q->hi = qmax < tmax ? qmax : tmax;
  }
}

static inline void pl_unary_relu_quant_eval(const PlReluQuant* q,
                                            const TfLiteTensor* input,
                                            TfLiteTensor* output) {
  const int64_t n = pl_num_elements(input);
  for (int64_t i = 0; i < n; ++i) {
    int32_t v = q->output_zero_point +
                pl_q_mul(pl_q_load(input, i) - q->input_zero_point,
                         q->multiplier, q->shift);
    v = v > q->lo ? v : q->lo;
    v = v < q->hi ? v : q->hi;
    pl_q_store(output, i, v);
  }
}

/* ---- lookup tables ---------------------------------------------------- */

/* A table for one node: lut8 (and its shuffle tables) for int8 / uint8,
 * lut16 for int16. */
typedef struct PlUnaryLut {
  uint8_t lut8[256];
  uint8_t lut8_shuffle[256];
  int16_t lut16[PL_LUT16_SIZE];
} PlUnaryLut;

/* Builds the table of y = fn(x) for the input's type (float arithmetic). */
static inline void pl_unary_lut_build(const TfLiteTensor* input,
                                      const TfLiteTensor* output, PlLutFn fn,
                                      const void* ctx, PlUnaryLut* lut) {
  const PlQuantParams pi = pl_q_params(input);
  const PlQuantParams po = pl_q_params(output);
  if (input->type == kTfLiteInt16) {
    pl_q_lut16_populate(pi.scale, pi.zero_point, po.scale, po.zero_point, fn,
                        ctx, lut->lut16);
  } else {
    pl_q_lut8_populate(input->type, pi.scale, pi.zero_point, po.scale,
                       po.zero_point, fn, ctx, lut->lut8);
    pl_q_lut8_shuffle_tables(lut->lut8, lut->lut8_shuffle);
  }
}

/* y[i] = table(x[i]) over an int8 / uint8 / int16 input. */
static inline void pl_unary_lut_eval(const PlUnaryLut* lut,
                                     const TfLiteTensor* input,
                                     TfLiteTensor* output) {
  const int64_t n = pl_num_elements(input);
  if (input->type == kTfLiteInt16) {
    const int16_t* x = input->data.i16;
    int16_t* y = output->data.i16;
    for (int64_t i = 0; i < n; ++i) y[i] = pl_q_lut16_lookup(x[i], lut->lut16);
  } else {
    pl_q_lut8_apply(lut->lut8, lut->lut8_shuffle,
                    (const uint8_t*)input->data.raw_const,
                    (uint8_t*)output->data.raw, n);
  }
}

/* LiteRT's CheckedLog2: the nearest integer to log2(x) computed in float,
 * and whether x is within 1e-3 (in log2) of that power of two. */
static inline bool pl_unary_checked_log2(float x, int* log2_result) {
  const float x_log2 = logf(x) * (1.0f / logf(2.0f));
  const float rounded = roundf(x_log2);
  *log2_result = (int)rounded;
  return fabsf(x_log2 - rounded) < 1e-3f;
}

#endif /* PYLITE_KERNELS_INTERNAL_UNARY_QUANT_H_ */
