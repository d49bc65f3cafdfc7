/* pylite: ADD, elementwise sum with numpy-style broadcasting.
 *
 * As TFLite's builtin ADD for float32, int32, int64 and unquantized int16:
 * both inputs and the output share one type; the output shape is the
 * broadcast of the input shapes (dims are compared from the right; a pair
 * must be equal or contain a 1; a 0 wins over a 1), at any rank; integer
 * sums wrap around. The fused activation is a clamp applied to every sum:
 * RELU [0, max], RELU6 [0, 6], RELU_N1_TO_1 [-1, 1], and anything else
 * (NONE, and TANH / SIGN_BIT, which TFLite ignores here) the type's full
 * finite range, so a float sum of +inf comes out as FLT_MAX, as in TFLite.
 * pot_scale_int16 only matters for quantized int16. Quantized
 * int8/uint8/int16 ADD is not supported yet. Broadcasting and the shared
 * prepare / eval: capi/kernels/internal/binary.h. */
#include "capi/kernels/internal/binary.h"

/* Schema BuiltinOptions union type of AddOptions. */
enum { kAddOptionsType = 11 };

PL_BIN_ROW(add_row_f32, float, float,
           pl_bin_clamp_f32(x + y, c->f_lo, c->f_hi))
PL_BIN_ROW(add_row_i32, int32_t, int32_t,
           (int32_t)pl_bin_clamp_i64((int32_t)((uint32_t)x + (uint32_t)y),
                                     c->i_lo, c->i_hi))
PL_BIN_ROW(add_row_i64, int64_t, int64_t,
           pl_bin_clamp_i64((int64_t)((uint64_t)x + (uint64_t)y), c->i_lo,
                            c->i_hi))
PL_BIN_ROW(add_row_i16, int16_t, int16_t,
           (int16_t)pl_bin_clamp_i64(
               (int16_t)(uint16_t)((uint32_t)x + (uint32_t)y), c->i_lo,
               c->i_hi))

static const PlBinaryOp kAdd = {
    .name = "ADD",
    .options_type = kAddOptionsType,
    .types = "float32, int32, int64 and int16",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .rows = {[kTfLiteFloat32] = add_row_f32, [kTfLiteInt32] = add_row_i32,
             [kTfLiteInt64] = add_row_i64, [kTfLiteInt16] = add_row_i16},
};

PL_BINARY_KERNEL(add, "ADD", kAdd)
