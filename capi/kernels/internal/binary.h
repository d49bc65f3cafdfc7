/* pylite: shared machinery of the elementwise binary family (SUB, MUL, DIV,
 * comparisons, SELECT_V2, ...).
 *
 * 1. N-d broadcasting (PlBcast): numpy rules over 1 to 3 operands at any rank
 *    up to PL_MAX_RANK. The output is walked as a loop nest in which adjacent
 *    dims are fused whenever every operand is contiguous (or broadcast) across
 *    them, so same-shape operands become one flat loop and a scalar operand
 *    one loop with stride 0. Each innermost row is handed to a typed row
 *    function with per-operand steps of 0 or 1.
 * 2. A generic two-input op (PlBinaryOp): init (fused activation), prepare
 *    (types, broadcast shape, output resize) and eval (zero-divisor check,
 *    walk) driven by a per-op table of typed row functions.
 *
 * Header-only (static functions) because the build compiles only the .c
 * files directly under capi/kernels; each kernel file includes it once. */
#ifndef PYLITE_KERNELS_INTERNAL_BINARY_H_
#define PYLITE_KERNELS_INTERNAL_BINARY_H_

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"

#define PL_BIN_MAX_IN 3
#define PL_BIN_UNUSED __attribute__((unused))

/* ---- Broadcasting ------------------------------------------------------ */

/* The loop nest over the output: loop 0 is innermost. stride[k][l] is
 * operand k's step in elements along loop l, 0 where it is broadcast. */
typedef struct PlBcast {
  int num_in;
  int count;
  int64_t extent[PL_MAX_RANK];
  int64_t stride[PL_BIN_MAX_IN][PL_MAX_RANK];
} PlBcast;

/* The broadcast shape of n shapes (dims compared from the right; each must
 * be 1 or the common size; a 0 beats a 1). False if not broadcastable. */
static PL_BIN_UNUSED bool pl_bcast_shape(int n, const TfLiteIntArray* const* in,
                                         int* out, int* rank) {
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

/* Plans the walk of output shape `out` (the broadcast of `in`). Returns false
 * if the output is empty. */
static PL_BIN_UNUSED bool pl_bcast_plan(PlBcast* p, int n,
                                        const TfLiteIntArray* const* in,
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

/* Called once per innermost row: output offset and operand offsets (in
 * elements), operand steps (0 or 1) and the row length. */
typedef void (*PlBcastVisit)(void* ctx, int64_t out_off, const int64_t* in_off,
                             const int64_t* step, int64_t n);

/* Walks the outer loops like an odometer; the output is contiguous. */
static PL_BIN_UNUSED void pl_bcast_walk(const PlBcast* p, PlBcastVisit visit,
                                        void* ctx) {
  int64_t off[PL_BIN_MAX_IN] = {0};
  int64_t step[PL_BIN_MAX_IN];
  if (p->count == 0) { /* every dim is 1: a single element */
    for (int k = 0; k < p->num_in; ++k) step[k] = 1;
    visit(ctx, 0, off, step, 1);
    return;
  }
  for (int k = 0; k < p->num_in; ++k) step[k] = p->stride[k][0];
  const int64_t n = p->extent[0];
  int64_t index[PL_MAX_RANK] = {0};
  int64_t out_off = 0;
  for (;;) {
    visit(ctx, out_off, off, step, n);
    out_off += n;
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

/* A typed row: out[i] = f(in[0][i*step0], in[1][i*step1], ...). */
typedef void (*PlBinRowFn)(void* out, const void* const* in,
                           const int64_t* step, int64_t n, const void* ctx);

typedef struct PlBcastRun {
  char* out;
  size_t out_elem;
  const char* in[PL_BIN_MAX_IN];
  size_t in_elem[PL_BIN_MAX_IN];
  int num_in;
  PlBinRowFn row;
  const void* ctx;
} PlBcastRun;

static PL_BIN_UNUSED void pl_bcast_run_visit(void* ctx, int64_t out_off,
                                             const int64_t* in_off,
                                             const int64_t* step, int64_t n) {
  const PlBcastRun* r = ctx;
  const void* in[PL_BIN_MAX_IN];
  for (int k = 0; k < r->num_in; ++k)
    in[k] = r->in[k] + in_off[k] * (int64_t)r->in_elem[k];
  r->row(r->out + out_off * (int64_t)r->out_elem, in, step, n, r->ctx);
}

/* Runs `row` over the whole broadcast. */
static PL_BIN_UNUSED void pl_bcast_run(const PlBcast* p, PlBcastRun* r) {
  pl_bcast_walk(p, pl_bcast_run_visit, r);
}

/* Checks the inputs' ranks, computes their broadcast shape and plans the
 * walk; reports "<op>: shapes [..] and [..] are not broadcastable." */
static PL_BIN_UNUSED TfLiteStatus pl_bcast_prepare_shape(
    PlSubgraph* sg, const char* op, int n, const TfLiteTensor* const* in,
    int* out, int* rank) {
  const TfLiteIntArray* dims[PL_BIN_MAX_IN];
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
    int at = snprintf(msg, sizeof(msg), "%s: shapes ", op);
    for (int k = 0; k < n && at > 0 && at < (int)sizeof(msg); ++k) {
      char s[160];
      pl_shape_string(dims[k], s, sizeof(s));
      at += snprintf(msg + at, sizeof(msg) - at, "%s%s",
                     k == 0 ? "" : (k == n - 1 ? " and " : ", "), s);
    }
    pl_report(sg, "%s are not broadcastable.", msg);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* ---- Row helpers ---------------------------------------------------------- */

/* Per-invocation constants for rows: the fused activation's clamp range. */
typedef struct PlBinCtx {
  float f_lo, f_hi;
  int64_t i_lo, i_hi;
} PlBinCtx;

/* min(max(x, lo), hi) with std::max / std::min's comparisons, so NaN passes
 * through as in TFLite. */
static inline float pl_bin_clamp_f32(float x, float lo, float hi) {
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}
static inline int64_t pl_bin_clamp_i64(int64_t x, int64_t lo, int64_t hi) {
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}

/* A double converted to an integer the way x86's cvttsd2si does (what
 * TFLite's static_cast gives on its reference platform): NaN and values
 * outside int64 become INT64_MIN. The caller truncates to narrower types. */
static inline int64_t pl_bin_f64_to_i64(double x) {
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
    return INT64_MIN;
  return (int64_t)x;
}
/* Same for int32 (cvttsd2si's 32-bit form: INT32_MIN when out of range). */
static inline int32_t pl_bin_f64_to_i32(double x) {
  if (!(x > -2147483649.0 && x < 2147483648.0)) return INT32_MIN;
  return (int32_t)x;
}

/* Defines a row function NAME over inputs of type TI and output TO, where
 * EXPR computes one output from `x`, `y` (the two inputs) and `c` (the
 * PlBinCtx). Same-shape and scalar-broadcast rows get their own loops. */
#define PL_BIN_ROW(NAME, TI, TO, EXPR)                                       \
  static PL_BIN_UNUSED void NAME(void* out_, const void* const* in,         \
                                const int64_t* step,                      \
                   int64_t n, const void* ctx_) {                            \
    const TI* a = (const TI*)in[0];                                          \
    const TI* b = (const TI*)in[1];                                          \
    TO* o = (TO*)out_;                                                       \
    const PlBinCtx* c = (const PlBinCtx*)ctx_;                               \
    (void)c;                                                                 \
    if (step[0] && step[1]) {                                                \
      for (int64_t i = 0; i < n; ++i) {                                      \
        const TI x = a[i], y = b[i];                                         \
        o[i] = (EXPR);                                                       \
      }                                                                      \
    } else if (step[1]) {                                                    \
      const TI x = a[0];                                                     \
      for (int64_t i = 0; i < n; ++i) {                                      \
        const TI y = b[i];                                                   \
        o[i] = (EXPR);                                                       \
      }                                                                      \
    } else if (step[0]) {                                                    \
      const TI y = b[0];                                                     \
      for (int64_t i = 0; i < n; ++i) {                                      \
        const TI x = a[i];                                                   \
        o[i] = (EXPR);                                                       \
      }                                                                      \
    } else {                                                                 \
      const TI x = a[0], y = b[0];                                           \
      for (int64_t i = 0; i < n; ++i) o[i] = (EXPR);                         \
    }                                                                        \
  }

/* ---- A generic two-input op ------------------------------------------------ */

#define PL_BIN_NUM_TYPES 32 /* TfLiteType values indexed below */

typedef struct PlBinaryOp {
  const char* name;
  /* BuiltinOptions union type whose field 0 is fused_activation_function,
   * or 0 for ops without one. */
  int options_type;
  /* Output type; kTfLiteNoType for "same as the inputs". */
  TfLiteType out_type;
  /* No broadcasting: the inputs must have one shape (ATAN2). */
  bool same_shape;
  /* An error for a zero in the second input, for integer / all types. */
  bool zero_int, zero_float;
  const char* zero_message;
  /* Any other check of the inputs' values before computing, or NULL. */
  TfLiteStatus (*check)(PlSubgraph* sg, const TfLiteTensor* x,
                        const TfLiteTensor* y);
  /* Types LiteRT handles only quantized (int8/uint8/int16 here): "not
   * supported yet" rather than "not supported". */
  bool quantized[PL_BIN_NUM_TYPES];
  /* The supported types, for messages: "float32, int32 and int64". */
  const char* types;
  PlBinRowFn rows[PL_BIN_NUM_TYPES];
} PlBinaryOp;

typedef struct PlBinaryData {
  int activation;
} PlBinaryData;

static PL_BIN_UNUSED TfLiteStatus pl_binary_init(PlSubgraph* sg, PlNode* node,
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
  node->user_data = data;
  return kTfLiteOk;
}

static PL_BIN_UNUSED void pl_binary_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* Checks the node's input and output counts. */
static PL_BIN_UNUSED TfLiteStatus pl_bin_check_arity(PlSubgraph* sg,
                                                     const PlNode* node,
                                                     const char* op, int ni,
                                                     int no) {
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

/* Checks that a type has rows, with the op's messages. */
static PL_BIN_UNUSED TfLiteStatus pl_binary_check_type(PlSubgraph* sg,
                                                       const PlBinaryOp* op,
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

static PL_BIN_UNUSED TfLiteStatus pl_binary_prepare(PlSubgraph* sg,
                                                    PlNode* node,
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
  PL_ENSURE_OK(pl_binary_check_type(sg, op, in[0]->type));
  /* int16 is plain integer arithmetic only when unquantized. */
  if (op->quantized[in[0]->type] &&
      (in[0]->quantization.type != kTfLiteNoQuantization ||
       in[1]->quantization.type != kTfLiteNoQuantization)) {
    pl_report(sg, "Quantized %s (%s) is not supported yet.", op->name,
              TfLiteTypeGetName(in[0]->type));
    return kTfLiteError;
  }
  const TfLiteType want =
      op->out_type == kTfLiteNoType ? in[0]->type : op->out_type;
  if (output->type != want) {
    pl_report(sg, "%s output must be %s for %s inputs, got %s.", op->name,
              TfLiteTypeGetName(want), TfLiteTypeGetName(in[0]->type),
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
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
    return pl_resize_like(sg, output, in[0]->dims);
  }
  int dims[PL_MAX_RANK];
  int rank = 0;
  PL_ENSURE_OK(pl_bcast_prepare_shape(sg, op->name, 2, in, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

/* The clamp range of a fused activation for an output type, as TFLite's
 * CalculateActivationRange: NONE (and the non-clamp TANH / SIGN_BIT) give the
 * type's full finite range. */
static PL_BIN_UNUSED void pl_bin_range(int activation, TfLiteType type,
                                       PlBinCtx* c) {
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

static PL_BIN_UNUSED size_t pl_bin_elem_size(TfLiteType t) {
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

/* Whether the tensor holds a zero (a -0.0 counts for floats). */
static PL_BIN_UNUSED bool pl_bin_has_zero(const TfLiteTensor* t) {
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

/* Re-derives the output shape at eval: inputs may have been resized without
 * a new prepare, which would otherwise overrun the output. */
static PL_BIN_UNUSED TfLiteStatus pl_bin_eval_shape(
    PlSubgraph* sg, const char* op, int n, const TfLiteTensor* const* in,
    const TfLiteTensor* output, int* dims, int* rank) {
  const TfLiteIntArray* d[PL_BIN_MAX_IN];
  for (int k = 0; k < n; ++k) d[k] = in[k]->dims;
  if (!pl_bcast_shape(n, d, dims, rank) ||
      !TfLiteIntArrayEqualsArray(output->dims, *rank, dims)) {
    pl_report(sg, "%s input shapes changed since prepare.", op);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static PL_BIN_UNUSED TfLiteStatus pl_binary_eval(PlSubgraph* sg, PlNode* node,
                                                 const PlBinaryOp* op) {
  const PlBinaryData* data = node->user_data;
  const TfLiteTensor* in[2] = {pl_input(sg, node, 0), pl_input(sg, node, 1)};
  TfLiteTensor* output = pl_output(sg, node, 0);
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
  const TfLiteType t = in[0]->type;
  const bool is_float = t == kTfLiteFloat32 || t == kTfLiteFloat64;
  if ((is_float ? op->zero_float : op->zero_int) && pl_bin_has_zero(in[1])) {
    pl_report(sg, "%s", op->zero_message);
    return kTfLiteError;
  }
  if (op->check) PL_ENSURE_OK(op->check(sg, in[0], in[1]));
  PlBcast plan;
  const TfLiteIntArray* d[2] = {in[0]->dims, in[1]->dims};
  if (!pl_bcast_plan(&plan, 2, d, dims, rank)) return kTfLiteOk; /* empty */
  PlBinCtx ctx;
  pl_bin_range(data ? data->activation : PL_ACT_NONE, output->type, &ctx);
  PlBcastRun run = {
      .out = output->data.raw,
      .out_elem = pl_bin_elem_size(output->type),
      .in = {in[0]->data.raw_const, in[1]->data.raw_const},
      .in_elem = {pl_bin_elem_size(t), pl_bin_elem_size(t)},
      .num_in = 2,
      .row = op->rows[t],
      .ctx = &ctx,
  };
  pl_bcast_run(&plan, &run);
  return kTfLiteOk;
}

/* Defines pl_kernel_SUFFIX, named NAME, from the PlBinaryOp OP. */
#define PL_BINARY_KERNEL(SUFFIX, NAME, OP)                                        \
  static TfLiteStatus SUFFIX##_init(PlSubgraph* sg, PlNode* node) {         \
    return pl_binary_init(sg, node, &OP);                                   \
  }                                                                         \
  static TfLiteStatus SUFFIX##_prepare(PlSubgraph* sg, PlNode* node) {      \
    return pl_binary_prepare(sg, node, &OP);                                \
  }                                                                         \
  static TfLiteStatus SUFFIX##_eval(PlSubgraph* sg, PlNode* node) {         \
    return pl_binary_eval(sg, node, &OP);                                   \
  }                                                                         \
  const PlKernel pl_kernel_##SUFFIX = {                                     \
      .name = NAME,                                                         \
      .init = SUFFIX##_init,                                                \
      .free = pl_binary_free,                                               \
      .prepare = SUFFIX##_prepare,                                          \
      .eval = SUFFIX##_eval,                                                \
  };

#endif /* PYLITE_KERNELS_INTERNAL_BINARY_H_ */
