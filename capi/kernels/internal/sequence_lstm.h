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
  /* The in/aux/rec matrices packed for the shared GEMM (internal/gemm.h),
   * or NULL: set by pl_lstm_use_packed, read by pl_lstm_eval. */
  const float* packed_in[4];
  const float* packed_aux[4];
  const float* packed_rec[4];
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

/* Floats of scratch pl_lstm_eval needs: the gates and products of a
 * batch. */
int64_t pl_lstm_scratch_floats(int n_batch, int n_cell);

/* One direction's matrices packed for pl_lstm_eval (or, hybrid,
 * pl_lstm_hybrid_eval), kept by its kernel:
 * packed once in prepare when they are constant, else at every eval. */
typedef struct PlLstmPacked {
  float* data;
  int64_t floats;
  bool ready; /* data holds the constant matrices */
} PlLstmPacked;

/* The end of one float gate's nc values: with layer norm coefficients,
 * TFLite's MeanStddevNormalization, then the coefficients and the bias
 * (added here: the sums left it out); then the gate's activation (the
 * logistic of vmath.h, or `activation` for the cell gate PL_LSTM_C). */
void pl_lstm_gate_finish(float* g, int nc, int k, const float* norm,
                         const float* bias, int activation);

/* Runs the whole sequence; `aux` may be NULL. */
void pl_lstm_eval(const PlLstmWeights* w, const PlLstmRun* r,
                  const float* input, const float* aux, float* output_state,
                  float* cell_state, float* output, float* scratch);

/* The activation TFLite applies for a fused activation code (NONE is the
 * identity; SIGN_BIT gives 1 for a set sign bit, else 0). */
float pl_seq_activate(int activation, float x);
bool pl_seq_activation_valid(int activation);
/* y[k] = pl_seq_activate(activation, x[k]) for k < n (y may be x), TANH
 * with the vector tanh of vmath.h (within 3 ulp of libm's tanhf). */
void pl_seq_activate_row(int activation, const float* x, float* y, int64_t n);

/* hc = o * act(c) over n values, the cell output before the projection.
 * With activation NONE, TFLite leaves act(c) unwritten in the buffer that
 * holds the cell gate g, so hc = o * g; pylite does the same. */
void pl_lstm_cell_output(const float* o, const float* g, const float* c,
                         float* hc, int64_t n, int activation);

/* ---- Prepare helpers (messages name the op and the input) ------------- */

/* Checks that `t` is float32 with `rank` dims equal to d0 (and d1 for rank
 * 2); `what` names the input in the message. */
TfLiteStatus pl_seq_check(PlSubgraph* sg, const char* op, const char* what,
                          const TfLiteTensor* t, int rank, int d0, int d1);
/* The same for a tensor of type `type`. */
TfLiteStatus pl_seq_check_type(PlSubgraph* sg, const char* op,
                               const char* what, const TfLiteTensor* t,
                               TfLiteType type, int rank, int d0, int d1);
/* Checks a state input: present, a variable tensor, float32, with
 * `count` elements. */
TfLiteStatus pl_seq_check_state(PlSubgraph* sg, const char* op,
                                const char* what, const TfLiteTensor* t,
                                int64_t count);
/* The same for a state of type `type` (int8 / int16 in integer LSTMs). */
TfLiteStatus pl_seq_check_state_type(PlSubgraph* sg, const char* op,
                                     const char* what, const TfLiteTensor* t,
                                     TfLiteType type, int64_t count);
/* Rejects non-float inputs and weights with "not supported yet" messages
 * (the kernels call it for the forms they do not handle: integer
 * BIDIRECTIONAL_SEQUENCE_LSTM and RNN, uint8 / int16 weights). */
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

/* The tensor types of one LSTM direction: float32 everywhere for the float
 * path; int8 matrices (and float biases) for hybrid; int8 matrices, int16
 * peephole and layer norm, int32 biases for the integer path. */
typedef struct PlLstmTypes {
  TfLiteType matrix; /* input, recurrent, aux, projection weights */
  TfLiteType peep, norm, bias, proj_bias;
} PlLstmTypes;
extern const PlLstmTypes pl_lstm_float_types;

/* Validates one direction's weights as TFLite does (shapes, types, the
 * all-or-none rules for CIFG, peephole, projection, layer norm, aux).
 * n_input and n_aux (0 without aux weights) are known; n_cell and n_output
 * are read from the weights. allow_diag: rank-1 recurrent weights
 * (diagonal) are allowed. */
TfLiteStatus pl_lstm_prepare_weights(PlSubgraph* sg, PlNode* node,
                                     const char* op, const char* dir,
                                     const PlLstmSlots* s, int n_input,
                                     int n_aux, bool allow_diag,
                                     const PlLstmTypes* types, int* n_cell,
                                     int* n_output);
/* Fills `w` from the node's tensors (at eval: data pointers are only
 * final then). */
void pl_lstm_bind(PlSubgraph* sg, PlNode* node, const PlLstmSlots* s,
                  PlLstmWeights* w);
/* Prepare of a float direction's packed matrices: sized for `r`, and
 * packed now when every matrix is a constant. */
TfLiteStatus pl_lstm_prepare_packed(PlSubgraph* sg, PlNode* node,
                                    const char* op, const PlLstmSlots* s,
                                    const PlLstmRun* r, PlLstmPacked* p);
/* pl_lstm_bind, then the packed matrices: p's (packed again first unless
 * ready). */
void pl_lstm_bind_packed(PlSubgraph* sg, PlNode* node, const PlLstmSlots* s,
                         const PlLstmRun* r, PlLstmPacked* p,
                         PlLstmWeights* w);

/* Grows a float buffer to `count` floats (contents not kept). */
TfLiteStatus pl_seq_reserve(PlSubgraph* sg, const char* op, float** buf,
                            int64_t* have, int64_t count);

/* ---- Hybrid LSTM (float activations, int8 weights) --------------------- */

/* One direction's weights for the hybrid path (internal/sequence_lstm_hybrid.c,
 * TFLite's LstmStepHybrid): int8 matrices with one scale each, float
 * biases and layer norm coefficients. The input, aux input, output state
 * and (with projection) the cell output are quantized per batch row at
 * every step (quant_seq.h); the cell state stays float. Activation NONE
 * gives h = o * g as in the float path (no stale gate buffers here). */
typedef struct PlLstmHybridWeights {
  const int8_t* in[4];
  float in_scale[4];
  const int8_t* aux[4];
  float aux_scale[4];
  const int8_t* rec[4];
  float rec_scale[4];
  const int8_t* peep[4]; /* peep[C] always NULL */
  float peep_scale[4];
  const float* norm[4];
  const float* bias[4];
  const int8_t* proj;
  float proj_scale;
  const float* proj_bias;
  /* The matrices packed for pl_qs_hybrid_matvec (NULL when absent). */
  const void* packed_in[4];
  const void* packed_aux[4];
  const void* packed_rec[4];
  const void* packed_proj;
} PlLstmHybridWeights;

/* Bytes of scratch pl_lstm_hybrid_eval needs. */
int64_t pl_lstm_hybrid_scratch_bytes(const PlLstmRun* r);

/* Runs the whole sequence; `aux` may be NULL. */
void pl_lstm_hybrid_eval(const PlLstmHybridWeights* w, const PlLstmRun* r,
                         bool asymmetric, const float* input, const float* aux,
                         float* output_state, float* cell_state, float* output,
                         void* scratch);

/* Prepare of a hybrid direction's packed matrices (PlLstmPacked, bytes in
 * its floats): sized for `r`, and packed now when every matrix is a
 * constant. */
TfLiteStatus pl_lstm_hybrid_prepare_packed(PlSubgraph* sg, PlNode* node,
                                           const char* op,
                                           const PlLstmSlots* s,
                                           const PlLstmRun* r,
                                           PlLstmPacked* p);
/* Fills `w` from the node's tensors (at eval), with the packed matrices
 * of p (packed again first unless ready). */
void pl_lstm_hybrid_bind_packed(PlSubgraph* sg, PlNode* node,
                                const PlLstmSlots* s, const PlLstmRun* r,
                                PlLstmPacked* p, PlLstmHybridWeights* w);

/* Checks the int8 weights of a hybrid direction (after
 * pl_lstm_prepare_weights has checked shapes with want_type int8):
 * per-tensor symmetric quantization with a usable scale; biases, layer
 * norm coefficients and projection bias float32. */
TfLiteStatus pl_lstm_hybrid_check(PlSubgraph* sg, PlNode* node,
                                  const char* op, const char* dir,
                                  const PlLstmSlots* s);

/* ---- Integer LSTM (int8 activations, int16 cell state) ------------------- */

/* The fixed-point parameters of TFLite's 8x8->16 integer LSTM
 * (internal/sequence_lstm_int.c), computed at prepare from the tensors'
 * scales and the node's five intermediates (the fifth, the hidden state,
 * carries a scale and zero point; the gate intermediates are Q3.12 without
 * layer norm, and give the gate sums' scales with it). With MBQM = pl_q_mul
 * and int16 saturation after each add:
 *   gate = MBQM(W_in . x + in_bias_eff) + MBQM(W_rec . h + rec_bias_eff)
 *          (+ MBQM(w_peep * c)) (layer norm: normalized in integer
 *          arithmetic, times the int16 coefficients, plus the gate bias,
 *          rescaled to Q3.12), then Q0.15 logistic / tanh (gemmlowp)
 *   c = rdiv(f * c, 2^15) + rdiv(i * g, 2^(30 + cell_scale)), clipped
 *   h = MBQM(o * tanh(c), hidden) + hidden_zp                (int8)
 *   or with projection, h = MBQM(P . (MBQM(o * tanh(c)) - hidden_zp) +
 *                                proj_bias_eff) + output_state_zp
 * The effective biases fold the zero points into the weight row sums:
 * in_bias_eff = bias (0 with layer norm) - input_zp * sum(W_in),
 * rec_bias_eff = -state_zp * sum(W_rec), proj_bias_eff = proj_bias +
 * hidden_zp * sum(P) (TFLite's signs). */
typedef struct PlLstmIntParams {
  int32_t in_mul[4], rec_mul[4], peep_mul[4];
  int in_shift[4], rec_shift[4], peep_shift[4];
  int32_t proj_mul, hidden_mul;
  int proj_shift, hidden_shift;
  int32_t input_zp, output_state_zp, hidden_zp;
  bool layer_norm;
  int32_t norm_mul[4], variance_guard[4];
  int norm_shift[4];
  int cell_scale;      /* log2 of the cell state's scale */
  int16_t cell_clip;   /* quantized; 0: none */
  int8_t proj_clip;    /* quantized; 0: none */
} PlLstmIntParams;

/* Validates the integer form (types, per-tensor quantization, the
 * intermediates, a power-of-two cell scale) after pl_lstm_prepare_weights
 * and computes `p`. `output` is the op's output (its scale quantizes
 * proj_clip). */
TfLiteStatus pl_lstm_int_prepare(PlSubgraph* sg, PlNode* node, const char* op,
                                 const PlLstmSlots* s, const PlLstmRun* r,
                                 const TfLiteTensor* input,
                                 const TfLiteTensor* output_state,
                                 const TfLiteTensor* cell_state,
                                 const TfLiteTensor* output, float cell_clip,
                                 float proj_clip, PlLstmIntParams* p);

/* Bytes of scratch pl_lstm_int_eval needs. */
int64_t pl_lstm_int_scratch_bytes(const PlLstmRun* r);

/* Runs the whole sequence (time_major or batch-major, forward). */
void pl_lstm_int_eval(PlSubgraph* sg, PlNode* node, const PlLstmSlots* s,
                      const PlLstmIntParams* p, const PlLstmRun* r,
                      const int8_t* input, int8_t* output_state,
                      int16_t* cell_state, int8_t* output, void* scratch);

#endif /* PYLITE_KERNELS_INTERNAL_SEQUENCE_LSTM_H_ */
