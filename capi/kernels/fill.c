/* pylite: FILL, a tensor of a given shape holding one value.
 *
 * As TFLite's builtin FILL: dims (input 0) is a 1-D int32 or int64 tensor
 * of sizes >= 0; value (input 1) is a scalar whose type the output shares.
 * Every type, strings included. A non-constant dims tensor makes the
 * output dynamic. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kDims = 0, kValue = 1, kOutput = 0 };

static TfLiteStatus fill_dims(PlSubgraph* sg, const PlNode* node, int* dims,
                              int* rank) {
  const TfLiteTensor* dims_t = pl_input(sg, node, kDims);
  if (dims_t->dims->size != 1) {
    char s[160];
    pl_shape_string(dims_t->dims, s, sizeof(s));
    pl_report(sg, "FILL: dims must be 1-D, got shape %s.", s);
    return kTfLiteError;
  }
  int64_t v[PL_MAX_RANK], n = 0;
  PL_ENSURE_OK(pl_shape_read_ints(sg, "FILL", "dims", dims_t, v, PL_MAX_RANK,
                                  &n));
  for (int64_t i = 0; i < n; ++i) {
    if (v[i] < 0 || v[i] > INT32_MAX) {
      pl_report(sg, "FILL: dim %lld is %lld; dims must be >= 0.",
                (long long)i, (long long)v[i]);
      return kTfLiteError;
    }
    dims[i] = (int)v[i];
  }
  *rank = (int)n;
  return kTfLiteOk;
}

static TfLiteStatus fill_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "FILL", 2, 2, 1, 1));
  const TfLiteTensor* value = pl_input(sg, node, kValue);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "FILL", "output", output, value));
  if (value->dims->size != 0) {
    char s[160];
    pl_shape_string(value->dims, s, sizeof(s));
    pl_report(sg, "FILL: value must be a scalar, got shape %s.", s);
    return kTfLiteError;
  }
  if (!pl_is_constant(pl_input(sg, node, kDims))) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(fill_dims(sg, node, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus fill_move(PlSubgraph* sg, const PlNode* node, void* ctx,
                              const char* const* in, char* const* out,
                              size_t elem) {
  pl_shape_fill(out[0], pl_num_elements(pl_output(sg, node, kOutput)), in[0],
                elem);
  return kTfLiteOk;
}

static TfLiteStatus fill_eval(PlSubgraph* sg, PlNode* node) {
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(fill_dims(sg, node, dims, &rank));
  if (!pl_is_constant(pl_input(sg, node, kDims)))
    PL_ENSURE_OK(pl_resize(sg, output, rank, dims));
  if (!TfLiteIntArrayEqualsArray(output->dims, rank, dims)) {
    pl_report(sg, "FILL: dims changed since prepare.");
    return kTfLiteError;
  }
  const int ins[1] = {kValue};
  return pl_shape_run(sg, node, "FILL", ins, 1, fill_move, NULL);
}

const PlKernel pl_kernel_fill = {
    .name = "FILL",
    .prepare = fill_prepare,
    .eval = fill_eval,
    .types = "any fixed-size type, string",
};
