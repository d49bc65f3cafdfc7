/* pylite: the interpreter's thread pool, for kernels that split their work.
 *
 * Created on the first pl_parallel_for of an interpreter whose num_threads
 * is above 1, with num_threads - 1 workers; the calling thread is worker 0
 * and takes chunks too. A loop's chunks are dealt out in contiguous blocks,
 * one per thread, the same for every loop of the same size: thread t takes
 * the chunks of block t first, in order, so consecutive ops over the same
 * rows (a 1x1 convolution, then a depthwise one, then an ADD) find their
 * inputs in the cache of the core that wrote them. A thread done with its
 * block takes the chunks still free in the others' blocks, from their ends
 * (each chunk is claimed with one atomic exchange), so a slow (preempted)
 * worker does not hold the others back, and a worker that wakes after the
 * caller has taken every chunk does not join the job at all: on a loaded
 * machine the caller never waits for a thread that was not scheduled.
 * Which thread computes a chunk never changes a result: kernels give each
 * output to exactly one chunk.
 *
 * Waking a sleeping thread costs microseconds (tens on a loaded machine),
 * more than many kernels take, so both sides spin first: an idle worker
 * polls the job counter for up to kSpinNs before it sleeps on the condition
 * variable, and the caller polls for the workers' end of a job as long
 * before it sleeps. The spin is bounded, so on a loaded machine the threads
 * soon leave the cores to others; but while an invoke is in progress
 * (pl_threadpool_heat), idle workers poll for up to kHotSpinNs, so that a
 * parallel loop after a stretch of small single-threaded ops (more than
 * kSpinNs of them) does not wait for a thread to wake, while an invoke
 * with long stretches of them does not keep a core busy throughout. Past
 * the first few polls each poll yields the core, so other runnable threads
 * still get it.
 * pl_parallel_for_cost lets a kernel say how much work a range is, and runs
 * small ranges inline.
 *
 * Runners of different subgraphs may invoke concurrently: one
 * pl_parallel_for owns the pool at a time (a try-lock); a call that finds it
 * busy runs its whole range inline, as worker 0. Worker 0's scratch is then
 * used by two threads only if they run the same node, which the subgraph
 * lock rules out. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "capi/core/interp.h"

/* How long a thread polls before it sleeps. */
enum { kSpinNs = 50000, kPausePolls = 64 };
/* How long an idle worker polls while an invoke is in progress. */
enum { kHotSpinNs = 1000000 };
/* Below this much work (pl_parallel_for_cost units, about nanoseconds) a
 * loop runs inline, and no chunk is made smaller. */
enum { kMinParallelCost = 5000, kMinChunkCost = 1500 };
/* Chunks per thread: enough for the load on the machine to even out. */
enum { kChunksPerThread = 8 };

typedef struct PlThreadPool {
  pthread_mutex_t busy; /* held by the pl_parallel_for using the pool */
  pthread_mutex_t lock; /* for the sleeps on `wake` and `done` */
  pthread_cond_t wake;
  pthread_cond_t done;
  atomic_uint_fast64_t generation; /* bumped for each job */
  atomic_bool stop;
  atomic_bool open;   /* the current job still takes workers */
  atomic_int active;  /* workers in the current job */
  atomic_int sleepers; /* workers asleep (or going to sleep) on `wake` */
  atomic_int hot;      /* invokes in progress: idle workers do not sleep */
  /* The current job, written before `open` is set (release) and read by
   * workers after they see it set (acquire). */
  PlParallelFn fn;
  void* ctx;
  int64_t count;
  int64_t chunk;
  int64_t num_chunks;
  atomic_bool* taken; /* per chunk: claimed by a thread (num_chunks used) */
  int num_workers;          /* started worker threads */
  pthread_t* threads;
} PlThreadPool;

typedef struct PlWorkerArg {
  PlThreadPool* pool;
  int id;
} PlWorkerArg;

/* Serializes pool creation and freeing across interpreters' threads. */
static pthread_mutex_t g_create_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Polls until done(arg) or limit_ns pass; returns done(arg). After the
 * first kPausePolls polls (a few hundred nanoseconds), each poll yields
 * the core: on a busy machine another thread runs, on an idle one the
 * poll comes straight back. */
static bool spin_until(bool (*done)(void*), void* arg, int64_t limit_ns) {
  int64_t deadline = 0;
  for (int i = 0;; ++i) {
    if (done(arg)) return true;
    if (i < kPausePolls) {
      cpu_relax();
      continue;
    }
    const int64_t t = now_ns();
    if (deadline == 0) {
      deadline = t + limit_ns;
    } else if (t > deadline) {
      return done(arg);
    }
    sched_yield();
  }
}

/* Runs chunk c unless another thread claimed it first. */
static inline void run_chunk(PlThreadPool* pool, int64_t c, int id) {
  if (atomic_load_explicit(&pool->taken[c], memory_order_relaxed) ||
      atomic_exchange(&pool->taken[c], true))
    return;
  const int64_t begin = c * pool->chunk;
  const int64_t end =
      begin + pool->chunk < pool->count ? begin + pool->chunk : pool->count;
  pool->fn(pool->ctx, begin, end, id);
}

/* Thread id's block of chunks in order, then what is left of the other
 * blocks, each from its end. */
static void pool_run_chunks(PlThreadPool* pool, int id) {
  const int64_t n = pool->num_chunks, threads = pool->num_workers + 1;
  for (int64_t c = id * n / threads; c < (id + 1) * n / threads; ++c)
    run_chunk(pool, c, id);
  for (int64_t k = 1; k < threads; ++k) {
    const int64_t t = (id + k) % threads;
    for (int64_t c = (t + 1) * n / threads - 1; c >= t * n / threads; --c)
      run_chunk(pool, c, id);
  }
}

/* What an idle worker waits for: a job after the one it saw, or stop. */
typedef struct PlWorkerWait {
  PlThreadPool* pool;
  uint64_t seen;
} PlWorkerWait;

static bool has_news(void* arg) {
  const PlWorkerWait* w = arg;
  return atomic_load(&w->pool->generation) != w->seen ||
         atomic_load(&w->pool->stop);
}

static bool all_left(void* arg) {
  PlThreadPool* pool = arg;
  return atomic_load(&pool->active) == 0;
}

static void* pool_worker(void* arg) {
  PlWorkerArg* w = arg;
  PlThreadPool* pool = w->pool;
  const int id = w->id;
  free(w);
  PlWorkerWait wait = {pool, 0};
  for (;;) {
    bool news = spin_until(has_news, &wait, kSpinNs);
    /* While an invoke is in progress the next parallel loop is likely
     * near: poll longer (each poll yields the core to other runnable
     * threads). */
    if (!news && atomic_load(&pool->hot) > 0)
      news = spin_until(has_news, &wait, kHotSpinNs);
    if (!news) {
      /* Sleep; `sleepers` is raised before the last check, so a job
       * published after it sees a sleeper and broadcasts (under the lock,
       * which this thread holds until it waits). */
      pthread_mutex_lock(&pool->lock);
      atomic_fetch_add(&pool->sleepers, 1);
      while (!has_news(&wait)) pthread_cond_wait(&pool->wake, &pool->lock);
      atomic_fetch_sub(&pool->sleepers, 1);
      pthread_mutex_unlock(&pool->lock);
    }
    if (atomic_load(&pool->stop)) break;
    wait.seen = atomic_load(&pool->generation);
    /* Join, then check that the job still takes workers: the caller closes
     * it before it waits for `active` to drop, so either it sees this
     * worker or this worker sees it closed. */
    atomic_fetch_add(&pool->active, 1);
    if (atomic_load(&pool->open)) pool_run_chunks(pool, id);
    if (atomic_fetch_sub(&pool->active, 1) == 1) {
      pthread_mutex_lock(&pool->lock);
      pthread_cond_signal(&pool->done);
      pthread_mutex_unlock(&pool->lock);
    }
  }
  return NULL;
}

static void pool_destroy(PlThreadPool* pool) {
  pthread_mutex_lock(&pool->lock);
  atomic_store(&pool->stop, true);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (int i = 0; i < pool->num_workers; ++i)
    pthread_join(pool->threads[i], NULL);
  free(pool->threads);
  free(pool->taken);
  pthread_cond_destroy(&pool->wake);
  pthread_cond_destroy(&pool->done);
  pthread_mutex_destroy(&pool->lock);
  pthread_mutex_destroy(&pool->busy);
  free(pool);
}

/* A pool with up to `workers` threads (fewer if the system refuses some);
 * NULL if none could be started. */
static PlThreadPool* pool_create(int workers) {
  PlThreadPool* pool = calloc(1, sizeof(*pool));
  if (!pool) return NULL;
  pool->threads = calloc((size_t)workers, sizeof(pthread_t));
  pool->taken =
      calloc((size_t)(workers + 1) * kChunksPerThread, sizeof(atomic_bool));
  if (!pool->threads || !pool->taken) {
    free(pool->threads);
    free(pool->taken);
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->busy, NULL);
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->stop, false);
  atomic_init(&pool->open, false);
  atomic_init(&pool->active, 0);
  atomic_init(&pool->sleepers, 0);
  atomic_init(&pool->hot, 0);
  for (int i = 0; i < workers; ++i) {
    PlWorkerArg* arg = malloc(sizeof(*arg));
    if (!arg) break;
    arg->pool = pool;
    arg->id = i + 1;
    if (pthread_create(&pool->threads[i], NULL, pool_worker, arg) != 0) {
      free(arg);
      break;
    }
    pool->num_workers++;
  }
  if (pool->num_workers == 0) {
    pool_destroy(pool);
    return NULL;
  }
  return pool;
}

/* The interpreter's pool, created on first use; NULL to run inline. */
static PlThreadPool* pool_get(PlInterp* interp) {
  PlThreadPool* pool = atomic_load(&interp->pool);
  if (pool || interp->num_threads <= 1) return pool;
  pthread_mutex_lock(&g_create_lock);
  pool = atomic_load(&interp->pool);
  if (!pool && !interp->pool_failed) {
    pool = pool_create(interp->num_threads - 1);
    if (pool)
      atomic_store(&interp->pool, pool);
    else
      interp->pool_failed = true; /* run single-threaded from now on */
  }
  pthread_mutex_unlock(&g_create_lock);
  return pool;
}

/* Runs [0, count) in at most max_chunks chunks on the pool. */
static void parallel_run(PlSubgraph* sg, int64_t count, int64_t max_chunks,
                         PlParallelFn fn, void* ctx) {
  PlThreadPool* pool =
      count > 1 && max_chunks > 1 ? pool_get(sg->interp) : NULL;
  if (!pool || pthread_mutex_trylock(&pool->busy) != 0) {
    fn(ctx, 0, count, 0);
    return;
  }
  const int64_t threads = pool->num_workers + 1;
  int64_t chunks = threads * kChunksPerThread;
  if (chunks > max_chunks) chunks = max_chunks;
  if (chunks > count) chunks = count;
  pool->fn = fn;
  pool->ctx = ctx;
  pool->count = count;
  pool->chunk = (count + chunks - 1) / chunks;
  pool->num_chunks = (count + pool->chunk - 1) / pool->chunk;
  for (int64_t c = 0; c < pool->num_chunks; ++c)
    atomic_store_explicit(&pool->taken[c], false, memory_order_relaxed);
  atomic_store(&pool->open, true);
  atomic_fetch_add(&pool->generation, 1);
  if (atomic_load(&pool->sleepers) > 0) {
    pthread_mutex_lock(&pool->lock);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
  }
  pool_run_chunks(pool, 0);
  /* Every chunk is taken; wait for the workers still computing theirs. */
  atomic_store(&pool->open, false);
  if (!spin_until(all_left, pool, kSpinNs)) {
    pthread_mutex_lock(&pool->lock);
    while (!all_left(pool)) pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
  }
  pthread_mutex_unlock(&pool->busy);
}

void pl_parallel_for(PlSubgraph* sg, int64_t count, PlParallelFn fn,
                     void* ctx) {
  if (count <= 0) return;
  parallel_run(sg, count, count, fn, ctx);
}

void pl_parallel_for_cost(PlSubgraph* sg, int64_t count, int64_t cost,
                          PlParallelFn fn, void* ctx) {
  if (count <= 0) return;
  if (cost < 1) cost = 1;
  const int64_t total = count > INT64_MAX / cost ? INT64_MAX : count * cost;
  if (total < kMinParallelCost) {
    fn(ctx, 0, count, 0);
    return;
  }
  parallel_run(sg, count, total / kMinChunkCost, fn, ctx);
}

PlThreadPool* pl_threadpool_heat(PlInterp* interp) {
  PlThreadPool* pool = atomic_load(&interp->pool);
  if (pool) atomic_fetch_add(&pool->hot, 1);
  return pool;
}

void pl_threadpool_cool(PlThreadPool* pool) {
  if (pool) atomic_fetch_sub(&pool->hot, 1);
}

void pl_threadpool_free(PlInterp* interp) {
  pthread_mutex_lock(&g_create_lock);
  PlThreadPool* pool = atomic_exchange(&interp->pool, NULL);
  pthread_mutex_unlock(&g_create_lock);
  if (pool) pool_destroy(pool);
}
