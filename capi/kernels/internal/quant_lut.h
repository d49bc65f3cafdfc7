/* pylite: lookup tables and gemmlowp-style fixed-point math for the
 * quantized activation kernels (LOGISTIC, TANH, SOFTMAX, GELU, ELU, EXP,
 * LOG, RSQRT, HARD_SWISH...).
 *
 * LiteRT turns most quantized activations into tables built at prepare:
 *  - 8-bit (int8 / uint8): one output per possible input byte. Each input
 *    value is dequantized in float, transformed in float, multiplied by
 *    1 / output_scale, rounded half away from zero, offset by the output
 *    zero point (in float) and clamped.
 *  - int16: 513 samples over the whole input range (512 steps, plus the
 *    end point), each nudged by half the error the linear interpolation
 *    makes at the middle of its step; a value is looked up with its top 9
 *    bits and interpolated with its low 7 bits. Built in float (or double,
 *    for SOFTMAX's historical tables).
 * The fixed-point helpers mirror gemmlowp's FixedPoint<int32_t, N>
 * arithmetic (raw int32 values with N integer bits), which the 8-bit
 * SOFTMAX reference kernel uses. */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_LUT_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_LUT_H_

#include <stdint.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant.h"

/* ---- tables --------------------------------------------------------- */

typedef float (*PlLutFn)(float x, const void* ctx);
typedef double (*PlLutFnF64)(double x);

enum { PL_LUT16_SIZE = 513 };

/* An 8-bit table for `type` (kTfLiteInt8 or kTfLiteUInt8), indexed by the
 * raw input byte (an int8 value v is at index (uint8_t)v). */
void pl_q_lut8_populate(TfLiteType type, float input_scale,
                        int32_t input_zero_point, float output_scale,
                        int32_t output_zero_point, PlLutFn fn,
                        const void* ctx, uint8_t lut[256]);

/* The 16 shuffle tables (16 bytes each) pl_q_lut8_apply's AVX2 path
 * reads for `lut`: the lookup of a byte b XORs the entries at b & 15 of
 * the tables t whose running index (b - 16t, wrapping for t <= 8, then
 * saturating as a signed byte) stays below 128, which are t = 0..b/16 for
 * b < 128 and b/16 - 7..b/16 above; the tables are the differences that
 * make each such XOR the wanted row of `lut`. */
void pl_q_lut8_shuffle_tables(const uint8_t lut[256], uint8_t tables[256]);

/* y[i] = lut[x[i]] for i < n (bytes); `tables` from
 * pl_q_lut8_shuffle_tables(lut). AVX2 looks up 32 bytes at a time with 16
 * byte shuffles. */
void pl_q_lut8_apply(const uint8_t lut[256], const uint8_t tables[256],
                     const uint8_t* x, uint8_t* y, int64_t n);

/* The int16 table (PL_LUT16_SIZE entries), computed in float. */
void pl_q_lut16_populate(float input_scale, int32_t input_zero_point,
                         float output_scale, int32_t output_zero_point,
                         PlLutFn fn, const void* ctx, int16_t* lut);

/* The same computed in double. */
void pl_q_lut16_populate_f64(double input_scale, int32_t input_zero_point,
                             double output_scale, int32_t output_zero_point,
                             PlLutFnF64 fn, int16_t* lut);

/* Interpolated lookup in an int16 table (int16 wrap-around as LiteRT). */
static inline int16_t pl_q_lut16_lookup(int16_t value, const int16_t* lut) {
  const int index = 256 + (value >> 7);
  const int offset = value & 0x7f;
  const int16_t base = lut[index];
  const int16_t slope = (int16_t)(uint16_t)((uint16_t)lut[index + 1] -
                                            (uint16_t)lut[index]);
  const int delta = (slope * offset + 64) >> 7;
  return (int16_t)(uint16_t)((uint16_t)base + (uint16_t)delta);
}

/* sigmoid(i / 24) in unsigned Q0.16 for i in [0, 256): LiteRT's table for
 * its int16 LOGISTIC and TANH. */
extern const uint16_t pl_q_sigmoid_table[256];

/* One output of LiteRT's int16 LOGISTIC from the rescaled input v (3
 * integer bits at 1/(3 * 4096) per step, see unary_sigmoid.h): the table
 * entry of |v| >> 9, interpolated with its low 9 bits, mirrored for
 * negative v, in unsigned Q0.25, then narrowed to Q0.15 by a truncating
 * cast. */
static inline int16_t pl_q_logistic16_one(int32_t v) {
  const uint32_t a = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
  const uint32_t index = a >> 9;
  uint32_t r;
  if (index >= 255) {
    r = (uint32_t)0x7FFF << 10;
  } else {
    const uint32_t lo = pl_q_sigmoid_table[index];
    const uint32_t hi = pl_q_sigmoid_table[index + 1];
    r = (lo << 9) + (a & 0x1ff) * (hi - lo);
  }
  r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
  return (int16_t)(uint16_t)(r >> 10);
}

/* The input rescaling of LiteRT's int16 LOGISTIC and TANH: (x * multiplier
 * + round) >> shift in int32 arithmetic wrapping as on x86 (hostile scales
 * overflow it), round = 2^(shift - 1) for shift > 0, shift in [0, 31]. */
static inline int32_t pl_q_sigmoid16_input(int16_t x, int32_t multiplier,
                                           int shift) {
  const int32_t round = shift > 0 ? (int32_t)1 << (shift - 1) : 0;
  const int32_t v = pl_q_add(
      (int32_t)(uint32_t)((uint64_t)(int64_t)x * (uint64_t)(int64_t)multiplier),
      round);
  return v >> shift;
}

/* y[i] = pl_q_logistic16_one(pl_q_sigmoid16_input(x[i], multiplier,
 * shift)) for i < n. The AVX2 path does 8 values at a time (the table pair
 * of each by one 32-bit gather) with the same integer steps. */
void pl_q_logistic16(const int16_t* x, int16_t* y, int64_t n,
                     int32_t multiplier, int shift);

/* ---- gemmlowp fixed point (raw int32 values) ------------------------ */

/* Two's-complement wrapping add / subtract (gemmlowp's plain operators). */
static inline int32_t pl_fx_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
static inline int32_t pl_fx_sub(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* x * 2^exponent, saturating for exponent > 0, rounding (half away from
 * zero) for exponent < 0. */
static inline int32_t pl_fx_mul_pot(int32_t x, int exponent) {
  if (exponent < 0) return pl_q_shift_right(x, -exponent);
  if (exponent == 0) return x;
  const int32_t threshold = (int32_t)(((int64_t)1 << (31 - exponent)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return pl_q_shift_left(x, exponent);
}

/* Changes a value with `from` integer bits to `to` integer bits. */
static inline int32_t pl_fx_rescale(int32_t x, int from, int to) {
  return pl_fx_mul_pot(x, from - to);
}

/* exp(a) for a <= 0 with `integer_bits` integer bits; the result has 0
 * integer bits (1.0 saturates to INT32_MAX). */
int32_t pl_fx_exp_on_negative_values(int32_t a, int integer_bits);

/* 1 / (1 + a) for a in [0, 1), both with 0 integer bits. */
int32_t pl_fx_one_over_one_plus_x(int32_t a);

/* The reciprocal of x (x_integer_digits integer bits, x > 0) as a value in
 * [0.5, 1] with 0 integer bits, scaled by 2^-num_bits_over_unit. */
int32_t pl_fx_reciprocal(int32_t x, int x_integer_digits,
                         int* num_bits_over_unit);

/* log(x) for x >= 1 given with `input_bits` integer bits, returned with
 * `output_bits` integer bits (LiteRT's log_x_for_x_greater_than_or_equal_to_1:
 * the exponent from the leading zeros, refined by a rational approximation
 * of the mantissa's log around 2^-1/4). */
int32_t pl_fx_log_x_ge_1(int32_t x, int input_bits, int output_bits);

/* 1 / sqrt(input) for an integer input >= 0 as a multiplier and shift
 * (LiteRT's GetInvSqrtQuantizedMultiplierExp: five Newton-Raphson steps in
 * values with 3 integer bits; 0 and 1 give INT32_MAX, shift 0).
 * reverse_shift is -1 for a left shift (pl_q_mul convention). */
void pl_fx_inv_sqrt(int32_t input, int reverse_shift, int32_t* multiplier,
                    int* shift);

/* Count of leading zero bits of a 32-bit value (32 for 0). */
static inline int pl_fx_clz32(uint32_t x) {
  return x ? __builtin_clz(x) : 32;
}

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_LUT_H_ */
