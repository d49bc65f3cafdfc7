/* A small JSON reader for the conformance manifest (see json.h). */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deep enough for any manifest; shallow enough for any stack. */
enum { PL_JSON_MAX_DEPTH = 128 };

typedef struct {
  const char* text;
  size_t size;
  size_t at;
  char* error;
  size_t error_size;
  bool failed;
} PlJsonParser;

static void pl_json_fail(PlJsonParser* p, const char* fmt, ...) {
  if (p->failed) return;  /* the first error is the useful one */
  p->failed = true;
  if (!p->error || p->error_size == 0) return;
  size_t line = 1, column = 1;
  for (size_t i = 0; i < p->at && i < p->size; ++i) {
    if (p->text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  int n = snprintf(p->error, p->error_size, "line %zu, column %zu: ", line,
                   column);
  if (n < 0 || (size_t)n >= p->error_size) return;
  va_list args;
  va_start(args, fmt);
  vsnprintf(p->error + n, p->error_size - (size_t)n, fmt, args);
  va_end(args);
}

static void pl_json_clear(PlJson* v) {
  if (!v) return;
  free(v->string);
  for (size_t i = 0; i < v->count; ++i) {
    pl_json_clear(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  memset(v, 0, sizeof(*v));
}

void pl_json_free(PlJson* value) {
  pl_json_clear(value);
  free(value);
}

static void pl_json_skip_space(PlJsonParser* p) {
  while (p->at < p->size) {
    char c = p->text[p->at];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++p->at;
  }
}

static bool pl_json_literal(PlJsonParser* p, const char* word) {
  size_t n = strlen(word);
  if (p->size - p->at < n || memcmp(p->text + p->at, word, n) != 0)
    return false;
  p->at += n;
  return true;
}

/* Growable byte buffer for strings. */
typedef struct {
  char* data;
  size_t length;
  size_t capacity;
} PlJsonBuf;

static bool pl_json_buf_put(PlJsonBuf* b, const char* bytes, size_t n) {
  if (b->length + n + 1 > b->capacity) {
    size_t cap = b->capacity ? b->capacity : 32;
    while (cap < b->length + n + 1) cap *= 2;
    char* grown = (char*)realloc(b->data, cap);
    if (!grown) return false;
    b->data = grown;
    b->capacity = cap;
  }
  memcpy(b->data + b->length, bytes, n);
  b->length += n;
  b->data[b->length] = '\0';
  return true;
}

static int pl_json_hex4(PlJsonParser* p, unsigned* out) {
  if (p->size - p->at < 4) return 0;
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p->text[p->at + i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  p->at += 4;
  *out = v;
  return 1;
}

static bool pl_json_put_utf8(PlJsonBuf* b, unsigned cp) {
  char out[4];
  size_t n;
  if (cp < 0x80) {
    out[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  return pl_json_buf_put(b, out, n);
}

/* Parses a string at p->at (which is at the opening quote). */
static bool pl_json_string_raw(PlJsonParser* p, char** out, size_t* length) {
  PlJsonBuf b = {NULL, 0, 0};
  ++p->at;  /* the quote */
  if (!pl_json_buf_put(&b, "", 0)) goto oom;
  for (;;) {
    if (p->at >= p->size) {
      pl_json_fail(p, "unterminated string");
      goto fail;
    }
    unsigned char c = (unsigned char)p->text[p->at];
    if (c == '"') {
      ++p->at;
      break;
    }
    if (c < 0x20) {
      pl_json_fail(p, "control character in a string");
      goto fail;
    }
    if (c != '\\') {
      /* Copy a run of plain bytes at once. */
      size_t start = p->at;
      while (p->at < p->size && p->text[p->at] != '"' &&
             p->text[p->at] != '\\' &&
             (unsigned char)p->text[p->at] >= 0x20)
        ++p->at;
      if (!pl_json_buf_put(&b, p->text + start, p->at - start)) goto oom;
      continue;
    }
    ++p->at;
    if (p->at >= p->size) {
      pl_json_fail(p, "unterminated escape");
      goto fail;
    }
    char e = p->text[p->at++];
    char one;
    switch (e) {
      case '"': one = '"'; break;
      case '\\': one = '\\'; break;
      case '/': one = '/'; break;
      case 'b': one = '\b'; break;
      case 'f': one = '\f'; break;
      case 'n': one = '\n'; break;
      case 'r': one = '\r'; break;
      case 't': one = '\t'; break;
      case 'u': {
        unsigned cp;
        if (!pl_json_hex4(p, &cp)) {
          pl_json_fail(p, "bad \\u escape");
          goto fail;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned low;
          if (pl_json_literal(p, "\\u") && pl_json_hex4(p, &low) &&
              low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else {
            pl_json_fail(p, "unpaired surrogate in \\u escape");
            goto fail;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          pl_json_fail(p, "unpaired surrogate in \\u escape");
          goto fail;
        }
        if (!pl_json_put_utf8(&b, cp)) goto oom;
        continue;
      }
      default:
        pl_json_fail(p, "bad escape '\\%c'", e);
        goto fail;
    }
    if (!pl_json_buf_put(&b, &one, 1)) goto oom;
  }
  *out = b.data;
  *length = b.length;
  return true;
oom:
  pl_json_fail(p, "out of memory");
fail:
  free(b.data);
  return false;
}

static bool pl_json_number(PlJsonParser* p, PlJson* v) {
  /* Validate the JSON grammar, then let strtod convert a bounded copy (the
   * text is not NUL-terminated). */
  size_t start = p->at;
  if (p->at < p->size && p->text[p->at] == '-') ++p->at;
  if (pl_json_literal(p, "Infinity")) {
    v->kind = PL_JSON_NUMBER;
    v->number = p->text[start] == '-' ? -INFINITY : INFINITY;
    return true;
  }
  size_t digits = p->at;
  while (p->at < p->size && p->text[p->at] >= '0' && p->text[p->at] <= '9')
    ++p->at;
  if (p->at == digits) {
    pl_json_fail(p, "unexpected character '%c'",
                 p->at < p->size ? p->text[p->at] : '?');
    return false;
  }
  if (p->text[digits] == '0' && p->at - digits > 1) {
    pl_json_fail(p, "number with a leading zero");
    return false;
  }
  if (p->at < p->size && p->text[p->at] == '.') {
    ++p->at;
    size_t frac = p->at;
    while (p->at < p->size && p->text[p->at] >= '0' && p->text[p->at] <= '9')
      ++p->at;
    if (p->at == frac) {
      pl_json_fail(p, "digits expected after '.'");
      return false;
    }
  }
  if (p->at < p->size && (p->text[p->at] == 'e' || p->text[p->at] == 'E')) {
    ++p->at;
    if (p->at < p->size && (p->text[p->at] == '+' || p->text[p->at] == '-'))
      ++p->at;
    size_t exp = p->at;
    while (p->at < p->size && p->text[p->at] >= '0' && p->text[p->at] <= '9')
      ++p->at;
    if (p->at == exp) {
      pl_json_fail(p, "digits expected in exponent");
      return false;
    }
  }
  char local[64];
  size_t n = p->at - start;
  char* copy = n < sizeof(local) ? local : (char*)malloc(n + 1);
  if (!copy) {
    pl_json_fail(p, "out of memory");
    return false;
  }
  memcpy(copy, p->text + start, n);
  copy[n] = '\0';
  errno = 0;
  v->kind = PL_JSON_NUMBER;
  v->number = strtod(copy, NULL);  /* overflow gives +-HUGE_VAL: fine */
  if (copy != local) free(copy);
  return true;
}

static bool pl_json_value(PlJsonParser* p, PlJson* v, int depth);

static bool pl_json_append(PlJsonParser* p, PlJson* parent, size_t* capacity,
                           PlJson* item, char* key) {
  if (parent->count == *capacity) {
    size_t cap = *capacity ? *capacity * 2 : 4;
    PlJson* items = (PlJson*)realloc(parent->items, cap * sizeof(PlJson));
    if (!items) goto oom;
    parent->items = items;
    if (parent->kind == PL_JSON_OBJECT) {
      char** keys = (char**)realloc(parent->keys, cap * sizeof(char*));
      if (!keys) goto oom;
      parent->keys = keys;
    }
    *capacity = cap;
  }
  parent->items[parent->count] = *item;
  if (parent->kind == PL_JSON_OBJECT) parent->keys[parent->count] = key;
  ++parent->count;
  return true;
oom:
  pl_json_fail(p, "out of memory");
  pl_json_clear(item);
  free(key);
  return false;
}

static bool pl_json_container(PlJsonParser* p, PlJson* v, int depth) {
  bool object = p->text[p->at] == '{';
  char close = object ? '}' : ']';
  size_t capacity = 0;
  v->kind = object ? PL_JSON_OBJECT : PL_JSON_ARRAY;
  ++p->at;
  pl_json_skip_space(p);
  if (p->at < p->size && p->text[p->at] == close) {
    ++p->at;
    return true;
  }
  for (;;) {
    char* key = NULL;
    pl_json_skip_space(p);
    if (object) {
      size_t key_length;
      if (p->at >= p->size || p->text[p->at] != '"') {
        pl_json_fail(p, "object key expected");
        return false;
      }
      if (!pl_json_string_raw(p, &key, &key_length)) return false;
      pl_json_skip_space(p);
      if (p->at >= p->size || p->text[p->at] != ':') {
        free(key);
        pl_json_fail(p, "':' expected");
        return false;
      }
      ++p->at;
    }
    PlJson item;
    memset(&item, 0, sizeof(item));
    if (!pl_json_value(p, &item, depth + 1)) {
      pl_json_clear(&item);
      free(key);
      return false;
    }
    if (!pl_json_append(p, v, &capacity, &item, key)) return false;
    pl_json_skip_space(p);
    if (p->at < p->size && p->text[p->at] == ',') {
      ++p->at;
      continue;
    }
    if (p->at < p->size && p->text[p->at] == close) {
      ++p->at;
      return true;
    }
    pl_json_fail(p, "',' or '%c' expected", close);
    return false;
  }
}

static bool pl_json_value(PlJsonParser* p, PlJson* v, int depth) {
  if (depth > PL_JSON_MAX_DEPTH) {
    pl_json_fail(p, "nesting deeper than %d", PL_JSON_MAX_DEPTH);
    return false;
  }
  pl_json_skip_space(p);
  if (p->at >= p->size) {
    pl_json_fail(p, "unexpected end of document");
    return false;
  }
  char c = p->text[p->at];
  if (c == '{' || c == '[') return pl_json_container(p, v, depth);
  if (c == '"') {
    v->kind = PL_JSON_STRING;
    return pl_json_string_raw(p, &v->string, &v->length);
  }
  if (pl_json_literal(p, "true")) {
    v->kind = PL_JSON_BOOL;
    v->boolean = true;
    return true;
  }
  if (pl_json_literal(p, "false")) {
    v->kind = PL_JSON_BOOL;
    return true;
  }
  if (pl_json_literal(p, "null")) {
    v->kind = PL_JSON_NULL;
    return true;
  }
  if (pl_json_literal(p, "NaN")) {
    v->kind = PL_JSON_NUMBER;
    v->number = NAN;
    return true;
  }
  return pl_json_number(p, v);
}

PlJson* pl_json_parse(const char* text, size_t size, char* error,
                      size_t error_size) {
  PlJsonParser p = {text, size, 0, error, error_size, false};
  if (error && error_size) error[0] = '\0';
  PlJson* root = (PlJson*)calloc(1, sizeof(PlJson));
  if (!root) {
    pl_json_fail(&p, "out of memory");
    return NULL;
  }
  if (!text) {
    pl_json_fail(&p, "no document");
    free(root);
    return NULL;
  }
  if (!pl_json_value(&p, root, 0)) {
    pl_json_free(root);
    return NULL;
  }
  pl_json_skip_space(&p);
  if (p.at != p.size) {
    pl_json_fail(&p, "trailing characters after the document");
    pl_json_free(root);
    return NULL;
  }
  return root;
}

const PlJson* pl_json_get(const PlJson* object, const char* key) {
  if (!object || object->kind != PL_JSON_OBJECT || !key) return NULL;
  for (size_t i = 0; i < object->count; ++i)
    if (strcmp(object->keys[i], key) == 0) return &object->items[i];
  return NULL;
}

const PlJson* pl_json_at(const PlJson* array, size_t index) {
  if (!array || array->kind != PL_JSON_ARRAY || index >= array->count)
    return NULL;
  return &array->items[index];
}

size_t pl_json_count(const PlJson* value) {
  if (!value || (value->kind != PL_JSON_ARRAY &&
                 value->kind != PL_JSON_OBJECT))
    return 0;
  return value->count;
}

const char* pl_json_string(const PlJson* value) {
  return value && value->kind == PL_JSON_STRING ? value->string : NULL;
}

bool pl_json_get_string(const PlJson* object, const char* key,
                        const char** out) {
  const char* s = pl_json_string(pl_json_get(object, key));
  if (!s) return false;
  *out = s;
  return true;
}

bool pl_json_get_number(const PlJson* object, const char* key, double* out) {
  const PlJson* v = pl_json_get(object, key);
  if (!v || v->kind != PL_JSON_NUMBER) return false;
  *out = v->number;
  return true;
}
