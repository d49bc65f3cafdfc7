/* CALL: runs another subgraph on the node's inputs and returns its outputs
 * (a function call). Options: CallOptions {subgraph}. The callee's output
 * shapes are only known once it ran, so the outputs are dynamic. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/control_util.h"

enum { kCallOptions = 16, kSubgraph = 0 };
enum { kMaxValues = 1024 };

static int32_t callee(const PlNode* node) {
  if (node->def->builtin_options_type != kCallOptions) return -1;
  return (int32_t)pl_fb_u32(&node->def->builtin_options, kSubgraph,
                            UINT32_MAX);
}

static TfLiteStatus call_prepare(PlSubgraph* sg, PlNode* node) {
  int n = pl_num_inputs(node), m = pl_num_outputs(node);
  if (n > kMaxValues || m > kMaxValues) {
    pl_report(sg, "CALL takes at most %d inputs and outputs.", kMaxValues);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_check_callee(sg, "CALL", "called", callee(node), n, m));
  for (int i = 0; i < n; ++i) PL_ENSURE(sg, pl_input(sg, node, i) != NULL);
  for (int i = 0; i < m; ++i) {
    TfLiteTensor* out = pl_output(sg, node, i);
    PL_ENSURE(sg, out != NULL);
    pl_set_dynamic(out);
  }
  return kTfLiteOk;
}

static TfLiteStatus call_eval(PlSubgraph* sg, PlNode* node) {
  int n = pl_num_inputs(node), m = pl_num_outputs(node);
  const TfLiteTensor* inputs[kMaxValues];
  TfLiteTensor* outputs[kMaxValues];
  for (int i = 0; i < n; ++i) inputs[i] = pl_input(sg, node, i);
  for (int i = 0; i < m; ++i) outputs[i] = pl_output(sg, node, i);
  return pl_subgraph_call(sg, callee(node), n, inputs, m, outputs);
}

const PlKernel pl_kernel_call = {
    .name = "CALL",
    .prepare = call_prepare,
    .eval = call_eval,
    .types = "any type, including string and resource",
};
