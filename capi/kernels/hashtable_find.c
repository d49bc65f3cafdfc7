/* HASHTABLE_FIND: looks keys up in a static hash table.
 *
 * Input 0: the table (RESOURCE, from HASHTABLE); input 1: keys, any shape;
 * input 2: the default value (its first element is used for absent keys,
 * as in LiteRT). Output 0: the values, shaped like the keys; string outputs
 * are dynamic. Key and value types must be string -> int64 or
 * int64 -> string and match the table's; a table never imported is an
 * error. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/hashtable.h"

enum { kTable = 0, kKeys = 1, kDefault = 2, kOutput = 0 };

static TfLiteStatus hashtable_find_prepare(PlSubgraph* sg, PlNode* node) {
  if (pl_num_inputs(node) != 3 || pl_num_outputs(node) != 1) {
    pl_report(sg, "HASHTABLE_FIND takes 3 inputs and 1 output, got %d and "
              "%d.", pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_hashtable_check_handle(sg, pl_input(sg, node, kTable),
                                         "HASHTABLE_FIND"));
  const TfLiteTensor* keys = pl_input(sg, node, kKeys);
  const TfLiteTensor* fallback = pl_input(sg, node, kDefault);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, keys != NULL && fallback != NULL && output != NULL);
  if (fallback->type != output->type) {
    pl_report(sg, "HASHTABLE_FIND: the default value is %s but the output "
              "is %s.", TfLiteTypeGetName(fallback->type),
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (!pl_hashtable_types_supported(keys->type, output->type)) {
    pl_report(sg, "HASHTABLE_FIND: %s keys with %s values are not supported "
              "(only string -> int64 and int64 -> string).",
              TfLiteTypeGetName(keys->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (output->type == kTfLiteString) pl_set_dynamic(output);
  return pl_resize_like(sg, output, keys->dims);
}

static TfLiteStatus hashtable_find_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* keys = pl_input(sg, node, kKeys);
  const TfLiteTensor* fallback = pl_input(sg, node, kDefault);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  int32_t id = pl_hashtable_handle(pl_input(sg, node, kTable));
  /* Dynamic (string) outputs lose their shape on reallocation. */
  if (output->type == kTfLiteString)
    PL_ENSURE_OK(pl_resize_like(sg, output, keys->dims));
  pl_resource_lock(sg);
  TfLiteStatus status = kTfLiteError;
  const PlHashtable* table = pl_resource_object(sg, id, PL_HASHTABLE_KIND);
  if (!table) {
    /* reported */
  } else if (pl_hashtable_check_types(sg, table, keys, output,
                                      "HASHTABLE_FIND") != kTfLiteOk) {
    /* reported */
  } else if (!pl_hashtable_initialized(table)) {
    pl_report(sg, "HASHTABLE_FIND: the table is used before it was "
              "initialized (by HASHTABLE_IMPORT, in the model's "
              "initialization subgraph).");
  } else {
    status = pl_hashtable_find(sg, table, keys, fallback, output);
  }
  pl_resource_unlock(sg);
  return status;
}

const PlKernel pl_kernel_hashtable_find = {
    .name = "HASHTABLE_FIND",
    .prepare = hashtable_find_prepare,
    .eval = hashtable_find_eval,
    .types = "string -> int64, int64 -> string",
};
