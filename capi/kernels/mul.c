/* pylite: MUL, elementwise product with numpy-style broadcasting.
 *
 * As TFLite's builtin MUL for float32, int32, int64 and unquantized int16:
 * inputs and output share one type; the output is the broadcast of the input
 * shapes at any rank; integer products wrap around. The fused activation
 * (MulOptions) clamps every result: RELU [0, max], RELU6 [0, 6],
 * RELU_N1_TO_1 [-1, 1], anything else the type's full finite range.
 * Quantized int8/uint8/int16 MUL and complex64 MUL are not supported yet. */
#include "capi/kernels/internal/binary.h"

/* Schema BuiltinOptions union type of MulOptions. */
enum { kMulOptionsType = 21 };

PL_BIN_ROW(mul_row_f32, float, float,
           pl_bin_clamp_f32(x * y, c->f_lo, c->f_hi))
PL_BIN_ROW(mul_row_i32, int32_t, int32_t,
           (int32_t)pl_bin_clamp_i64((int32_t)((uint32_t)x * (uint32_t)y),
                                     c->i_lo, c->i_hi))
PL_BIN_ROW(mul_row_i64, int64_t, int64_t,
           pl_bin_clamp_i64((int64_t)((uint64_t)x * (uint64_t)y), c->i_lo,
                            c->i_hi))
PL_BIN_ROW(mul_row_i16, int16_t, int16_t,
           (int16_t)pl_bin_clamp_i64(
               (int16_t)(uint16_t)((uint32_t)x * (uint32_t)y), c->i_lo,
               c->i_hi))

static const PlBinaryOp kMul = {
    .name = "MUL",
    .options_type = kMulOptionsType,
    .types = "float32, int32, int64 and int16",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .rows = {[kTfLiteFloat32] = mul_row_f32, [kTfLiteInt32] = mul_row_i32,
             [kTfLiteInt64] = mul_row_i64, [kTfLiteInt16] = mul_row_i16},
};

PL_BINARY_KERNEL(mul, "MUL", kMul)
