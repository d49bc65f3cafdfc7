/* CALL_ONCE: runs the model's initialization subgraph exactly once per
 * interpreter, before the first run of whichever signature comes first.
 * A failed first run is reported then, and again by later calls (until the
 * interpreter is reset). */
#include "capi/core/kernel.h"

enum { kCallOnceOptions = 103, kInitSubgraphIndex = 0 };

static TfLiteStatus call_once_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, pl_num_inputs(node) == 0 && pl_num_outputs(node) == 0);
  if (node->def->builtin_options_type != kCallOnceOptions) {
    pl_report(sg, "CALL_ONCE has no CallOnceOptions.");
    return kTfLiteError;
  }
  int32_t index = pl_fb_i32(&node->def->builtin_options, kInitSubgraphIndex, -1);
  if (index < 0 || index >= pl_subgraph_count(sg) ||
      pl_subgraph_num_inputs(sg, index) != 0 ||
      pl_subgraph_num_outputs(sg, index) != 0) {
    pl_report(sg, "CALL_ONCE: init subgraph %d is not a subgraph without "
              "inputs and outputs.", (int)index);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static TfLiteStatus call_once_eval(PlSubgraph* sg, PlNode* node) {
  return pl_subgraph_run_once(
      sg, pl_fb_i32(&node->def->builtin_options, kInitSubgraphIndex, -1));
}

const PlKernel pl_kernel_call_once = {
    .name = "CALL_ONCE",
    .prepare = call_once_prepare,
    .eval = call_once_eval,
    .types = "none",
};
