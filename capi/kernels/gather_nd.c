/* pylite: GATHER_ND, picks slices of params by index tuples.
 *
 * As TFLite's builtin GATHER_ND: indices (int16, int32 or int64, rank >= 1)
 * end in a dim n <= rank(params); each n-tuple addresses a slice
 * params[i0, ..., in-1, ...]. The output shape is indices.dims[:-1] +
 * params.dims[n:]. Every index must lie in its dim; one outside fails the
 * invoke with an error naming it (nothing is written). Every params type
 * moves, strings included. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kParams = 0, kIndices = 1, kOutput = 0 };

typedef struct GatherNdCtx {
  int n;             /* tuple length */
  int64_t tuples;    /* number of tuples */
  int64_t slice;     /* elements per slice */
  int64_t strides[PL_MAX_RANK]; /* params strides in slices */
  const TfLiteTensor* indices;
} GatherNdCtx;

static inline int64_t index_at(const TfLiteTensor* t, int64_t i) {
  switch (t->type) {
    case kTfLiteInt16: return t->data.i16[i];
    case kTfLiteInt32: return t->data.i32[i];
    default: return t->data.i64[i];
  }
}

static TfLiteStatus gnd_layout(PlSubgraph* sg, const PlNode* node,
                               GatherNdCtx* ctx, int* dims, int* rank) {
  const TfLiteTensor* params = pl_input(sg, node, kParams);
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  const int pr = params->dims->size, ir = indices->dims->size;
  char ps[160], is[160];
  pl_shape_string(params->dims, ps, sizeof(ps));
  pl_shape_string(indices->dims, is, sizeof(is));
  if (ir < 1 || indices->dims->data[ir - 1] > pr) {
    pl_report(sg, "GATHER_ND: indices shape %s must have rank >= 1 and a "
              "last dim <= rank of params shape %s.", is, ps);
    return kTfLiteError;
  }
  const int n = indices->dims->data[ir - 1];
  ctx->n = n;
  ctx->tuples = 1;
  for (int i = 0; i < ir - 1; ++i) ctx->tuples *= indices->dims->data[i];
  ctx->slice = 1;
  for (int i = n; i < pr; ++i) ctx->slice *= params->dims->data[i];
  int64_t s = 1;
  for (int i = n - 1; i >= 0; --i) {
    ctx->strides[i] = s;
    s *= params->dims->data[i];
  }
  ctx->indices = indices;
  int r = 0;
  for (int i = 0; i < ir - 1; ++i) dims[r++] = indices->dims->data[i];
  for (int i = n; i < pr; ++i) dims[r++] = params->dims->data[i];
  if (r > PL_MAX_RANK) {
    pl_report(sg, "GATHER_ND: the output would have %d dims (limit %d).", r,
              PL_MAX_RANK);
    return kTfLiteError;
  }
  *rank = r;
  return kTfLiteOk;
}

static TfLiteStatus gnd_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "GATHER_ND", 2, 2, 1, 1));
  const TfLiteTensor* params = pl_input(sg, node, kParams);
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "GATHER_ND", "output", output, params));
  if (indices->type != kTfLiteInt16 && indices->type != kTfLiteInt32 &&
      indices->type != kTfLiteInt64) {
    pl_report(sg, "GATHER_ND: indices must be int16, int32 or int64, got %s.",
              TfLiteTypeGetName(indices->type));
    return kTfLiteError;
  }
  GatherNdCtx ctx;
  int dims[PL_MAX_RANK * 2], rank = 0;
  PL_ENSURE_OK(gnd_layout(sg, node, &ctx, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus gnd_move(PlSubgraph* sg, const PlNode* node, void* ctx_,
                             const char* const* in, char* const* out,
                             size_t elem) {
  const GatherNdCtx* c = ctx_;
  const size_t row = (size_t)c->slice * elem;
  for (int64_t t = 0; t < c->tuples; ++t) {
    int64_t at = 0;
    for (int j = 0; j < c->n; ++j)
      at += index_at(c->indices, t * c->n + j) * c->strides[j];
    memcpy(out[0] + t * (int64_t)row, in[0] + at * (int64_t)row, row);
  }
  return kTfLiteOk;
}

static TfLiteStatus gnd_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* params = pl_input(sg, node, kParams);
  const TfLiteTensor* output = pl_output(sg, node, kOutput);
  GatherNdCtx ctx;
  int dims[PL_MAX_RANK * 2], rank = 0;
  PL_ENSURE_OK(gnd_layout(sg, node, &ctx, dims, &rank));
  if (!TfLiteIntArrayEqualsArray(output->dims, rank, dims)) {
    pl_report(sg, "GATHER_ND: input shapes changed since prepare.");
    return kTfLiteError;
  }
  const int64_t count = ctx.tuples * ctx.n;
  if (count > 0 && !ctx.indices->data.raw_const) {
    pl_report(sg, "GATHER_ND: the indices tensor has no data.");
    return kTfLiteError;
  }
  for (int64_t i = 0; i < count; ++i) {
    const int64_t idx = index_at(ctx.indices, i);
    const int64_t dim = params->dims->data[i % ctx.n];
    if (idx < 0 || idx >= dim) {
      pl_report(sg, "GATHER_ND: index %lld (at position %lld of the indices) "
                "is out of range [0, %lld).", (long long)idx, (long long)i,
                (long long)dim);
      return kTfLiteError;
    }
  }
  if (ctx.tuples > 0 && ctx.slice > 0 && pl_num_elements(params) == 0) {
    pl_report(sg, "GATHER_ND: params are empty.");
    return kTfLiteError;
  }
  return pl_shape_run1(sg, node, "GATHER_ND", gnd_move, &ctx);
}

const PlKernel pl_kernel_gather_nd = {
    .name = "GATHER_ND",
    .prepare = gnd_prepare,
    .eval = gnd_eval,
    .types = "any fixed-size type, string (indices int16, int32, int64)",
};
