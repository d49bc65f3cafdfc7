/* IF: runs the then or else subgraph on inputs 1..n, by input 0 (a BOOL
 * scalar). Outputs are the chosen subgraph's outputs; the two branches may
 * give different shapes, so they are dynamic. Options: IfOptions
 * {then_subgraph_index, else_subgraph_index}. */
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/control_util.h"

enum { kIfOptions = 92, kThenIndex = 0, kElseIndex = 1 };
enum { kMaxValues = 1024 };

typedef struct {
  int32_t then_index;
  int32_t else_index;
} IfData;

static TfLiteStatus if_init(PlSubgraph* sg, PlNode* node) {
  IfData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  data->then_index = data->else_index = -1;
  if (node->def->builtin_options_type == kIfOptions) {
    data->then_index = pl_fb_i32(&node->def->builtin_options, kThenIndex, -1);
    data->else_index = pl_fb_i32(&node->def->builtin_options, kElseIndex, -1);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void if_free(PlNode* node) { free(node->user_data); }

static TfLiteStatus if_prepare(PlSubgraph* sg, PlNode* node) {
  const IfData* data = node->user_data;
  int n = pl_num_inputs(node) - 1;
  int m = pl_num_outputs(node);
  if (n < 0 || n > kMaxValues || m > kMaxValues) {
    pl_report(sg, "IF needs a condition input and at most %d values.",
              kMaxValues);
    return kTfLiteError;
  }
  const TfLiteTensor* cond = pl_input(sg, node, 0);
  if (!cond || cond->type != kTfLiteBool || pl_num_elements(cond) != 1) {
    pl_report(sg, "IF: input 0 must be a BOOL tensor with one element.");
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_check_callee(sg, "IF", "then", data->then_index, n, m));
  PL_ENSURE_OK(pl_check_callee(sg, "IF", "else", data->else_index, n, m));
  for (int i = 0; i < m; ++i) {
    TfLiteTensor* out = pl_output(sg, node, i);
    PL_ENSURE(sg, out != NULL);
    pl_set_dynamic(out);
  }
  for (int i = 1; i <= n; ++i) PL_ENSURE(sg, pl_input(sg, node, i) != NULL);
  return kTfLiteOk;
}

static TfLiteStatus if_eval(PlSubgraph* sg, PlNode* node) {
  const IfData* data = node->user_data;
  bool cond = false;
  if (!pl_bool_scalar(sg, pl_input(sg, node, 0), "IF's condition", &cond))
    return kTfLiteError;
  int n = pl_num_inputs(node) - 1;
  int m = pl_num_outputs(node);
  const TfLiteTensor* inputs[kMaxValues];
  TfLiteTensor* outputs[kMaxValues];
  for (int i = 0; i < n; ++i) inputs[i] = pl_input(sg, node, i + 1);
  for (int i = 0; i < m; ++i) outputs[i] = pl_output(sg, node, i);
  return pl_subgraph_call(sg, cond ? data->then_index : data->else_index, n,
                          inputs, m, outputs);
}

const PlKernel pl_kernel_if = {
    .name = "IF",
    .init = if_init,
    .free = if_free,
    .prepare = if_prepare,
    .eval = if_eval,
    .types = "any type, including string and resource",
};
