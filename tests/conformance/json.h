/* A small JSON reader for the conformance manifest.
 *
 * Reads a whole document into a tree. Accepts RFC 8259 JSON plus the NaN,
 * Infinity and -Infinity literals that Python's json module writes. Never
 * aborts: a malformed document gives NULL and a message naming the line and
 * column. Nesting is limited, so a hostile file cannot exhaust the stack. */
#ifndef PYLITE_TESTS_CONFORMANCE_JSON_H_
#define PYLITE_TESTS_CONFORMANCE_JSON_H_

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  PL_JSON_NULL,
  PL_JSON_BOOL,
  PL_JSON_NUMBER,
  PL_JSON_STRING,
  PL_JSON_ARRAY,
  PL_JSON_OBJECT,
} PlJsonKind;

typedef struct PlJson {
  PlJsonKind kind;
  bool boolean;
  double number;
  /* PL_JSON_STRING: NUL-terminated UTF-8 (may hold NULs; see length). */
  char* string;
  size_t length;
  /* PL_JSON_ARRAY and PL_JSON_OBJECT: `count` items; objects also have
   * `keys` (NUL-terminated), in document order. */
  size_t count;
  struct PlJson* items;
  char** keys;
} PlJson;

/* Parses `size` bytes. NULL on error, with a message in `error` (which may
 * be NULL). The caller frees the result with pl_json_free. */
PlJson* pl_json_parse(const char* text, size_t size, char* error,
                      size_t error_size);
void pl_json_free(PlJson* value);

/* Member `key` of an object; NULL if absent or `object` is not an object. */
const PlJson* pl_json_get(const PlJson* object, const char* key);
/* Item `index` of an array; NULL if out of range or not an array. */
const PlJson* pl_json_at(const PlJson* array, size_t index);
/* Number of items of an array or object, else 0. */
size_t pl_json_count(const PlJson* value);
/* The string of a string value, else NULL. */
const char* pl_json_string(const PlJson* value);
/* Typed member lookups: false if absent or of another kind. */
bool pl_json_get_string(const PlJson* object, const char* key,
                        const char** out);
bool pl_json_get_number(const PlJson* object, const char* key, double* out);

#ifdef __cplusplus
}
#endif

#endif /* PYLITE_TESTS_CONFORMANCE_JSON_H_ */
