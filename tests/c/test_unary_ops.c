/* pylite: tests of the float unary kernels' vector loops.
 *
 * The conformance suite checks these ops against LiteRT within a tolerance;
 * this file checks that the vector loops give the bits of the scalar
 * formula on every SIMD level (portable, AVX2, the CPU's best) and at 1, 2
 * and 4 threads, on special values and on sizes with every remainder and
 * several thread chunks. */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/simd.h"
#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

#define OP_TEST_NAME "unary test"
#include "op_test_util.h"

/* Builtin operator codes used here (schema.fbs). */
enum { kOpHardSwish = 117 };

/* TFLite's reference HARD_SWISH, in its order of operations. */
static float hard_swish_ref(float x) {
  float r = x + 3.0f;
  r = 0.0f < r ? r : 0.0f;
  r = r < 6.0f ? r : 6.0f;
  return x * r / 6.0f;
}

static uint32_t g_seed = 12345;

static float next_value(void) {
  g_seed = g_seed * 1664525u + 1013904223u;
  return (float)((int)(g_seed >> 8) % 2000001 - 1000000) / 100000.0f;
}

/* HARD_SWISH float32 on n values at each SIMD level and thread count: the
 * bits of hard_swish_ref everywhere. */
static void check_hard_swish(int n) {
  static const float kSpecial[] = {
      NAN, INFINITY, -INFINITY, 0.0f, -0.0f, -3.0f, 3.0f, -2.9999998f,
      6.0f, -6.0f, 2.9999998f, 1e-40f, -1e-40f, 1e30f, -1e30f, FLT_MAX,
      -FLT_MAX, 0.5f, -0.5f};
  const int ns = (int)(sizeof(kSpecial) / sizeof(kSpecial[0]));
  float* x = malloc(sizeof(float) * (size_t)n);
  float* want = malloc(sizeof(float) * (size_t)n);
  if (!x || !want) {
    CHECK(!"out of memory");
    free(x);
    free(want);
    return;
  }
  for (int i = 0; i < n; ++i) {
    x[i] = i < ns ? kSpecial[i] : next_value();
    want[i] = hard_swish_ref(x[i]);
  }
  for (int level = PL_SIMD_PORTABLE; level <= PL_SIMD_AVX512; ++level) {
    pl_simd_cap(level);
    for (int threads = 1; threads <= 4; threads *= 2) {
      Op o;
      op_begin(&o);
      op_input(&o, T_F32, 1, (int[]){n});
      op_output(&o, T_F32, 1, (int[]){n});
      TfLiteInterpreter* it =
          op_load_threads(&o, kOpHardSwish, OPT_NONE, 0, NULL, threads);
      bool ok = it && TfLiteInterpreterAllocateTensors(it) == kTfLiteOk &&
                write_raw(it, 0, x, sizeof(float) * (size_t)n) &&
                TfLiteInterpreterInvoke(it) == kTfLiteOk &&
                memcmp(TfLiteTensorData(out(it, 0)), want,
                       sizeof(float) * (size_t)n) == 0;
      if (!ok)
        fprintf(stderr, "hard swish n=%d, level %d, %d threads\n", n, level,
                threads);
      CHECK(ok);
      op_release(&o, it);
    }
  }
  pl_simd_cap(-1);
  free(x);
  free(want);
}

static void test_hard_swish(void) {
  static const int kSizes[] = {1, 3, 8, 19, 37, 4099, 3 * 2048 + 5};
  for (size_t i = 0; i < sizeof(kSizes) / sizeof(kSizes[0]); ++i)
    check_hard_swish(kSizes[i]);
}

int main(void) {
  test_hard_swish();
  return CHECK_SUMMARY();
}
