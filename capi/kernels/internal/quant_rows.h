/* pylite: vectorized rows of the quantized kernels outside the binary
 * family: QUANTIZE from float32 (per tensor).
 *
 * Each row has a scalar definition here and an AVX2 path in quant_rows.c
 * that takes the same steps in 8 lanes, so the bits never depend on the
 * path (tests/c/test_quant_rows.c). */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_ROWS_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_ROWS_H_

#include <math.h>
#include <stdint.h>

#include "capi/kernels/internal/quant.h"

/* One float quantized as LiteRT's reference QUANTIZE: round(x / scale)
 * (the division and the rounding, half away from zero, in float32)
 * converted to int32 as x86 does (INT32_MIN when out of range or NaN),
 * plus the zero point wrapping, clamped to [lo, hi]. */
static inline int32_t pl_q_quantize_f32_one(float x, float scale,
                                            int32_t zero_point, int32_t lo,
                                            int32_t hi) {
  const float r = roundf(x / scale);
  const int32_t i = r >= -2147483648.0f && r < 2147483648.0f ? (int32_t)r
                                                              : INT32_MIN;
  return pl_q_clamp(pl_q_add(i, zero_point), lo, hi);
}

/* out[k] = pl_q_quantize_f32_one(x[k], ...) for k < n, stored as out_type
 * (int8, uint8 or int16; [lo, hi] within its range). */
void pl_q_quantize_f32_row(const float* x, int64_t n, float scale,
                           int32_t zero_point, int32_t lo, int32_t hi,
                           TfLiteType out_type, void* out);

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_ROWS_H_ */
