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
 * output of one type. LiteRT's int16 x int16 -> int8 / uint8 form (inputs
 * of one shape) is fixed point as LiteRT computes it: the Q0.15 product,
 * divided by 2^8 (rounding), clamped and offset by the output's zero point;
 * as in LiteRT, no other parameter enters. */
#include <complex.h>

#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/binary_quant.h"

/* Schema BuiltinOptions union type of MulOptions. */
enum { kMulOptionsType = 21 };

PL_BIN_ROW_AVX2(mul_row_f32, float, float,
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


static TfLiteStatus mul_qprepare(PlSubgraph* sg, const PlNode* node,
                                 const TfLiteTensor* const* in,
                                 const TfLiteTensor* output,
                                 PlBinaryData* data) {
  (void)node;
  PL_ENSURE_OK(pl_binq_prepare_mul(sg, "MUL", data->activation, in, output,
                                   &data->q));
  data->qrow = output->type == kTfLiteInt8    ? pl_binq_row_mul_i8
               : output->type == kTfLiteUInt8 ? pl_binq_row_mul_u8
                                              : pl_binq_row_mul_i16;
  return kTfLiteOk;
}

/* gemmlowp's int16 SaturatingRoundingDoublingHighMul (Q0.15 product). */
static inline int32_t mul_q15(int32_t a, int32_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = a * b;
  return (ab + (ab >= 0 ? (1 << 14) : 1 - (1 << 14))) / (1 << 15);
}

/* int16 x int16 -> 8 bits: q->out_offset, q->lo / q->hi. */
static inline int32_t mul_q15_to_8(const PlBinQuant* q, int32_t x,
                                   int32_t y) {
  const int32_t r = pl_q_shift_right(mul_q15(x, y), 8);
  return q->out_offset +
         pl_q_clamp(r, q->lo - q->out_offset, q->hi - q->out_offset);
}

static void mul_qrow_i16_i8(void* out_, const void* const* in,
                            const int64_t* step, int64_t n, const void* ctx) {
  const int16_t* a = (const int16_t*)in[0];
  const int16_t* b = (const int16_t*)in[1];
  int8_t* o = (int8_t*)out_;
  for (int64_t i = 0; i < n; ++i)
    o[i] = (int8_t)mul_q15_to_8(ctx, a[i * step[0]], b[i * step[1]]);
}

static void mul_qrow_i16_u8(void* out_, const void* const* in,
                            const int64_t* step, int64_t n, const void* ctx) {
  const int16_t* a = (const int16_t*)in[0];
  const int16_t* b = (const int16_t*)in[1];
  uint8_t* o = (uint8_t*)out_;
  for (int64_t i = 0; i < n; ++i)
    o[i] = (uint8_t)mul_q15_to_8(ctx, a[i * step[0]], b[i * step[1]]);
}

static bool mul_is_mixed(const TfLiteTensor* x, const TfLiteTensor* y,
                         const TfLiteTensor* output) {
  return x->type == kTfLiteInt16 && y->type == kTfLiteInt16 &&
         (output->type == kTfLiteInt8 || output->type == kTfLiteUInt8);
}

/* The int16 x int16 -> int8 / uint8 form: its own checks (the shared
 * prepare wants one type throughout). */
static TfLiteStatus mul_prepare_mixed(PlSubgraph* sg, PlNode* node) {
  PlBinaryData* data = node->user_data;
  const TfLiteTensor* x = pl_input(sg, node, 0);
  const TfLiteTensor* y = pl_input(sg, node, 1);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE_OK(pl_q_check_tensor(sg, "MUL", "input 0", x));
  PL_ENSURE_OK(pl_q_check_tensor(sg, "MUL", "input 1", y));
  PL_ENSURE_OK(pl_q_check_tensor(sg, "MUL", "output", output));
  if (!pl_same_shape(x, y)) {
    char s1[160], s2[160];
    pl_shape_string(x->dims, s1, sizeof(s1));
    pl_shape_string(y->dims, s2, sizeof(s2));
    pl_report(sg, "MUL of int16 inputs into %s does not broadcast (as "
              "LiteRT); got shapes %s and %s.",
              TfLiteTypeGetName(output->type), s1, s2);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_q_activation_range(sg, data->activation, output,
                                     &data->q.lo, &data->q.hi));
  data->q.out_offset = pl_q_params(output).zero_point;
  data->qrow =
      output->type == kTfLiteInt8 ? mul_qrow_i16_i8 : mul_qrow_i16_u8;
  data->quant = true;
  return pl_resize_like(sg, output, x->dims);
}

static TfLiteStatus mul_eval_mixed(PlSubgraph* sg, PlNode* node) {
  const PlBinaryData* data = node->user_data;
  const TfLiteTensor* x = pl_input(sg, node, 0);
  const TfLiteTensor* y = pl_input(sg, node, 1);
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (!pl_same_shape(x, y) || !pl_same_shape(x, output)) {
    pl_report(sg, "MUL input shapes changed since prepare.");
    return kTfLiteError;
  }
  const void* in[2] = {x->data.raw_const, y->data.raw_const};
  const int64_t step[2] = {1, 1};
  data->qrow(output->data.raw, in, step, pl_num_elements(x), &data->q);
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
  PL_ENSURE_OK(pl_bin_check_arity(sg, node, "MUL", 2, 1));
  PL_ENSURE(sg, node->user_data != NULL);
  if (mul_is_mixed(pl_input(sg, node, 0), pl_input(sg, node, 1),
                   pl_output(sg, node, 0)))
    return mul_prepare_mixed(sg, node);
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
  if (mul_is_mixed(pl_input(sg, node, 0), pl_input(sg, node, 1),
                   pl_output(sg, node, 0)))
    return mul_eval_mixed(sg, node);
  return pl_binq_eval(sg, node, &kMul);
}

const PlKernel pl_kernel_mul = {
    .name = "MUL",
    .init = mul_init,
    .free = pl_binary_free,
    .prepare = mul_prepare,
    .eval = mul_eval,
    .types = "float32, int32, int64, int16, complex64; quantized int8, "
             "uint8, int16, int16 x int16 -> int8 / uint8",
};
