/* HASHTABLE_IMPORT: fills a static hash table from keys[i] -> values[i].
 *
 * Input 0: the table (RESOURCE, from HASHTABLE); input 1: keys; input 2:
 * values of the same shape (string -> int64 or int64 -> string, matching
 * the table's types). No outputs. As in LiteRT, only the first import of a
 * table counts (later ones do nothing) and a repeated key keeps its first
 * value. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/hashtable.h"

enum { kTable = 0, kKeys = 1, kValues = 2 };

static TfLiteStatus hashtable_import_prepare(PlSubgraph* sg, PlNode* node) {
  if (pl_num_inputs(node) != 3 || pl_num_outputs(node) != 0) {
    pl_report(sg, "HASHTABLE_IMPORT takes 3 inputs and no outputs, got %d "
              "and %d.", pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_hashtable_check_handle(sg, pl_input(sg, node, kTable),
                                         "HASHTABLE_IMPORT"));
  const TfLiteTensor* keys = pl_input(sg, node, kKeys);
  const TfLiteTensor* values = pl_input(sg, node, kValues);
  PL_ENSURE(sg, keys != NULL && values != NULL);
  if (!pl_hashtable_types_supported(keys->type, values->type)) {
    pl_report(sg, "HASHTABLE_IMPORT: %s keys with %s values are not "
              "supported (only string -> int64 and int64 -> string).",
              TfLiteTypeGetName(keys->type), TfLiteTypeGetName(values->type));
    return kTfLiteError;
  }
  if (!pl_same_shape(keys, values)) {
    char ks[64], vs[64];
    pl_shape_string(keys->dims, ks, sizeof(ks));
    pl_shape_string(values->dims, vs, sizeof(vs));
    pl_report(sg, "HASHTABLE_IMPORT: keys %s and values %s differ in shape.",
              ks, vs);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static TfLiteStatus hashtable_import_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* keys = pl_input(sg, node, kKeys);
  const TfLiteTensor* values = pl_input(sg, node, kValues);
  int32_t id = pl_hashtable_handle(pl_input(sg, node, kTable));
  pl_resource_lock(sg);
  PlHashtable* table = pl_resource_object(sg, id, PL_HASHTABLE_KIND);
  TfLiteStatus status = kTfLiteError;
  if (table &&
      pl_hashtable_check_types(sg, table, keys, values, "HASHTABLE_IMPORT") ==
          kTfLiteOk)
    status = pl_hashtable_import(sg, table, keys, values);
  pl_resource_unlock(sg);
  return status;
}

const PlKernel pl_kernel_hashtable_import = {
    .name = "HASHTABLE_IMPORT",
    .prepare = hashtable_import_prepare,
    .eval = hashtable_import_eval,
    .types = "string -> int64, int64 -> string",
};
