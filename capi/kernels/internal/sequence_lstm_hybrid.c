/* pylite: the hybrid LSTM (float activations, int8 weights) shared by the
 * sequence LSTM kernels; see sequence_lstm.h. One step, for each batch row:
 *   quantize x, aux and h (per row, quant_seq.h)
 *   gate = bias + sum of the int8 products scaled back to float
 *          + (peep_scale * w_peep) * c        (layer norm as in float)
 *   i, f, o = sigmoid; g = act; c = clip(f * c + g * i); h = o * act(c)
 *   with projection: h = clip(p_bias + P . quantize(h)) (int8 P)
 * The order of the float sums is TFLite's (LstmStepHybrid). */
#include <stdio.h>
#include <string.h>

#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_seq.h"
#include "capi/kernels/internal/sequence_lstm.h"

/* Scratch layout for up to n_batch rows. */
typedef struct HybridScratch {
  float *gi, *gf, *gc, *go, *hc;
  float* scales;   /* 4 * n_batch: x, aux, h, hc */
  int32_t* zps;    /* 4 * n_batch */
  int8_t *qx, *qa, *qh, *qc;
} HybridScratch;

static int64_t layout(const PlLstmRun* r, char* base, HybridScratch* s) {
  const int64_t B = r->n_batch > 0 ? r->n_batch : 1;
  const int64_t n = B * r->n_cell;
  int64_t at = 0;
#define PL_TAKE_(field, type, count)                          \
  do {                                                        \
    if (s) s->field = (type*)(void*)(base + at);              \
    at += (int64_t)sizeof(type) * (count);                    \
    at = (at + 15) & ~(int64_t)15;                            \
  } while (0)
  PL_TAKE_(gi, float, n);
  PL_TAKE_(gf, float, n);
  PL_TAKE_(gc, float, n);
  PL_TAKE_(go, float, n);
  PL_TAKE_(hc, float, n);
  PL_TAKE_(scales, float, 4 * B);
  PL_TAKE_(zps, int32_t, 4 * B);
  PL_TAKE_(qx, int8_t, B * r->n_input);
  PL_TAKE_(qa, int8_t, B * r->n_aux);
  PL_TAKE_(qh, int8_t, B * r->n_output);
  PL_TAKE_(qc, int8_t, n);
#undef PL_TAKE_
  return at;
}

int64_t pl_lstm_hybrid_scratch_bytes(const PlLstmRun* r) {
  return layout(r, NULL, NULL);
}

/* The quantized operands of one step. */
typedef struct Operands {
  const int8_t *qx, *qa, *qh;
  const float *sx, *sa, *sh;
  const int32_t *zx, *za, *zh;
} Operands;

static void gate_hybrid(const PlLstmHybridWeights* w, const PlLstmRun* r,
                        int k, int rows, const Operands* o, const float* c,
                        float* gate) {
  const int nc = r->n_cell;
  const float* norm = w->norm[k];
  for (int b = 0; b < rows; ++b) {
    float* g = gate + (int64_t)b * nc;
    if (norm)
      memset(g, 0, sizeof(float) * (size_t)nc);
    else
      memcpy(g, w->bias[k], sizeof(float) * (size_t)nc);
  }
  pl_qs_hybrid_matvec(w->packed_in[k], w->in_scale[k], nc, r->n_input, o->qx,
                      o->sx, o->zx, rows, gate, nc);
  if (o->qa && w->packed_aux[k])
    pl_qs_hybrid_matvec(w->packed_aux[k], w->aux_scale[k], nc, r->n_aux,
                        o->qa, o->sa, o->za, rows, gate, nc);
  pl_qs_hybrid_matvec(w->packed_rec[k], w->rec_scale[k], nc, r->n_output,
                      o->qh, o->sh, o->zh, rows, gate, nc);
  for (int b = 0; b < rows; ++b) {
    float* g = gate + (int64_t)b * nc;
    if (w->peep[k]) {
      const float* cb = c + (int64_t)b * nc;
      for (int j = 0; j < nc; ++j)
        g[j] += (w->peep_scale[k] * (float)w->peep[k][j]) * cb[j];
    }
    pl_lstm_gate_finish(g, nc, k, norm, w->bias[k], r->activation);
  }
}

static void step_hybrid(const PlLstmHybridWeights* w, const PlLstmRun* r,
                        bool asym, int rows, const float* x, const float* aux,
                        float* h, float* c, float* out, HybridScratch* s) {
  const int nc = r->n_cell, no = r->n_output;
  const int64_t n = (int64_t)rows * nc;
  const int B = rows;
  Operands o;
  memset(&o, 0, sizeof(o));
  pl_qs_quantize_rows(x, rows, r->n_input, s->qx, s->scales, s->zps, asym);
  o.qx = s->qx;
  o.sx = s->scales;
  o.zx = asym ? s->zps : NULL;
  if (aux) {
    pl_qs_quantize_rows(aux, rows, r->n_aux, s->qa, s->scales + B,
                        s->zps + B, asym);
    o.qa = s->qa;
    o.sa = s->scales + B;
    o.za = asym ? s->zps + B : NULL;
  }
  pl_qs_quantize_rows(h, rows, no, s->qh, s->scales + 2 * B, s->zps + 2 * B,
                      asym);
  o.qh = s->qh;
  o.sh = s->scales + 2 * B;
  o.zh = asym ? s->zps + 2 * B : NULL;

  const bool cifg = w->in[PL_LSTM_I] == NULL;
  if (!cifg) gate_hybrid(w, r, PL_LSTM_I, rows, &o, c, s->gi);
  gate_hybrid(w, r, PL_LSTM_F, rows, &o, c, s->gf);
  gate_hybrid(w, r, PL_LSTM_C, rows, &o, c, s->gc);
  for (int64_t k = 0; k < n; ++k) {
    float v = s->gf[k] * c[k];
    v += s->gc[k] * (cifg ? 1.0f - s->gf[k] : s->gi[k]);
    if (r->cell_clip > 0.0f) {
      if (v > r->cell_clip) v = r->cell_clip;
      if (v < -r->cell_clip) v = -r->cell_clip;
    }
    c[k] = v;
  }
  gate_hybrid(w, r, PL_LSTM_O, rows, &o, c, s->go);
  pl_lstm_cell_output(s->go, s->gc, c, s->hc, n, r->activation);
  if (w->proj) {
    for (int b = 0; b < rows; ++b)
      for (int j = 0; j < no; ++j)
        h[(int64_t)b * no + j] = w->proj_bias ? w->proj_bias[j] : 0.0f;
    pl_qs_quantize_rows(s->hc, rows, nc, s->qc, s->scales + 3 * B,
                        s->zps + 3 * B, asym);
    pl_qs_hybrid_matvec(w->packed_proj, w->proj_scale, no, nc, s->qc,
                        s->scales + 3 * B, asym ? s->zps + 3 * B : NULL, rows,
                        h, no);
    if (r->proj_clip > 0.0f) {
      for (int64_t k = 0; k < (int64_t)rows * no; ++k) {
        if (h[k] > r->proj_clip) h[k] = r->proj_clip;
        if (h[k] < -r->proj_clip) h[k] = -r->proj_clip;
      }
    }
  } else {
    memcpy(h, s->hc, sizeof(float) * (size_t)n); /* no == nc */
  }
  for (int b = 0; b < rows; ++b)
    memcpy(out + (int64_t)b * r->out_stride, h + (int64_t)b * no,
           sizeof(float) * (size_t)no);
}

void pl_lstm_hybrid_eval(const PlLstmHybridWeights* w, const PlLstmRun* r,
                         bool asymmetric, const float* input, const float* aux,
                         float* output_state, float* cell_state, float* output,
                         void* scratch) {
  HybridScratch s;
  layout(r, scratch, &s);
  const int T = r->max_time, B = r->n_batch;
  if (r->time_major) {
    for (int t = 0; t < T; ++t) {
      const int tr = r->forward ? t : T - 1 - t;
      step_hybrid(w, r, asymmetric, B, input + (int64_t)tr * B * r->n_input,
                  aux ? aux + (int64_t)tr * B * r->n_aux : NULL, output_state,
                  cell_state,
                  output + (int64_t)tr * B * r->out_stride + r->out_offset,
                  &s);
    }
    return;
  }
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      const int tr = r->forward ? t : T - 1 - t;
      const int64_t at = (int64_t)b * T + tr;
      step_hybrid(w, r, asymmetric, 1, input + at * r->n_input,
                  aux ? aux + at * r->n_aux : NULL,
                  output_state + (int64_t)b * r->n_output,
                  cell_state + (int64_t)b * r->n_cell,
                  output + at * r->out_stride + r->out_offset, &s);
    }
  }
}

/* ---- Binding and checks -------------------------------------------------- */

static const TfLiteTensor* opt(PlSubgraph* sg, PlNode* node, int slot) {
  return slot < 0 ? NULL : pl_input(sg, node, slot);
}

static const int8_t* i8(PlSubgraph* sg, PlNode* node, int slot, float* scale) {
  const TfLiteTensor* t = opt(sg, node, slot);
  if (!t) return NULL;
  *scale = pl_q_params(t).scale;
  return t->data.int8;
}

static const float* f32(PlSubgraph* sg, PlNode* node, int slot) {
  const TfLiteTensor* t = opt(sg, node, slot);
  return t ? t->data.f : NULL;
}

/* Fills `w` from the node's tensors, the packed matrices left NULL. */
static void hybrid_bind(PlSubgraph* sg, PlNode* node, const PlLstmSlots* s,
                        PlLstmHybridWeights* w) {
  memset(w, 0, sizeof(*w));
  const bool norm = s->norm[PL_LSTM_F] >= 0 &&
                    opt(sg, node, s->norm[PL_LSTM_F]) != NULL;
  for (int k = 0; k < 4; ++k) {
    w->in[k] = i8(sg, node, s->in[k], &w->in_scale[k]);
    if (w->in[k] == NULL) continue; /* CIFG input gate */
    w->aux[k] = i8(sg, node, s->aux[k], &w->aux_scale[k]);
    w->rec[k] = i8(sg, node, s->rec[k], &w->rec_scale[k]);
    w->peep[k] = k == PL_LSTM_C ? NULL
                                : i8(sg, node, s->peep[k], &w->peep_scale[k]);
    w->norm[k] = norm ? f32(sg, node, s->norm[k]) : NULL;
    w->bias[k] = f32(sg, node, s->bias[k]);
  }
  w->proj = i8(sg, node, s->proj, &w->proj_scale);
  w->proj_bias = w->proj ? f32(sg, node, s->proj_bias) : NULL;
}

/* Bytes of one direction's packed matrices (each a multiple of 64). */
static int64_t hybrid_packed_bytes(const PlLstmRun* r) {
  const int nc = r->n_cell;
  return 4 * (pl_qs_hybrid_packed_bytes(nc, r->n_input) +
              pl_qs_hybrid_packed_bytes(nc, r->n_aux) +
              pl_qs_hybrid_packed_bytes(nc, r->n_output)) +
         pl_qs_hybrid_packed_bytes(r->n_output, nc);
}

/* One matrix [m, n] at *p (packed there first when `pack`; *packed NULL
 * and nothing packed for an absent matrix); *p moves past its place. */
static void use_packed_matrix(const int8_t* w, int m, int n, bool pack,
                              char** p, const void** packed) {
  *packed = NULL;
  if (w) {
    if (pack) pl_qs_hybrid_pack(w, m, n, *p);
    *packed = *p;
  }
  *p += pl_qs_hybrid_packed_bytes(m, n);
}

/* Points w's packed matrices at their places in p, packing w's matrices
 * there first when `pack`. */
static void hybrid_use_packed(PlLstmHybridWeights* w, const PlLstmRun* r,
                              char* p, bool pack) {
  const int nc = r->n_cell;
  for (int k = 0; k < 4; ++k) {
    use_packed_matrix(w->in[k], nc, r->n_input, pack, &p, &w->packed_in[k]);
    use_packed_matrix(w->aux[k], nc, r->n_aux, pack, &p, &w->packed_aux[k]);
    use_packed_matrix(w->rec[k], nc, r->n_output, pack, &p,
                      &w->packed_rec[k]);
  }
  use_packed_matrix(w->proj, r->n_output, nc, pack, &p, &w->packed_proj);
}

static bool hybrid_matrices_constant(PlSubgraph* sg, PlNode* node,
                                     const PlLstmSlots* s) {
  for (int k = 0; k < 4; ++k) {
    const int slots[3] = {s->in[k], s->aux[k], s->rec[k]};
    for (int i = 0; i < 3; ++i) {
      const TfLiteTensor* t = opt(sg, node, slots[i]);
      if (t && !pl_is_constant(t)) return false;
    }
  }
  const TfLiteTensor* proj = opt(sg, node, s->proj);
  return !proj || pl_is_constant(proj);
}

TfLiteStatus pl_lstm_hybrid_prepare_packed(PlSubgraph* sg, PlNode* node,
                                           const char* op,
                                           const PlLstmSlots* s,
                                           const PlLstmRun* r,
                                           PlLstmPacked* p) {
  p->ready = false;
  PL_ENSURE_OK(pl_seq_reserve(sg, op, &p->data, &p->floats,
                              (hybrid_packed_bytes(r) + 3) / 4));
  if (!hybrid_matrices_constant(sg, node, s)) return kTfLiteOk;
  PlLstmHybridWeights w;
  hybrid_bind(sg, node, s, &w);
  hybrid_use_packed(&w, r, (char*)p->data, true);
  p->ready = true;
  return kTfLiteOk;
}

void pl_lstm_hybrid_bind_packed(PlSubgraph* sg, PlNode* node,
                                const PlLstmSlots* s, const PlLstmRun* r,
                                PlLstmPacked* p, PlLstmHybridWeights* w) {
  hybrid_bind(sg, node, s, w);
  hybrid_use_packed(w, r, (char*)p->data, !p->ready);
}

TfLiteStatus pl_lstm_hybrid_check(PlSubgraph* sg, PlNode* node,
                                  const char* op, const char* dir,
                                  const PlLstmSlots* s) {
  const PlQuantRule rule = {-1, true};
  char role[96];
  static const char* const kGate[4] = {"input", "forget", "cell", "output"};
  for (int k = 0; k < 4; ++k) {
    const struct {
      const char* what;
      int slot;
    } mats[4] = {{"input_to_%s weights", s->in[k]},
                 {"recurrent_to_%s weights", s->rec[k]},
                 {"aux_input_to_%s weights", s->aux[k]},
                 {"cell_to_%s weights", k == PL_LSTM_C ? -1 : s->peep[k]}};
    for (int m = 0; m < 4; ++m) {
      const TfLiteTensor* t = opt(sg, node, mats[m].slot);
      if (!t) continue;
      char what[64];
      snprintf(what, sizeof(what), mats[m].what, kGate[k]);
      snprintf(role, sizeof(role), "%s%s (hybrid)", dir, what);
      PL_ENSURE_OK(pl_q_check(sg, op, role, t, &rule));
    }
  }
  const TfLiteTensor* proj = opt(sg, node, s->proj);
  if (proj) {
    snprintf(role, sizeof(role), "%sprojection weights (hybrid)", dir);
    PL_ENSURE_OK(pl_q_check(sg, op, role, proj, &rule));
  }
  return kTfLiteOk;
}
