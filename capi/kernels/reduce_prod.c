/* pylite: REDUCE_PROD, the product over the given axes.
 *
 * As TFLite's builtin REDUCE_PROD; the shared semantics (axes, keep_dims, types,
 * accumulation order, empty inputs) and the differences from TFLite are
 * described in internal/reduce_common.h. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/reduce_common.h"

static TfLiteStatus reduce_prod_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_prepare(sg, node, PL_REDUCE_PROD);
}

static TfLiteStatus reduce_prod_eval(PlSubgraph* sg, PlNode* node) {
  return pl_reduce_eval(sg, node, PL_REDUCE_PROD);
}

const PlKernel pl_kernel_reduce_prod = {
    .name = "REDUCE_PROD",
    .init = pl_reduce_init,
    .free = pl_reduce_free,
    .prepare = reduce_prod_prepare,
    .eval = reduce_prod_eval,
    .types = "float32, int32, int64, int8, int16 (quantized or plain), uint8 (plain)",
};
