/* pylite: the shared body of the reduction ops MEAN, SUM, REDUCE_PROD,
 * REDUCE_MAX, REDUCE_MIN, REDUCE_ANY and REDUCE_ALL.
 *
 * Each op's kernel file is a thin PlKernel that calls these with its kind.
 * Semantics, as TFLite's reference reduce kernels:
 *  - input 0 is the data, input 1 an int32 tensor of axes (any shape; its
 *    elements are the axes). Negative axes count from the end, duplicates
 *    count once, an empty list reduces nothing. A rank-0 input ignores the
 *    axes (even out-of-range ones) and gives a rank-0 output.
 *  - ReducerOptions.keep_dims keeps reduced dims as 1s.
 *  - a non-constant axis tensor makes the output dynamic (sized at eval).
 *  - every output element is accumulated from its inputs in row-major input
 *    order, one operation at a time, so float results are bit-exact with
 *    TFLite: SUM/PROD/MAX/MIN start from 0 / 1 / lowest / max and fold in
 *    each input, except when every dim is reduced, where TFLite starts from
 *    the first element instead (this matters for -0.0 and NaN).
 *  - MAX keeps the current value unless the new one is greater (so NaN
 *    inputs are skipped, except a NaN first element of a full reduction);
 *    MIN likewise with less.
 *  - integer SUM and PROD wrap around.
 *  - MEAN sums in float for float32 and in int64 for int32/int64, then
 *    divides by the reduced element count (integer division truncates). An
 *    empty input gives NaN (float) or 0 (integers) everywhere.
 *  - an empty input gives the start value (0, 1, lowest, max, false, true).
 *
 * Types: float32, int32, int64 for MEAN/SUM/PROD; those plus int8, uint8
 * and int16 (raw values, input and output quantization equal) and bool for
 * MAX/MIN; unquantized int8, uint8 and int16 (wrapping) for PROD; bool for
 * ANY/ALL.
 *
 * Quantized (int16: zero points 0 on input and output, as LiteRT checks):
 *  - MEAN (int8, uint8, int16; always quantized, as in LiteRT), as LiteRT's
 *    reference kernel: per output, the int32 sum s of the raw inputs over
 *    the count n reduced elements; with (M, e) = pl_q_multiplier(input
 *    scale / output scale) and k = min(floor(log2 n), 32, 31 + e), the
 *    multiplier becomes (M << k) / n (int64, truncating) and the exponent
 *    e - k; the output is pl_q_mul(s - zp_in * n) + zp_out, clamped to the
 *    type.
 *  - SUM uint8: the same without the division by n (LiteRT's reference).
 *    SUM int8 / int16: LiteRT's reference kernel reads these inputs as
 *    uint8 bytes (a LiteRT bug), so pylite follows its builtin kernel
 *    instead: in float, r = input scale / output scale, the value
 *    roundf(s * r + (-zp_in * r * n)) + zp_out, clamped.
 *  - PROD (int8, int16 with quantization; quantized uint8 is an error, as
 *    in LiteRT), as LiteRT's reference: with (M, e) =
 *    pl_q_multiplier(input scale / output scale^(1/n)), each output starts
 *    at its first input x - zp_in, folds each next one as
 *    pl_q_mul64(acc * (x - zp_in), M, e), and ends as pl_q_mul64(acc, M,
 *    e) + zp_out, clamped. Exponents e >= 15 (a scaling of 2^14 or more,
 *    where LiteRT's 64-bit multiply is undefined) are rejected.
 *  Empty inputs give 0 for MEAN and SUM; PROD leaves its output at the
 *  output zero point (LiteRT leaves it unwritten).
 *
 * Stricter than TFLite: the output type must equal the input type (TFLite
 * does not check it).
 *
 * Like TFLite, a full reduction with at least 1024 elements per thread is
 * split into one part per interpreter thread (pylite folds the parts in
 * turn), which changes float sums with the thread count.
 *
 * Header-only (static functions): the build compiles only the kernel files
 * directly under capi/kernels. */
#ifndef PYLITE_KERNELS_INTERNAL_REDUCE_COMMON_H_
#define PYLITE_KERNELS_INTERNAL_REDUCE_COMMON_H_

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_spatial.h"

typedef enum PlReduceKind {
  PL_REDUCE_SUM,
  PL_REDUCE_MEAN,
  PL_REDUCE_PROD,
  PL_REDUCE_MAX,
  PL_REDUCE_MIN,
  PL_REDUCE_ANY,
  PL_REDUCE_ALL,
} PlReduceKind;

enum { kPlReduceInput = 0, kPlReduceAxis = 1, kPlReduceOutput = 0 };
/* Schema BuiltinOptions union type and ReducerOptions field ids. */
enum { kPlReducerOptionsType = 27 };
enum { kPlReducerFieldKeepDims = 0 };

typedef struct PlReduceData {
  bool keep_dims;
  bool shape_at_eval; /* the axis tensor is not constant */
  void* scratch;      /* MEAN's int64 sums, quantized int32 sums */
  size_t scratch_bytes;
  bool quantized;     /* quantized MEAN / SUM / PROD */
  int32_t multiplier; /* MEAN / SUM: input scale / output scale */
  int shift;
} PlReduceData;

/* The axes of one invocation, resolved against the input rank. */
typedef struct PlReduceAxes {
  int count;                     /* distinct axes */
  bool reduced[PL_MAX_RANK + 1]; /* per input dim */
} PlReduceAxes;

static inline TfLiteStatus pl_reduce_init(PlSubgraph* sg, PlNode* node) {
  PlReduceData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  /* As TFLite: options of another union type read as defaults. */
  if (node->def->builtin_options_type == kPlReducerOptionsType)
    data->keep_dims = pl_fb_bool(&node->def->builtin_options,
                                 kPlReducerFieldKeepDims, false);
  node->user_data = data;
  return kTfLiteOk;
}

static inline void pl_reduce_free(PlNode* node) {
  PlReduceData* data = node->user_data;
  if (data) free(data->scratch);
  free(data);
  node->user_data = NULL;
}

/* Reads the axis tensor and marks the reduced dims of an input of `rank`. */
static inline TfLiteStatus pl_reduce_resolve_axes(PlSubgraph* sg,
                                                  const PlNode* node,
                                                  const TfLiteTensor* axis,
                                                  int rank,
                                                  PlReduceAxes* out) {
  memset(out, 0, sizeof(*out));
  if (rank == 0) return kTfLiteOk; /* as TFLite: the axes go unused */
  const int64_t n = pl_num_elements(axis);
  if (n > 0 && !axis->data.i32) {
    pl_report(sg, "%s: the axis tensor has no data.", node->op_name);
    return kTfLiteError;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int32_t given = axis->data.i32[i];
    const int64_t a = given < 0 ? (int64_t)given + rank : given;
    if (a < 0 || a >= rank) {
      pl_report(sg, "%s: axis %d is out of range for an input of rank %d.",
                node->op_name, (int)given, rank);
      return kTfLiteError;
    }
    if (!out->reduced[a]) {
      out->reduced[a] = true;
      out->count++;
    }
  }
  return kTfLiteOk;
}

/* The output dims for `input` reduced over `axes`. */
static inline void pl_reduce_output_dims(const TfLiteIntArray* in_dims,
                                         const PlReduceAxes* axes,
                                         bool keep_dims, int* dims,
                                         int* rank) {
  int r = 0;
  for (int i = 0; i < in_dims->size; ++i) {
    if (!axes->reduced[i])
      dims[r++] = in_dims->data[i];
    else if (keep_dims)
      dims[r++] = 1;
  }
  *rank = r;
}

static inline bool pl_reduce_is_quantized(const TfLiteTensor* t) {
  return t->quantization.type != kTfLiteNoQuantization;
}

/* Checks the quantization of an int8 / uint8 / int16 reduction and, for
 * MEAN / SUM / PROD, marks it quantized; MEAN / SUM precompute their
 * multiplier. */
static inline TfLiteStatus pl_reduce_check_quant(PlSubgraph* sg,
                                                 PlNode* node,
                                                 PlReduceKind kind,
                                                 const TfLiteTensor* input,
                                                 const TfLiteTensor* output) {
  PlReduceData* data = node->user_data;
  const char* op = node->op_name;
  const TfLiteType type = input->type;
  data->quantized = false;
  if (kind == PL_REDUCE_MAX || kind == PL_REDUCE_MIN) {
    /* Max and min pick raw values: exact whatever the quantization, as
     * long as input and output share it (as TFLite requires). */
    if (pl_reduce_is_quantized(input) || pl_reduce_is_quantized(output))
      PL_ENSURE_OK(
          pl_qs_check_same(sg, op, "input", input, "output", output));
  } else if (kind == PL_REDUCE_PROD && !pl_reduce_is_quantized(input)) {
    /* TFLite multiplies unquantized small integers plainly (wrapping). */
    return kTfLiteOk;
  } else {
    if (kind == PL_REDUCE_PROD && type == kTfLiteUInt8) {
      pl_report(sg, "%s: quantized uint8 input is not supported (LiteRT "
                "supports quantized int8 and int16).", op);
      return kTfLiteError;
    }
    PL_ENSURE_OK(pl_q_check_tensor(sg, op, "input", input));
    PL_ENSURE_OK(pl_q_check_tensor(sg, op, "output", output));
    data->quantized = true;
    if (kind != PL_REDUCE_PROD)
      pl_q_multiplier((double)pl_q_params(input).scale /
                          (double)pl_q_params(output).scale,
                      &data->multiplier, &data->shift);
  }
  if (type == kTfLiteInt16 &&
      (pl_reduce_is_quantized(input) || pl_reduce_is_quantized(output)) &&
      (pl_q_params(input).zero_point != 0 ||
       pl_q_params(output).zero_point != 0)) {
    pl_report(sg, "%s: int16 input and output must have zero point 0, got "
              "%d and %d.", op, (int)pl_q_params(input).zero_point,
              (int)pl_q_params(output).zero_point);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* Which input types `kind` supports; false with a report otherwise. */
static inline bool pl_reduce_check_type(PlSubgraph* sg, PlNode* node,
                                        PlReduceKind kind,
                                        const TfLiteTensor* input,
                                        const TfLiteTensor* output) {
  const char* op = node->op_name;
  const TfLiteType type = input->type;
  if (kind == PL_REDUCE_ANY || kind == PL_REDUCE_ALL) {
    if (type == kTfLiteBool) return true;
    pl_report(sg, "%s supports bool input only, got %s.", op,
              TfLiteTypeGetName(type));
    return false;
  }
  switch (type) {
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteInt64:
      return true;
    case kTfLiteInt8:
    case kTfLiteUInt8:
    case kTfLiteInt16:
      return pl_reduce_check_quant(sg, node, kind, input, output) ==
             kTfLiteOk;
    case kTfLiteBool:
      if (kind == PL_REDUCE_MAX || kind == PL_REDUCE_MIN) return true;
      /* fall through */
    default:
      pl_report(sg, "%s supports float32, int32, int64, int8, uint8 and "
                "int16 input, got %s.", op, TfLiteTypeGetName(type));
      return false;
  }
}

/* Resolves the axes and sizes the output (when it is resized now). */
static inline TfLiteStatus pl_reduce_shape(PlSubgraph* sg, PlNode* node,
                                           bool resize, PlReduceAxes* axes) {
  const PlReduceData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kPlReduceInput);
  const TfLiteTensor* axis = pl_input(sg, node, kPlReduceAxis);
  TfLiteTensor* output = pl_output(sg, node, kPlReduceOutput);
  PL_ENSURE_OK(
      pl_reduce_resolve_axes(sg, node, axis, input->dims->size, axes));
  int dims[PL_MAX_RANK];
  int rank = 0;
  pl_reduce_output_dims(input->dims, axes, data->keep_dims, dims, &rank);
  if (resize) return pl_resize(sg, output, rank, dims);
  if (!TfLiteIntArrayEqualsArray(output->dims, rank, dims)) {
    pl_report(sg, "%s input shape changed since prepare.", node->op_name);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static inline TfLiteStatus pl_reduce_prepare(PlSubgraph* sg, PlNode* node,
                                             PlReduceKind kind) {
  PlReduceData* data = node->user_data;
  const char* op = node->op_name;
  PL_ENSURE(sg, data != NULL);
  if (pl_num_inputs(node) != 2 || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 2 inputs and 1 output, got %d and %d.", op,
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* input = pl_input(sg, node, kPlReduceInput);
  const TfLiteTensor* axis = pl_input(sg, node, kPlReduceAxis);
  TfLiteTensor* output = pl_output(sg, node, kPlReduceOutput);
  if (!input || !axis || !output) {
    pl_report(sg, "%s: the input, the axis and the output must be given.",
              op);
    return kTfLiteError;
  }
  if (axis->type != kTfLiteInt32) {
    pl_report(sg, "%s needs an int32 axis tensor, got %s.", op,
              TfLiteTypeGetName(axis->type));
    return kTfLiteError;
  }
  if (!pl_reduce_check_type(sg, node, kind, input, output))
    return kTfLiteError;
  if (input->type != output->type) {
    pl_report(sg, "%s input type %s does not match output type %s.", op,
              TfLiteTypeGetName(input->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (input->dims->size > PL_MAX_RANK) {
    pl_report(sg, "%s input may have at most %d dims.", op, PL_MAX_RANK);
    return kTfLiteError;
  }
  data->shape_at_eval = !pl_is_constant(axis);
  if (data->shape_at_eval) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  PlReduceAxes axes;
  return pl_reduce_shape(sg, node, true, &axes);
}

/* ---- The fold ------------------------------------------------------------ */

/* The walk over the input in row-major order: for each input dim, its extent
 * and the output stride (0 along reduced dims). */
typedef struct PlReduceWalk {
  int rank; /* >= 1 */
  int64_t extent[PL_MAX_RANK];
  int64_t out_stride[PL_MAX_RANK];
  /* Input elements from one innermost row to the next: the innermost
   * extent, except in a slice of its columns (pl_reduce_mean's split). */
  int64_t row_pitch;
} PlReduceWalk;

static inline void pl_reduce_walk(const TfLiteIntArray* in_dims,
                                  const PlReduceAxes* axes, PlReduceWalk* w) {
  int64_t stride = 1;
  w->rank = in_dims->size > 0 ? in_dims->size : 1;
  if (in_dims->size == 0) {
    w->extent[0] = 1;
    w->out_stride[0] = 0;
    w->row_pitch = 1;
    return;
  }
  for (int i = in_dims->size - 1; i >= 0; --i) {
    w->extent[i] = in_dims->data[i];
    w->out_stride[i] = axes->reduced[i] ? 0 : stride;
    if (!axes->reduced[i]) stride *= in_dims->data[i];
  }
  w->row_pitch = w->extent[w->rank - 1];
}

/* Folds `in` into `out` (already holding the start values) with OP(acc, x),
 * visiting the input in row-major order. ACC is the accumulator type. */
#define PL_REDUCE_FOLD(NAME, T, ACC, OP)                                      \
  static inline void NAME(const PlReduceWalk* w, const T* in, ACC* out) {     \
    const int last = w->rank - 1;                                             \
    const int64_t n = w->extent[last];                                        \
    const int64_t s = w->out_stride[last];                                    \
    int64_t index[PL_MAX_RANK] = {0};                                         \
    int64_t o = 0;                                                            \
    for (;;) {                                                                \
      if (s == 0) {                                                           \
        ACC acc = out[o];                                                     \
        for (int64_t j = 0; j < n; ++j) acc = OP(acc, in[j]);                 \
        out[o] = acc;                                                         \
      } else {                                                                \
        for (int64_t j = 0; j < n; ++j) out[o + j] = OP(out[o + j], in[j]);   \
      }                                                                       \
      in += w->row_pitch;                                                     \
      int d = last - 1;                                                       \
      for (; d >= 0; --d) {                                                   \
        o += w->out_stride[d];                                                \
        if (++index[d] < w->extent[d]) break;                                 \
        o -= w->out_stride[d] * w->extent[d];                                 \
        index[d] = 0;                                                         \
      }                                                                       \
      if (d < 0) return;                                                      \
    }                                                                         \
  }

/* A full reduction, as TFLite's: one thread starts from the first element;
 * with `parts` > 1 (TFLite's threads, when each gets 1024 elements or more)
 * each part folds from the start value, then the parts fold in order. */
#define PL_REDUCE_ALL_DIMS(NAME, T, OP)                                      \
  static inline void NAME(const T* in, int64_t count, T* out, T start,       \
                          int parts) {                                       \
    if (parts <= 1 || count / parts < 1024) {                                \
      T acc = count > 0 ? in[0] : start;                                     \
      for (int64_t i = 1; i < count; ++i) acc = OP(acc, in[i]);              \
      *out = acc;                                                            \
      return;                                                                \
    }                                                                        \
    T total = start;                                                         \
    int64_t begin = 0;                                                       \
    for (int p = 0; p < parts; ++p) {                                        \
      const int64_t end = begin + (count - begin) / (parts - p);             \
      T part = start;                                                        \
      for (int64_t i = begin; i < end; ++i) part = OP(part, in[i]);          \
      total = p == 0 ? part : OP(total, part);                               \
      begin = end;                                                           \
    }                                                                        \
    *out = total;                                                            \
  }

#define PL_RED_ADD(a, x) ((a) + (x))
#define PL_RED_MUL(a, x) ((x) * (a))
#define PL_RED_MAX(a, x) (((x) > (a)) ? (x) : (a))
#define PL_RED_MIN(a, x) (((x) < (a)) ? (x) : (a))
/* Bools are folded as bytes (any nonzero byte is true) so that a malformed
 * bool input cannot be read as an invalid _Bool; results are 0 or 1. */
#define PL_RED_OR(a, x) ((uint8_t)((x) != 0 || (a) != 0))
#define PL_RED_AND(a, x) ((uint8_t)((x) != 0 && (a) != 0))
/* Wrapping integer sums and products. */
#define PL_RED_ADD_I32(a, x) ((int32_t)((uint32_t)(a) + (uint32_t)(x)))
#define PL_RED_ADD_I64(a, x) ((int64_t)((uint64_t)(a) + (uint64_t)(x)))
#define PL_RED_MUL_I32(a, x) ((int32_t)((uint32_t)(x) * (uint32_t)(a)))
#define PL_RED_MUL_I64(a, x) ((int64_t)((uint64_t)(x) * (uint64_t)(a)))
/* Small integers multiply in int and keep the low bits (GCC converts out of
 * range values modulo 2^n). */
#define PL_RED_MUL_SMALL(a, x) ((x) * (a))

/* One fold per (type, operation) actually used. */
#define PL_REDUCE_DEFINE(SUFFIX, T, OP)                 \
  PL_REDUCE_FOLD(pl_reduce_fold_##SUFFIX, T, T, OP)     \
  PL_REDUCE_ALL_DIMS(pl_reduce_all_##SUFFIX, T, OP)

PL_REDUCE_DEFINE(sum_f32, float, PL_RED_ADD)
PL_REDUCE_DEFINE(sum_i32, int32_t, PL_RED_ADD_I32)
PL_REDUCE_DEFINE(sum_i64, int64_t, PL_RED_ADD_I64)
PL_REDUCE_DEFINE(prod_f32, float, PL_RED_MUL)
PL_REDUCE_DEFINE(prod_i32, int32_t, PL_RED_MUL_I32)
PL_REDUCE_DEFINE(prod_i64, int64_t, PL_RED_MUL_I64)
PL_REDUCE_DEFINE(prod_i16, int16_t, PL_RED_MUL_SMALL)
PL_REDUCE_DEFINE(prod_i8, int8_t, PL_RED_MUL_SMALL)
PL_REDUCE_DEFINE(prod_u8, uint8_t, PL_RED_MUL_SMALL)
PL_REDUCE_DEFINE(max_f32, float, PL_RED_MAX)
PL_REDUCE_DEFINE(max_i32, int32_t, PL_RED_MAX)
PL_REDUCE_DEFINE(max_i64, int64_t, PL_RED_MAX)
PL_REDUCE_DEFINE(max_i16, int16_t, PL_RED_MAX)
PL_REDUCE_DEFINE(max_i8, int8_t, PL_RED_MAX)
PL_REDUCE_DEFINE(max_u8, uint8_t, PL_RED_MAX)
PL_REDUCE_DEFINE(min_f32, float, PL_RED_MIN)
PL_REDUCE_DEFINE(min_i32, int32_t, PL_RED_MIN)
PL_REDUCE_DEFINE(min_i64, int64_t, PL_RED_MIN)
PL_REDUCE_DEFINE(min_i16, int16_t, PL_RED_MIN)
PL_REDUCE_DEFINE(min_i8, int8_t, PL_RED_MIN)
PL_REDUCE_DEFINE(min_u8, uint8_t, PL_RED_MIN)
PL_REDUCE_DEFINE(or_b, uint8_t, PL_RED_OR)
PL_REDUCE_DEFINE(and_b, uint8_t, PL_RED_AND)
/* MEAN's sums: float into float, integers into int64. */
PL_REDUCE_FOLD(pl_reduce_fold_mean_i32, int32_t, int64_t, PL_RED_ADD_I64)
/* Quantized MEAN / SUM: raw values summed into int32 (wrapping). */
PL_REDUCE_FOLD(pl_reduce_fold_qsum_i8, int8_t, int32_t, PL_RED_ADD_I32)
PL_REDUCE_FOLD(pl_reduce_fold_qsum_u8, uint8_t, int32_t, PL_RED_ADD_I32)
PL_REDUCE_FOLD(pl_reduce_fold_qsum_i16, int16_t, int32_t, PL_RED_ADD_I32)

/* Fills `count` elements of type T with `value`. */
#define PL_REDUCE_FILL(T, ptr, count, value)                             \
  do {                                                                   \
    T* p_ = (T*)(ptr);                                                   \
    for (int64_t i_ = 0; i_ < (count); ++i_) p_[i_] = (T)(value);        \
  } while (0)

/* Runs the fold for one kind and type. */
#define PL_REDUCE_RUN(SUFFIX, T, START)                                     \
  do {                                                                      \
    PL_REDUCE_FILL(T, out_raw, out_count, START);                           \
    if (in_count == 0) break;                                               \
    if (full)                                                               \
      pl_reduce_all_##SUFFIX((const T*)in_raw, in_count, (T*)out_raw,       \
                             (T)(START), parts);                            \
    else                                                                    \
      pl_reduce_fold_##SUFFIX(&walk, (const T*)in_raw, (T*)out_raw);        \
  } while (0)

/* Grows the node's scratch to `bytes`. */
static inline void* pl_reduce_scratch(PlSubgraph* sg, PlReduceData* data,
                                      size_t bytes) {
  if (bytes > data->scratch_bytes) {
    void* grown = realloc(data->scratch, bytes);
    if (!grown) {
      pl_report(sg, "Out of memory.");
      return NULL;
    }
    data->scratch = grown;
    data->scratch_bytes = bytes;
  }
  return data->scratch;
}

/* The number of input elements folded into each output. */
static inline int64_t pl_reduce_count(const TfLiteTensor* input,
                                      const PlReduceAxes* axes) {
  int64_t n = 1;
  for (int i = 0; i < input->dims->size; ++i)
    if (axes->reduced[i]) n *= input->dims->data[i];
  return n;
}

/* The input as [outer, rows, inner] when the reduced axes are one
 * contiguous run of dims (rows their product): true and the three sizes,
 * else false. */
static inline bool pl_reduce_as_block(const TfLiteTensor* input,
                                      const PlReduceAxes* axes,
                                      int64_t* outer, int64_t* rows,
                                      int64_t* inner) {
  const int rank = input->dims->size;
  int first = -1, last = -1;
  for (int i = 0; i < rank; ++i) {
    if (!axes->reduced[i]) continue;
    if (first < 0) first = i;
    else if (last != i - 1) return false;
    last = i;
  }
  if (first < 0) return false;
  *outer = *rows = *inner = 1;
  for (int i = 0; i < rank; ++i) {
    const int64_t d = input->dims->data[i];
    if (i < first) *outer *= d;
    else if (i <= last) *rows *= d;
    else *inner *= d;
  }
  return true;
}

/* Quantized sums of an [outer, rows, inner] block: sums[o * inner + c] =
 * the wrapping int32 sum over r of x[(o * rows + r) * inner + c]. The sums
 * are exact modulo 2^32, so their order is free: rows are added as whole
 * vectors, and a narrow inner (under 64) is summed as chunks of a multiple
 * of inner elements, folded at the end. */
#define PL_REDUCE_QSUM_BLOCK(NAME, T)                                         \
  static inline void NAME(const T* restrict x, int64_t outer, int64_t rows,  \
                          int64_t inner, int32_t* restrict sums) {            \
    enum { kWide = 64 };                                                      \
    for (int64_t o = 0; o < outer; ++o, x += rows * inner) {                  \
      uint32_t* restrict s = (uint32_t*)sums + o * inner;                     \
      if (inner >= kWide) {                                                   \
        for (int64_t c = 0; c < inner; ++c) s[c] = 0;                         \
        for (int64_t r = 0; r < rows; ++r)                                    \
          for (int64_t c = 0; c < inner; ++c)                                 \
            s[c] += (uint32_t)(int32_t)x[r * inner + c];                      \
        continue;                                                             \
      }                                                                       \
      const int64_t chunk = inner * ((kWide + inner - 1) / inner);            \
      uint32_t acc[2 * kWide] = {0};                                          \
      const int64_t total = rows * inner;                                     \
      int64_t i = 0;                                                          \
      for (; i + chunk <= total; i += chunk)                                  \
        for (int64_t k = 0; k < chunk; ++k)                                   \
          acc[k] += (uint32_t)(int32_t)x[i + k];                              \
      for (int64_t k = 0; i + k < total; ++k)                                 \
        acc[k] += (uint32_t)(int32_t)x[i + k];                                \
      for (int64_t c = 0; c < inner; ++c) {                                   \
        uint32_t v = 0;                                                       \
        for (int64_t k = c; k < chunk; k += inner) v += acc[k];               \
        s[c] = v;                                                             \
      }                                                                       \
    }                                                                         \
  }
PL_REDUCE_QSUM_BLOCK(pl_reduce_qsum_block_i8, int8_t)
PL_REDUCE_QSUM_BLOCK(pl_reduce_qsum_block_u8, uint8_t)
PL_REDUCE_QSUM_BLOCK(pl_reduce_qsum_block_i16, int16_t)

/* Quantized MEAN and SUM (see the header comment). */
static inline TfLiteStatus pl_reduce_quant_mean_sum(
    PlSubgraph* sg, PlNode* node, const PlReduceWalk* walk,
    const PlReduceAxes* axes, const TfLiteTensor* input,
    TfLiteTensor* output, bool mean) {
  PlReduceData* data = node->user_data;
  const int64_t in_count = pl_num_elements(input);
  const int64_t out_count = pl_num_elements(output);
  if (in_count == 0) { /* empty sums: 0 */
    memset(output->data.raw, 0,
           (size_t)out_count * pl_type_size(output->type));
    return kTfLiteOk;
  }
  int32_t* sums =
      pl_reduce_scratch(sg, data, (size_t)out_count * sizeof(int32_t));
  if (!sums) return kTfLiteError;
  int64_t outer = 1, rows = 1, inner = 1;
  if (pl_reduce_as_block(input, axes, &outer, &rows, &inner)) {
    if (input->type == kTfLiteInt8)
      pl_reduce_qsum_block_i8(input->data.int8, outer, rows, inner, sums);
    else if (input->type == kTfLiteUInt8)
      pl_reduce_qsum_block_u8(input->data.uint8, outer, rows, inner, sums);
    else
      pl_reduce_qsum_block_i16(input->data.i16, outer, rows, inner, sums);
  } else {
    PL_REDUCE_FILL(int32_t, sums, out_count, 0);
    switch (input->type) {
      case kTfLiteInt8:
        pl_reduce_fold_qsum_i8(walk, input->data.int8, sums);
        break;
      case kTfLiteUInt8:
        pl_reduce_fold_qsum_u8(walk, input->data.uint8, sums);
        break;
      default:
        pl_reduce_fold_qsum_i16(walk, input->data.i16, sums);
        break;
    }
  }
  const int64_t n = pl_reduce_count(input, axes);
  const PlQuantParams in_q = pl_q_params(input), out_q = pl_q_params(output);
  int32_t lo = 0, hi = 0;
  pl_q_type_range(output->type, &lo, &hi);
  if (!mean && input->type != kTfLiteUInt8) {
    /* LiteRT's builtin (float) rescaling; its reference one is broken for
     * these types. */
    const float r = in_q.scale / out_q.scale;
    const float bias = (float)(-in_q.zero_point) * r * (float)n;
    for (int64_t i = 0; i < out_count; ++i) {
      float v = roundf((float)sums[i] * r + bias);
      /* Keep the conversion defined; any such value saturates anyway. */
      if (isnan(v)) v = 0.0f;
      v = v > 65536.0f ? 65536.0f : (v < -65536.0f ? -65536.0f : v);
      const int32_t q = (int32_t)v + out_q.zero_point;
      pl_q_store(output, i, pl_q_clamp(q, lo, hi));
    }
    return kTfLiteOk;
  }
  int32_t multiplier = data->multiplier;
  int shift = data->shift;
  if (mean) { /* fold 1/n into the multiplier, as LiteRT */
    int k = 0;
    while (k < 63 && ((uint64_t)n >> (k + 1)) != 0) ++k;
    if (k > 32) k = 32;
    if (k > 31 + shift) k = 31 + shift;
    if (k < 0) k = 0;
    multiplier = (int32_t)(((int64_t)multiplier << k) / n);
    shift -= k;
  }
  /* sums - zp * n (wrapping), rescaled: pl_q_requantize_row's vectorized
   * output stage, on chunks of its per-channel parameters all equal. */
  enum { kChunk = 64 };
  int32_t bias[kChunk], mult[kChunk];
  int shifts[kChunk];
  for (int k = 0; k < kChunk; ++k) {
    bias[k] = (int32_t)(uint32_t)(0u - (uint64_t)((int64_t)in_q.zero_point * n));
    mult[k] = multiplier;
    shifts[k] = shift;
  }
  const size_t elem = (size_t)pl_type_size(output->type);
  for (int64_t i = 0; i < out_count; i += kChunk)
    pl_q_requantize_row(sums + i, bias, mult, shifts, out_q.zero_point, lo, hi,
                        output->type, (char*)output->data.raw + i * elem,
                        out_count - i < kChunk ? out_count - i : kChunk);
  return kTfLiteOk;
}

/* Quantized REDUCE_PROD (see the header comment): each output folds its
 * inputs in row-major order, the first one starting the product. */
static inline TfLiteStatus pl_reduce_quant_prod(PlSubgraph* sg, PlNode* node,
                                                const PlReduceAxes* axes,
                                                const TfLiteTensor* input,
                                                TfLiteTensor* output) {
  PlReduceData* data = node->user_data;
  const int64_t in_count = pl_num_elements(input);
  const int64_t out_count = pl_num_elements(output);
  const PlQuantParams in_q = pl_q_params(input), out_q = pl_q_params(output);
  for (int64_t i = 0; i < out_count; ++i)
    pl_q_store(output, i, out_q.zero_point);
  if (in_count == 0 || out_count == 0) return kTfLiteOk;
  const int64_t n = in_count / out_count;
  int32_t multiplier = 0;
  int shift = 0;
  pl_q_multiplier((double)in_q.scale / pow((double)out_q.scale, 1.0 / n),
                  &multiplier, &shift);
  if (shift >= 15) {
    pl_report(sg, "%s: the rescaling of each product step (input scale %g, "
              "output scale %g, %lld elements) is 2^14 or more, beyond "
              "LiteRT's 64-bit fixed-point multiply.", node->op_name,
              (double)in_q.scale, (double)out_q.scale, (long long)n);
    return kTfLiteError;
  }
  int32_t* acc =
      pl_reduce_scratch(sg, data, (size_t)out_count * sizeof(int32_t));
  if (!acc) return kTfLiteError;
  PlReduceWalk walk;
  pl_reduce_walk(input->dims, axes, &walk);
  int64_t index[PL_MAX_RANK] = {0};
  int64_t o = 0;
  for (int64_t k = 0; k < in_count; ++k) {
    bool first = true;
    for (int d = 0; d < input->dims->size; ++d)
      if (axes->reduced[d] && index[d] != 0) first = false;
    const int32_t x = pl_q_load(input, k) - in_q.zero_point;
    acc[o] = first ? x : pl_q_mul64((int64_t)acc[o] * x, multiplier, shift);
    for (int d = walk.rank - 1; d >= 0; --d) {
      o += walk.out_stride[d];
      if (++index[d] < walk.extent[d]) break;
      o -= walk.out_stride[d] * walk.extent[d];
      index[d] = 0;
    }
  }
  int32_t lo = 0, hi = 0;
  pl_q_type_range(output->type, &lo, &hi);
  for (int64_t i = 0; i < out_count; ++i) {
    const int32_t q =
        pl_q_add(pl_q_mul64(acc[i], multiplier, shift), out_q.zero_point);
    pl_q_store(output, i, pl_q_clamp(q, lo, hi));
  }
  return kTfLiteOk;
}

/* MEAN's float32 sums split across threads by outputs, each output folded
 * in the same order as on one thread (so the bits do not depend on the
 * split): when the innermost dim is kept, by slices of its columns (units
 * of 16, a cache line); when the reduced dims are the innermost ones, by
 * ranges of outputs, each the sum of one contiguous block; otherwise on
 * one thread. */
enum { kPlReduceColumns = 16 };

typedef struct PlReduceSumJob {
  const PlReduceWalk* walk;
  const float* in;
  float* out;
  bool by_columns;
  int64_t unit;  /* columns or outputs per index of the loop */
  int64_t count; /* columns or outputs in all */
  int64_t block; /* by outputs: the input elements of each */
} PlReduceSumJob;

/* out[o] += the block of `block` inputs at in + o * block, in order, for
 * `count` outputs; eight outputs at a time, so that eight independent
 * chains of additions overlap (each one's order, and so its bits, is that
 * of the serial fold). */
static inline void pl_reduce_sum_f32_blocks(const float* in, float* out,
                                            int64_t count, int64_t block) {
  enum { kLanes = 8 };
  int64_t o = 0;
  for (; o + kLanes <= count; o += kLanes) {
    float acc[kLanes];
    for (int l = 0; l < kLanes; ++l) acc[l] = out[o + l];
    const float* rows = in + o * block;
    for (int64_t j = 0; j < block; ++j)
      for (int l = 0; l < kLanes; ++l) acc[l] = acc[l] + rows[l * block + j];
    for (int l = 0; l < kLanes; ++l) out[o + l] = acc[l];
  }
  for (; o < count; ++o) {
    float acc = out[o];
    for (int64_t j = 0; j < block; ++j) acc = acc + in[o * block + j];
    out[o] = acc;
  }
}

/* out[j] += in[r * pitch + j] for rows r in order, for n <= 16 columns
 * (so each column's sum keeps the serial fold's order), in a local copy
 * the compiler keeps in vector registers. */
static inline void pl_reduce_sum_f32_rows(const float* in, int64_t rows,
                                          int64_t pitch, int64_t n,
                                          float* out) {
  float acc[kPlReduceColumns];
  for (int64_t j = 0; j < n; ++j) acc[j] = out[j];
  if (n == kPlReduceColumns) {
    for (int64_t r = 0; r < rows; ++r)
      for (int j = 0; j < kPlReduceColumns; ++j)
        acc[j] = acc[j] + in[r * pitch + j];
  } else if (n == kPlReduceColumns / 2) {
    for (int64_t r = 0; r < rows; ++r)
      for (int j = 0; j < kPlReduceColumns / 2; ++j)
        acc[j] = acc[j] + in[r * pitch + j];
  } else {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < n; ++j) acc[j] = acc[j] + in[r * pitch + j];
  }
  for (int64_t j = 0; j < n; ++j) out[j] = acc[j];
}

static inline void pl_reduce_sum_f32_part(void* ctx, int64_t begin,
                                          int64_t end, int worker) {
  (void)worker;
  const PlReduceSumJob* job = ctx;
  const int64_t from = begin * job->unit;
  const int64_t to = end * job->unit < job->count ? end * job->unit
                                                  : job->count;
  if (job->by_columns) {
    PlReduceWalk w = *job->walk;
    w.extent[w.rank - 1] = to - from;
    /* Every row into the same outputs (the dims above the last all
     * reduced, or of extent 1: a MEAN over H and W, say): one column sum. */
    int64_t rows = 1;
    bool one_run = true;
    for (int d = 0; d < w.rank - 1; ++d) {
      rows *= w.extent[d];
      if (w.out_stride[d] != 0 && w.extent[d] != 1) one_run = false;
    }
    if (one_run) {
      for (int64_t j = from; j < to; j += kPlReduceColumns)
        pl_reduce_sum_f32_rows(
            job->in + j, rows, w.row_pitch,
            to - j < kPlReduceColumns ? to - j : kPlReduceColumns,
            job->out + j);
    } else
      pl_reduce_fold_sum_f32(&w, job->in + from, job->out + from);
  } else {
    pl_reduce_sum_f32_blocks(job->in + from * job->block, job->out + from,
                             to - from, job->block);
  }
}

static inline void pl_reduce_sum_f32_parallel(PlSubgraph* sg,
                                              const PlReduceWalk* walk,
                                              const float* in, float* out,
                                              int64_t in_count) {
  const int last = walk->rank - 1;
  PlReduceSumJob job = {walk, in, out, walk->out_stride[last] != 0, 1, 0, 0};
  if (job.by_columns) {
    job.unit = kPlReduceColumns;
    job.count = walk->extent[last];
  } else {
    int k = last; /* the reduced dims must be the innermost ones */
    while (k >= 0 && walk->out_stride[k] == 0) --k;
    for (int d = k; d >= 0; --d) {
      if (walk->out_stride[d] == 0) {
        pl_reduce_fold_sum_f32(walk, in, out);
        return;
      }
    }
    job.block = 1;
    for (int d = k + 1; d <= last; ++d) job.block *= walk->extent[d];
    job.count = in_count / job.block;
  }
  const int64_t units = (job.count + job.unit - 1) / job.unit;
  pl_parallel_for_cost(sg, units, in_count / units + 1,
                       pl_reduce_sum_f32_part, &job);
}

static inline TfLiteStatus pl_reduce_mean(PlSubgraph* sg, PlNode* node,
                                          const PlReduceWalk* walk,
                                          const PlReduceAxes* axes,
                                          const TfLiteTensor* input,
                                          TfLiteTensor* output) {
  PlReduceData* data = node->user_data;
  const int64_t in_count = pl_num_elements(input);
  const int64_t out_count = pl_num_elements(output);
  if (in_count == 0) { /* TFLite: NaN, which reads as 0 for integers */
    switch (output->type) {
      case kTfLiteFloat32:
        PL_REDUCE_FILL(float, output->data.f, out_count, NAN);
        break;
      case kTfLiteInt32:
        PL_REDUCE_FILL(int32_t, output->data.i32, out_count, 0);
        break;
      default:
        PL_REDUCE_FILL(int64_t, output->data.i64, out_count, 0);
        break;
    }
    return kTfLiteOk;
  }
  /* The reduced element count, in the accumulator's type. */
  float count_f = 1.0f;
  int64_t count_i = 1;
  for (int i = 0; i < input->dims->size; ++i) {
    if (!axes->reduced[i]) continue;
    count_f *= (float)input->dims->data[i];
    count_i *= input->dims->data[i];
  }
  if (output->type == kTfLiteFloat32) {
    float* out = output->data.f;
    PL_REDUCE_FILL(float, out, out_count, 0.0f);
    pl_reduce_sum_f32_parallel(sg, walk, input->data.f, out, in_count);
    for (int64_t i = 0; i < out_count; ++i) out[i] = out[i] / count_f;
    return kTfLiteOk;
  }
  int64_t* sums = output->data.i64;
  if (output->type == kTfLiteInt32) {
    const size_t need = (size_t)out_count * sizeof(int64_t);
    if (need > data->scratch_bytes) {
      void* grown = realloc(data->scratch, need);
      if (!grown) {
        pl_report(sg, "Out of memory.");
        return kTfLiteError;
      }
      data->scratch = grown;
      data->scratch_bytes = need;
    }
    sums = data->scratch;
  }
  PL_REDUCE_FILL(int64_t, sums, out_count, 0);
  if (input->type == kTfLiteInt32)
    pl_reduce_fold_mean_i32(walk, input->data.i32, sums);
  else
    pl_reduce_fold_sum_i64(walk, input->data.i64, sums);
  if (output->type == kTfLiteInt32) {
    for (int64_t i = 0; i < out_count; ++i)
      output->data.i32[i] = (int32_t)(sums[i] / count_i);
  } else {
    for (int64_t i = 0; i < out_count; ++i) sums[i] = sums[i] / count_i;
  }
  return kTfLiteOk;
}

static inline TfLiteStatus pl_reduce_eval(PlSubgraph* sg, PlNode* node,
                                          PlReduceKind kind) {
  const PlReduceData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kPlReduceInput);
  TfLiteTensor* output = pl_output(sg, node, kPlReduceOutput);
  PlReduceAxes axes;
  PL_ENSURE_OK(pl_reduce_shape(sg, node, data->shape_at_eval, &axes));
  PlReduceWalk walk;
  pl_reduce_walk(input->dims, &axes, &walk);
  if (data->quantized) {
    if (kind == PL_REDUCE_PROD)
      return pl_reduce_quant_prod(sg, node, &axes, input, output);
    return pl_reduce_quant_mean_sum(sg, node, &walk, &axes, input, output,
                                    kind == PL_REDUCE_MEAN);
  }
  if (kind == PL_REDUCE_MEAN)
    return pl_reduce_mean(sg, node, &walk, &axes, input, output);

  const int64_t in_count = pl_num_elements(input);
  const int64_t out_count = pl_num_elements(output);
  const void* in_raw = input->data.raw_const;
  void* out_raw = output->data.raw;
  /* TFLite's full-reduction path: every dim reduced (a rank-0 input too). */
  const bool full = axes.count == input->dims->size;
  const int parts = pl_num_threads(sg);
  const TfLiteType type = input->type;
  switch (kind) {
    case PL_REDUCE_SUM:
      if (type == kTfLiteFloat32) PL_REDUCE_RUN(sum_f32, float, 0.0f);
      else if (type == kTfLiteInt32) PL_REDUCE_RUN(sum_i32, int32_t, 0);
      else PL_REDUCE_RUN(sum_i64, int64_t, 0);
      break;
    case PL_REDUCE_PROD:
      switch (type) {
        case kTfLiteFloat32: PL_REDUCE_RUN(prod_f32, float, 1.0f); break;
        case kTfLiteInt32: PL_REDUCE_RUN(prod_i32, int32_t, 1); break;
        case kTfLiteInt16: PL_REDUCE_RUN(prod_i16, int16_t, 1); break;
        case kTfLiteInt8: PL_REDUCE_RUN(prod_i8, int8_t, 1); break;
        case kTfLiteUInt8: PL_REDUCE_RUN(prod_u8, uint8_t, 1); break;
        default: PL_REDUCE_RUN(prod_i64, int64_t, 1); break;
      }
      break;
    case PL_REDUCE_MAX:
      switch (type) {
        case kTfLiteFloat32: PL_REDUCE_RUN(max_f32, float, -FLT_MAX); break;
        case kTfLiteInt32: PL_REDUCE_RUN(max_i32, int32_t, INT32_MIN); break;
        case kTfLiteInt64: PL_REDUCE_RUN(max_i64, int64_t, INT64_MIN); break;
        case kTfLiteInt16: PL_REDUCE_RUN(max_i16, int16_t, INT16_MIN); break;
        case kTfLiteInt8: PL_REDUCE_RUN(max_i8, int8_t, INT8_MIN); break;
        case kTfLiteBool: PL_REDUCE_RUN(or_b, uint8_t, 0); break;
        default: PL_REDUCE_RUN(max_u8, uint8_t, 0); break;
      }
      break;
    case PL_REDUCE_MIN:
      switch (type) {
        case kTfLiteFloat32: PL_REDUCE_RUN(min_f32, float, FLT_MAX); break;
        case kTfLiteInt32: PL_REDUCE_RUN(min_i32, int32_t, INT32_MAX); break;
        case kTfLiteInt64: PL_REDUCE_RUN(min_i64, int64_t, INT64_MAX); break;
        case kTfLiteInt16: PL_REDUCE_RUN(min_i16, int16_t, INT16_MAX); break;
        case kTfLiteInt8: PL_REDUCE_RUN(min_i8, int8_t, INT8_MAX); break;
        case kTfLiteBool: PL_REDUCE_RUN(and_b, uint8_t, 1); break;
        default: PL_REDUCE_RUN(min_u8, uint8_t, UINT8_MAX); break;
      }
      break;
    case PL_REDUCE_ANY:
      PL_REDUCE_RUN(or_b, uint8_t, 0);
      break;
    case PL_REDUCE_ALL:
      PL_REDUCE_RUN(and_b, uint8_t, 1);
      break;
    default:
      pl_report(sg, "%s: unknown reduction.", node->op_name);
      return kTfLiteError;
  }
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_REDUCE_COMMON_H_ */
