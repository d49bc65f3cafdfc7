/* pylite: FLOOR_DIV, floor(x / y) with numpy-style broadcasting.
 *
 * As TFLite's builtin FLOOR_DIV for float32, int32, int16 and int8: inputs
 * and output share one type; the output is the broadcast of the input shapes
 * at any rank. Each result is floor((double)x / (double)y) converted back to
 * the type, as TFLite computes it; for integers the conversion is x86's (out
 * of range gives the type's minimum after truncation, so INT32_MIN / -1 is
 * INT32_MIN). A zero anywhere in y fails the invoke with "FLOOR_DIV:
 * division by zero.", for floats too, as TFLite does. */
#include "capi/kernels/internal/binary.h"

static inline double floor_div_f64(double x, double y) { return floor(x / y); }

PL_BIN_ROW(floor_div_row_f32, float, float, (float)floor_div_f64(x, y))
PL_BIN_ROW(floor_div_row_i32, int32_t, int32_t,
           pl_bin_f64_to_i32(floor_div_f64(x, y)))
PL_BIN_ROW(floor_div_row_i16, int16_t, int16_t,
           (int16_t)pl_bin_f64_to_i32(floor_div_f64(x, y)))
PL_BIN_ROW(floor_div_row_i8, int8_t, int8_t,
           (int8_t)pl_bin_f64_to_i32(floor_div_f64(x, y)))

static const PlBinaryOp kFloorDiv = {
    .name = "FLOOR_DIV",
    .zero_int = true,
    .zero_float = true,
    .zero_message = "FLOOR_DIV: division by zero.",
    .types = "float32, int32, int16 and int8",
    .rows = {[kTfLiteFloat32] = floor_div_row_f32,
             [kTfLiteInt32] = floor_div_row_i32,
             [kTfLiteInt16] = floor_div_row_i16,
             [kTfLiteInt8] = floor_div_row_i8},
};

PL_BINARY_KERNEL(floor_div, "FLOOR_DIV", kFloorDiv,
                 "float32, int32, int16 and int8")
