/* pylite: REDUCE_ALL, logical and over the given axes.
 *
 * As TFLite's builtin REDUCE_ALL; the shared semantics (axes, keep_dims, types,
 * accumulation order, empty inputs) and the differences from TFLite are
 * described in internal/reduce_common.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/reduce_common.h"

static TfLiteStatus reduce_all_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_prepare(sg, node, PL_REDUCE_ALL);
}

static TfLiteStatus reduce_all_eval(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_eval(sg, node, PL_REDUCE_ALL);
}

const PlKernel pl_kernel_reduce_all = {
    .name = "REDUCE_ALL",
    .init = pl_reduce_init,
    .free = pl_reduce_free,
    .prepare = reduce_all_prepare,
    .eval = reduce_all_eval,
    .types = "bool",
};
