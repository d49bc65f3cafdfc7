/* pylite: REDUCE_ANY, logical or over the given axes.
 *
 * As TFLite's builtin REDUCE_ANY; the shared semantics (axes, keep_dims, types,
 * accumulation order, empty inputs) and the differences from TFLite are
 * described in internal/reduce_common.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/reduce_common.h"

static TfLiteStatus reduce_any_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_prepare(sg, node, PL_REDUCE_ANY);
}

static TfLiteStatus reduce_any_eval(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_eval(sg, node, PL_REDUCE_ANY);
}

const PlKernel pl_kernel_reduce_any = {
    .name = "REDUCE_ANY",
    .init = pl_reduce_init,
    .free = pl_reduce_free,
    .prepare = reduce_any_prepare,
    .eval = reduce_any_eval,
    .types = "bool",
};
