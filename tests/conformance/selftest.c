/* Checks of the conformance runners' own parts: the JSON reader, the string
 * layout and the comparison rule (conformance.h). No interpreter involved. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "json.h"

static int failures = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                     \
    }                                                                 \
  } while (0)

static bool parses(const char* text) {
  char error[256];
  PlJson* v = pl_json_parse(text, strlen(text), error, sizeof(error));
  pl_json_free(v);
  return v != NULL;
}

static void test_json(void) {
  const char* doc =
      "{\"a\": [1, -2.5e3, true, null, NaN, -Infinity], \"b\": \"x\\u00e9"
      "\\ud83d\\ude00\\n\", \"c\": {}}";
  char error[256];
  PlJson* v = pl_json_parse(doc, strlen(doc), error, sizeof(error));
  CHECK(v != NULL);
  const PlJson* a = pl_json_get(v, "a");
  CHECK(pl_json_count(a) == 6);
  CHECK(pl_json_at(a, 1)->number == -2500.0);
  CHECK(pl_json_at(a, 2)->kind == PL_JSON_BOOL && pl_json_at(a, 2)->boolean);
  CHECK(pl_json_at(a, 3)->kind == PL_JSON_NULL);
  CHECK(isnan(pl_json_at(a, 4)->number));
  CHECK(pl_json_at(a, 5)->number == -INFINITY);
  CHECK(pl_json_at(a, 6) == NULL);
  CHECK(strcmp(pl_json_string(pl_json_get(v, "b")),
               "x\xc3\xa9\xf0\x9f\x98\x80\n") == 0);
  CHECK(pl_json_count(pl_json_get(v, "c")) == 0);
  CHECK(pl_json_get(v, "missing") == NULL);
  pl_json_free(v);

  CHECK(!parses(""));
  CHECK(!parses("[1,]"));
  CHECK(!parses("{\"a\" 1}"));
  CHECK(!parses("\"unterminated"));
  CHECK(!parses("\"\\ud83d\""));  /* unpaired surrogate */
  CHECK(!parses("01"));
  CHECK(!parses("1."));
  CHECK(!parses("[] x"));
  CHECK(!parses("\"tab\tinside\""));
  char deep[300];
  memset(deep, '[', sizeof(deep));
  CHECK(pl_json_parse(deep, sizeof(deep), error, sizeof(error)) == NULL);
  CHECK(strstr(error, "nesting") != NULL);
}

static void test_strings(void) {
  const char* items[] = {"ab", "", "xyz"};
  size_t lengths[] = {2, 0, 3};
  size_t size = 0;
  unsigned char* buf = pl_conf_strings_encode(3, items, lengths, &size);
  CHECK(buf != NULL && size == 4 * 5 + 5);
  CHECK(pl_conf_strings_count(buf, size) == 3);
  const char* s;
  size_t n;
  pl_conf_strings_get(buf, 2, &s, &n);
  CHECK(n == 3 && memcmp(s, "xyz", 3) == 0);
  CHECK(pl_conf_strings_count(buf, size - 1) == -1);  /* truncated */
  CHECK(pl_conf_strings_count(buf, 7) == -1);
  buf[8] = 0x7f;  /* an offset past the end */
  CHECK(pl_conf_strings_count(buf, size) == -1);
  free(buf);
}

static bool compare_f32(const float* want, const float* got, int n,
                        double tolerance) {
  PlConfTensor spec;
  memset(&spec, 0, sizeof(spec));
  spec.name = "t";
  spec.dtype = "float32";
  spec.type = kTfLiteFloat32;
  spec.item_size = 4;
  spec.rank = 1;
  spec.dims[0] = n;
  spec.elements = n;
  spec.tolerance = tolerance;
  PlConfOutput out = {kTfLiteFloat32, 1, spec.dims,
                      (const unsigned char*)got, 4 * (size_t)n};
  char message[PL_CONF_MESSAGE];
  return pl_conf_compare(&spec, (const unsigned char*)want, 4 * (size_t)n,
                         &out, message, sizeof(message));
}

static void test_compare(void) {
  float want[4] = {1.0f, -100.0f, 0.0f, 3.0f};
  float got[4] = {1.0f, -100.0f, 0.0f, 3.0f};
  CHECK(compare_f32(want, got, 4, 0));
  got[0] = 1.0009f;  /* within 1e-5 * 100 */
  CHECK(compare_f32(want, got, 4, 1e-5));
  got[0] = 1.002f;
  CHECK(!compare_f32(want, got, 4, 1e-5));
  got[0] = 1.0f;
  /* NaN needs NaN; infinity the same infinity; the max ignores them. */
  want[2] = NAN;
  CHECK(!compare_f32(want, got, 4, 1e-5));
  got[2] = NAN;
  CHECK(compare_f32(want, got, 4, 1e-5));
  want[3] = INFINITY;
  got[3] = 1e30f;
  CHECK(!compare_f32(want, got, 4, 1e-5));
  got[3] = INFINITY;
  CHECK(compare_f32(want, got, 4, 1e-5));
  got[1] = NAN;
  CHECK(!compare_f32(want, got, 4, 1e30));

  /* Integers are exact, and dtype and shape must match. */
  PlConfTensor spec;
  memset(&spec, 0, sizeof(spec));
  spec.name = "i";
  spec.dtype = "int32";
  spec.type = kTfLiteInt32;
  spec.item_size = 4;
  spec.rank = 1;
  spec.dims[0] = 2;
  spec.elements = 2;
  spec.tolerance = 1.0;
  int32_t iw[2] = {5, 7}, ig[2] = {5, 8};
  int dims[1] = {2};
  PlConfOutput out = {kTfLiteInt32, 1, dims, (const unsigned char*)ig, 8};
  char message[PL_CONF_MESSAGE];
  CHECK(!pl_conf_compare(&spec, (const unsigned char*)iw, 8, &out, message,
                         sizeof(message)));
  CHECK(strstr(message, "element 1 is 8, expected 7") != NULL);
  ig[1] = 7;
  CHECK(pl_conf_compare(&spec, (const unsigned char*)iw, 8, &out, message,
                        sizeof(message)));
  out.type = kTfLiteInt64;
  CHECK(!pl_conf_compare(&spec, (const unsigned char*)iw, 8, &out, message,
                         sizeof(message)));
  out.type = kTfLiteInt32;
  dims[0] = 1;
  CHECK(!pl_conf_compare(&spec, (const unsigned char*)iw, 8, &out, message,
                         sizeof(message)));
}

int main(void) {
  test_json();
  test_strings();
  test_compare();
  printf("conformance selftest: %s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
