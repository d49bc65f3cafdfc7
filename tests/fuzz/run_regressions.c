/* pylite fuzzing: runs every committed input in tests/fuzz/regressions/
 * (crashes the fuzzers found, kept after the fix) through both harnesses.
 * Plain C, no libFuzzer: a ctest test in the normal and the ASan build.
 * Also runs a fixed number of schema-aware mutants of a few models, so the
 * mutator and the harness stay exercised without clang.
 * Usage: run_regressions [DIR] [MUTANTS]; run from the repository root.
 * With PYLITE_FUZZ_SAVE=path, each mutant is written there before it runs
 * (after a crash, that file is the input to add to regressions/). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "mutator.h"

static unsigned char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char* data = malloc(n > 0 ? (size_t)n : 1);
  if (data && n > 0 && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = n > 0 ? (size_t)n : 0;
  return data;
}

/* Runs one input from an exactly-sized heap block (so ASan sees overreads). */
static void run_both(const unsigned char* bytes, size_t size) {
  unsigned char* exact = malloc(size ? size : 1);
  memcpy(exact, bytes, size);
  pl_fuzz_model(exact, size);
  pl_fuzz_run(exact, size);
  free(exact);
}

static int by_name(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

int main(int argc, char** argv) {
  const char* dir = argc > 1 ? argv[1] : "tests/fuzz/regressions";
  int mutants = argc > 2 ? atoi(argv[2]) : 200;
  DIR* d = opendir(dir);
  if (!d) {
    fprintf(stderr, "run_regressions: cannot open %s\n", dir);
    return 1;
  }
  char* names[4096];
  int count = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL && count < 4096) {
    if (e->d_name[0] == '.' || strstr(e->d_name, ".md")) continue;
    names[count++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)count, sizeof(names[0]), by_name);
  int failed = 0;
  for (int i = 0; i < count; ++i) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    size_t size = 0;
    unsigned char* bytes = read_file(path, &size);
    if (!bytes) {
      fprintf(stderr, "run_regressions: cannot read %s\n", path);
      failed = 1;
    } else {
      run_both(bytes, size);
      free(bytes);
    }
    free(names[i]);
  }
  printf("run_regressions: %d inputs from %s\n", count, dir);

  /* Deterministic schema-aware mutants of models with varied features:
   * Flex string ops, a dense layer, variables with WHILE and CALL_ONCE. */
  static const char* const seeds[] = {
      "examples/models/coding.tflite", "examples/models/dense.tflite",
      "tests/data/state/counter.tflite", "tests/data/state/hashtable.tflite"};
  int total = 0;
  for (size_t m = 0; m < sizeof(seeds) / sizeof(seeds[0]); ++m) {
    size_t size = 0;
    unsigned char* original = read_file(seeds[m], &size);
    if (!original) continue; /* optional models */
    unsigned char* copy = malloc(size);
    for (int k = 0; k < mutants; ++k) {
      memcpy(copy, original, size);
      if (pl_tflite_mutate(copy, size, (uint32_t)(k * 7919 + m)) == 0) {
        fprintf(stderr, "run_regressions: mutator found nothing in %s\n",
                seeds[m]);
        failed = 1;
        break;
      }
      const char* save = getenv("PYLITE_FUZZ_SAVE");
      FILE* f = save ? fopen(save, "wb") : NULL;
      if (f) {
        fwrite(copy, 1, size, f);
        fclose(f);
        fprintf(stderr, "mutant %d of %s\n", k, seeds[m]);
      }
      run_both(copy, size);
      ++total;
    }
    free(copy);
    free(original);
  }
  printf("run_regressions: %d schema-aware mutants\n", total);
  return failed;
}
