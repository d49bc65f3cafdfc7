/* pylite: MUL, elementwise product with numpy-style broadcasting.
 *
 * As TFLite's builtin MUL for float32, int32, int64, unquantized int16 and
 * complex64: inputs and output share one type; the output is the broadcast
 * of the input shapes at any rank; integer products wrap around. The fused
 * activation (MulOptions) clamps every real result: RELU [0, max], RELU6
 * [0, 6], RELU_N1_TO_1 [-1, 1], anything else the type's full finite range.
 * complex64 products follow C's complex multiply (Annex G: inf/NaN
 * recovery), as std::complex; a fused activation with complex64 is an error
 * in prepare, as in TFLite.
 * Quantized int8, uint8 and int16 (int16 with parameters, zero points 0):
 * (x - z_x)(y - z_y) rescaled by s_x s_y / s_out, bit-exact with LiteRT's
 * reference kernels (capi/kernels/internal/binary_quant.h); inputs and
 * output of one type (LiteRT's int16 x int16 -> int8 form is not supported
 * yet). */
#include <complex.h>

#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/binary_quant.h"

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

typedef float _Complex mul_c64;
PL_BIN_ROW(mul_row_c64, mul_c64, mul_c64, x * y)

PL_BINQ_ROW(mul_qrow_i8, int8_t, int8_t, pl_binq_mul(q, x, y))
PL_BINQ_ROW(mul_qrow_u8, uint8_t, uint8_t, pl_binq_mul(q, x, y))
PL_BINQ_ROW(mul_qrow_i16, int16_t, int16_t, pl_binq_mul(q, x, y))

static TfLiteStatus mul_qprepare(PlSubgraph* sg, const PlNode* node,
                                 const TfLiteTensor* const* in,
                                 const TfLiteTensor* output,
                                 PlBinaryData* data) {
  (void)node;
  PL_ENSURE_OK(pl_binq_prepare_mul(sg, "MUL", data->activation, in, output,
                                   &data->q));
  data->qrow = output->type == kTfLiteInt8    ? mul_qrow_i8
               : output->type == kTfLiteUInt8 ? mul_qrow_u8
                                              : mul_qrow_i16;
  return kTfLiteOk;
}

static const PlBinaryOp kMul = {
    .name = "MUL",
    .options_type = kMulOptionsType,
    .types = "float32, int32, int64, int16 and complex64",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .qprepare = mul_qprepare,
    .rows = {[kTfLiteFloat32] = mul_row_f32, [kTfLiteInt32] = mul_row_i32,
             [kTfLiteInt64] = mul_row_i64, [kTfLiteInt16] = mul_row_i16,
             [kTfLiteComplex64] = mul_row_c64},
};

static TfLiteStatus mul_init(PlSubgraph* sg, PlNode* node) {
  return pl_binary_init(sg, node, &kMul);
}

static TfLiteStatus mul_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_binary_prepare(sg, node, &kMul));
  const PlBinaryData* data = node->user_data;
  if (pl_input(sg, node, 0)->type == kTfLiteComplex64 &&
      data->activation != PL_ACT_NONE) {
    pl_report(sg, "MUL: a fused activation (%d) is not allowed for COMPLEX64.",
              data->activation);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static TfLiteStatus mul_eval(PlSubgraph* sg, PlNode* node) {
  return pl_binary_eval(sg, node, &kMul);
}

const PlKernel pl_kernel_mul = {
    .name = "MUL",
    .init = mul_init,
    .free = pl_binary_free,
    .prepare = mul_prepare,
    .eval = mul_eval,
    .types = "float32, int32, int64, int16, complex64; quantized int8, "
             "uint8, int16",
};
