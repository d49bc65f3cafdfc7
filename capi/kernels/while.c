/* WHILE: runs the body subgraph while the cond subgraph says so.
 *
 * Inputs: the initial loop-carried values; outputs: their final values (same
 * count and types). Each iteration copies the values into cond's inputs; if
 * its BOOL output is true, into body's inputs, and body's outputs become the
 * new values. Shapes may change between iterations, so the outputs are
 * dynamic. Options: WhileOptions {cond_subgraph_index, body_subgraph_index}.
 * Runs until cond is false or the interpreter is cancelled. */
#include <stdlib.h>

#include "capi/core/interp.h"
#include "capi/core/kernel.h"
#include "capi/kernels/internal/control_util.h"

enum { kWhileOptions = 93, kCondIndex = 0, kBodyIndex = 1 };
enum { kMaxLoopValues = 1024 };

typedef struct {
  int32_t cond;
  int32_t body;
  TfLiteTensor cond_value; /* cond's output, a dynamic BOOL tensor */
} WhileData;

static TfLiteStatus while_init(PlSubgraph* sg, PlNode* node) {
  WhileData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  data->cond = data->body = -1;
  if (node->def->builtin_options_type == kWhileOptions) {
    data->cond = pl_fb_i32(&node->def->builtin_options, kCondIndex, -1);
    data->body = pl_fb_i32(&node->def->builtin_options, kBodyIndex, -1);
  }
  data->cond_value.type = kTfLiteBool;
  data->cond_value.allocation_type = kTfLiteDynamic;
  data->cond_value.name = "while_cond";
  node->user_data = data;
  return kTfLiteOk;
}

static void while_free(PlNode* node) {
  WhileData* data = node->user_data;
  pl_tensor_free_data(&data->cond_value);
  TfLiteIntArrayFree(data->cond_value.dims);
  free(data);
}

static TfLiteStatus while_prepare(PlSubgraph* sg, PlNode* node) {
  const WhileData* data = node->user_data;
  int n = pl_num_inputs(node);
  if (n != pl_num_outputs(node) || n > kMaxLoopValues) {
    pl_report(sg, "WHILE has %d inputs and %d outputs; they must match.", n,
              pl_num_outputs(node));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_check_callee(sg, "WHILE", "cond", data->cond, n, 1));
  PL_ENSURE_OK(pl_check_callee(sg, "WHILE", "body", data->body, n, n));
  for (int i = 0; i < n; ++i) {
    const TfLiteTensor* in = pl_input(sg, node, i);
    TfLiteTensor* out = pl_output(sg, node, i);
    PL_ENSURE(sg, in != NULL && out != NULL);
    if (in->type != out->type) {
      pl_report(sg, "WHILE value %d: input is %s but output is %s.", i,
                TfLiteTypeGetName(in->type), TfLiteTypeGetName(out->type));
      return kTfLiteError;
    }
    pl_set_dynamic(out);
  }
  return kTfLiteOk;
}

static TfLiteStatus while_eval(PlSubgraph* sg, PlNode* node) {
  WhileData* data = node->user_data;
  int n = pl_num_inputs(node);
  TfLiteTensor* values[kMaxLoopValues];
  for (int i = 0; i < n; ++i) {
    values[i] = pl_output(sg, node, i);
    PL_ENSURE_OK(pl_tensor_copy(sg, values[i], pl_input(sg, node, i)));
  }
  TfLiteTensor* cond_out[1] = {&data->cond_value};
  uint64_t body_stamp = 0; /* values the body passes through stay put */
  for (;;) {
    PL_ENSURE_OK(pl_subgraph_call(sg, data->cond, n,
                                  (const TfLiteTensor* const*)values, 1,
                                  cond_out));
    bool go = false;
    if (!pl_bool_scalar(sg, &data->cond_value, "WHILE's cond output", &go))
      return kTfLiteError;
    if (!go) return kTfLiteOk;
    if (atomic_load(&sg->interp->cancelled)) {
      pl_report(sg, "WHILE: cancelled.");
      return kTfLiteCancelled;
    }
    PL_ENSURE_OK(
        pl_subgraph_call_loop(sg, data->body, n, values, &body_stamp));
  }
}

const PlKernel pl_kernel_while = {
    .name = "WHILE",
    .init = while_init,
    .free = while_free,
    .prepare = while_prepare,
    .eval = while_eval,
    .types = "any type, including string and resource",
};
