/* pylite: tests of the shared GEMM (capi/kernels/internal/gemm.c) and the
 * interpreter's thread pool (capi/core/threadpool.c).
 *
 * The GEMM promises the bits of the plain loop (one float sum per output,
 * from 0.0f, over d in order, then the bias, then the clamp) on every path:
 * portable, AVX2 and AVX-512, one thread or several. Each case is checked
 * against that loop bit for bit (any NaN matching any NaN: which operand's
 * payload survives an add is the compiler's choice). The pool must run every index
 * exactly once, give worker ids below the thread count, and survive
 * concurrent callers. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/interp.h"
#include "capi/kernels/internal/gemm.h"
#include "check.h"

/* Mostly uniform values, with some specials when `specials` is set. */
static void fill(float* x, int64_t count, bool specials) {
  for (int64_t i = 0; i < count; ++i) {
    x[i] = check_rand_float() * 4.0f;
    if (!specials) continue;
    const uint32_t r = check_rand_u32() % 97;
    if (r == 0) x[i] = NAN;
    if (r == 1) x[i] = INFINITY;
    if (r == 2) x[i] = -0.0f;
    if (r == 3) x[i] = 1e30f;
  }
}

static bool same_bits(float a, float b) {
  if (isnan(a) && isnan(b)) return true;
  return memcmp(&a, &b, sizeof(a)) == 0;
}

/* The reference: the scalar loop in TFLite's order. */
static void reference(const PlGemm* g, const float* b, int64_t sj, int64_t sk,
                      float* y) {
  for (int64_t i = 0; i < g->m; ++i) {
    for (int64_t j = 0; j < g->n; ++j) {
      float acc = 0.0f;
      for (int64_t d = 0; d < g->k; ++d)
        acc += g->a[i * g->sai + d * g->sad] * b[j * sj + d * sk];
      if (g->bias) acc += g->bias[j];
      acc = acc < g->lo ? g->lo : acc;
      y[i * g->ldy + j] = g->hi < acc ? g->hi : acc;
    }
  }
}

static PlInterp* fake_interp(int threads) {
  PlInterp* interp = calloc(1, sizeof(*interp));
  interp->num_threads = threads;
  return interp;
}

static void free_interp(PlInterp* interp) {
  pl_threadpool_free(interp);
  free(interp);
}

static int g_mismatch_reports;

static bool compare(const char* what, const float* got, const float* want,
                    int64_t count, int64_t m, int64_t n, int64_t k) {
  for (int64_t i = 0; i < count; ++i) {
    if (!same_bits(got[i], want[i])) {
      if (g_mismatch_reports++ < 10)
        fprintf(stderr, "%s m=%lld n=%lld k=%lld: element %lld is %a, want %a\n",
                what, (long long)m, (long long)n, (long long)k, (long long)i,
                got[i], want[i]);
      return false;
    }
  }
  return true;
}

/* One shape, on every path. */
static void gemm_case(int64_t m, int64_t n, int64_t k, bool transposed_a,
                      bool transposed_b, bool with_bias, int clamp,
                      bool specials, PlInterp** interps, int num_interps) {
  float* a = malloc(sizeof(float) * (size_t)(m * k + 1));
  float* b = malloc(sizeof(float) * (size_t)(n * k + 1));
  float* bias = malloc(sizeof(float) * (size_t)(n + 1));
  float* packed = malloc(sizeof(float) * (size_t)(pl_gemm_packed_size(n, k) + 1));
  /* Outputs with a padding column so that ldy > n is covered. */
  const int64_t ldy = n + 3;
  float* want = malloc(sizeof(float) * (size_t)(m * ldy + 1));
  float* got = malloc(sizeof(float) * (size_t)(m * ldy + 1));
  fill(a, m * k, specials);
  fill(b, n * k, specials);
  fill(bias, n, false);
  const int64_t sj = transposed_b ? 1 : k, sk = transposed_b ? n : 1;
  pl_gemm_pack(b, n, k, sj, sk, packed);
  PlGemm g = {
      .a = a, .sai = transposed_a ? 1 : k, .sad = transposed_a ? m : 1,
      .m = m, .packed = packed, .n = n, .k = k,
      .bias = with_bias ? bias : NULL, .y = want, .ldy = ldy,
  };
  switch (clamp) {
    case 0: g.lo = -FLT_MAX, g.hi = FLT_MAX; break;
    case 1: g.lo = 0.0f, g.hi = 6.0f; break;
    default: g.lo = -INFINITY, g.hi = INFINITY; break;
  }
  for (int64_t i = 0; i < m * ldy; ++i) want[i] = got[i] = 7.0f;
  reference(&g, b, sj, sk, want);
  g.y = got;
  /* The CPU's best path, AVX2 (when it has AVX-512), portable. */
  for (int level = 0; level < 3; ++level) {
    pl_simd_cap(level == 0 ? -1 : level == 1 ? PL_SIMD_AVX2 : PL_SIMD_PORTABLE);
    const char* path = pl_simd_avx512() ? "avx512"
                       : pl_simd_avx2() ? "avx2"
                                        : "portable";
    /* Whole, then in two row ranges on the calling thread. */
    memset(got, 0, sizeof(float) * (size_t)(m * ldy));
    for (int64_t i = 0; i < m * ldy; ++i) got[i] = 7.0f;
    pl_gemm_rows(&g, 0, m / 3);
    pl_gemm_rows(&g, m / 3, m);
    CHECK(compare(path, got, want, m * ldy, m, n, k));
    for (int t = 0; t < num_interps; ++t) {
      for (int64_t i = 0; i < m * ldy; ++i) got[i] = 7.0f;
      PlSubgraph sg;
      memset(&sg, 0, sizeof(sg));
      sg.interp = interps[t];
      pl_gemm(&sg, &g);
      CHECK(compare(path, got, want, m * ldy, m, n, k));
    }
  }
  pl_simd_cap(-1);
  free(a);
  free(b);
  free(bias);
  free(packed);
  free(want);
  free(got);
}

/* A read in segments (a convolution's patches in place): kseg values per
 * segment, segments sseg apart, with gaps the GEMM must not read. */
static void gemm_segments_case(int64_t m, int64_t n, int64_t k, int64_t kseg,
                               PlInterp** interps, int num_interps) {
  const int64_t segs = (k + kseg - 1) / kseg;
  const int64_t sseg = kseg + 3, sai = segs * sseg + 1;
  float* a = malloc(sizeof(float) * (size_t)(m * sai + 1));
  float* dense = malloc(sizeof(float) * (size_t)(m * k + 1));
  float* b = malloc(sizeof(float) * (size_t)(n * k + 1));
  float* packed = malloc(sizeof(float) * (size_t)(pl_gemm_packed_size(n, k) + 1));
  float* want = malloc(sizeof(float) * (size_t)(m * n + 1));
  float* got = malloc(sizeof(float) * (size_t)(m * n + 1));
  for (int64_t i = 0; i < m * sai; ++i) a[i] = NAN; /* the gaps */
  fill(b, n * k, false);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t d = 0; d < k; ++d) {
      const float v = check_rand_float() * 4.0f;
      a[i * sai + (d / kseg) * sseg + d % kseg] = v;
      dense[i * k + d] = v;
    }
  pl_gemm_pack(b, n, k, k, 1, packed);
  PlGemm g = {.a = dense, .sai = k, .sad = 1, .m = m, .packed = packed,
              .n = n, .k = k, .y = want, .ldy = n, .lo = -FLT_MAX,
              .hi = FLT_MAX};
  reference(&g, b, k, 1, want);
  g.a = a, g.sai = sai, g.kseg = kseg, g.sseg = sseg, g.y = got;
  for (int level = 0; level < 3; ++level) {
    pl_simd_cap(level == 0 ? -1 : level == 1 ? PL_SIMD_AVX2 : PL_SIMD_PORTABLE);
    const char* path = pl_simd_avx512() ? "avx512 segments"
                       : pl_simd_avx2() ? "avx2 segments"
                                        : "portable segments";
    for (int t = 0; t < num_interps; ++t) {
      for (int64_t i = 0; i < m * n; ++i) got[i] = 7.0f;
      PlSubgraph sg;
      memset(&sg, 0, sizeof(sg));
      sg.interp = interps[t];
      pl_gemm(&sg, &g);
      CHECK(compare(path, got, want, m * n, m, n, k));
    }
  }
  pl_simd_cap(-1);
  free(a);
  free(dense);
  free(b);
  free(packed);
  free(want);
  free(got);
}


/* pl_gemm_many: `count` GEMMs sharing B two by two, each output equal to
 * pl_gemm's on every path and thread count. */
typedef struct ManyCtx {
  const float* a;
  const float* packed;
  float* y;
  int64_t m, n, k, per;
} ManyCtx;

static void many_at(const void* ctx, int64_t index, PlGemm* g) {
  const ManyCtx* c = ctx;
  *g = (PlGemm){.a = c->a + index * c->m * c->k, .sai = c->k, .sad = 1,
                .m = c->m, .packed = c->packed + index / 2 * c->per,
                .n = c->n, .k = c->k, .y = c->y + index * c->m * c->n,
                .ldy = c->n, .lo = -INFINITY, .hi = INFINITY};
}

static void gemm_many_case(int64_t count, int64_t m, int64_t n, int64_t k,
                           PlInterp** interps, int num_interps) {
  const int64_t per = pl_gemm_packed_size(n, k);
  float* a = malloc(sizeof(float) * (size_t)(count * m * k + 1));
  float* b = malloc(sizeof(float) * (size_t)(count * n * k + 1));
  float* packed = malloc(sizeof(float) * (size_t)((count + 1) / 2 * per + 1));
  float* want = malloc(sizeof(float) * (size_t)(count * m * n + 1));
  float* got = malloc(sizeof(float) * (size_t)(count * m * n + 1));
  fill(a, count * m * k, true);
  fill(b, count * n * k, false);
  for (int64_t i = 0; i < (count + 1) / 2; ++i)
    pl_gemm_pack(b + i * n * k, n, k, k, 1, packed + i * per);
  ManyCtx c = {a, packed, want, m, n, k, per};
  for (int64_t i = 0; i < count; ++i) {
    PlGemm g;
    many_at(&c, i, &g);
    reference(&g, b + i / 2 * n * k, k, 1, g.y);
  }
  c.y = got;
  for (int level = 0; level < 3; ++level) {
    pl_simd_cap(level == 0 ? -1 : level == 1 ? PL_SIMD_AVX2 : PL_SIMD_PORTABLE);
    for (int t = 0; t < num_interps; ++t) {
      for (int64_t i = 0; i < count * m * n; ++i) got[i] = 7.0f;
      PlSubgraph sg;
      memset(&sg, 0, sizeof(sg));
      sg.interp = interps[t];
      pl_gemm_many(&sg, count, many_at, &c);
      CHECK(compare("many", got, want, count * m * n, m, n, k));
    }
  }
  pl_simd_cap(-1);
  free(a);
  free(b);
  free(packed);
  free(want);
  free(got);
}

static void test_gemm(void) {
  PlInterp* interps[3] = {fake_interp(1), fake_interp(2), fake_interp(3)};
  const int64_t ms[] = {1, 2, 4, 5, 6, 9, 23, 64, 131};
  const int64_t ns[] = {1, 3, 8, 15, 16, 17, 33, 40};
  const int64_t ks[] = {0, 1, 7, 64, 300};
  int variant = 0;
  for (size_t mi = 0; mi < sizeof(ms) / sizeof(ms[0]); ++mi)
    for (size_t ni = 0; ni < sizeof(ns) / sizeof(ns[0]); ++ni)
      for (size_t ki = 0; ki < sizeof(ks) / sizeof(ks[0]); ++ki, ++variant)
        gemm_case(ms[mi], ns[ni], ks[ki], variant % 3 == 1, variant % 5 == 2,
                  variant % 2 == 0, variant % 3, variant % 7 == 3, interps, 3);
  /* Either side of pl_gemm's plain loops for tiny products (m * n * k up
   * to 256; the sweep above has many of them): the same bits. */
  gemm_case(2, 8, 16, false, true, true, 1, false, interps, 3);
  gemm_case(2, 8, 17, true, false, true, 2, false, interps, 3);
  gemm_case(1, 2, 4, false, false, true, 1, false, interps, 3);
  /* Shapes of the benchmark models' layers, big enough to be split. */
  gemm_case(128, 256, 256, false, false, true, 0, false, interps, 3);
  gemm_case(49, 960, 160, false, false, true, 1, false, interps, 3);
  gemm_case(1, 1000, 1280, false, false, true, 0, false, interps, 3);
  gemm_case(128, 128, 64, false, true, false, 2, false, interps, 3);
  /* Rows of A 4 KiB apart (the AVX-512 tiles give way to AVX2, or A is
   * packed when there are eight panels or more). */
  gemm_case(23, 40, 1024, false, false, true, 0, false, interps, 3);
  gemm_case(23, 130, 1024, false, false, true, 0, false, interps, 3);
  /* Packed A (AVX-512, eight panels or more): tiles of 3 to 16 rows, blocks
   * of several tiles, one chunk of d or several (sums kept in y between
   * them, a short last chunk), a last panel under a mask, k = 0. */
  const int64_t pms[] = {3, 4, 17, 33, 131};
  const int64_t pns[] = {128, 133, 200};
  const int64_t pks[] = {0, 5, 384, 385, 1000};
  for (size_t mi = 0; mi < sizeof(pms) / sizeof(pms[0]); ++mi)
    for (size_t ni = 0; ni < sizeof(pns) / sizeof(pns[0]); ++ni)
      for (size_t ki = 0; ki < sizeof(pks) / sizeof(pks[0]); ++ki, ++variant)
        gemm_case(pms[mi], pns[ni], pks[ki], variant % 3 == 1,
                  variant % 5 == 2, variant % 2 == 0, variant % 3,
                  variant % 7 == 3, interps, 3);
  /* Segmented A: one to several segments, a short last one, every tile
   * height and the one- and two-row paths. */
  const int64_t seg_ms[] = {1, 2, 3, 7, 12, 40};
  for (size_t mi = 0; mi < sizeof(seg_ms) / sizeof(seg_ms[0]); ++mi) {
    gemm_segments_case(seg_ms[mi], 32, 27, 9, interps, 3);
    gemm_segments_case(seg_ms[mi], 70, 20, 7, interps, 3);
    gemm_segments_case(seg_ms[mi], 5, 64, 64, interps, 3);
    gemm_segments_case(seg_ms[mi], 64, 48, 16, interps, 3);
    gemm_segments_case(seg_ms[mi], 48, 192, 64, interps, 3);
    gemm_segments_case(seg_ms[mi], 130, 400, 9, interps, 3); /* packed */
  }
  /* Batches of products: small and split, few rows, packed A. */
  gemm_many_case(1, 5, 7, 9, interps, 3);
  gemm_many_case(4, 128, 64, 128, interps, 3);
  gemm_many_case(5, 2, 40, 33, interps, 3);
  gemm_many_case(3, 37, 130, 70, interps, 3);
  for (int t = 0; t < 3; ++t) free_interp(interps[t]);
}

/* ---- The pool ------------------------------------------------------------ */

typedef struct CountCtx {
  atomic_int* hits;
  int threads;
  atomic_int bad_worker;
} CountCtx;

static void count_task(void* ctx, int64_t begin, int64_t end, int worker) {
  CountCtx* c = ctx;
  if (worker < 0 || worker >= c->threads) atomic_fetch_add(&c->bad_worker, 1);
  for (int64_t i = begin; i < end; ++i) atomic_fetch_add(&c->hits[i], 1);
}

static bool run_counts(PlInterp* interp, int64_t count) {
  PlSubgraph sg;
  memset(&sg, 0, sizeof(sg));
  sg.interp = interp;
  atomic_int* hits = calloc((size_t)count + 1, sizeof(atomic_int));
  CountCtx c = {.hits = hits, .threads = pl_num_threads(&sg)};
  atomic_init(&c.bad_worker, 0);
  pl_parallel_for(&sg, count, count_task, &c);
  bool ok = atomic_load(&c.bad_worker) == 0;
  for (int64_t i = 0; i < count; ++i) ok = ok && atomic_load(&hits[i]) == 1;
  free(hits);
  return ok;
}

typedef struct CallerArg {
  PlInterp* interp;
  int rounds;
  bool ok;
} CallerArg;

static void* caller_thread(void* p) {
  CallerArg* arg = p;
  arg->ok = true;
  for (int r = 0; r < arg->rounds; ++r)
    arg->ok = arg->ok && run_counts(arg->interp, 1 + (r * 37) % 500);
  return NULL;
}

static void test_pool(void) {
  for (int threads = 1; threads <= 4; ++threads) {
    PlInterp* interp = fake_interp(threads);
    const int64_t counts[] = {0, 1, 2, 3, 7, 8, 100, 1001};
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); ++i)
      CHECK(run_counts(interp, counts[i]));
    /* Many small jobs in a row: workers that wake late must not join a
     * finished job or miss the next one. */
    bool ok = true;
    for (int r = 0; r < 2000; ++r) ok = ok && run_counts(interp, 1 + r % 9);
    CHECK(ok);
    /* Concurrent callers (runners of different subgraphs). */
    CallerArg args[3];
    pthread_t ids[3];
    for (int i = 0; i < 3; ++i) {
      args[i].interp = interp;
      args[i].rounds = 300;
      pthread_create(&ids[i], NULL, caller_thread, &args[i]);
    }
    for (int i = 0; i < 3; ++i) {
      pthread_join(ids[i], NULL);
      CHECK(args[i].ok);
    }
    free_interp(interp);
  }
  /* -1 (the default) is one thread; freeing a pool never created is fine. */
  PlInterp* interp = fake_interp(-1);
  CHECK(run_counts(interp, 10));
  CHECK(atomic_load(&interp->pool) == NULL);
  free_interp(interp);
}

int main(void) {
  test_gemm();
  test_pool();
  return CHECK_SUMMARY();
}
