/* pylite: PRELU, x >= 0 ? x : x * alpha, with alpha broadcast to x.
 *
 * As TFLite's builtin PRELU for float32: input 0 is x, input 1 alpha, of one
 * type; alpha must broadcast to x's own shape (the output takes x's shape;
 * an alpha that would widen it is an error in prepare), at any rank. NaN in
 * x stays NaN, -0.0 passes through (-0.0 >= 0).
 * Quantized int8 and uint8 (x, alpha and output of one type), as LiteRT's
 * reference kernel: v = x - z_x; v >= 0 gives v * (s_x / s_out), else
 * v * (alpha - z_alpha) * (s_x s_alpha / s_out), each ratio computed in
 * float and applied as a fixed-point multiplier; plus z_out, clamped to the
 * type. int16 x takes an int8 alpha (LiteRT's 16x8 form), with the same
 * arithmetic and an int16 output. */
#include "capi/kernels/internal/binary.h"
#include "capi/kernels/internal/binary_quant.h"

PL_BIN_ROW(prelu_row_f32, float, float, x >= 0.0f ? x : x * y)

/* in_mult[0] / in_shift[0]: s_x / s_out; out_mult / out_shift:
 * s_x s_alpha / s_out. */
static inline int32_t prelu_q(const PlBinQuant* q, int32_t x, int32_t a) {
  const int32_t v = x + q->in_offset[0];
  const int32_t r = v >= 0 ? pl_q_mul(v, q->in_mult[0], q->in_shift[0])
                           : pl_q_mul(v * (a + q->in_offset[1]), q->out_mult,
                                      q->out_shift);
  return pl_q_clamp(pl_q_add(r, q->out_offset), q->lo, q->hi);
}

PL_BINQ_ROW(prelu_qrow_i8, int8_t, int8_t, prelu_q(q, x, y))
PL_BINQ_ROW(prelu_qrow_u8, uint8_t, uint8_t, prelu_q(q, x, y))

/* int16 x, int8 alpha. */
static void prelu_qrow_i16(void* out_, const void* const* in,
                           const int64_t* step, int64_t n, const void* ctx_) {
  const int16_t* x = (const int16_t*)in[0];
  const int8_t* a = (const int8_t*)in[1];
  int16_t* o = (int16_t*)out_;
  const PlBinQuant* q = (const PlBinQuant*)ctx_;
  for (int64_t i = 0; i < n; ++i)
    o[i] = (int16_t)prelu_q(q, x[i * step[0]], a[i * step[1]]);
}

static TfLiteStatus prelu_qprepare(PlSubgraph* sg, const PlNode* node,
                                   const TfLiteTensor* const* in,
                                   const TfLiteTensor* output,
                                   PlBinaryData* data) {
  (void)node;
  if (output->type == kTfLiteInt16 && in[1]->type != kTfLiteInt8) {
    pl_report(sg, "PRELU: an int16 input takes an int8 alpha (as LiteRT), "
              "got %s.", TfLiteTypeGetName(in[1]->type));
    return kTfLiteError;
  }
  const PlQuantParams px = pl_q_params(in[0]), pa = pl_q_params(in[1]);
  const PlQuantParams po = pl_q_params(output);
  PlBinQuant* q = &data->q;
  q->in_offset[0] = -px.zero_point;
  q->in_offset[1] = -pa.zero_point;
  q->out_offset = po.zero_point;
  /* Both ratios in float, as LiteRT. */
  const float m1 = px.scale / po.scale;
  const float m2 = px.scale * pa.scale / po.scale;
  pl_q_multiplier(m1, &q->in_mult[0], &q->in_shift[0]);
  pl_q_multiplier(m2, &q->out_mult, &q->out_shift);
  pl_q_type_range(output->type, &q->lo, &q->hi);
  data->qrow = output->type == kTfLiteInt8    ? prelu_qrow_i8
               : output->type == kTfLiteUInt8 ? prelu_qrow_u8
                                              : prelu_qrow_i16;
  return kTfLiteOk;
}

/* The 16x8 form, whose input types differ (the shared prepare wants one
 * type): the same checks, by hand. */
static TfLiteStatus prelu_prepare_i16(PlSubgraph* sg, PlNode* node) {
  PlBinaryData* data = node->user_data;
  const TfLiteTensor* in[2] = {pl_input(sg, node, 0), pl_input(sg, node, 1)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (output->type != kTfLiteInt16) {
    pl_report(sg, "PRELU output must be INT16 for INT16 inputs, got %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_q_check_tensor(sg, "PRELU", "input", in[0]));
  PL_ENSURE_OK(pl_q_check_tensor(sg, "PRELU", "alpha", in[1]));
  PL_ENSURE_OK(pl_q_check_tensor(sg, "PRELU", "output", output));
  PL_ENSURE_OK(prelu_qprepare(sg, node, in, output, data));
  data->quant = true;
  int dims[PL_MAX_RANK];
  int rank = 0;
  PL_ENSURE_OK(pl_bcast_prepare_shape(sg, "PRELU", 2, in, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus prelu_eval_i16(PlSubgraph* sg, PlNode* node) {
  const PlBinaryData* data = node->user_data;
  const TfLiteTensor* in[2] = {pl_input(sg, node, 0), pl_input(sg, node, 1)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  int dims[PL_MAX_RANK];
  int rank = 0;
  PL_ENSURE_OK(pl_bin_eval_shape(sg, "PRELU", 2, in, output, dims, &rank));
  PlBcast plan;
  const TfLiteIntArray* d[2] = {in[0]->dims, in[1]->dims};
  if (!pl_bcast_plan(&plan, 2, d, dims, rank)) return kTfLiteOk; /* empty */
  PlBcastRun run = {
      .out = output->data.raw,
      .out_elem = 2,
      .in = {in[0]->data.raw_const, in[1]->data.raw_const},
      .in_elem = {2, 1},
      .num_in = 2,
      .row = prelu_qrow_i16,
      .ctx = &data->q,
  };
  pl_bcast_run(&plan, &run);
  return kTfLiteOk;
}

static const PlBinaryOp kPrelu = {
    .name = "PRELU",
    .types = "float32",
    .quantized = {[kTfLiteInt8] = true, [kTfLiteUInt8] = true,
                  [kTfLiteInt16] = true},
    .qprepare = prelu_qprepare,
    .rows = {[kTfLiteFloat32] = prelu_row_f32},
};

static TfLiteStatus prelu_init(PlSubgraph* sg, PlNode* node) {
  return pl_binary_init(sg, node, &kPrelu);
}

static TfLiteStatus prelu_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_bin_check_arity(sg, node, "PRELU", 2, 1));
  PL_ENSURE(sg, node->user_data != NULL);
  if (pl_input(sg, node, 0)->type == kTfLiteInt16 &&
      pl_input(sg, node, 1)->type == kTfLiteInt8) {
    PL_ENSURE_OK(prelu_prepare_i16(sg, node));
  } else {
    PL_ENSURE_OK(pl_binary_prepare(sg, node, &kPrelu));
  }
  const TfLiteTensor* input = pl_input(sg, node, 0);
  const TfLiteTensor* alpha = pl_input(sg, node, 1);
  const TfLiteTensor* output = pl_output(sg, node, 0);
  if (!pl_same_shape(input, output)) {
    char s1[160], s2[160];
    pl_shape_string(input->dims, s1, sizeof(s1));
    pl_shape_string(alpha->dims, s2, sizeof(s2));
    pl_report(sg, "PRELU alpha %s must broadcast to the input's shape %s.",
              s2, s1);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static TfLiteStatus prelu_eval(PlSubgraph* sg, PlNode* node) {
  const PlBinaryData* data = node->user_data;
  if (data->quant && data->qrow == prelu_qrow_i16)
    return prelu_eval_i16(sg, node);
  return pl_binary_eval(sg, node, &kPrelu);
}

const PlKernel pl_kernel_prelu = {
    .name = "PRELU",
    .init = prelu_init,
    .free = pl_binary_free,
    .prepare = prelu_prepare,
    .eval = prelu_eval,
    .types = "float32; quantized int8, uint8, int16 (int8 alpha)",
};
