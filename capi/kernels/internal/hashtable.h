/* pylite: the static hash table behind the HASHTABLE ops (an interpreter
 * object resource of kind PL_HASHTABLE_KIND).
 *
 * Keys are int64 or strings, values int64 or strings. As LiteRT's static
 * table, it is filled once: the first import sets it (a repeated key keeps
 * its first value), later imports are no-ops. Callers hold
 * pl_resource_lock around every call, since runners share the table. */
#ifndef PYLITE_KERNELS_INTERNAL_HASHTABLE_H_
#define PYLITE_KERNELS_INTERNAL_HASHTABLE_H_

#include <stdbool.h>
#include <stddef.h>

#include "capi/core/kernel.h"

#define PL_HASHTABLE_KIND "hashtable"

typedef struct PlHashtable PlHashtable;

/* NULL if out of memory or the types are not int64/string. */
/* The (key, value) types TFLite's hash tables support: string -> int64 and
 * int64 -> string. */
static inline bool pl_hashtable_types_supported(TfLiteType key,
                                                TfLiteType value) {
  return (key == kTfLiteString && value == kTfLiteInt64) ||
         (key == kTfLiteInt64 && value == kTfLiteString);
}

PlHashtable* pl_hashtable_create(TfLiteType key_type, TfLiteType value_type);
void pl_hashtable_free(PlHashtable* table); /* NULL is a no-op */

TfLiteType pl_hashtable_key_type(const PlHashtable* table);
TfLiteType pl_hashtable_value_type(const PlHashtable* table);
bool pl_hashtable_initialized(const PlHashtable* table);
/* The number of distinct keys. */
size_t pl_hashtable_size(const PlHashtable* table);

/* Checks that keys and values have the table's types; `op` names the
 * caller in the message. */
TfLiteStatus pl_hashtable_check_types(PlSubgraph* sg, const PlHashtable* table,
                                      const TfLiteTensor* keys,
                                      const TfLiteTensor* values,
                                      const char* op);

/* Fills an uninitialized table from keys[i] -> values[i] (same element
 * counts); does nothing if it was filled before. On failure the table is
 * left empty and uninitialized. */
TfLiteStatus pl_hashtable_import(PlSubgraph* sg, PlHashtable* table,
                                 const TfLiteTensor* keys,
                                 const TfLiteTensor* values);

/* Writes the value of each key into `out` (already shaped like keys; string
 * outputs are dynamic), or element 0 of `default_value` for absent keys. */
TfLiteStatus pl_hashtable_find(PlSubgraph* sg, const PlHashtable* table,
                               const TfLiteTensor* keys,
                               const TfLiteTensor* default_value,
                               TfLiteTensor* out);

/* Checks a RESOURCE (or, as LiteRT allows, int32) input holding one id
 * (prepare), and reads it (eval: -1 when it holds none). */
TfLiteStatus pl_hashtable_check_handle(PlSubgraph* sg, const TfLiteTensor* t,
                                       const char* op);
int32_t pl_hashtable_handle(const TfLiteTensor* t);

#endif /* PYLITE_KERNELS_INTERNAL_HASHTABLE_H_ */
