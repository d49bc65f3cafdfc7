/* pylite: TILE, repeats the input along each dim.
 *
 * As TFLite's builtin TILE: multiples (input 1) is a 1-D int32 or int64
 * tensor with one count >= 0 per input dim; output dim i is
 * dim i * multiples[i]. Every type moves, strings included. Non-constant
 * multiples make the output dynamic. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kMultiples = 1, kOutput = 0 };

/* The output as a box of rank 2r over the input: dims
 * [m0, d0, m1, d1, ...] with strides [0, s0, 0, s1, ...]. */
static TfLiteStatus tile_box(PlSubgraph* sg, const PlNode* node,
                             PlShapeBox* box, int* dims) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* mult_t = pl_input(sg, node, kMultiples);
  const int r = input->dims->size;
  char s[160], ms[160];
  pl_shape_string(input->dims, s, sizeof(s));
  pl_shape_string(mult_t->dims, ms, sizeof(ms));
  if (mult_t->dims->size != 1 || mult_t->dims->data[0] != r) {
    pl_report(sg, "TILE: multiples of shape %s must have one entry per dim "
              "of input shape %s.", ms, s);
    return kTfLiteError;
  }
  int64_t mult[PL_MAX_RANK], strides[PL_MAX_RANK];
  PL_ENSURE_OK(pl_shape_read_ints(sg, "TILE", "multiples", mult_t, mult,
                                  PL_MAX_RANK, NULL));
  pl_shape_strides(input->dims->data, r, strides);
  box->rank = 2 * r;
  box->offset = 0;
  for (int i = 0; i < r; ++i) {
    const int64_t d = mult[i] < 0 || mult[i] > INT32_MAX
                          ? -1
                          : (int64_t)input->dims->data[i] * mult[i];
    if (d < 0 || d > INT32_MAX) {
      pl_report(sg, "TILE: multiple %lld of dim %d of input shape %s is "
                "negative or too large.", (long long)mult[i], i, s);
      return kTfLiteError;
    }
    dims[i] = (int)d;
    box->extent[2 * i] = mult[i];
    box->stride[2 * i] = 0;
    box->extent[2 * i + 1] = input->dims->data[i];
    box->stride[2 * i + 1] = strides[i];
  }
  return kTfLiteOk;
}

static TfLiteStatus tile_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "TILE", 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "TILE", "output", output, input));
  if (!pl_is_constant(pl_input(sg, node, kMultiples))) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  PlShapeBox box;
  int dims[PL_MAX_RANK];
  PL_ENSURE_OK(tile_box(sg, node, &box, dims));
  return pl_resize(sg, output, input->dims->size, dims);
}

static TfLiteStatus tile_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PlShapeBox box;
  int dims[PL_MAX_RANK];
  PL_ENSURE_OK(tile_box(sg, node, &box, dims));
  const int r = input->dims->size;
  if (!pl_is_constant(pl_input(sg, node, kMultiples)))
    PL_ENSURE_OK(pl_resize(sg, output, r, dims));
  if (!TfLiteIntArrayEqualsArray(output->dims, r, dims)) {
    pl_report(sg, "TILE: input shape changed since prepare.");
    return kTfLiteError;
  }
  return pl_shape_run1(sg, node, "TILE", pl_shape_box_move, &box);
}

const PlKernel pl_kernel_tile = {
    .name = "TILE",
    .prepare = tile_prepare,
    .eval = tile_eval,
    .types = "any fixed-size type, string",
};
