/* pylite: the float LSTM shared by the sequence LSTM kernels (see
 * sequence_lstm.h for the math). */
#include "capi/kernels/internal/sequence_lstm.h"

#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/vmath.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Math ------------------------------------------------------------------ */

float pl_seq_activate(int activation, float x) {
  /* The comparisons are TFLite's (std::max / std::min), which decide NaN. */
  switch (activation) {
    case PL_ACT_RELU:
      return 0.0f < x ? x : 0.0f;
    case PL_ACT_RELU_N1_TO_1: {
      float m = 1.0f < x ? 1.0f : x;
      return -1.0f < m ? m : -1.0f;
    }
    case PL_ACT_RELU6: {
      float m = 6.0f < x ? 6.0f : x;
      return 0.0f < m ? m : 0.0f;
    }
    case PL_ACT_TANH:
      return tanhf(x);
    case PL_ACT_SIGN_BIT:
      return signbit(x) ? 1.0f : 0.0f;
    default:
      return x;
  }
}

bool pl_seq_activation_valid(int activation) {
  return activation >= PL_ACT_NONE && activation <= PL_ACT_SIGN_BIT;
}

void pl_seq_activate_row(int activation, const float* x, float* y,
                         int64_t n) {
  if (activation == PL_ACT_TANH) {
    pl_vmath_tanh_f32(x, y, n);
    return;
  }
  for (int64_t k = 0; k < n; ++k) y[k] = pl_seq_activate(activation, x[k]);
}

void pl_lstm_cell_output(const float* o, const float* g, const float* c,
                         float* hc, int64_t n, int activation) {
  if (activation == PL_ACT_NONE) {
    for (int64_t k = 0; k < n; ++k) hc[k] = o[k] * g[k];
    return;
  }
  pl_seq_activate_row(activation, c, hc, n);
  for (int64_t k = 0; k < n; ++k) hc[k] = o[k] * hc[k];
}

/* A dot product summed from 0 in order, as TFLite's float kernels do before
 * adding it to the accumulator. */
static float dot(const float* a, const float* b, int n) {
  float s = 0.0f;
  for (int k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

static bool all_zero(const float* v, int64_t n) {
  for (int64_t k = 0; k < n; ++k)
    if (v[k] != 0.0f) return false;
  return true;
}

/* The in, aux and recurrent matrices of the gates are packed for the shared
 * GEMM (internal/gemm.h), whose every output is the float sum of its
 * products from 0.0f in order, one multiply and one add per term, exactly
 * as dot() does: the bits are the same on every path. */
int64_t pl_lstm_scratch_floats(int n_batch, int n_cell) {
  /* Four gates, the activated cell state and the three products (in, aux,
   * recurrent) of one gate, for a whole batch. */
  return 8 * (int64_t)n_batch * n_cell;
}

/* The in, aux and recurrent matrices of the four gates, packed. */
static int64_t lstm_packed_floats(const PlLstmRun* r) {
  return 4 * (pl_gemm_packed_size(r->n_cell, r->n_input) +
              pl_gemm_packed_size(r->n_cell, r->n_aux) +
              pl_gemm_packed_size(r->n_cell, r->n_output));
}

/* Points w's packed matrices at their places in p, packing w's matrices
 * there first when `pack`. */
static void lstm_use_packed(PlLstmWeights* w, const PlLstmRun* r, float* p,
                            bool pack) {
  for (int k = 0; k < 4; ++k) {
    w->packed_in[k] = w->packed_aux[k] = w->packed_rec[k] = NULL;
    if (w->in[k]) {
      if (pack) pl_gemm_pack(w->in[k], r->n_cell, r->n_input, r->n_input, 1, p);
      w->packed_in[k] = p;
    }
    p += pl_gemm_packed_size(r->n_cell, r->n_input);
    if (w->aux[k] && r->n_aux > 0) {
      if (pack) pl_gemm_pack(w->aux[k], r->n_cell, r->n_aux, r->n_aux, 1, p);
      w->packed_aux[k] = p;
    }
    p += pl_gemm_packed_size(r->n_cell, r->n_aux);
    if (w->rec[k] && !w->rec_diag[k]) {
      if (pack)
        pl_gemm_pack(w->rec[k], r->n_cell, r->n_output, r->n_output, 1, p);
      w->packed_rec[k] = p;
    }
    p += pl_gemm_packed_size(r->n_cell, r->n_output);
  }
}

/* y[b][j] = dot(row j of the packed matrix, v[b]) for `rows` rows b of n
 * values each, j < n_cell. */
static void lstm_products(const float* packed, const float* v, int rows,
                          int n, int n_cell, float* y) {
  const PlGemm g = {
      .a = v, .sai = n, .sad = 1, .m = rows, .packed = packed,
      .n = n_cell, .k = n, .y = y, .ldy = n_cell, .lo = -INFINITY,
      .hi = INFINITY, /* the clamp to [-inf, inf] keeps every value */
  };
  pl_gemm_rows(&g, 0, rows);
}

/* With activation NONE TFLite applies no activation at all: the gate keeps
 * whatever its buffer holds. TFLite sums a gate in two buffers that swap
 * after the input and aux products (and after a diagonal recurrence), so
 * the cell gate's own buffer holds the full sum only when that ends in it;
 * otherwise it holds the bias (0 with layer norm), or with both input and
 * aux products bias + input + aux. This says whether the buffer is stale. */
static bool stale_cell_gate(bool x_skip, bool aux_on, bool diag) {
  const int swaps = !x_skip + aux_on;
  return diag ? swaps % 2 == 1 : swaps % 2 == 0;
}

/* One gate for `rows` batch rows. x_skip / aux_skip: the (aux) input is all
 * zeros, so its product is left out, as TFLite does. */
static void lstm_gate(const PlLstmWeights* w, const PlLstmRun* r, int k,
                      int rows, const float* x, bool x_skip, const float* aux,
                      bool aux_skip, const float* h, const float* c,
                      float* gate, float* products) {
  const int nc = r->n_cell;
  const float* norm = w->norm[k];
  const bool aux_on = aux && !aux_skip;
  if (k == PL_LSTM_C && r->activation == PL_ACT_NONE &&
      stale_cell_gate(x_skip, aux_on, w->rec_diag[k])) {
    /* TFLite's quirk: see stale_cell_gate. */
    const int swaps = !x_skip + aux_on;
    for (int b = 0; b < rows; ++b) {
      float* g = gate + (int64_t)b * nc;
      for (int j = 0; j < nc; ++j) {
        float v = norm ? 0.0f : w->bias[k][j];
        if (swaps == 2) {
          v += dot(w->in[k] + (int64_t)j * r->n_input,
                   x + (int64_t)b * r->n_input, r->n_input);
          v += dot(w->aux[k] + (int64_t)j * r->n_aux,
                   aux + (int64_t)b * r->n_aux, r->n_aux);
        }
        g[j] = v;
      }
    }
    return;
  }
  /* The products of every row: dx, da, dr after the gates in scratch. */
  const int64_t n = (int64_t)rows * nc;
  float* dx = products;
  float* da = products + n;
  float* dr = products + 2 * n;
  if (!x_skip) lstm_products(w->packed_in[k], x, rows, r->n_input, nc, dx);
  if (aux_on) lstm_products(w->packed_aux[k], aux, rows, r->n_aux, nc, da);
  if (!w->rec_diag[k])
    lstm_products(w->packed_rec[k], h, rows, r->n_output, nc, dr);
  for (int b = 0; b < rows; ++b) {
    float* g = gate + (int64_t)b * nc;
    const float* hb = h + (int64_t)b * r->n_output;
    const float* cb = c + (int64_t)b * nc;
    const int64_t at = (int64_t)b * nc;
    for (int j = 0; j < nc; ++j) {
      float acc = norm ? 0.0f : w->bias[k][j];
      if (!x_skip) acc += dx[at + j];
      if (aux_on) acc += da[at + j];
      if (w->rec_diag[k])
        acc += w->rec[k][j] * hb[j];
      else
        acc += dr[at + j];
      if (w->peep[k]) acc += w->peep[k][j] * cb[j];
      g[j] = acc;
    }
    pl_lstm_gate_finish(g, nc, k, norm, w->bias[k], r->activation);
  }
}

void pl_lstm_gate_finish(float* g, int nc, int k, const float* norm,
                         const float* bias, int activation) {
  if (norm && nc > 0) {
    /* TFLite's MeanStddevNormalization, then coefficients and bias. */
    float sum = 0.0f;
    for (int j = 0; j < nc; ++j) sum += g[j];
    const float mean = sum / (float)nc;
    float sq = 0.0f;
    for (int j = 0; j < nc; ++j) {
      const float d = g[j] - mean;
      sq += d * d;
    }
    const float inv = 1.0f / sqrtf(sq / (float)nc + 1e-8f);
    for (int j = 0; j < nc; ++j)
      g[j] = norm[j] * ((g[j] - mean) * inv) + bias[j];
  }
  if (k == PL_LSTM_C)
    pl_seq_activate_row(activation, g, g, nc);
  else
    pl_vmath_logistic_f32(g, g, nc);
}

/* One time step for `rows` batch rows whose states are contiguous. */
static void lstm_step(const PlLstmWeights* w, const PlLstmRun* r, int rows,
                      const float* x, const float* aux, float* h, float* c,
                      float* out, float* scratch) {
  const int nc = r->n_cell;
  const int64_t n = (int64_t)rows * nc;
  float* gi = scratch;
  float* gf = scratch + n;
  float* gc = scratch + 2 * n;
  float* go = scratch + 3 * n;
  float* hc = scratch + 4 * n;
  float* products = scratch + 5 * n;
  const bool cifg = w->in[PL_LSTM_I] == NULL;
  const bool x_skip = all_zero(x, (int64_t)rows * r->n_input);
  const bool aux_skip = aux == NULL || all_zero(aux, (int64_t)rows * r->n_aux);

  if (!cifg)
    lstm_gate(w, r, PL_LSTM_I, rows, x, x_skip, aux, aux_skip, h, c, gi,
              products);
  lstm_gate(w, r, PL_LSTM_F, rows, x, x_skip, aux, aux_skip, h, c, gf,
            products);
  lstm_gate(w, r, PL_LSTM_C, rows, x, x_skip, aux, aux_skip, h, c, gc,
            products);
  for (int64_t k = 0; k < n; ++k) {
    float v = gf[k] * c[k];
    v += gc[k] * (cifg ? 1.0f - gf[k] : gi[k]);
    if (r->cell_clip > 0.0f) {
      if (v > r->cell_clip) v = r->cell_clip;
      if (v < -r->cell_clip) v = -r->cell_clip;
    }
    c[k] = v;
  }
  /* The output gate's peephole reads the updated cell state. */
  lstm_gate(w, r, PL_LSTM_O, rows, x, x_skip, aux, aux_skip, h, c, go,
            products);
  pl_lstm_cell_output(go, gc, c, hc, n, r->activation);

  const int no = r->n_output;
  for (int b = 0; b < rows; ++b) {
    float* hb = h + (int64_t)b * no;
    const float* src = hc + (int64_t)b * nc;
    if (w->proj) {
      for (int j = 0; j < no; ++j) {
        float v = (w->proj_bias ? w->proj_bias[j] : 0.0f) +
                  dot(w->proj + (int64_t)j * nc, src, nc);
        if (r->proj_clip > 0.0f) {
          if (v > r->proj_clip) v = r->proj_clip;
          if (v < -r->proj_clip) v = -r->proj_clip;
        }
        hb[j] = v;
      }
    } else {
      memcpy(hb, src, sizeof(float) * (size_t)no); /* no == nc */
    }
    memcpy(out + (int64_t)b * r->out_stride, hb, sizeof(float) * (size_t)no);
  }
}

void pl_lstm_eval(const PlLstmWeights* weights, const PlLstmRun* r,
                  const float* input, const float* aux, float* output_state,
                  float* cell_state, float* output, float* scratch) {
  const int T = r->max_time, B = r->n_batch;
  const PlLstmWeights* w = weights;
  if (r->time_major) {
    for (int t = 0; t < T; ++t) {
      const int tr = r->forward ? t : T - 1 - t;
      lstm_step(w, r, B, input + (int64_t)tr * B * r->n_input,
                aux ? aux + (int64_t)tr * B * r->n_aux : NULL, output_state,
                cell_state,
                output + (int64_t)tr * B * r->out_stride + r->out_offset,
                scratch);
    }
    return;
  }
  /* Batch major: each row runs its own sequence. (TFLite offsets the
   * output state by the output's row stride here, which differs from
   * n_output only for merged bidirectional outputs; pylite uses n_output.) */
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      const int tr = r->forward ? t : T - 1 - t;
      const int64_t at = (int64_t)b * T + tr;
      lstm_step(w, r, 1, input + at * r->n_input,
                aux ? aux + at * r->n_aux : NULL,
                output_state + (int64_t)b * r->n_output,
                cell_state + (int64_t)b * r->n_cell,
                output + at * r->out_stride + r->out_offset, scratch);
    }
  }
}

/* ---- Prepare helpers --------------------------------------------------------- */

TfLiteStatus pl_seq_check(PlSubgraph* sg, const char* op, const char* what,
                          const TfLiteTensor* t, int rank, int d0, int d1) {
  return pl_seq_check_type(sg, op, what, t, kTfLiteFloat32, rank, d0, d1);
}

const PlLstmTypes pl_lstm_float_types = {kTfLiteFloat32, kTfLiteFloat32,
                                         kTfLiteFloat32, kTfLiteFloat32,
                                         kTfLiteFloat32};

TfLiteStatus pl_seq_check_type(PlSubgraph* sg, const char* op,
                               const char* what, const TfLiteTensor* t,
                               TfLiteType type, int rank, int d0, int d1) {
  if (t == NULL) {
    pl_report(sg, "%s: the %s input is missing.", op, what);
    return kTfLiteError;
  }
  char shape[160];
  pl_shape_string(t->dims, shape, sizeof(shape));
  if (t->type != type) {
    pl_report(sg, "%s: %s must be %s, got %s %s.", op, what,
              TfLiteTypeGetName(type), TfLiteTypeGetName(t->type), shape);
    return kTfLiteError;
  }
  bool ok = t->dims->size == rank && (rank < 1 || t->dims->data[0] == d0) &&
            (rank < 2 || t->dims->data[1] == d1);
  if (!ok) {
    if (rank == 1)
      pl_report(sg, "%s: %s must have shape [%d], got %s.", op, what, d0,
                shape);
    else
      pl_report(sg, "%s: %s must have shape [%d,%d], got %s.", op, what, d0,
                d1, shape);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus pl_seq_check_state(PlSubgraph* sg, const char* op,
                                const char* what, const TfLiteTensor* t,
                                int64_t count) {
  return pl_seq_check_state_type(sg, op, what, t, kTfLiteFloat32, count);
}

TfLiteStatus pl_seq_check_state_type(PlSubgraph* sg, const char* op,
                                     const char* what, const TfLiteTensor* t,
                                     TfLiteType type, int64_t count) {
  if (t == NULL) {
    pl_report(sg, "%s: the %s input is missing.", op, what);
    return kTfLiteError;
  }
  char shape[160];
  pl_shape_string(t->dims, shape, sizeof(shape));
  if (!t->is_variable) {
    pl_report(sg, "%s: %s must be a variable tensor (it holds the state "
              "between invokes).", op, what);
    return kTfLiteError;
  }
  if (t->type != type) {
    pl_report(sg, "%s: %s must be %s, got %s %s.", op, what,
              TfLiteTypeGetName(type), TfLiteTypeGetName(t->type), shape);
    return kTfLiteError;
  }
  if (pl_num_elements(t) != count) {
    pl_report(sg, "%s: %s must have %lld elements, got %s.", op, what,
              (long long)count, shape);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static bool is_quantized(TfLiteType t) {
  return t == kTfLiteInt8 || t == kTfLiteUInt8 || t == kTfLiteInt16;
}

TfLiteStatus pl_seq_check_float(PlSubgraph* sg, const char* op,
                                const TfLiteTensor* input,
                                const TfLiteTensor* weights,
                                bool asymmetric_quantize_inputs) {
  if (input->type == kTfLiteFloat32 && weights->type == kTfLiteFloat32)
    return kTfLiteOk;
  if (input->type == kTfLiteFloat32 && is_quantized(weights->type)) {
    pl_report(sg,
              "%s with float32 input and %s weights (hybrid%s) is not "
              "supported yet; only float32.",
              op, TfLiteTypeGetName(weights->type),
              asymmetric_quantize_inputs ? ", asymmetric_quantize_inputs"
                                         : "");
    return kTfLiteError;
  }
  if (is_quantized(input->type)) {
    pl_report(sg, "%s with %s input (quantized) is not supported yet; only "
              "float32.", op, TfLiteTypeGetName(input->type));
    return kTfLiteError;
  }
  pl_report(sg, "%s: unsupported types: %s input, %s weights; only float32.",
            op, TfLiteTypeGetName(input->type),
            TfLiteTypeGetName(weights->type));
  return kTfLiteError;
}

static const char* const kGate[4] = {"input", "forget", "cell", "output"};

static const TfLiteTensor* opt(PlSubgraph* sg, PlNode* node, int slot) {
  return slot < 0 ? NULL : pl_input(sg, node, slot);
}

/* A recurrent weight: [n_cell, n_output], or [n_cell] when diagonal (which
 * multiplies the output state element-wise, so needs n_output == n_cell). */
static TfLiteStatus check_rec(PlSubgraph* sg, const char* op,
                              const char* what, const TfLiteTensor* t,
                              TfLiteType type, int n_cell, int n_output,
                              bool allow_diag) {
  if (t && allow_diag && t->dims->size == 1) {
    if (n_output != n_cell) {
      pl_report(sg, "%s: %s are diagonal ([%d]), which needs as many outputs "
                "as cells, but there are %d outputs.", op, what, n_cell,
                n_output);
      return kTfLiteError;
    }
    return pl_seq_check_type(sg, op, what, t, type, 1, n_cell, 0);
  }
  return pl_seq_check_type(sg, op, what, t, type, 2, n_cell, n_output);
}

TfLiteStatus pl_lstm_prepare_weights(PlSubgraph* sg, PlNode* node,
                                     const char* op, const char* dir,
                                     const PlLstmSlots* s, int n_input,
                                     int n_aux, bool allow_diag,
                                     const PlLstmTypes* types, int* n_cell,
                                     int* n_output) {
  char what[96];
  const PlLstmTypes* ty = types ? types : &pl_lstm_float_types;
  const TfLiteTensor* in_o = opt(sg, node, s->in[PL_LSTM_O]);
  const TfLiteTensor* rec_o = opt(sg, node, s->rec[PL_LSTM_O]);
  if (!in_o || !rec_o) {
    pl_report(sg, "%s: the %sinput_to_output or recurrent_to_output weights "
              "are missing.", op, dir);
    return kTfLiteError;
  }
  if (in_o->dims->size != 2 || (rec_o->dims->size != 2 &&
                                !(allow_diag && rec_o->dims->size == 1))) {
    char a[160], b[160];
    pl_shape_string(in_o->dims, a, sizeof(a));
    pl_shape_string(rec_o->dims, b, sizeof(b));
    pl_report(sg, "%s: %sinput_to_output weights must be 2-D and "
              "%srecurrent_to_output weights %s, got %s and %s.", op, dir, dir,
              allow_diag ? "1-D or 2-D" : "2-D", a, b);
    return kTfLiteError;
  }
  const int nc = in_o->dims->data[0];
  const int no = rec_o->dims->size == 1 ? rec_o->dims->data[0]
                                        : rec_o->dims->data[1];
  *n_cell = nc;
  *n_output = no;

  const TfLiteTensor* in_i = opt(sg, node, s->in[PL_LSTM_I]);
  const TfLiteTensor* rec_i = opt(sg, node, s->rec[PL_LSTM_I]);
  if ((in_i == NULL) != (rec_i == NULL)) {
    pl_report(sg, "%s: %sinput_to_input and recurrent_to_input weights must "
              "both be present or both be omitted (CIFG).", op, dir);
    return kTfLiteError;
  }
  const bool cifg = in_i == NULL;
  for (int k = 0; k < 4; ++k) {
    if (k == PL_LSTM_I && cifg) continue;
    snprintf(what, sizeof(what), "%sinput_to_%s weights", dir, kGate[k]);
    PL_ENSURE_OK(pl_seq_check_type(sg, op, what, opt(sg, node, s->in[k]),
                                   ty->matrix, 2, nc, n_input));
    snprintf(what, sizeof(what), "%srecurrent_to_%s weights", dir, kGate[k]);
    PL_ENSURE_OK(check_rec(sg, op, what, opt(sg, node, s->rec[k]), ty->matrix,
                           nc, no, allow_diag));
  }

  const TfLiteTensor* peep_i = opt(sg, node, s->peep[PL_LSTM_I]);
  const TfLiteTensor* peep_f = opt(sg, node, s->peep[PL_LSTM_F]);
  const TfLiteTensor* peep_o = opt(sg, node, s->peep[PL_LSTM_O]);
  const bool all = (peep_i || cifg) && peep_f && peep_o;
  const bool none = !peep_i && !peep_f && !peep_o;
  if (!all && !none) {
    pl_report(sg, "%s: the %speephole (cell_to_*) weights must all be present "
              "(cell_to_input may be omitted with CIFG) or all be omitted.",
              op, dir);
    return kTfLiteError;
  }
  const int peeps[3] = {PL_LSTM_I, PL_LSTM_F, PL_LSTM_O};
  for (int q = 0; q < 3; ++q) {
    const TfLiteTensor* t = opt(sg, node, s->peep[peeps[q]]);
    if (!t) continue;
    snprintf(what, sizeof(what), "%scell_to_%s weights", dir, kGate[peeps[q]]);
    PL_ENSURE_OK(pl_seq_check_type(sg, op, what, t, ty->peep, 1, nc, 0));
  }

  const TfLiteTensor* bias_i = opt(sg, node, s->bias[PL_LSTM_I]);
  if (cifg && bias_i) {
    pl_report(sg, "%s: %sinput_gate_bias must be omitted with CIFG (no "
              "input_to_input weights).", op, dir);
    return kTfLiteError;
  }
  for (int k = 0; k < 4; ++k) {
    if (k == PL_LSTM_I && cifg) continue;
    snprintf(what, sizeof(what), "%s%s_gate_bias", dir, kGate[k]);
    PL_ENSURE_OK(pl_seq_check_type(sg, op, what, opt(sg, node, s->bias[k]),
                                   ty->bias, 1, nc, 0));
  }

  const TfLiteTensor* proj = opt(sg, node, s->proj);
  const TfLiteTensor* proj_bias = opt(sg, node, s->proj_bias);
  if (proj) {
    snprintf(what, sizeof(what), "%sprojection weights", dir);
    PL_ENSURE_OK(pl_seq_check_type(sg, op, what, proj, ty->matrix, 2, no,
                                   nc));
  }
  if (proj_bias) {
    if (!proj) {
      pl_report(sg, "%s: %sprojection_bias is given without projection "
                "weights.", op, dir);
      return kTfLiteError;
    }
    snprintf(what, sizeof(what), "%sprojection_bias", dir);
    PL_ENSURE_OK(pl_seq_check_type(sg, op, what, proj_bias, ty->proj_bias, 1,
                                   no, 0));
  }
  if (!proj && no != nc) {
    /* TFLite would copy n_output values out of n_cell; refuse instead. */
    pl_report(sg, "%s: without projection the %soutput size (%d, from the "
              "recurrent weights) must equal the cell count (%d).", op, dir,
              no, nc);
    return kTfLiteError;
  }

  /* Layer norm: on when the forget gate's coefficients are present. */
  if (s->norm[PL_LSTM_F] >= 0 && opt(sg, node, s->norm[PL_LSTM_F])) {
    const TfLiteTensor* norm_i = opt(sg, node, s->norm[PL_LSTM_I]);
    if (cifg && norm_i) {
      pl_report(sg, "%s: %sinput_layer_norm_coefficients must be omitted with "
                "CIFG.", op, dir);
      return kTfLiteError;
    }
    for (int k = 0; k < 4; ++k) {
      if (k == PL_LSTM_I && cifg) continue;
      snprintf(what, sizeof(what), "%s%s_layer_norm_coefficients", dir,
               kGate[k]);
      PL_ENSURE_OK(pl_seq_check_type(sg, op, what, opt(sg, node, s->norm[k]),
                                     ty->norm, 1, nc, 0));
    }
  }

  if (n_aux > 0) {
    for (int k = 0; k < 4; ++k) {
      const TfLiteTensor* t = opt(sg, node, s->aux[k]);
      if (k == PL_LSTM_I && cifg) continue;
      snprintf(what, sizeof(what), "%saux_input_to_%s weights", dir, kGate[k]);
      PL_ENSURE_OK(pl_seq_check_type(sg, op, what, t, ty->matrix, 2, nc,
                                     n_aux));
    }
  }
  return kTfLiteOk;
}

static const float* data_of(PlSubgraph* sg, PlNode* node, int slot) {
  const TfLiteTensor* t = opt(sg, node, slot);
  return t ? t->data.f : NULL;
}

void pl_lstm_bind(PlSubgraph* sg, PlNode* node, const PlLstmSlots* s,
                  PlLstmWeights* w) {
  memset(w, 0, sizeof(*w));
  const bool cifg = opt(sg, node, s->in[PL_LSTM_I]) == NULL;
  const bool norm = s->norm[PL_LSTM_F] >= 0 &&
                    opt(sg, node, s->norm[PL_LSTM_F]) != NULL;
  for (int k = 0; k < 4; ++k) {
    if (k == PL_LSTM_I && cifg) continue;
    w->in[k] = data_of(sg, node, s->in[k]);
    w->aux[k] = s->aux[k] >= 0 ? data_of(sg, node, s->aux[k]) : NULL;
    const TfLiteTensor* rec = opt(sg, node, s->rec[k]);
    w->rec[k] = rec->data.f;
    w->rec_diag[k] = rec->dims->size == 1;
    w->peep[k] = k == PL_LSTM_C ? NULL : data_of(sg, node, s->peep[k]);
    w->norm[k] = norm ? data_of(sg, node, s->norm[k]) : NULL;
    w->bias[k] = data_of(sg, node, s->bias[k]);
  }
  w->proj = data_of(sg, node, s->proj);
  w->proj_bias = w->proj ? data_of(sg, node, s->proj_bias) : NULL;
}

/* Whether every in, aux and recurrent matrix present is a constant. */
static bool lstm_matrices_constant(PlSubgraph* sg, PlNode* node,
                                   const PlLstmSlots* s) {
  for (int k = 0; k < 4; ++k) {
    const int slots[3] = {s->in[k], s->aux[k], s->rec[k]};
    for (int i = 0; i < 3; ++i) {
      const TfLiteTensor* t = slots[i] >= 0 ? opt(sg, node, slots[i]) : NULL;
      if (t && !pl_is_constant(t)) return false;
    }
  }
  return true;
}

TfLiteStatus pl_lstm_prepare_packed(PlSubgraph* sg, PlNode* node,
                                    const char* op, const PlLstmSlots* s,
                                    const PlLstmRun* r, PlLstmPacked* p) {
  p->ready = false;
  PL_ENSURE_OK(pl_seq_reserve(sg, op, &p->data, &p->floats,
                              lstm_packed_floats(r)));
  if (!lstm_matrices_constant(sg, node, s)) return kTfLiteOk;
  PlLstmWeights w;
  pl_lstm_bind(sg, node, s, &w);
  lstm_use_packed(&w, r, p->data, true);
  p->ready = true;
  return kTfLiteOk;
}

void pl_lstm_bind_packed(PlSubgraph* sg, PlNode* node, const PlLstmSlots* s,
                         const PlLstmRun* r, PlLstmPacked* p,
                         PlLstmWeights* w) {
  pl_lstm_bind(sg, node, s, w);
  lstm_use_packed(w, r, p->data, !p->ready);
}

TfLiteStatus pl_seq_reserve(PlSubgraph* sg, const char* op, float** buf,
                            int64_t* have, int64_t count) {
  if (count <= *have && *buf) return kTfLiteOk;
  free(*buf);
  *have = 0;
  *buf = malloc((size_t)(count > 0 ? count : 1) * sizeof(float));
  if (!*buf) {
    pl_report(sg, "%s: out of memory for %lld floats of scratch.", op,
              (long long)count);
    return kTfLiteError;
  }
  *have = count;
  return kTfLiteOk;
}
