/* pylite: SQUARED_DIFFERENCE, (x - y)^2 with numpy-style broadcasting.
 *
 * As TFLite's builtin SQUARED_DIFFERENCE for float32 and int32: inputs and
 * output share one type; the output is the broadcast of the input shapes at
 * any rank; int32 arithmetic wraps around. No options, no activation.
 * Quantized int8 is not supported yet. */
#include "capi/kernels/internal/binary.h"

static inline int32_t sqdiff_i32(int32_t x, int32_t y) {
  const uint32_t d = (uint32_t)x - (uint32_t)y;
  return (int32_t)(d * d);
}

PL_BIN_ROW(sqdiff_row_f32, float, float, (x - y) * (x - y))
PL_BIN_ROW(sqdiff_row_i32, int32_t, int32_t, sqdiff_i32(x, y))

static const PlBinaryOp kSquaredDifference = {
    .name = "SQUARED_DIFFERENCE",
    .types = "float32 and int32",
    .quantized = {[kTfLiteInt8] = true},
    .rows = {[kTfLiteFloat32] = sqdiff_row_f32,
             [kTfLiteInt32] = sqdiff_row_i32},
};

PL_BINARY_KERNEL(squared_difference, "SQUARED_DIFFERENCE", kSquaredDifference)
