/* pylite: UNIDIRECTIONAL_SEQUENCE_LSTM: float32, hybrid and integer.
 *
 * As TFLite's builtin kernel (lstm_eval.cc; the math is in
 * internal/sequence_lstm.h). Inputs (20, or 24 with layer norm):
 *   0 input [batch, time, n_input] ([time, batch, n_input] when time_major)
 *   1-4 input_to_{input,forget,cell,output} weights [n_cell, n_input]
 *   5-8 recurrent_to_{input,forget,cell,output} weights [n_cell, n_output]
 *       (or [n_cell]: a diagonal recurrence, n_output = n_cell; float only)
 *   9-11 cell_to_{input,forget,output} peephole weights [n_cell] (optional)
 *   12-15 {input,forget,cell,output} gate bias [n_cell]
 *   16 projection weights [n_output, n_cell], 17 projection bias [n_output]
 *   18 output state [batch, n_output], 19 cell state [batch, n_cell]:
 *      variable tensors, read and written back (they persist across
 *      invokes; TfLiteInterpreterResetVariableTensors resets them)
 *   20-23 {input,forget,cell,output} layer norm coefficients [n_cell]
 * CIFG (input_to_input and recurrent_to_input omitted) uses i = 1 - f.
 * Options: fused activation (the cell gate's and the cell output's;
 * sigmoid is used for the other gates), cell_clip and proj_clip (> 0:
 * clip to [-clip, clip]; negative is an error), time_major,
 * asymmetric_quantize_inputs (hybrid).
 * The output has the input's shape with the last dim n_output.
 *
 * Three forms, chosen at prepare from the types:
 * - float32 everywhere.
 * - Hybrid (what quantize="dynamic" emits): float input, states, biases
 *   and layer norm coefficients; int8 weight matrices and peepholes, one
 *   scale each, zero point 0 (per-channel weights are rejected: TFLite
 *   would read only the first scale). Every step quantizes the input and
 *   output state per batch row (asymmetric with a zero point when
 *   asymmetric_quantize_inputs, else symmetric), multiplies in int32 and
 *   scales the sums back to float (internal/sequence_lstm_hybrid.c).
 * - Integer (what quantize="int8" emits for a Keras LSTM): int8 input,
 *   output, output state and weights, int16 cell state with a power-of-two
 *   scale, int32 biases, int16 peepholes, and five intermediate tensors of
 *   which the fifth gives the hidden state's scale and zero point. TFLite's
 *   8x8->16 arithmetic, bit for bit (internal/sequence_lstm_int.c): the
 *   fused activation is ignored (gates use integer sigmoid and tanh). With
 *   a cell scale outside 2^-15..2^-9 TFLite skips the output's tanh and
 *   reuses the input gate's values; pylite does the same (and refuses it
 *   with CIFG, where that buffer is undefined). With layer norm (int16
 *   coefficients) the first four intermediates give the gate sums' scales
 *   and TFLite's integer normalization is reproduced, including its
 *   integer mean and variance for cell counts that are not powers of two.
 *   The converter emits no 16x8 LSTM.
 *
 * Activation NONE (also what absent options give) reproduces TFLite,
 * which applies no activation and so reads its gate buffers as they were
 * left: h = o * g (the cell gate, not the cell state), and in the float
 * form the cell gate holds only part of its sum after an all-zero input
 * step or with a diagonal recurrence (see internal/sequence_lstm.c).
 *
 * Differences: without projection n_output must equal n_cell (TFLite
 * reads past its buffer); the input must be 3-D. Float sums are in a
 * fixed order where TFLite uses its GEMM, and sigmoid/tanh are libm's
 * where TFLite uses Eigen's: float results agree to float rounding
 * (measured within 1.1e-6 of the largest output), not bit for bit; in the
 * hybrid form such a rounding difference could also move one value of the
 * next step's quantized state by a step (not seen in the suite: measured
 * within 2e-7 of the largest output). Integer results are exact. */
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/sequence_lstm.h"

static const char kOp[] = "UNIDIRECTIONAL_SEQUENCE_LSTM";

enum { kInput = 0, kOutputState = 18, kCellState = 19, kOutput = 0 };

/* Schema BuiltinOptions union type and UnidirectionalSequenceLSTMOptions
 * field ids. */
enum { kOptionsType = 71 };
enum {
  kFieldActivation = 0,
  kFieldCellClip = 1,
  kFieldProjClip = 2,
  kFieldTimeMajor = 3,
  kFieldAsymmetricQuantizeInputs = 4,
};

static const PlLstmSlots kSlots = {
    .in = {1, 2, 3, 4},
    .rec = {5, 6, 7, 8},
    .peep = {9, 10, -1, 11},
    .bias = {12, 13, 14, 15},
    .proj = 16,
    .proj_bias = 17,
    .norm = {20, 21, 22, 23},
    .aux = {-1, -1, -1, -1},
};

/* Which arithmetic the node runs, decided at prepare from the types. */
typedef enum { kFloat, kHybrid, kInteger } LstmMode;

typedef struct LstmData {
  int activation;
  float cell_clip, proj_clip;
  bool time_major, asymmetric;
  LstmMode mode;
  PlLstmRun run; /* sizes from prepare */
  PlLstmIntParams iparams;
  float* scratch; /* floats for kFloat, bytes for the others */
  int64_t scratch_floats;
  PlLstmPacked packed; /* kFloat and kHybrid */
} LstmData;

static const PlLstmTypes kHybridTypes = {kTfLiteInt8, kTfLiteInt8,
                                         kTfLiteFloat32, kTfLiteFloat32,
                                         kTfLiteFloat32};
static const PlLstmTypes kIntegerTypes = {kTfLiteInt8, kTfLiteInt16,
                                          kTfLiteInt16, kTfLiteInt32,
                                          kTfLiteInt32};

/* The mode of an input / weights type pair, or a "not supported" error. */
static TfLiteStatus pick_mode(PlSubgraph* sg, const TfLiteTensor* input,
                              const TfLiteTensor* weights, LstmMode* mode) {
  if (input->type == kTfLiteFloat32 && weights->type == kTfLiteFloat32) {
    *mode = kFloat;
    return kTfLiteOk;
  }
  if (input->type == kTfLiteFloat32 && weights->type == kTfLiteInt8) {
    *mode = kHybrid;
    return kTfLiteOk;
  }
  if (input->type == kTfLiteInt8 && weights->type == kTfLiteInt8) {
    *mode = kInteger;
    return kTfLiteOk;
  }
  pl_report(sg, "%s with %s input and %s weights is not supported yet; "
            "float32, hybrid (float32 input, int8 weights) and int8 are.",
            kOp, TfLiteTypeGetName(input->type),
            TfLiteTypeGetName(weights->type));
  return kTfLiteError;
}

static TfLiteStatus lstm_init(PlSubgraph* sg, PlNode* node) {
  LstmData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
    d->cell_clip = pl_fb_f32(o, kFieldCellClip, 0.0f);
    d->proj_clip = pl_fb_f32(o, kFieldProjClip, 0.0f);
    d->time_major = pl_fb_bool(o, kFieldTimeMajor, false);
    d->asymmetric = pl_fb_bool(o, kFieldAsymmetricQuantizeInputs, false);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void lstm_free(PlNode* node) {
  LstmData* d = node->user_data;
  if (d) {
    free(d->scratch);
    free(d->packed.data);
  }
  free(d);
  node->user_data = NULL;
}

static TfLiteStatus lstm_prepare(PlSubgraph* sg, PlNode* node) {
  LstmData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  const int n_in = pl_num_inputs(node);
  if ((n_in != 20 && n_in != 24) || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 20 or 24 inputs and 1 output, got %d and %d.",
              kOp, n_in, pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* w_out = pl_input(sg, node, kSlots.in[PL_LSTM_O]);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!input || !w_out || !output) {
    pl_report(sg, "%s: the input, input_to_output weights or output is "
              "missing.", kOp);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pick_mode(sg, input, w_out, &d->mode));
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
  PlLstmRun* r = &d->run;
  memset(r, 0, sizeof(*r));
  r->activation = d->activation;
  r->cell_clip = d->cell_clip;
  r->proj_clip = d->proj_clip;
  r->time_major = d->time_major;
  r->forward = true;
  r->max_time = input->dims->data[d->time_major ? 0 : 1];
  r->n_batch = input->dims->data[d->time_major ? 1 : 0];
  r->n_input = input->dims->data[2];
  const PlLstmTypes* types = d->mode == kFloat    ? &pl_lstm_float_types
                             : d->mode == kHybrid ? &kHybridTypes
                                                  : &kIntegerTypes;
  /* Diagonal recurrent weights are a float-only form. */
  PL_ENSURE_OK(pl_lstm_prepare_weights(sg, node, kOp, "", &kSlots,
                                       r->n_input, 0, d->mode == kFloat, types,
                                       &r->n_cell, &r->n_output));
  r->out_stride = r->n_output;
  const TfLiteType state_type = d->mode == kInteger ? kTfLiteInt8
                                                    : kTfLiteFloat32;
  const TfLiteType cell_type = d->mode == kInteger ? kTfLiteInt16
                                                   : kTfLiteFloat32;
  const TfLiteTensor* h = pl_input(sg, node, kOutputState);
  const TfLiteTensor* c = pl_input(sg, node, kCellState);
  PL_ENSURE_OK(pl_seq_check_state_type(sg, kOp, "output state (input 18)", h,
                                       state_type,
                                       (int64_t)r->n_batch * r->n_output));
  PL_ENSURE_OK(pl_seq_check_state_type(sg, kOp, "cell state (input 19)", c,
                                       cell_type,
                                       (int64_t)r->n_batch * r->n_cell));
  if (output->type != state_type) {
    pl_report(sg, "%s: the output must be %s, got %s.", kOp,
              TfLiteTypeGetName(state_type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  int64_t scratch_floats = pl_lstm_scratch_floats(r->n_batch, r->n_cell);
  if (d->mode == kHybrid) {
    PL_ENSURE_OK(pl_lstm_hybrid_check(sg, node, kOp, "", &kSlots));
    scratch_floats = (pl_lstm_hybrid_scratch_bytes(r) + 3) / 4;
  } else if (d->mode == kInteger) {
    PL_ENSURE_OK(pl_lstm_int_prepare(sg, node, kOp, &kSlots, r, input, h, c,
                                     output, d->cell_clip, d->proj_clip,
                                     &d->iparams));
    scratch_floats = (pl_lstm_int_scratch_bytes(r) + 3) / 4;
  }
  PL_ENSURE_OK(pl_seq_reserve(sg, kOp, &d->scratch, &d->scratch_floats,
                              scratch_floats));
  if (d->mode == kFloat)
    PL_ENSURE_OK(pl_lstm_prepare_packed(sg, node, kOp, &kSlots, r,
                                        &d->packed));
  else if (d->mode == kHybrid)
    PL_ENSURE_OK(pl_lstm_hybrid_prepare_packed(sg, node, kOp, &kSlots, r,
                                               &d->packed));
  const int dims[3] = {input->dims->data[0], input->dims->data[1],
                       r->n_output};
  return pl_resize(sg, output, 3, dims);
}

static TfLiteStatus lstm_eval(PlSubgraph* sg, PlNode* node) {
  LstmData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  TfLiteTensor* h = pl_input(sg, node, kOutputState);
  TfLiteTensor* c = pl_input(sg, node, kCellState);
  switch (d->mode) {
    case kFloat: {
      PlLstmWeights w;
      pl_lstm_bind_packed(sg, node, &kSlots, &d->run, &d->packed, &w);
      pl_lstm_eval(&w, &d->run, input->data.f, NULL, h->data.f, c->data.f,
                   output->data.f, d->scratch);
      break;
    }
    case kHybrid: {
      PlLstmHybridWeights w;
      pl_lstm_hybrid_bind_packed(sg, node, &kSlots, &d->run, &d->packed,
                                 &w);
      pl_lstm_hybrid_eval(&w, &d->run, d->asymmetric, input->data.f, NULL,
                          h->data.f, c->data.f, output->data.f, d->scratch);
      break;
    }
    case kInteger:
      pl_lstm_int_eval(sg, node, &kSlots, &d->iparams, &d->run,
                       input->data.int8, h->data.int8, c->data.i16,
                       output->data.int8, d->scratch);
      break;
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_unidirectional_sequence_lstm = {
    .name = "UNIDIRECTIONAL_SEQUENCE_LSTM",
    .init = lstm_init,
    .free = lstm_free,
    .prepare = lstm_prepare,
    .eval = lstm_eval,
    .types = "float32, hybrid (float32 with int8 weights), int8 (int16 "
             "cell state)",
};
