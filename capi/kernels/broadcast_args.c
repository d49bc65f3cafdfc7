/* pylite: BROADCAST_ARGS, the broadcast of two shapes.
 *
 * As TFLite's builtin BROADCAST_ARGS: two 1-D shape tensors of one type
 * (int32 or int64); the output (same type) has as many entries as the
 * longer one. Aligned from the right, each pair of dims must be equal or
 * one of them 1 (a missing dim counts as 1); the output takes the other.
 * The output's size is known in prepare; its values are computed at invoke.
 *
 * Difference from LiteRT: shapes that do not broadcast fail the invoke with
 * an error naming them (LiteRT aborts the process). */
#include <stdint.h>

#include "capi/kernels/internal/indexing.h"

enum { kShape0 = 0, kShape1 = 1, kOutput = 0 };

static TfLiteStatus ba_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "BROADCAST_ARGS", 2, 2, 1, 1));
  const TfLiteTensor* s0 = pl_input(sg, node, kShape0);
  const TfLiteTensor* s1 = pl_input(sg, node, kShape1);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!pl_idx_is_int(s0) || s1->type != s0->type ||
      output->type != s0->type) {
    pl_report(sg, "BROADCAST_ARGS: both shapes and the output must be int32 "
              "or int64 of one type, got %s, %s and %s.",
              TfLiteTypeGetName(s0->type), TfLiteTypeGetName(s1->type),
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (s0->dims->size != 1 || s1->dims->size != 1) {
    pl_report(sg, "BROADCAST_ARGS: the shapes must be 1-D, got ranks %d and "
              "%d.", s0->dims->size, s1->dims->size);
    return kTfLiteError;
  }
  const int n0 = s0->dims->data[0], n1 = s1->dims->data[0];
  const int n = n0 > n1 ? n0 : n1;
  return pl_resize(sg, output, 1, &n);
}

/* Writes "[a,b,c]" of a shape tensor's values into buf. */
static void ba_values_str(const TfLiteTensor* t, char* buf, size_t size) {
  size_t used = 0;
  const int64_t n = pl_num_elements(t);
  int w = snprintf(buf, size, "[");
  used = w > 0 ? (size_t)w : 0;
  for (int64_t i = 0; i < n && used < size; ++i) {
    w = snprintf(buf + used, size - used, i ? ",%lld" : "%lld",
                 (long long)pl_idx_at(t, i));
    if (w < 0) return;
    used += (size_t)w;
  }
  if (used < size) snprintf(buf + used, size - used, "]");
}

static TfLiteStatus ba_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* s0 = pl_input(sg, node, kShape0);
  const TfLiteTensor* s1 = pl_input(sg, node, kShape1);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_idx_has_data(sg, "BROADCAST_ARGS", "shape 0", s0));
  PL_ENSURE_OK(pl_idx_has_data(sg, "BROADCAST_ARGS", "shape 1", s1));
  const int64_t n0 = pl_num_elements(s0), n1 = pl_num_elements(s1);
  const int64_t n = pl_num_elements(output);
  PL_ENSURE(sg, n == (n0 > n1 ? n0 : n1));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j0 = i - (n - n0), j1 = i - (n - n1);
    const int64_t a = j0 >= 0 ? pl_idx_at(s0, j0) : 1;
    const int64_t b = j1 >= 0 ? pl_idx_at(s1, j1) : 1;
    int64_t v;
    if (a == b || b == 1) {
      v = a;
    } else if (a == 1) {
      v = b;
    } else {
      char x[160], y[160];
      ba_values_str(s0, x, sizeof(x));
      ba_values_str(s1, y, sizeof(y));
      pl_report(sg, "BROADCAST_ARGS: shapes %s and %s do not broadcast "
                "(dims %lld and %lld).", x, y, (long long)a, (long long)b);
      return kTfLiteError;
    }
    if (output->type == kTfLiteInt32) output->data.i32[i] = (int32_t)v;
    else output->data.i64[i] = v;
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_broadcast_args = {
    .name = "BROADCAST_ARGS",
    .prepare = ba_prepare,
    .eval = ba_eval,
    .types = "int32, int64",
};
