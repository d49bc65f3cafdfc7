/* pylite soak, C: loads, runs and frees every model of a list, over and
 * over, until SECONDS have passed (tests/soak/soak.sh watches its RSS).
 * Each pass is the fuzz harness's whole path (tests/fuzz/harness.c): load,
 * every signature allocated, filled, invoked twice and resized, the classic
 * API, delete. Usage: soak_c MODEL_LIST SECONDS */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: soak_c MODEL_LIST SECONDS\n");
    return 2;
  }
  double end = now() + atof(argv[2]);
  long passes = 0, runs = 0, invokes = 0;
  while (now() < end) {
    FILE* list = fopen(argv[1], "r");
    if (!list) return 2;
    char path[4096];
    while (fgets(path, sizeof(path), list) && now() < end) {
      path[strcspn(path, "\n")] = '\0';
      FILE* f = fopen(path, "rb");
      if (!f) continue;
      fseek(f, 0, SEEK_END);
      long n = ftell(f);
      fseek(f, 0, SEEK_SET);
      unsigned char* bytes = malloc(n > 0 ? (size_t)n : 1);
      if (bytes && fread(bytes, 1, (size_t)n, f) == (size_t)n) {
        invokes += pl_fuzz_run(bytes, (size_t)n);
        ++runs;
      }
      free(bytes);
      fclose(f);
    }
    fclose(list);
    ++passes;
  }
  printf("soak c: %ld model runs (%ld passes), %ld invokes\n", runs, passes,
         invokes);
  return 0;
}
