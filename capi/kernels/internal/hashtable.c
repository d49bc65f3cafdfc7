/* pylite: the static hash table (see hashtable.h).
 *
 * Open addressing with linear probing over a power-of-two slot array kept at
 * most half full, so probe runs stay short. Each slot caches its key's
 * 64-bit hash, so string keys are only compared byte for byte when the
 * hashes agree. The table never removes keys, so no tombstones are needed. */
#include "capi/kernels/internal/hashtable.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/interp.h" /* pl_check_allocation */
#include "capi/kernels/internal/resource_util.h"

/* One key or value: an int64, or owned string bytes. */
typedef struct {
  int64_t i;
  char* s; /* NULL for int64 items */
  size_t len;
} Item;

typedef struct {
  uint64_t hash;
  bool used;
  Item key;
  Item value;
} Slot;

struct PlHashtable {
  TfLiteType key_type;
  TfLiteType value_type;
  bool initialized;
  size_t count;
  size_t capacity; /* 0 or a power of two */
  Slot* slots;
};

static bool supported_type(TfLiteType t) {
  return t == kTfLiteInt64 || t == kTfLiteString;
}

PlHashtable* pl_hashtable_create(TfLiteType key_type, TfLiteType value_type) {
  if (!supported_type(key_type) || !supported_type(value_type)) return NULL;
  PlHashtable* table = calloc(1, sizeof(*table));
  if (!table) return NULL;
  table->key_type = key_type;
  table->value_type = value_type;
  return table;
}

static void clear(PlHashtable* table) {
  for (size_t i = 0; i < table->capacity; ++i) {
    free(table->slots[i].key.s);
    free(table->slots[i].value.s);
  }
  free(table->slots);
  table->slots = NULL;
  table->capacity = table->count = 0;
  table->initialized = false;
}

void pl_hashtable_free(PlHashtable* table) {
  if (!table) return;
  clear(table);
  free(table);
}

TfLiteType pl_hashtable_key_type(const PlHashtable* table) {
  return table->key_type;
}

TfLiteType pl_hashtable_value_type(const PlHashtable* table) {
  return table->value_type;
}

bool pl_hashtable_initialized(const PlHashtable* table) {
  return table->initialized;
}

size_t pl_hashtable_size(const PlHashtable* table) { return table->count; }

/* ---- Hashing ------------------------------------------------------------- */

/* A 64-bit finalizer (splitmix64's): spreads every input bit over the
 * output, so masking off the low bits makes a good slot index. */
static uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/* FNV-1a over the bytes, then mixed. */
static uint64_t hash_bytes(const char* data, size_t len) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; ++i) {
    h ^= (uint8_t)data[i];
    h *= 0x100000001b3ULL;
  }
  return mix(h ^ len);
}

/* A key as read from a tensor (not owned). */
typedef struct {
  int64_t i;
  const char* s;
  size_t len;
  uint64_t hash;
} KeyRef;

static bool key_matches(const PlHashtable* table, const Slot* slot,
                        const KeyRef* key) {
  if (slot->hash != key->hash) return false;
  if (table->key_type == kTfLiteInt64) return slot->key.i == key->i;
  return slot->key.len == key->len &&
         (key->len == 0 || memcmp(slot->key.s, key->s, key->len) == 0);
}

/* The slot holding `key`, or the empty slot where it would go. The table
 * must have capacity (it is never full). */
static Slot* probe(const PlHashtable* table, const KeyRef* key) {
  const size_t mask = table->capacity - 1;
  size_t i = (size_t)key->hash & mask;
  while (table->slots[i].used && !key_matches(table, &table->slots[i], key))
    i = (i + 1) & mask;
  return &table->slots[i];
}

/* ---- Reading tensors ---------------------------------------------------- */

/* Checks that a string tensor holds one string per element. */
static TfLiteStatus check_strings(PlSubgraph* sg, const TfLiteTensor* t,
                                  int64_t count, const char* op,
                                  const char* what) {
  if (!pl_string_valid(t) || pl_string_count(t) != count) {
    pl_report(sg, "%s: the %s string tensor is malformed or holds %d strings "
              "for %lld elements.", op, what, (int)pl_string_count(t),
              (long long)count);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static KeyRef read_key(const PlHashtable* table, const TfLiteTensor* keys,
                       int32_t index) {
  KeyRef key = {0};
  if (table->key_type == kTfLiteInt64) {
    key.i = keys->data.i64[index];
    key.hash = mix((uint64_t)key.i);
  } else {
    pl_string_get(keys, index, &key.s, &key.len);
    key.hash = hash_bytes(key.s, key.len);
  }
  return key;
}

/* Copies element `index` of `t` into an owned item; false if out of memory. */
static bool copy_item(TfLiteType type, const TfLiteTensor* t, int32_t index,
                      Item* out) {
  if (type == kTfLiteInt64) {
    out->i = t->data.i64[index];
    return true;
  }
  const char* data = NULL;
  size_t len = 0;
  pl_string_get(t, index, &data, &len);
  out->s = malloc(len + 1);
  if (!out->s) return false;
  if (len) memcpy(out->s, data, len);
  out->s[len] = '\0';
  out->len = len;
  return true;
}

/* ---- Operations --------------------------------------------------------- */

TfLiteStatus pl_hashtable_check_types(PlSubgraph* sg, const PlHashtable* table,
                                      const TfLiteTensor* keys,
                                      const TfLiteTensor* values,
                                      const char* op) {
  if (keys->type != table->key_type || values->type != table->value_type) {
    pl_report(sg, "%s: the table maps %s keys to %s values, but is used with "
              "%s keys and %s values.", op,
              TfLiteTypeGetName(table->key_type),
              TfLiteTypeGetName(table->value_type),
              TfLiteTypeGetName(keys->type), TfLiteTypeGetName(values->type));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus pl_hashtable_import(PlSubgraph* sg, PlHashtable* table,
                                 const TfLiteTensor* keys,
                                 const TfLiteTensor* values) {
  /* The converter may leave the import in a graph that runs more than once;
   * as in LiteRT, only the first import counts. */
  if (table->initialized) return kTfLiteOk;
  const int64_t n = pl_num_elements(keys);
  if (n != pl_num_elements(values) || n > INT32_MAX) {
    pl_report(sg, "HASHTABLE_IMPORT: %lld keys but %lld values.",
              (long long)n, (long long)pl_num_elements(values));
    return kTfLiteError;
  }
  if (keys->type == kTfLiteString)
    PL_ENSURE_OK(check_strings(sg, keys, n, "HASHTABLE_IMPORT", "keys"));
  if (values->type == kTfLiteString)
    PL_ENSURE_OK(check_strings(sg, values, n, "HASHTABLE_IMPORT", "values"));
  size_t capacity = 8;
  while (capacity < 2 * (size_t)n) capacity *= 2;
  if (!pl_check_allocation(sg, capacity * sizeof(Slot), "A hash table"))
    return kTfLiteError;
  table->slots = calloc(capacity, sizeof(Slot));
  if (!table->slots) {
    pl_report(sg, "HASHTABLE_IMPORT: out of memory for %lld keys.",
              (long long)n);
    return kTfLiteError;
  }
  table->capacity = capacity;
  for (int32_t i = 0; i < (int32_t)n; ++i) {
    KeyRef key = read_key(table, keys, i);
    Slot* slot = probe(table, &key);
    if (slot->used) continue; /* a repeated key keeps its first value */
    slot->used = true;
    slot->hash = key.hash;
    if (!copy_item(table->key_type, keys, i, &slot->key) ||
        !copy_item(table->value_type, values, i, &slot->value)) {
      clear(table);
      pl_report(sg, "HASHTABLE_IMPORT: out of memory copying %lld keys.",
                (long long)n);
      return kTfLiteError;
    }
    table->count++;
  }
  table->initialized = true;
  return kTfLiteOk;
}

static const Slot* find_slot(const PlHashtable* table, const KeyRef* key) {
  if (table->capacity == 0) return NULL;
  const Slot* slot = probe(table, key);
  return slot->used ? slot : NULL;
}

static TfLiteStatus find_int64(const PlHashtable* table,
                               const TfLiteTensor* keys, int64_t fallback,
                               TfLiteTensor* out, int32_t n) {
  for (int32_t i = 0; i < n; ++i) {
    KeyRef key = read_key(table, keys, i);
    const Slot* slot = find_slot(table, &key);
    out->data.i64[i] = slot ? slot->value.i : fallback;
  }
  return kTfLiteOk;
}

static TfLiteStatus find_string(PlSubgraph* sg, const PlHashtable* table,
                                const TfLiteTensor* keys,
                                const TfLiteTensor* default_value,
                                TfLiteTensor* out, int32_t n) {
  const char* fallback = NULL;
  size_t fallback_len = 0;
  pl_string_get(default_value, 0, &fallback, &fallback_len);
  if (n == 0) return pl_string_write(sg, out, 0, NULL, NULL);
  const char** data = malloc(sizeof(*data) * (size_t)n);
  size_t* lengths = malloc(sizeof(*lengths) * (size_t)n);
  if (!data || !lengths) {
    free(data);
    free(lengths);
    pl_report(sg, "HASHTABLE_FIND: out of memory for %d keys.", (int)n);
    return kTfLiteError;
  }
  for (int32_t i = 0; i < n; ++i) {
    KeyRef key = read_key(table, keys, i);
    const Slot* slot = find_slot(table, &key);
    data[i] = slot ? slot->value.s : fallback;
    lengths[i] = slot ? slot->value.len : fallback_len;
  }
  TfLiteStatus status = pl_string_write(sg, out, n, data, lengths);
  free(data);
  free(lengths);
  return status;
}

TfLiteStatus pl_hashtable_find(PlSubgraph* sg, const PlHashtable* table,
                               const TfLiteTensor* keys,
                               const TfLiteTensor* default_value,
                               TfLiteTensor* out) {
  const int64_t n = pl_num_elements(keys);
  if (n != pl_num_elements(out) || n > INT32_MAX) {
    pl_report(sg, "HASHTABLE_FIND: %lld keys but %lld outputs.",
              (long long)n, (long long)pl_num_elements(out));
    return kTfLiteError;
  }
  if (pl_num_elements(default_value) < 1) {
    pl_report(sg, "HASHTABLE_FIND: the default value is empty.");
    return kTfLiteError;
  }
  if (keys->type == kTfLiteString)
    PL_ENSURE_OK(check_strings(sg, keys, n, "HASHTABLE_FIND", "keys"));
  if (table->value_type == kTfLiteString) {
    PL_ENSURE_OK(check_strings(sg, default_value,
                               pl_num_elements(default_value),
                               "HASHTABLE_FIND", "default value"));
    return find_string(sg, table, keys, default_value, out, (int32_t)n);
  }
  return find_int64(table, keys, default_value->data.i64[0], out, (int32_t)n);
}

/* ---- Handles ------------------------------------------------------------- */

TfLiteStatus pl_hashtable_check_handle(PlSubgraph* sg, const TfLiteTensor* t,
                                       const char* op) {
  if (!t || (t->type != kTfLiteResource && t->type != kTfLiteInt32) ||
      pl_num_elements(t) != 1) {
    pl_report(sg, "%s: input 0 must be a RESOURCE scalar (the table).", op);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

int32_t pl_hashtable_handle(const TfLiteTensor* t) {
  return pl_resource_of(t);
}
