/* ASSIGN_VARIABLE: sets a resource variable to a copy of a value.
 *
 * Input 0: the RESOURCE id; input 1: the value, any type and shape (the
 * variable takes both). No outputs. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/resource_util.h"

enum { kResource = 0, kValue = 1 };

static TfLiteStatus assign_variable_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, pl_num_inputs(node) == 2 && pl_num_outputs(node) == 0);
  PL_ENSURE_OK(pl_check_resource(sg, pl_input(sg, node, kResource),
                                 "ASSIGN_VARIABLE"));
  PL_ENSURE(sg, pl_input(sg, node, kValue) != NULL);
  return kTfLiteOk;
}

static TfLiteStatus assign_variable_eval(PlSubgraph* sg, PlNode* node) {
  int32_t id = pl_resource_of(pl_input(sg, node, kResource));
  return pl_resource_assign(sg, id, pl_input(sg, node, kValue));
}

const PlKernel pl_kernel_assign_variable = {
    .name = "ASSIGN_VARIABLE",
    .prepare = assign_variable_prepare,
    .eval = assign_variable_eval,
    .types = "any type, including string",
};
