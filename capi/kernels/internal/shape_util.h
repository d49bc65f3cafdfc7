/* pylite: shared helpers of the shape and data-movement kernels.
 *
 * These ops move elements without looking at them, so each is written once
 * by element size: a "mover" copies bytes between the inputs' and outputs'
 * buffers. Strings (variable length) go through the same mover: every input
 * string gets an int32 id (its position across all inputs), the mover moves
 * the 4-byte ids, and the output strings are then written from the ids
 * (an id of -1 stands for the empty string, for padding).
 *
 * Header-only (static functions) because the build compiles only the
 * .c files directly in capi/kernels; kernels include what they use. */
#ifndef PYLITE_KERNELS_INTERNAL_SHAPE_UTIL_H_
#define PYLITE_KERNELS_INTERNAL_SHAPE_UTIL_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"

#define PL_SHAPE_FN static __attribute__((unused))

/* ---- Arity, types, integers ------------------------------------------- */

PL_SHAPE_FN TfLiteStatus pl_shape_arity(PlSubgraph* sg, const PlNode* node,
                                        const char* op, int min_in,
                                        int max_in, int min_out,
                                        int max_out) {
  const int ni = pl_num_inputs(node), no = pl_num_outputs(node);
  if (ni < min_in || ni > max_in || no < min_out || no > max_out) {
    char ins[32], outs[32];
    if (min_in == max_in) snprintf(ins, sizeof(ins), "%d", min_in);
    else snprintf(ins, sizeof(ins), "%d to %d", min_in, max_in);
    if (min_out == max_out) snprintf(outs, sizeof(outs), "%d", min_out);
    else snprintf(outs, sizeof(outs), "%d to %d", min_out, max_out);
    pl_report(sg, "%s takes %s inputs and %s outputs, got %d and %d.", op,
              ins, outs, ni, no);
    return kTfLiteError;
  }
  for (int i = 0; i < ni; ++i) {
    if (!pl_input(sg, node, i)) {
      pl_report(sg, "%s: input %d is missing.", op, i);
      return kTfLiteError;
    }
  }
  for (int i = 0; i < no; ++i) {
    if (!pl_output(sg, node, i)) {
      pl_report(sg, "%s: output %d is missing.", op, i);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

/* Bytes per element of a type the movers handle; 4 (the id size) for
 * strings; 0 for types they cannot move (packed int4, resource, ...). */
PL_SHAPE_FN size_t pl_shape_elem_size(TfLiteType type) {
  if (type == kTfLiteString) return 4;
  return pl_type_size(type);
}

static inline bool pl_shape_is_quantized(const TfLiteTensor* t) {
  return t->quantization.type != kTfLiteNoQuantization &&
         (t->type == kTfLiteInt8 || t->type == kTfLiteUInt8 ||
          t->type == kTfLiteInt16);
}

/* Whether `t` has a movable type equal to `want`'s (if want is not NULL),
 * quantized tensors sharing one scale and zero point (moving bytes cannot
 * requantize: that is left for the quantized issue). */
static inline bool pl_shape_type_ok(const TfLiteTensor* t,
                                    const TfLiteTensor* want) {
  if (want && t->type != want->type) return false;
  if (pl_shape_elem_size(t->type) == 0) return false;
  return !want || !(pl_shape_is_quantized(t) || pl_shape_is_quantized(want)) ||
         (t->params.scale == want->params.scale &&
          t->params.zero_point == want->params.zero_point);
}

/* Checks pl_shape_type_ok, reporting what fails. */
PL_SHAPE_FN TfLiteStatus pl_shape_check_type(PlSubgraph* sg, const char* op,
                                             const char* what,
                                             const TfLiteTensor* t,
                                             const TfLiteTensor* want) {
  if (pl_shape_type_ok(t, want)) return kTfLiteOk;
  if (want && t->type != want->type) {
    pl_report(sg, "%s: %s has type %s, expected %s.", op, what,
              TfLiteTypeGetName(t->type), TfLiteTypeGetName(want->type));
    return kTfLiteError;
  }
  if (pl_shape_elem_size(t->type) == 0) {
    pl_report(sg, "%s: type %s is not supported.", op,
              TfLiteTypeGetName(t->type));
    return kTfLiteError;
  }
  if (want && (pl_shape_is_quantized(t) || pl_shape_is_quantized(want)) &&
      (t->params.scale != want->params.scale ||
       t->params.zero_point != want->params.zero_point)) {
    pl_report(sg,
              "%s: quantized %s with scale %g / zero point %d differing from "
              "%g / %d is not supported yet.",
              op, what, (double)t->params.scale, (int)t->params.zero_point,
              (double)want->params.scale, (int)want->params.zero_point);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* pl_shape_check_type of a node's `kind` ("input" or "output") number
 * `index`, named only in a message: prepare runs at every Invoke for the
 * nodes deferred there (inside loop bodies, say). */
PL_SHAPE_FN TfLiteStatus pl_shape_check_type_at(PlSubgraph* sg,
                                                const char* op,
                                                const char* kind, int index,
                                                const TfLiteTensor* t,
                                                const TfLiteTensor* want) {
  if (pl_shape_type_ok(t, want)) return kTfLiteOk;
  char what[32];
  snprintf(what, sizeof(what), "%s %d", kind, index);
  return pl_shape_check_type(sg, op, what, t, want);
}

/* Reads up to `max` values of an int32 or int64 tensor (int16 too when
 * allow16) as int64. Reports and fails on other types or missing data. */
PL_SHAPE_FN TfLiteStatus pl_shape_read_ints(PlSubgraph* sg, const char* op,
                                            const char* what,
                                            const TfLiteTensor* t,
                                            int64_t* out, int64_t max,
                                            int64_t* count) {
  const int64_t n = pl_num_elements(t);
  if (n > max) {
    pl_report(sg, "%s: %s has %lld values (limit %lld).", op, what,
              (long long)n, (long long)max);
    return kTfLiteError;
  }
  if (n > 0 && !t->data.raw_const) {
    pl_report(sg, "%s: %s has no data.", op, what);
    return kTfLiteError;
  }
  for (int64_t i = 0; i < n; ++i) {
    switch (t->type) {
      case kTfLiteInt32: out[i] = t->data.i32[i]; break;
      case kTfLiteInt64: out[i] = t->data.i64[i]; break;
      default:
        pl_report(sg, "%s: %s must be int32 or int64, got %s.", op, what,
                  TfLiteTypeGetName(t->type));
        return kTfLiteError;
    }
  }
  if (n == 0 && t->type != kTfLiteInt32 && t->type != kTfLiteInt64) {
    pl_report(sg, "%s: %s must be int32 or int64, got %s.", op, what,
              TfLiteTypeGetName(t->type));
    return kTfLiteError;
  }
  if (count) *count = n;
  return kTfLiteOk;
}

/* "[2,3]" for messages. */
PL_SHAPE_FN void pl_shape_dims_str(const int* dims, int rank, char* buf,
                                   size_t size) {
  size_t used = 0;
  int n = snprintf(buf, size, "[");
  used = n > 0 ? (size_t)n : 0;
  for (int i = 0; i < rank && used < size; ++i) {
    n = snprintf(buf + used, size - used, i ? ",%d" : "%d", dims[i]);
    if (n < 0) return;
    used += (size_t)n;
  }
  if (used < size) snprintf(buf + used, size - used, "]");
}

/* Normalizes an axis in [-rank, rank) to [0, rank); false if outside. */
static inline bool pl_shape_axis(int64_t axis, int rank, int* out) {
  if (axis < -rank || axis >= rank) return false;
  *out = (int)(axis < 0 ? axis + rank : axis);
  return true;
}

/* Row-major element strides of a shape. */
static inline void pl_shape_strides(const int* dims, int rank,
                                    int64_t* strides) {
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; --i) {
    strides[i] = s;
    s *= dims[i];
  }
}

/* ---- The strided copy engine --------------------------------------------- */

/* Copies the box `extent[0..rank)` from `in` to `out`, element (i0..ik) of
 * the box being in[in_off + sum i_j * in_stride_j] and out[out_off + sum
 * i_j * out_stride_j] (strides in elements, any sign). Adjacent dims
 * contiguous in both are merged first; unit inner strides become memcpy. */
PL_SHAPE_FN void pl_shape_copy(int rank, const int64_t* extent,
                               const char* in, int64_t in_off,
                               const int64_t* in_stride, char* out,
                               int64_t out_off, const int64_t* out_stride,
                               size_t elem) {
  int64_t ext[PL_MAX_RANK * 2 + 1], is[PL_MAX_RANK * 2 + 1],
      os[PL_MAX_RANK * 2 + 1];
  int r = 0;
  for (int i = 0; i < rank; ++i) {
    if (extent[i] == 0) return;
    if (extent[i] == 1) continue;
    if (r > 0 && is[r - 1] == in_stride[i] * extent[i] &&
        os[r - 1] == out_stride[i] * extent[i]) {
      ext[r - 1] *= extent[i];
      is[r - 1] = in_stride[i];
      os[r - 1] = out_stride[i];
      continue;
    }
    ext[r] = extent[i], is[r] = in_stride[i], os[r] = out_stride[i];
    ++r;
  }
  if (r == 0) {
    memcpy(out + out_off * (int64_t)elem, in + in_off * (int64_t)elem, elem);
    return;
  }
  const int64_t n = ext[r - 1], si = is[r - 1], so = os[r - 1];
  const int64_t e = (int64_t)elem;
  int64_t idx[PL_MAX_RANK * 2 + 1] = {0};
  int64_t pi = in_off, po = out_off;
  for (;;) {
    const char* src = in + pi * e;
    char* dst = out + po * e;
    if (si == 1 && so == 1) {
      memcpy(dst, src, (size_t)(n * e));
    } else if (elem == 4) {
      for (int64_t k = 0; k < n; ++k)
        memcpy(dst + k * so * 4, src + k * si * 4, 4);
    } else {
      for (int64_t k = 0; k < n; ++k)
        memcpy(dst + k * so * e, src + k * si * e, elem);
    }
    int d = r - 2;
    for (; d >= 0; --d) {
      pi += is[d], po += os[d];
      if (++idx[d] < ext[d]) break;
      pi -= is[d] * ext[d], po -= os[d] * ext[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/* Fills n elements of `elem` bytes with one value. */
PL_SHAPE_FN void pl_shape_fill(char* out, int64_t n, const void* value,
                               size_t elem) {
  if (n <= 0) return;
  memcpy(out, value, elem);
  int64_t done = 1;
  while (done < n) { /* doubling copies */
    const int64_t k = done < n - done ? done : n - done;
    memcpy(out + done * (int64_t)elem, out, (size_t)(k * (int64_t)elem));
    done += k;
  }
}

/* ---- Strings through ids ------------------------------------------------- */

/* A mover: copies from the inputs' buffers to the outputs' (elem bytes per
 * element; 4 for string ids). */
typedef TfLiteStatus (*PlShapeMoveFn)(PlSubgraph* sg, const PlNode* node,
                                      void* ctx, const char* const* in,
                                      char* const* out, size_t elem);

/* Pointer lists up to this long live on the stack (most nodes): pl_shape_run
 * then allocates nothing for numeric tensors. */
enum { PL_SHAPE_SMALL_IO = 16 };

/* Runs `fn` over the node's inputs listed in `ins` (indices of node inputs
 * whose data moves) and all its outputs. Strings: ids in, strings out. */
PL_SHAPE_FN TfLiteStatus pl_shape_run(PlSubgraph* sg, const PlNode* node,
                                      const char* op, const int* ins,
                                      int nin, PlShapeMoveFn fn, void* ctx) {
  const int nout = pl_num_outputs(node);
  if (nout == 0) return kTfLiteOk;
  const char* in_small[PL_SHAPE_SMALL_IO];
  char* out_small[PL_SHAPE_SMALL_IO];
  const bool small = nin <= PL_SHAPE_SMALL_IO && nout <= PL_SHAPE_SMALL_IO;
  const char** in =
      small ? in_small : calloc((size_t)(nin ? nin : 1), sizeof(*in));
  char** out = small ? out_small : calloc((size_t)nout, sizeof(*out));
  if (!in || !out) {
    if (!small) free(in), free(out);
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  TfLiteTensor* first_out = pl_output(sg, node, 0);
  TfLiteStatus status = kTfLiteOk;
  if (first_out->type != kTfLiteString) {
    for (int i = 0; i < nin; ++i)
      in[i] = pl_input(sg, node, ins[i])->data.raw_const;
    for (int i = 0; i < nout; ++i) out[i] = pl_output(sg, node, i)->data.raw;
    status = fn(sg, node, ctx, in, out, pl_type_size(first_out->type));
    if (!small) free(in), free(out);
    return status;
  }
  /* Strings: number every input string, move the ids. */
  for (int i = 0; i < nin; ++i) in[i] = NULL;
  for (int i = 0; i < nout; ++i) out[i] = NULL;
  int64_t total = 0;
  for (int i = 0; i < nin && status == kTfLiteOk; ++i) {
    const TfLiteTensor* t = pl_input(sg, node, ins[i]);
    const int64_t n = pl_num_elements(t);
    if (!pl_string_valid(t) || pl_string_count(t) != n) {
      pl_report(sg, "%s: input %d holds %d strings, its shape %lld.", op,
                ins[i], (int)pl_string_count(t), (long long)n);
      status = kTfLiteError;
      break;
    }
    int32_t* ids = malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    if (!ids) {
      pl_report(sg, "Out of memory.");
      status = kTfLiteError;
      break;
    }
    for (int64_t k = 0; k < n; ++k) ids[k] = (int32_t)(total + k);
    in[i] = (const char*)ids;
    total += n;
  }
  for (int i = 0; i < nout && status == kTfLiteOk; ++i) {
    const int64_t n = pl_num_elements(pl_output(sg, node, i));
    out[i] = malloc(sizeof(int32_t) * (size_t)(n > 0 ? n : 1));
    if (!out[i]) {
      pl_report(sg, "Out of memory.");
      status = kTfLiteError;
    }
  }
  if (status == kTfLiteOk) status = fn(sg, node, ctx, in, out, 4);
  /* Gather the strings by id. */
  const char** strs = NULL;
  size_t* lens = NULL;
  for (int o = 0; o < nout && status == kTfLiteOk; ++o) {
    TfLiteTensor* t = pl_output(sg, node, o);
    const int64_t n = pl_num_elements(t);
    strs = realloc(strs, sizeof(*strs) * (size_t)(n ? n : 1));
    lens = realloc(lens, sizeof(*lens) * (size_t)(n ? n : 1));
    if (!strs || !lens) {
      pl_report(sg, "Out of memory.");
      status = kTfLiteError;
      break;
    }
    const int32_t* ids = (const int32_t*)out[o];
    for (int64_t k = 0; k < n; ++k) {
      int64_t id = ids[k];
      strs[k] = "", lens[k] = 0;
      if (id < 0) continue;
      for (int i = 0; i < nin; ++i) {
        const TfLiteTensor* src = pl_input(sg, node, ins[i]);
        const int64_t m = pl_num_elements(src);
        if (id < m) {
          pl_string_get(src, (int32_t)id, &strs[k], &lens[k]);
          break;
        }
        id -= m;
      }
    }
    status = pl_string_write(sg, t, (int32_t)n, (const char* const*)strs,
                             lens);
  }
  free(strs), free(lens);
  for (int i = 0; i < nin; ++i) free((void*)in[i]);
  for (int i = 0; i < nout; ++i) free(out[i]);
  if (!small) free(in), free(out);
  return status;
}

/* The usual single-input mover run: node input 0 to all outputs. */
PL_SHAPE_FN TfLiteStatus pl_shape_run1(PlSubgraph* sg, const PlNode* node,
                                       const char* op, PlShapeMoveFn fn,
                                       void* ctx) {
  const int ins[1] = {0};
  return pl_shape_run(sg, node, op, ins, 1, fn, ctx);
}

/* Resizes an output in prepare or eval from an int array. */
PL_SHAPE_FN TfLiteStatus pl_shape_resize(PlSubgraph* sg, TfLiteTensor* t,
                                         int rank, const int* dims) {
  return pl_resize(sg, t, rank, dims);
}

/* Copies a whole tensor's data (same element count): the reshaping ops. */
PL_SHAPE_FN TfLiteStatus pl_shape_copy_all(PlSubgraph* sg, const PlNode* node,
                                           void* ctx, const char* const* in,
                                           char* const* out, size_t elem) {
  const int64_t n = pl_num_elements(pl_output(sg, node, 0));
  if (n > 0) memcpy(out[0], in[0], (size_t)n * elem);
  return kTfLiteOk;
}

/* PlKernel.view of the reshaping ops: the output is input 0's bytes. */
PL_SHAPE_FN bool pl_shape_view_whole(PlSubgraph* sg, const PlNode* node,
                                     int i, int* input, size_t* offset) {
  (void)sg, (void)node, (void)i;
  *input = 0;
  *offset = 0;
  return true;
}

/* ---- Splitting and joining along one axis -------------------------------- */

/* A tensor viewed as [outer, size along the axis, inner]. */
typedef struct PlShapeAxisView {
  int64_t outer, inner;
} PlShapeAxisView;

static inline PlShapeAxisView pl_shape_axis_view(const TfLiteIntArray* dims,
                                                 int axis) {
  PlShapeAxisView v = {1, 1};
  for (int i = 0; i < axis; ++i) v.outer *= dims->data[i];
  for (int i = axis + 1; i < dims->size; ++i) v.inner *= dims->data[i];
  return v;
}

/* PlKernel.view of the splitting ops: with nothing before the axis
 * (outer 1), part k of `input` (of tensor `t`) is contiguous, after the
 * parts before it. */
PL_SHAPE_FN bool pl_shape_view_part(const TfLiteTensor* t, int axis,
                                    const int64_t* sizes, int k, int input,
                                    int* input_out, size_t* offset) {
  const PlShapeAxisView v = pl_shape_axis_view(t->dims, axis);
  if (v.outer != 1) return false;
  int64_t before = 0;
  for (int j = 0; j < k; ++j) before += sizes[j];
  *input_out = input;
  *offset = (size_t)(before * v.inner) * pl_type_size(t->type);
  return true;
}

/* Splits [outer, total, inner] into outputs of [outer, sizes[k], inner]. */
typedef struct PlShapeSplit {
  int64_t outer, inner, total;
  int count;
  const int64_t* sizes;
} PlShapeSplit;

/* Part k's rows are contiguous on both sides: each is one memcpy (small
 * parts of small tensors are common, as an LSTM's gates, so this avoids
 * the general strided copy's setup). */
PL_SHAPE_FN TfLiteStatus pl_shape_split_move(PlSubgraph* sg,
                                             const PlNode* node, void* ctx_,
                                             const char* const* in,
                                             char* const* out, size_t elem) {
  const PlShapeSplit* ctx = ctx_;
  const int64_t e = (int64_t)elem, stride = ctx->total * ctx->inner * e;
  int64_t at = 0;
  for (int k = 0; k < ctx->count; ++k) {
    const int64_t row = ctx->sizes[k] * ctx->inner * e;
    if (row > 0) {
      for (int64_t o = 0; o < ctx->outer; ++o)
        memcpy(out[k] + o * row, in[0] + o * stride + at, (size_t)row);
    }
    at += row;
  }
  return kTfLiteOk;
}

/* Joins inputs [outer, sizes[k], inner] into [outer, total, inner], row by
 * row as pl_shape_split_move. */
PL_SHAPE_FN TfLiteStatus pl_shape_join_move(PlSubgraph* sg,
                                            const PlNode* node, void* ctx_,
                                            const char* const* in,
                                            char* const* out, size_t elem) {
  const PlShapeSplit* ctx = ctx_;
  const int64_t e = (int64_t)elem, stride = ctx->total * ctx->inner * e;
  int64_t at = 0;
  for (int k = 0; k < ctx->count; ++k) {
    const int64_t row = ctx->sizes[k] * ctx->inner * e;
    if (row > 0) {
      for (int64_t o = 0; o < ctx->outer; ++o)
        memcpy(out[0] + o * stride + at, in[k] + o * row, (size_t)row);
    }
    at += row;
  }
  return kTfLiteOk;
}

/* ---- Boxes: strided views of one input ----------------------------------- */

/* Output element (i0..ik) is input element in_off + sum i_j * stride_j;
 * the output is contiguous. Slices, reversals, broadcasts and tiles are
 * all boxes. */
typedef struct PlShapeBox {
  int rank;
  int64_t extent[PL_MAX_RANK * 2];
  int64_t stride[PL_MAX_RANK * 2];
  int64_t offset;
} PlShapeBox;

/* PlKernel.view of the box ops: a non-empty box whose elements are
 * consecutive in `t` (input number `input`) is the part starting at its
 * offset (a slice of leading rows, say). */
PL_SHAPE_FN bool pl_shape_box_view(const PlShapeBox* box,
                                   const TfLiteTensor* t, int input,
                                   int* input_out, size_t* offset) {
  int64_t expected = 1;
  for (int i = box->rank - 1; i >= 0; --i) {
    if (box->extent[i] == 0) return false;
    if (box->extent[i] == 1) continue;
    if (box->stride[i] != expected) return false;
    expected *= box->extent[i];
  }
  *input_out = input;
  *offset = (size_t)box->offset * pl_type_size(t->type);
  return true;
}

PL_SHAPE_FN TfLiteStatus pl_shape_box_move(PlSubgraph* sg, const PlNode* node,
                                           void* ctx_, const char* const* in,
                                           char* const* out, size_t elem) {
  const PlShapeBox* box = ctx_;
  int64_t dst[PL_MAX_RANK * 2];
  int64_t s = 1;
  for (int i = box->rank - 1; i >= 0; --i) {
    dst[i] = s;
    s *= box->extent[i];
  }
  pl_shape_copy(box->rank, box->extent, in[0], box->offset, box->stride,
                out[0], 0, dst, elem);
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_SHAPE_UTIL_H_ */
