/* pylite: RANGE, the sequence start, start + delta, ... up to limit.
 *
 * As TFLite's builtin RANGE: start, limit and delta are scalars of one
 * type (int32, int64 or float32), which the 1-D output shares. delta must
 * be non-zero and point from start towards limit (start == limit gives an
 * empty output). The length is ceil(|limit - start| / |delta|) (for floats
 * ceil(|(limit - start) / delta|) in float, as TFLite), and the values are
 * accumulated by repeated addition, as TFLite's kernel does. The output is
 * dynamic unless all three inputs are constant. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kStart = 0, kLimit = 1, kDelta = 2, kOutput = 0 };

static TfLiteStatus range_size(PlSubgraph* sg, const PlNode* node,
                               int* size) {
  const TfLiteTensor* t[3] = {pl_input(sg, node, kStart),
                              pl_input(sg, node, kLimit),
                              pl_input(sg, node, kDelta)};
  for (int i = 0; i < 3; ++i) {
    if (pl_num_elements(t[i]) != 1 || !t[i]->data.raw_const) {
      pl_report(sg, "RANGE: start, limit and delta must be scalars with "
                "data.");
      return kTfLiteError;
    }
  }
  double count = 0;
  bool ok = true;
  if (t[0]->type == kTfLiteFloat32) {
    const float start = t[0]->data.f[0], limit = t[1]->data.f[0],
                delta = t[2]->data.f[0];
    ok = delta != 0 && ((start >= limit && delta < 0) ||
                        (start <= limit && delta > 0));
    if (ok) count = ceilf(fabsf((limit - start) / delta));
  } else {
    int64_t start, limit, delta;
    if (t[0]->type == kTfLiteInt32) {
      start = t[0]->data.i32[0], limit = t[1]->data.i32[0];
      delta = t[2]->data.i32[0];
    } else {
      start = t[0]->data.i64[0], limit = t[1]->data.i64[0];
      delta = t[2]->data.i64[0];
    }
    ok = delta != 0 && ((start >= limit && delta < 0) ||
                        (start <= limit && delta > 0));
    if (ok) {
      /* In double to avoid int64 overflow of limit - start; exact for
       * every length that fits an int. */
      const double span = fabs((double)limit - (double)start);
      const double step = fabs((double)delta);
      count = ceil(span / step);
      if (count < (double)INT32_MAX) {
        const uint64_t us = start <= limit ? (uint64_t)limit - (uint64_t)start
                                           : (uint64_t)start - (uint64_t)limit;
        const uint64_t ud = delta < 0 ? 0 - (uint64_t)delta : (uint64_t)delta;
        count = (double)(us / ud + (us % ud != 0));
      }
    }
  }
  if (!ok) {
    pl_report(sg, "RANGE: delta must be non-zero and lead from start to "
              "limit.");
    return kTfLiteError;
  }
  if (!(count <= (double)INT32_MAX)) {
    pl_report(sg, "RANGE: the output would have %.0f elements.", count);
    return kTfLiteError;
  }
  *size = (int)count;
  return kTfLiteOk;
}

static bool range_known(PlSubgraph* sg, const PlNode* node) {
  return pl_is_constant(pl_input(sg, node, kStart)) &&
         pl_is_constant(pl_input(sg, node, kLimit)) &&
         pl_is_constant(pl_input(sg, node, kDelta));
}

static TfLiteStatus range_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "RANGE", 3, 3, 1, 1));
  const TfLiteTensor* start = pl_input(sg, node, kStart);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (start->type != kTfLiteInt32 && start->type != kTfLiteInt64 &&
      start->type != kTfLiteFloat32) {
    pl_report(sg, "RANGE supports int32, int64 and float32, got %s.",
              TfLiteTypeGetName(start->type));
    return kTfLiteError;
  }
  if (pl_input(sg, node, kLimit)->type != start->type ||
      pl_input(sg, node, kDelta)->type != start->type ||
      output->type != start->type) {
    pl_report(sg, "RANGE: start, limit, delta and output must share one "
              "type.");
    return kTfLiteError;
  }
  if (!range_known(sg, node)) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int n = 0;
  PL_ENSURE_OK(range_size(sg, node, &n));
  return pl_resize(sg, output, 1, &n);
}

static TfLiteStatus range_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* start = pl_input(sg, node, kStart);
  const TfLiteTensor* delta = pl_input(sg, node, kDelta);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  int n = 0;
  PL_ENSURE_OK(range_size(sg, node, &n));
  if (!range_known(sg, node)) PL_ENSURE_OK(pl_resize(sg, output, 1, &n));
  if (output->dims->size != 1 || output->dims->data[0] != n) {
    pl_report(sg, "RANGE: inputs changed since prepare.");
    return kTfLiteError;
  }
  switch (output->type) {
    case kTfLiteFloat32: {
      float v = start->data.f[0];
      const float d = delta->data.f[0];
      for (int i = 0; i < n; ++i, v += d) output->data.f[i] = v;
      break;
    }
    case kTfLiteInt32: {
      uint32_t v = (uint32_t)start->data.i32[0];
      const uint32_t d = (uint32_t)delta->data.i32[0];
      for (int i = 0; i < n; ++i, v += d) output->data.i32[i] = (int32_t)v;
      break;
    }
    default: {
      uint64_t v = (uint64_t)start->data.i64[0];
      const uint64_t d = (uint64_t)delta->data.i64[0];
      for (int i = 0; i < n; ++i, v += d) output->data.i64[i] = (int64_t)v;
      break;
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_range = {
    .name = "RANGE",
    .prepare = range_prepare,
    .eval = range_eval,
    .types = "float32, int32, int64",
};
