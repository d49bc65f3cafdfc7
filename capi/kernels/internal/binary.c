/* pylite: shared machinery of the elementwise binary family; see
 * binary.h. */
#include "capi/kernels/internal/binary.h"

#include <stdio.h>

#include "capi/core/interp.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_lut.h"
#include "capi/kernels/internal/vmath.h"

bool pl_bcast_shape(int n, const TfLiteIntArray* const* in, int* out,
                    int* rank) {
  int r = 0;
  for (int k = 0; k < n; ++k) r = in[k]->size > r ? in[k]->size : r;
  if (r > PL_MAX_RANK) return false;
  for (int i = 0; i < r; ++i) {
    int d = 1;
    for (int k = 0; k < n; ++k) {
      const int dk = i < in[k]->size ? in[k]->data[in[k]->size - 1 - i] : 1;
      if (dk == 1) continue;
      if (d != 1 && d != dk) return false;
      d = dk;
    }
    out[r - 1 - i] = d;
  }
  *rank = r;
  return true;
}

bool pl_bcast_plan(PlBcast* p, int n, const TfLiteIntArray* const* in,
                   const int* out, int rank) {
  int64_t acc[PL_BIN_MAX_IN];
  p->num_in = n;
  p->count = 0;
  for (int k = 0; k < n; ++k) acc[k] = 1;
  for (int i = rank - 1; i >= 0; --i) {
    const int j = rank - 1 - i; /* position from the right */
    const int64_t od = out[i];
    if (od == 0) return false;
    if (od == 1) continue; /* every operand has 1 here */
    int64_t s[PL_BIN_MAX_IN], d[PL_BIN_MAX_IN];
    for (int k = 0; k < n; ++k) {
      d[k] = j < in[k]->size ? in[k]->data[in[k]->size - 1 - j] : 1;
      s[k] = d[k] == 1 ? 0 : acc[k];
    }
    const int last = p->count - 1;
    bool fuse = last >= 0;
    for (int k = 0; fuse && k < n; ++k) {
      const int64_t prev = p->stride[k][last];
      fuse = prev == 0 ? s[k] == 0 : s[k] == prev * p->extent[last];
    }
    if (fuse) {
      p->extent[last] *= od;
    } else {
      p->extent[p->count] = od;
      for (int k = 0; k < n; ++k) p->stride[k][p->count] = s[k];
      p->count++;
    }
    for (int k = 0; k < n; ++k) acc[k] *= d[k];
  }
  return true;
}

/* Output elements in the walk of p. */
static int64_t bcast_total(const PlBcast* p) {
  int64_t total = 1;
  for (int l = 0; l < p->count; ++l) total *= p->extent[l];
  return total;
}

/* The walk restricted to output elements [begin, end): the first and last
 * rows may be partial. The outer loops are set from the row of `begin`,
 * then advance like an odometer. */
static void bcast_walk_range(const PlBcast* p, int64_t begin, int64_t end,
                             PlBcastVisit visit, void* ctx) {
  int64_t off[PL_BIN_MAX_IN] = {0};
  int64_t step[PL_BIN_MAX_IN];
  if (p->count == 0) { /* every dim is 1: a single element */
    for (int k = 0; k < p->num_in; ++k) step[k] = 1;
    if (begin < end) visit(ctx, 0, off, step, 1);
    return;
  }
  for (int k = 0; k < p->num_in; ++k) step[k] = p->stride[k][0];
  const int64_t n = p->extent[0];
  int64_t index[PL_MAX_RANK] = {0};
  int64_t row = begin / n;
  for (int l = 1; l < p->count; ++l) {
    index[l] = row % p->extent[l];
    row /= p->extent[l];
    for (int k = 0; k < p->num_in; ++k) off[k] += index[l] * p->stride[k][l];
  }
  int64_t out_off = begin - begin % n; /* start of the current row */
  int64_t i0 = begin % n;
  while (out_off + i0 < end) {
    const int64_t len = end - out_off < n ? end - out_off - i0 : n - i0;
    int64_t at[PL_BIN_MAX_IN];
    for (int k = 0; k < p->num_in; ++k) at[k] = off[k] + i0 * step[k];
    visit(ctx, out_off + i0, at, step, len);
    out_off += n;
    i0 = 0;
    int l = 1;
    for (; l < p->count; ++l) {
      for (int k = 0; k < p->num_in; ++k) off[k] += p->stride[k][l];
      if (++index[l] < p->extent[l]) break;
      for (int k = 0; k < p->num_in; ++k)
        off[k] -= p->stride[k][l] * p->extent[l];
      index[l] = 0;
    }
    if (l == p->count) return;
  }
}

void pl_bcast_walk(const PlBcast* p, PlBcastVisit visit, void* ctx) {
  bcast_walk_range(p, 0, bcast_total(p), visit, ctx);
}

/* Turns a visit's offsets into pointers for the typed row. */
static void bcast_run_visit(void* ctx, int64_t out_off, const int64_t* in_off,
                            const int64_t* step, int64_t n) {
  const PlBcastRun* r = ctx;
  const void* in[PL_BIN_MAX_IN];
  for (int k = 0; k < r->num_in; ++k)
    in[k] = r->in[k] + in_off[k] * (int64_t)r->in_elem[k];
  r->row(r->out + out_off * (int64_t)r->out_elem, in, step, n, r->ctx);
}

void pl_bcast_run(const PlBcast* p, PlBcastRun* r) {
  pl_bcast_walk(p, bcast_run_visit, r);
}

/* pl_bcast_run split across the interpreter's threads by ranges of output
 * elements (units of kBcastUnit): every element is computed by one row
 * call whatever the split, so results do not depend on it. */
enum { kBcastUnit = 4096 };

/* Rows of a matrix against one vector (x [.., C] times a scale [C], as
 * squeeze-and-excitation blocks do): the walk would make one row call of C
 * elements per row, with both steps 1, and with C small (8, 16) the calls
 * cost more than the arithmetic. Instead the vector is repeated into a
 * buffer on the stack, and each call takes as many whole rows as it
 * holds, the buffer read from the row's phase: the same row function with
 * the same steps on the same pairs of values, so the same results. */
enum { kBcastRepeatBytes = 4096 };

/* Which operand of p is such a vector (-1: none): the plan has two loops,
 * that operand has steps 1 then 0 and the other is contiguous, and three
 * copies of the vector fit the buffer. */
static int bcast_vector_operand(const PlBcast* p, const PlBcastRun* r) {
  if (p->count != 2 || r->num_in != 2) return -1;
  for (int v = 0; v < 2; ++v) {
    const int m = 1 - v;
    if (p->stride[v][0] == 1 && p->stride[v][1] == 0 &&
        p->stride[m][0] == 1 && p->stride[m][1] == p->extent[0] &&
        3 * p->extent[0] * (int64_t)r->in_elem[v] <= kBcastRepeatBytes)
      return v;
  }
  return -1;
}

/* Output elements [begin, end) of a plan whose operand v is a vector of
 * the rows (bcast_vector_operand). */
static void bcast_run_vector(const PlBcast* p, const PlBcastRun* r, int v,
                             int64_t begin, int64_t end) {
  _Alignas(64) char repeat[kBcastRepeatBytes];
  const int64_t c = p->extent[0];
  const int64_t row_bytes = c * (int64_t)r->in_elem[v];
  /* One copy more than the rows a call takes, for the phase. */
  int64_t copies = kBcastRepeatBytes / row_bytes;
  const int64_t rows = (end - begin + c - 1) / c + 1;
  if (copies > rows + 1) copies = rows + 1;
  for (int64_t j = 0; j < copies; ++j)
    memcpy(repeat + j * row_bytes, r->in[v], (size_t)row_bytes);
  const int64_t span = (copies - 1) * c;
  const int64_t step[PL_BIN_MAX_IN] = {1, 1};
  const void* in[PL_BIN_MAX_IN];
  for (int64_t i = begin; i < end; i += span) {
    in[v] = repeat + (i % c) * (int64_t)r->in_elem[v];
    in[1 - v] = r->in[1 - v] + i * (int64_t)r->in_elem[1 - v];
    r->row(r->out + i * (int64_t)r->out_elem, in, step,
           end - i < span ? end - i : span, r->ctx);
  }
}

typedef struct PlBcastJob {
  const PlBcast* plan;
  PlBcastRun* run;
  int64_t total;
  int vector; /* bcast_vector_operand */
} PlBcastJob;

static void bcast_run_units(void* ctx, int64_t begin, int64_t end,
                            int worker) {
  (void)worker;
  const PlBcastJob* job = ctx;
  const int64_t from = begin * kBcastUnit;
  const int64_t to = end * kBcastUnit < job->total ? end * kBcastUnit
                                                   : job->total;
  if (job->vector >= 0)
    bcast_run_vector(job->plan, job->run, job->vector, from, to);
  else
    bcast_walk_range(job->plan, from, to, bcast_run_visit, job->run);
}

/* The walk of a plan of one loop at most (operands of one shape, a single
 * value against a row, a single element) is one row: called directly, with
 * what the walk would pass it. */
static void bcast_run_row(const PlBcast* p, const PlBcastRun* r) {
  const void* in[PL_BIN_MAX_IN];
  int64_t step[PL_BIN_MAX_IN];
  for (int k = 0; k < r->num_in; ++k) {
    in[k] = r->in[k];
    step[k] = p->count == 0 ? 1 : p->stride[k][0];
  }
  r->row(r->out, in, step, p->count == 0 ? 1 : p->extent[0], r->ctx);
}

/* The whole walk of a plan of two loops (rows of a matrix against a
 * vector or a column, say): the same row calls as the walk's, in a plain
 * loop over the rows. */
static void bcast_run_rows(const PlBcast* p, const PlBcastRun* r) {
  const void* in[PL_BIN_MAX_IN];
  int64_t step[PL_BIN_MAX_IN] = {0}, pitch[PL_BIN_MAX_IN] = {0};
  for (int k = 0; k < r->num_in; ++k) {
    step[k] = p->stride[k][0];
    pitch[k] = p->stride[k][1] * (int64_t)r->in_elem[k];
  }
  const int64_t n = p->extent[0];
  const int64_t out_pitch = n * (int64_t)r->out_elem;
  for (int64_t j = 0; j < p->extent[1]; ++j) {
    for (int k = 0; k < r->num_in; ++k) in[k] = r->in[k] + j * pitch[k];
    r->row(r->out + j * out_pitch, in, step, n, r->ctx);
  }
}

/* Runs the walk of p (`total` output elements): rows against a vector
 * by bcast_run_vector; a walk of one unit at most of one or two loops
 * directly (the threads would run it inline, with the same row calls);
 * else on the threads when `parallel` (float rows), serially otherwise. */
static void bcast_run_all(PlSubgraph* sg, const PlBcast* p, int64_t total,
                          PlBcastRun* r, bool parallel) {
  const int vector = bcast_vector_operand(p, r);
  if (vector >= 0 && (total <= kBcastUnit || !parallel)) {
    bcast_run_vector(p, r, vector, 0, total);
  } else if (p->count <= 1 && total <= kBcastUnit) {
    bcast_run_row(p, r);
  } else if (p->count == 2 && total <= kBcastUnit) {
    bcast_run_rows(p, r);
  } else if (parallel) {
    PlBcastJob job = {p, r, total, vector};
    /* Memory-bound rows: about one cost unit per element. */
    pl_parallel_for_cost(sg, (total + kBcastUnit - 1) / kBcastUnit,
                         kBcastUnit, bcast_run_units, &job);
  } else {
    pl_bcast_run(p, r);
  }
}

/* ---- Swish ---------------------------------------------------------------- */

enum { kBuiltinLogistic = 14, kBuiltinMul = 18 };

/* A builtin op run by pylite's own kernel (not a registered override). */
static bool is_builtin(const PlNode* n, int32_t code) {
  return n->builtin_code == code && n->kernel != NULL &&
         n->registration == NULL;
}

/* A swish's tensor type: float32, int8 or uint8 (-1: another or none). */
static int swish_type(PlSubgraph* sg, int32_t t) {
  if (t < 0 || t >= sg->num_tensors) return -1;
  const TfLiteType type = sg->tensors[t].type;
  return type == kTfLiteFloat32 || type == kTfLiteInt8 ||
                 type == kTfLiteUInt8
             ? (int)type
             : -1;
}

static int count_of(const TfLiteIntArray* a, int32_t v) {
  int n = 0;
  for (int i = 0; a && i < a->size; ++i) n += a->data[i] == v;
  return n;
}

bool pl_swish_pair(PlSubgraph* sg, const PlNode* logistic, const PlNode* mul) {
  if (!is_builtin(logistic, kBuiltinLogistic) || !is_builtin(mul, kBuiltinMul) ||
      logistic->index >= mul->index || logistic->inputs->size != 1 ||
      logistic->outputs->size != 1 || mul->inputs->size != 2 ||
      mul->outputs->size != 1)
    return false;
  const int32_t x = logistic->inputs->data[0];
  const int32_t s = logistic->outputs->data[0];
  const int32_t a = mul->inputs->data[0], b = mul->inputs->data[1];
  const int32_t y = mul->outputs->data[0];
  if (x == s || y == x || y == s || !((a == x && b == s) || (a == s && b == x)))
    return false;
  const int type = swish_type(sg, x);
  if (type < 0 || swish_type(sg, s) != type || swish_type(sg, y) != type ||
      pl_is_constant(&sg->tensors[x]) || count_of(sg->outputs, s) != 0)
    return false;
  const PlInterp* interp = sg->interp;
  for (int32_t i = 0; i < interp->num_signatures; ++i) {
    const PlSignature* sig = &interp->signatures[i];
    if (sig->subgraph_index != sg->index) continue;
    for (int32_t k = 0; k < sig->num_outputs; ++k)
      if (sig->output_tensors[k] == s) return false;
  }
  int uses = 0;
  for (int32_t i = 0; i < sg->num_nodes; ++i)
    uses += count_of(sg->nodes[i].inputs, s);
  return uses == 1;
}

const PlNode* pl_swish_mul_of(PlSubgraph* sg, const PlNode* logistic) {
  if (logistic->outputs->size != 1) return NULL;
  const int32_t s = logistic->outputs->data[0];
  for (int32_t i = logistic->index + 1; i < sg->num_nodes; ++i) {
    const PlNode* n = &sg->nodes[i];
    if (count_of(n->inputs, s) != 0)
      return pl_swish_pair(sg, logistic, n) ? n : NULL;
  }
  return NULL;
}

/* For a MUL node: which input is x of a swish, or -1. The interpreter
 * lets one operator at most write a tensor, so the search for an input's
 * producer goes back from the MUL (where the LOGISTIC of a swish sits) and
 * stops at the first writer. */
static int swish_x_input(PlSubgraph* sg, const PlNode* mul) {
  for (int k = 0; k < 2 && mul->inputs->size == 2; ++k) {
    const int32_t s = mul->inputs->data[k];
    const int32_t last = mul->index < sg->num_nodes ? mul->index : sg->num_nodes;
    for (int32_t i = last - 1; i >= 0; --i) {
      const PlNode* n = &sg->nodes[i];
      if (count_of(n->outputs, s) == 0) continue;
      if (pl_swish_pair(sg, n, mul)) return 1 - k;
      break;
    }
  }
  return -1;
}

/* y = clamp(x * logistic(x)) (pl_vmath_swish_f32) over units of
 * kSwishUnit elements. */
enum { kSwishUnit = 4096 };

typedef struct PlSwishJob {
  const float* x;
  float* y;
  int64_t n;
  float lo, hi;
} PlSwishJob;

static void swish_units(void* ctx, int64_t begin, int64_t end, int worker) {
  (void)worker;
  const PlSwishJob* job = ctx;
  const int64_t from = begin * kSwishUnit;
  const int64_t to = end * kSwishUnit < job->n ? end * kSwishUnit : job->n;
  pl_vmath_swish_f32(job->x + from, job->y + from, to - from, job->lo,
                     job->hi);
}

static void swish_run(PlSubgraph* sg, const float* x, float* y, int64_t n,
                      const PlBinCtx* c) {
  PlSwishJob job = {x, y, n, c->f_lo, c->f_hi};
  pl_parallel_for_cost(sg, (n + kSwishUnit - 1) / kSwishUnit, kSwishUnit,
                       swish_units, &job);
}

TfLiteStatus pl_bcast_prepare_shape(PlSubgraph* sg, const char* op, int n,
                                    const TfLiteTensor* const* in, int* out,
                                    int* rank) {
  const TfLiteIntArray* dims[PL_BIN_MAX_IN] = {0};
  for (int k = 0; k < n; ++k) {
    dims[k] = in[k]->dims;
    if (dims[k]->size > PL_MAX_RANK) {
      pl_report(sg, "%s inputs may have at most %d dims, input %d has %d.", op,
                PL_MAX_RANK, k, dims[k]->size);
      return kTfLiteError;
    }
  }
  if (!pl_bcast_shape(n, dims, out, rank)) {
    char msg[512];
    int at = snprintf(msg, sizeof(msg), "%s: Given shapes, ", op);
    for (int k = 0; k < n && at > 0 && at < (int)sizeof(msg); ++k) {
      char s[160];
      pl_shape_string(dims[k], s, sizeof(s));
      at += snprintf(msg + at, sizeof(msg) - at, "%s%s",
                     k == 0 ? "" : (k == n - 1 ? " and " : ", "), s);
    }
    pl_report(sg, "%s, are not broadcastable.", msg);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* The quantized swish's table: LOGISTIC's table of each x value, then the
 * MUL's own row over the 256 (x, s) pairs. */
static void swish_table(PlBinaryData* data, const TfLiteTensor* x,
                        const TfLiteTensor* s) {
  uint8_t xs[256], ss[256];
  pl_logistic_lut8(x, s, ss);
  for (int v = 0; v < 256; ++v) xs[v] = (uint8_t)v;
  const void* in[2];
  in[data->swish_x] = xs;
  in[1 - data->swish_x] = ss;
  const int64_t step[2] = {1, 1};
  data->qrow(data->swish_lut, in, step, 256, &data->q);
  pl_q_lut8_shuffle_tables(data->swish_lut, data->swish_shuffle);
}

TfLiteStatus pl_binary_init(PlSubgraph* sg, PlNode* node,
                            const PlBinaryOp* op) {
  PlBinaryData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  /* As TFLite: options of another union type read as defaults. */
  if (op->options_type != 0 &&
      node->def->builtin_options_type == op->options_type)
    data->activation = pl_fb_i8(&node->def->builtin_options, 0, PL_ACT_NONE);
  data->swish_x = -1;
  node->user_data = data;
  return kTfLiteOk;
}

void pl_binary_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

TfLiteStatus pl_bin_check_arity(PlSubgraph* sg, const PlNode* node,
                                const char* op, int ni, int no) {
  if (pl_num_inputs(node) != ni || pl_num_outputs(node) != no) {
    pl_report(sg, "%s takes %d input%s and %d output%s, got %d and %d.", op,
              ni, ni == 1 ? "" : "s", no, no == 1 ? "" : "s",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  for (int i = 0; i < ni; ++i) {
    if (!pl_input(sg, node, i)) {
      pl_report(sg, "%s input %d is missing.", op, i);
      return kTfLiteError;
    }
  }
  for (int i = 0; i < no; ++i) {
    if (!pl_output(sg, node, i)) {
      pl_report(sg, "%s output %d is missing.", op, i);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

TfLiteStatus pl_binary_check_type(PlSubgraph* sg, const PlBinaryOp* op,
                                  TfLiteType t) {
  const bool known = (int)t >= 0 && (int)t < PL_BIN_NUM_TYPES;
  if (known && op->rows[t]) return kTfLiteOk;
  if (known && op->quantized[t]) {
    pl_report(sg, "Quantized %s (%s) is not supported yet.", op->name,
              TfLiteTypeGetName(t));
    return kTfLiteError;
  }
  pl_report(sg, "%s supports %s, got %s.", op->name, op->types,
            TfLiteTypeGetName(t));
  return kTfLiteError;
}

/* Whether dims are the `rank` values `want`. */
static bool dims_are(const TfLiteIntArray* dims, int rank, const int* want) {
  if (dims->size != rank) return false;
  for (int i = 0; i < rank; ++i)
    if (dims->data[i] != want[i]) return false;
  return true;
}

/* Plans the walk for the prepared shapes of in and output (see
 * PlBinaryData). */
static void binary_plan(PlBinaryData* data, const TfLiteTensor* const* in,
                        const TfLiteTensor* output) {
  const TfLiteIntArray* d[2] = {in[0]->dims, in[1]->dims};
  for (int k = 0; k < 2; ++k) {
    data->plan_rank[k] = d[k]->size;
    memcpy(data->plan_dims[k], d[k]->data, sizeof(int) * (size_t)d[k]->size);
  }
  data->plan_empty =
      !pl_bcast_plan(&data->plan, 2, d, output->dims->data, output->dims->size);
  data->plan_total = data->plan_empty ? 0 : bcast_total(&data->plan);
  pl_bin_range(data->activation, output->type, &data->ctx);
  data->planned = true;
}

/* Whether the walk planned in prepare is still the one for these shapes:
 * the inputs'; the output's follows from them, since only this node's
 * prepare sizes it (no operator writes a subgraph input, nor can the API
 * resize another tensor). */
static bool binary_plan_holds(const PlBinaryData* data,
                              const TfLiteTensor* const* in) {
  return data && data->planned &&
         dims_are(in[0]->dims, data->plan_rank[0], data->plan_dims[0]) &&
         dims_are(in[1]->dims, data->plan_rank[1], data->plan_dims[1]);
}

TfLiteStatus pl_binary_prepare(PlSubgraph* sg, PlNode* node,
                               const PlBinaryOp* op) {
  PL_ENSURE_OK(pl_bin_check_arity(sg, node, op->name, 2, 1));
  PL_ENSURE(sg, node->user_data != NULL);
  const TfLiteTensor* in[2] = {pl_input(sg, node, 0), pl_input(sg, node, 1)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (in[0]->type != in[1]->type) {
    pl_report(sg, "%s needs inputs of one type, got %s and %s.", op->name,
              TfLiteTypeGetName(in[0]->type), TfLiteTypeGetName(in[1]->type));
    return kTfLiteError;
  }
  const TfLiteType t = in[0]->type;
  const bool known = (int)t >= 0 && (int)t < PL_BIN_NUM_TYPES;
  /* int8 / uint8 are always quantized values; int16 only with parameters
   * (plain integer arithmetic otherwise). */
  const bool quantized =
      known && op->quantized[t] &&
      (t != kTfLiteInt16 ||
       in[0]->quantization.type != kTfLiteNoQuantization ||
       in[1]->quantization.type != kTfLiteNoQuantization ||
       output->quantization.type != kTfLiteNoQuantization);
  PlBinaryData* data = node->user_data;
  data->quant = false;
  data->planned = false;
  data->swish_x =
      node->builtin_code == kBuiltinMul ? swish_x_input(sg, node) : -1;
  if (quantized && !op->qprepare) {
    pl_report(sg, "Quantized %s (%s) is not supported yet.", op->name,
              TfLiteTypeGetName(t));
    return kTfLiteError;
  }
  if (!quantized) PL_ENSURE_OK(pl_binary_check_type(sg, op, t));
  const TfLiteType want = op->out_type == kTfLiteNoType ? t : op->out_type;
  if (output->type != want) {
    pl_report(sg, "%s output must be %s for %s inputs, got %s.", op->name,
              TfLiteTypeGetName(want), TfLiteTypeGetName(t),
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (quantized) {
    PL_ENSURE_OK(pl_q_check_tensor(sg, op->name, "input 0", in[0]));
    PL_ENSURE_OK(pl_q_check_tensor(sg, op->name, "input 1", in[1]));
    if (want != kTfLiteBool)
      PL_ENSURE_OK(pl_q_check_tensor(sg, op->name, "output", output));
    PL_ENSURE_OK(op->qprepare(sg, node, in, output, data));
    data->quant = true;
    if (data->swish_x >= 0) swish_table(data, in[data->swish_x],
                                        in[1 - data->swish_x]);
  }
  if (op->same_shape) {
    if (!pl_same_shape(in[0], in[1])) {
      char s1[160], s2[160];
      pl_shape_string(in[0]->dims, s1, sizeof(s1));
      pl_shape_string(in[1]->dims, s2, sizeof(s2));
      pl_report(sg, "%s needs inputs of one shape, got %s and %s.", op->name,
                s1, s2);
      return kTfLiteError;
    }
    PL_ENSURE_OK(pl_resize_like(sg, output, in[0]->dims));
    binary_plan(data, in, output);
    return kTfLiteOk;
  }
  int dims[PL_MAX_RANK];
  int rank = 0;
  PL_ENSURE_OK(pl_bcast_prepare_shape(sg, op->name, 2, in, dims, &rank));
  PL_ENSURE_OK(pl_resize(sg, output, rank, dims));
  binary_plan(data, in, output);
  return kTfLiteOk;
}

void pl_bin_range(int activation, TfLiteType type, PlBinCtx* c) {
  int64_t max = INT64_MAX, min = INT64_MIN;
  if (type == kTfLiteInt32) max = INT32_MAX, min = INT32_MIN;
  if (type == kTfLiteInt16) max = INT16_MAX, min = INT16_MIN;
  if (type == kTfLiteInt8) max = INT8_MAX, min = INT8_MIN;
  if (type == kTfLiteUInt8) max = UINT8_MAX, min = 0;
  c->f_lo = -FLT_MAX, c->f_hi = FLT_MAX, c->i_lo = min, c->i_hi = max;
  switch (activation) {
    case PL_ACT_RELU:
      c->f_lo = 0.0f, c->i_lo = 0;
      break;
    case PL_ACT_RELU6:
      c->f_lo = 0.0f, c->f_hi = 6.0f, c->i_lo = 0, c->i_hi = 6;
      break;
    case PL_ACT_RELU_N1_TO_1:
      c->f_lo = -1.0f, c->f_hi = 1.0f, c->i_lo = -1, c->i_hi = 1;
      break;
    default:
      break;
  }
}

size_t pl_bin_elem_size(TfLiteType t) {
  switch (t) {
    case kTfLiteFloat64:
    case kTfLiteInt64:
    case kTfLiteUInt64:
    case kTfLiteComplex64:
      return 8;
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteUInt32:
      return 4;
    case kTfLiteInt16:
    case kTfLiteUInt16:
    case kTfLiteFloat16:
      return 2;
    default:
      return 1;
  }
}

bool pl_bin_has_zero(const TfLiteTensor* t) {
  const int64_t n = pl_num_elements(t);
  switch (t->type) {
#define PL_BIN_ZERO_CASE(TT, T)                                   \
  case TT: {                                                      \
    const T* d = (const T*)t->data.raw_const;                     \
    for (int64_t i = 0; i < n; ++i)                               \
      if (d[i] == 0) return true;                                 \
    return false;                                                 \
  }
    PL_BIN_ZERO_CASE(kTfLiteFloat32, float)
    PL_BIN_ZERO_CASE(kTfLiteFloat64, double)
    PL_BIN_ZERO_CASE(kTfLiteInt64, int64_t)
    PL_BIN_ZERO_CASE(kTfLiteInt32, int32_t)
    PL_BIN_ZERO_CASE(kTfLiteInt16, int16_t)
    PL_BIN_ZERO_CASE(kTfLiteInt8, int8_t)
    PL_BIN_ZERO_CASE(kTfLiteUInt8, uint8_t)
#undef PL_BIN_ZERO_CASE
    default:
      return false;
  }
}

TfLiteStatus pl_bin_eval_shape(PlSubgraph* sg, const char* op, int n,
                               const TfLiteTensor* const* in,
                               const TfLiteTensor* output, int* dims,
                               int* rank) {
  const TfLiteIntArray* d[PL_BIN_MAX_IN];
  for (int k = 0; k < n; ++k) d[k] = in[k]->dims;
  if (!pl_bcast_shape(n, d, dims, rank) ||
      !TfLiteIntArrayEqualsArray(output->dims, *rank, dims)) {
    pl_report(sg, "%s input shapes changed since prepare.", op);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* The shapes' checks and walk of pl_binary_eval when prepare's plan does
 * not hold: into *plan, with its element count (false: the output is
 * empty). */
static TfLiteStatus binary_replan(PlSubgraph* sg, const PlBinaryOp* op,
                                  const TfLiteTensor* const* in,
                                  const TfLiteTensor* output, PlBcast* plan,
                                  int64_t* total) {
  int dims[PL_MAX_RANK];
  int rank = 0;
  if (op->same_shape) {
    if (!pl_same_shape(in[0], in[1]) || !pl_same_shape(in[0], output)) {
      pl_report(sg, "%s input shapes changed since prepare.", op->name);
      return kTfLiteError;
    }
    rank = in[0]->dims->size;
    memcpy(dims, in[0]->dims->data, sizeof(int) * rank);
  } else {
    PL_ENSURE_OK(pl_bin_eval_shape(sg, op->name, 2, in, output, dims, &rank));
  }
  const TfLiteIntArray* d[2] = {in[0]->dims, in[1]->dims};
  *total = pl_bcast_plan(plan, 2, d, dims, rank) ? bcast_total(plan) : 0;
  return kTfLiteOk;
}

TfLiteStatus pl_binary_eval(PlSubgraph* sg, PlNode* node,
                            const PlBinaryOp* op) {
  const PlBinaryData* data = node->user_data;
  const TfLiteTensor* in[2] = {pl_input(sg, node, 0), pl_input(sg, node, 1)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  const PlBcast* plan = NULL;
  int64_t total = 0;
  PlBcast replanned;
  PlBinCtx ctx;
  const PlBinCtx* row_ctx = &ctx;
  if (binary_plan_holds(data, in)) {
    plan = &data->plan;
    total = data->plan_total;
    row_ctx = &data->ctx;
  } else {
    PL_ENSURE_OK(binary_replan(sg, op, in, output, &replanned, &total));
    plan = &replanned;
    pl_bin_range(data ? data->activation : PL_ACT_NONE, output->type, &ctx);
  }
  const TfLiteType t = in[0]->type;
  const bool is_float = t == kTfLiteFloat32 || t == kTfLiteFloat64;
  const bool quant = data && data->quant;
  if (!quant && (is_float ? op->zero_float : op->zero_int) &&
      pl_bin_has_zero(in[1])) {
    pl_report(sg, "%s", op->zero_message);
    return kTfLiteError;
  }
  if (op->check) PL_ENSURE_OK(op->check(sg, in[0], in[1]));
  if (total == 0) return kTfLiteOk; /* empty */
  if (data && data->swish_x >= 0) {
    swish_run(sg, in[data->swish_x]->data.f, output->data.f,
              pl_num_elements(output), row_ctx);
    return kTfLiteOk;
  }
  PlBcastRun run = {
      .out = output->data.raw,
      .out_elem = pl_bin_elem_size(output->type),
      .in = {in[0]->data.raw_const, in[1]->data.raw_const},
      .in_elem = {pl_bin_elem_size(t), pl_bin_elem_size(t)},
      .num_in = 2,
      .row = quant ? data->qrow : op->rows[t],
      .ctx = quant ? (const void*)&data->q : (const void*)row_ctx,
  };
  /* Float rows run on the threads (the other types' stay serial). */
  bcast_run_all(sg, plan, total, &run, is_float && !quant);
  return kTfLiteOk;
}
