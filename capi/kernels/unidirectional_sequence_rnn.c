/* pylite: UNIDIRECTIONAL_SEQUENCE_RNN, float32 and hybrid.
 *
 * As TFLite's builtin kernel: for each time step
 *   h = act(bias + W_in . x + W_rec . h)
 * written to the output and back to the hidden state. Inputs: input
 * [batch, time, n_input] ([time, batch, n_input] when time_major), input
 * weights [units, n_input], recurrent weights [units, units], bias [units],
 * hidden state [batch, units] (a variable tensor: it persists across
 * invokes; TfLiteInterpreterResetVariableTensors zeroes it). Output
 * [batch, time, units] (time-major: [time, batch, units]). Options:
 * time_major, fused activation (NONE, RELU, RELU_N1_TO_1, RELU6, TANH,
 * SIGN_BIT). Each dot product is summed from 0 in order and added to the
 * accumulator, as TFLite's portable kernel; tanh is libm's (TFLite uses
 * Eigen's), so TANH results agree to float rounding.
 *
 * Hybrid (float input and state, int8 weights quantized per tensor with
 * zero point 0): as TFLite's RnnBatchStep, each step quantizes the input
 * and the hidden state per batch row (asymmetric_quantize_inputs: with a
 * zero point, else symmetric), multiplies in int32 and adds
 * dot * (row scale * weight scale) to the bias in float (quant_seq.h).
 * Results agree to float rounding of tanh, and a rounding difference can
 * move one quantized value by a step. uint8 weights are not supported. */
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_seq.h"
#include "capi/kernels/internal/sequence_lstm.h"

static const char kOp[] = "UNIDIRECTIONAL_SEQUENCE_RNN";

enum {
  kInput = 0,
  kWeights = 1,
  kRecurrent = 2,
  kBias = 3,
  kHidden = 4,
  kOutput = 0,
};

/* Schema BuiltinOptions union type and SequenceRNNOptions field ids. */
enum { kOptionsType = 31 };
enum {
  kFieldTimeMajor = 0,
  kFieldActivation = 1,
  kFieldAsymmetricQuantizeInputs = 2,
};

typedef struct RnnData {
  int activation;
  bool time_major, asymmetric;
  bool hybrid;                           /* int8 weights, float input */
  int max_time, n_batch, n_input, units; /* from prepare */
  float* scratch; /* hybrid: quantized rows, their scales and zero points */
  int64_t scratch_floats;
  PlLstmPacked packed; /* hybrid: the input, then the recurrent weights */
} RnnData;

static TfLiteStatus rnn_init(PlSubgraph* sg, PlNode* node) {
  RnnData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->time_major = pl_fb_bool(o, kFieldTimeMajor, false);
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
    d->asymmetric = pl_fb_bool(o, kFieldAsymmetricQuantizeInputs, false);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void rnn_free(PlNode* node) {
  RnnData* d = node->user_data;
  if (d) {
    free(d->scratch);
    free(d->packed.data);
  }
  free(d);
  node->user_data = NULL;
}

/* Packs the hybrid weights (input then recurrent) into d->packed. */
static void rnn_pack(RnnData* d, const int8_t* w, const int8_t* rw) {
  char* p = (char*)d->packed.data;
  pl_qs_hybrid_pack(w, d->units, d->n_input, p);
  pl_qs_hybrid_pack(rw, d->units, d->units,
                    p + pl_qs_hybrid_packed_bytes(d->units, d->n_input));
}

/* Sizes d->packed, and packs it now when both weights are constant. */
static TfLiteStatus rnn_prepare_packed(PlSubgraph* sg, PlNode* node,
                                       RnnData* d) {
  const TfLiteTensor* w = pl_input(sg, node, kWeights);
  const TfLiteTensor* rw = pl_input(sg, node, kRecurrent);
  const int64_t bytes = pl_qs_hybrid_packed_bytes(d->units, d->n_input) +
                        pl_qs_hybrid_packed_bytes(d->units, d->units);
  d->packed.ready = false;
  PL_ENSURE_OK(pl_seq_reserve(sg, kOp, &d->packed.data, &d->packed.floats,
                              (bytes + 3) / 4));
  if (pl_is_constant(w) && pl_is_constant(rw)) {
    rnn_pack(d, w->data.int8, rw->data.int8);
    d->packed.ready = true;
  }
  return kTfLiteOk;
}

static TfLiteStatus rnn_prepare(PlSubgraph* sg, PlNode* node) {
  RnnData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  if (pl_num_inputs(node) != 5 || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 5 inputs and 1 output, got %d and %d.", kOp,
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* weights = pl_input(sg, node, kWeights);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!input || !weights || !output) {
    pl_report(sg, "%s: the input, input weights or output is missing.", kOp);
    return kTfLiteError;
  }
  d->hybrid = input->type == kTfLiteFloat32 && weights->type == kTfLiteInt8;
  if (!d->hybrid)
    PL_ENSURE_OK(pl_seq_check_float(sg, kOp, input, weights, d->asymmetric));
  const TfLiteType wtype = d->hybrid ? kTfLiteInt8 : kTfLiteFloat32;
  if (!pl_seq_activation_valid(d->activation)) {
    pl_report(sg, "%s: unknown fused activation %d.", kOp, d->activation);
    return kTfLiteError;
  }
  char in_s[160], w_s[160];
  pl_shape_string(input->dims, in_s, sizeof(in_s));
  pl_shape_string(weights->dims, w_s, sizeof(w_s));
  if (input->dims->size != 3 || weights->dims->size != 2 ||
      weights->dims->data[1] != input->dims->data[2]) {
    pl_report(sg, "%s: the input must be 3-D [%s, n_input] and the input "
              "weights [units, n_input]: input %s, weights %s.", kOp,
              d->time_major ? "time, batch" : "batch, time", in_s, w_s);
    return kTfLiteError;
  }
  d->max_time = input->dims->data[d->time_major ? 0 : 1];
  d->n_batch = input->dims->data[d->time_major ? 1 : 0];
  d->n_input = input->dims->data[2];
  d->units = weights->dims->data[0];
  PL_ENSURE_OK(pl_seq_check_type(sg, kOp, "recurrent weights",
                                 pl_input(sg, node, kRecurrent), wtype, 2,
                                 d->units, d->units));
  if (d->hybrid) {
    const PlQuantRule rule = {-1, true};
    PL_ENSURE_OK(pl_q_check(sg, kOp, "input weights (hybrid)", weights,
                            &rule));
    PL_ENSURE_OK(pl_q_check(sg, kOp, "recurrent weights (hybrid)",
                            pl_input(sg, node, kRecurrent), &rule));
    /* Quantized rows (the larger of input and state), then per row a scale
     * and a zero point. */
    const int64_t rows = d->n_batch > 0 ? d->n_batch : 1;
    const int64_t width = d->n_input > d->units ? d->n_input : d->units;
    PL_ENSURE_OK(pl_seq_reserve(sg, kOp, &d->scratch, &d->scratch_floats,
                                (rows * width + 3) / 4 + 2 * rows));
    PL_ENSURE_OK(rnn_prepare_packed(sg, node, d));
  }
  PL_ENSURE_OK(pl_seq_check(sg, kOp, "bias", pl_input(sg, node, kBias), 1,
                            d->units, 0));
  const TfLiteTensor* hidden = pl_input(sg, node, kHidden);
  PL_ENSURE_OK(pl_seq_check_state(sg, kOp, "hidden state (input 4)", hidden,
                                  (int64_t)d->n_batch * d->units));
  PL_ENSURE_OK(pl_seq_check(sg, kOp, "hidden state (input 4)", hidden, 2,
                            d->n_batch, d->units));
  if (output->type != kTfLiteFloat32) {
    pl_report(sg, "%s: the output must be float32, got %s.", kOp,
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  const int dims[3] = {input->dims->data[0], input->dims->data[1], d->units};
  return pl_resize(sg, output, 3, dims);
}

/* One step for `rows` batch rows: out = act(bias + W x + R h); h = out. */
static void rnn_step(const RnnData* d, const float* w, const float* rw,
                     const float* bias, int rows, const float* x, float* h,
                     float* out) {
  const int u = d->units, n = d->n_input;
  for (int b = 0; b < rows; ++b) {
    const float* xb = x + (int64_t)b * n;
    const float* hb = h + (int64_t)b * u;
    float* ob = out + (int64_t)b * u;
    for (int j = 0; j < u; ++j) {
      float acc = bias[j];
      float s = 0.0f;
      for (int k = 0; k < n; ++k) s += w[(int64_t)j * n + k] * xb[k];
      acc += s;
      s = 0.0f;
      for (int k = 0; k < u; ++k) s += rw[(int64_t)j * u + k] * hb[k];
      ob[j] = acc + s;
    }
  }
  /* All rows read the old state above before any is replaced. */
  const int64_t count = (int64_t)rows * u;
  pl_seq_activate_row(d->activation, out, out, count);
  memmove(h, out, sizeof(float) * (size_t)count);
}

/* The hybrid step (TFLite's RnnBatchStep with int8 weights): out = bias;
 * out += int8 products of the quantized input and of the quantized state,
 * scaled back to float; then the activation. */
static void rnn_step_hybrid(const RnnData* d, const void* w, float w_scale,
                            const void* rw, float rw_scale,
                            const float* bias, int rows, const float* x,
                            float* h, float* out, float* scratch) {
  const int u = d->units, n = d->n_input;
  float* scales = scratch;
  int32_t* zps = (int32_t*)(void*)(scratch + rows);
  int8_t* q = (int8_t*)(void*)(scratch + 2 * (int64_t)rows);
  int32_t* zp = d->asymmetric ? zps : NULL;
  for (int b = 0; b < rows; ++b)
    memcpy(out + (int64_t)b * u, bias, sizeof(float) * (size_t)u);
  pl_qs_quantize_rows(x, rows, n, q, scales, zps, d->asymmetric);
  pl_qs_hybrid_matvec(w, w_scale, u, n, q, scales, zp, rows, out, u);
  pl_qs_quantize_rows(h, rows, u, q, scales, zps, d->asymmetric);
  pl_qs_hybrid_matvec(rw, rw_scale, u, u, q, scales, zp, rows, out, u);
  const int64_t count = (int64_t)rows * u;
  pl_seq_activate_row(d->activation, out, out, count);
  memmove(h, out, sizeof(float) * (size_t)count);
}

static TfLiteStatus rnn_eval_hybrid(PlSubgraph* sg, PlNode* node) {
  RnnData* d = node->user_data;
  const TfLiteTensor* wt = pl_input(sg, node, kWeights);
  const TfLiteTensor* rwt = pl_input(sg, node, kRecurrent);
  if (!d->packed.ready) rnn_pack(d, wt->data.int8, rwt->data.int8);
  const char* w = (const char*)d->packed.data;
  const char* rw = w + pl_qs_hybrid_packed_bytes(d->units, d->n_input);
  const float ws = pl_q_params(wt).scale, rws = pl_q_params(rwt).scale;
  const float* x = pl_input(sg, node, kInput)->data.f;
  const float* bias = pl_input(sg, node, kBias)->data.f;
  float* h = pl_input(sg, node, kHidden)->data.f;
  float* out = pl_output(sg, node, kOutput)->data.f;
  const int T = d->max_time, B = d->n_batch, u = d->units, n = d->n_input;
  if (d->time_major) {
    for (int t = 0; t < T; ++t)
      rnn_step_hybrid(d, w, ws, rw, rws, bias, B, x + (int64_t)t * B * n, h,
                      out + (int64_t)t * B * u, d->scratch);
    return kTfLiteOk;
  }
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      rnn_step_hybrid(d, w, ws, rw, rws, bias, 1,
                      x + ((int64_t)b * T + t) * n, h + (int64_t)b * u,
                      out + ((int64_t)b * T + t) * u, d->scratch);
  return kTfLiteOk;
}

static TfLiteStatus rnn_eval(PlSubgraph* sg, PlNode* node) {
  const RnnData* d = node->user_data;
  if (d->hybrid) return rnn_eval_hybrid(sg, node);
  const float* x = pl_input(sg, node, kInput)->data.f;
  const float* w = pl_input(sg, node, kWeights)->data.f;
  const float* rw = pl_input(sg, node, kRecurrent)->data.f;
  const float* bias = pl_input(sg, node, kBias)->data.f;
  float* h = pl_input(sg, node, kHidden)->data.f;
  float* out = pl_output(sg, node, kOutput)->data.f;
  const int T = d->max_time, B = d->n_batch, u = d->units, n = d->n_input;
  if (d->time_major) {
    for (int t = 0; t < T; ++t)
      rnn_step(d, w, rw, bias, B, x + (int64_t)t * B * n, h,
               out + (int64_t)t * B * u);
    return kTfLiteOk;
  }
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t)
      rnn_step(d, w, rw, bias, 1, x + ((int64_t)b * T + t) * n,
               h + (int64_t)b * u, out + ((int64_t)b * T + t) * u);
  return kTfLiteOk;
}

const PlKernel pl_kernel_unidirectional_sequence_rnn = {
    .name = "UNIDIRECTIONAL_SEQUENCE_RNN",
    .init = rnn_init,
    .free = rnn_free,
    .prepare = rnn_prepare,
    .eval = rnn_eval,
    .types = "float32, hybrid (float32 with int8 weights)",
};
