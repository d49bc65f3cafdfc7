/* pylite: REVERSE_V2, reverses the input along some dims.
 *
 * As TFLite's builtin REVERSE_V2: axis (input 1) is a 1-D int32 or int64
 * tensor of dims to reverse (negative counts from the end; none means a
 * copy). Each dim may appear once. The output has the input's shape. Every
 * type moves, strings included. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kAxis = 1, kOutput = 0 };

static TfLiteStatus reverse_box(PlSubgraph* sg, const PlNode* node,
                                PlShapeBox* box) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* axis_t = pl_input(sg, node, kAxis);
  const int r = input->dims->size;
  if (axis_t->dims->size > 1) {
    pl_report(sg, "REVERSE_V2: the axis tensor must be 1-D.");
    return kTfLiteError;
  }
  int64_t axes[PL_MAX_RANK], n = 0, strides[PL_MAX_RANK];
  PL_ENSURE_OK(pl_shape_read_ints(sg, "REVERSE_V2", "the axis tensor",
                                  axis_t, axes, PL_MAX_RANK, &n));
  bool flip[PL_MAX_RANK] = {false};
  for (int64_t k = 0; k < n; ++k) {
    int a = 0;
    if (!pl_shape_axis(axes[k], r, &a) || flip[a]) {
      pl_report(sg, "REVERSE_V2: axis %lld is out of range or repeated for "
                "input shape %s.", (long long)axes[k],
                PL_SHAPE_STR(input->dims));
      return kTfLiteError;
    }
    flip[a] = true;
  }
  pl_shape_strides(input->dims->data, r, strides);
  box->rank = r;
  box->offset = 0;
  for (int i = 0; i < r; ++i) {
    const int64_t d = input->dims->data[i];
    box->extent[i] = d;
    box->stride[i] = flip[i] ? -strides[i] : strides[i];
    if (flip[i] && d > 0) box->offset += (d - 1) * strides[i];
  }
  return kTfLiteOk;
}

static TfLiteStatus reverse_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "REVERSE_V2", 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "REVERSE_V2", "output", output, input));
  if (pl_is_constant(pl_input(sg, node, kAxis))) {
    PlShapeBox box;
    PL_ENSURE_OK(reverse_box(sg, node, &box));
  }
  return pl_resize_like(sg, output, input->dims);
}

static TfLiteStatus reverse_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!pl_same_shape(input, output)) {
    pl_report(sg, "REVERSE_V2: input shape changed since prepare.");
    return kTfLiteError;
  }
  PlShapeBox box;
  PL_ENSURE_OK(reverse_box(sg, node, &box));
  return pl_shape_run1(sg, node, "REVERSE_V2", pl_shape_box_move, &box);
}

const PlKernel pl_kernel_reverse_v2 = {
    .name = "REVERSE_V2",
    .prepare = reverse_prepare,
    .eval = reverse_eval,
    .types = "any fixed-size type, string",
};
