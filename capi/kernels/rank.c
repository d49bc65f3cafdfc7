/* pylite: RANK, the input's number of dims as an int32 scalar.
 *
 * As TFLite's builtin RANK: any input type (its data is not read); the
 * output is a rank-0 int32 tensor. */
#include <stdint.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kOutput = 0 };

static TfLiteStatus rank_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE_OK(pl_shape_arity(sg, node, "RANK", 1, 1, 1, 1));
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (output->type != kTfLiteInt32) {
    pl_report(sg, "RANK: the output must be int32, got %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  return pl_resize(sg, output, 0, NULL);
}

static TfLiteStatus rank_eval(PlSubgraph* sg, PlNode* node) {
  pl_output(sg, node, kOutput)->data.i32[0] =
      pl_input(sg, node, kInput)->dims->size;
  return kTfLiteOk;
}

const PlKernel pl_kernel_rank = {
    .name = "RANK",
    .prepare = rank_prepare,
    .eval = rank_eval,
    .types = "any input; int32 output",
};
