/* pylite: MINIMUM, elementwise min(x, y) with numpy-style broadcasting.
 *
 * As TFLite's builtin MINIMUM for float32, int32, int64, int16, int8 and
 * uint8 (compared as stored, so quantized tensors sharing parameters work
 * too): inputs and output share one type; the output is the broadcast of the
 * input shapes at any rank. The result is `x < y ? x : y`, as TFLite: a NaN
 * in y propagates, a NaN in x gives y, and min(-0.0, 0.0) is y. */
#include "capi/kernels/internal/binary.h"

#define PL_MIN_ROW(NAME, T) PL_BIN_ROW(NAME, T, T, x < y ? x : y)
PL_MIN_ROW(min_row_f32, float)
PL_MIN_ROW(min_row_i32, int32_t)
PL_MIN_ROW(min_row_i64, int64_t)
PL_MIN_ROW(min_row_i16, int16_t)
PL_MIN_ROW(min_row_i8, int8_t)
PL_MIN_ROW(min_row_u8, uint8_t)
#undef PL_MIN_ROW

static const PlBinaryOp kMinimum = {
    .name = "MINIMUM",
    .types = "float32, int32, int64, int16, int8 and uint8",
    .rows = {[kTfLiteFloat32] = min_row_f32, [kTfLiteInt32] = min_row_i32,
             [kTfLiteInt64] = min_row_i64, [kTfLiteInt16] = min_row_i16,
             [kTfLiteInt8] = min_row_i8, [kTfLiteUInt8] = min_row_u8},
};

PL_BINARY_KERNEL(minimum, "MINIMUM", kMinimum,
                 "float32, int32, int64, int16, int8, uint8 (quantized "
                 "values compared as stored)")
