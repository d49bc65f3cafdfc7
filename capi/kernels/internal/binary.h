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
 * Implemented in binary.c; the typed rows are macros instantiated in each
 * kernel file, so the inner loops are compiled per type and op. */
#ifndef PYLITE_KERNELS_INTERNAL_BINARY_H_
#define PYLITE_KERNELS_INTERNAL_BINARY_H_

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/simd.h"

#define PL_BIN_MAX_IN 3
/* Row functions a kernel instantiates but may not use (all types of a
 * comparison, say). */
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
bool pl_bcast_shape(int n, const TfLiteIntArray* const* in, int* out,
                    int* rank);

/* Plans the walk of output shape `out` (the broadcast of `in`). Returns false
 * if the output is empty. */
bool pl_bcast_plan(PlBcast* p, int n, const TfLiteIntArray* const* in,
                   const int* out, int rank);

/* Called once per innermost row: output offset and operand offsets (in
 * elements), operand steps (0 or 1) and the row length. */
typedef void (*PlBcastVisit)(void* ctx, int64_t out_off, const int64_t* in_off,
                             const int64_t* step, int64_t n);

/* Walks the outer loops like an odometer; the output is contiguous. */
void pl_bcast_walk(const PlBcast* p, PlBcastVisit visit, void* ctx);

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


/* Runs `row` over the whole broadcast. */
void pl_bcast_run(const PlBcast* p, PlBcastRun* r);

/* Checks the inputs' ranks and computes their broadcast shape; reports
 * "<op>: Given shapes, [..] and [..], are not broadcastable." (TFLite's
 * wording). */
TfLiteStatus pl_bcast_prepare_shape(PlSubgraph* sg, const char* op, int n,
                                    const TfLiteTensor* const* in, int* out,
                                    int* rank);

/* ---- Row helpers --------------------------------------------------------- */

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
#define PL_BIN_ROW(NAME, TI, TO, EXPR) \
  PL_BIN_ROW_DEF(PL_BIN_UNUSED, NAME, TI, TO, EXPR)

/* PL_BIN_ROW with ATTRS on the function (a target, say). */
#define PL_BIN_ROW_DEF(ATTRS, NAME, TI, TO, EXPR)                            \
  static ATTRS void NAME(void* out_, const void* const* in,                  \
                         const int64_t* step, int64_t n, const void* ctx_) { \
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

/* PL_BIN_ROW also compiled for AVX2, for rows of exact IEEE operations
 * (+, -, *, /, comparisons; no libm call): the same C per element, so the
 * same bits (no contraction: -ffp-contract=off; only when both operands
 * are NaN may the other one's sign come out, as between the SSE loop and
 * its scalar tail already), on 8 lanes instead of SSE's 4; the SIMD level
 * picks one at each call. */
#ifdef PL_SIMD_X86
#define PL_BIN_ROW_AVX2(NAME, TI, TO, EXPR)                                  \
  PL_BIN_ROW_DEF(__attribute__((target("avx2"))), NAME##_avx2, TI, TO, EXPR) \
  PL_BIN_ROW_DEF(, NAME##_sse, TI, TO, EXPR)                                 \
  static PL_BIN_UNUSED void NAME(void* out, const void* const* in,          \
                                 const int64_t* step, int64_t n,            \
                                 const void* ctx) {                         \
    if (pl_simd_avx2())                                                      \
      NAME##_avx2(out, in, step, n, ctx);                                    \
    else                                                                     \
      NAME##_sse(out, in, step, n, ctx);                                     \
  }
#else
#define PL_BIN_ROW_AVX2(NAME, TI, TO, EXPR) PL_BIN_ROW(NAME, TI, TO, EXPR)
#endif

/* ---- A generic two-input op ---------------------------------------------- */

#define PL_BIN_NUM_TYPES 32 /* TfLiteType values indexed below */

/* Fixed-point constants of a quantized binary op, computed in prepare
 * (binary_quant.h): per input an offset (-zero_point), a multiplier and
 * shift; the output's offset, multiplier and shift; the left shift applied
 * to inputs before rescaling; and the fused activation's clamp range. */
typedef struct PlBinQuant {
  int32_t in_offset[2];
  int32_t in_mult[2];
  int in_shift[2];
  int32_t out_offset;
  int32_t out_mult;
  int out_shift;
  int left_shift;
  int32_t lo, hi;
} PlBinQuant;

typedef struct PlBinaryData {
  int activation;
  /* The walk pl_binary_prepare planned (the shapes are known there), so
   * that eval only checks they are still the ones it was made for: the
   * dims of input 0 and input 1; whether the output is empty; the plan,
   * its element count, and the rows' constants for the output type. Not
   * planned (another prepare, shapes changed): eval plans. */
  bool planned;
  bool plan_empty;
  int plan_rank[2];
  int plan_dims[2][PL_MAX_RANK];
  PlBcast plan;
  int64_t plan_total;
  PlBinCtx ctx;
  /* Quantized inputs: the row chosen in prepare and its constants. */
  bool quant;
  PlBinRowFn qrow;
  PlBinQuant q;
  /* A MUL(x, LOGISTIC(x)) (see pl_swish_pair): which input is x, or -1;
   * for int8 / uint8 the table of the MUL's output over the 256 values of
   * x (and its byte-shuffle form, pl_q_lut8_apply). */
  int swish_x;
  uint8_t swish_lut[256];
  uint8_t swish_shuffle[256];
} PlBinaryData;

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
  /* Types LiteRT handles quantized (int8/uint8 always, int16 when its
   * tensors carry quantization parameters). With qprepare they take the
   * quantized path; without, "not supported yet". */
  bool quantized[PL_BIN_NUM_TYPES];
  /* Prepare of the quantized path, or NULL: checks the parameters (the
   * shared prepare has already checked each tensor with pl_q_check) and
   * sets data->qrow and data->q. */
  TfLiteStatus (*qprepare)(PlSubgraph* sg, const PlNode* node,
                           const TfLiteTensor* const* in,
                           const TfLiteTensor* output, PlBinaryData* data);
  /* The supported types, for messages: "float32, int32 and int64". */
  const char* types;
  PlBinRowFn rows[PL_BIN_NUM_TYPES];
} PlBinaryOp;


TfLiteStatus pl_binary_init(PlSubgraph* sg, PlNode* node, const PlBinaryOp* op);

void pl_binary_free(PlNode* node);

/* Checks the node's input and output counts. */
TfLiteStatus pl_bin_check_arity(PlSubgraph* sg, const PlNode* node,
                                const char* op, int ni, int no);

/* Checks that a type has rows, with the op's messages. */
TfLiteStatus pl_binary_check_type(PlSubgraph* sg, const PlBinaryOp* op,
                                  TfLiteType t);

TfLiteStatus pl_binary_prepare(PlSubgraph* sg, PlNode* node,
                               const PlBinaryOp* op);

/* The clamp range of a fused activation for an output type, as TFLite's
 * CalculateActivationRange: NONE (and the non-clamp TANH / SIGN_BIT) give the
 * type's full finite range. */
void pl_bin_range(int activation, TfLiteType type, PlBinCtx* c);

size_t pl_bin_elem_size(TfLiteType t);

/* Whether the tensor holds a zero (a -0.0 counts for floats). */
bool pl_bin_has_zero(const TfLiteTensor* t);

/* Re-derives the output shape at eval: inputs may have been resized without
 * a new prepare, which would otherwise overrun the output. */
TfLiteStatus pl_bin_eval_shape(PlSubgraph* sg, const char* op, int n,
                               const TfLiteTensor* const* in,
                               const TfLiteTensor* output, int* dims,
                               int* rank);

TfLiteStatus pl_binary_eval(PlSubgraph* sg, PlNode* node, const PlBinaryOp* op);

/* ---- Swish: MUL(x, LOGISTIC(x)) fused -------------------------------------
 *
 * EfficientNet-style swish is a LOGISTIC s = sigmoid(x) whose output only
 * a MUL of x and s reads. Such a MUL computes x * sigmoid(x) itself from x
 * (the same float operations, so the same bits as the two ops apart), in
 * chunks that stay in cache, and the LOGISTIC writes nothing: one pass over
 * memory instead of three. For int8 / uint8 the MUL's output is a function
 * of x alone: prepare runs LOGISTIC's table and the MUL's own row over the
 * 256 values of x into one table (so the same bits again), and eval is a
 * table lookup. Both kernels decide with pl_swish_pair, at prepare, from
 * the graph's structure and types alone, so they agree. */

/* Whether `logistic` (a builtin LOGISTIC) and `mul` (a builtin MUL, later
 * in the plan) form a swish: tensors of one type, float32, int8 or uint8
 * (quantized), the MUL's inputs are x and s
 * (in either order) and its output neither, x is not a constant, and s is
 * not an output of the subgraph or of a signature, nor read by any other
 * node. */
bool pl_swish_pair(PlSubgraph* sg, const PlNode* logistic, const PlNode* mul);

/* The MUL a LOGISTIC node is fused into, or NULL. */
const PlNode* pl_swish_mul_of(PlSubgraph* sg, const PlNode* logistic);

/* LOGISTIC's table for an int8 / uint8 input and output (logistic.c). */
void pl_logistic_lut8(const TfLiteTensor* input, const TfLiteTensor* output,
                      uint8_t lut[256]);

/* Defines pl_kernel_SUFFIX, named NAME, from the PlBinaryOp OP; TYPES is
 * its list of supported types for `pylite ops`. */
#define PL_BINARY_KERNEL(SUFFIX, NAME, OP, TYPES) \
  PL_BINARY_KERNEL_EVAL(SUFFIX, NAME, OP, TYPES, pl_binary_eval)

/* The same with another eval taking (sg, node, &OP) (pl_binq_eval). */
#define PL_BINARY_KERNEL_EVAL(SUFFIX, NAME, OP, TYPES, EVAL)                 \
  static TfLiteStatus SUFFIX##_init(PlSubgraph* sg, PlNode* node) {         \
    return pl_binary_init(sg, node, &OP);                                   \
  }                                                                         \
  static TfLiteStatus SUFFIX##_prepare(PlSubgraph* sg, PlNode* node) {      \
    return pl_binary_prepare(sg, node, &OP);                                \
  }                                                                         \
  static TfLiteStatus SUFFIX##_eval(PlSubgraph* sg, PlNode* node) {         \
    return EVAL(sg, node, &OP);                                             \
  }                                                                         \
  const PlKernel pl_kernel_##SUFFIX = {                                     \
      .name = NAME,                                                         \
      .init = SUFFIX##_init,                                                \
      .free = pl_binary_free,                                               \
      .prepare = SUFFIX##_prepare,                                          \
      .eval = SUFFIX##_eval,                                                \
      .types = TYPES,                                                       \
  };

#endif /* PYLITE_KERNELS_INTERNAL_BINARY_H_ */
