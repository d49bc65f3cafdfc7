/* pylite: the kernels' vector instruction level (see simd.h). */
#include "capi/kernels/internal/simd.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* What the CPU has and what the environment allows, found once: -1 until
 * then. g_cap is the tests' cap (-1: none). */
static atomic_int g_best = -1;
static atomic_int g_vnni = -1;
static atomic_int g_vbmi = -1;
static atomic_int g_cap = -1;
atomic_int pl_simd_level_found = -1;

static int cpu_level(void) {
#ifdef PL_SIMD_X86
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
    return PL_SIMD_PORTABLE;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw"))
    return PL_SIMD_AVX512;
  return PL_SIMD_AVX2;
#else
  return PL_SIMD_PORTABLE;
#endif
}

static int env_cap(void) {
  const char* v = getenv("PYLITE_FORCE_PORTABLE");
  if (v && v[0] && strcmp(v, "0") != 0) return PL_SIMD_PORTABLE;
  v = getenv("PYLITE_SIMD");
  if (!v) return PL_SIMD_AVX512;
  if (!strcmp(v, "portable")) return PL_SIMD_PORTABLE;
  if (!strcmp(v, "avx2")) return PL_SIMD_AVX2;
  return PL_SIMD_AVX512;
}

static int best_level(void) {
  int best = atomic_load_explicit(&g_best, memory_order_relaxed);
  if (best < 0) {
    best = cpu_level();
    const int cap = env_cap();
    if (cap < best) best = cap;
    atomic_store_explicit(&g_best, best, memory_order_relaxed);
  }
  return best;
}

PlSimdLevel pl_simd_level_find(void) {
  const int best = best_level();
  const int cap = atomic_load_explicit(&g_cap, memory_order_relaxed);
  const int level = cap >= 0 && cap < best ? cap : best;
  atomic_store_explicit(&pl_simd_level_found, level, memory_order_relaxed);
  return (PlSimdLevel)level;
}

/* Whether the level is AVX512 and the CPU has `feature` (asked once into
 * *cache). */
static bool avx512_feature(atomic_int* cache, int feature) {
  if (pl_simd_level() < PL_SIMD_AVX512) return false;
  int have = atomic_load_explicit(cache, memory_order_relaxed);
  if (have < 0) {
    have = 0;
#ifdef PL_SIMD_X86
    __builtin_cpu_init();
    have = feature == 0 ? __builtin_cpu_supports("avx512vnni")
                        : __builtin_cpu_supports("avx512vbmi");
    have = have ? 1 : 0;
#else
    (void)feature;
#endif
    atomic_store_explicit(cache, have, memory_order_relaxed);
  }
  return have == 1;
}

bool pl_simd_vnni(void) { return avx512_feature(&g_vnni, 0); }

bool pl_simd_vbmi(void) { return avx512_feature(&g_vbmi, 1); }

void pl_simd_cap(int level) {
  atomic_store(&g_cap, level);
  pl_simd_level_find();
}

void pl_simd_force_portable(bool on) {
  pl_simd_cap(on ? PL_SIMD_PORTABLE : -1);
}

void pl_simd_force_avx2(bool on) { pl_simd_cap(on ? PL_SIMD_AVX2 : -1); }
