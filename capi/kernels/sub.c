/* pylite: SUB, elementwise difference x - y with numpy-style broadcasting.
 *
 * As TFLite's builtin SUB for float32, int32 and int64: inputs and output
 * share one type; the output is the broadcast of the input shapes at any
 * rank; integer differences wrap around. The fused activation (SubOptions)
 * clamps every result: RELU [0, max], RELU6 [0, 6], RELU_N1_TO_1 [-1, 1],
 * anything else the type's full finite range (so a float -inf comes out as
 * -FLT_MAX, as in TFLite).
 * Quantized int8, uint8 and int16, bit-exact with LiteRT's reference
 * kernels (capi/kernels/internal/binary_quant.h): the general rescaling
 * path, or for int16 with SubOptions.pot_scale_int16 (true unless the model
 * says false; false without SubOptions) and power-of-two scales the "pot"
 * path. int16 zero points must be 0. An output scale so small that the
 * output rescaling is >= 1 is an error (LiteRT accepts it but its reference
 * kernel then shifts right by a negative amount, an undefined result). */
#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/binary_quant.h"

/* Schema BuiltinOptions union type of SubOptions. */
enum { kSubOptionsType = 28 };

PL_BIN_ROW_AVX2(sub_row_f32, float, float,
           pl_bin_clamp_f32(x - y, c->f_lo, c->f_hi))
PL_BIN_ROW(sub_row_i32, int32_t, int32_t,
           (int32_t)pl_bin_clamp_i64((int32_t)((uint32_t)x - (uint32_t)y),
                                     c->i_lo, c->i_hi))
PL_BIN_ROW(sub_row_i64, int64_t, int64_t,
           pl_bin_clamp_i64((int64_t)((uint64_t)x - (uint64_t)y), c->i_lo,
                            c->i_hi))

PL_BINQ_ROW(sub_qrow_pot_i16, int16_t, int16_t, pl_binq_pot_sub(q, x, y))

static TfLiteStatus sub_qprepare(PlSubgraph* sg, const PlNode* node,
                                 const TfLiteTensor* const* in,
                                 const TfLiteTensor* output,
                                 PlBinaryData* data) {
  /* SubOptions.pot_scale_int16 (field 1, default true); false when the
   * options are absent, as LiteRT's zeroed parameters. */
  const bool pot = node->def->builtin_options_type == kSubOptionsType &&
                   pl_fb_bool(&node->def->builtin_options, 1, true);
  bool is_pot = false;
  PL_ENSURE_OK(pl_binq_prepare_addsub(sg, "SUB", pot, data->activation, in,
                                      output, &data->q, &is_pot));
  data->qrow = is_pot                         ? sub_qrow_pot_i16
               : output->type == kTfLiteInt8  ? pl_binq_row_sub_i8
               : output->type == kTfLiteUInt8 ? pl_binq_row_sub_u8
                                              : pl_binq_row_sub_i16;
  return kTfLiteOk;
}

static const PlBinaryOp kSub = {
    .name = "SUB",
    .options_type = kSubOptionsType,
    .types = "float32, int32 and int64",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .qprepare = sub_qprepare,
    .rows = {[kTfLiteFloat32] = sub_row_f32, [kTfLiteInt32] = sub_row_i32,
             [kTfLiteInt64] = sub_row_i64},
};

PL_BINQ_KERNEL(sub, "SUB", kSub,
                 "float32, int32, int64; quantized int8, uint8, int16")
