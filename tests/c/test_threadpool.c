/* pylite: the thread pool of capi/core/threadpool.c.
 *
 * pl_parallel_for and pl_parallel_for_cost must run every index of a loop
 * exactly once, give each concurrently running chunk its own worker id,
 * run small costed loops inline, and survive several callers sharing one
 * pool (the try-lock: a caller that finds the pool busy runs inline), with
 * pauses between loops long enough for the workers to go to sleep, and
 * keep doing so while an invoke holds the workers polling (heat). Built
 * also under ThreadSanitizer (see the Makefile's tsan target for flags). */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capi/core/interp.h"
#include "check.h"

enum { kMaxCount = 5000, kMaxWorkers = 8 };

typedef struct Loop {
  atomic_int hits[kMaxCount];
  atomic_int busy[kMaxWorkers]; /* chunks running per worker id */
  atomic_int bad_worker;
  atomic_int calls;
  int num_threads;
} Loop;

static void count_range(void* ctx, int64_t begin, int64_t end, int worker) {
  Loop* l = ctx;
  atomic_fetch_add(&l->calls, 1);
  if (worker < 0 || worker >= l->num_threads) {
    atomic_fetch_add(&l->bad_worker, 1);
    return;
  }
  if (atomic_fetch_add(&l->busy[worker], 1) != 0)
    atomic_fetch_add(&l->bad_worker, 1);
  for (int64_t i = begin; i < end; ++i) atomic_fetch_add(&l->hits[i], 1);
  atomic_fetch_sub(&l->busy[worker], 1);
}

static void loop_reset(Loop* l, int num_threads) {
  for (int i = 0; i < kMaxCount; ++i) atomic_init(&l->hits[i], 0);
  for (int i = 0; i < kMaxWorkers; ++i) atomic_init(&l->busy[i], 0);
  atomic_init(&l->bad_worker, 0);
  atomic_init(&l->calls, 0);
  l->num_threads = num_threads;
}

static bool loop_ok(Loop* l, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (atomic_load(&l->hits[i]) != 1) return false;
  return atomic_load(&l->bad_worker) == 0;
}

static PlSubgraph* fake_subgraph(int threads) {
  PlInterp* interp = calloc(1, sizeof(*interp));
  PlSubgraph* sg = calloc(1, sizeof(*sg));
  interp->num_threads = threads;
  sg->interp = interp;
  return sg;
}

static void free_subgraph(PlSubgraph* sg) {
  pl_threadpool_free(sg->interp);
  free(sg->interp);
  free(sg);
}

static void sleep_us(long us) {
  struct timespec t = {0, us * 1000};
  nanosleep(&t, NULL);
}

static void test_counts(int threads) {
  PlSubgraph* sg = fake_subgraph(threads);
  Loop* l = malloc(sizeof(*l));
  static const int64_t kCounts[] = {1, 2, 3, 7, 8, 9, 63, 1000, kMaxCount};
  for (int rep = 0; rep < 3; ++rep) {
    for (size_t c = 0; c < sizeof(kCounts) / sizeof(kCounts[0]); ++c) {
      loop_reset(l, threads);
      pl_parallel_for(sg, kCounts[c], count_range, l);
      CHECK(loop_ok(l, kCounts[c]));
      loop_reset(l, threads);
      pl_parallel_for_cost(sg, kCounts[c], 100, count_range, l);
      CHECK(loop_ok(l, kCounts[c]));
    }
    sleep_us(rep * 100000); /* past the spin: the workers sleep */
  }
  /* Small costed loops run inline, in one call. */
  loop_reset(l, threads);
  pl_parallel_for_cost(sg, 100, 10, count_range, l);
  CHECK(loop_ok(l, 100) && atomic_load(&l->calls) == 1);
  /* Zero and negative counts do nothing. */
  loop_reset(l, threads);
  pl_parallel_for(sg, 0, count_range, l);
  pl_parallel_for_cost(sg, -5, 1000, count_range, l);
  CHECK(atomic_load(&l->calls) == 0);
  free(l);
  free_subgraph(sg);
}

/* Callers sharing one pool (as runners of different subgraphs do). */
typedef struct Caller {
  PlSubgraph* sg;
  int threads;
  int failures;
} Caller;

static void* caller_main(void* arg) {
  Caller* c = arg;
  Loop* l = malloc(sizeof(*l));
  for (int i = 0; i < 300; ++i) {
    const int64_t count = 1 + (i * 37) % kMaxCount;
    /* Every third loop inside an "invoke": the hot counter is shared. */
    struct PlThreadPool* hot =
        i % 3 == 0 ? pl_threadpool_heat(c->sg->interp) : NULL;
    loop_reset(l, c->threads);
    if (i % 2)
      pl_parallel_for(c->sg, count, count_range, l);
    else
      pl_parallel_for_cost(c->sg, count, 50, count_range, l);
    if (!loop_ok(l, count)) c->failures++;
    if (i % 50 == 0) sleep_us(2000);
    pl_threadpool_cool(hot);
  }
  free(l);
  return NULL;
}

static void test_shared_pool(int threads) {
  PlSubgraph* sg = fake_subgraph(threads);
  Caller callers[3];
  pthread_t ids[3];
  for (int i = 0; i < 3; ++i) {
    callers[i] = (Caller){sg, threads, 0};
    CHECK(pthread_create(&ids[i], NULL, caller_main, &callers[i]) == 0);
  }
  for (int i = 0; i < 3; ++i) {
    pthread_join(ids[i], NULL);
    CHECK(callers[i].failures == 0);
  }
  free_subgraph(sg);
}

/* Heat before the pool exists is a no-op; nested heats balance; loops with
 * pauses longer than the workers' spin, while hot, and after the last
 * cool (when the workers go back to sleeping), all stay exact. */
static void test_heat(int threads) {
  PlSubgraph* sg = fake_subgraph(threads);
  CHECK(pl_threadpool_heat(sg->interp) == NULL); /* no pool yet */
  pl_threadpool_cool(NULL);
  Loop* l = malloc(sizeof(*l));
  loop_reset(l, threads);
  pl_parallel_for(sg, 100, count_range, l); /* makes the pool */
  CHECK(loop_ok(l, 100));
  struct PlThreadPool* outer = pl_threadpool_heat(sg->interp);
  CHECK((outer != NULL) == (threads > 1));
  for (int rep = 0; rep < 6; ++rep) {
    struct PlThreadPool* inner = pl_threadpool_heat(sg->interp);
    loop_reset(l, threads);
    pl_parallel_for(sg, 1000 + rep, count_range, l);
    CHECK(loop_ok(l, 1000 + rep));
    pl_threadpool_cool(inner);
    sleep_us(300); /* past kSpinNs */
  }
  pl_threadpool_cool(outer);
  sleep_us(100000);
  loop_reset(l, threads);
  pl_parallel_for(sg, kMaxCount, count_range, l);
  CHECK(loop_ok(l, kMaxCount));
  free(l);
  free_subgraph(sg);
}

int main(void) {
  const int kThreads[] = {1, 2, 4};
  for (int i = 0; i < 3; ++i) {
    test_counts(kThreads[i]);
    test_shared_pool(kThreads[i]);
    test_heat(kThreads[i]);
  }
  return CHECK_SUMMARY();
}
