/* pylite: SPLIT, cuts a tensor into equal parts along an axis.
 *
 * As TFLite's builtin SPLIT: input 0 is a one-element int32 (or int64)
 * axis in [-rank, rank), input 1 the tensor; SplitOptions.num_splits must
 * equal the number of outputs and divide the size along the axis. Every
 * type moves, strings included. A non-constant axis makes the outputs
 * dynamic. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kAxis = 0, kInput = 1 };

/* Schema BuiltinOptions union type and SplitOptions field ids. */
enum { kSplitOptionsType = 35 };
enum { kFieldNumSplits = 0 };

typedef struct SplitData {
  int num_splits;
  bool axis_known; /* constant axis: the outputs are sized in prepare */
  int axis;        /* when axis_known */
  int64_t* sizes;  /* num_splits part sizes for the mover, kept for eval */
  size_t sizes_bytes;
} SplitData;

static TfLiteStatus split_init(PlSubgraph* sg, PlNode* node) {
  SplitData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kSplitOptionsType)
    data->num_splits =
        pl_fb_i32(&node->def->builtin_options, kFieldNumSplits, 0);
  node->user_data = data;
  return kTfLiteOk;
}

static void split_free(PlNode* node) {
  SplitData* data = node->user_data;
  if (data) free(data->sizes);
  free(node->user_data);
  node->user_data = NULL;
}

/* Reads the axis and sizes the outputs. */
static TfLiteStatus split_resize(PlSubgraph* sg, const PlNode* node,
                                 int* axis_out) {
  const SplitData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* axis_t = pl_input(sg, node, kAxis);
  const int rank = input->dims->size;
  if (pl_num_elements(axis_t) != 1) {
    pl_report(sg, "SPLIT: the axis tensor must hold 1 value, got %lld.",
              (long long)pl_num_elements(axis_t));
    return kTfLiteError;
  }
  int64_t raw = 0;
  PL_ENSURE_OK(pl_shape_read_ints(sg, "SPLIT", "the axis tensor", axis_t,
                                  &raw, 1, NULL));
  int axis = 0;
  if (!pl_shape_axis(raw, rank, &axis)) {
    pl_report(sg, "SPLIT: axis %lld is out of range for input shape %s.",
              (long long)raw, PL_SHAPE_STR(input->dims));
    return kTfLiteError;
  }
  const int n = data->num_splits;
  if (n <= 0 || input->dims->data[axis] % n != 0) {
    pl_report(sg, "SPLIT: cannot split dim %d of shape %s into %d equal "
              "parts.", axis, PL_SHAPE_STR(input->dims), n);
    return kTfLiteError;
  }
  int dims[PL_MAX_RANK];
  for (int i = 0; i < rank; ++i) dims[i] = input->dims->data[i];
  dims[axis] /= n;
  for (int k = 0; k < n; ++k)
    PL_ENSURE_OK(pl_resize(sg, pl_output(sg, node, k), rank, dims));
  *axis_out = axis;
  return kTfLiteOk;
}

static TfLiteStatus split_prepare(PlSubgraph* sg, PlNode* node) {
  SplitData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "SPLIT", 2, 2, 1, 1 << 20));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  if (pl_num_outputs(node) != data->num_splits) {
    pl_report(sg, "SPLIT: num_splits is %d but the op has %d outputs.",
              data->num_splits, pl_num_outputs(node));
    return kTfLiteError;
  }
  for (int k = 0; k < pl_num_outputs(node); ++k) {
    PL_ENSURE_OK(pl_shape_check_type_at(sg, "SPLIT", "output", k,
                                        pl_output(sg, node, k), input));
  }
  PL_ENSURE_OK(pl_reserve(sg, (void**)&data->sizes, &data->sizes_bytes,
                          sizeof(int64_t) * (size_t)data->num_splits));
  data->axis_known = pl_is_constant(pl_input(sg, node, kAxis));
  if (!data->axis_known) {
    for (int k = 0; k < pl_num_outputs(node); ++k)
      pl_set_dynamic(pl_output(sg, node, k));
    return kTfLiteOk;
  }
  return split_resize(sg, node, &data->axis);
}

static TfLiteStatus split_eval(PlSubgraph* sg, PlNode* node) {
  const SplitData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const int n = pl_num_outputs(node);
  int axis = data->axis;
  if (!data->axis_known) PL_ENSURE_OK(split_resize(sg, node, &axis));
  for (int k = 0; k < n; ++k) data->sizes[k] = input->dims->data[axis] / n;
  PlShapeAxisView v = pl_shape_axis_view(input->dims, axis);
  PlShapeSplit ctx = {v.outer, v.inner, input->dims->data[axis], n,
                      data->sizes};
  const int ins[1] = {kInput};
  return pl_shape_run(sg, node, "SPLIT", ins, 1, pl_shape_split_move, &ctx);
}

/* Output i is a contiguous part of the input when nothing precedes the
 * axis (an LSTM's gates, say). */
static bool split_view(PlSubgraph* sg, const PlNode* node, int i, int* input,
                       size_t* offset) {
  const SplitData* data = node->user_data;
  if (!data->axis_known) return false;
  const TfLiteTensor* t = pl_input(sg, node, kInput);
  const int n = pl_num_outputs(node);
  for (int k = 0; k < n; ++k) data->sizes[k] = t->dims->data[data->axis] / n;
  return pl_shape_view_part(t, data->axis, data->sizes, i, kInput, input,
                            offset);
}

const PlKernel pl_kernel_split = {
    .name = "SPLIT",
    .init = split_init,
    .free = split_free,
    .prepare = split_prepare,
    .eval = split_eval,
    .view = split_view,
    .types = "any fixed-size type, string",
};
