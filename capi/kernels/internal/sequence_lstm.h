/* pylite: the float LSTM shared by UNIDIRECTIONAL_SEQUENCE_LSTM and
 * BIDIRECTIONAL_SEQUENCE_LSTM, and the checks both kernels make.
 *
 * One step, for each batch row (TFLite's lstm_eval.cc float path, gate
 * order input / forget / cell / output):
 *   gate  = bias + W_in . x + W_aux . aux + W_rec . h + w_peep * c
 *           (layer norm: normalize(sum without bias) * ln_coef + bias)
 *   i, f, o = sigmoid(gate); g = act(cell gate)      (CIFG: i = 1 - f)
 *   c = clip(f * c + g * i, cell_clip)               (clip when > 0)
 *   h = o * act(c); with projection h = clip(P . h + p_bias, proj_clip)
 *   (activation NONE: TFLite's h = o * g and partial cell gates, see
 *   stale_cell_gate in sequence_lstm.c)
 * The peephole of the input and forget gates reads the old c, the output
 * gate's the new one. Each dot product is summed from 0 and then added to
 * the gate. h and c are written back to the state tensors, so they carry
 * over to the next invoke. */
#ifndef PYLITE_KERNELS_INTERNAL_SEQUENCE_LSTM_H_
#define PYLITE_KERNELS_INTERNAL_SEQUENCE_LSTM_H_

#include <stdbool.h>
#include <stdint.h>

#include "capi/core/kernel.h"

/* Gate indices. */
enum { PL_LSTM_I = 0, PL_LSTM_F = 1, PL_LSTM_C = 2, PL_LSTM_O = 3 };

/* One direction's weights, NULL where absent. */
typedef struct PlLstmWeights {
  const float* in[4];   /* [n_cell, n_input]; in[I] NULL for CIFG */
  const float* aux[4];  /* [n_cell, n_aux] */
  const float* rec[4];  /* [n_cell, n_output], or [n_cell] when rec_diag */
  bool rec_diag[4];
  const float* peep[4]; /* [n_cell]; peep[C] always NULL */
  const float* norm[4]; /* layer norm coefficients [n_cell] */
  const float* bias[4]; /* [n_cell]; bias[I] NULL for CIFG */
  const float* proj;    /* [n_output, n_cell] */
  const float* proj_bias;
} PlLstmWeights;

typedef struct PlLstmRun {
  int activation; /* schema ActivationFunctionType of the cell gate/output */
  float cell_clip, proj_clip;
  bool time_major, forward;
  int max_time, n_batch, n_input, n_aux, n_cell, n_output;
  int out_stride; /* floats between output rows (the output's last dim) */
  int out_offset; /* where this direction's values start in a row */
} PlLstmRun;

/* Floats of scratch pl_lstm_eval needs. */
int64_t pl_lstm_scratch_floats(int n_batch, int n_cell);

/* Runs the whole sequence; `aux` may be NULL. */
void pl_lstm_eval(const PlLstmWeights* w, const PlLstmRun* r,
                  const float* input, const float* aux, float* output_state,
                  float* cell_state, float* output, float* scratch);

/* The activation TFLite applies for a fused activation code (NONE is the
 * identity; SIGN_BIT gives 1 for a set sign bit, else 0). */
float pl_seq_activate(int activation, float x);
bool pl_seq_activation_valid(int activation);

/* ---- Prepare helpers (messages name the op and the input) ------------- */

/* Checks that `t` is float32 with `rank` dims equal to d0 (and d1 for rank
 * 2); `what` names the input in the message. */
TfLiteStatus pl_seq_check(PlSubgraph* sg, const char* op, const char* what,
                          const TfLiteTensor* t, int rank, int d0, int d1);
/* Checks a state input: present, a variable tensor, float32, with
 * `count` elements. */
TfLiteStatus pl_seq_check_state(PlSubgraph* sg, const char* op,
                                const char* what, const TfLiteTensor* t,
                                int64_t count);
/* Rejects non-float inputs and weights with "not supported yet" messages
 * (quantized and hybrid LSTMs / RNNs are a later issue). */
TfLiteStatus pl_seq_check_float(PlSubgraph* sg, const char* op,
                                const TfLiteTensor* input,
                                const TfLiteTensor* weights,
                                bool asymmetric_quantize_inputs);

/* Tensor indices of one LSTM direction's weights in the op's inputs. */
typedef struct PlLstmSlots {
  int in[4], rec[4], peep[4], bias[4], proj, proj_bias;
  int norm[4]; /* -1 when the op has no layer norm inputs */
  int aux[4];  /* -1 when the op has no aux inputs */
} PlLstmSlots;

/* Validates one direction's weights as TFLite does (shapes, types, the
 * all-or-none rules for CIFG, peephole, projection, layer norm, aux).
 * n_input and n_aux (0 without aux weights) are known; n_cell and n_output
 * are read from the weights. allow_diag: rank-1 recurrent weights
 * (diagonal) are allowed. */
TfLiteStatus pl_lstm_prepare_weights(PlSubgraph* sg, PlNode* node,
                                     const char* op, const char* dir,
                                     const PlLstmSlots* s, int n_input,
                                     int n_aux, bool allow_diag, int* n_cell,
                                     int* n_output);
/* Fills `w` from the node's tensors (at eval: data pointers are only
 * final then). */
void pl_lstm_bind(PlSubgraph* sg, PlNode* node, const PlLstmSlots* s,
                  PlLstmWeights* w);

/* Grows a float buffer to `count` floats (contents not kept). */
TfLiteStatus pl_seq_reserve(PlSubgraph* sg, const char* op, float** buf,
                            int64_t* have, int64_t count);

#endif /* PYLITE_KERNELS_INTERNAL_SEQUENCE_LSTM_H_ */
