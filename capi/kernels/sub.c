/* pylite: SUB, elementwise difference x - y with numpy-style broadcasting.
 *
 * As TFLite's builtin SUB for float32, int32 and int64: inputs and output
 * share one type; the output is the broadcast of the input shapes at any
 * rank; integer differences wrap around. The fused activation (SubOptions)
 * clamps every result: RELU [0, max], RELU6 [0, 6], RELU_N1_TO_1 [-1, 1],
 * anything else the type's full finite range (so a float -inf comes out as
 * -FLT_MAX, as in TFLite). pot_scale_int16 only matters for quantized int16.
 * Quantized int8/uint8/int16 SUB is not supported yet. */
#include "capi/kernels/internal/binary.h"

/* Schema BuiltinOptions union type of SubOptions. */
enum { kSubOptionsType = 28 };

PL_BIN_ROW(sub_row_f32, float, float,
           pl_bin_clamp_f32(x - y, c->f_lo, c->f_hi))
PL_BIN_ROW(sub_row_i32, int32_t, int32_t,
           (int32_t)pl_bin_clamp_i64((int32_t)((uint32_t)x - (uint32_t)y),
                                     c->i_lo, c->i_hi))
PL_BIN_ROW(sub_row_i64, int64_t, int64_t,
           pl_bin_clamp_i64((int64_t)((uint64_t)x - (uint64_t)y), c->i_lo,
                            c->i_hi))

static const PlBinaryOp kSub = {
    .name = "SUB",
    .options_type = kSubOptionsType,
    .types = "float32, int32 and int64",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .rows = {[kTfLiteFloat32] = sub_row_f32, [kTfLiteInt32] = sub_row_i32,
             [kTfLiteInt64] = sub_row_i64},
};

PL_BINARY_KERNEL(sub, "SUB", kSub)
