/* pylite: MIRROR_PAD, padding by reflecting the input at its edges.
 *
 * As TFLite's builtin MIRROR_PAD: paddings (input 1) is an int32 or int64
 * [rank, 2] tensor of counts before and after each dim. MirrorPadOptions.
 * mode REFLECT (0) mirrors without repeating the edge element, so each
 * count must be <= dim - 1; SYMMETRIC (1) repeats it, so each count must
 * be <= dim (TF's limits; TFLite does not check them). Every type moves,
 * strings included. Non-constant paddings make the output dynamic. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_pad.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kPaddings = 1, kOutput = 0 };

/* Schema BuiltinOptions union type and MirrorPadOptions field ids. */
enum { kMirrorPadOptionsType = 77 };
enum { kFieldMode = 0 };
enum { kReflect = 0, kSymmetric = 1 };

typedef struct MirrorPadData {
  int mode;
} MirrorPadData;

typedef struct MirrorCtx {
  int rank;
  int64_t before[PL_MAX_RANK], after[PL_MAX_RANK];
  int dims[PL_MAX_RANK];
  int mode;
} MirrorCtx;

static TfLiteStatus mirror_pad_init(PlSubgraph* sg, PlNode* node) {
  MirrorPadData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kMirrorPadOptionsType)
    data->mode = pl_fb_i8(&node->def->builtin_options, kFieldMode, kReflect);
  if (data->mode != kReflect && data->mode != kSymmetric) {
    pl_report(sg, "MIRROR_PAD: unknown mode %d.", data->mode);
    free(data);
    return kTfLiteError;
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void mirror_pad_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus mirror_layout(PlSubgraph* sg, const PlNode* node,
                                  MirrorCtx* ctx) {
  const MirrorPadData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  ctx->rank = input->dims->size;
  ctx->mode = data->mode;
  PL_ENSURE_OK(pl_shape_read_paddings(sg, "MIRROR_PAD", input,
                                      pl_input(sg, node, kPaddings),
                                      ctx->before, ctx->after, ctx->dims));
  const int64_t slack = data->mode == kReflect ? 1 : 0;
  for (int i = 0; i < ctx->rank; ++i) {
    const int64_t d = input->dims->data[i];
    if (ctx->before[i] > d - slack || ctx->after[i] > d - slack) {
      pl_report(sg, "MIRROR_PAD: paddings (%lld, %lld) of dim %d exceed %s "
                "limit %lld for size %lld.", (long long)ctx->before[i],
                (long long)ctx->after[i], i,
                data->mode == kReflect ? "the REFLECT" : "the SYMMETRIC",
                (long long)(d - slack), (long long)d);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

static TfLiteStatus mirror_pad_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "MIRROR_PAD", 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "MIRROR_PAD", "output", output, input));
  if (!pl_is_constant(pl_input(sg, node, kPaddings))) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  MirrorCtx ctx;
  PL_ENSURE_OK(mirror_layout(sg, node, &ctx));
  return pl_resize(sg, output, ctx.rank, ctx.dims);
}

static TfLiteStatus mirror_move(PlSubgraph* sg, const PlNode* node,
                                void* ctx_, const char* const* in,
                                char* const* out, size_t elem) {
  const MirrorCtx* ctx = ctx_;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const int r = ctx->rank;
  int64_t total = 0, count = 1;
  for (int i = 0; i < r; ++i) total += ctx->dims[i], count *= ctx->dims[i];
  if (count == 0) return kTfLiteOk;
  /* map[i][o]: input offset (in elements) of output coordinate o of dim i. */
  int64_t* maps = malloc(sizeof(int64_t) * (size_t)(total ? total : 1));
  if (!maps) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  int64_t strides[PL_MAX_RANK], start[PL_MAX_RANK];
  pl_shape_strides(input->dims->data, r, strides);
  const int64_t shift = ctx->mode == kReflect ? 0 : 1;
  for (int i = 0, at = 0; i < r; at += ctx->dims[i], ++i) {
    const int64_t d = input->dims->data[i];
    start[i] = at;
    for (int64_t o = 0; o < ctx->dims[i]; ++o) {
      int64_t k = o - ctx->before[i];
      if (k < 0) k = -k - shift;
      else if (k >= d) k = 2 * d - 2 + shift - k;
      maps[at + o] = k * strides[i];
    }
  }
  int64_t idx[PL_MAX_RANK] = {0};
  char* dst = out[0];
  if (r == 0) {
    memcpy(dst, in[0], elem);
    free(maps);
    return kTfLiteOk;
  }
  for (;;) {
    int64_t src = 0;
    for (int i = 0; i < r - 1; ++i) src += maps[start[i] + idx[i]];
    const int64_t* last = maps + start[r - 1];
    for (int64_t o = 0; o < ctx->dims[r - 1]; ++o) {
      memcpy(dst, in[0] + (src + last[o]) * (int64_t)elem, elem);
      dst += elem;
    }
    int i = r - 2;
    for (; i >= 0; --i) {
      if (++idx[i] < ctx->dims[i]) break;
      idx[i] = 0;
    }
    if (i < 0) break;
  }
  free(maps);
  return kTfLiteOk;
}

static TfLiteStatus mirror_pad_eval(PlSubgraph* sg, PlNode* node) {
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  MirrorCtx ctx;
  PL_ENSURE_OK(mirror_layout(sg, node, &ctx));
  if (!pl_is_constant(pl_input(sg, node, kPaddings)))
    PL_ENSURE_OK(pl_resize(sg, output, ctx.rank, ctx.dims));
  if (!TfLiteIntArrayEqualsArray(output->dims, ctx.rank, ctx.dims)) {
    pl_report(sg, "MIRROR_PAD: input shape changed since prepare.");
    return kTfLiteError;
  }
  return pl_shape_run1(sg, node, "MIRROR_PAD", mirror_move, &ctx);
}

const PlKernel pl_kernel_mirror_pad = {
    .name = "MIRROR_PAD",
    .init = mirror_pad_init,
    .free = mirror_pad_free,
    .prepare = mirror_pad_prepare,
    .eval = mirror_pad_eval,
    .types = "any fixed-size type, string",
};
