/* pylite: UNPACK, splits a tensor into slices along an axis, dropping it.
 *
 * As TFLite's builtin UNPACK: UnpackOptions.axis is in [-rank, rank)
 * (negative counts from the end), UnpackOptions.num must equal the input's
 * size along it and the number of outputs (TFLite also accepts num 0
 * as "the axis size"; so does this). Every type moves, strings included. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0 };

/* Schema BuiltinOptions union type and UnpackOptions field ids. */
enum { kUnpackOptionsType = 64 };
enum { kFieldNum = 0, kFieldAxis = 1 };

typedef struct UnpackData {
  int num;
  int axis;
  int64_t* ones; /* a part size of 1 per output, for the mover */
  size_t ones_bytes;
} UnpackData;

static TfLiteStatus unpack_init(PlSubgraph* sg, PlNode* node) {
  UnpackData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kUnpackOptionsType) {
    const PlFbTable* opts = &node->def->builtin_options;
    data->num = pl_fb_i32(opts, kFieldNum, 0);
    data->axis = pl_fb_i32(opts, kFieldAxis, 0);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void unpack_free(PlNode* node) {
  UnpackData* data = node->user_data;
  if (data) free(data->ones);
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus unpack_prepare(PlSubgraph* sg, PlNode* node) {
  UnpackData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "UNPACK", 1, 1, 0, 1 << 20));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const int rank = input->dims->size;
  int axis = 0;
  if (!pl_shape_axis(data->axis, rank, &axis)) {
    pl_report(sg, "UNPACK: axis %d is out of range for input shape %s.",
              data->axis, PL_SHAPE_STR(input->dims));
    return kTfLiteError;
  }
  const int size = input->dims->data[axis];
  const int num = data->num ? data->num : size;
  if (num != size || pl_num_outputs(node) != num) {
    pl_report(sg, "UNPACK: num %d, %d outputs and size %d of axis %d of "
              "input shape %s must agree.", data->num, pl_num_outputs(node),
              size, axis, PL_SHAPE_STR(input->dims));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_reserve(sg, (void**)&data->ones, &data->ones_bytes,
                          sizeof(int64_t) * (size_t)(num > 0 ? num : 1)));
  for (int k = 0; k < num; ++k) data->ones[k] = 1;
  int dims[PL_MAX_RANK];
  for (int i = 0, j = 0; i < rank; ++i)
    if (i != axis) dims[j++] = input->dims->data[i];
  for (int k = 0; k < num; ++k) {
    TfLiteTensor* output = pl_output(sg, node, k);
    PL_ENSURE_OK(
        pl_shape_check_type_at(sg, "UNPACK", "output", k, output, input));
    PL_ENSURE_OK(pl_resize(sg, output, rank - 1, dims));
  }
  return kTfLiteOk;
}

static TfLiteStatus unpack_eval(PlSubgraph* sg, PlNode* node) {
  const UnpackData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const int n = pl_num_outputs(node);
  int axis = 0;
  if (!pl_shape_axis(data->axis, input->dims->size, &axis) ||
      input->dims->data[axis] != n) {
    pl_report(sg, "UNPACK: input shape changed since prepare.");
    return kTfLiteError;
  }
  PlShapeAxisView v = pl_shape_axis_view(input->dims, axis);
  PlShapeSplit ctx = {v.outer, v.inner, n, n, data->ones};
  return pl_shape_run1(sg, node, "UNPACK", pl_shape_split_move, &ctx);
}

/* Output i is a contiguous part of the input when nothing precedes the
 * axis (unpacking the time steps of a [T, 1, N] sequence, say). */
static bool unpack_view(PlSubgraph* sg, const PlNode* node, int i,
                        int* input, size_t* offset) {
  const UnpackData* data = node->user_data;
  const TfLiteTensor* t = pl_input(sg, node, kInput);
  int axis = 0;
  return pl_shape_axis(data->axis, t->dims->size, &axis) &&
         pl_shape_view_part(t, axis, data->ones, i, kInput, input, offset);
}

const PlKernel pl_kernel_unpack = {
    .name = "UNPACK",
    .init = unpack_init,
    .free = unpack_free,
    .prepare = unpack_prepare,
    .eval = unpack_eval,
    .view = unpack_view,
    .types = "any fixed-size type, string (quantized: one scale and zero "
             "point throughout)",
};
