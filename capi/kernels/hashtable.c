/* HASHTABLE: the id of a static hash table, keyed by the options' table_id
 * (HashtableOptions) as LiteRT keys them, so the initialization subgraph
 * that fills a table and the signatures that read it share it.
 *
 * Output 0: a RESOURCE of shape [1] holding the int32 id. The table is
 * created empty on first use (CALL_ONCE's HASHTABLE_IMPORT fills it) and
 * lives in the interpreter until it is destroyed or reset. Keys and values
 * are string -> int64 or int64 -> string, the pairs LiteRT accepts. As in
 * LiteRT, an existing table is returned whatever types this node names;
 * HASHTABLE_FIND and HASHTABLE_IMPORT check them against the table's. */
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/hashtable.h"

enum { kOutput = 0 };
enum { kHashtableOptions = 107, kTableId = 0, kKeyDtype = 1, kValueDtype = 2 };

typedef struct {
  int32_t table_id;
  TfLiteType key_type;
  TfLiteType value_type;
} HashtableData;

static TfLiteStatus hashtable_init(PlSubgraph* sg, PlNode* node) {
  HashtableData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  /* Options of another type read as defaults: table 0, float32 types
   * (rejected in prepare). */
  const PlFbTable* options = &node->def->builtin_options;
  const bool ours = node->def->builtin_options_type == kHashtableOptions;
  data->table_id = ours ? pl_fb_i32(options, kTableId, 0) : 0;
  data->key_type =
      pl_type_from_schema(ours ? pl_fb_i8(options, kKeyDtype, 0) : 0);
  data->value_type =
      pl_type_from_schema(ours ? pl_fb_i8(options, kValueDtype, 0) : 0);
  node->user_data = data;
  return kTfLiteOk;
}

static void hashtable_free(PlNode* node) { free(node->user_data); }

static TfLiteStatus hashtable_prepare(PlSubgraph* sg, PlNode* node) {
  const HashtableData* data = node->user_data;
  if (pl_num_inputs(node) != 0 || pl_num_outputs(node) != 1) {
    pl_report(sg, "HASHTABLE takes no inputs and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  if (!pl_hashtable_types_supported(data->key_type, data->value_type)) {
    pl_report(sg, "HASHTABLE: a table from %s to %s is not supported (only "
              "string -> int64 and int64 -> string, as in TFLite).",
              TfLiteTypeGetName(data->key_type),
              TfLiteTypeGetName(data->value_type));
    return kTfLiteError;
  }
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, output != NULL);
  if (output->type != kTfLiteResource) {
    pl_report(sg, "HASHTABLE output must be RESOURCE, not %s.",
              TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  const int dims[1] = {1};
  return pl_resize(sg, output, 1, dims);
}

static void* create_table(void* arg) {
  const HashtableData* data = arg;
  return pl_hashtable_create(data->key_type, data->value_type);
}

static void destroy_table(void* table) { pl_hashtable_free(table); }

static TfLiteStatus hashtable_eval(PlSubgraph* sg, PlNode* node) {
  HashtableData* data = node->user_data;
  int32_t id = pl_resource_object_id(sg, PL_HASHTABLE_KIND, data->table_id,
                                     create_table, data, destroy_table);
  if (id < 0) return kTfLiteError;
  pl_output(sg, node, kOutput)->data.i32[0] = id;
  return kTfLiteOk;
}

const PlKernel pl_kernel_hashtable = {
    .name = "HASHTABLE",
    .init = hashtable_init,
    .free = hashtable_free,
    .prepare = hashtable_prepare,
    .eval = hashtable_eval,
    .types = "string -> int64, int64 -> string",
};
