/* pylite: the integer LSTM (int8 input/output/weights, int16 cell state,
 * int32 biases) of UNIDIRECTIONAL_SEQUENCE_LSTM, as TFLite's 8x8->16
 * kernel (LstmStepInteger8x8_16); see sequence_lstm.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "capi/core/interp.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_seq.h"
#include "capi/kernels/internal/sequence_lstm.h"

static const TfLiteTensor* opt(PlSubgraph* sg, PlNode* node, int slot) {
  return slot < 0 ? NULL : pl_input(sg, node, slot);
}

static const char* const kGate[4] = {"input", "forget", "cell", "output"};

/* TFLite's CheckedLog2: log2 of x rounded, if x is within 1e-3 (in log2)
 * of a power of two. */
static bool checked_log2(float x, int* out) {
  const float l = logf(x) * (1.0f / logf(2.0f));
  const float rounded = roundf(l);
  *out = (int)rounded;
  return fabsf(l - rounded) < 1e-3f;
}

static TfLiteStatus check_q(PlSubgraph* sg, const char* op, const char* role,
                            const TfLiteTensor* t, bool symmetric) {
  const PlQuantRule rule = {-1, symmetric};
  return pl_q_check(sg, op, role, t, &rule);
}

TfLiteStatus pl_lstm_int_prepare(PlSubgraph* sg, PlNode* node, const char* op,
                                 const PlLstmSlots* s, const PlLstmRun* r,
                                 const TfLiteTensor* input,
                                 const TfLiteTensor* output_state,
                                 const TfLiteTensor* cell_state,
                                 const TfLiteTensor* output, float cell_clip,
                                 float proj_clip, PlLstmIntParams* p) {
  memset(p, 0, sizeof(*p));
  char role[96];
  p->layer_norm = s->norm[PL_LSTM_F] >= 0 &&
                  opt(sg, node, s->norm[PL_LSTM_F]) != NULL;
  PL_ENSURE_OK(check_q(sg, op, "input", input, false));
  PL_ENSURE_OK(check_q(sg, op, "output", output, false));
  PL_ENSURE_OK(check_q(sg, op, "output state (input 18)", output_state,
                       false));
  PL_ENSURE_OK(check_q(sg, op, "cell state (input 19)", cell_state, true));
  const int num_inter = node->def->num_intermediates;
  if (num_inter != 5) {
    pl_report(sg, "%s: an integer (int8) LSTM needs 5 intermediate tensors "
              "(the gates' and the hidden state's quantization), got %d.", op,
              num_inter);
    return kTfLiteError;
  }
  const int32_t hidden_index = node->def->intermediates[4];
  if (hidden_index < 0 || hidden_index >= sg->num_tensors) {
    pl_report(sg, "%s: intermediate tensor 4 (the hidden state) is missing.",
              op);
    return kTfLiteError;
  }
  const TfLiteTensor* hidden = &sg->tensors[hidden_index];
  PL_ENSURE_OK(check_q(sg, op, "intermediate 4 (hidden state)", hidden,
                       false));
  const bool cifg = opt(sg, node, s->in[PL_LSTM_I]) == NULL;
  const bool peep = opt(sg, node, s->peep[PL_LSTM_F]) != NULL;
  const TfLiteTensor* proj = opt(sg, node, s->proj);
  for (int k = 0; k < 4; ++k) {
    if (k == PL_LSTM_I && cifg) continue;
    snprintf(role, sizeof(role), "input_to_%s weights", kGate[k]);
    PL_ENSURE_OK(check_q(sg, op, role, opt(sg, node, s->in[k]), true));
    snprintf(role, sizeof(role), "recurrent_to_%s weights", kGate[k]);
    PL_ENSURE_OK(check_q(sg, op, role, opt(sg, node, s->rec[k]), true));
    const TfLiteTensor* pw = k == PL_LSTM_C ? NULL : opt(sg, node, s->peep[k]);
    if (pw) {
      snprintf(role, sizeof(role), "cell_to_%s weights", kGate[k]);
      PL_ENSURE_OK(check_q(sg, op, role, pw, true));
    }
  }
  if (proj) PL_ENSURE_OK(check_q(sg, op, "projection weights", proj, true));
  if (peep && r->n_output != r->n_cell) {
    pl_report(sg, "%s: integer LSTM with peephole weights needs the output "
              "size (%d) to equal the cell count (%d).", op, r->n_output,
              r->n_cell);
    return kTfLiteError;
  }

  const PlQuantParams cs = pl_q_params(cell_state);
  if (!checked_log2(cs.scale, &p->cell_scale)) {
    pl_report(sg, "%s: the cell state's scale (%g) must be a power of two "
              "for an integer LSTM.", op, (double)cs.scale);
    return kTfLiteError;
  }
  /* tanh(c) reads c with 15 + cell_scale integer bits; TFLite computes it
   * for 0..6 integer bits only and otherwise leaves its buffer as it was,
   * which holds the input gate (reproduced); with CIFG that buffer holds
   * nothing defined, so pylite refuses. */
  const int tanh_bits = 15 + p->cell_scale;
  if (p->cell_scale < -30 || p->cell_scale > 0 ||
      ((tanh_bits < 0 || tanh_bits > 6) && cifg)) {
    pl_report(sg, "%s: the cell state's scale 2^%d is not supported (TFLite's "
              "integer LSTM handles 2^-15 to 2^-9, and others only without "
              "CIFG).", op, p->cell_scale);
    return kTfLiteError;
  }
  const float out_scale = pl_q_params(output).scale;
  if (cell_clip > 0.0f) {
    float v = cell_clip / cs.scale;
    v = v < -32768.0f ? -32768.0f : v;
    v = v > 32767.0f ? 32767.0f : v;
    p->cell_clip = (int16_t)v;
  }
  if (proj_clip > 0.0f) {
    float v = proj_clip / out_scale;
    v = v < -128.0f ? -128.0f : v;
    v = v > 127.0f ? 127.0f : v;
    p->proj_clip = (int8_t)v;
  }

  /* The gate sums' scales: Q3.12, or with layer norm the intermediates'. */
  float gate_scales[4] = {1.0f / 4096.0f, 1.0f / 4096.0f, 1.0f / 4096.0f,
                          1.0f / 4096.0f};
  if (p->layer_norm) {
    for (int k = 0; k < 4; ++k) {
      const int32_t index = node->def->intermediates[k];
      if (index < 0 || index >= sg->num_tensors) {
        pl_report(sg, "%s: intermediate tensor %d (the %s gate) is missing.",
                  op, k, kGate[k]);
        return kTfLiteError;
      }
      snprintf(role, sizeof(role), "intermediate %d (%s gate, layer norm)", k,
               kGate[k]);
      PL_ENSURE_OK(check_q(sg, op, role, &sg->tensors[index], false));
      gate_scales[k] = pl_q_params(&sg->tensors[index]).scale;
      if (k == PL_LSTM_I && cifg) continue;
      const TfLiteTensor* coef = opt(sg, node, s->norm[k]);
      snprintf(role, sizeof(role), "%s_layer_norm_coefficients", kGate[k]);
      PL_ENSURE_OK(check_q(sg, op, role, coef, false));
      const float ls = pl_q_params(coef).scale;
      pl_q_multiplier(ls, &p->norm_mul[k], &p->norm_shift[k]);
      const int32_t guard = pl_q_f32_to_i32(10000.0f * ls);
      p->variance_guard[k] = guard > 1 ? guard : 1;
    }
  }

  /* Effective scales, in float arithmetic as TFLite computes them. */
  const PlQuantParams hp = pl_q_params(hidden);
  const float input_scale = pl_q_params(input).scale;
  const float state_scale = pl_q_params(output_state).scale;
  for (int k = 0; k < 4; ++k) {
    if (k == PL_LSTM_I && cifg) continue;
    const float ws = pl_q_params(opt(sg, node, s->in[k])).scale;
    const float rs = pl_q_params(opt(sg, node, s->rec[k])).scale;
    const float gate_scale = gate_scales[k];
    const float e_in = ws * input_scale / gate_scale;
    const float e_rec = rs * state_scale / gate_scale;
    pl_q_multiplier(e_in, &p->in_mul[k], &p->in_shift[k]);
    pl_q_multiplier(e_rec, &p->rec_mul[k], &p->rec_shift[k]);
    const TfLiteTensor* pw = k == PL_LSTM_C ? NULL : opt(sg, node, s->peep[k]);
    if (pw) {
      const float e_peep = (float)(pow(2.0, p->cell_scale) *
                                   (double)pl_q_params(pw).scale /
                                   (double)gate_scale);
      pl_q_multiplier(e_peep, &p->peep_mul[k], &p->peep_shift[k]);
    }
  }
  const float e_hidden =
      (float)(pow(2.0, -15) / (double)hp.scale * pow(2.0, -15));
  pl_q_multiplier(e_hidden, &p->hidden_mul, &p->hidden_shift);
  if (proj) {
    const float e_proj = pl_q_params(proj).scale * hp.scale / state_scale;
    pl_q_multiplier(e_proj, &p->proj_mul, &p->proj_shift);
  }
  p->input_zp = pl_q_params(input).zero_point;
  p->output_state_zp = pl_q_params(output_state).zero_point;
  p->hidden_zp = hp.zero_point;
  return kTfLiteOk;
}

/* ---- Eval ---------------------------------------------------------------- */

typedef struct IntScratch {
  int16_t* g[4];    /* gates, [rows, n_cell] */
  int16_t* t;       /* tanh(c) */
  int8_t* hidden;   /* o * tanh(c) before projection */
  int32_t* in_bias[4];
  int32_t* rec_bias[4];
  int32_t* proj_bias;
} IntScratch;

static int64_t layout(const PlLstmRun* r, char* base, IntScratch* s) {
  const int64_t B = r->n_batch > 0 ? r->n_batch : 1;
  const int64_t n = B * r->n_cell;
  int64_t at = 0;
#define PL_TAKE_(field, type, count)             \
  do {                                           \
    if (s) s->field = (type*)(void*)(base + at); \
    at += (int64_t)sizeof(type) * (count);       \
    at = (at + 15) & ~(int64_t)15;               \
  } while (0)
  for (int k = 0; k < 4; ++k) PL_TAKE_(g[k], int16_t, n);
  PL_TAKE_(t, int16_t, n);
  PL_TAKE_(hidden, int8_t, n);
  for (int k = 0; k < 4; ++k) {
    PL_TAKE_(in_bias[k], int32_t, r->n_cell);
    PL_TAKE_(rec_bias[k], int32_t, r->n_cell);
  }
  PL_TAKE_(proj_bias, int32_t, r->n_output);
#undef PL_TAKE_
  return at;
}

int64_t pl_lstm_int_scratch_bytes(const PlLstmRun* r) {
  return layout(r, NULL, NULL);
}

/* bias + zero_point * (row sums of w [rows, cols]) */
static void effective_bias(const int8_t* w, const int32_t* bias,
                           int32_t zero_point, int rows, int cols,
                           int32_t* out) {
  for (int i = 0; i < rows; ++i) {
    int32_t sum = 0;
    for (int j = 0; j < cols; ++j)
      sum = pl_q_add(sum, w[(int64_t)i * cols + j]);
    /* int32 arithmetic wrapping as TFLite's does on x86. */
    out[i] = pl_q_add(bias ? bias[i] : 0,
                      (int32_t)((uint32_t)sum * (uint32_t)zero_point));
  }
}

/* out[b, j] = sat(out[b, j] + MBQM(bias[j] + W[j] . x[b]) + zp) */
static void mat_acc16(const int8_t* x, const int32_t* bias, const int8_t* w,
                      int32_t mul, int shift, int rows, int n_in, int n_out,
                      int16_t* out) {
  for (int b = 0; b < rows; ++b) {
    const int8_t* xb = x + (int64_t)b * n_in;
    for (int j = 0; j < n_out; ++j) {
      const int8_t* wj = w + (int64_t)j * n_in;
      int32_t acc = bias[j];
      for (int k = 0; k < n_in; ++k)
        acc = pl_q_add(acc, (int32_t)xb[k] * wj[k]);
      acc = pl_q_mul(acc, mul, shift);
      acc = pl_q_add(acc, out[(int64_t)b * n_out + j]);
      out[(int64_t)b * n_out + j] = (int16_t)pl_q_clamp(acc, -32768, 32767);
    }
  }
}

static void mat_acc8(const int8_t* x, const int32_t* bias, const int8_t* w,
                     int32_t mul, int shift, int rows, int n_in, int n_out,
                     int32_t zp, int8_t* out) {
  for (int b = 0; b < rows; ++b) {
    const int8_t* xb = x + (int64_t)b * n_in;
    for (int j = 0; j < n_out; ++j) {
      const int8_t* wj = w + (int64_t)j * n_in;
      int32_t acc = bias[j];
      for (int k = 0; k < n_in; ++k)
        acc = pl_q_add(acc, (int32_t)xb[k] * wj[k]);
      acc = pl_q_mul(acc, mul, shift);
      acc = pl_q_add(pl_q_add(acc, zp), out[(int64_t)b * n_out + j]);
      out[(int64_t)b * n_out + j] = (int8_t)pl_q_clamp(acc, -128, 127);
    }
  }
}

typedef struct IntWeights {
  const int8_t* in[4];
  const int8_t* rec[4];
  const int16_t* peep[4];
  const int16_t* norm[4];
  const int32_t* bias[4];
  const int8_t* proj;
} IntWeights;

static int32_t mul32(int32_t a, int32_t b) { return pl_q_high_mul(a, b); }

static int32_t mul_pot32(int32_t x, int e) {
  const int32_t threshold = (int32_t)(((int64_t)1 << (31 - e)) - 1);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << e);
}

/* 1 / sqrt(input) as a multiplier and a left shift, as TFLite's
 * GetInvSqrtQuantizedMultiplierExp with reverse_shift -1 (Newton-Raphson
 * in gemmlowp's Q3.28). */
static void inv_sqrt(int32_t input, int32_t* multiplier, int* shift) {
  if (input <= 1) {
    *multiplier = INT32_MAX;
    *shift = 0;
    return;
  }
  int s = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    ++s;
  }
  const int leading = __builtin_clz((uint32_t)input);
  const int pairs = (leading - 1) / 2 - 1;
  s -= pairs;
  input = (int32_t)((uint32_t)input << (2 * pairs));
  const int32_t x_in = input >> 1;
  const int32_t half_input = pl_qs_rounding_div_pot(x_in, 1);
  const int32_t half_three = (1 << 28) + (1 << 27);
  int32_t x = 1 << 28;
  for (int i = 0; i < 5; ++i) {
    const int32_t x3 = mul_pot32(mul32(mul32(x, x), x), 6);
    const int32_t d = (int32_t)((uint32_t)mul32(half_three, x) -
                                (uint32_t)mul32(half_input, x3));
    x = mul_pot32(d, 3);
  }
  x = mul32(x, 1518500250);
  if (s < 0) {
    x = (int32_t)((uint32_t)x << -s);
    s = 0;
  }
  *multiplier = x;
  *shift = -s;
}

/* TFLite's integer layer norm of each row of g (n values) in place. */
static void layer_norm(int16_t* g, int rows, int n, const int16_t* coef,
                       const int32_t* bias, int32_t mul, int shift,
                       int32_t guard) {
  for (int b = 0; b < rows; ++b) {
    int16_t* row = g + (int64_t)b * n;
    int64_t sum = 0, sum_sq = 0;
    for (int j = 0; j < n; ++j) {
      sum += row[j];
      sum_sq += (int32_t)row[j] * row[j];
    }
    const int32_t mean = (int32_t)(sum * 1024 / n);
    const int32_t temp = (1 << 20) / n;
    const int64_t variance = sum_sq * temp - (int64_t)mean * mean;
    int32_t variance2 = (int32_t)(variance / (1 << 20));
    if (variance2 < 1) variance2 = guard;
    int32_t inv_mul;
    int inv_shift;
    inv_sqrt(variance2, &inv_mul, &inv_shift);
    for (int j = 0; j < n; ++j) {
      const int32_t shifted =
          pl_q_add(1024 * row[j], (int32_t)(0u - (uint32_t)mean));
      const int32_t rescaled = pl_q_mul(shifted, inv_mul, inv_shift);
      /* int32 arithmetic (wrapping) before the widening, as TFLite. */
      const int64_t v3 = (int32_t)((uint32_t)rescaled *
                                       (uint32_t)(int32_t)coef[j] +
                                   (uint32_t)bias[j]);
      const int32_t v4 = (int32_t)((v3 > 0 ? v3 + 512 : v3 - 512) / 1024);
      const int32_t v5 = pl_q_mul(v4, mul, shift + 12);
      row[j] = (int16_t)pl_q_clamp(v5, -32768, 32767);
    }
  }
}

static void gate_int(const IntWeights* w, const PlLstmIntParams* p,
                     const IntScratch* s, const PlLstmRun* r, int k, int rows,
                     const int8_t* x, const int8_t* h, const int16_t* c,
                     int16_t* g) {
  const int nc = r->n_cell;
  const int64_t n = (int64_t)rows * nc;
  memset(g, 0, sizeof(int16_t) * (size_t)n);
  mat_acc16(x, s->in_bias[k], w->in[k], p->in_mul[k], p->in_shift[k], rows,
            r->n_input, nc, g);
  mat_acc16(h, s->rec_bias[k], w->rec[k], p->rec_mul[k], p->rec_shift[k],
            rows, r->n_output, nc, g);
  if (w->peep[k]) {
    for (int64_t q = 0; q < n; ++q) {
      int32_t prod = (int32_t)w->peep[k][q % nc] * c[q];
      prod = pl_q_mul(prod, p->peep_mul[k], p->peep_shift[k]);
      g[q] = (int16_t)pl_q_clamp(pl_q_add(prod, g[q]), -32768, 32767);
    }
  }
  if (w->norm[k])
    layer_norm(g, rows, nc, w->norm[k], w->bias[k], p->norm_mul[k],
               p->norm_shift[k], p->variance_guard[k]);
  for (int64_t q = 0; q < n; ++q)
    g[q] = k == PL_LSTM_C ? pl_qs_tanh(g[q], 3) : pl_qs_logistic_q3(g[q]);
}

static int16_t rdiv16(int32_t v, int shift) {
  return (int16_t)(uint16_t)(uint32_t)pl_qs_rounding_div_pot(v, shift);
}

static void step_int(const IntWeights* w, const PlLstmIntParams* p,
                     const IntScratch* s, const PlLstmRun* r, int rows,
                     const int8_t* x, int8_t* h, int16_t* c, int8_t* out) {
  const int nc = r->n_cell, no = r->n_output;
  const int64_t n = (int64_t)rows * nc;
  const bool cifg = w->in[PL_LSTM_I] == NULL;
  if (!cifg) gate_int(w, p, s, r, PL_LSTM_I, rows, x, h, c, s->g[PL_LSTM_I]);
  gate_int(w, p, s, r, PL_LSTM_F, rows, x, h, c, s->g[PL_LSTM_F]);
  gate_int(w, p, s, r, PL_LSTM_C, rows, x, h, c, s->g[PL_LSTM_C]);
  /* c = f * c / 2^15 + i * g / 2^(30 + cell_scale), saturated, clipped. */
  const int16_t* gi = s->g[PL_LSTM_I];
  const int16_t* gf = s->g[PL_LSTM_F];
  const int16_t* gc = s->g[PL_LSTM_C];
  for (int64_t q = 0; q < n; ++q) {
    const int16_t kept = rdiv16((int32_t)gf[q] * c[q], 15);
    const int16_t in_gate = cifg ? (int16_t)(32767 - gf[q]) : gi[q];
    const int16_t added =
        rdiv16((int32_t)in_gate * gc[q], 30 + p->cell_scale);
    int32_t v = pl_q_clamp((int32_t)kept + added, -32768, 32767);
    if (p->cell_clip > 0) v = pl_q_clamp(v, -p->cell_clip, p->cell_clip);
    c[q] = (int16_t)v;
  }
  gate_int(w, p, s, r, PL_LSTM_O, rows, x, h, c, s->g[PL_LSTM_O]);
  const int16_t* go = s->g[PL_LSTM_O];
  const int tanh_bits = 15 + p->cell_scale;
  if (tanh_bits >= 0 && tanh_bits <= 6) {
    for (int64_t q = 0; q < n; ++q) s->t[q] = pl_qs_tanh(c[q], tanh_bits);
  } else {
    /* TFLite's quirk: no tanh is computed, and its buffer still holds the
     * input gate (prepare rejects this with CIFG). */
    memcpy(s->t, s->g[PL_LSTM_I], sizeof(int16_t) * (size_t)n);
  }
  if (w->proj) {
    /* TFLite stores o * tanh(c) with -hidden_zp here and adds hidden_zp *
     * row sums of the projection back in its effective bias. */
    for (int64_t q = 0; q < n; ++q) {
      int32_t v = pl_q_mul((int32_t)go[q] * s->t[q], p->hidden_mul,
                           p->hidden_shift);
      s->hidden[q] = (int8_t)pl_q_clamp(v - p->hidden_zp, -128, 127);
    }
    memset(h, 0, (size_t)rows * (size_t)no);
    mat_acc8(s->hidden, s->proj_bias, w->proj, p->proj_mul, p->proj_shift,
             rows, nc, no, p->output_state_zp, h);
    if (p->proj_clip > 0) {
      for (int64_t q = 0; q < (int64_t)rows * no; ++q)
        h[q] = (int8_t)pl_q_clamp(h[q], -p->proj_clip, p->proj_clip);
    }
  } else {
    for (int64_t q = 0; q < n; ++q) {
      int32_t v = pl_q_mul((int32_t)go[q] * s->t[q], p->hidden_mul,
                           p->hidden_shift);
      h[q] = (int8_t)pl_q_clamp(v + p->hidden_zp, -128, 127);
    }
  }
  memcpy(out, h, (size_t)rows * (size_t)no);
}

void pl_lstm_int_eval(PlSubgraph* sg, PlNode* node, const PlLstmSlots* sl,
                      const PlLstmIntParams* p, const PlLstmRun* r,
                      const int8_t* input, int8_t* output_state,
                      int16_t* cell_state, int8_t* output, void* scratch) {
  IntScratch s;
  layout(r, scratch, &s);
  IntWeights w;
  memset(&w, 0, sizeof(w));
  for (int k = 0; k < 4; ++k) {
    const TfLiteTensor* in = opt(sg, node, sl->in[k]);
    if (!in) continue;
    w.in[k] = in->data.int8;
    w.rec[k] = opt(sg, node, sl->rec[k])->data.int8;
    const TfLiteTensor* pw = k == PL_LSTM_C ? NULL : opt(sg, node, sl->peep[k]);
    w.peep[k] = pw ? pw->data.i16 : NULL;
    const TfLiteTensor* bias = opt(sg, node, sl->bias[k]);
    w.bias[k] = bias->data.i32;
    w.norm[k] = p->layer_norm ? opt(sg, node, sl->norm[k])->data.i16 : NULL;
    /* With layer norm the gate bias is added after the normalization. */
    effective_bias(w.in[k], p->layer_norm ? NULL : bias->data.i32,
                   -p->input_zp, r->n_cell, r->n_input, s.in_bias[k]);
    effective_bias(w.rec[k], NULL, -p->output_state_zp, r->n_cell,
                   r->n_output, s.rec_bias[k]);
  }
  const TfLiteTensor* proj = opt(sg, node, sl->proj);
  if (proj) {
    w.proj = proj->data.int8;
    const TfLiteTensor* pb = opt(sg, node, sl->proj_bias);
    effective_bias(w.proj, pb ? pb->data.i32 : NULL, p->hidden_zp,
                   r->n_output, r->n_cell, s.proj_bias);
  }
  const int T = r->max_time, B = r->n_batch;
  if (r->time_major) {
    for (int t = 0; t < T; ++t)
      step_int(&w, p, &s, r, B, input + (int64_t)t * B * r->n_input,
               output_state, cell_state,
               output + (int64_t)t * B * r->out_stride);
    return;
  }
  for (int b = 0; b < B; ++b) {
    for (int t = 0; t < T; ++t) {
      const int64_t at = (int64_t)b * T + t;
      step_int(&w, p, &s, r, 1, input + at * r->n_input,
               output_state + (int64_t)b * r->n_output,
               cell_state + (int64_t)b * r->n_cell,
               output + at * r->out_stride);
    }
  }
}
