/* HASHTABLE_SIZE: the number of distinct keys in a static hash table.
 *
 * Input 0: the table (RESOURCE, from HASHTABLE). Output 0: int64 of shape
 * [1], as LiteRT shapes it whatever the model says (the converter declares
 * a scalar). A table not yet imported has size 0. */
#include "capi/core/kernel.h"
#include "capi/kernels/internal/hashtable.h"

enum { kTable = 0, kOutput = 0 };

static TfLiteStatus hashtable_size_prepare(PlSubgraph* sg, PlNode* node) {
  if (pl_num_inputs(node) != 1 || pl_num_outputs(node) != 1) {
    pl_report(sg, "HASHTABLE_SIZE takes 1 input and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_hashtable_check_handle(sg, pl_input(sg, node, kTable),
                                         "HASHTABLE_SIZE"));
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, output != NULL);
  if (output->type != kTfLiteInt64) {
    pl_report(sg, "HASHTABLE_SIZE output must be int64, not %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  const int dims[1] = {1};
  return pl_resize(sg, output, 1, dims);
}

static TfLiteStatus hashtable_size_eval(PlSubgraph* sg, PlNode* node) {
  int32_t id = pl_hashtable_handle(pl_input(sg, node, kTable));
  pl_resource_lock(sg);
  const PlHashtable* table = pl_resource_object(sg, id, PL_HASHTABLE_KIND);
  if (table)
    pl_output(sg, node, kOutput)->data.i64[0] =
        (int64_t)pl_hashtable_size(table);
  pl_resource_unlock(sg);
  return table ? kTfLiteOk : kTfLiteError;
}

const PlKernel pl_kernel_hashtable_size = {
    .name = "HASHTABLE_SIZE",
    .prepare = hashtable_size_prepare,
    .eval = hashtable_size_eval,
    .types = "resource -> int64",
};
