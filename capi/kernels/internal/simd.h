/* pylite: which vector instructions the kernels use (simd.c).
 *
 * One level for the whole library, asked of the CPU once:
 *   PL_SIMD_PORTABLE  plain C (every CPU; what CI also runs forced)
 *   PL_SIMD_AVX2      AVX2 with FMA
 *   PL_SIMD_AVX512    AVX-512 F, VL and BW on top of that
 * and, within AVX512, pl_simd_vnni() for the int8 dot-product instruction
 * and pl_simd_vbmi() for byte permutes.
 *
 * PYLITE_SIMD=portable|avx2|avx512 in the environment caps the level (a
 * CPU never goes above what it has; other values are ignored), as does
 * PYLITE_FORCE_PORTABLE=1 (older spelling of PYLITE_SIMD=portable); both are
 * read once. Every level computes quantized results with the same bits, and
 * float results within the documented bounds of each kernel. */
#ifndef PYLITE_KERNELS_INTERNAL_SIMD_H_
#define PYLITE_KERNELS_INTERNAL_SIMD_H_

#include <stdatomic.h>
#include <stdbool.h>

#if defined(__x86_64__) || defined(__i386__)
#define PL_SIMD_X86 1
#endif

typedef enum PlSimdLevel {
  PL_SIMD_PORTABLE = 0,
  PL_SIMD_AVX2 = 1,
  PL_SIMD_AVX512 = 2,
} PlSimdLevel;

/* The level in use once found (simd.c), -1 before: kernels ask it at
 * every eval, so it is read inline. */
extern atomic_int pl_simd_level_found;
/* Finds the level (the CPU's, capped by the environment and the tests). */
PlSimdLevel pl_simd_level_find(void);

static inline PlSimdLevel pl_simd_level(void) {
  const int level =
      atomic_load_explicit(&pl_simd_level_found, memory_order_relaxed);
  return level >= 0 ? (PlSimdLevel)level : pl_simd_level_find();
}
static inline bool pl_simd_avx2(void) {
  return pl_simd_level() >= PL_SIMD_AVX2;
}
static inline bool pl_simd_avx512(void) {
  return pl_simd_level() >= PL_SIMD_AVX512;
}
/* AVX-512 VNNI (vpdpbusd) usable: the level is AVX512 and the CPU has it. */
bool pl_simd_vnni(void);
/* AVX-512 VBMI (vpermi2b, byte table lookups) usable, likewise. */
bool pl_simd_vbmi(void);

/* Tests: cap the level (as PYLITE_SIMD does); a negative value goes back to
 * the environment's choice. */
void pl_simd_cap(int level);
/* Tests, shorthands of pl_simd_cap: the portable paths (true) or the
 * environment's choice (false); AVX2 at most (true) or the environment's
 * choice (false). */
void pl_simd_force_portable(bool on);
void pl_simd_force_avx2(bool on);

#endif /* PYLITE_KERNELS_INTERNAL_SIMD_H_ */
