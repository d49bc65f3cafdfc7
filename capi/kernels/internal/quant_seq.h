/* pylite: integer arithmetic of the quantized sequence kernels (LSTM, RNN).
 *
 * Two families, both as TFLite's tensor_utils compute them:
 *
 * Hybrid (float activations, int8 weights): each batch row of a float
 * vector is quantized on the fly to int8, symmetric (scale max|x| / 127,
 * zero point 0) or asymmetric (the row's [min(0, x), max(0, x)] range over
 * [-128, 127], with a nudged zero point), multiplied by the int8 weights in
 * int32, and the sum is scaled back to float: gate += (float)dot * (row
 * scale * weight scale), with the zero point times the weight row's sum
 * taken off the dot product first when asymmetric.
 *
 * Integer (int8 x int8 -> int16 gates): gemmlowp's 16-bit fixed-point
 * logistic and tanh (a Q3.12 input for the gates; the cell state's own
 * integer bits for the output's tanh), giving Q0.15 results. */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_SEQ_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_SEQ_H_

#include <stdbool.h>
#include <stdint.h>

/* ---- Hybrid -------------------------------------------------------------- */

/* Quantizes `rows` rows of n floats each into q, writing each row's scale
 * (and, when asymmetric, zero point) as TFLite's BatchQuantizeFloats. An
 * all-zero row gets scale 1, zero point 0. zero_points may be NULL when
 * !asymmetric. */
void pl_qs_quantize_rows(const float* x, int rows, int n, int8_t* q,
                         float* scales, int32_t* zero_points, bool asymmetric);

/* A hybrid weight matrix W [m, n] is packed once (at prepare when it is
 * constant) for the product below, in a layout chosen by the SIMD level
 * of the moment and recorded in the packed bytes: blocks of rows for the
 * vector int8 dot products, with the rows' sums. packed_bytes is enough
 * for any layout. */
int64_t pl_qs_hybrid_packed_bytes(int m, int n);
void pl_qs_hybrid_pack(const int8_t* w, int m, int n, void* packed);

/* out[r * out_stride + j] += (float)(W[j] . q[r] - zp[r] * sum(W[j])) *
 * (scales[r] * w_scale) for rows r < rows and j < m, W packed by
 * pl_qs_hybrid_pack; the dot product is exact int32 (wrapping), so every
 * layout and SIMD level gives the same bits. zero_points NULL means
 * symmetric (no correction). */
void pl_qs_hybrid_matvec(const void* packed, float w_scale, int m, int n,
                         const int8_t* q, const float* scales,
                         const int32_t* zero_points, int rows, float* out,
                         int out_stride);

/* ---- 16-bit fixed point (gemmlowp) --------------------------------------- */

/* logistic(x) for x in Q3.12, as a Q0.15 value. */
int16_t pl_qs_logistic_q3(int16_t x);
/* tanh(x) for x with `integer_bits` (0..6) integer bits, as Q0.15. */
int16_t pl_qs_tanh(int16_t x, int integer_bits);

/* x / 2^exponent rounded to nearest, ties away from zero (gemmlowp's
 * RoundingDivideByPOT on int32). */
static inline int32_t pl_qs_rounding_div_pot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_SEQ_H_ */
