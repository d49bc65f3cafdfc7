/* pylite: SCATTER_ND, sums slices of updates into a zero tensor of a given
 * shape at index tuples.
 *
 * As TFLite's builtin SCATTER_ND: indices are int32 [..., n] (LiteRT rejects
 * int64 indices), shape is a 1-D tensor of the indices' type, updates are
 * float32, int32, int64, int8, uint8 or bool with dims indices.dims[:-1] +
 * shape[n:]. The output (the updates' type, of dims `shape`) starts at
 * zero and each update slice is added to the slice its n-tuple addresses,
 * in order (bool adds as "or", int8/uint8/int32/int64 wrap). A
 * non-constant shape makes the output dynamic. Quantized int8/uint8
 * updates work on raw values as in LiteRT (untouched elements are a raw 0,
 * not the zero point; duplicate tuples add raw values), with the output
 * quantized as the updates.
 *
 * Differences from LiteRT: every index must lie inside its own dim (LiteRT
 * only checks that the flattened position fits the output); one outside
 * fails the invoke with an error naming it, and nothing is written past
 * the output. Shapes that do not fit are prepare errors. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/kernels/internal/indexing.h"

enum { kIndices = 0, kUpdates = 1, kShape = 2, kOutput = 0 };

typedef struct ScatterCtx {
  int n;           /* tuple length */
  int64_t tuples;  /* number of update slices */
  int64_t slice;   /* elements per slice */
  int64_t total;   /* output elements */
  int rank;
  int dims[PL_MAX_RANK];
  int64_t strides[PL_MAX_RANK]; /* output strides, in elements */
} ScatterCtx;

/* Reads the shape tensor and checks indices and updates against it. */
static TfLiteStatus scatter_layout(PlSubgraph* sg, const PlNode* node,
                                   ScatterCtx* c) {
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  const TfLiteTensor* updates = pl_input(sg, node, kUpdates);
  const TfLiteTensor* shape_t = pl_input(sg, node, kShape);
  char is[160], us[160], ss[160];
  pl_shape_string(indices->dims, is, sizeof(is));
  pl_shape_string(updates->dims, us, sizeof(us));
  if (shape_t->dims->size != 1) {
    pl_shape_string(shape_t->dims, ss, sizeof(ss));
    pl_report(sg, "SCATTER_ND: the shape tensor must be 1-D, got shape %s.",
              ss);
    return kTfLiteError;
  }
  int64_t shape[PL_MAX_RANK];
  int64_t r = 0;
  PL_ENSURE_OK(pl_shape_read_ints(sg, "SCATTER_ND", "the shape tensor",
                                  shape_t, shape, PL_MAX_RANK, &r));
  c->rank = (int)r;
  c->total = 1;
  for (int i = 0; i < c->rank; ++i) {
    if (shape[i] < 0 || shape[i] > INT32_MAX) {
      pl_report(sg, "SCATTER_ND: shape entry %d is %lld; it must be in "
                "[0, 2^31).", i, (long long)shape[i]);
      return kTfLiteError;
    }
    c->dims[i] = (int)shape[i];
    c->total *= shape[i];
  }
  pl_shape_dims_str(c->dims, c->rank, ss, sizeof(ss));
  const int ir = indices->dims->size, ur = updates->dims->size;
  if (ir < 1 || indices->dims->data[ir - 1] > c->rank) {
    pl_report(sg, "SCATTER_ND: indices shape %s must have rank >= 1 and a "
              "last dim <= the output rank (shape %s).", is, ss);
    return kTfLiteError;
  }
  c->n = indices->dims->data[ir - 1];
  const int outer = ir - 1;
  bool ok = ur == outer + (c->rank - c->n);
  for (int i = 0; ok && i < outer; ++i)
    ok = updates->dims->data[i] == indices->dims->data[i];
  for (int i = outer; ok && i < ur; ++i)
    ok = updates->dims->data[i] == c->dims[c->n + i - outer];
  if (!ok) {
    pl_report(sg, "SCATTER_ND: updates shape %s must be indices.shape[:-1] "
              "+ shape[%d:] for indices shape %s and shape %s.", us, c->n,
              is, ss);
    return kTfLiteError;
  }
  c->tuples = 1;
  for (int i = 0; i < outer; ++i) c->tuples *= indices->dims->data[i];
  c->slice = 1;
  for (int i = c->n; i < c->rank; ++i) c->slice *= c->dims[i];
  pl_shape_strides(c->dims, c->rank, c->strides);
  return kTfLiteOk;
}

static TfLiteStatus scatter_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "SCATTER_ND", 3, 3, 1, 1));
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  const TfLiteTensor* updates = pl_input(sg, node, kUpdates);
  const TfLiteTensor* shape_t = pl_input(sg, node, kShape);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  static const TfLiteType kIdx[] = {kTfLiteInt32, kTfLiteNoType};
  static const TfLiteType kVal[] = {kTfLiteFloat32, kTfLiteInt32,
                                    kTfLiteInt64,   kTfLiteInt8,
                                    kTfLiteUInt8,   kTfLiteBool,
                                    kTfLiteNoType};
  PL_ENSURE_OK(pl_idx_check_type(sg, "SCATTER_ND", "indices", indices, kIdx,
                                 "int32"));
  PL_ENSURE_OK(pl_idx_check_type_q(
      sg, "SCATTER_ND", "updates", updates, kVal,
      "float32, int32, int64, int8, uint8, bool", true));
  if (shape_t->type != indices->type) {
    pl_report(sg, "SCATTER_ND: shape has type %s, indices %s; they must "
              "match.", TfLiteTypeGetName(shape_t->type),
              TfLiteTypeGetName(indices->type));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_shape_check_type(sg, "SCATTER_ND", "output", output,
                                   updates));
  if (!pl_is_constant(shape_t)) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  ScatterCtx c;
  PL_ENSURE_OK(scatter_layout(sg, node, &c));
  return pl_resize(sg, output, c.rank, c.dims);
}

#define SCATTER_ADD(T, field, expr)                                   \
  static void scatter_add_##field(T* out, const T* upd, int64_t n) {  \
    for (int64_t k = 0; k < n; ++k) {                                 \
      const T a = out[k], b = upd[k];                                 \
      out[k] = (expr);                                                \
    }                                                                 \
  }
SCATTER_ADD(float, f, a + b)
SCATTER_ADD(int32_t, i32, (int32_t)((uint32_t)a + (uint32_t)b))
SCATTER_ADD(int64_t, i64, (int64_t)((uint64_t)a + (uint64_t)b))
SCATTER_ADD(int8_t, int8, (int8_t)(a + b))
SCATTER_ADD(uint8_t, uint8, (uint8_t)(a + b))
SCATTER_ADD(bool, b, a || b)

static TfLiteStatus scatter_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  const TfLiteTensor* updates = pl_input(sg, node, kUpdates);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  ScatterCtx c;
  PL_ENSURE_OK(scatter_layout(sg, node, &c));
  PL_ENSURE_OK(pl_idx_output_dims(sg, "SCATTER_ND", output,
                                  !pl_is_constant(pl_input(sg, node, kShape)),
                                  c.rank, c.dims));
  PL_ENSURE_OK(pl_idx_has_data(sg, "SCATTER_ND", "indices", indices));
  PL_ENSURE_OK(pl_idx_has_data(sg, "SCATTER_ND", "updates", updates));
  /* Check every index before writing anything. */
  const int64_t count = c.tuples * c.n;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t idx = pl_idx_at(indices, i);
    const int dim = c.dims[i % c.n];
    if (idx < 0 || idx >= dim) {
      pl_report(sg, "SCATTER_ND: index %lld (at position %lld of the "
                "indices) is out of range [0, %d).", (long long)idx,
                (long long)i, dim);
      return kTfLiteError;
    }
  }
  const size_t elem = pl_type_size(output->type);
  if (c.total > 0) memset(output->data.raw, 0, (size_t)c.total * elem);
  if (c.slice == 0) return kTfLiteOk;
  for (int64_t t = 0; t < c.tuples; ++t) {
    int64_t at = 0;
    for (int j = 0; j < c.n; ++j)
      at += pl_idx_at(indices, t * c.n + j) * c.strides[j];
    const int64_t from = t * c.slice;
    switch (output->type) {
      case kTfLiteFloat32:
        scatter_add_f(output->data.f + at, updates->data.f + from, c.slice);
        break;
      case kTfLiteInt32:
        scatter_add_i32(output->data.i32 + at, updates->data.i32 + from,
                        c.slice);
        break;
      case kTfLiteInt64:
        scatter_add_i64(output->data.i64 + at, updates->data.i64 + from,
                        c.slice);
        break;
      case kTfLiteInt8:
        scatter_add_int8(output->data.int8 + at, updates->data.int8 + from,
                         c.slice);
        break;
      case kTfLiteUInt8:
        scatter_add_uint8(output->data.uint8 + at,
                          updates->data.uint8 + from, c.slice);
        break;
      default:
        scatter_add_b(output->data.b + at, updates->data.b + from, c.slice);
        break;
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_scatter_nd = {
    .name = "SCATTER_ND",
    .prepare = scatter_prepare,
    .eval = scatter_eval,
    .types = "float32, int32, int64, int8, uint8, bool (indices int32)",
};
