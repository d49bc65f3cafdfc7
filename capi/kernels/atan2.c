/* pylite: ATAN2, elementwise atan2(y, x) (input 0 is y, input 1 is x).
 *
 * As TFLite's builtin ATAN2 for float32 (atan2f) and float64 (atan2): inputs
 * and output share one type. TFLite does not broadcast: it checks only that
 * the ranks match and reads both inputs with the first one's size; here the
 * shapes must match exactly, which is an error in prepare otherwise.
 * float16 / bfloat16 are not supported yet. */
#include "capi/kernels/internal/binary.h"

PL_BIN_ROW(atan2_row_f32, float, float, atan2f(x, y))
PL_BIN_ROW(atan2_row_f64, double, double, atan2(x, y))

static const PlBinaryOp kAtan2 = {
    .name = "ATAN2",
    .same_shape = true,
    .types = "float32 and float64",
    .rows = {[kTfLiteFloat32] = atan2_row_f32,
             [kTfLiteFloat64] = atan2_row_f64},
};

PL_BINARY_KERNEL(atan2, "ATAN2", kAtan2,
                 "float32 and float64")
