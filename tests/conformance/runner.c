/* The conformance suite through pylite's public C API.
 *
 *   conformance_c [manifest.json] [name-substring...]
 *
 * Runs every case of the manifest (default $PYLITE_CONFORMANCE_MANIFEST, else
 * tests/conformance/manifest.json; paths in it are relative to its directory;
 * with substrings, only the cases whose name contains one) through a
 * signature runner, as the Python runner does: resize every input to its
 * data's shape (non-strict), allocate, copy the inputs, invoke, and compare
 * each output with LiteRT's within the case's tolerance (see conformance.h
 * for the rule). A negative case passes
 * when loading the model, resize, allocate, the input copy or invoke fails
 * with a message that contains its expect_error.
 *
 * With PYLITE_CONFORMANCE_OUT=<dir>, every output read back is written to
 * <dir>/c/<case>/<output>.bin for the cross-language comparison.
 *
 * With PYLITE_CONFORMANCE_THREADS=<n>, every interpreter runs its kernels on
 * n threads, and the outputs go to <dir>/c-threads<n>/ instead; with
 * PYLITE_SIMD=<level> (the library's cap on its vector instructions:
 * portable, avx2, avx512) to <dir>/c-simd-<level>/. tests/cross checks them
 * against the default run: byte-identical for every thread count, and for
 * integer outputs on every instruction set.
 *
 * Prints a line per failing case and a final "N passed, N failed" line;
 * exits 1 if a case failed, 2 if the manifest could not be read. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

/* "c", "c-threads<n>" or "c-simd-<level>" (set in main). */
static char kLang[32] = "c";
static int g_threads = -1; /* TfLiteInterpreterOptionsSetNumThreads's value */

typedef struct {
  const PlConfManifest* manifest;
  const char* out_root;  /* NULL: do not write outputs */
  PlConfCase spec;
  unsigned char** inputs;  /* data of each input */
  size_t* input_sizes;
  TfLiteModel* model;
  TfLiteInterpreterOptions* options;
  TfLiteInterpreter* interpreter;
  TfLiteSignatureRunner* runner;
  char message[PL_CONF_MESSAGE];
} Run;

/* vsnprintf through a helper: truncating a long message is intended. */
static void say(char* out, size_t size, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(out, size, fmt, args);
  va_end(args);
}

static void run_say(Run* r, const char* text) {
  say(r->message, sizeof(r->message), "%s", text);
}

/* Copies the thread's last error before the next call replaces it. */
static void run_take_error(Run* r, const char* stage) {
  const char* last = PyliteGetLastError();
  say(r->message, sizeof(r->message), "%s failed: %s", stage,
      last && last[0] ? last : "(no message)");
}

static bool run_write_input(Run* r, size_t i) {
  const PlConfTensor* t = &r->spec.inputs[i];
  TfLiteTensor* tensor =
      TfLiteSignatureRunnerGetInputTensor(r->runner, t->name);
  if (!tensor) {
    run_take_error(r, "getting an input tensor");
    return false;
  }
  if (TfLiteTensorType(tensor) != t->type) {
    say(r->message, sizeof(r->message),
        "input %s: the tensor is %s, the data %s", t->name,
        pl_conf_type_name(TfLiteTensorType(tensor)), t->dtype);
    return false;
  }
  const unsigned char* data = r->inputs[i];
  size_t size = r->input_sizes[i];
  if (t->type == kTfLiteString) {
    int32_t n = pl_conf_strings_count(data, size);
    const char** items = (const char**)calloc((size_t)n + 1, sizeof(char*));
    size_t* lengths = (size_t*)calloc((size_t)n + 1, sizeof(size_t));
    bool ok = items && lengths;
    for (int32_t k = 0; ok && k < n; ++k)
      pl_conf_strings_get(data, k, &items[k], &lengths[k]);
    if (ok && PyliteTensorWriteStrings(tensor, n, items, lengths) !=
                  kTfLiteOk) {
      run_take_error(r, "writing a string input");
      ok = false;
    } else if (!ok) {
      run_say(r, "out of memory");
    }
    free(items);
    free(lengths);
    return ok;
  }
  if (TfLiteTensorByteSize(tensor) != size) {
    say(r->message, sizeof(r->message),
        "input %s: the tensor has %zu bytes, the data %zu", t->name,
        TfLiteTensorByteSize(tensor), size);
    return false;
  }
  if (size > 0 && TfLiteTensorCopyFromBuffer(tensor, data, size) !=
                      kTfLiteOk) {
    run_take_error(r, "copying an input");
    return false;
  }
  return true;
}

/* Resize, allocate, copy inputs, invoke: the steps whose failure a negative
 * case expects. */
static bool run_invoke(Run* r) {
  for (size_t i = 0; i < r->spec.num_inputs; ++i) {
    const PlConfTensor* t = &r->spec.inputs[i];
    PyliteClearLastError();
    if (PyliteSignatureRunnerResizeInput(r->runner, t->name, t->dims,
                                         t->rank, false) != kTfLiteOk) {
      run_take_error(r, "ResizeInput");
      return false;
    }
  }
  PyliteClearLastError();
  if (TfLiteSignatureRunnerAllocateTensors(r->runner) != kTfLiteOk) {
    run_take_error(r, "AllocateTensors");
    return false;
  }
  for (size_t i = 0; i < r->spec.num_inputs; ++i)
    if (!run_write_input(r, i)) return false;
  PyliteClearLastError();
  if (TfLiteSignatureRunnerInvoke(r->runner) != kTfLiteOk) {
    run_take_error(r, "Invoke");
    return false;
  }
  return true;
}

/* Reads output `t` back: raw bytes, strings re-encoded in TFLite's layout.
 * *owned is set when the bytes were allocated here. */
static bool run_read_output(Run* r, const TfLiteTensor* tensor,
                            PlConfOutput* got, int* dims,
                            unsigned char** owned) {
  *owned = NULL;
  got->type = TfLiteTensorType(tensor);
  got->rank = TfLiteTensorNumDims(tensor);
  if (got->rank < 0) got->rank = 0;
  if (got->rank > PL_CONF_MAX_RANK) {
    run_say(r, "an output has too many dimensions");
    return false;
  }
  for (int d = 0; d < got->rank; ++d) dims[d] = TfLiteTensorDim(tensor, d);
  got->dims = dims;
  if (got->type == kTfLiteString) {
    int32_t n = PyliteTensorGetStringCount(tensor);
    if (n < 0) {
      run_take_error(r, "reading a string output");
      return false;
    }
    const char** items = (const char**)calloc((size_t)n + 1, sizeof(char*));
    size_t* lengths = (size_t*)calloc((size_t)n + 1, sizeof(size_t));
    bool ok = items && lengths;
    for (int32_t k = 0; ok && k < n; ++k) {
      if (PyliteTensorGetString(tensor, k, &items[k], &lengths[k]) !=
          kTfLiteOk) {
        run_take_error(r, "reading a string output");
        ok = false;
      }
    }
    size_t size = 0;
    if (ok) *owned = pl_conf_strings_encode(n, items, lengths, &size);
    free(items);
    free(lengths);
    if (!*owned) {
      if (ok) run_say(r, "out of memory");
      return false;
    }
    got->data = *owned;
    got->size = size;
    return true;
  }
  got->size = TfLiteTensorByteSize(tensor);
  got->data = (const unsigned char*)TfLiteTensorData(tensor);
  if (!got->data && got->size > 0) {
    run_say(r, "an output has no data");
    return false;
  }
  if (!got->data) got->data = (const unsigned char*)"";
  return true;
}

static bool run_outputs(Run* r) {
  size_t count = TfLiteSignatureRunnerGetOutputCount(r->runner);
  if (count != r->spec.num_outputs) {
    say(r->message, sizeof(r->message),
        "the signature has %zu outputs, the manifest %zu", count,
        r->spec.num_outputs);
    return false;
  }
  bool all_ok = true;
  int failures = 0;
  char first[PL_CONF_MESSAGE] = "";
  for (size_t i = 0; i < r->spec.num_outputs; ++i) {
    const PlConfTensor* t = &r->spec.outputs[i];
    char detail[PL_CONF_MESSAGE];
    bool ok = false;
    const TfLiteTensor* tensor =
        TfLiteSignatureRunnerGetOutputTensor(r->runner, t->name);
    unsigned char* expected = NULL;
    unsigned char* owned = NULL;
    size_t expected_size = 0;
    PlConfOutput got;
    int dims[PL_CONF_MAX_RANK];
    if (!tensor) {
      say(detail, sizeof(detail), "no output named %s: %s", t->name,
          PyliteGetLastError());
    } else if (!run_read_output(r, tensor, &got, dims, &owned)) {
      say(detail, sizeof(detail), "%s: %s", t->name, r->message);
    } else {
      ok = true;
      if (r->out_root &&
          !pl_conf_output_write(r->out_root, kLang, r->spec.name, t->name,
                                got.data, got.size, detail, sizeof(detail)))
        ok = false;
      if (ok && !pl_conf_tensor_load(r->manifest, t, &expected,
                                     &expected_size, detail, sizeof(detail)))
        ok = false;
      if (ok && !pl_conf_compare(t, expected, expected_size, &got, detail,
                                 sizeof(detail)))
        ok = false;
    }
    free(owned);
    free(expected);
    if (!ok) {
      if (failures++ == 0) say(first, sizeof(first), "%s", detail);
      all_ok = false;
    }
  }
  if (!all_ok) {
    if (failures > 1)
      say(r->message, sizeof(r->message), "%s (and %d more outputs)",
          first, failures - 1);
    else
      say(r->message, sizeof(r->message), "%s", first);
  }
  return all_ok;
}

/* A negative case's verdict: it must have failed (ran is false), with a
 * message containing expect_error. */
static bool run_expected_error(Run* r, bool ran) {
  if (ran) {
    say(r->message, sizeof(r->message),
        "expected an error containing '%s', but the case ran",
        r->spec.expect_error);
    return false;
  }
  if (!strstr(r->message, r->spec.expect_error)) {
    char got[PL_CONF_MESSAGE];
    say(got, sizeof(got), "%s", r->message);
    say(r->message, sizeof(r->message),
        "expected an error containing '%s', got: %s", r->spec.expect_error,
        got);
    return false;
  }
  return true;
}

static bool run_case(Run* r, size_t index) {
  if (!pl_conf_case_parse(r->manifest, index, &r->spec, r->message,
                          sizeof(r->message)))
    return false;
  if (r->out_root) pl_conf_output_clear(r->out_root, kLang, &r->spec);
  size_t n = r->spec.num_inputs;
  r->inputs = (unsigned char**)calloc(n + 1, sizeof(unsigned char*));
  r->input_sizes = (size_t*)calloc(n + 1, sizeof(size_t));
  if (!r->inputs || !r->input_sizes) {
    run_say(r, "out of memory");
    return false;
  }
  for (size_t i = 0; i < n; ++i)
    if (!pl_conf_tensor_load(r->manifest, &r->spec.inputs[i], &r->inputs[i],
                             &r->input_sizes[i], r->message,
                             sizeof(r->message)))
      return false;

  char* model_path = pl_conf_path(r->manifest, r->spec.model);
  if (!model_path) {
    run_say(r, "out of memory");
    return false;
  }
  PyliteClearLastError();
  r->model = TfLiteModelCreateFromFileWithErrorReporter(
      model_path, PyliteQuietReporter, NULL);
  free(model_path);
  if (!r->model) {
    run_take_error(r, "loading the model");
    return r->spec.expect_error && run_expected_error(r, false);
  }
  r->options = TfLiteInterpreterOptionsCreate();
  if (!r->options) {
    run_say(r, "out of memory");
    return false;
  }
  TfLiteInterpreterOptionsSetErrorReporter(r->options, PyliteQuietReporter,
                                           NULL);
  TfLiteInterpreterOptionsSetNumThreads(r->options, g_threads);
  PyliteClearLastError();
  r->interpreter = TfLiteInterpreterCreate(r->model, r->options);
  if (!r->interpreter) {
    run_take_error(r, "creating the interpreter");
    return false;
  }
  PyliteClearLastError();
  r->runner = TfLiteInterpreterGetSignatureRunner(r->interpreter,
                                                  r->spec.signature);
  if (!r->runner) {
    run_take_error(r, "getting the signature runner");
    return false;
  }
  size_t runner_inputs = TfLiteSignatureRunnerGetInputCount(r->runner);
  if (runner_inputs != n) {
    say(r->message, sizeof(r->message),
        "the signature has %zu inputs, the manifest %zu", runner_inputs,
        n);
    return false;
  }

  bool ran = run_invoke(r);
  if (r->spec.expect_error) return run_expected_error(r, ran);
  return ran && run_outputs(r);
}

static void run_reset(Run* r) {
  TfLiteSignatureRunnerDelete(r->runner);
  TfLiteInterpreterDelete(r->interpreter);
  TfLiteInterpreterOptionsDelete(r->options);
  TfLiteModelDelete(r->model);
  for (size_t i = 0; r->inputs && i < r->spec.num_inputs; ++i)
    free(r->inputs[i]);
  free(r->inputs);
  free(r->input_sizes);
  pl_conf_case_free(&r->spec);
  const PlConfManifest* manifest = r->manifest;
  const char* out_root = r->out_root;
  memset(r, 0, sizeof(*r));
  r->manifest = manifest;
  r->out_root = out_root;
}

static bool selected(const char* name, int argc, char** argv) {
  if (argc <= 2) return true;
  for (int i = 2; i < argc; ++i)
    if (strstr(name, argv[i])) return true;
  return false;
}

int main(int argc, char** argv) {
  const char* manifest_path = argc > 1 ? argv[1]
                              : getenv("PYLITE_CONFORMANCE_MANIFEST");
  if (!manifest_path || !manifest_path[0])
    manifest_path = "tests/conformance/manifest.json";
  PlConfManifest manifest;
  char error[PL_CONF_MESSAGE];
  if (!pl_conf_manifest_load(manifest_path, &manifest, error,
                             sizeof(error))) {
    fprintf(stderr, "conformance (c): %s\n", error);
    return 2;
  }
  const char* out_root = getenv("PYLITE_CONFORMANCE_OUT");
  if (out_root && !out_root[0]) out_root = NULL;
  const char* threads = getenv("PYLITE_CONFORMANCE_THREADS");
  if (threads && threads[0]) {
    char* end = NULL;
    long n = strtol(threads, &end, 10);
    if (*end || n < 1 || n > 64) {
      fprintf(stderr, "conformance (c): PYLITE_CONFORMANCE_THREADS must be "
              "a number from 1 to 64, got '%s'\n", threads);
      pl_conf_manifest_free(&manifest);
      return 2;
    }
    g_threads = (int)n;
    snprintf(kLang, sizeof(kLang), "c-threads%d", g_threads);
  }
  const char* simd = getenv("PYLITE_SIMD");
  if (simd && simd[0]) {
    if (g_threads > 0 || strlen(simd) > 12 ||
        strspn(simd, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(simd)) {
      fprintf(stderr, "conformance (c): PYLITE_SIMD must be a level name "
              "(portable, avx2, avx512), without PYLITE_CONFORMANCE_THREADS; "
              "got '%s'\n", simd);
      pl_conf_manifest_free(&manifest);
      return 2;
    }
    snprintf(kLang, sizeof(kLang), "c-simd-%s", simd);
  }

  Run* r = (Run*)calloc(1, sizeof(Run));
  if (!r) {
    pl_conf_manifest_free(&manifest);
    return 2;
  }
  r->manifest = &manifest;
  r->out_root = out_root;
  int passed = 0, failed = 0;
  for (size_t i = 0; i < pl_conf_case_count(&manifest); ++i) {
    char scratch[64];
    const char* name = pl_conf_case_name(&manifest, i, scratch,
                                         sizeof(scratch));
    if (!selected(name, argc, argv)) continue;
    if (run_case(r, i)) {
      ++passed;
    } else {
      ++failed;
      /* One line per case: the core joins its messages with newlines. */
      for (char* c = r->message; *c; ++c)
        if (*c == '\n') *c = ' ';
      printf("FAIL %s: %s\n", name, r->message);
    }
    run_reset(r);
  }
  printf("conformance (%s): %d passed, %d failed\n", kLang, passed, failed);
  free(r);
  pl_conf_manifest_free(&manifest);
  return failed ? 1 : 0;
}
