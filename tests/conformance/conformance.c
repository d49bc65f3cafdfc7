/* Shared parts of the C and C++ conformance runners (see conformance.h). */
#define _POSIX_C_SOURCE 200809L
#include "conformance.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

static void pl_conf_say(char* out, size_t size, const char* fmt, ...) {
  if (!out || size == 0) return;
  va_list args;
  va_start(args, fmt);
  vsnprintf(out, size, fmt, args);
  va_end(args);
}

/* ---- Files --------------------------------------------------------------- */

static unsigned char* pl_conf_read_file(const char* path, size_t* size,
                                        char* error, size_t error_size) {
  FILE* f = fopen(path, "rb");
  if (!f) {
    pl_conf_say(error, error_size, "cannot open %s: %s", path,
                strerror(errno));
    return NULL;
  }
  size_t cap = 4096, used = 0;
  unsigned char* data = (unsigned char*)malloc(cap);
  while (data) {
    if (used == cap) {
      unsigned char* grown = (unsigned char*)realloc(data, cap * 2);
      if (!grown) {
        free(data);
        data = NULL;
        break;
      }
      data = grown;
      cap *= 2;
    }
    size_t n = fread(data + used, 1, cap - used, f);
    used += n;
    if (n == 0) break;
  }
  bool bad = ferror(f) != 0;
  fclose(f);
  if (!data || bad) {
    free(data);
    pl_conf_say(error, error_size, "cannot read %s", path);
    return NULL;
  }
  *size = used;
  return data;
}

/* ---- Types --------------------------------------------------------------- */

static const struct {
  const char* name;
  TfLiteType type;
  size_t size;
} kPlConfTypes[] = {
    {"float32", kTfLiteFloat32, 4},     {"float64", kTfLiteFloat64, 8},
    {"float16", kTfLiteFloat16, 2},     {"int8", kTfLiteInt8, 1},
    {"uint8", kTfLiteUInt8, 1},         {"int16", kTfLiteInt16, 2},
    {"uint16", kTfLiteUInt16, 2},       {"int32", kTfLiteInt32, 4},
    {"uint32", kTfLiteUInt32, 4},       {"int64", kTfLiteInt64, 8},
    {"uint64", kTfLiteUInt64, 8},       {"bool", kTfLiteBool, 1},
    {"complex64", kTfLiteComplex64, 8}, {"complex128", kTfLiteComplex128, 16},
    {"string", kTfLiteString, 0},
};

const char* pl_conf_type_name(TfLiteType type) {
  for (size_t i = 0; i < sizeof(kPlConfTypes) / sizeof(kPlConfTypes[0]); ++i)
    if (kPlConfTypes[i].type == type) return kPlConfTypes[i].name;
  return "unsupported type";
}

static bool pl_conf_type_of(const char* name, TfLiteType* type,
                            size_t* size) {
  for (size_t i = 0; i < sizeof(kPlConfTypes) / sizeof(kPlConfTypes[0]);
       ++i) {
    if (strcmp(kPlConfTypes[i].name, name) == 0) {
      *type = kPlConfTypes[i].type;
      *size = kPlConfTypes[i].size;
      return true;
    }
  }
  return false;
}

/* ---- Manifest ------------------------------------------------------------ */

bool pl_conf_manifest_load(const char* path, PlConfManifest* m, char* error,
                           size_t error_size) {
  memset(m, 0, sizeof(*m));
  size_t size = 0;
  unsigned char* text = pl_conf_read_file(path, &size, error, error_size);
  if (!text) return false;
  char detail[512];
  m->root = pl_json_parse((const char*)text, size, detail, sizeof(detail));
  free(text);
  if (!m->root) {
    pl_conf_say(error, error_size, "%s: %s", path, detail);
    return false;
  }
  m->cases = pl_json_get(m->root, "cases");
  if (!m->cases || m->cases->kind != PL_JSON_ARRAY) {
    pl_conf_say(error, error_size, "%s: no \"cases\" array", path);
    pl_conf_manifest_free(m);
    return false;
  }
  const char* slash = strrchr(path, '/');
  size_t n = slash ? (size_t)(slash - path) : 1;
  m->dir = (char*)malloc(n + 1);
  if (!m->dir) {
    pl_conf_say(error, error_size, "out of memory");
    pl_conf_manifest_free(m);
    return false;
  }
  memcpy(m->dir, slash ? path : ".", n);
  m->dir[n] = '\0';
  return true;
}

void pl_conf_manifest_free(PlConfManifest* m) {
  pl_json_free(m->root);
  free(m->dir);
  memset(m, 0, sizeof(*m));
}

size_t pl_conf_case_count(const PlConfManifest* m) {
  return pl_json_count(m->cases);
}

const char* pl_conf_case_name(const PlConfManifest* m, size_t index,
                              char* scratch, size_t scratch_size) {
  const char* name = NULL;
  if (pl_json_get_string(pl_json_at(m->cases, index), "name", &name))
    return name;
  pl_conf_say(scratch, scratch_size, "case #%zu", index);
  return scratch;
}

char* pl_conf_path(const PlConfManifest* m, const char* relative) {
  size_t a = strlen(m->dir), b = strlen(relative);
  char* path = (char*)malloc(a + b + 2);
  if (!path) return NULL;
  if (relative[0] == '/') {
    memcpy(path, relative, b + 1);
  } else {
    memcpy(path, m->dir, a);
    path[a] = '/';
    memcpy(path + a + 1, relative, b + 1);
  }
  return path;
}

static bool pl_conf_tensor_parse(const PlJson* j, bool output,
                                 PlConfTensor* t, char* error,
                                 size_t error_size) {
  memset(t, 0, sizeof(*t));
  if (!pl_json_get_string(j, "name", &t->name) ||
      !pl_json_get_string(j, "dtype", &t->dtype) ||
      !pl_json_get_string(j, "file", &t->file)) {
    pl_conf_say(error, error_size, "an %s lacks name, dtype or file",
                output ? "output" : "input");
    return false;
  }
  if (!pl_conf_type_of(t->dtype, &t->type, &t->item_size)) {
    pl_conf_say(error, error_size, "%s: unknown dtype '%s'", t->name,
                t->dtype);
    return false;
  }
  const PlJson* shape = pl_json_get(j, "shape");
  if (!shape || shape->kind != PL_JSON_ARRAY ||
      shape->count > PL_CONF_MAX_RANK) {
    pl_conf_say(error, error_size, "%s: bad shape", t->name);
    return false;
  }
  t->rank = (int)shape->count;
  t->elements = 1;
  for (int d = 0; d < t->rank; ++d) {
    double v = shape->items[d].number;
    if (shape->items[d].kind != PL_JSON_NUMBER || v < 0 || v > 2147483647.0 ||
        v != floor(v)) {
      pl_conf_say(error, error_size, "%s: bad dimension %d", t->name, d);
      return false;
    }
    t->dims[d] = (int)v;
    if (t->dims[d] != 0 && t->elements > (INT64_C(1) << 40) / t->dims[d]) {
      pl_conf_say(error, error_size, "%s: shape too large", t->name);
      return false;
    }
    t->elements *= t->dims[d];
  }
  t->tolerance = 0;
  if (output && !pl_json_get_number(j, "tolerance", &t->tolerance))
    t->tolerance = 0;
  if (!(t->tolerance >= 0)) {
    pl_conf_say(error, error_size, "%s: bad tolerance", t->name);
    return false;
  }
  return true;
}

static bool pl_conf_tensors_parse(const PlJson* list, bool output,
                                  PlConfTensor** out, size_t* count,
                                  char* error, size_t error_size) {
  *out = NULL;
  *count = 0;
  if (!list) return true;  /* none */
  if (list->kind != PL_JSON_ARRAY) {
    pl_conf_say(error, error_size, "\"%s\" is not an array",
                output ? "outputs" : "inputs");
    return false;
  }
  if (list->count == 0) return true;
  *out = (PlConfTensor*)calloc(list->count, sizeof(PlConfTensor));
  if (!*out) {
    pl_conf_say(error, error_size, "out of memory");
    return false;
  }
  for (size_t i = 0; i < list->count; ++i) {
    if (!pl_conf_tensor_parse(&list->items[i], output, &(*out)[i], error,
                              error_size)) {
      free(*out);
      *out = NULL;
      return false;
    }
  }
  *count = list->count;
  return true;
}

bool pl_conf_case_parse(const PlConfManifest* m, size_t index, PlConfCase* c,
                        char* error, size_t error_size) {
  memset(c, 0, sizeof(*c));
  const PlJson* j = pl_json_at(m->cases, index);
  if (!j || j->kind != PL_JSON_OBJECT) {
    pl_conf_say(error, error_size, "not an object");
    return false;
  }
  if (!pl_json_get_string(j, "name", &c->name) ||
      !pl_json_get_string(j, "model", &c->model)) {
    pl_conf_say(error, error_size, "no name or model");
    return false;
  }
  if (!pl_json_get_string(j, "signature", &c->signature))
    c->signature = "serving_default";
  const PlJson* expect = pl_json_get(j, "expect_error");
  if (expect && expect->kind != PL_JSON_NULL) {
    if (expect->kind != PL_JSON_STRING) {
      pl_conf_say(error, error_size, "expect_error is not a string");
      return false;
    }
    c->expect_error = expect->string;
  }
  if (!pl_conf_tensors_parse(pl_json_get(j, "inputs"), false, &c->inputs,
                             &c->num_inputs, error, error_size))
    return false;
  if (!pl_conf_tensors_parse(pl_json_get(j, "outputs"), true, &c->outputs,
                             &c->num_outputs, error, error_size)) {
    pl_conf_case_free(c);
    return false;
  }
  return true;
}

void pl_conf_case_free(PlConfCase* c) {
  free(c->inputs);
  free(c->outputs);
  memset(c, 0, sizeof(*c));
}

/* ---- Strings ------------------------------------------------------------- */

static int32_t pl_conf_get_i32(const unsigned char* p) {
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
               (uint32_t)p[3] << 24;
  int32_t out;
  memcpy(&out, &v, sizeof(out));
  return out;
}

int32_t pl_conf_strings_count(const unsigned char* buffer, size_t size) {
  if (size < 4) return -1;
  int32_t count = pl_conf_get_i32(buffer);
  if (count < 0 || (size_t)count + 2 > size / 4) return -1;
  size_t header = 4 * ((size_t)count + 2);
  int32_t previous = (int32_t)header;
  for (int32_t i = 0; i <= count; ++i) {
    int32_t at = pl_conf_get_i32(buffer + 4 + 4 * (size_t)i);
    if (at < previous || (size_t)at > size) return -1;
    if (i == 0 && (size_t)at != header) return -1;
    previous = at;
  }
  if ((size_t)previous != size) return -1;  /* no trailing bytes */
  return count;
}

void pl_conf_strings_get(const unsigned char* buffer, int32_t index,
                         const char** data, size_t* length) {
  int32_t start = pl_conf_get_i32(buffer + 4 + 4 * (size_t)index);
  int32_t end = pl_conf_get_i32(buffer + 8 + 4 * (size_t)index);
  *data = (const char*)buffer + start;
  *length = (size_t)(end - start);
}

static void pl_conf_put_i32(unsigned char* p, int32_t value) {
  uint32_t v;
  memcpy(&v, &value, sizeof(v));
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

unsigned char* pl_conf_strings_encode(int32_t count, const char* const* data,
                                      const size_t* lengths, size_t* size) {
  if (count < 0) return NULL;
  size_t total = 4 * ((size_t)count + 2);
  for (int32_t i = 0; i < count; ++i) {
    total += lengths[i];
    if (total > INT32_MAX) return NULL;
  }
  unsigned char* out = (unsigned char*)malloc(total ? total : 1);
  if (!out) return NULL;
  pl_conf_put_i32(out, count);
  size_t at = 4 * ((size_t)count + 2);
  for (int32_t i = 0; i < count; ++i) {
    pl_conf_put_i32(out + 4 + 4 * (size_t)i, (int32_t)at);
    if (lengths[i]) memcpy(out + at, data[i], lengths[i]);
    at += lengths[i];
  }
  pl_conf_put_i32(out + 4 + 4 * (size_t)count, (int32_t)at);
  *size = total;
  return out;
}

bool pl_conf_tensor_load(const PlConfManifest* m, const PlConfTensor* t,
                         unsigned char** data, size_t* size, char* error,
                         size_t error_size) {
  char* path = pl_conf_path(m, t->file);
  if (!path) {
    pl_conf_say(error, error_size, "out of memory");
    return false;
  }
  *data = pl_conf_read_file(path, size, error, error_size);
  free(path);
  if (!*data) return false;
  if (t->type == kTfLiteString) {
    int32_t count = pl_conf_strings_count(*data, *size);
    if (count < 0 || (int64_t)count != t->elements) {
      pl_conf_say(error, error_size,
                  "%s: %s is not a string buffer of %lld strings", t->name,
                  t->file, (long long)t->elements);
      goto fail;
    }
    return true;
  }
  if ((uint64_t)*size != (uint64_t)t->elements * t->item_size) {
    pl_conf_say(error, error_size, "%s: %s has %zu bytes, its %s shape needs "
                "%lld", t->name, t->file, *size, t->dtype,
                (long long)(t->elements * (int64_t)t->item_size));
    goto fail;
  }
  return true;
fail:
  free(*data);
  *data = NULL;
  return false;
}

/* ---- Comparison ---------------------------------------------------------- */

static double pl_conf_half(uint16_t h) {
  int exponent = (h >> 10) & 0x1F;
  int mantissa = h & 0x3FF;
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * ldexp((double)mantissa, -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * ldexp((double)(mantissa | 0x400), exponent - 25);
}

/* Element `i` (component `part` of a complex) as a double. */
static double pl_conf_real(TfLiteType type, const unsigned char* data,
                           int64_t i, int part) {
  float f;
  double d;
  uint16_t h;
  switch (type) {
    case kTfLiteFloat32:
      memcpy(&f, data + 4 * i, 4);
      return f;
    case kTfLiteFloat64:
      memcpy(&d, data + 8 * i, 8);
      return d;
    case kTfLiteFloat16:
      memcpy(&h, data + 2 * i, 2);
      return pl_conf_half(h);
    case kTfLiteComplex64:
      memcpy(&f, data + 8 * i + 4 * part, 4);
      return f;
    case kTfLiteComplex128:
      memcpy(&d, data + 16 * i + 8 * part, 8);
      return d;
    default:
      return 0;
  }
}

static bool pl_conf_is_complex(TfLiteType t) {
  return t == kTfLiteComplex64 || t == kTfLiteComplex128;
}

static bool pl_conf_is_float(TfLiteType t) {
  return t == kTfLiteFloat32 || t == kTfLiteFloat64 || t == kTfLiteFloat16 ||
         pl_conf_is_complex(t);
}

/* Integer element as text, for messages. */
static void pl_conf_int_text(TfLiteType type, const unsigned char* p,
                             char* out, size_t n) {
  int8_t i8; uint8_t u8; int16_t i16; uint16_t u16;
  int32_t i32; uint32_t u32; int64_t i64; uint64_t u64;
  switch (type) {
    case kTfLiteInt8: memcpy(&i8, p, 1); snprintf(out, n, "%d", i8); break;
    case kTfLiteBool:
    case kTfLiteUInt8: memcpy(&u8, p, 1); snprintf(out, n, "%u", u8); break;
    case kTfLiteInt16: memcpy(&i16, p, 2); snprintf(out, n, "%d", i16); break;
    case kTfLiteUInt16: memcpy(&u16, p, 2); snprintf(out, n, "%u", u16); break;
    case kTfLiteInt32: memcpy(&i32, p, 4); snprintf(out, n, "%d", i32); break;
    case kTfLiteUInt32: memcpy(&u32, p, 4); snprintf(out, n, "%u", u32); break;
    case kTfLiteInt64:
      memcpy(&i64, p, 8);
      snprintf(out, n, "%lld", (long long)i64);
      break;
    case kTfLiteUInt64:
      memcpy(&u64, p, 8);
      snprintf(out, n, "%llu", (unsigned long long)u64);
      break;
    default: snprintf(out, n, "?"); break;
  }
}

static void pl_conf_shape_text(int rank, const int* dims, char* out,
                               size_t n) {
  size_t used = 0;
  used += (size_t)snprintf(out, n, "[");
  for (int d = 0; d < rank && used < n; ++d)
    used += (size_t)snprintf(out + used, n - used, d ? ", %d" : "%d",
                             dims[d]);
  if (used < n) snprintf(out + used, n - used, "]");
}

bool pl_conf_compare(const PlConfTensor* spec, const unsigned char* expected,
                     size_t expected_size, const PlConfOutput* got,
                     char* message, size_t message_size) {
  if (got->type != spec->type) {
    pl_conf_say(message, message_size, "%s: dtype %s, expected %s",
                spec->name, pl_conf_type_name(got->type), spec->dtype);
    return false;
  }
  bool same_shape = got->rank == spec->rank;
  for (int d = 0; same_shape && d < spec->rank; ++d)
    same_shape = got->dims[d] == spec->dims[d];
  if (!same_shape) {
    char a[256], b[256];
    pl_conf_shape_text(got->rank, got->dims, a, sizeof(a));
    pl_conf_shape_text(spec->rank, spec->dims, b, sizeof(b));
    pl_conf_say(message, message_size, "%s: shape %s, expected %s",
                spec->name, a, b);
    return false;
  }
  if (spec->type == kTfLiteString) {
    int32_t n = pl_conf_strings_count(got->data, got->size);
    if (n != (int32_t)spec->elements) {
      pl_conf_say(message, message_size,
                  "%s: malformed string buffer (%d strings for %lld)",
                  spec->name, n, (long long)spec->elements);
      return false;
    }
    for (int32_t i = 0; i < n; ++i) {
      const char *a, *b;
      size_t la, lb;
      pl_conf_strings_get(got->data, i, &a, &la);
      pl_conf_strings_get(expected, i, &b, &lb);
      if (la != lb || (la && memcmp(a, b, la) != 0)) {
        pl_conf_say(message, message_size,
                    "%s: string %d is '%.*s', expected '%.*s'", spec->name, i,
                    (int)(la > 80 ? 80 : la), a, (int)(lb > 80 ? 80 : lb), b);
        return false;
      }
    }
    return true;
  }
  if (got->size != expected_size) {
    pl_conf_say(message, message_size, "%s: %zu bytes, expected %zu",
                spec->name, got->size, expected_size);
    return false;
  }
  if (!pl_conf_is_float(spec->type)) {
    if (expected_size == 0 || memcmp(got->data, expected, expected_size) == 0)
      return true;
    for (int64_t i = 0; i < spec->elements; ++i) {
      const unsigned char* a = got->data + i * (int64_t)spec->item_size;
      const unsigned char* b = expected + i * (int64_t)spec->item_size;
      if (memcmp(a, b, spec->item_size) != 0) {
        char ta[32], tb[32];
        pl_conf_int_text(spec->type, a, ta, sizeof(ta));
        pl_conf_int_text(spec->type, b, tb, sizeof(tb));
        pl_conf_say(message, message_size,
                    "%s: element %lld is %s, expected %s", spec->name,
                    (long long)i, ta, tb);
        return false;
      }
    }
    return true;
  }
  bool complex = pl_conf_is_complex(spec->type);
  double largest = 0;
  for (int64_t i = 0; i < spec->elements; ++i) {
    double re = pl_conf_real(spec->type, expected, i, 0);
    double im = complex ? pl_conf_real(spec->type, expected, i, 1) : 0;
    double mag = complex ? hypot(re, im) : fabs(re);
    if (isfinite(mag) && mag > largest) largest = mag;
  }
  double bound = spec->tolerance * largest;
  int64_t bad = 0, first = -1;
  double worst = 0;
  for (int64_t i = 0; i < spec->elements; ++i) {
    bool ok = true;
    double diff = 0;
    for (int part = 0; part < (complex ? 2 : 1); ++part) {
      double w = pl_conf_real(spec->type, expected, i, part);
      double g = pl_conf_real(spec->type, got->data, i, part);
      if (isnan(w)) {
        ok = ok && isnan(g);
      } else if (isinf(w)) {
        ok = ok && g == w;
      } else if (!isfinite(g)) {
        ok = false;
      } else {
        diff = complex ? hypot(diff, g - w) : fabs(g - w);
      }
    }
    if (ok && diff > bound) ok = false;
    if (!ok) {
      if (first < 0) first = i;
      ++bad;
      if (diff > worst) worst = diff;
    }
  }
  if (bad == 0) return true;
  pl_conf_say(message, message_size,
              "%s: %lld of %lld elements differ by more than %g (tolerance "
              "%g x max|expected| %g); first at %lld: got %.9g, expected "
              "%.9g; largest difference %g",
              spec->name, (long long)bad, (long long)spec->elements, bound,
              spec->tolerance, largest, (long long)first,
              pl_conf_real(spec->type, got->data, first, 0),
              pl_conf_real(spec->type, expected, first, 0), worst);
  return false;
}

/* ---- Output files -------------------------------------------------------- */

/* Appends `part` to `path` (of capacity n) with unsafe characters replaced;
 * '/' is kept when keep_slash. */
static bool pl_conf_append_clean(char* path, size_t n, const char* part,
                                 bool keep_slash) {
  size_t used = strlen(path);
  bool segment_start = true;
  for (const char* p = part; *p; ++p) {
    char c = *p;
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (c == '/' && keep_slash) {
      safe = true;
    } else if (c == '.' && segment_start) {
      safe = false;
    }
    if (used + 1 >= n) return false;
    path[used++] = safe ? c : '_';
    segment_start = c == '/' && keep_slash;
  }
  path[used] = '\0';
  return true;
}

static bool pl_conf_output_path(const char* root, const char* lang,
                                const char* case_name, const char* output,
                                char* path, size_t n) {
  int w = snprintf(path, n, "%s/%s/", root, lang);
  if (w < 0 || (size_t)w >= n) return false;
  if (!pl_conf_append_clean(path, n, case_name, true)) return false;
  if (strlen(path) + 2 >= n) return false;
  strcat(path, "/");
  if (!pl_conf_append_clean(path, n, output, false)) return false;
  if (strlen(path) + 5 >= n) return false;
  strcat(path, ".bin");
  return true;
}

static bool pl_conf_mkdirs(char* path) {
  /* Creates every directory on the way to the last '/' of `path`. */
  for (char* p = path + 1; *p; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    int rc = mkdir(path, 0777);
    int err = errno;
    *p = '/';
    if (rc != 0 && err != EEXIST) return false;
  }
  return true;
}

void pl_conf_output_clear(const char* root, const char* lang,
                          const PlConfCase* c) {
  char path[4096];
  for (size_t i = 0; i < c->num_outputs; ++i)
    if (pl_conf_output_path(root, lang, c->name, c->outputs[i].name, path,
                            sizeof(path)))
      remove(path);
}

bool pl_conf_output_write(const char* root, const char* lang,
                          const char* case_name, const char* output_name,
                          const void* data, size_t size, char* error,
                          size_t error_size) {
  char path[4096];
  if (!pl_conf_output_path(root, lang, case_name, output_name, path,
                           sizeof(path))) {
    pl_conf_say(error, error_size, "output path too long");
    return false;
  }
  if (!pl_conf_mkdirs(path)) {
    pl_conf_say(error, error_size, "cannot create the directory of %s: %s",
                path, strerror(errno));
    return false;
  }
  FILE* f = fopen(path, "wb");
  if (!f) {
    pl_conf_say(error, error_size, "cannot write %s: %s", path,
                strerror(errno));
    return false;
  }
  bool ok = size == 0 || fwrite(data, 1, size, f) == size;
  ok = fclose(f) == 0 && ok;
  if (!ok) pl_conf_say(error, error_size, "cannot write %s", path);
  return ok;
}
