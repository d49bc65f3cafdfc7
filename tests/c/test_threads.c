/* pylite: a stress test of concurrent signature runners.
 *
 * Different signatures of one interpreter may run at the same time from
 * different threads and must give what a serial run would. Ten threads,
 * one runner each, share three interpreters of converter-made models:
 * - counter.tflite: `add`, `scale`, `read` share a tf.Variable, `loop` is a
 *   pure WHILE. Only `add` changes the variable (`scale` runs with k = 1),
 *   so in any serial order the i-th add returns 0.5 + (i+1)·x exactly, and
 *   every `read` or `scale` sees 0.5 + c·x for a c that never decreases. A
 *   lost or torn update breaks one of these.
 * - a second counter interpreter, whose variable must not see the first's.
 * - coding.tflite: `encode` / `decode` (Flex string ops), varying sizes.
 * - hashtable.tflite: `lookup_words`, `lookup_ids`, `size` read one shared
 *   table; expected values are LiteRT's (hashtable_reference.json).
 * Every result of every call is checked. Built also under ThreadSanitizer
 * by `make tsan`. */
#define _POSIX_C_SOURCE 200809L /* pthread_barrier_t */
#include <pthread.h>
#include <stdint.h>

#include "check.h"
#include "pylite/pylite.h"

#define COUNTER "tests/data/state/counter.tflite"
#define CODING "examples/models/coding.tflite"
#define HASHTABLE "tests/data/state/hashtable.tflite"

enum { kAdds = 1500, kReads = 1500, kScales = 1500, kLoops = 600,
       kCoding = 600, kLookups = 600, kOtherAdds = 1000 };

static const float kAddX[3] = {1, 2, 4};

typedef struct Job {
  TfLiteInterpreter* interp;
  const char* key;
  void (*body)(struct Job* job, TfLiteSignatureRunner* r);
  int iterations;
  int calls;
  int failures;
  const char* first_failure;
} Job;

static void fail(Job* job, const char* what) {
  if (job->failures++ == 0) job->first_failure = what;
}

static TfLiteInterpreter* open_interp(const char* path) {
  TfLiteModel* model = TfLiteModelCreateFromFile(path);
  if (!model) return NULL;
  TfLiteInterpreterOptions* o = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetErrorReporter(o, PyliteQuietReporter, NULL);
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, o);
  TfLiteInterpreterOptionsDelete(o);
  TfLiteModelDelete(model);
  return interp;
}

static const TfLiteTensor* output0(TfLiteSignatureRunner* r) {
  return TfLiteSignatureRunnerGetOutputTensor(
      r, TfLiteSignatureRunnerGetOutputName(r, 0));
}

static bool invoke(Job* job, TfLiteSignatureRunner* r) {
  job->calls++;
  if (TfLiteSignatureRunnerInvoke(r) != kTfLiteOk) {
    fail(job, "invoke failed");
    return false;
  }
  return true;
}

/* ---- counter ----------------------------------------------------------------- */

/* The c with value == 0.5 + c·x, or -1 if there is none (a torn value). */
static int counter_multiple(const TfLiteTensor* t, const float* x) {
  if (!t || TfLiteTensorType(t) != kTfLiteFloat32 ||
      TfLiteTensorByteSize(t) != 3 * sizeof(float))
    return -1;
  const float* v = TfLiteTensorData(t);
  float c = (v[0] - 0.5f) / x[0];
  if (c < 0 || c != (float)(int)c) return -1;
  for (int j = 0; j < 3; ++j)
    if (v[j] != 0.5f + c * x[j]) return -1;
  return (int)c;
}

static void add_body(Job* job, TfLiteSignatureRunner* r) {
  for (int i = 0; i < job->iterations; ++i) {
    float* x = TfLiteTensorData(TfLiteSignatureRunnerGetInputTensor(r, "x"));
    memcpy(x, kAddX, sizeof(kAddX));
    if (!invoke(job, r)) continue;
    if (counter_multiple(output0(r), kAddX) != i + 1) fail(job, "add result");
  }
}

/* `read` and `scale` (k = 1): the variable only ever grows by whole adds. */
static void observe_body(Job* job, TfLiteSignatureRunner* r) {
  int last = 0;
  bool scale = strcmp(job->key, "scale") == 0;
  for (int i = 0; i < job->iterations; ++i) {
    if (scale) *(float*)TfLiteTensorData(TfLiteSignatureRunnerGetInputTensor(r, "k")) = 1.0f;
    if (!invoke(job, r)) continue;
    int c = counter_multiple(output0(r), kAddX);
    if (c < last || c > kAdds) fail(job, scale ? "scale result" : "read result");
    if (c > last) last = c;
  }
}

/* `loop` doubles and concatenates three times: y[i] = x[i % n] ·
 * 2^popcount(i / n). */
static void loop_body(Job* job, TfLiteSignatureRunner* r) {
  for (int i = 0; i < job->iterations; ++i) {
    int n = 1 + i % 5;
    const int dims[1] = {n};
    if (TfLiteSignatureRunnerResizeInputTensor(r, "x", dims, 1) != kTfLiteOk ||
        TfLiteSignatureRunnerAllocateTensors(r) != kTfLiteOk) {
      fail(job, "loop resize/allocate");
      continue;
    }
    float* x = TfLiteTensorData(TfLiteSignatureRunnerGetInputTensor(r, "x"));
    for (int k = 0; k < n; ++k) x[k] = (float)(i % 7 + k);
    if (!invoke(job, r)) continue;
    const TfLiteTensor* y = output0(r);
    if (TfLiteTensorNumDims(y) != 1 || TfLiteTensorDim(y, 0) != 8 * n) {
      fail(job, "loop shape");
      continue;
    }
    const float* v = TfLiteTensorData(y);
    for (int k = 0; k < 8 * n; ++k) {
      float want = (float)(i % 7 + k % n) * (float)(1 << __builtin_popcount(k / n));
      if (v[k] != want) {
        fail(job, "loop value");
        break;
      }
    }
  }
}

/* ---- coding ------------------------------------------------------------------ */

static void coding_body(Job* job, TfLiteSignatureRunner* r) {
  bool encode = strcmp(job->key, "encode") == 0;
  for (int i = 0; i < job->iterations; ++i) {
    int n = 1 + i % 13;
    const int dims[1] = {n};
    if (TfLiteSignatureRunnerResizeInputTensor(r, "x", dims, 1) != kTfLiteOk ||
        TfLiteSignatureRunnerAllocateTensors(r) != kTfLiteOk) {
      fail(job, "coding resize/allocate");
      continue;
    }
    TfLiteTensor* x = TfLiteSignatureRunnerGetInputTensor(r, "x");
    if (encode) {
      float* v = TfLiteTensorData(x);
      for (int k = 0; k < n; ++k) v[k] = (float)(i - 3 * k) / 4;
    } else {
      char buf[13][24];
      const char* s[13];
      size_t len[13];
      for (int k = 0; k < n; ++k) {
        len[k] = (size_t)snprintf(buf[k], sizeof(buf[k]), "%d.25", i * k - 50);
        s[k] = buf[k];
      }
      PyliteTensorWriteStrings(x, n, s, len);
    }
    if (!invoke(job, r)) continue;
    const TfLiteTensor* out = output0(r);
    for (int k = 0; k < n; ++k) {
      if (encode) {
        char want[48];
        const char* s = NULL;
        size_t len = 0;
        snprintf(want, sizeof(want), "%.6f", (double)((float)(i - 3 * k) / 4));
        if (PyliteTensorGetString(out, k, &s, &len) != kTfLiteOk ||
            len != strlen(want) || memcmp(s, want, len) != 0) {
          fail(job, "encode value");
          break;
        }
      } else if (TfLiteTensorByteSize(out) != (size_t)n * sizeof(float) ||
                 ((const float*)TfLiteTensorData(out))[k] !=
                     (float)(i * k - 50) + (i * k - 50 < 0 ? -0.25f : 0.25f)) {
        fail(job, "decode value");
        break;
      }
    }
  }
}

/* ---- hashtable --------------------------------------------------------------- */

/* LiteRT's results (tests/data/state/hashtable_reference.json). */
static const char* const kWords[8] = {"apple", "banana", "cherry", "",
                                      "caf\xc3\xa9", "a longer key, with punctuation",
                                      "Apple", "apple "};
static const int64_t kWordIds[8] = {1, 2, 3, 40, -5, 1099511627776LL, -1, -1};
static const int64_t kIds[8] = {0, 7, -1, 4611686018427387904LL, INT64_MIN,
                                123456789, 1, -4611686018427387904LL};
static const char* const kIdWords[8] = {"zero", "seven", "minus one", "big", "",
                                        "\xc3\xbc" "ber", "<unk>", "<unk>"};

static void lookup_body(Job* job, TfLiteSignatureRunner* r) {
  bool words = strcmp(job->key, "lookup_words") == 0;
  const char* in_name = words ? "words" : "ids";
  for (int i = 0; i < job->iterations; ++i) {
    int start = i % 8, n = 1 + (i / 8) % 8;
    const int dims[1] = {n};
    if (TfLiteSignatureRunnerResizeInputTensor(r, in_name, dims, 1) != kTfLiteOk ||
        TfLiteSignatureRunnerAllocateTensors(r) != kTfLiteOk) {
      fail(job, "lookup resize/allocate");
      continue;
    }
    TfLiteTensor* x = TfLiteSignatureRunnerGetInputTensor(r, in_name);
    const char* s[8];
    size_t len[8];
    for (int k = 0; k < n; ++k) {
      int e = (start + k) % 8;
      if (words) {
        s[k] = kWords[e];
        len[k] = strlen(kWords[e]);
      } else {
        ((int64_t*)TfLiteTensorData(x))[k] = kIds[e];
      }
    }
    if (words) PyliteTensorWriteStrings(x, n, s, len);
    if (!invoke(job, r)) continue;
    const TfLiteTensor* out = output0(r);
    for (int k = 0; k < n; ++k) {
      int e = (start + k) % 8;
      const char* got = NULL;
      size_t got_len = 0;
      bool ok = words ? TfLiteTensorByteSize(out) == (size_t)n * 8 &&
                            ((const int64_t*)TfLiteTensorData(out))[k] == kWordIds[e]
                      : PyliteTensorGetString(out, k, &got, &got_len) == kTfLiteOk &&
                            got_len == strlen(kIdWords[e]) &&
                            memcmp(got, kIdWords[e], got_len) == 0;
      if (!ok) {
        fail(job, words ? "lookup_words value" : "lookup_ids value");
        break;
      }
    }
  }
}

static void size_body(Job* job, TfLiteSignatureRunner* r) {
  for (int i = 0; i < job->iterations; ++i) {
    if (!invoke(job, r)) continue;
    for (int o = 0; o < 2; ++o) {
      const TfLiteTensor* t = TfLiteSignatureRunnerGetOutputTensor(
          r, TfLiteSignatureRunnerGetOutputName(r, o));
      if (!t || TfLiteTensorByteSize(t) != 8 ||
          *(const int64_t*)TfLiteTensorData(t) != 6)
        fail(job, "size value");
    }
  }
}

/* ---- Driver ------------------------------------------------------------------ */

static pthread_barrier_t start_line; /* every thread starts at once */

static void* run_job(void* arg) {
  Job* job = arg;
  TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(job->interp, job->key);
  bool ready = r && TfLiteSignatureRunnerAllocateTensors(r) == kTfLiteOk;
  pthread_barrier_wait(&start_line);
  if (!ready) {
    fail(job, "no runner");
  } else {
    job->body(job, r);
  }
  TfLiteSignatureRunnerDelete(r);
  return NULL;
}

int main(void) {
  TfLiteInterpreter* counter = open_interp(COUNTER);
  TfLiteInterpreter* other = open_interp(COUNTER);
  TfLiteInterpreter* coding = open_interp(CODING);
  TfLiteInterpreter* table = open_interp(HASHTABLE);
  CHECK(counter && other && coding && table);
  if (!counter || !other || !coding || !table) return CHECK_SUMMARY();

  Job jobs[] = {
      {counter, "add", add_body, kAdds, 0, 0, NULL},
      {counter, "read", observe_body, kReads, 0, 0, NULL},
      {counter, "scale", observe_body, kScales, 0, 0, NULL},
      {counter, "loop", loop_body, kLoops, 0, 0, NULL},
      {other, "add", add_body, kOtherAdds, 0, 0, NULL},
      {coding, "encode", coding_body, kCoding, 0, 0, NULL},
      {coding, "decode", coding_body, kCoding, 0, 0, NULL},
      {table, "lookup_words", lookup_body, kLookups, 0, 0, NULL},
      {table, "lookup_ids", lookup_body, kLookups, 0, 0, NULL},
      {table, "size", size_body, kLookups, 0, 0, NULL},
  };
  enum { kJobs = sizeof(jobs) / sizeof(jobs[0]) };
  pthread_t threads[kJobs];
  pthread_barrier_init(&start_line, NULL, kJobs);
  for (int i = 0; i < kJobs; ++i)
    CHECK(pthread_create(&threads[i], NULL, run_job, &jobs[i]) == 0);
  int calls = 0;
  for (int i = 0; i < kJobs; ++i) {
    pthread_join(threads[i], NULL);
    calls += jobs[i].calls;
    if (jobs[i].failures)
      fprintf(stderr, "%s: %d of %d calls wrong, first: %s\n", jobs[i].key,
              jobs[i].failures, jobs[i].calls, jobs[i].first_failure);
    CHECK(jobs[i].failures == 0);
    CHECK(jobs[i].calls == jobs[i].iterations);
  }

  pthread_barrier_destroy(&start_line);

  /* After everything: each counter holds exactly its own adds. */
  const struct { TfLiteInterpreter* interp; int adds; } finals[2] = {
      {counter, kAdds}, {other, kOtherAdds}};
  for (int i = 0; i < 2; ++i) {
    TfLiteSignatureRunner* r = TfLiteInterpreterGetSignatureRunner(finals[i].interp, "read");
    CHECK(r && TfLiteSignatureRunnerAllocateTensors(r) == kTfLiteOk &&
          TfLiteSignatureRunnerInvoke(r) == kTfLiteOk);
    int c = r ? counter_multiple(output0(r), kAddX) : -1;
    if (c != finals[i].adds)
      fprintf(stderr, "counter %d holds %d adds, not %d\n", i, c, finals[i].adds);
    CHECK(c == finals[i].adds);
    TfLiteSignatureRunnerDelete(r);
  }
  printf("test_threads: %d concurrent calls on %d threads\n", calls, kJobs);
  TfLiteInterpreterDelete(counter);
  TfLiteInterpreterDelete(other);
  TfLiteInterpreterDelete(coding);
  TfLiteInterpreterDelete(table);
  return CHECK_SUMMARY();
}
