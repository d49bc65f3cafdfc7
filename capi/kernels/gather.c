/* pylite: GATHER, picks slices of params along an axis by index.
 *
 * As TFLite's builtin GATHER: GatherOptions.axis (negative counts from the
 * end of params) and batch_dims (negative counts from the end of indices;
 * 0 <= batch_dims <= axis, and the first batch_dims dims of params and
 * indices must agree). The output shape is params.dims[:axis] +
 * indices.dims[batch_dims:] + params.dims[axis + 1:]. Indices are int16,
 * int32 or int64; each must lie in [0, params.dims[axis]), and one outside
 * fails the invoke with an error naming it (nothing is written). Every
 * params type moves, strings included. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kParams = 0, kIndices = 1, kOutput = 0 };

/* Schema BuiltinOptions union type and GatherOptions field ids. */
enum { kGatherOptionsType = 23 };
enum { kFieldAxis = 0, kFieldBatchDims = 1 };

/* The layout resolved from the shapes. */
typedef struct GatherCtx {
  int64_t batch, outer, axis_size, inner, coords;
  const TfLiteTensor* indices;
} GatherCtx;

typedef struct GatherData {
  int axis;
  int batch_dims;
  GatherCtx ctx; /* set in prepare (the shapes are fixed until the next) */
} GatherData;

static TfLiteStatus gather_init(PlSubgraph* sg, PlNode* node) {
  GatherData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kGatherOptionsType) {
    data->axis = pl_fb_i32(&node->def->builtin_options, kFieldAxis, 0);
    data->batch_dims =
        pl_fb_i32(&node->def->builtin_options, kFieldBatchDims, 0);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void gather_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static inline int64_t index_at(const TfLiteTensor* t, int64_t i) {
  switch (t->type) {
    case kTfLiteInt16: return t->data.i16[i];
    case kTfLiteInt32: return t->data.i32[i];
    default: return t->data.i64[i];
  }
}

/* Checks the shapes, fills ctx and the output dims. */
static TfLiteStatus gather_layout(PlSubgraph* sg, const PlNode* node,
                                  GatherCtx* ctx, int* dims, int* rank) {
  const GatherData* data = node->user_data;
  const TfLiteTensor* params = pl_input(sg, node, kParams);
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  const int pr = params->dims->size, ir = indices->dims->size;
  int axis = 0;
  if (!pl_shape_axis(data->axis, pr, &axis)) {
    pl_report(sg, "GATHER: axis %d is out of range for params shape %s.",
              data->axis, PL_SHAPE_STR(params->dims));
    return kTfLiteError;
  }
  int batch_dims = data->batch_dims < 0 ? data->batch_dims + ir
                                        : data->batch_dims;
  if (batch_dims < 0 || batch_dims > ir || batch_dims > axis) {
    pl_report(sg, "GATHER: batch_dims %d must be in [0, min(%d, axis %d)] "
              "for indices shape %s.", data->batch_dims, ir, axis,
              PL_SHAPE_STR(indices->dims));
    return kTfLiteError;
  }
  ctx->batch = ctx->outer = ctx->inner = ctx->coords = 1;
  for (int i = 0; i < batch_dims; ++i) {
    if (params->dims->data[i] != indices->dims->data[i]) {
      pl_report(sg, "GATHER: batch dim %d differs between params %s and "
                "indices %s.", i, PL_SHAPE_STR(params->dims),
                PL_SHAPE_STR(indices->dims));
      return kTfLiteError;
    }
    ctx->batch *= params->dims->data[i];
  }
  for (int i = batch_dims; i < axis; ++i) ctx->outer *= params->dims->data[i];
  for (int i = axis + 1; i < pr; ++i) ctx->inner *= params->dims->data[i];
  for (int i = batch_dims; i < ir; ++i) ctx->coords *= indices->dims->data[i];
  ctx->axis_size = params->dims->data[axis];
  ctx->indices = indices;
  int r = 0;
  for (int i = 0; i < axis; ++i) dims[r++] = params->dims->data[i];
  for (int i = batch_dims; i < ir; ++i) dims[r++] = indices->dims->data[i];
  for (int i = axis + 1; i < pr; ++i) dims[r++] = params->dims->data[i];
  if (r > PL_MAX_RANK) {
    pl_report(sg, "GATHER: the output would have %d dims (limit %d).", r,
              PL_MAX_RANK);
    return kTfLiteError;
  }
  *rank = r;
  return kTfLiteOk;
}

static TfLiteStatus gather_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "GATHER", 2, 2, 1, 1));
  const TfLiteTensor* params = pl_input(sg, node, kParams);
  const TfLiteTensor* indices = pl_input(sg, node, kIndices);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "GATHER", "output", output, params));
  if (indices->type != kTfLiteInt16 && indices->type != kTfLiteInt32 &&
      indices->type != kTfLiteInt64) {
    pl_report(sg, "GATHER: indices must be int16, int32 or int64, got %s.",
              TfLiteTypeGetName(indices->type));
    return kTfLiteError;
  }
  GatherData* data = node->user_data;
  int dims[PL_MAX_RANK * 2], rank = 0;
  PL_ENSURE_OK(gather_layout(sg, node, &data->ctx, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus gather_move(PlSubgraph* sg, const PlNode* node,
                                void* ctx_, const char* const* in,
                                char* const* out, size_t elem) {
  const GatherCtx* c = ctx_;
  const size_t row = (size_t)c->inner * elem;
  char* dst = out[0];
  for (int64_t b = 0; b < c->batch; ++b) {
    for (int64_t o = 0; o < c->outer; ++o) {
      const char* src =
          in[0] + (b * c->outer + o) * c->axis_size * (int64_t)row;
      for (int64_t k = 0; k < c->coords; ++k) {
        const int64_t idx = index_at(c->indices, b * c->coords + k);
        memcpy(dst, src + idx * (int64_t)row, row);
        dst += row;
      }
    }
  }
  return kTfLiteOk;
}

static TfLiteStatus gather_eval(PlSubgraph* sg, PlNode* node) {
  const GatherData* data = node->user_data;
  const TfLiteTensor* output = pl_output(sg, node, kOutput);
  GatherCtx ctx = data->ctx;
  /* Check every index before moving anything. */
  const int64_t n = pl_num_elements(ctx.indices);
  if (n > 0 && !ctx.indices->data.raw_const) {
    pl_report(sg, "GATHER: the indices tensor has no data.");
    return kTfLiteError;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int64_t idx = index_at(ctx.indices, i);
    if (idx < 0 || idx >= ctx.axis_size) {
      pl_report(sg, "GATHER: index %lld (at position %lld of the indices) is "
                "out of range [0, %lld).", (long long)idx, (long long)i,
                (long long)ctx.axis_size);
      return kTfLiteError;
    }
  }
  if (ctx.inner == 0 || ctx.batch * ctx.outer * ctx.coords == 0) {
    /* Empty output: still write an empty string tensor. */
    if (output->type != kTfLiteString) return kTfLiteOk;
  }
  return pl_shape_run1(sg, node, "GATHER", gather_move, &ctx);
}

const PlKernel pl_kernel_gather = {
    .name = "GATHER",
    .init = gather_init,
    .free = gather_free,
    .prepare = gather_prepare,
    .eval = gather_eval,
    .types = "any fixed-size type, string (indices int16, int32, int64)",
};
