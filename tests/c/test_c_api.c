/* pylite: tests of the public C API on the guide's models, including every
 * error path, concurrent runners and mutated (hostile) model files.
 * Run from the repository root (ctest sets the working directory). */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

#include "check.h"
#include "pylite/pylite.h"

#define CODING "examples/models/coding.tflite"
#define DENSE "examples/models/dense.tflite"
#define NOSIG "tests/data/dense_nosig.tflite"
#define INT8_CNN "tests/data/quantized/int8_cnn.tflite"

/* Recorded from ai-edge-litert 2.3 (tests/data/litert_reference.json): the
 * dense model's serving_default on [[1, 2, 3, 4]]. */
static const float kDenseReference = 1.5117401f;

static TfLiteInterpreter* make(const char* path) {
  TfLiteModel* model = TfLiteModelCreateFromFile(path);
  if (!model) return NULL;
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(options, PyliteQuietReporter, NULL);
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, options);
  TfLiteInterpreterOptionsDelete(options);
  TfLiteModelDelete(model); /* the interpreter keeps it alive */
  return interp;
}

/* ---- Versions, models, options ---------------------------------------- */

static int reported_count = 0;
static char reported[512];
static void counting_reporter(void* user_data, const char* fmt, va_list args) {
  ++*(int*)user_data;
  vsnprintf(reported, sizeof(reported), fmt, args);
}

static void test_versions(void) {
  CHECK(strcmp(TfLiteVersion(), "2.21.0") == 0);
  CHECK(TfLiteSchemaVersion() == 3);
  CHECK(strcmp(TfLiteTypeGetName(kTfLiteFloat32), "FLOAT32") == 0);
  CHECK(strcmp(TfLiteTypeGetName(kTfLiteNoType), "NOTYPE") == 0);
  CHECK(strcmp(TfLiteTypeGetName(kTfLiteFloat8E4M3FN), "FLOAT8_E4M3FN") == 0);
  CHECK(strcmp(TfLiteTypeGetName((TfLiteType)99), "Unknown type") == 0);
}

static void test_model_errors(void) {
  CHECK(TfLiteModelCreateWithErrorReporter(NULL, 10, counting_reporter,
                                           &reported_count) == NULL);
  CHECK(reported_count == 1);
  CHECK_CONTAINS(PyliteGetLastError(), "null/empty");
  const char junk[] = "this is not a flatbuffer at all, not even close";
  CHECK(TfLiteModelCreateWithErrorReporter(junk, sizeof(junk),
                                           counting_reporter,
                                           &reported_count) == NULL);
  CHECK(reported_count == 2);
  CHECK_CONTAINS(reported, "not a valid Flatbuffer");
  CHECK(TfLiteModelCreateFromFileWithErrorReporter(
            "/nonexistent/model.tflite", counting_reporter,
            &reported_count) == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "/nonexistent/model.tflite");
  CHECK(TfLiteModelCreateFromFileWithErrorReporter(
            "tests", counting_reporter, &reported_count) == NULL);
  CHECK(reported_count == 4);
  TfLiteModelDelete(NULL);
  TfLiteInterpreterDelete(NULL);
  TfLiteSignatureRunnerDelete(NULL);
  TfLiteInterpreterOptionsDelete(NULL);
  CHECK(TfLiteInterpreterOptionsCopy(NULL) == NULL);

  /* From memory; the caller keeps the bytes alive. */
  size_t size = 0;
  unsigned char* bytes = check_read_file(DENSE, &size);
  CHECK(bytes != NULL);
  TfLiteModel* model = TfLiteModelCreate(bytes, size);
  CHECK(model != NULL);

  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(options, counting_reporter,
                                           &reported_count);
  TfLiteInterpreterOptionsSetNumThreads(options, 0);
  CHECK(TfLiteInterpreterCreate(model, options) == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "num_threads");
  TfLiteInterpreterOptionsSetNumThreads(options, 2);
  TfLiteInterpreterOptions* copy = TfLiteInterpreterOptionsCopy(options);
  TfLiteInterpreterOptionsDelete(options);
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, copy);
  TfLiteInterpreterOptionsDelete(copy);
  CHECK(interp != NULL);
  TfLiteModelDelete(model);
  /* Errors go to the options' reporter. */
  int before = reported_count;
  CHECK(TfLiteInterpreterInvoke(interp) == kTfLiteError);
  CHECK(reported_count == before + 1);
  CHECK_CONTAINS(reported, "not ready");
  CHECK_CONTAINS(PyliteInterpreterGetLastError(interp), "not ready");
  CHECK(TfLiteInterpreterCancel(interp) == kTfLiteError);
  TfLiteInterpreterDelete(interp);
  free(bytes);
  CHECK(TfLiteInterpreterCreate(NULL, NULL) == NULL);
}

/* ---- The classic API on the dense model ----------------------------------- */

static void test_classic_dense(void) {
  TfLiteInterpreter* interp = make(DENSE);
  CHECK(interp != NULL);
  if (!interp) return;
  CHECK(TfLiteInterpreterGetInputTensorCount(interp) == 1);
  CHECK(TfLiteInterpreterGetOutputTensorCount(interp) == 1);
  CHECK(TfLiteInterpreterGetInputTensor(interp, 1) == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "out of range");
  CHECK(TfLiteInterpreterGetInputTensor(interp, -1) == NULL);
  CHECK(TfLiteInterpreterGetOutputTensor(interp, 5) == NULL);
  CHECK(TfLiteInterpreterGetTensor(interp, 999) == NULL);
  TfLiteTensor* in = TfLiteInterpreterGetInputTensor(interp, 0);
  CHECK(TfLiteTensorType(in) == kTfLiteFloat32);
  CHECK(TfLiteTensorNumDims(in) == 2);
  CHECK(TfLiteTensorDim(in, 1) == 4);
  CHECK(TfLiteTensorDim(in, 2) == -1);
  CHECK(in->dims_signature && in->dims_signature->data[0] == -1);
  CHECK(TfLiteTensorData(in) == NULL); /* before allocation */
  CHECK(TfLiteTensorNumDims(NULL) == -1);
  CHECK(TfLiteTensorData(NULL) == NULL);

  CHECK(TfLiteInterpreterAllocateTensors(interp) == kTfLiteOk);
  CHECK(TfLiteTensorData(in) != NULL);
  CHECK(TfLiteTensorByteSize(in) == 16);
  const float x[4] = {1, 2, 3, 4};
  CHECK(TfLiteTensorCopyFromBuffer(in, x, 12) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "16 bytes");
  CHECK(TfLiteTensorCopyFromBuffer(in, x, sizeof(x)) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(interp) == kTfLiteOk);
  const TfLiteTensor* out = TfLiteInterpreterGetOutputTensor(interp, 0);
  float y = 0;
  CHECK(TfLiteTensorCopyToBuffer(out, &y, 3) == kTfLiteError);
  CHECK(TfLiteTensorCopyToBuffer(out, &y, sizeof(y)) == kTfLiteOk);
  CHECK(y == kDenseReference);
  /* The public struct is readable directly, as TFLite clients do. */
  CHECK(out->data.f[0] == kDenseReference);
  CHECK(out->dims->size == 2 && out->dims->data[0] == 1);

  /* A batch of 3 (non-strict resize of the -1 dim), then a bad resize. */
  const int dims3[] = {3, 4};
  CHECK(TfLiteInterpreterResizeInputTensor(interp, 0, dims3, 2) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(interp) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "not ready");
  CHECK(TfLiteInterpreterAllocateTensors(interp) == kTfLiteOk);
  in = TfLiteInterpreterGetInputTensor(interp, 0);
  const float x3[12] = {1, 2, 3, 4, 0, 0, 0, 0, 1, 2, 3, 4};
  CHECK(TfLiteTensorCopyFromBuffer(in, x3, sizeof(x3)) == kTfLiteOk);
  CHECK(TfLiteInterpreterInvoke(interp) == kTfLiteOk);
  out = TfLiteInterpreterGetOutputTensor(interp, 0);
  CHECK(TfLiteTensorDim(out, 0) == 3);
  CHECK(out->data.f[0] == kDenseReference && out->data.f[2] == kDenseReference);
  const int neg[] = {-2, 4};
  CHECK(TfLiteInterpreterResizeInputTensor(interp, 0, neg, 2) == kTfLiteError);
  CHECK(TfLiteInterpreterResizeInputTensor(interp, 7, dims3, 2) == kTfLiteError);
  const int wrong_k[] = {1, 5};
  CHECK(TfLiteInterpreterResizeInputTensor(interp, 0, wrong_k, 2) == kTfLiteOk);
  CHECK(TfLiteInterpreterAllocateTensors(interp) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "FULLY_CONNECTED");
  TfLiteInterpreterDelete(interp);
}

/* ---- Signature runners ------------------------------------------------------ */

static void write_floats(TfLiteTensor* t, const float* v, int n) {
  void* data = TfLiteTensorData(t);
  CHECK(data != NULL && TfLiteTensorByteSize(t) == sizeof(float) * (size_t)n);
  if (data && TfLiteTensorByteSize(t) == sizeof(float) * (size_t)n)
    memcpy(data, v, sizeof(float) * (size_t)n);
}

static void test_runner_errors(void) {
  TfLiteInterpreter* interp = make(CODING);
  CHECK(interp != NULL);
  if (!interp) return;
  CHECK(TfLiteInterpreterGetSignatureCount(interp) == 2);
  const char* k0 = TfLiteInterpreterGetSignatureKey(interp, 0);
  const char* k1 = TfLiteInterpreterGetSignatureKey(interp, 1);
  CHECK(k0 && k1 && strcmp(k0, k1) != 0);
  CHECK(TfLiteInterpreterGetSignatureKey(interp, 2) == NULL);
  CHECK(TfLiteInterpreterGetSignatureKey(interp, -1) == NULL);
  CHECK(TfLiteInterpreterGetSignatureRunner(interp, "nope") == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "'nope' was not found");
  CHECK_CONTAINS(PyliteGetLastError(), "'encode'");
  CHECK(TfLiteInterpreterGetSignatureRunner(NULL, "encode") == NULL);

  TfLiteSignatureRunner* enc =
      TfLiteInterpreterGetSignatureRunner(interp, "encode");
  CHECK(enc != NULL);
  CHECK(TfLiteSignatureRunnerGetInputCount(enc) == 1);
  CHECK(strcmp(TfLiteSignatureRunnerGetInputName(enc, 0), "x") == 0);
  CHECK(TfLiteSignatureRunnerGetInputName(enc, 1) == NULL);
  CHECK(TfLiteSignatureRunnerGetOutputCount(enc) == 1);
  CHECK(strcmp(TfLiteSignatureRunnerGetOutputName(enc, 0), "encoded_result") == 0);
  CHECK(TfLiteSignatureRunnerGetOutputName(enc, -1) == NULL);
  CHECK(TfLiteSignatureRunnerGetInputTensor(enc, "y") == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "Input name y was not found");
  CHECK_CONTAINS(PyliteGetLastError(), "'x'");
  CHECK(TfLiteSignatureRunnerGetOutputTensor(enc, "x") == NULL);
  CHECK_CONTAINS(PyliteGetLastError(), "'encoded_result'");
  CHECK(TfLiteSignatureRunnerInvoke(enc) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "not ready");
  const int d3[] = {3};
  CHECK(TfLiteSignatureRunnerResizeInputTensor(enc, "nope", d3, 1) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "Input name nope was not found");
  const int d2[] = {3, 1};
  CHECK(TfLiteSignatureRunnerResizeInputTensor(enc, "x", d2, 2) == kTfLiteError);
  CHECK(TfLiteSignatureRunnerResizeInputTensor(NULL, "x", d3, 1) == kTfLiteError);
  CHECK(TfLiteSignatureRunnerAllocateTensors(NULL) == kTfLiteError);
  CHECK(TfLiteSignatureRunnerInvoke(NULL) == kTfLiteError);
  CHECK(TfLiteSignatureRunnerGetInputCount(NULL) == 0);
  TfLiteSignatureRunnerDelete(enc);

  /* Decode: a string input that was never written, then a bad string. */
  TfLiteSignatureRunner* dec =
      TfLiteInterpreterGetSignatureRunner(interp, "decode");
  CHECK(TfLiteSignatureRunnerResizeInputTensor(dec, "x", d3, 1) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerAllocateTensors(dec) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(dec) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "holds 0 strings");
  TfLiteTensor* x = TfLiteSignatureRunnerGetInputTensor(dec, "x");
  const char* bad[] = {"1.5", "abc", "2"};
  const size_t bad_len[] = {3, 3, 1};
  CHECK(PyliteTensorWriteStrings(x, 2, bad, bad_len) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "3 elements but 2 strings");
  CHECK(TfLiteTensorCopyFromBuffer(x, "abc", 3) == kTfLiteError);
  CHECK(PyliteTensorWriteStrings(x, 3, bad, bad_len) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(dec) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(),
                 "StringToNumberOp could not correctly convert string: abc");
  CHECK_CONTAINS(PyliteInterpreterGetLastError(interp), "failed to invoke");
  const char* s = NULL;
  size_t n = 0;
  CHECK(PyliteTensorGetString(x, 1, &s, &n) == kTfLiteOk);
  CHECK(n == 3 && memcmp(s, "abc", 3) == 0);
  CHECK(PyliteTensorGetString(x, 3, &s, &n) == kTfLiteError);
  CHECK(PyliteTensorGetStringCount(x) == 3);
  float f = 0;
  CHECK(PyliteTensorWriteStrings(
            (TfLiteTensor*)TfLiteSignatureRunnerGetOutputTensor(dec, "decoded_result"),
            1, bad, bad_len) == kTfLiteError);
  CHECK(PyliteTensorGetStringCount(
            TfLiteSignatureRunnerGetOutputTensor(dec, "decoded_result")) == -1);
  (void)f;
  TfLiteSignatureRunnerDelete(dec);

  /* NULL key: the first signature on subgraph 0. */
  TfLiteSignatureRunner* first = TfLiteInterpreterGetSignatureRunner(interp, NULL);
  CHECK(first != NULL);
  CHECK(first && PyliteSignatureRunnerGetSubgraphIndex(first) == 0);
  TfLiteSignatureRunnerDelete(first);
  TfLiteInterpreterDelete(interp);
}

static void test_encode_decode(void) {
  TfLiteInterpreter* interp = make(CODING);
  if (!interp) {
    CHECK(interp != NULL);
    return;
  }
  TfLiteSignatureRunner* enc = TfLiteInterpreterGetSignatureRunner(interp, "encode");
  TfLiteSignatureRunner* dec = TfLiteInterpreterGetSignatureRunner(interp, "decode");
  /* Strict resize: x is [-1], so any length goes; the rank may not change. */
  const int d4[] = {4};
  CHECK(TfLiteSignatureRunnerResizeInputTensor(enc, "x", d4, 1) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerAllocateTensors(enc) == kTfLiteOk);
  const float in[4] = {1.5f, -2.0f, 1e10f, 0.1f};
  write_floats(TfLiteSignatureRunnerGetInputTensor(enc, "x"), in, 4);
  CHECK(TfLiteSignatureRunnerInvoke(enc) == kTfLiteOk);
  const TfLiteTensor* out = TfLiteSignatureRunnerGetOutputTensor(enc, "encoded_result");
  CHECK(TfLiteTensorType(out) == kTfLiteString);
  CHECK(PyliteTensorGetStringCount(out) == 4);
  const char* want[4] = {"1.500000", "-2.000000", "10000000000.000000", "0.100000"};
  const char* strs[4];
  size_t lens[4];
  for (int i = 0; i < 4; ++i) {
    CHECK(PyliteTensorGetString(out, i, &strs[i], &lens[i]) == kTfLiteOk);
    CHECK(lens[i] == strlen(want[i]) && memcmp(strs[i], want[i], lens[i]) == 0);
  }
  CHECK(TfLiteSignatureRunnerResizeInputTensor(dec, "x", d4, 1) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerAllocateTensors(dec) == kTfLiteOk);
  CHECK(PyliteTensorWriteStrings(TfLiteSignatureRunnerGetInputTensor(dec, "x"),
                                 4, strs, lens) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(dec) == kTfLiteOk);
  const float* back = TfLiteTensorData(
      TfLiteSignatureRunnerGetOutputTensor(dec, "decoded_result"));
  CHECK(back && back[0] == 1.5f && back[1] == -2.0f && back[2] == 1e10f &&
        back[3] == 0.1f);
  /* Invoking again without changes works; an empty batch works. */
  CHECK(TfLiteSignatureRunnerInvoke(enc) == kTfLiteOk);
  const int d0[] = {0};
  CHECK(TfLiteSignatureRunnerResizeInputTensor(enc, "x", d0, 1) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerAllocateTensors(enc) == kTfLiteOk);
  CHECK(TfLiteSignatureRunnerInvoke(enc) == kTfLiteOk);
  CHECK(PyliteTensorGetStringCount(
            TfLiteSignatureRunnerGetOutputTensor(enc, "encoded_result")) == 0);
  TfLiteSignatureRunnerDelete(enc);
  TfLiteSignatureRunnerDelete(dec);
  TfLiteInterpreterDelete(interp);
}

static void test_strict_resize(void) {
  TfLiteInterpreter* interp = make(DENSE);
  if (!interp) {
    CHECK(interp != NULL);
    return;
  }
  TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(interp, "serving_default");
  const char* name = TfLiteSignatureRunnerGetInputName(r, 0);
  const int bad[] = {2, 5};
  CHECK(TfLiteSignatureRunnerResizeInputTensor(r, name, bad, 2) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "Attempting to resize dimension 1");
  CHECK_CONTAINS(PyliteGetLastError(), "only allows mutating unknown dimensions");
  const int ok[] = {2, 4};
  CHECK(TfLiteSignatureRunnerResizeInputTensor(r, name, ok, 2) == kTfLiteOk);
  CHECK(!PyliteSignatureRunnerIsReady(r));
  CHECK(TfLiteSignatureRunnerAllocateTensors(r) == kTfLiteOk);
  CHECK(PyliteSignatureRunnerIsReady(r));
  /* Same dims again keep the runner ready. */
  CHECK(TfLiteSignatureRunnerResizeInputTensor(r, name, ok, 2) == kTfLiteOk);
  CHECK(PyliteSignatureRunnerIsReady(r));
  const float x[8] = {1, 2, 3, 4, 1, 2, 3, 4};
  write_floats(TfLiteSignatureRunnerGetInputTensor(r, name), x, 8);
  CHECK(TfLiteSignatureRunnerInvoke(r) == kTfLiteOk);
  const float* y = TfLiteTensorData(TfLiteSignatureRunnerGetOutputTensor(
      r, TfLiteSignatureRunnerGetOutputName(r, 0)));
  CHECK(y[0] == kDenseReference && y[1] == kDenseReference);
  /* Non-strict resize through the extension may change fixed dims. */
  CHECK(PyliteSignatureRunnerResizeInput(r, name, bad, 2, false) == kTfLiteOk);
  TfLiteSignatureRunnerDelete(r);
  TfLiteInterpreterDelete(interp);
}

static void test_placeholder(void) {
  TfLiteInterpreter* interp = make(NOSIG);
  if (!interp) {
    CHECK(interp != NULL);
    return;
  }
  CHECK(TfLiteInterpreterGetSignatureCount(interp) == 0);
  CHECK(TfLiteInterpreterGetSignatureRunner(interp, "serving_default") == NULL);
  TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(interp, NULL);
  CHECK(r != NULL);
  if (r) {
    CHECK(strcmp(PyliteSignatureRunnerGetKey(r), "<placeholder signature>") == 0);
    const char* in = TfLiteSignatureRunnerGetInputName(r, 0);
    const char* out = TfLiteSignatureRunnerGetOutputName(r, 0);
    CHECK(in && strcmp(in, "serving_default_keras_tensor:0") == 0);
    CHECK(out && strcmp(out, "StatefulPartitionedCall_1:0") == 0);
    CHECK(TfLiteSignatureRunnerAllocateTensors(r) == kTfLiteOk);
    const float x[4] = {1, 2, 3, 4};
    write_floats(TfLiteSignatureRunnerGetInputTensor(r, in), x, 4);
    CHECK(TfLiteSignatureRunnerInvoke(r) == kTfLiteOk);
    const float* y = TfLiteTensorData(TfLiteSignatureRunnerGetOutputTensor(r, out));
    CHECK(y && y[0] == kDenseReference);
  }
  TfLiteSignatureRunnerDelete(r);
  TfLiteInterpreterDelete(interp);
}

/* ---- Concurrency: runners of two signatures at once ------------------------- */

typedef struct {
  TfLiteInterpreter* interp;
  const char* key;
  int failures;
} Worker;

static void* run_worker(void* arg) {
  Worker* w = arg;
  TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(w->interp, w->key);
  for (int iter = 0; iter < 300 && r; ++iter) {
    int n = 1 + iter % 17;
    const int dims[] = {n};
    if (TfLiteSignatureRunnerResizeInputTensor(r, "x", dims, 1) != kTfLiteOk ||
        TfLiteSignatureRunnerAllocateTensors(r) != kTfLiteOk) {
      w->failures++;
      continue;
    }
    TfLiteTensor* x = TfLiteSignatureRunnerGetInputTensor(r, "x");
    if (strcmp(w->key, "encode") == 0) {
      float* v = TfLiteTensorData(x);
      for (int i = 0; i < n; ++i) v[i] = (float)(iter + i);
    } else {
      char buf[17][16];
      const char* s[17];
      size_t l[17];
      for (int i = 0; i < n; ++i) {
        l[i] = (size_t)snprintf(buf[i], sizeof(buf[i]), "%d", iter * i);
        s[i] = buf[i];
      }
      PyliteTensorWriteStrings(x, n, s, l);
    }
    if (TfLiteSignatureRunnerInvoke(r) != kTfLiteOk) {
      w->failures++;
      continue;
    }
    const TfLiteTensor* out = TfLiteSignatureRunnerGetOutputTensor(
        r, TfLiteSignatureRunnerGetOutputName(r, 0));
    for (int i = 0; i < n; ++i) {
      if (strcmp(w->key, "encode") == 0) {
        const char* s;
        size_t l;
        char want[32];
        snprintf(want, sizeof(want), "%.6f", (double)(float)(iter + i));
        if (PyliteTensorGetString(out, i, &s, &l) != kTfLiteOk ||
            l != strlen(want) || memcmp(s, want, l) != 0)
          w->failures++;
      } else if (((const float*)TfLiteTensorData(out))[i] != (float)(iter * i)) {
        w->failures++;
      }
    }
  }
  if (!r) w->failures++;
  TfLiteSignatureRunnerDelete(r);
  return NULL;
}

static void test_concurrent_runners(void) {
  TfLiteInterpreter* interp = make(CODING);
  if (!interp) {
    CHECK(interp != NULL);
    return;
  }
  /* One thread per signature: runners of different signatures of one
   * interpreter run at the same time (LiteRT forbids this). */
  pthread_t threads[2];
  Worker solo[2] = {{interp, "encode", 0}, {interp, "decode", 0}};
  pthread_create(&threads[0], NULL, run_worker, &solo[0]);
  pthread_create(&threads[1], NULL, run_worker, &solo[1]);
  pthread_join(threads[0], NULL);
  pthread_join(threads[1], NULL);
  CHECK(solo[0].failures == 0);
  CHECK(solo[1].failures == 0);
  TfLiteInterpreterDelete(interp);
}

/* ---- Hostile models: mutated copies through load, allocate, invoke ---------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Loads, allocates and invokes every signature; only the absence of crashes
 * (and of sanitizer findings) is asserted. Returns 1 if it ran fully. */
static int exercise(const unsigned char* data, size_t size) {
  TfLiteModel* model = TfLiteModelCreateWithErrorReporter(
      data, size, PyliteQuietReporter, NULL);
  if (!model) {
    return strlen(PyliteGetLastError()) > 0 ? 0 : -1;
  }
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(options, PyliteQuietReporter, NULL);
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, options);
  TfLiteInterpreterOptionsDelete(options);
  TfLiteModelDelete(model);
  if (!interp) return 0;
  int ok = 1;
  int32_t n = TfLiteInterpreterGetSignatureCount(interp);
  for (int32_t s = -1; s < n; ++s) {
    TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(
        interp, s < 0 ? NULL : TfLiteInterpreterGetSignatureKey(interp, s));
    if (!r) continue;
    if (TfLiteSignatureRunnerAllocateTensors(r) != kTfLiteOk) {
      ok = 0;
      TfLiteSignatureRunnerDelete(r);
      continue;
    }
    for (size_t i = 0; i < TfLiteSignatureRunnerGetInputCount(r); ++i) {
      TfLiteTensor* t = TfLiteSignatureRunnerGetInputTensor(
          r, TfLiteSignatureRunnerGetInputName(r, (int32_t)i));
      if (!t) continue;
      if (t->type == kTfLiteString) {
        int64_t count = 1;
        for (int d = 0; d < t->dims->size; ++d) count *= t->dims->data[d];
        if (count > 64) continue;
        const char* strs[64];
        size_t lens[64];
        for (int64_t k = 0; k < count; ++k) strs[k] = "1.5", lens[k] = 3;
        PyliteTensorWriteStrings(t, (int32_t)count, strs, lens);
      } else if (t->data.raw) {
        memset(t->data.raw, 0, t->bytes);
      }
    }
    if (TfLiteSignatureRunnerInvoke(r) != kTfLiteOk) ok = 0;
    TfLiteSignatureRunnerDelete(r);
  }
  TfLiteInterpreterDelete(interp);
  return ok;
}

static void test_mutations(const char* path, int rounds) {
  size_t size = 0;
  unsigned char* original = check_read_file(path, &size);
  CHECK(original != NULL);
  if (!original) return;
  CHECK(exercise(original, size) == 1);
  unsigned char* copy = malloc(size);
  int loaded = 0, silent = 0;
  for (int round = 0; round < rounds; ++round) {
    memcpy(copy, original, size);
    size_t len = size;
    switch (round % 4) {
      case 0: /* bit flips */
        for (int k = 0; k < 1 + (int)(next_random() % 4); ++k) {
          size_t at = next_random() % size;
          copy[at] ^= (unsigned char)(1u << (next_random() % 8));
        }
        break;
      case 1: /* truncation */
        len = next_random() % size;
        break;
      case 2: { /* a patched 32-bit word (offsets, lengths, indices) */
        static const uint32_t values[] = {0, 1, 0x7FFFFFFF, 0xFFFFFFFF,
                                          0x80000000, 0xFFFF, 4, 0x10000};
        size_t at = (next_random() % (size / 4)) * 4;
        uint32_t v = values[next_random() % 8];
        memcpy(copy + at, &v, 4);
        break;
      }
      default: { /* a word shifted by a small delta */
        size_t at = (next_random() % (size / 4)) * 4;
        uint32_t v;
        memcpy(&v, copy + at, 4);
        v += (uint32_t)(next_random() % 9) - 4;
        memcpy(copy + at, &v, 4);
        break;
      }
    }
    /* Exercise from an exactly-sized heap copy so ASan sees overreads. */
    unsigned char* exact = malloc(len ? len : 1);
    memcpy(exact, copy, len);
    int r = exercise(exact, len);
    if (r >= 0) loaded += r;
    if (r < 0) silent++;
    free(exact);
  }
  CHECK(silent == 0); /* every rejected model came with a message */
  printf("%s: %d mutants, %d ran fully\n", path, rounds, loaded);
  free(copy);
  free(original);
}

/* ---- Quantization parameters ------------------------------------------ */

/* int8_cnn.tflite (tools/make_quantized_test_model.py): the values LiteRT
 * reports for it (tests/data/quantized/reference.json). Nothing here needs
 * the model to run. */
static void test_quantization_params(void) {
  TfLiteInterpreter* interp = make(INT8_CNN);
  CHECK(interp != NULL);
  if (!interp) return;
  const TfLiteTensor* in = TfLiteInterpreterGetInputTensor(interp, 0);
  const TfLiteTensor* out = TfLiteInterpreterGetOutputTensor(interp, 0);
  CHECK(TfLiteTensorType(in) == kTfLiteInt8);
  CHECK(TfLiteTensorType(out) == kTfLiteInt8);
  TfLiteQuantizationParams p = TfLiteTensorQuantizationParams(in);
  CHECK(p.scale == 0.007828932255506516f && p.zero_point == -1);
  p = TfLiteTensorQuantizationParams(out);
  CHECK(p.scale == 0.01072235032916069f && p.zero_point == 8);
  CHECK(in->quantization.type == kTfLiteAffineQuantization);

  /* Tensor 4: the convolution filter [4, 3, 3, 2], one scale per output
   * channel. As in TFLite, its legacy per-tensor parameters are 0 and 0;
   * the scales are in the affine parameters. */
  const TfLiteTensor* filter = TfLiteInterpreterGetTensor(interp, 4);
  CHECK(filter != NULL);
  if (filter) {
    p = TfLiteTensorQuantizationParams(filter);
    CHECK(p.scale == 0.0f && p.zero_point == 0);
    CHECK(filter->quantization.type == kTfLiteAffineQuantization);
    const TfLiteAffineQuantization* q = filter->quantization.params;
    CHECK(q != NULL && q->scale->size == 4 && q->zero_point->size == 4);
    if (q) {
      CHECK(q->quantized_dimension == 0);
      CHECK(q->scale->data[0] == 0.0024867739994078875f);
      CHECK(q->scale->data[1] == 0.0025896569713950157f);
      for (int k = 0; k < q->zero_point->size; ++k)
        CHECK(q->zero_point->data[k] == 0);
    }
  }
  /* Tensor 1 (a RESHAPE shape) is not quantized. */
  const TfLiteTensor* shape = TfLiteInterpreterGetTensor(interp, 1);
  CHECK(shape != NULL);
  if (shape) {
    p = TfLiteTensorQuantizationParams(shape);
    CHECK(p.scale == 0.0f && p.zero_point == 0);
    CHECK(shape->quantization.type == kTfLiteNoQuantization);
  }
  p = TfLiteTensorQuantizationParams(NULL);
  CHECK(p.scale == 0.0f && p.zero_point == 0);
  TfLiteInterpreterDelete(interp);

  /* A float model's tensors carry none. */
  interp = make(DENSE);
  CHECK(interp != NULL);
  if (!interp) return;
  p = TfLiteTensorQuantizationParams(TfLiteInterpreterGetInputTensor(interp, 0));
  CHECK(p.scale == 0.0f && p.zero_point == 0);
  TfLiteInterpreterDelete(interp);
}

/* ---- One-call runs (PyliteSignatureRunnerRun) ------------------------------ */

/* PyliteSignatureRunnerRun on a run made of these fields. */
static TfLiteStatus run_with(TfLiteSignatureRunner* r, const int* in_shapes,
                             const void* const* in_data,
                             const int* out_shapes, void* const* out_data) {
  const PyliteSignatureRun run = {r, in_shapes, in_data, out_shapes, out_data};
  return PyliteSignatureRunnerRun(&run);
}

/* Runs the dense signature on `batch` rows of [1, 2, 3, 4] in one call,
 * expecting an output of shape [expect_rows, 1]; returns the status. */
static TfLiteStatus run_dense(TfLiteSignatureRunner* r, int batch,
                              int expect_rows, float* out) {
  float x[64 * 4];
  for (int i = 0; i < batch * 4; ++i) x[i] = (float)(1 + i % 4);
  const int in_shape[] = {2, batch, 4};
  const int out_shape[] = {2, expect_rows, 1};
  const void* in_data[] = {x};
  void* out_data[] = {out};
  return run_with(r, in_shape, in_data, out_shape, out_data);
}

static void test_one_call_run(void) {
  TfLiteInterpreter* interp = make(DENSE);
  CHECK(interp != NULL);
  if (!interp) return;
  TfLiteSignatureRunner* r =
      TfLiteInterpreterGetSignatureRunner(interp, "serving_default");
  CHECK(r != NULL);
  if (!r) return;
  float out[64];
  /* Unallocated: the call allocates. */
  CHECK(run_dense(r, 1, 1, out) == kTfLiteOk);
  CHECK(out[0] == kDenseReference);
  /* A new batch resizes; an output of another shape is left in place. */
  out[0] = 0;
  CHECK(run_dense(r, 3, 1, out) == kTfLiteOutputShapeNotKnown);
  CHECK(out[0] == 0);
  const TfLiteTensor* y = TfLiteSignatureRunnerGetOutputTensor(r, "output_0");
  CHECK(TfLiteTensorDim(y, 0) == 3 && y->data.f[2] == kDenseReference);
  CHECK(run_dense(r, 3, 3, out) == kTfLiteOk);
  CHECK(out[0] == kDenseReference && out[2] == kDenseReference);
  /* A resize by another path is undone by the next call. */
  const int dims5[] = {5, 4};
  CHECK(PyliteSignatureRunnerResizeInput(r, "keras_tensor", dims5, 2, false) ==
        kTfLiteOk);
  CHECK(run_dense(r, 3, 3, out) == kTfLiteOk);
  CHECK(TfLiteTensorDim(TfLiteSignatureRunnerGetInputTensor(r, "keras_tensor"),
                        0) == 3);

  /* Errors: the messages of resize and allocation, bad ranks and NULLs. */
  float x[8] = {0};
  const void* in_data[] = {x};
  void* out_data[] = {out};
  const int wrong_k[] = {2, 1, 5};
  const int out_shape[] = {2, 1, 1};
  CHECK(run_with(r, wrong_k, in_data, out_shape, out_data) ==
        kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "FULLY_CONNECTED");
  const int negative[] = {2, -1, 4};
  CHECK(run_with(r, negative, in_data, out_shape, out_data) ==
        kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "dims must be >= 0");
  const int rank17[] = {17};
  CHECK(run_with(r, rank17, in_data, out_shape, out_data) ==
        kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "rank 17 is out of range");
  const int in_shape[] = {2, 1, 4};
  CHECK(run_with(r, in_shape, in_data, rank17, out_data) ==
        kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "Output 'output_0'");
  void* no_out[] = {NULL};
  CHECK(run_with(r, in_shape, in_data, out_shape, no_out) ==
        kTfLiteError);
  CHECK(run_with(r, in_shape, NULL, out_shape, out_data) ==
        kTfLiteError);
  CHECK(run_with(r, in_shape, in_data, NULL, out_data) ==
        kTfLiteError);
  CHECK(run_with(NULL, in_shape, in_data, out_shape, out_data) ==
        kTfLiteError);
  CHECK(PyliteSignatureRunnerRun(NULL) == kTfLiteError);
  /* Still usable after the errors. */
  CHECK(run_dense(r, 1, 1, out) == kTfLiteOk);
  CHECK(out[0] == kDenseReference);
  TfLiteSignatureRunnerDelete(r);
  TfLiteInterpreterDelete(interp);

  /* STRING inputs and outputs are not for this call. */
  interp = make(CODING);
  CHECK(interp != NULL);
  if (!interp) return;
  r = TfLiteInterpreterGetSignatureRunner(interp, "decode");
  const int one[] = {1, 1};
  const char* text[] = {"1.5"};
  CHECK(run_with(r, one, (const void* const*)text, one,
                                 out_data) == kTfLiteError);
  CHECK_CONTAINS(PyliteGetLastError(), "cannot be copied");
  TfLiteSignatureRunnerDelete(r);
  r = TfLiteInterpreterGetSignatureRunner(interp, "encode");
  const float v = 2.0f;
  const void* v_data[] = {&v};
  char sink[64];
  void* sink_data[] = {sink};
  CHECK(run_with(r, one, v_data, one, sink_data) ==
        kTfLiteOutputShapeNotKnown);
  const TfLiteTensor* enc =
      TfLiteSignatureRunnerGetOutputTensor(r, "encoded_result");
  const char* s;
  size_t l;
  CHECK(PyliteTensorGetString(enc, 0, &s, &l) == kTfLiteOk && l == 8 &&
        memcmp(s, "2.000000", 8) == 0);
  TfLiteSignatureRunnerDelete(r);
  TfLiteInterpreterDelete(interp);
}

/* Runners of one signature on threads, each with its own batch: every
 * call's resize, copies and invoke happen together. */
typedef struct OneCallWorker {
  TfLiteInterpreter* interp;
  int batch;
  int failures;
} OneCallWorker;

static void* one_call_worker(void* arg) {
  OneCallWorker* w = arg;
  TfLiteSignatureRunner* r =
      TfLiteInterpreterGetSignatureRunner(w->interp, NULL);
  for (int iter = 0; r && iter < 300; ++iter) {
    float out[64];
    if (run_dense(r, w->batch, w->batch, out) != kTfLiteOk) {
      w->failures++;
      continue;
    }
    for (int i = 0; i < w->batch; ++i)
      if (out[i] != kDenseReference) w->failures++;
  }
  if (!r) w->failures++;
  TfLiteSignatureRunnerDelete(r);
  return NULL;
}

static void test_one_call_threads(void) {
  TfLiteInterpreter* interp = make(DENSE);
  CHECK(interp != NULL);
  if (!interp) return;
  OneCallWorker workers[4];
  pthread_t threads[4];
  for (int i = 0; i < 4; ++i) {
    workers[i] = (OneCallWorker){interp, 1 + 5 * i, 0};
    CHECK(pthread_create(&threads[i], NULL, one_call_worker, &workers[i]) == 0);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(threads[i], NULL);
    CHECK(workers[i].failures == 0);
  }
  TfLiteInterpreterDelete(interp);
}

int main(void) {
  test_versions();
  test_model_errors();
  test_classic_dense();
  test_runner_errors();
  test_encode_decode();
  test_strict_resize();
  test_placeholder();
  test_concurrent_runners();
  test_one_call_run();
  test_one_call_threads();
  test_quantization_params();
  test_mutations(DENSE, 600);
  test_mutations(CODING, 600);
  test_mutations(NOSIG, 300);
  return CHECK_SUMMARY();
}
