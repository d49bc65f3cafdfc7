/* pylite: the quantized forms LOGISTIC and TANH share (header-only).
 *
 * int8 / uint8: a 256-entry table of the float function (quant_lut.h).
 * int16 (zero points 0): LiteRT's reference kernels scale the input to a
 * fixed grid (a power-of-two input scale of 2^-12, or 2^-11 for TANH,
 * maps directly; any other scale goes through an integer multiplier
 * chosen at prepare), then interpolate linearly in a 256-entry table of
 * sigmoid(i / 24) (tanh(x) = 2 sigmoid(2x) - 1), using the symmetry of
 * both functions for negative inputs. */
#ifndef PYLITE_KERNELS_INTERNAL_UNARY_SIGMOID_H_
#define PYLITE_KERNELS_INTERNAL_UNARY_SIGMOID_H_

#include <stdlib.h>

#include "capi/kernels/internal/unary_quant.h"

typedef struct PlSigmoidData {
  PlUnaryLut lut;
  int32_t input_multiplier; /* int16: 0 for a power-of-two input scale */
  int input_left_shift;
  /* float32 LOGISTIC whose MUL computes the swish itself (binary.h): the
   * output is not written. */
  bool fused_into_mul;
} PlSigmoidData;

/* The int16 input rescaling. max_pot_shift: 0 for LOGISTIC, 1 for TANH
 * (the power-of-two scales the table takes directly). */
static inline void pl_sigmoid_int16_setup(float input_scale,
                                          int max_pot_shift,
                                          PlSigmoidData* d) {
  int log2_scale = 0;
  bool pot = pl_unary_checked_log2(input_scale, &log2_scale);
  d->input_left_shift = 12 + log2_scale; /* 15 - 3 integer bits */
  pot = pot && d->input_left_shift >= 0 &&
        d->input_left_shift <= max_pot_shift;
  d->input_multiplier = 0;
  if (!pot) {
    /* Rescale to 1 / (3 * 4096) per step: +-2^17 covers +-10.7. */
    double multiplier = (double)input_scale * 4096.0 * 3.0;
    d->input_left_shift = 0;
    while (multiplier <= 32767.0 / 2.0 && d->input_left_shift <= 30) {
      d->input_left_shift++;
      multiplier *= 2.0;
    }
    d->input_multiplier = pl_q_f64_to_i32(multiplier); /* huge: as x86 */
  }
}

static inline void pl_logistic_int16(const PlSigmoidData* d,
                                     const int16_t* x, int16_t* y,
                                     int64_t n) {
  int32_t multiplier = d->input_multiplier;
  int shift = d->input_left_shift;
  if (multiplier == 0) { /* power of two: the factor 3 only */
    multiplier = 3 << shift;
    shift = 0;
  }
  pl_q_logistic16(x, y, n, multiplier, shift);
}

static inline void pl_tanh_int16(const PlSigmoidData* d, const int16_t* x,
                                 int16_t* y, int64_t n) {
  int32_t multiplier = d->input_multiplier;
  int shift = d->input_left_shift;
  if (multiplier == 0) {
    multiplier = 3 << shift;
    shift = 0;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int32_t v = pl_q_sigmoid16_input(x[i], multiplier, shift);
    const uint32_t a = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    const uint32_t index = a >> 8;
    int32_t r;
    if (index >= 255) {
      r = 0xFFFF << 8;
    } else {
      const uint32_t lo = pl_q_sigmoid_table[index];
      const uint32_t hi = pl_q_sigmoid_table[index + 1];
      r = (int32_t)((lo << 8) + (a & 0xFF) * (hi - lo));
    }
    r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    y[i] = (int16_t)(r >> 8);
  }
}

/* ---- The kernel plumbing LOGISTIC and TANH share ------------------------ */

static inline TfLiteStatus pl_sigmoid_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(PlSigmoidData));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static inline void pl_sigmoid_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

typedef void (*PlSigmoidInt16Fn)(const PlSigmoidData* d, const int16_t* x,
                                 int16_t* y, int64_t n);

/* The int16 map split across threads in chunks of values (each value
 * computed alone, so the split does not change the output). */
enum { kPlSigmoidInt16Chunk = 8192 };

typedef struct PlSigmoidInt16Run {
  PlSigmoidInt16Fn fn;
  const PlSigmoidData* d;
  const int16_t* x;
  int16_t* y;
  int64_t n;
} PlSigmoidInt16Run;

static inline void pl_sigmoid_int16_chunks(void* ctx, int64_t begin,
                                           int64_t end, int worker) {
  (void)worker;
  const PlSigmoidInt16Run* r = ctx;
  const int64_t from = begin * kPlSigmoidInt16Chunk;
  const int64_t to = end * kPlSigmoidInt16Chunk < r->n
                         ? end * kPlSigmoidInt16Chunk
                         : r->n;
  r->fn(r->d, r->x + from, r->y + from, to - from);
}

/* Eval: float32 through a vectorized map, float16 through the scalar
 * function, int16 through its interpolated table (in parallel chunks),
 * int8/uint8 through the 256-entry table. */
static inline TfLiteStatus pl_sigmoid_eval(PlSubgraph* sg, PlNode* node,
                                           PlUnaryVecF32Fn f32,
                                           PlUnaryF32Fn f16,
                                           PlSigmoidInt16Fn i16) {
  const PlSigmoidData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  switch (input->type) {
    case kTfLiteFloat32:
      if (!d->fused_into_mul) pl_unary_vec_f32(sg, node, f32);
      break;
    case kTfLiteFloat16:
      pl_unary_map_f16(sg, node, f16);
      break;
    case kTfLiteInt16: {
      PlSigmoidInt16Run run = {i16, d, input->data.i16, output->data.i16,
                               pl_num_elements(input)};
      pl_parallel_for(
          sg, (run.n + kPlSigmoidInt16Chunk - 1) / kPlSigmoidInt16Chunk,
          pl_sigmoid_int16_chunks, &run);
      break;
    }
    default:
      if (!d->fused_into_mul) pl_unary_lut_eval(&d->lut, input, output);
      break;
  }
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_UNARY_SIGMOID_H_ */
