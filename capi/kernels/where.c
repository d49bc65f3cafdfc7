/* pylite: WHERE, the coordinates of a condition's true (nonzero) elements.
 *
 * As TFLite's builtin WHERE (one input): the condition is bool, float32,
 * int32, int64, int8 or uint8 (a float is true when != 0, so NaN is true and
 * -0.0 false) of rank >= 1; the output is int64 [count, rank], one row of
 * coordinates per true element in row-major order. Its size depends on the
 * data, so the output is dynamic, sized at every invoke, unless the
 * condition is constant: then it is sized in prepare, as in TFLite. A rank-0
 * condition is an error in prepare (TFLite fails it at invoke). */
#include "capi/kernels/internal/binary.h"

enum { kCondition = 0, kOutput = 0 };

/* Whether element i of the condition is true. */
static bool where_true(const TfLiteTensor* t, int64_t i) {
  switch (t->type) {
    case kTfLiteBool:
      return t->data.b[i];
    case kTfLiteFloat32:
      return t->data.f[i] != 0.0f;
    case kTfLiteInt32:
      return t->data.i32[i] != 0;
    case kTfLiteInt64:
      return t->data.i64[i] != 0;
    case kTfLiteInt8:
      return t->data.int8[i] != 0;
    default: /* uint8 */
      return t->data.uint8[i] != 0;
  }
}

/* The number of true elements. */
static int64_t where_count(const TfLiteTensor* t) {
  const int64_t n = pl_num_elements(t);
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += where_true(t, i);
  return count;
}

static TfLiteStatus where_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_bin_check_arity(sg, node, "WHERE", 1, 1));
  const TfLiteTensor* cond = pl_input(sg, node, kCondition);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  switch (cond->type) {
    case kTfLiteBool:
    case kTfLiteFloat32:
    case kTfLiteInt32:
    case kTfLiteInt64:
    case kTfLiteInt8:
    case kTfLiteUInt8:
      break;
    default:
      pl_report(sg, "WHERE condition must be bool, float32, int32, int64, "
                "int8 or uint8, got %s.", TfLiteTypeGetName(cond->type));
      return kTfLiteError;
  }
  if (output->type != kTfLiteInt64) {
    pl_report(sg, "WHERE output must be INT64, got %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (cond->dims->size == 0) {
    pl_report(sg, "WHERE needs a condition of rank >= 1, got a scalar.");
    return kTfLiteError;
  }
  if (!pl_is_constant(cond)) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  const int64_t count = where_count(cond);
  if (count > INT32_MAX) {
    pl_report(sg, "WHERE: %lld true elements do not fit a tensor dim.",
              (long long)count);
    return kTfLiteError;
  }
  const int dims[2] = {(int)count, cond->dims->size};
  return pl_resize(sg, output, 2, dims);
}

static TfLiteStatus where_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* cond = pl_input(sg, node, kCondition);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  const int rank = cond->dims->size;
  if (rank == 0 || rank > PL_MAX_RANK) {
    pl_report(sg, "WHERE needs a condition of rank 1 to %d, got %d.",
              PL_MAX_RANK, rank);
    return kTfLiteError;
  }
  const int64_t n = pl_num_elements(cond);
  const int64_t count = where_count(cond);
  if (count > INT32_MAX) {
    pl_report(sg, "WHERE: %lld true elements do not fit a tensor dim.",
              (long long)count);
    return kTfLiteError;
  }
  const int dims[2] = {(int)count, rank};
  /* A constant condition's output was sized in prepare (arena). */
  if (!pl_is_constant(cond)) PL_ENSURE_OK(pl_resize(sg, output, 2, dims));
  if (!TfLiteIntArrayEqualsArray(output->dims, 2, dims)) {
    pl_report(sg, "WHERE output shape changed since prepare.");
    return kTfLiteError;
  }
  int64_t* out = output->data.i64;
  int64_t index[PL_MAX_RANK] = {0};
  for (int64_t i = 0; i < n; ++i) {
    if (where_true(cond, i)) {
      for (int d = 0; d < rank; ++d) *out++ = index[d];
    }
    for (int d = rank - 1; d >= 0; --d) { /* next coordinate */
      if (++index[d] < cond->dims->data[d]) break;
      index[d] = 0;
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_where = {
    .name = "WHERE",
    .prepare = where_prepare,
    .eval = where_eval,
    .types = "bool, float32, int32, int64, int8 and uint8",
};
