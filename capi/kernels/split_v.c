/* pylite: SPLIT_V, cuts a tensor into parts of given sizes along an axis.
 *
 * As TFLite's builtin SPLIT_V: input 1 is a 1-D int32 or int64
 * size_splits with one entry per output (SplitVOptions.num_splits, which
 * must equal the number of outputs); one entry may be -1, inferred from
 * the rest; the sizes must sum to the input's size along the axis (input
 * 2, a one-element int32/int64 in [-rank, rank)). Every type moves,
 * strings included. Non-constant size_splits or axis make the outputs
 * dynamic.
 *
 * Stricter than TFLite: sizes below -1 and an inferred negative size are
 * errors. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kSizeSplits = 1, kAxis = 2 };

/* Schema BuiltinOptions union type and SplitVOptions field ids. */
enum { kSplitVOptionsType = 79 };
enum { kFieldNumSplits = 0 };

typedef struct SplitVData {
  int num_splits;
  bool known;     /* constant sizes and axis: the outputs are sized and
                     `sizes` and `axis` set in prepare */
  int axis;
  int64_t* sizes; /* one per output */
  size_t sizes_bytes;
} SplitVData;

static TfLiteStatus split_v_init(PlSubgraph* sg, PlNode* node) {
  SplitVData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kSplitVOptionsType)
    data->num_splits =
        pl_fb_i32(&node->def->builtin_options, kFieldNumSplits, 0);
  node->user_data = data;
  return kTfLiteOk;
}

static void split_v_free(PlNode* node) {
  SplitVData* data = node->user_data;
  if (data) free(data->sizes);
  free(node->user_data);
  node->user_data = NULL;
}

/* Reads sizes and axis, sizes the outputs; `sizes` holds num outputs. */
static TfLiteStatus split_v_resize(PlSubgraph* sg, const PlNode* node,
                                   int64_t* sizes, int* axis_out) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* sizes_t = pl_input(sg, node, kSizeSplits);
  const TfLiteTensor* axis_t = pl_input(sg, node, kAxis);
  const int n = pl_num_outputs(node);
  const int rank = input->dims->size;
  if (pl_num_elements(axis_t) != 1) {
    pl_report(sg, "SPLIT_V: the axis tensor must hold 1 value, got %lld.",
              (long long)pl_num_elements(axis_t));
    return kTfLiteError;
  }
  int64_t raw = 0;
  PL_ENSURE_OK(pl_shape_read_ints(sg, "SPLIT_V", "the axis tensor", axis_t,
                                  &raw, 1, NULL));
  int axis = 0;
  if (!pl_shape_axis(raw, rank, &axis)) {
    pl_report(sg, "SPLIT_V: axis %lld is out of range for input shape %s.",
              (long long)raw, PL_SHAPE_STR(input->dims));
    return kTfLiteError;
  }
  if (sizes_t->dims->size != 1 || sizes_t->dims->data[0] != n) {
    char ss[160];
    pl_shape_string(sizes_t->dims, ss, sizeof(ss));
    pl_report(sg, "SPLIT_V: size_splits of shape %s must be 1-D with one "
              "entry per output (%d).", ss, n);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_shape_read_ints(sg, "SPLIT_V", "size_splits", sizes_t,
                                  sizes, n, NULL));
  const int64_t dim = input->dims->data[axis];
  int64_t sum = 0;
  int infer = -1;
  for (int k = 0; k < n; ++k) {
    if (sizes[k] == -1 && infer == -1) {
      infer = k;
    } else if (sizes[k] == -1) {
      pl_report(sg, "SPLIT_V: size_splits has more than one -1.");
      return kTfLiteError;
    } else if (sizes[k] < 0 || sizes[k] > dim) {
      pl_report(sg, "SPLIT_V: size %lld is out of range [0, %lld].",
                (long long)sizes[k], (long long)dim);
      return kTfLiteError;
    } else {
      sum += sizes[k];
    }
  }
  if (infer >= 0 && sum <= dim) sizes[infer] = dim - sum, sum = dim;
  if (sum != dim) {
    pl_report(sg, "SPLIT_V: size_splits sum to %lld, but dim %d of input "
              "shape %s is %lld.", (long long)sum, axis,
              PL_SHAPE_STR(input->dims), (long long)dim);
    return kTfLiteError;
  }
  int dims[PL_MAX_RANK];
  for (int i = 0; i < rank; ++i) dims[i] = input->dims->data[i];
  for (int k = 0; k < n; ++k) {
    dims[axis] = (int)sizes[k];
    PL_ENSURE_OK(pl_resize(sg, pl_output(sg, node, k), rank, dims));
  }
  *axis_out = axis;
  return kTfLiteOk;
}

static bool split_v_known(PlSubgraph* sg, const PlNode* node) {
  return pl_is_constant(pl_input(sg, node, kSizeSplits)) &&
         pl_is_constant(pl_input(sg, node, kAxis));
}

static TfLiteStatus split_v_prepare(PlSubgraph* sg, PlNode* node) {
  SplitVData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "SPLIT_V", 3, 3, 1, 1 << 20));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const int n = pl_num_outputs(node);
  if (n != data->num_splits) {
    pl_report(sg, "SPLIT_V: num_splits is %d but the op has %d outputs.",
              data->num_splits, n);
    return kTfLiteError;
  }
  for (int k = 0; k < n; ++k) {
    PL_ENSURE_OK(pl_shape_check_type_at(sg, "SPLIT_V", "output", k,
                                        pl_output(sg, node, k), input));
  }
  PL_ENSURE_OK(pl_reserve(sg, (void**)&data->sizes, &data->sizes_bytes,
                          sizeof(int64_t) * (size_t)n));
  data->known = split_v_known(sg, node);
  if (!data->known) {
    for (int k = 0; k < n; ++k) pl_set_dynamic(pl_output(sg, node, k));
    return kTfLiteOk;
  }
  return split_v_resize(sg, node, data->sizes, &data->axis);
}

static TfLiteStatus split_v_eval(PlSubgraph* sg, PlNode* node) {
  const SplitVData* data = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const int n = pl_num_outputs(node);
  int axis = data->axis;
  if (!data->known) PL_ENSURE_OK(split_v_resize(sg, node, data->sizes, &axis));
  PlShapeAxisView v = pl_shape_axis_view(input->dims, axis);
  PlShapeSplit ctx = {v.outer, v.inner, input->dims->data[axis], n,
                      data->sizes};
  const int ins[1] = {kInput};
  return pl_shape_run(sg, node, "SPLIT_V", ins, 1, pl_shape_split_move, &ctx);
}

/* Output i is a contiguous part of the input when nothing precedes the
 * axis. */
static bool split_v_view(PlSubgraph* sg, const PlNode* node, int i,
                         int* input, size_t* offset) {
  const SplitVData* data = node->user_data;
  return data->known &&
         pl_shape_view_part(pl_input(sg, node, kInput), data->axis,
                            data->sizes, i, kInput, input, offset);
}

const PlKernel pl_kernel_split_v = {
    .name = "SPLIT_V",
    .init = split_v_init,
    .free = split_v_free,
    .prepare = split_v_prepare,
    .eval = split_v_eval,
    .view = split_v_view,
    .types = "any fixed-size type, string",
};
