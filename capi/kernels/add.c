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
 * Quantized int8, uint8 and int16 (int16 with parameters), bit-exact with
 * LiteRT's reference kernels (capi/kernels/internal/binary_quant.h): the
 * general rescaling path, or for int16 with AddOptions.pot_scale_int16
 * (true unless the model says false; false without AddOptions) and
 * power-of-two scales the "pot" path, which, as in LiteRT, does not
 * broadcast. int16 zero points must be 0. Broadcasting and the shared
 * prepare / eval: capi/kernels/internal/binary.h. */
#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/binary_quant.h"

/* Schema BuiltinOptions union type of AddOptions. */
enum { kAddOptionsType = 11 };

PL_BIN_ROW_AVX2(add_row_f32, float, float,
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

PL_BINQ_ROW(add_qrow_pot_i16, int16_t, int16_t, pl_binq_pot_add(q, x, y))

static TfLiteStatus add_qprepare(PlSubgraph* sg, const PlNode* node,
                                 const TfLiteTensor* const* in,
                                 const TfLiteTensor* output,
                                 PlBinaryData* data) {
  /* AddOptions.pot_scale_int16 (field 1, default true); false when the
   * options are absent, as LiteRT's zeroed parameters. */
  const bool pot = node->def->builtin_options_type == kAddOptionsType &&
                   pl_fb_bool(&node->def->builtin_options, 1, true);
  bool is_pot = false;
  PL_ENSURE_OK(pl_binq_prepare_addsub(sg, "ADD", pot, data->activation, in,
                                      output, &data->q, &is_pot));
  if (is_pot) {
    if (!pl_same_shape(in[0], in[1])) {
      pl_report(sg, "ADD: int16 with power-of-two scales does not broadcast "
                "(as LiteRT); the inputs must have one shape.");
      return kTfLiteError;
    }
    data->qrow = add_qrow_pot_i16;
    return kTfLiteOk;
  }
  data->qrow = output->type == kTfLiteInt8    ? pl_binq_row_add_i8
               : output->type == kTfLiteUInt8 ? pl_binq_row_add_u8
                                              : pl_binq_row_add_i16;
  return kTfLiteOk;
}

static const PlBinaryOp kAdd = {
    .name = "ADD",
    .options_type = kAddOptionsType,
    .types = "float32, int32, int64 and int16",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .qprepare = add_qprepare,
    .rows = {[kTfLiteFloat32] = add_row_f32, [kTfLiteInt32] = add_row_i32,
             [kTfLiteInt64] = add_row_i64, [kTfLiteInt16] = add_row_i16},
};

PL_BINQ_KERNEL(add, "ADD", kAdd,
                 "float32, int32, int64, int16; quantized int8, uint8, "
                 "int16")
