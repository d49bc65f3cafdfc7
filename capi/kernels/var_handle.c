/* VAR_HANDLE: the id of a resource variable, keyed by the options'
 * (container, shared_name) as LiteRT keys them.
 *
 * Output 0: a RESOURCE scalar holding the int32 id. The variable itself
 * lives in the interpreter (capi/core/control.c), shared by every signature.
 */
#include <stdlib.h>

#include "capi/core/kernel.h"

enum { kOutput = 0 };
enum { kVarHandleOptions = 111, kContainer = 0, kSharedName = 1 };

typedef struct {
  const char* container;
  const char* shared_name;
} VarHandleData;

static TfLiteStatus var_handle_init(PlSubgraph* sg, PlNode* node) {
  VarHandleData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  data->container = data->shared_name = "";
  if (node->def->builtin_options_type == kVarHandleOptions) {
    uint32_t len = 0;
    if (pl_fb_string(&node->def->builtin_options, kContainer,
                     &data->container, &len) != PL_FB_OK)
      data->container = "";
    if (pl_fb_string(&node->def->builtin_options, kSharedName,
                     &data->shared_name, &len) != PL_FB_OK)
      data->shared_name = "";
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void var_handle_free(PlNode* node) { free(node->user_data); }

static TfLiteStatus var_handle_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, pl_num_inputs(node) == 0 && pl_num_outputs(node) == 1);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, output != NULL);
  if (output->type != kTfLiteResource) {
    pl_report(sg, "VAR_HANDLE output must be RESOURCE, not %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  return pl_resize(sg, output, 0, NULL);
}

static TfLiteStatus var_handle_eval(PlSubgraph* sg, PlNode* node) {
  const VarHandleData* data = node->user_data;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  int32_t id = pl_resource_id(sg, data->container, data->shared_name);
  if (id < 0) return kTfLiteError;
  output->data.i32[0] = id;
  return kTfLiteOk;
}

const PlKernel pl_kernel_var_handle = {
    .name = "VAR_HANDLE",
    .init = var_handle_init,
    .free = var_handle_free,
    .prepare = var_handle_prepare,
    .eval = var_handle_eval,
    .types = "resource",
};
