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
 * Quantized int8, uint8 and int16, bit-exact with LiteRT's reference
 * kernel (capi/kernels/internal/binary_quant.h: a fixed-point reciprocal of
 * the divisor, one rescaling by s_x / (s_y s_out)); a divisor equal to its
 * zero point (a real 0) fails the invoke with "DIV: division by zero."
 * (LiteRT computes an unspecified value there). */
#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/binary_quant.h"

/* Schema BuiltinOptions union type of DivOptions. */
enum { kDivOptionsType = 29 };

PL_BIN_ROW_AVX2(div_row_f32, float, float,
           pl_bin_clamp_f32(x / y, c->f_lo, c->f_hi))
/* In 64 bits, so INT32_MIN / -1 is 2^31 before the clamp. */
PL_BIN_ROW(div_row_i32, int32_t, int32_t,
           (int32_t)pl_bin_clamp_i64((int64_t)x / (int64_t)y, c->i_lo,
                                     c->i_hi))

PL_BINQ_ROW(div_qrow_i8, int8_t, int8_t, pl_binq_div(q, x, y))
PL_BINQ_ROW(div_qrow_u8, uint8_t, uint8_t, pl_binq_div(q, x, y))
PL_BINQ_ROW(div_qrow_i16, int16_t, int16_t, pl_binq_div(q, x, y))

static TfLiteStatus div_qprepare(PlSubgraph* sg, const PlNode* node,
                                 const TfLiteTensor* const* in,
                                 const TfLiteTensor* output,
                                 PlBinaryData* data) {
  (void)node;
  PL_ENSURE_OK(pl_binq_prepare_div(sg, "DIV", data->activation, in, output,
                                   &data->q));
  data->qrow = output->type == kTfLiteInt8    ? div_qrow_i8
               : output->type == kTfLiteUInt8 ? div_qrow_u8
                                              : div_qrow_i16;
  return kTfLiteOk;
}

/* Quantized divisors: a value equal to the zero point is a real 0. */
static TfLiteStatus div_check(PlSubgraph* sg, const TfLiteTensor* x,
                              const TfLiteTensor* y) {
  (void)x;
  const bool quantized =
      y->type == kTfLiteInt8 || y->type == kTfLiteUInt8 ||
      (y->type == kTfLiteInt16 &&
       y->quantization.type != kTfLiteNoQuantization);
  if (!quantized) return kTfLiteOk;
  const int32_t zero_point = pl_q_params(y).zero_point;
  const int64_t n = pl_num_elements(y);
  for (int64_t k = 0; k < n; ++k) {
    if (pl_q_load(y, k) == zero_point) {
      pl_report(sg, "DIV: division by zero.");
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

static const PlBinaryOp kDiv = {
    .name = "DIV",
    .options_type = kDivOptionsType,
    .zero_int = true,
    .zero_message = "DIV: division by zero.",
    .types = "float32 and int32",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .qprepare = div_qprepare,
    .check = div_check,
    .rows = {[kTfLiteFloat32] = div_row_f32, [kTfLiteInt32] = div_row_i32},
};

PL_BINARY_KERNEL(div, "DIV", kDiv,
                 "float32, int32; quantized int8, uint8, int16")
