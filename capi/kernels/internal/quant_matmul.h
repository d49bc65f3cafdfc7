/* pylite: integer and hybrid matrix-product helpers shared by
 * FULLY_CONNECTED and BATCH_MATMUL (capi/kernels/internal/quant_matmul.c).
 *
 * Hybrid ("dynamic range") kernels take float activations and int8
 * weights: each activation row is quantized to int8 on the fly with its
 * own scale (symmetric, or asymmetric with a zero point when the op's
 * asymmetric_quantize_inputs is set), multiplied in int32 against the
 * weights, and scaled back to float. The row quantizers below follow
 * LiteRT's portable tensor utils step for step (float / double arithmetic
 * in the same order), so the int8 images and scales are the same. */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_MATMUL_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_MATMUL_H_

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

/* Quantizes `rows` rows of `depth` floats each to int8: row r gets
 * q = round(x / factors[r]) (symmetric: range max|x| maps to 127, zero
 * point 0, an all-zero row gets factor 1) or q = round(offsets[r] + x /
 * factors[r]) clamped to [-128, 127] (asymmetric: [min(x, 0), max(x, 0)]
 * spread over 255 steps with a nudged zero point). */
void pl_qmm_quantize_rows(const float* x, int64_t rows, int64_t depth,
                          bool asymmetric, int8_t* q, float* factors,
                          int32_t* offsets);

/* sums[r] = sum over d of w[r * depth + d] (int32). */
void pl_qmm_row_sums(const int8_t* w, int64_t rows, int64_t depth,
                     int32_t* sums);

/* Dot products in int32 (wrapping as LiteRT's int32 accumulators). */
int32_t pl_qmm_dot_s8(const int8_t* a, const int8_t* b, int64_t n);
/* out[j] = pl_qmm_dot_s8(a, b + j * depth, depth) for j < cols: one row
 * against many (AVX-512 when present, the same sums). */
void pl_qmm_dots_s8(const int8_t* a, const int8_t* b, int64_t cols,
                    int64_t depth, int32_t* out);
int32_t pl_qmm_dot_u8(const uint8_t* a, const uint8_t* b, int64_t n);
int64_t pl_qmm_dot_s16_s8(const int16_t* a, const int8_t* b, int64_t n);

/* (int32_t)x as LiteRT's x86-64 build converts: NaN and values outside
 * int32 give INT32_MIN (C leaves them undefined). */
static inline int32_t pl_qmm_to_int32(double x) {
  return (x >= -2147483648.0 && x < 2147483648.0) ? (int32_t)x : INT32_MIN;
}

/* LiteRT's reference FULLY_CONNECTED requantizes in double:
 * (int32)round(acc * scale), the scale being input_scale * filter_scale /
 * output_scale in double. A product outside int32 converts to INT32_MIN,
 * as the x86-64 conversion LiteRT's build compiles to; the output offset is
 * then added with int32 wrap-around and the sum clamped to [lo, hi]. */
static inline int32_t pl_qmm_requant(int64_t acc, double scale,
                                     int32_t offset, int32_t lo,
                                     int32_t hi) {
  int32_t v = pl_qmm_to_int32(round((double)acc * scale));
  v = (int32_t)((uint32_t)v + (uint32_t)offset);
  return v < lo ? lo : (v > hi ? hi : v);
}

/* y[i] = pl_qmm_requant(acc[i], scale[i], offset, lo, hi) for i < n, lo
 * and hi int8 values (AVX2 when the CPU has it, same bits). */
void pl_qmm_requant_s8(const int32_t* acc, const double* scale,
                       int32_t offset, int32_t lo, int32_t hi, int8_t* y,
                       int64_t n);

/* Applies a fused activation to hybrid float outputs in place, as LiteRT's
 * tensor utils: RELU max(0, x), RELU_N1_TO_1 max(-1, min(x, 1)), RELU6
 * max(0, min(x, 6)), TANH, SIGN_BIT (1 for a set sign bit, else 0). */
void pl_qmm_activation(float* y, int64_t n, int activation);

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_MATMUL_H_ */
