/* pylite: DIV, elementwise quotient x / y with numpy-style broadcasting.
 *
 * As TFLite's builtin DIV for float32 and int32: inputs and output share one
 * type; the output is the broadcast of the input shapes at any rank. The
 * fused activation (DivOptions) clamps every result: RELU [0, max], RELU6
 * [0, 6], RELU_N1_TO_1 [-1, 1], anything else the type's full finite range,
 * so a float x / 0 gives +-FLT_MAX (0 / 0 stays NaN), as in TFLite.
 * int32 division truncates toward zero; a zero anywhere in y fails the
 * invoke with "DIV: division by zero." (TFLite fails it too), and
 * INT32_MIN / -1 saturates to INT32_MAX, as TFLite's result.
 * Quantized int8/uint8/int16 DIV is not supported yet. */
#include "capi/kernels/internal/binary.h"

/* Schema BuiltinOptions union type of DivOptions. */
enum { kDivOptionsType = 29 };

PL_BIN_ROW(div_row_f32, float, float,
           pl_bin_clamp_f32(x / y, c->f_lo, c->f_hi))
/* In 64 bits, so INT32_MIN / -1 is 2^31 before the clamp. */
PL_BIN_ROW(div_row_i32, int32_t, int32_t,
           (int32_t)pl_bin_clamp_i64((int64_t)x / (int64_t)y, c->i_lo,
                                     c->i_hi))

static const PlBinaryOp kDiv = {
    .name = "DIV",
    .options_type = kDivOptionsType,
    .zero_int = true,
    .zero_message = "DIV: division by zero.",
    .types = "float32 and int32",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .rows = {[kTfLiteFloat32] = div_row_f32, [kTfLiteInt32] = div_row_i32},
};

PL_BINARY_KERNEL(div, "DIV", kDiv)
