/* pylite: integer arithmetic shared by the quantized kernels.
 *
 * TFLite's quantized kernels compute in fixed point: a real multiplier M
 * (a ratio of scales) is stored as a Q31 mantissa and a power-of-two
 * exponent, and applied with a saturating, rounding "doubling high"
 * multiply followed by a rounding right shift (round half away from zero).
 * Matching LiteRT bit for bit means doing exactly these steps, in this
 * order, with these roundings; every quantized kernel uses the functions
 * below rather than its own variant.
 *
 * The hot helpers are static inline; prepare-time helpers (turning scales
 * into multipliers, checking a tensor's quantization parameters, activation
 * ranges) live in quant.c. */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_H_

#include <stdbool.h>
#include <stdint.h>

#include "capi/core/kernel.h"

/* ---- fixed-point primitives (hot path) -------------------------------- */

/* round(a * b / 2^31), saturating the one overflowing case (both
 * INT32_MIN); as gemmlowp, positive ties round up and negative ties toward
 * zero (the nudge is 2^30 or 1 - 2^30, then C's truncating division). */
static inline int32_t pl_q_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = (int64_t)a * (int64_t)b;
  const int64_t nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^exponent rounded to nearest, ties away from zero, for 0 <=
 * exponent <= 31. Other exponents (a quantized DIV reaches up to 62, an
 * int16 ADD with hostile power-of-two scales any) give what LiteRT's
 * compiled kernels give on x86, where the 64-bit mask's shift count is
 * taken mod 64 and the int32 shift's mod 32, without C's undefined
 * behaviour. */
static inline int32_t pl_q_shift_right(int32_t x, int exponent) {
  const int32_t mask =
      (int32_t)(uint32_t)(((uint64_t)1 << (exponent & 63)) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

/* x << shift in two's complement (wrapping as TFLite's int32 shift does,
 * without C's undefined behaviour; counts of 32 or more, which hostile
 * parameters reach, are taken mod 32 as on x86). */
static inline int32_t pl_q_shift_left(int32_t x, int shift) {
  return (int32_t)((uint32_t)x << (shift & 31));
}

/* x * M for M = multiplier * 2^(shift - 31): TFLite's
 * MultiplyByQuantizedMultiplier (double rounding: a rounding high multiply,
 * then a rounding right shift). shift may be positive (M >= 1). */
static inline int32_t pl_q_mul(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return pl_q_shift_right(pl_q_high_mul(pl_q_shift_left(x, left), multiplier),
                          right);
}

/* As pl_q_mul for M < 1 (shift <= 0): TFLite's
 * MultiplyByQuantizedMultiplierSmallerThanOneExp. */
static inline int32_t pl_q_mul_small(int32_t x, int32_t multiplier,
                                     int shift) {
  return pl_q_shift_right(pl_q_high_mul(x, multiplier), -shift);
}

/* As pl_q_mul for M >= 1 (shift >= 0): TFLite's
 * MultiplyByQuantizedMultiplierGreaterThanOne. */
static inline int32_t pl_q_mul_big(int32_t x, int32_t multiplier, int shift) {
  return pl_q_high_mul(pl_q_shift_left(x, shift), multiplier);
}

/* x * M for a 64-bit accumulator (the int16 activation kernels): TFLite's
 * 64-bit MultiplyByQuantizedMultiplier, which rounds the multiplier to 16
 * bits and shifts once with round-half-up. Hostile parameters (products
 * beyond int64, shifts of 15 or more) give what x86 gives: wrapping
 * arithmetic and shift counts taken mod 64, without undefined behaviour. */
static inline int32_t pl_q_mul64(int64_t x, int32_t multiplier, int shift) {
  const int32_t reduced = multiplier < 0x7FFF0000
                              ? (int32_t)((multiplier + (1 << 15)) >> 16)
                              : 0x7FFF;
  const int total_shift = (15 - shift) & 63;
  const uint64_t round = (uint64_t)1 << ((15 - shift - 1) & 63);
  const int64_t scaled =
      (int64_t)((uint64_t)x * (uint64_t)(int64_t)reduced + round);
  return (int32_t)(scaled >> total_shift);
}

/* (int32_t)f as x86's truncating conversion does it: NaN and values out
 * of range give INT32_MIN (C leaves them undefined), as LiteRT's compiled
 * kernels get them from hostile inputs or parameters. */
static inline int32_t pl_q_f32_to_i32(float f) {
  if (!(f > -2147483904.0f && f < 2147483648.0f)) return INT32_MIN;
  return (int32_t)f;
}

/* The same for a double (cvttsd2si). */
static inline int32_t pl_q_f64_to_i32(double f) {
  if (!(f > -2147483649.0 && f < 2147483648.0)) return INT32_MIN;
  return (int32_t)f;
}

/* a + b wrapping in two's complement, as TFLite's int32 additions of an
 * offset do on x86 when hostile parameters push them out of range. */
static inline int32_t pl_q_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t pl_q_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

/* ---- prepare-time helpers (quant.c) ----------------------------------- */

/* The representable range of a quantized type (int8, uint8, int16, int32,
 * int4 as int8 storage is not handled); false for other types. */
bool pl_q_type_range(TfLiteType type, int32_t* lo, int32_t* hi);

/* A real multiplier as a Q31 mantissa and an exponent, as TFLite's
 * QuantizeMultiplier: m = multiplier * 2^(shift - 31), mantissa in
 * [2^30, 2^31) rounded half away from zero; 0 gives (0, 0); exponents
 * below -31 flush to (0, 0), above 30 saturate. */
void pl_q_multiplier(double real, int32_t* multiplier, int* shift);

/* The scale and zero point of a tensor quantized per tensor (the first
 * entry of its affine parameters, as TFLite's TfLiteQuantizationParams). */
typedef struct PlQuantParams {
  float scale;
  int32_t zero_point;
} PlQuantParams;
PlQuantParams pl_q_params(const TfLiteTensor* t);

/* How pl_q_check should judge a tensor's quantization parameters. */
typedef struct PlQuantRule {
  /* Per-channel parameters are allowed along this dimension (-1: only per
   * tensor). If >= 0, the count must be 1 or the size of that dimension,
   * and quantized_dimension must equal it. */
  int channel_dim;
  /* Zero points must all be 0 (int8 weights, int16 activations, biases). */
  bool symmetric;
} PlQuantRule;

/* Checks that `t` (named role, e.g. "input", "filter", of op) carries
 * usable affine quantization: present, scale and zero point counts equal
 * and >= 1, every scale finite and > 0, every zero point inside the
 * type's range, per-channel counts matching rule->channel_dim. Reports a
 * clear error naming the op, role and tensor otherwise. */
TfLiteStatus pl_q_check(PlSubgraph* sg, const char* op, const char* role,
                        const TfLiteTensor* t, const PlQuantRule* rule);

/* Shorthand: per-tensor, any zero point in range. */
TfLiteStatus pl_q_check_tensor(PlSubgraph* sg, const char* op,
                               const char* role, const TfLiteTensor* t);

/* The clamp range of a fused activation applied to the quantized output,
 * as TFLite's CalculateActivationRangeQuantized: RELU, RELU6 and
 * RELU_N1_TO_1 clamp at the quantized images of 0, 6, -1, 1 (computed as
 * zero_point + round(f / scale) in float), within the type's range; NONE
 * and anything else give the full range. */
TfLiteStatus pl_q_activation_range(PlSubgraph* sg, int activation,
                                   const TfLiteTensor* output, int32_t* lo,
                                   int32_t* hi);

/* Per-channel output multipliers of a convolution-like op: for each of
 * `channels` output channels, input_scale * filter_scale[c] / output_scale
 * computed in double (a single filter scale applies to every channel), as
 * TFLite's PopulateConvolutionQuantizationParams. multipliers and shifts
 * have room for `channels` entries. */
void pl_q_channel_multipliers(const TfLiteTensor* input,
                              const TfLiteTensor* filter,
                              const TfLiteTensor* output, int channels,
                              int32_t* multipliers, int* shifts);

/* The output stage of a quantized convolution or matrix product, over one
 * row of n channels: out[j] = clamp(pl_q_mul(acc[j] + bias[j],
 * multiplier[j], shift[j]) + zero_point, lo, hi), the addition wrapping as
 * TFLite's int32 accumulators do; bias may be NULL. `out` is int8, uint8
 * or int16 per out_type. An AVX2 path does 8 channels at a time with the
 * same integer steps, so the bits never depend on the path. */
void pl_q_requantize_row(const int32_t* acc, const int32_t* bias,
                         const int32_t* multiplier, const int* shift,
                         int32_t zero_point, int32_t lo, int32_t hi,
                         TfLiteType out_type, void* out, int64_t n);
/* The same for `rows` rows: acc row r at acc + r * ld_acc, its outputs at
 * element r * ld_out of out (the channels' parameters loaded once). */
void pl_q_requantize_rows(const int32_t* acc, int64_t ld_acc, int64_t rows,
                          const int32_t* bias, const int32_t* multiplier,
                          const int* shift, int32_t zero_point, int32_t lo,
                          int32_t hi, TfLiteType out_type, void* out,
                          int64_t ld_out, int64_t n);

/* Reads element k of an int8 / uint8 / int16 / int32 tensor as int32. */
static inline int32_t pl_q_load(const TfLiteTensor* t, int64_t k) {
  switch (t->type) {
    case kTfLiteInt8: return t->data.int8[k];
    case kTfLiteUInt8: return t->data.uint8[k];
    case kTfLiteInt16: return t->data.i16[k];
    default: return t->data.i32[k];
  }
}

/* Writes element k of an int8 / uint8 / int16 / int32 tensor (the value
 * must already be in range). */
static inline void pl_q_store(TfLiteTensor* t, int64_t k, int32_t v) {
  switch (t->type) {
    case kTfLiteInt8: t->data.int8[k] = (int8_t)v; break;
    case kTfLiteUInt8: t->data.uint8[k] = (uint8_t)v; break;
    case kTfLiteInt16: t->data.i16[k] = (int16_t)v; break;
    default: t->data.i32[k] = v; break;
  }
}

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_H_ */
