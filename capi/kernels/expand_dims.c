/* pylite: EXPAND_DIMS, inserts a dim of size 1.
 *
 * As TFLite's builtin EXPAND_DIMS, for every type including strings: input
 * 1 is a one-element int32 or int64 tensor holding the axis, in
 * [-rank - 1, rank] (negative counts from the end of the output). The data
 * is copied unchanged, or shared with the input when the runtime can
 * arrange it (PlKernel.view). A non-constant axis makes the output
 * dynamic. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kAxis = 1, kOutput = 0 };

static TfLiteStatus output_dims(PlSubgraph* sg, const PlNode* node,
                                int* dims, int* rank) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* axis_t = pl_input(sg, node, kAxis);
  int64_t axis = 0, count = 0;
  if (pl_num_elements(axis_t) != 1) {
    pl_report(sg, "EXPAND_DIMS: the axis tensor must hold 1 value, got %lld.",
              (long long)pl_num_elements(axis_t));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_shape_read_ints(sg, "EXPAND_DIMS", "the axis tensor",
                                  axis_t, &axis, 1, &count));
  const int r = input->dims->size;
  if (r + 1 > PL_MAX_RANK || axis < -r - 1 || axis > r) {
    char shape[160];
    pl_shape_string(input->dims, shape, sizeof(shape));
    pl_report(sg, "EXPAND_DIMS: axis %lld is out of range [%d, %d] for shape "
              "%s.", (long long)axis, -r - 1, r, shape);
    return kTfLiteError;
  }
  const int at = (int)(axis < 0 ? axis + r + 1 : axis);
  for (int i = 0, j = 0; i <= r; ++i)
    dims[i] = i == at ? 1 : input->dims->data[j++];
  *rank = r + 1;
  return kTfLiteOk;
}

static TfLiteStatus expand_dims_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "EXPAND_DIMS", 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "EXPAND_DIMS", "output", output,
                                   input));
  if (!pl_is_constant(pl_input(sg, node, kAxis))) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(output_dims(sg, node, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus expand_dims_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!pl_is_constant(pl_input(sg, node, kAxis))) {
    int dims[PL_MAX_RANK], rank = 0;
    PL_ENSURE_OK(output_dims(sg, node, dims, &rank));
    PL_ENSURE_OK(pl_resize(sg, output, rank, dims));
  }
  if (pl_num_elements(input) != pl_num_elements(output)) {
    pl_report(sg, "EXPAND_DIMS: input shape changed since prepare.");
    return kTfLiteError;
  }
  return pl_shape_run1(sg, node, "EXPAND_DIMS", pl_shape_copy_all, NULL);
}

const PlKernel pl_kernel_expand_dims = {
    .name = "EXPAND_DIMS",
    .prepare = expand_dims_prepare,
    .eval = expand_dims_eval,
    .view = pl_shape_view_whole,
    .types = "any fixed-size type, string",
};
