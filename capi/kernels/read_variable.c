/* READ_VARIABLE: a copy of a resource variable's current value.
 *
 * Input 0: the RESOURCE id (from VAR_HANDLE). Output 0: the value, whose
 * shape is only known at run time (variables may change shape on
 * assignment), so it is dynamic. Reading a variable never assigned is an
 * error, as in LiteRT. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/resource_util.h"

enum { kResource = 0, kOutput = 0 };

static TfLiteStatus read_variable_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, pl_num_inputs(node) == 1 && pl_num_outputs(node) == 1);
  PL_ENSURE_OK(pl_check_resource(sg, pl_input(sg, node, kResource),
                                 "READ_VARIABLE"));
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, output != NULL);
  pl_set_dynamic(output);
  return kTfLiteOk;
}

static TfLiteStatus read_variable_eval(PlSubgraph* sg, PlNode* node) {
  int32_t id = pl_resource_of(pl_input(sg, node, kResource));
  return pl_resource_read(sg, id, pl_output(sg, node, kOutput));
}

const PlKernel pl_kernel_read_variable = {
    .name = "READ_VARIABLE",
    .prepare = read_variable_prepare,
    .eval = read_variable_eval,
    .types = "any type, including string",
};
