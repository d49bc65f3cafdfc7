/* pylite: BIDIRECTIONAL_SEQUENCE_LSTM, float32 and hybrid.
 *
 * As TFLite's builtin kernel: a forward LSTM over the sequence and a
 * backward one over it in reverse (math in internal/sequence_lstm.h), with
 * 48 inputs:
 *   0 input [time, batch, n_input] ([batch, time, n_input] unless
 *     time_major)
 *   1-17 forward weights, 18-34 backward weights, each in the order
 *     input_to_{input,forget,cell,output}, recurrent_to_{...},
 *     cell_to_{input,forget,output}, {input,forget,cell,output} gate bias,
 *     projection weights, projection bias (CIFG, peephole and projection
 *     optional as in UNIDIRECTIONAL_SEQUENCE_LSTM; no layer norm)
 *   35/36 forward output/cell state, 37/38 backward output/cell state:
 *     variable tensors, written back (they persist across invokes)
 *   39 aux input (optional), 40-43 forward and 44-47 backward
 *     aux_input_to_{input,forget,cell,output} weights (optional).
 * With aux weights, both directions add W_aux . aux_input to their gates;
 * with an aux input but no aux weights, the backward LSTM reads the aux
 * input instead of the input (stacking without cross links).
 * Options: fused activation, cell_clip, proj_clip, merge_outputs (one
 * output [.., fw_output + bw_output], forward values first), time_major
 * (its schema default is true; options of another union type read as
 * TFLite's zeroed parameters: time_major false).
 *
 * Both directions must have the same cell and output sizes, as TFLite
 * checks. Activation NONE reproduces TFLite's reading of its gate buffers
 * as UNIDIRECTIONAL_SEQUENCE_LSTM does. Differences: as
 * UNIDIRECTIONAL_SEQUENCE_LSTM (sums and transcendentals agree to float
 * rounding); with
 * merge_outputs and batch-major input TFLite offsets each batch row's
 * output state by the merged row width (reading past the state for
 * batch > 1): pylite uses the row's own state.
 *
 * Hybrid (float input, int8 weight matrices quantized per tensor with zero
 * point 0, float biases): both directions run TFLite's hybrid step
 * (internal/sequence_lstm_hybrid.c), quantizing the input, aux input and
 * output state per batch row at every step (asymmetric_quantize_inputs
 * picks asymmetric or symmetric). Results agree to float rounding of the
 * gates, which can move a quantized value by one step. An integer form
 * (int8 input) is not supported yet; LiteRT has none either, and the
 * converter turns a Keras Bidirectional LSTM into two
 * UNIDIRECTIONAL_SEQUENCE_LSTMs. */
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/sequence_lstm.h"

static const char kOp[] = "BIDIRECTIONAL_SEQUENCE_LSTM";

enum {
  kInput = 0,
  kFwOutputState = 35,
  kFwCellState = 36,
  kBwOutputState = 37,
  kBwCellState = 38,
  kAuxInput = 39,
  kFwOutput = 0,
  kBwOutput = 1,
};

/* Schema BuiltinOptions union type and BidirectionalSequenceLSTMOptions
 * field ids. */
enum { kOptionsType = 69 };
enum {
  kFieldActivation = 0,
  kFieldCellClip = 1,
  kFieldProjClip = 2,
  kFieldMergeOutputs = 3,
  kFieldTimeMajor = 4,
  kFieldAsymmetricQuantizeInputs = 5,
};

static const PlLstmSlots kFw = {
    .in = {1, 2, 3, 4},
    .rec = {5, 6, 7, 8},
    .peep = {9, 10, -1, 11},
    .bias = {12, 13, 14, 15},
    .proj = 16,
    .proj_bias = 17,
    .norm = {-1, -1, -1, -1},
    .aux = {40, 41, 42, 43},
};
static const PlLstmSlots kBw = {
    .in = {18, 19, 20, 21},
    .rec = {22, 23, 24, 25},
    .peep = {26, 27, -1, 28},
    .bias = {29, 30, 31, 32},
    .proj = 33,
    .proj_bias = 34,
    .norm = {-1, -1, -1, -1},
    .aux = {44, 45, 46, 47},
};

typedef struct BiData {
  int activation;
  float cell_clip, proj_clip;
  bool merge_outputs, time_major, asymmetric;
  bool hybrid;       /* float input, int8 weights */
  PlLstmRun fw, bw; /* from prepare */
  bool use_aux;     /* aux weights present: both directions read aux */
  bool bw_reads_aux; /* aux input without weights: bw runs on it */
  float* scratch;
  int64_t scratch_floats;
  PlLstmPacked fw_packed, bw_packed;
} BiData;

static TfLiteStatus bi_init(PlSubgraph* sg, PlNode* node) {
  BiData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
    d->cell_clip = pl_fb_f32(o, kFieldCellClip, 0.0f);
    d->proj_clip = pl_fb_f32(o, kFieldProjClip, 0.0f);
    d->merge_outputs = pl_fb_bool(o, kFieldMergeOutputs, false);
    d->time_major = pl_fb_bool(o, kFieldTimeMajor, true);
    d->asymmetric = pl_fb_bool(o, kFieldAsymmetricQuantizeInputs, false);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void bi_free(PlNode* node) {
  BiData* d = node->user_data;
  if (d) {
    free(d->scratch);
    free(d->fw_packed.data);
    free(d->bw_packed.data);
  }
  free(d);
  node->user_data = NULL;
}

static TfLiteStatus check_output(PlSubgraph* sg, TfLiteTensor* out,
                                 const char* what) {
  if (!out) {
    pl_report(sg, "%s: the %s output is missing.", kOp, what);
    return kTfLiteError;
  }
  if (out->type != kTfLiteFloat32) {
    pl_report(sg, "%s: the %s output must be float32, got %s.", kOp, what,
              TfLiteTypeGetName(out->type));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static TfLiteStatus bi_prepare(PlSubgraph* sg, PlNode* node) {
  BiData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  const int want_out = d->merge_outputs ? 1 : 2;
  if (pl_num_inputs(node) != 48 || pl_num_outputs(node) != want_out) {
    pl_report(sg, "%s takes 48 inputs and %d output%s (merge_outputs %s), got "
              "%d and %d.", kOp, want_out, want_out == 1 ? "" : "s",
              d->merge_outputs ? "true" : "false", pl_num_inputs(node),
              pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* w_out = pl_input(sg, node, kFw.in[PL_LSTM_O]);
  if (!input || !w_out) {
    pl_report(sg, "%s: the input or forward input_to_output weights are "
              "missing.", kOp);
    return kTfLiteError;
  }
  d->hybrid = input->type == kTfLiteFloat32 && w_out->type == kTfLiteInt8;
  if (!d->hybrid)
    PL_ENSURE_OK(pl_seq_check_float(sg, kOp, input, w_out, d->asymmetric));
  static const PlLstmTypes kHybridTypes = {kTfLiteInt8, kTfLiteInt8,
                                           kTfLiteFloat32, kTfLiteFloat32,
                                           kTfLiteFloat32};
  const PlLstmTypes* types = d->hybrid ? &kHybridTypes : NULL;
  if (!pl_seq_activation_valid(d->activation)) {
    pl_report(sg, "%s: unknown fused activation %d.", kOp, d->activation);
    return kTfLiteError;
  }
  if (!(d->cell_clip >= 0.0f) || !(d->proj_clip >= 0.0f)) {
    pl_report(sg, "%s: cell_clip (%g) and proj_clip (%g) must be >= 0.", kOp,
              (double)d->cell_clip, (double)d->proj_clip);
    return kTfLiteError;
  }
  char shape[160];
  pl_shape_string(input->dims, shape, sizeof(shape));
  if (input->dims->size != 3) {
    pl_report(sg, "%s: the input must be 3-D [%s, n_input], got %s.", kOp,
              d->time_major ? "time, batch" : "batch, time", shape);
    return kTfLiteError;
  }
  const int max_time = input->dims->data[d->time_major ? 0 : 1];
  const int n_batch = input->dims->data[d->time_major ? 1 : 0];
  const int n_input = input->dims->data[2];

  /* Aux input and weights. */
  const TfLiteTensor* aux = pl_input(sg, node, kAuxInput);
  int aux_w = 0, aux_present = 0;
  for (int k = 0; k < 4; ++k) {
    if (k == PL_LSTM_I) continue;
    aux_w += pl_input(sg, node, kFw.aux[k]) != NULL;
    aux_w += pl_input(sg, node, kBw.aux[k]) != NULL;
  }
  if (aux_w != 0 && aux_w != 6) {
    pl_report(sg, "%s: the aux_input_to_{forget,cell,output} weights of both "
              "directions must all be present or all be omitted.", kOp);
    return kTfLiteError;
  }
  d->use_aux = aux_w == 6;
  int n_aux = 0;
  if (aux) {
    char a[160];
    pl_shape_string(aux->dims, a, sizeof(a));
    if (aux->type != kTfLiteFloat32 || aux->dims->size != 3 ||
        aux->dims->data[0] != input->dims->data[0] ||
        aux->dims->data[1] != input->dims->data[1] ||
        (!d->use_aux && aux->dims->data[2] != n_input)) {
      pl_report(sg, "%s: the aux input must be float32 and 3-D with the "
                "input's first two dims%s: input %s, aux input %s %s.", kOp,
                d->use_aux ? "" : " and last dim (no aux weights)", shape,
                TfLiteTypeGetName(aux->type), a);
      return kTfLiteError;
    }
    aux_present = 1;
    n_aux = aux->dims->data[2];
  } else if (d->use_aux) {
    pl_report(sg, "%s: aux input weights are given without an aux input "
              "(input 39).", kOp);
    return kTfLiteError;
  }
  d->bw_reads_aux = aux_present && !d->use_aux;

  PlLstmRun* runs[2] = {&d->fw, &d->bw};
  const PlLstmSlots* slots[2] = {&kFw, &kBw};
  const char* dirs[2] = {"forward ", "backward "};
  for (int q = 0; q < 2; ++q) {
    PlLstmRun* r = runs[q];
    memset(r, 0, sizeof(*r));
    r->activation = d->activation;
    r->cell_clip = d->cell_clip;
    r->proj_clip = d->proj_clip;
    r->time_major = d->time_major;
    r->forward = q == 0;
    r->max_time = max_time;
    r->n_batch = n_batch;
    r->n_input = n_input;
    r->n_aux = d->use_aux ? n_aux : 0;
    PL_ENSURE_OK(pl_lstm_prepare_weights(sg, node, kOp, dirs[q], slots[q],
                                         n_input, r->n_aux, false, types,
                                         &r->n_cell,
                                         &r->n_output));
  }
  if (d->fw.n_cell != d->bw.n_cell || d->fw.n_output != d->bw.n_output) {
    pl_report(sg, "%s: both directions must have the same cell and output "
              "sizes: forward %d and %d, backward %d and %d.", kOp,
              d->fw.n_cell, d->fw.n_output, d->bw.n_cell, d->bw.n_output);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_seq_check_state(sg, kOp, "forward output state (input 35)",
                                  pl_input(sg, node, kFwOutputState),
                                  (int64_t)n_batch * d->fw.n_output));
  PL_ENSURE_OK(pl_seq_check_state(sg, kOp, "forward cell state (input 36)",
                                  pl_input(sg, node, kFwCellState),
                                  (int64_t)n_batch * d->fw.n_cell));
  PL_ENSURE_OK(pl_seq_check_state(sg, kOp, "backward output state (input 37)",
                                  pl_input(sg, node, kBwOutputState),
                                  (int64_t)n_batch * d->bw.n_output));
  PL_ENSURE_OK(pl_seq_check_state(sg, kOp, "backward cell state (input 38)",
                                  pl_input(sg, node, kBwCellState),
                                  (int64_t)n_batch * d->bw.n_cell));

  TfLiteTensor* fw_out = pl_output(sg, node, kFwOutput);
  PL_ENSURE_OK(check_output(sg, fw_out, "forward"));
  const int d0 = input->dims->data[0], d1 = input->dims->data[1];
  if (d->merge_outputs) {
    d->fw.out_stride = d->bw.out_stride = d->fw.n_output + d->bw.n_output;
    d->bw.out_offset = d->fw.n_output;
    const int dims[3] = {d0, d1, d->fw.out_stride};
    PL_ENSURE_OK(pl_resize(sg, fw_out, 3, dims));
  } else {
    TfLiteTensor* bw_out = pl_output(sg, node, kBwOutput);
    PL_ENSURE_OK(check_output(sg, bw_out, "backward"));
    d->fw.out_stride = d->fw.n_output;
    d->bw.out_stride = d->bw.n_output;
    const int fw_dims[3] = {d0, d1, d->fw.n_output};
    const int bw_dims[3] = {d0, d1, d->bw.n_output};
    PL_ENSURE_OK(pl_resize(sg, fw_out, 3, fw_dims));
    PL_ENSURE_OK(pl_resize(sg, bw_out, 3, bw_dims));
  }
  int64_t floats = pl_lstm_scratch_floats(n_batch, d->fw.n_cell);
  const int64_t bw_floats = pl_lstm_scratch_floats(n_batch, d->bw.n_cell);
  if (bw_floats > floats) floats = bw_floats;
  if (d->hybrid) {
    PL_ENSURE_OK(pl_lstm_hybrid_check(sg, node, kOp, "forward ", &kFw));
    PL_ENSURE_OK(pl_lstm_hybrid_check(sg, node, kOp, "backward ", &kBw));
    const int64_t a = pl_lstm_hybrid_scratch_bytes(&d->fw);
    const int64_t b = pl_lstm_hybrid_scratch_bytes(&d->bw);
    floats = ((a > b ? a : b) + 3) / 4;
    PL_ENSURE_OK(pl_lstm_hybrid_prepare_packed(sg, node, kOp, &kFw, &d->fw,
                                               &d->fw_packed));
    PL_ENSURE_OK(pl_lstm_hybrid_prepare_packed(sg, node, kOp, &kBw, &d->bw,
                                               &d->bw_packed));
  } else {
    PL_ENSURE_OK(pl_lstm_prepare_packed(sg, node, kOp, &kFw, &d->fw,
                                        &d->fw_packed));
    PL_ENSURE_OK(pl_lstm_prepare_packed(sg, node, kOp, &kBw, &d->bw,
                                        &d->bw_packed));
  }
  return pl_seq_reserve(sg, kOp, &d->scratch, &d->scratch_floats, floats);
}

static TfLiteStatus bi_eval(PlSubgraph* sg, PlNode* node) {
  BiData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* aux = pl_input(sg, node, kAuxInput);
  TfLiteTensor* fw_out = pl_output(sg, node, kFwOutput);
  TfLiteTensor* bw_out =
      d->merge_outputs ? fw_out : pl_output(sg, node, kBwOutput);
  const float* aux_data = d->use_aux ? aux->data.f : NULL;
  const float* bw_input = d->bw_reads_aux ? aux->data.f : input->data.f;
  if (d->hybrid) {
    PlLstmHybridWeights hw;
    pl_lstm_hybrid_bind_packed(sg, node, &kFw, &d->fw, &d->fw_packed, &hw);
    pl_lstm_hybrid_eval(&hw, &d->fw, d->asymmetric, input->data.f, aux_data,
                        pl_input(sg, node, kFwOutputState)->data.f,
                        pl_input(sg, node, kFwCellState)->data.f,
                        fw_out->data.f, d->scratch);
    pl_lstm_hybrid_bind_packed(sg, node, &kBw, &d->bw, &d->bw_packed, &hw);
    pl_lstm_hybrid_eval(&hw, &d->bw, d->asymmetric, bw_input, aux_data,
                        pl_input(sg, node, kBwOutputState)->data.f,
                        pl_input(sg, node, kBwCellState)->data.f,
                        bw_out->data.f, d->scratch);
    return kTfLiteOk;
  }
  PlLstmWeights w;
  pl_lstm_bind_packed(sg, node, &kFw, &d->fw, &d->fw_packed, &w);
  pl_lstm_eval(&w, &d->fw, input->data.f, aux_data,
               pl_input(sg, node, kFwOutputState)->data.f,
               pl_input(sg, node, kFwCellState)->data.f, fw_out->data.f,
               d->scratch);
  pl_lstm_bind_packed(sg, node, &kBw, &d->bw, &d->bw_packed, &w);
  pl_lstm_eval(&w, &d->bw, bw_input, aux_data,
               pl_input(sg, node, kBwOutputState)->data.f,
               pl_input(sg, node, kBwCellState)->data.f, bw_out->data.f,
               d->scratch);
  return kTfLiteOk;
}

const PlKernel pl_kernel_bidirectional_sequence_lstm = {
    .name = "BIDIRECTIONAL_SEQUENCE_LSTM",
    .init = bi_init,
    .free = bi_free,
    .prepare = bi_prepare,
    .eval = bi_eval,
    .types = "float32, hybrid (float32 with int8 weights)",
};
