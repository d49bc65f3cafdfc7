/* pylite_bench: times one model from C, with no Python in the loop.
 *
 * Usage: pylite_bench MODEL [--signature KEY] [--threads N] [--runs N]
 *                           [--warmup N] [--seed N] [--profile] [--top N]
 *
 * Loads MODEL, picks a signature (KEY; else the model's first; else the
 * placeholder runner over subgraph 0), allocates, fills every input with
 * seeded random values, and reports: init time (load + create + allocate),
 * the first run, min / median / p90 / mean of the timed runs, peak RSS and
 * arena bytes. With --profile it then runs the model as many times again
 * with per-node timing on and prints the time of every node (only the
 * slowest N with --top N, which implies --profile) and of every op type, so
 * that an optimization starts from a profile. The timed runs are done with
 * profiling off, so its clock reads do not inflate them.
 *
 * Exit status: 0 ok, 1 bad arguments, 2 the model could not be loaded,
 * allocated or run (the message names the op, e.g. an unsupported one). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "pylite/pylite.h"

typedef struct {
  const char* model_path;
  const char* signature;
  int threads;
  int runs;
  int warmup;
  uint64_t seed;
  int profile;
  int top;
} BenchArgs;

static void usage(FILE* out) {
  fprintf(out,
          "usage: pylite_bench MODEL [--signature KEY] [--threads N] "
          "[--runs N] [--warmup N] [--seed N] [--profile] [--top N]\n");
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int parse_int(const char* text, const char* flag, int min, int* out) {
  char* end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || !end || *end || v < min || v > 1000000000L) {
    fprintf(stderr, "pylite_bench: %s needs an integer >= %d, got '%s'\n",
            flag, min, text);
    return 0;
  }
  *out = (int)v;
  return 1;
}

static int parse_args(int argc, char** argv, BenchArgs* args) {
  *args = (BenchArgs){NULL, NULL, 1, 50, 5, 1, 0, 0};
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : NULL;
    int seed = 0;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      exit(0);
    } else if (!strcmp(a, "--profile")) {
      args->profile = 1;
    } else if (!strcmp(a, "--signature") && value) {
      args->signature = value, ++i;
    } else if (!strcmp(a, "--threads") && value) {
      if (!parse_int(value, a, 1, &args->threads)) return 0;
      ++i;
    } else if (!strcmp(a, "--runs") && value) {
      if (!parse_int(value, a, 1, &args->runs)) return 0;
      ++i;
    } else if (!strcmp(a, "--warmup") && value) {
      if (!parse_int(value, a, 0, &args->warmup)) return 0;
      ++i;
    } else if (!strcmp(a, "--top") && value) {
      if (!parse_int(value, a, 0, &args->top)) return 0;
      args->profile = 1, ++i;
    } else if (!strcmp(a, "--seed") && value) {
      if (!parse_int(value, a, 0, &seed)) return 0;
      args->seed = (uint64_t)seed, ++i;
    } else if (a[0] == '-' || args->model_path) {
      fprintf(stderr, "pylite_bench: unexpected argument '%s'\n", a);
      return 0;
    } else {
      args->model_path = a;
    }
  }
  if (!args->model_path) {
    fprintf(stderr, "pylite_bench: no model given\n");
    return 0;
  }
  return 1;
}

/* ---- Random inputs ---------------------------------------------------------- */

/* splitmix64: seeded, the same values on every platform. */
static uint64_t next_random(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double uniform01(uint64_t* state) {
  return (double)(next_random(state) >> 11) * (1.0 / 9007199254740992.0);
}

static int64_t element_count(const TfLiteTensor* t) {
  int64_t n = 1;
  for (int32_t d = 0; d < TfLiteTensorNumDims(t); ++d) n *= TfLiteTensorDim(t, d);
  return n;
}

/* Floats in [-1, 1); integers in [0, 16) so that they are valid indices for
 * embeddings and gathers; 8-bit types over their whole range. */
static int fill_input(TfLiteTensor* t, uint64_t* rng) {
  int64_t n = element_count(t);
  void* data = TfLiteTensorData(t);
  TfLiteType type = TfLiteTensorType(t);
  if (type == kTfLiteString) {
    const char* one = "1";
    size_t len = 1;
    const char** items = malloc(sizeof(char*) * (size_t)(n > 0 ? n : 1));
    size_t* lengths = malloc(sizeof(size_t) * (size_t)(n > 0 ? n : 1));
    if (!items || !lengths) {
      free(items), free(lengths);
      return 0;
    }
    for (int64_t i = 0; i < n; ++i) items[i] = one, lengths[i] = len;
    TfLiteStatus s = PyliteTensorWriteStrings(t, (int32_t)n, items, lengths);
    free(items), free(lengths);
    return s == kTfLiteOk;
  }
  if (n > 0 && !data) return 0;
  for (int64_t i = 0; i < n; ++i) {
    double u = uniform01(rng);
    switch (type) {
      case kTfLiteFloat32: ((float*)data)[i] = (float)(2.0 * u - 1.0); break;
      case kTfLiteFloat64: ((double*)data)[i] = 2.0 * u - 1.0; break;
      case kTfLiteInt32: ((int32_t*)data)[i] = (int32_t)(u * 16); break;
      case kTfLiteInt64: ((int64_t*)data)[i] = (int64_t)(u * 16); break;
      case kTfLiteInt16: ((int16_t*)data)[i] = (int16_t)(u * 16); break;
      case kTfLiteInt8: ((int8_t*)data)[i] = (int8_t)((int)(u * 256) - 128); break;
      case kTfLiteUInt8: ((uint8_t*)data)[i] = (uint8_t)(u * 256); break;
      case kTfLiteBool: ((bool*)data)[i] = u < 0.5; break;
      default:
        fprintf(stderr, "pylite_bench: cannot fill an input of type %s\n",
                TfLiteTypeGetName(type));
        return 0;
    }
  }
  return 1;
}

/* ---- Statistics ---------------------------------------------------------------- */

/* A duration for people: ms down to 1 ms, then us. Four rotating buffers, so
 * that one printf can take several. */
static const char* fmt_ms(double ms) {
  static char buffers[4][32];
  static int next = 0;
  char* out = buffers[next++ % 4];
  if (ms >= 1.0)
    snprintf(out, 32, "%.3f ms", ms);
  else
    snprintf(out, 32, "%.2f us", ms * 1e3);
  return out;
}

static int compare_doubles(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values. */
static double percentile(const double* sorted, int n, double p) {
  int rank = (int)(p / 100.0 * n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return sorted[rank - 1];
}

static double median(const double* sorted, int n) {
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

static double peak_rss_mib(void) {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  return (double)usage.ru_maxrss / 1024.0; /* ru_maxrss is in KiB on Linux */
}

/* ---- Profile ------------------------------------------------------------------ */

typedef struct {
  int32_t subgraph;
  int32_t node;
  const char* op;
  int64_t ns;
  int64_t calls;
} NodeTime;

typedef struct {
  const char* op;
  int64_t ns;
  int nodes;
} OpTime;

static int compare_node_times(const void* a, const void* b) {
  int64_t x = ((const NodeTime*)a)->ns, y = ((const NodeTime*)b)->ns;
  return (x < y) - (x > y);
}

static int compare_op_times(const void* a, const void* b) {
  int64_t x = ((const OpTime*)a)->ns, y = ((const OpTime*)b)->ns;
  return (x < y) - (x > y);
}

/* "1x112x112x32" for a node's first output ("-" if none). */
static void output_shape(const TfLiteInterpreter* interp, int32_t subgraph,
                         int32_t node, char* out, size_t size) {
  const TfLiteIntArray* outputs =
      PyliteInterpreterGetNodeOutputs(interp, subgraph, node);
  const TfLiteTensor* t =
      outputs && outputs->size > 0
          ? PyliteInterpreterGetSubgraphTensor(interp, subgraph, outputs->data[0])
          : NULL;
  snprintf(out, size, "-");
  if (!t) return;
  size_t used = 0;
  out[0] = '\0';
  for (int32_t d = 0; d < TfLiteTensorNumDims(t) && used + 1 < size; ++d) {
    int n = snprintf(out + used, size - used, d ? "x%d" : "%d",
                     (int)TfLiteTensorDim(t, d));
    if (n < 0) break;
    used += (size_t)n;
  }
  if (TfLiteTensorNumDims(t) == 0) snprintf(out, size, "scalar");
}

/* Per-node rows (every subgraph, so WHILE/IF bodies are seen), sorted by
 * time (the first `top`, 0 for all), then a summary per op type. Times are
 * per model run. */
static int print_profile(const TfLiteInterpreter* interp, int runs,
                         double wall_ms, int top) {
  int32_t subgraphs = PyliteInterpreterGetSubgraphCount(interp);
  int64_t total = 0;
  int count = 0;
  for (int32_t s = 0; s < subgraphs; ++s)
    count += PyliteInterpreterGetNodeCount(interp, s);
  NodeTime* nodes = calloc((size_t)(count > 0 ? count : 1), sizeof(NodeTime));
  OpTime* ops = calloc((size_t)(count > 0 ? count : 1), sizeof(OpTime));
  if (!nodes || !ops) {
    free(nodes), free(ops);
    fprintf(stderr, "pylite_bench: out of memory\n");
    return 0;
  }
  int used = 0, op_kinds = 0;
  for (int32_t s = 0; s < subgraphs; ++s) {
    int32_t n = PyliteInterpreterGetNodeCount(interp, s);
    for (int32_t i = 0; i < n; ++i) {
      NodeTime t = {s, i, PyliteInterpreterGetNodeOpName(interp, s, i), 0, 0};
      if (!PyliteInterpreterGetNodeProfile(interp, s, i, &t.ns, &t.calls) ||
          t.calls == 0)
        continue;
      if (!t.op) t.op = "?";
      nodes[used++] = t;
      total += t.ns;
      int k = 0;
      while (k < op_kinds && strcmp(ops[k].op, t.op)) ++k;
      if (k == op_kinds) ops[op_kinds++] = (OpTime){t.op, 0, 0};
      ops[k].ns += t.ns;
      ops[k].nodes += 1;
    }
  }
  qsort(nodes, (size_t)used, sizeof(NodeTime), compare_node_times);
  qsort(ops, (size_t)op_kinds, sizeof(OpTime), compare_op_times);
  double per_run = 1e-6 / runs; /* ns summed over runs -> ms per run */
  printf("\nprofile: %d runs; per run %s in nodes, %s wall (the rest is the "
         "interpreter between nodes and the clock reads)\n",
         runs, fmt_ms((double)total * per_run), fmt_ms(wall_ms / runs));
  printf("%-28s %8s %-18s %9s %12s %7s %7s\n", "op", "node", "output",
         "calls/run", "time/run", "share", "cum");
  double cum = 0;
  for (int i = 0; i < used && (top <= 0 || i < top); ++i) {
    char shape[64];
    output_shape(interp, nodes[i].subgraph, nodes[i].node, shape, sizeof shape);
    char where[32];
    if (nodes[i].subgraph == 0)
      snprintf(where, sizeof where, "%d", (int)nodes[i].node);
    else
      snprintf(where, sizeof where, "%d:%d", (int)nodes[i].subgraph,
               (int)nodes[i].node);
    double share = total ? 100.0 * (double)nodes[i].ns / (double)total : 0;
    cum += share;
    printf("%-28s %8s %-18s %9.1f %12s %6.1f%% %6.1f%%\n", nodes[i].op,
           where, shape,
           (double)nodes[i].calls / runs, fmt_ms((double)nodes[i].ns * per_run),
           share, cum);
  }
  if (top > 0 && used > top) printf("(%d more nodes)\n", used - top);
  printf("\nby op type:\n%-28s %6s %12s %7s\n", "op", "nodes", "time/run",
         "share");
  for (int k = 0; k < op_kinds; ++k)
    printf("%-28s %6d %12s %6.1f%%\n", ops[k].op, ops[k].nodes,
           fmt_ms((double)ops[k].ns * per_run),
           total ? 100.0 * (double)ops[k].ns / (double)total : 0);
  free(nodes);
  free(ops);
  return 1;
}

/* ---- Main ------------------------------------------------------------------------ */

static int fail(const char* what) {
  const char* message = PyliteGetLastError();
  fprintf(stderr, "pylite_bench: %s failed: %s\n", what,
          message && *message ? message : "(no message)");
  return 2;
}

int main(int argc, char** argv) {
  BenchArgs args;
  if (!parse_args(argc, argv, &args)) {
    usage(stderr);
    return 1;
  }

  double t0 = now_ms();
  TfLiteModel* model = TfLiteModelCreateFromFileWithErrorReporter(
      args.model_path, PyliteQuietReporter, NULL);
  if (!model) return fail("loading the model");
  TfLiteInterpreterOptions* options = TfLiteInterpreterOptionsCreate();
  if (!options) {
    TfLiteModelDelete(model);
    return fail("TfLiteInterpreterOptionsCreate");
  }
  TfLiteInterpreterOptionsSetNumThreads(options, args.threads);
  TfLiteInterpreterOptionsSetErrorReporter(options, PyliteQuietReporter, NULL);
  TfLiteInterpreter* interp = TfLiteInterpreterCreate(model, options);
  TfLiteInterpreterOptionsDelete(options);
  TfLiteModelDelete(model);
  if (!interp) return fail("creating the interpreter");

  int status = 2;
  const char* key = args.signature;
  if (!key && TfLiteInterpreterGetSignatureCount(interp) > 0)
    key = TfLiteInterpreterGetSignatureKey(interp, 0);
  TfLiteSignatureRunner* runner = TfLiteInterpreterGetSignatureRunner(interp, key);
  double* times = NULL;
  if (!runner) {
    status = fail("getting the signature runner");
    goto done;
  }
  if (TfLiteSignatureRunnerAllocateTensors(runner) != kTfLiteOk) {
    status = fail("allocating tensors");
    goto done;
  }
  double init_ms = now_ms() - t0;

  uint64_t rng = args.seed;
  size_t inputs = TfLiteSignatureRunnerGetInputCount(runner);
  for (size_t i = 0; i < inputs; ++i) {
    TfLiteTensor* t = TfLiteSignatureRunnerGetInputTensor(
        runner, TfLiteSignatureRunnerGetInputName(runner, (int32_t)i));
    if (!t || !fill_input(t, &rng)) {
      status = fail("filling the inputs");
      goto done;
    }
  }

  double start = now_ms();
  if (TfLiteSignatureRunnerInvoke(runner) != kTfLiteOk) {
    status = fail("invoking");
    goto done;
  }
  double first_ms = now_ms() - start;
  for (int i = 0; i < args.warmup; ++i) {
    if (TfLiteSignatureRunnerInvoke(runner) != kTfLiteOk) {
      status = fail("invoking");
      goto done;
    }
  }
  times = malloc(sizeof(double) * (size_t)args.runs);
  if (!times) {
    fprintf(stderr, "pylite_bench: out of memory\n");
    goto done;
  }
  double sum = 0;
  for (int i = 0; i < args.runs; ++i) {
    start = now_ms();
    if (TfLiteSignatureRunnerInvoke(runner) != kTfLiteOk) {
      status = fail("invoking");
      goto done;
    }
    times[i] = now_ms() - start;
    sum += times[i];
  }
  qsort(times, (size_t)args.runs, sizeof(double), compare_doubles);

  int64_t arena = 0;
  int32_t subgraphs = PyliteInterpreterGetSubgraphCount(interp);
  for (int32_t s = 0; s < subgraphs; ++s) {
    int64_t bytes = PyliteInterpreterGetArenaBytes(interp, s);
    if (bytes > 0) arena += bytes;
  }

  printf("model:      %s\n", args.model_path);
  printf("signature:  %s (subgraph %d of %d, %d nodes)\n",
         PyliteSignatureRunnerGetKey(runner),
         (int)PyliteSignatureRunnerGetSubgraphIndex(runner), (int)subgraphs,
         (int)PyliteInterpreterGetNodeCount(
             interp, PyliteSignatureRunnerGetSubgraphIndex(runner)));
  printf("threads:    %d\n",
         args.threads);
  printf("init:       %s (load + create + allocate)\n", fmt_ms(init_ms));
  printf("first run:  %s\n", fmt_ms(first_ms));
  printf("runs:       %d after %d warm-up\n", args.runs, args.warmup);
  printf("latency:    min %s  median %s  p90 %s  mean %s\n",
         fmt_ms(times[0]), fmt_ms(median(times, args.runs)),
         fmt_ms(percentile(times, args.runs, 90)), fmt_ms(sum / args.runs));
  printf("arena:      %lld bytes (all subgraphs)\n", (long long)arena);
  printf("peak RSS:   %.1f MiB\n", peak_rss_mib());

  if (args.profile) {
    PyliteInterpreterSetProfiling(interp, true);
    start = now_ms();
    for (int i = 0; i < args.runs; ++i) {
      if (TfLiteSignatureRunnerInvoke(runner) != kTfLiteOk) {
        status = fail("invoking");
        goto done;
      }
    }
    double wall = now_ms() - start;
    PyliteInterpreterSetProfiling(interp, false);
    if (!print_profile(interp, args.runs, wall, args.top)) goto done;
  }
  status = 0;

done:
  free(times);
  TfLiteSignatureRunnerDelete(runner);
  TfLiteInterpreterDelete(interp);
  return status;
}
