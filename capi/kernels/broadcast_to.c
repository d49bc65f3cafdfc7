/* pylite: BROADCAST_TO, repeats the input to a given shape.
 *
 * As TFLite's builtin BROADCAST_TO: shape (input 1) is a 1-D int32 or
 * int64 tensor of at most 8 dims, no fewer than the input's; aligned from
 * the right, each input dim must equal the target dim or be 1. Every type
 * moves, strings included. A non-constant shape makes the output
 * dynamic. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kShape = 1, kOutput = 0 };
enum { kMaxBroadcastRank = 8 };

static TfLiteStatus bt_box(PlSubgraph* sg, const PlNode* node,
                           PlShapeBox* box, int* dims) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* shape_t = pl_input(sg, node, kShape);
  const int ir = input->dims->size;
  char s[160];
  pl_shape_string(input->dims, s, sizeof(s));
  if (shape_t->dims->size != 1 || shape_t->dims->data[0] > kMaxBroadcastRank) {
    pl_report(sg, "BROADCAST_TO: the shape tensor must be 1-D with at most %d "
              "entries.", kMaxBroadcastRank);
    return kTfLiteError;
  }
  const int r = shape_t->dims->data[0];
  int64_t shape[kMaxBroadcastRank], strides[PL_MAX_RANK];
  PL_ENSURE_OK(pl_shape_read_ints(sg, "BROADCAST_TO", "the shape tensor",
                                  shape_t, shape, kMaxBroadcastRank, NULL));
  char want[160];
  int want_dims[kMaxBroadcastRank];
  for (int i = 0; i < r; ++i)
    want_dims[i] = (int)(shape[i] > INT32_MAX ? -1 : shape[i]);
  pl_shape_dims_str(want_dims, r, want, sizeof(want));
  if (r < ir) {
    pl_report(sg, "BROADCAST_TO: cannot broadcast shape %s to fewer dims %s.",
              s, want);
    return kTfLiteError;
  }
  pl_shape_strides(input->dims->data, ir, strides);
  box->rank = r;
  box->offset = 0;
  for (int i = 0; i < r; ++i) {
    const int j = i - (r - ir);
    const int64_t in_dim = j >= 0 ? input->dims->data[j] : 1;
    if (shape[i] < 0 || shape[i] > INT32_MAX ||
        (in_dim != shape[i] && in_dim != 1)) {
      pl_report(sg, "BROADCAST_TO: cannot broadcast shape %s to %s.", s,
                want);
      return kTfLiteError;
    }
    dims[i] = (int)shape[i];
    box->extent[i] = shape[i];
    box->stride[i] = (j >= 0 && in_dim != 1) ? strides[j] : 0;
  }
  return kTfLiteOk;
}

static TfLiteStatus bt_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "BROADCAST_TO", 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "BROADCAST_TO", "output", output,
                                   input));
  if (input->dims->size > kMaxBroadcastRank) {
    pl_report(sg, "BROADCAST_TO supports up to %d dims.", kMaxBroadcastRank);
    return kTfLiteError;
  }
  if (!pl_is_constant(pl_input(sg, node, kShape))) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  PlShapeBox box;
  int dims[kMaxBroadcastRank];
  PL_ENSURE_OK(bt_box(sg, node, &box, dims));
  return pl_resize(sg, output, box.rank, dims);
}

static TfLiteStatus bt_eval(PlSubgraph* sg, PlNode* node) {
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PlShapeBox box;
  int dims[kMaxBroadcastRank];
  PL_ENSURE_OK(bt_box(sg, node, &box, dims));
  if (!pl_is_constant(pl_input(sg, node, kShape)))
    PL_ENSURE_OK(pl_resize(sg, output, box.rank, dims));
  if (!TfLiteIntArrayEqualsArray(output->dims, box.rank, dims)) {
    pl_report(sg, "BROADCAST_TO: input shape changed since prepare.");
    return kTfLiteError;
  }
  return pl_shape_run1(sg, node, "BROADCAST_TO", pl_shape_box_move, &box);
}

const PlKernel pl_kernel_broadcast_to = {
    .name = "BROADCAST_TO",
    .prepare = bt_prepare,
    .eval = bt_eval,
    .types = "any fixed-size type, string",
};
