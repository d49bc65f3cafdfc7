/* pylite: loading a built model for a C test, shared by the tests that
 * build their models in memory (test_kernels, test_graph, test_binary).
 * Errors go only to PyliteGetLastError (the quiet reporter), so a test can
 * assert on them without noise. */
#ifndef PYLITE_TESTS_RUN_UTIL_H_
#define PYLITE_TESTS_RUN_UTIL_H_

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pylite/c_api.h"
#include "pylite/pylite.h"

typedef struct Run {
  uint8_t* bytes; /* owned: the model data must outlive the model */
  TfLiteModel* model;
  TfLiteInterpreter* interp;
} Run;

/* Loads `bytes` (taking ownership) into a model and an interpreter; either
 * may be NULL afterwards if that step failed. */
static inline void run_load(Run* r, uint8_t* bytes, size_t size) {
  memset(r, 0, sizeof(*r));
  r->bytes = bytes;
  r->model = TfLiteModelCreateWithErrorReporter(bytes, size,
                                                PyliteQuietReporter, NULL);
  if (!r->model) return;
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(opts, PyliteQuietReporter, NULL);
  r->interp = TfLiteInterpreterCreate(r->model, opts);
  TfLiteInterpreterOptionsDelete(opts);
}

static inline void run_close(Run* r) {
  TfLiteInterpreterDelete(r->interp);
  TfLiteModelDelete(r->model);
  free(r->bytes);
  memset(r, 0, sizeof(*r));
}

static inline bool set_input(Run* r, int i, const void* data, size_t bytes) {
  TfLiteTensor* t = TfLiteInterpreterGetInputTensor(r->interp, i);
  return t && TfLiteTensorCopyFromBuffer(t, data, bytes) == kTfLiteOk;
}

#endif /* PYLITE_TESTS_RUN_UTIL_H_ */
