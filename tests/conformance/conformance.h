/* Shared parts of the C and C++ conformance runners: the manifest, the data
 * files, the comparison rule and the output files. Nothing here touches the
 * interpreter; each runner drives pylite through its own language's API.
 *
 * Data files are raw little-endian tensors; string tensors are in TFLite's
 * layout (int32 count, count + 1 int32 offsets from the buffer's start,
 * bytes). The comparison rule, the same in every runner:
 *  - dtype and shape must equal the manifest's;
 *  - integers, bools and strings must be identical;
 *  - floats (and complex numbers, by modulus of the difference):
 *    |got - expected| <= tolerance * max|expected|, the max taken over the
 *    finite expected values; an expected NaN needs a NaN and an expected
 *    infinity the same infinity. */
#ifndef PYLITE_TESTS_CONFORMANCE_CONFORMANCE_H_
#define PYLITE_TESTS_CONFORMANCE_CONFORMANCE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "pylite/c_api_types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { PL_CONF_MAX_RANK = 16, PL_CONF_MESSAGE = 2048 };

typedef struct {
  const char* name;
  const char* dtype;   /* manifest name: "float32", "string", ... */
  TfLiteType type;
  size_t item_size;    /* bytes per element; 0 for strings */
  int rank;
  int dims[PL_CONF_MAX_RANK];
  int64_t elements;
  const char* file;    /* relative to the manifest's directory */
  double tolerance;    /* outputs only */
} PlConfTensor;

typedef struct {
  const char* name;
  const char* model;
  const char* signature;
  const char* expect_error;  /* NULL for a positive case */
  size_t num_inputs;
  size_t num_outputs;
  PlConfTensor* inputs;
  PlConfTensor* outputs;
} PlConfCase;

typedef struct {
  PlJson* root;
  const PlJson* cases;
  char* dir;  /* the manifest's directory */
} PlConfManifest;

/* Reads and parses the manifest. false with a message on failure. */
bool pl_conf_manifest_load(const char* path, PlConfManifest* manifest,
                           char* error, size_t error_size);
void pl_conf_manifest_free(PlConfManifest* manifest);
size_t pl_conf_case_count(const PlConfManifest* manifest);
/* The case's name, or "case #<index>" if it has none (for messages). */
const char* pl_conf_case_name(const PlConfManifest* manifest, size_t index,
                              char* scratch, size_t scratch_size);
/* Reads case `index`; strings point into the manifest. */
bool pl_conf_case_parse(const PlConfManifest* manifest, size_t index,
                        PlConfCase* out, char* error, size_t error_size);
void pl_conf_case_free(PlConfCase* c);

/* <manifest dir>/<relative>; the caller frees it. */
char* pl_conf_path(const PlConfManifest* manifest, const char* relative);

/* Reads a tensor's data file and checks its size against dtype and shape
 * (for strings: a well-formed buffer holding `elements` strings). */
bool pl_conf_tensor_load(const PlConfManifest* manifest,
                         const PlConfTensor* tensor, unsigned char** data,
                         size_t* size, char* error, size_t error_size);

/* String buffers in TFLite's layout. */
int32_t pl_conf_strings_count(const unsigned char* buffer, size_t size);
void pl_conf_strings_get(const unsigned char* buffer, int32_t index,
                         const char** data, size_t* length);
/* Encodes `count` strings; the caller frees the result. NULL on overflow. */
unsigned char* pl_conf_strings_encode(int32_t count, const char* const* data,
                                      const size_t* lengths, size_t* size);

/* What a runner read back from an output tensor. */
typedef struct {
  TfLiteType type;
  int rank;
  const int* dims;
  const unsigned char* data;  /* raw bytes; strings re-encoded canonically */
  size_t size;
} PlConfOutput;

/* Applies the comparison rule; false with the first difference in
 * `message`. */
bool pl_conf_compare(const PlConfTensor* spec, const unsigned char* expected,
                     size_t expected_size, const PlConfOutput* got,
                     char* message, size_t message_size);

const char* pl_conf_type_name(TfLiteType type);

/* Output files: <root>/<lang>/<case name>/<output name>.bin, each path part
 * reduced to [A-Za-z0-9._-] (others become '_', as a leading '.' does).
 * pl_conf_output_clear removes the case's previous files so that a stale
 * file can never stand in for an output the runner did not produce. */
void pl_conf_output_clear(const char* root, const char* lang,
                          const PlConfCase* c);
bool pl_conf_output_write(const char* root, const char* lang,
                          const char* case_name, const char* output_name,
                          const void* data, size_t size, char* error,
                          size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* PYLITE_TESTS_CONFORMANCE_CONFORMANCE_H_ */
