/* pylite fuzzing: the harness bodies (see harness.h). */
#define _POSIX_C_SOURCE 200809L /* nanosleep, clock_gettime */
#include "harness.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pylite/pylite.h"

/* A rejected model or a failed call with no message is a bug. */
static void require_message(const char* what) {
  const char* m = PyliteGetLastError();
  if (m == NULL || m[0] == '\0') {
    fprintf(stderr, "pylite fuzz: %s failed without an error message\n", what);
    abort();
  }
}

/* ---- Watchdog: cancels an invoke that runs too long ------------------------- */

static pthread_once_t watchdog_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t watchdog_lock = PTHREAD_MUTEX_INITIALIZER;
static TfLiteInterpreter* watched; /* under watchdog_lock */
static int64_t watched_since_ms;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void* watchdog_main(void* arg) {
  (void)arg;
  const struct timespec tick = {0, 20 * 1000000};
  for (;;) {
    nanosleep(&tick, NULL);
    pthread_mutex_lock(&watchdog_lock);
    if (watched && now_ms() - watched_since_ms > PL_FUZZ_INVOKE_MS)
      TfLiteInterpreterCancel(watched);
    pthread_mutex_unlock(&watchdog_lock);
  }
  return NULL;
}

static void watchdog_start(void) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, watchdog_main, NULL) == 0)
    pthread_detach(thread);
}

static void watch(TfLiteInterpreter* interp) {
  pthread_once(&watchdog_once, watchdog_start);
  pthread_mutex_lock(&watchdog_lock);
  watched = interp;
  watched_since_ms = now_ms();
  pthread_mutex_unlock(&watchdog_lock);
}

/* ---- Inputs and outputs -------------------------------------------------------- */

static int64_t element_count(const TfLiteTensor* t) {
  int64_t n = 1;
  for (int d = 0; t->dims && d < t->dims->size; ++d) n *= t->dims->data[d];
  return n;
}

/* Small values of every sign (0 included, so divisions and logs meet their
 * edge cases), as the tensor's type. */
static void fill_input(TfLiteTensor* t) {
  if (t->type == kTfLiteString) {
    static const char* const words[] = {"1.5", "-2", "", "abc", "1e40", "7"};
    int64_t count = element_count(t);
    if (count < 0 || count > 4096) return;
    const char* strs[4096];
    size_t lens[4096];
    for (int64_t k = 0; k < count; ++k) {
      strs[k] = words[k % 6];
      lens[k] = strlen(strs[k]);
    }
    if (PyliteTensorWriteStrings(t, (int32_t)count, strs, lens) != kTfLiteOk)
      require_message("PyliteTensorWriteStrings");
    return;
  }
  uint8_t* p = TfLiteTensorData(t);
  size_t bytes = TfLiteTensorByteSize(t);
  if (p == NULL) return;
  memset(p, 0, bytes); /* types not listed below stay zero */
  size_t size = 0;
  switch (t->type) {
    case kTfLiteFloat64: case kTfLiteInt64: case kTfLiteUInt64: size = 8; break;
    case kTfLiteFloat32: case kTfLiteInt32: case kTfLiteUInt32: size = 4; break;
    case kTfLiteInt16: case kTfLiteUInt16: size = 2; break;
    case kTfLiteInt8: case kTfLiteUInt8: case kTfLiteBool: size = 1; break;
    default: return;
  }
  /* Element by element, so that integers stay small (loop counts, sizes,
   * indices read from inputs). */
  for (size_t k = 0; (k + 1) * size <= bytes; ++k) {
    int v = (int)(k % 5) - 2;
    uint8_t* e = p + k * size;
    switch (t->type) {
      case kTfLiteFloat32: { float x = (float)v * 0.75f; memcpy(e, &x, 4); break; }
      case kTfLiteFloat64: { double x = v * 0.75; memcpy(e, &x, 8); break; }
      case kTfLiteInt64: { int64_t x = v; memcpy(e, &x, 8); break; }
      case kTfLiteInt32: { int32_t x = v; memcpy(e, &x, 4); break; }
      case kTfLiteInt16: { int16_t x = (int16_t)v; memcpy(e, &x, 2); break; }
      case kTfLiteInt8: *e = (uint8_t)(int8_t)v; break;
      case kTfLiteBool: *e = (uint8_t)(k % 2); break;
      default: *e = (uint8_t)(k % 3); break; /* unsigned: 0, 1, 2 */
    }
  }
}

/* Reads every byte of an output so the sanitizers check its extent. */
static unsigned read_output(const TfLiteTensor* t) {
  unsigned sum = 0;
  if (t == NULL) return 0;
  if (t->type == kTfLiteString) {
    int32_t n = PyliteTensorGetStringCount(t);
    for (int32_t k = 0; k < n; ++k) {
      const char* s;
      size_t len;
      if (PyliteTensorGetString(t, k, &s, &len) != kTfLiteOk) break;
      for (size_t i = 0; i < len; ++i) sum += (unsigned char)s[i];
    }
    return sum;
  }
  const uint8_t* p = TfLiteTensorData(t);
  size_t bytes = TfLiteTensorByteSize(t);
  for (size_t i = 0; p && i < bytes; ++i) sum += p[i];
  for (int d = 0; t->dims && d < t->dims->size; ++d) sum += t->dims->data[d];
  return sum;
}

/* ---- Harnesses ---------------------------------------------------------------- */

static volatile unsigned sink; /* keeps reads from being optimized out */

int pl_fuzz_model(const uint8_t* data, size_t size) {
  PyliteClearLastError();
  TfLiteModel* model =
      TfLiteModelCreateWithErrorReporter(data, size, PyliteQuietReporter, NULL);
  if (model == NULL) {
    require_message("TfLiteModelCreate");
    return 0;
  }
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(options, PyliteQuietReporter, NULL);
  PyliteClearLastError();
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, options);
  TfLiteInterpreterOptionsDelete(options);
  if (interp == NULL) {
    require_message("TfLiteInterpreterCreate");
  } else {
    /* The signature tables are built at creation: walk them. */
    int32_t n = TfLiteInterpreterGetSignatureCount(interp);
    for (int32_t s = 0; s < n; ++s) {
      const char* key = TfLiteInterpreterGetSignatureKey(interp, s);
      sink += key ? (unsigned)strlen(key) : 0;
    }
    for (int32_t i = 0; i < TfLiteInterpreterGetInputTensorCount(interp); ++i) {
      const TfLiteTensor* t = TfLiteInterpreterGetInputTensor(interp, i);
      sink += t && TfLiteTensorName(t) ? (unsigned)strlen(TfLiteTensorName(t)) : 0;
    }
    TfLiteInterpreterDelete(interp);
  }
  TfLiteModelDelete(model);
  return 0;
}

/* Resizes every input with an unknown dimension (-1 in its signature) so
 * that dimension becomes `extent`. Returns true if any was resized. */
static bool resize_unknown(TfLiteSignatureRunner* r, int extent) {
  bool any = false;
  size_t n = TfLiteSignatureRunnerGetInputCount(r);
  for (size_t i = 0; i < n; ++i) {
    const char* name = TfLiteSignatureRunnerGetInputName(r, (int32_t)i);
    const TfLiteTensor* t = TfLiteSignatureRunnerGetInputTensor(r, name);
    const TfLiteIntArray* sig = t ? t->dims_signature : NULL;
    if (sig == NULL || sig->size > 16) continue;
    int dims[16];
    bool unknown = false;
    for (int d = 0; d < sig->size; ++d) {
      dims[d] = sig->data[d] < 0 ? extent : sig->data[d];
      unknown |= sig->data[d] < 0;
    }
    if (!unknown) continue;
    PyliteClearLastError();
    if (TfLiteSignatureRunnerResizeInputTensor(r, name, dims, sig->size) !=
        kTfLiteOk) {
      require_message("TfLiteSignatureRunnerResizeInputTensor");
    }
    any = true;
  }
  return any;
}

/* Allocates, fills, invokes and reads one runner; 1 if the invoke
 * succeeded. */
static int run_once(TfLiteInterpreter* interp, TfLiteSignatureRunner* r) {
  PyliteClearLastError();
  if (TfLiteSignatureRunnerAllocateTensors(r) != kTfLiteOk) {
    require_message("TfLiteSignatureRunnerAllocateTensors");
    return 0;
  }
  size_t n_in = TfLiteSignatureRunnerGetInputCount(r);
  for (size_t i = 0; i < n_in; ++i) {
    TfLiteTensor* t = TfLiteSignatureRunnerGetInputTensor(
        r, TfLiteSignatureRunnerGetInputName(r, (int32_t)i));
    if (t) fill_input(t);
  }
  /* A (mutated) signature may leave subgraph inputs out; a careful caller
   * still writes them, through the classic API on the primary subgraph.
   * (Unwritten inputs hold whatever the arena held, as in LiteRT.) */
  if (PyliteSignatureRunnerGetSubgraphIndex(r) == 0) {
    for (int32_t i = 0; i < TfLiteInterpreterGetInputTensorCount(interp); ++i) {
      TfLiteTensor* t = TfLiteInterpreterGetInputTensor(interp, i);
      if (t) fill_input(t);
    }
  }
  watch(interp);
  PyliteClearLastError();
  TfLiteStatus status = TfLiteSignatureRunnerInvoke(r);
  watch(NULL);
  if (status != kTfLiteOk) {
    require_message("TfLiteSignatureRunnerInvoke");
    return 0;
  }
  size_t n_out = TfLiteSignatureRunnerGetOutputCount(r);
  for (size_t i = 0; i < n_out; ++i) {
    sink += read_output(TfLiteSignatureRunnerGetOutputTensor(
        r, TfLiteSignatureRunnerGetOutputName(r, (int32_t)i)));
  }
  return 1;
}

int pl_fuzz_run(const uint8_t* data, size_t size) {
  PyliteClearLastError();
  TfLiteModel* model =
      TfLiteModelCreateWithErrorReporter(data, size, PyliteQuietReporter, NULL);
  if (model == NULL) {
    require_message("TfLiteModelCreate");
    return 0;
  }
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(options, PyliteQuietReporter, NULL);
  TfLiteInterpreterOptionsEnableCancellation(options, true);
  PyliteInterpreterOptionsSetMaxAllocationBytes(options, PL_FUZZ_MAX_ALLOCATION);
  PyliteClearLastError();
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, options);
  TfLiteInterpreterOptionsDelete(options);
  TfLiteModelDelete(model); /* the interpreter holds its own reference */
  if (interp == NULL) {
    require_message("TfLiteInterpreterCreate");
    return 0;
  }
  int ran = 0;
  int32_t n = TfLiteInterpreterGetSignatureCount(interp);
  /* s == -1: the default runner (first signature, or the placeholder). */
  for (int32_t s = -1; s < n; ++s) {
    PyliteClearLastError();
    TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(
        interp, s < 0 ? NULL : TfLiteInterpreterGetSignatureKey(interp, s));
    if (r == NULL) {
      require_message("TfLiteInterpreterGetSignatureRunner");
      continue;
    }
    ran += run_once(interp, r);
    /* Twice: state carried between invokes (variables, CALL_ONCE). */
    ran += run_once(interp, r);
    if (resize_unknown(r, 3)) ran += run_once(interp, r);
    TfLiteSignatureRunnerDelete(r);
  }
  /* The classic API on the primary subgraph. */
  PyliteClearLastError();
  if (TfLiteInterpreterAllocateTensors(interp) == kTfLiteOk) {
    for (int32_t i = 0; i < TfLiteInterpreterGetInputTensorCount(interp); ++i) {
      TfLiteTensor* t = TfLiteInterpreterGetInputTensor(interp, i);
      if (t) fill_input(t);
    }
    watch(interp);
    PyliteClearLastError();
    TfLiteStatus status = TfLiteInterpreterInvoke(interp);
    watch(NULL);
    if (status == kTfLiteOk) {
      ++ran;
      for (int32_t i = 0; i < TfLiteInterpreterGetOutputTensorCount(interp); ++i)
        sink += read_output(TfLiteInterpreterGetOutputTensor(interp, i));
    } else {
      require_message("TfLiteInterpreterInvoke");
    }
  } else {
    require_message("TfLiteInterpreterAllocateTensors");
  }
  TfLiteInterpreterDelete(interp);
  return ran;
}
