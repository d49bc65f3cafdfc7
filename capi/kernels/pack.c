/* pylite: PACK, stacks N same-shaped tensors along a new axis.
 *
 * As TFLite's builtin PACK: PackOptions.values_count must equal the number
 * of inputs, all of one shape and of the output's type; the new axis is in
 * [-rank - 1, rank] (negative counts from the end of the output). Every
 * type moves, strings included. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kOutput = 0 };

/* Schema BuiltinOptions union type and PackOptions field ids. */
enum { kPackOptionsType = 59 };
enum { kFieldValuesCount = 0, kFieldAxis = 1 };

typedef struct PackData {
  int values_count;
  int axis;
  /* Per input, for the mover: a part size of 1 and its index, set in
   * prepare. */
  int64_t* ones;
  int* ins;
  size_t ones_bytes, ins_bytes;
} PackData;

static TfLiteStatus pack_init(PlSubgraph* sg, PlNode* node) {
  PackData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kPackOptionsType) {
    const PlFbTable* opts = &node->def->builtin_options;
    data->values_count = pl_fb_i32(opts, kFieldValuesCount, 0);
    data->axis = pl_fb_i32(opts, kFieldAxis, 0);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void pack_free(PlNode* node) {
  PackData* data = node->user_data;
  if (data) free(data->ones), free(data->ins);
  free(node->user_data);
  node->user_data = NULL;
}

/* The output axis, normalized; false if out of range. */
static bool pack_axis(const PackData* data, int rank, int* axis) {
  return pl_shape_axis(data->axis, rank + 1, axis);
}

static TfLiteStatus pack_prepare(PlSubgraph* sg, PlNode* node) {
  PackData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "PACK", 1, 1 << 20, 1, 1));
  const int n = pl_num_inputs(node);
  if (data->values_count != n) {
    pl_report(sg, "PACK: values_count is %d but the op has %d inputs.",
              data->values_count, n);
    return kTfLiteError;
  }
  const TfLiteTensor* t0 = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int rank = t0->dims->size;
  int axis = 0;
  if (rank + 1 > PL_MAX_RANK || !pack_axis(data, rank, &axis)) {
    char s[160];
    pl_shape_string(t0->dims, s, sizeof(s));
    pl_report(sg, "PACK: axis %d is out of range [%d, %d] for input shape %s.",
              data->axis, -rank - 1, rank, s);
    return kTfLiteError;
  }
  for (int i = 0; i < n; ++i) {
    const TfLiteTensor* t = pl_input(sg, node, i);
    PL_ENSURE_OK(pl_shape_check_type_at(sg, "PACK", "input", i, t, output));
    if (!pl_same_shape(t, t0)) {
      char s0[160], s[160];
      pl_shape_string(t0->dims, s0, sizeof(s0));
      pl_shape_string(t->dims, s, sizeof(s));
      pl_report(sg, "PACK: input %d shape %s differs from input 0 shape %s.",
                i, s, s0);
      return kTfLiteError;
    }
  }
  PL_ENSURE_OK(pl_reserve(sg, (void**)&data->ones, &data->ones_bytes,
                          sizeof(int64_t) * (size_t)n));
  PL_ENSURE_OK(pl_reserve(sg, (void**)&data->ins, &data->ins_bytes,
                          sizeof(int) * (size_t)n));
  for (int i = 0; i < n; ++i) data->ones[i] = 1, data->ins[i] = i;
  int dims[PL_MAX_RANK];
  for (int i = 0, j = 0; i <= rank; ++i)
    dims[i] = i == axis ? n : t0->dims->data[j++];
  return pl_resize(sg, output, rank + 1, dims);
}

static TfLiteStatus pack_eval(PlSubgraph* sg, PlNode* node) {
  const PackData* data = node->user_data;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int n = pl_num_inputs(node);
  int axis = 0;
  PL_ENSURE(sg, pack_axis(data, output->dims->size - 1, &axis));
  const int64_t per_input = pl_num_elements(output) / (n ? n : 1);
  for (int i = 0; i < n; ++i) {
    if (pl_num_elements(pl_input(sg, node, i)) != per_input) {
      pl_report(sg, "PACK: input shapes changed since prepare.");
      return kTfLiteError;
    }
  }
  PlShapeAxisView v = pl_shape_axis_view(output->dims, axis);
  PlShapeSplit ctx = {v.outer, v.inner, n, n, data->ones};
  return pl_shape_run(sg, node, "PACK", data->ins, n, pl_shape_join_move,
                      &ctx);
}

const PlKernel pl_kernel_pack = {
    .name = "PACK",
    .init = pack_init,
    .free = pack_free,
    .prepare = pack_prepare,
    .eval = pack_eval,
    .types = "any fixed-size type, string (quantized: one scale and zero "
             "point throughout)",
};
