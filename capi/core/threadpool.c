/* pylite: the interpreter's thread pool, for kernels that split their work.
 *
 * Created on the first pl_parallel_for of an interpreter whose num_threads
 * is above 1, with num_threads - 1 workers; the calling thread is worker 0
 * and takes chunks too. Chunks are handed out through an atomic counter, so
 * a slow (preempted) worker does not hold the others back, and a worker
 * that wakes after the caller has taken every chunk does not join the job
 * at all: on a loaded machine the caller never waits for a thread that was
 * not scheduled. Which thread computes a chunk never changes a result:
 * kernels give each output to exactly one chunk.
 *
 * Runners of different subgraphs may invoke concurrently: one
 * pl_parallel_for owns the pool at a time (a try-lock); a call that finds it
 * busy runs its whole range inline, as worker 0. Worker 0's scratch is then
 * used by two threads only if they run the same node, which the subgraph
 * lock rules out. */
#include <stdatomic.h>
#include <stdlib.h>

#include "capi/core/interp.h"

typedef struct PlThreadPool {
  pthread_mutex_t busy; /* held by the pl_parallel_for using the pool */
  pthread_mutex_t lock; /* guards the fields below up to `threads` */
  pthread_cond_t wake;
  pthread_cond_t done;
  uint64_t generation; /* bumped for each job */
  bool stop;
  bool open;  /* the current job still takes workers */
  int active; /* workers in the current job */
  /* The current job. */
  PlParallelFn fn;
  void* ctx;
  int64_t count;
  int64_t chunk;
  int64_t num_chunks;
  atomic_int_fast64_t next; /* next chunk to hand out */
  int num_workers;          /* started worker threads */
  pthread_t* threads;
} PlThreadPool;

typedef struct PlWorkerArg {
  PlThreadPool* pool;
  int id;
} PlWorkerArg;

/* Serializes pool creation and freeing across interpreters' threads. */
static pthread_mutex_t g_create_lock = PTHREAD_MUTEX_INITIALIZER;

static void pool_run_chunks(PlThreadPool* pool, int id) {
  for (;;) {
    const int64_t c = atomic_fetch_add(&pool->next, 1);
    if (c >= pool->num_chunks) return;
    const int64_t begin = c * pool->chunk;
    const int64_t end =
        begin + pool->chunk < pool->count ? begin + pool->chunk : pool->count;
    pool->fn(pool->ctx, begin, end, id);
  }
}

static void* pool_worker(void* arg) {
  PlWorkerArg* w = arg;
  PlThreadPool* pool = w->pool;
  const int id = w->id;
  free(w);
  uint64_t seen = 0;
  pthread_mutex_lock(&pool->lock);
  for (;;) {
    while (!pool->stop && pool->generation == seen)
      pthread_cond_wait(&pool->wake, &pool->lock);
    if (pool->stop) break;
    seen = pool->generation;
    if (!pool->open) continue; /* woke too late: the job is done */
    pool->active++;
    pthread_mutex_unlock(&pool->lock);
    pool_run_chunks(pool, id);
    pthread_mutex_lock(&pool->lock);
    if (--pool->active == 0) pthread_cond_signal(&pool->done);
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
}

static void pool_destroy(PlThreadPool* pool) {
  pthread_mutex_lock(&pool->lock);
  pool->stop = true;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (int i = 0; i < pool->num_workers; ++i)
    pthread_join(pool->threads[i], NULL);
  free(pool->threads);
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
  if (!pool->threads) {
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->busy, NULL);
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  atomic_init(&pool->next, 0);
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

void pl_parallel_for(PlSubgraph* sg, int64_t count, PlParallelFn fn,
                     void* ctx) {
  if (count <= 0) return;
  PlThreadPool* pool = count > 1 ? pool_get(sg->interp) : NULL;
  if (!pool || pthread_mutex_trylock(&pool->busy) != 0) {
    fn(ctx, 0, count, 0);
    return;
  }
  const int64_t threads = pool->num_workers + 1;
  /* A few chunks per thread, so that load on the machine evens out. */
  int64_t chunks = threads * 4;
  if (chunks > count) chunks = count;
  pthread_mutex_lock(&pool->lock);
  pool->fn = fn;
  pool->ctx = ctx;
  pool->count = count;
  pool->chunk = (count + chunks - 1) / chunks;
  pool->num_chunks = (count + pool->chunk - 1) / pool->chunk;
  atomic_store(&pool->next, 0);
  pool->open = true;
  pool->generation++;
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  pool_run_chunks(pool, 0);
  /* Every chunk is taken; wait for the workers still computing theirs. */
  pthread_mutex_lock(&pool->lock);
  pool->open = false;
  while (pool->active > 0) pthread_cond_wait(&pool->done, &pool->lock);
  pthread_mutex_unlock(&pool->lock);
  pthread_mutex_unlock(&pool->busy);
}

void pl_threadpool_free(PlInterp* interp) {
  pthread_mutex_lock(&g_create_lock);
  PlThreadPool* pool = atomic_exchange(&interp->pool, NULL);
  pthread_mutex_unlock(&g_create_lock);
  if (pool) pool_destroy(pool);
}
