/* pylite: TRANSPOSE, permutes dims.
 *
 * As TFLite's builtin TRANSPOSE: input 1 is a 1-D int32 (or int64) perm
 * with one entry per input dim (at most 6), output dim i being input dim
 * perm[i]. Every type moves, strings included (TFLite's kernel has no
 * string form; this is a superset). A non-constant perm makes the output
 * dynamic.
 *
 * Stricter than TFLite: a perm that repeats a dim is an error (TFLite does
 * not check it and reads a meaningless result). */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kPerm = 1, kOutput = 0 };
enum { kMaxTransposeRank = 6 };

typedef struct TransposeCtx {
  int rank;
  int perm[kMaxTransposeRank];
} TransposeCtx;

static TfLiteStatus read_perm(PlSubgraph* sg, const PlNode* node,
                              TransposeCtx* ctx, int* dims) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* perm_t = pl_input(sg, node, kPerm);
  const int rank = input->dims->size;
  char shape[160];
  pl_shape_string(input->dims, shape, sizeof(shape));
  if (rank > kMaxTransposeRank) {
    pl_report(sg, "TRANSPOSE supports up to %d dims, got shape %s.",
              kMaxTransposeRank, shape);
    return kTfLiteError;
  }
  if (perm_t->dims->size != 1 || perm_t->dims->data[0] != rank) {
    char ps[160];
    pl_shape_string(perm_t->dims, ps, sizeof(ps));
    pl_report(sg, "TRANSPOSE: perm of shape %s does not match input shape %s "
              "(it needs %d entries).", ps, shape, rank);
    return kTfLiteError;
  }
  int64_t perm[kMaxTransposeRank];
  PL_ENSURE_OK(pl_shape_read_ints(sg, "TRANSPOSE", "perm", perm_t, perm,
                                  kMaxTransposeRank, NULL));
  bool seen[kMaxTransposeRank] = {false};
  for (int i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) {
      pl_report(sg, "TRANSPOSE: perm entry %lld is out of range [0, %d) or "
                "repeated.", (long long)perm[i], rank);
      return kTfLiteError;
    }
    seen[perm[i]] = true;
    ctx->perm[i] = (int)perm[i];
    dims[i] = input->dims->data[perm[i]];
  }
  ctx->rank = rank;
  return kTfLiteOk;
}

static TfLiteStatus transpose_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "TRANSPOSE", 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "TRANSPOSE", "output", output, input));
  if (!pl_is_constant(pl_input(sg, node, kPerm))) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  TransposeCtx ctx;
  int dims[kMaxTransposeRank];
  PL_ENSURE_OK(read_perm(sg, node, &ctx, dims));
  return pl_resize(sg, output, ctx.rank, dims);
}

static TfLiteStatus transpose_move(PlSubgraph* sg, const PlNode* node,
                                   void* ctx_, const char* const* in,
                                   char* const* out, size_t elem) {
  const TransposeCtx* ctx = ctx_;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  int64_t in_strides[kMaxTransposeRank], extent[kMaxTransposeRank],
      src[kMaxTransposeRank], dst[kMaxTransposeRank];
  int out_dims[kMaxTransposeRank];
  pl_shape_strides(input->dims->data, ctx->rank, in_strides);
  for (int i = 0; i < ctx->rank; ++i) {
    extent[i] = input->dims->data[ctx->perm[i]];
    out_dims[i] = (int)extent[i];
    src[i] = in_strides[ctx->perm[i]];
  }
  pl_shape_strides(out_dims, ctx->rank, dst);
  pl_shape_copy(ctx->rank, extent, in[0], 0, src, out[0], 0, dst, elem);
  return kTfLiteOk;
}

static TfLiteStatus transpose_eval(PlSubgraph* sg, PlNode* node) {
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  TransposeCtx ctx;
  int dims[kMaxTransposeRank];
  PL_ENSURE_OK(read_perm(sg, node, &ctx, dims));
  if (!pl_is_constant(pl_input(sg, node, kPerm)))
    PL_ENSURE_OK(pl_resize(sg, output, ctx.rank, dims));
  if (!TfLiteIntArrayEqualsArray(output->dims, ctx.rank, dims)) {
    pl_report(sg, "TRANSPOSE: input shape changed since prepare.");
    return kTfLiteError;
  }
  return pl_shape_run1(sg, node, "TRANSPOSE", transpose_move, &ctx);
}

const PlKernel pl_kernel_transpose = {
    .name = "TRANSPOSE",
    .prepare = transpose_prepare,
    .eval = transpose_eval,
    .types = "any fixed-size type, string",
};
