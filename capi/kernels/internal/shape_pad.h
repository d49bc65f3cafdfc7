/* pylite: padding shared by PAD, PADV2 and MIRROR_PAD.
 *
 * Header-only, like shape_util.h; pad.c and padv2.c are the two kernels
 * over the body at the end. */
#ifndef PYLITE_KERNELS_INTERNAL_SHAPE_PAD_H_
#define PYLITE_KERNELS_INTERNAL_SHAPE_PAD_H_

#include <string.h>

#include "capi/kernels/internal/quant_spatial.h"
#include "capi/kernels/internal/shape_util.h"

/* Reads a paddings tensor of shape [rank, 2] (int32 or int64) into
 * before/after, checking that each is >= 0 and that the output dims fit
 * in an int. */
PL_SHAPE_FN TfLiteStatus pl_shape_read_paddings(PlSubgraph* sg,
                                                const char* op,
                                                const TfLiteTensor* input,
                                                const TfLiteTensor* paddings,
                                                int64_t* before,
                                                int64_t* after, int* dims) {
  const int rank = input->dims->size;
  if (paddings->dims->size != 2 || paddings->dims->data[0] != rank ||
      paddings->dims->data[1] != 2) {
    pl_report(sg, "%s: paddings of shape %s must be [%d,2] for input shape "
              "%s.", op, PL_SHAPE_STR(paddings->dims), rank,
              PL_SHAPE_STR(input->dims));
    return kTfLiteError;
  }
  int64_t pads[PL_MAX_RANK * 2];
  PL_ENSURE_OK(pl_shape_read_ints(sg, op, "paddings", paddings, pads,
                                  PL_MAX_RANK * 2, NULL));
  for (int i = 0; i < rank; ++i) {
    before[i] = pads[2 * i];
    after[i] = pads[2 * i + 1];
    if (before[i] < 0 || after[i] < 0 || before[i] > INT32_MAX ||
        after[i] > INT32_MAX) {
      pl_report(sg, "%s: paddings of dim %d (%lld, %lld) must be >= 0 and "
                "fit an int.", op,
                i, (long long)before[i], (long long)after[i]);
      return kTfLiteError;
    }
    const int64_t d = before[i] + input->dims->data[i] + after[i];
    if (d > INT32_MAX) {
      pl_report(sg, "%s: padded dim %d is too large.", op, i);
      return kTfLiteError;
    }
    dims[i] = (int)d;
  }
  return kTfLiteOk;
}

/* ---- The PAD / PADV2 kernel body ----------------------------------------- */

enum {
  kPlPadInput = 0,
  kPlPadPaddings = 1,
  kPlPadValue = 2,
  kPlPadOutput = 0
};

typedef struct PlPadCtx {
  int rank;
  int64_t before[PL_MAX_RANK], after[PL_MAX_RANK];
  int dims[PL_MAX_RANK];
  const char* op;
  bool has_value;
} PlPadCtx;

PL_SHAPE_FN TfLiteStatus pl_pad_layout(PlSubgraph* sg, const PlNode* node,
                                       PlPadCtx* ctx) {
  const TfLiteTensor* input = pl_input(sg, node, kPlPadInput);
  ctx->rank = input->dims->size;
  return pl_shape_read_paddings(sg, ctx->op, input,
                                pl_input(sg, node, kPlPadPaddings),
                                ctx->before, ctx->after, ctx->dims);
}

PL_SHAPE_FN TfLiteStatus pl_pad_prepare_as(PlSubgraph* sg, PlNode* node,
                                           const char* op) {
  const int n = pl_num_inputs(node);
  PL_ENSURE_OK(pl_shape_arity(sg, node, op, 2, 3, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kPlPadInput);
  TfLiteTensor* output = pl_output(sg, node, kPlPadOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, op, "output", output, input));
  if (n == 3) {
    const TfLiteTensor* value = pl_input(sg, node, kPlPadValue);
    if (value->type != input->type || pl_num_elements(value) != 1) {
      char vs[160];
      pl_shape_string(value->dims, vs, sizeof(vs));
      pl_report(sg, "%s: the pad value must be one %s, got %s of shape %s.",
                op, TfLiteTypeGetName(input->type),
                TfLiteTypeGetName(value->type), vs);
      return kTfLiteError;
    }
    /* As TFLite: a quantized pad value must be on the output's scale. */
    if (pl_shape_is_quantized(output) || pl_shape_is_quantized(value))
      PL_ENSURE_OK(pl_qs_check_same(sg, op, "pad value", value, "output",
                                    output));
  } else if (pl_shape_is_quantized(output)) {
    /* The pad value is the output zero point, which must be in range. */
    PL_ENSURE_OK(pl_q_check_tensor(sg, op, "output", output));
  }
  if (!pl_is_constant(pl_input(sg, node, kPlPadPaddings))) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  PlPadCtx ctx = {.op = op};
  PL_ENSURE_OK(pl_pad_layout(sg, node, &ctx));
  return pl_resize(sg, output, ctx.rank, ctx.dims);
}

PL_SHAPE_FN TfLiteStatus pl_pad_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_pad_prepare_as(sg, node,
                           pl_num_inputs(node) == 3 ? "PADV2" : "PAD");
}

PL_SHAPE_FN TfLiteStatus pl_pad_move(PlSubgraph* sg, const PlNode* node,
                                     void* ctx_, const char* const* in,
                                     char* const* out, size_t elem) {
  const PlPadCtx* ctx = ctx_;
  const TfLiteTensor* input = pl_input(sg, node, kPlPadInput);
  const TfLiteTensor* output = pl_output(sg, node, kPlPadOutput);
  /* The pad value: PADV2's input, "" for strings, else the zero point. */
  char value[16] = {0};
  if (ctx->has_value) {
    memcpy(value, in[1], elem);
  } else if (output->type == kTfLiteString) {
    const int32_t empty = -1;
    memcpy(value, &empty, 4);
  } else if (pl_shape_is_quantized(output)) {
    const int32_t zp = output->params.zero_point;
    const int16_t z16 = (int16_t)zp;
    if (elem == 1) value[0] = (char)zp;
    else memcpy(value, &z16, 2);
  }
  pl_shape_fill(out[0], pl_num_elements(output), value, elem);
  int64_t extent[PL_MAX_RANK], src[PL_MAX_RANK], dst[PL_MAX_RANK];
  pl_shape_strides(input->dims->data, ctx->rank, src);
  pl_shape_strides(ctx->dims, ctx->rank, dst);
  int64_t off = 0;
  for (int i = 0; i < ctx->rank; ++i) {
    extent[i] = input->dims->data[i];
    off += ctx->before[i] * dst[i];
  }
  pl_shape_copy(ctx->rank, extent, in[0], 0, src, out[0], off, dst, elem);
  return kTfLiteOk;
}

PL_SHAPE_FN TfLiteStatus pl_pad_eval(PlSubgraph* sg, PlNode* node) {
  const bool v2 = pl_num_inputs(node) == 3;
  TfLiteTensor* output = pl_output(sg, node, kPlPadOutput);
  PlPadCtx ctx = {.op = v2 ? "PADV2" : "PAD", .has_value = v2};
  PL_ENSURE_OK(pl_pad_layout(sg, node, &ctx));
  if (!pl_is_constant(pl_input(sg, node, kPlPadPaddings)))
    PL_ENSURE_OK(pl_resize(sg, output, ctx.rank, ctx.dims));
  if (!TfLiteIntArrayEqualsArray(output->dims, ctx.rank, ctx.dims)) {
    pl_report(sg, "%s: input shape changed since prepare.", ctx.op);
    return kTfLiteError;
  }
  const int ins[2] = {kPlPadInput, kPlPadValue};
  return pl_shape_run(sg, node, ctx.op, ins, v2 ? 2 : 1, pl_pad_move, &ctx);
}

#endif /* PYLITE_KERNELS_INTERNAL_SHAPE_PAD_H_ */
