/* pylite: pl_qmm_requant_s8 (capi/kernels/internal/quant_matmul.c), the
 * double-precision output stage of the int8 FULLY_CONNECTED: its AVX2 and
 * portable paths against pl_qmm_requant one value at a time, on sums and
 * scales that hit every rounding case (exact halves of both signs, one ulp
 * either side), products beyond int32 and NaN, offsets that wrap, and
 * clamps, in rows of odd lengths. And the int8 FULLY_CONNECTED itself
 * (on VNNI CPUs its pl_qdot form) against a plain loop of the reference's
 * arithmetic, over several blocks of rows and units, on the CPU's best
 * instruction level, capped to AVX2 and portable, at 1, 2 and 4 threads. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "capi/kernels/internal/quant_matmul.h"
#include "capi/kernels/internal/simd.h"
#include "check.h"
#include "model_builder.h"
#include "pylite/c_api.h"
#include "pylite/pylite.h"

static double pick_scale(void) {
  static const double kScales[] = {0.5, 0.25, 1.0, 1.5, 3e9, 1e-12, NAN,
                                   INFINITY, 1.0 / 3.0};
  if (check_rand_u32() % 3 == 0) return kScales[check_rand_u32() % 9];
  /* A scale near 1 / 2^e nudged by an ulp: acc * scale near halves. */
  double s = ldexp(1.0, -(int)(check_rand_u32() % 12));
  if (check_rand_u32() % 2) s = nextafter(s, check_rand_u32() % 2 ? 1.0 : 0.0);
  return s;
}

static int32_t pick_acc(void) {
  static const int32_t kEdges[] = {0, 1, -1, 3, -3, INT32_MAX, INT32_MIN,
                                   1 << 30, -(1 << 30)};
  if (check_rand_u32() % 4 == 0) return kEdges[check_rand_u32() % 9];
  return (int32_t)(check_rand_u32() << (check_rand_u32() % 12)) >> (check_rand_u32() % 20);
}

enum { kBatch = 19, kDepth = 70, kUnits = 300 };
static const float kInScale = 0.02f, kWScale = 0.003f, kOutScale = 0.05f;

/* y = FULLY_CONNECTED(x, w, bias) of one model, or false. */
static bool run_fc(const int8_t* x, const int8_t* w, const int32_t* bias,
                   int threads, int8_t* y) {
  MbModel m;
  mb_init(&m, "pylite int8 fully connected test");
  mb_opcode(&m, OP_FULLY_CONNECTED, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const int xs[2] = {kBatch, kDepth}, ws[2] = {kUnits, kDepth};
  const int bs[1] = {kUnits}, ys[2] = {kBatch, kUnits};
  const int in = mb_tensor(sg, NULL, T_I8, 2, xs);
  const int wt = mb_tensor_data(sg, NULL, T_I8, 2, ws, w, kUnits * kDepth);
  const int bt = mb_tensor_data(sg, NULL, T_I32, 1, bs, bias,
                                sizeof(int32_t) * kUnits);
  const int out = mb_tensor(sg, NULL, T_I8, 2, ys);
  sg->tensors[in].scale = kInScale;
  sg->tensors[wt].scale = kWScale;
  sg->tensors[bt].scale = kInScale * kWScale;
  sg->tensors[out].scale = kOutScale;
  const int ins[3] = {in, wt, bt};
  mb_io(sg, 1, &in, 1, &out);
  MbOp* op = mb_op(sg, 0, 3, ins, 1, &out);
  op->options = OPT_FC;
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  TfLiteModel* model = TfLiteModelCreate(bytes, size);
  TfLiteInterpreterOptions* opts = TfLiteInterpreterOptionsCreate();
  TfLiteInterpreterOptionsSetNumThreads(opts, threads);
  TfLiteInterpreter* it = model ? TfLiteInterpreterCreate(model, opts) : NULL;
  bool ok = it && TfLiteInterpreterAllocateTensors(it) == kTfLiteOk &&
            TfLiteTensorCopyFromBuffer(TfLiteInterpreterGetInputTensor(it, 0),
                                       x, kBatch * kDepth) == kTfLiteOk &&
            TfLiteInterpreterInvoke(it) == kTfLiteOk &&
            TfLiteTensorCopyToBuffer(TfLiteInterpreterGetOutputTensor(it, 0),
                                     y, kBatch * kUnits) == kTfLiteOk;
  TfLiteInterpreterDelete(it);
  TfLiteInterpreterOptionsDelete(opts);
  TfLiteModelDelete(model);
  free(bytes);
  return ok;
}

static void test_fully_connected(void) {
  static int8_t x[kBatch * kDepth], w[kUnits * kDepth];
  static int8_t want[kBatch * kUnits], got[kBatch * kUnits];
  static int32_t bias[kUnits];
  for (int i = 0; i < kBatch * kDepth; ++i) x[i] = (int8_t)check_rand_u32();
  for (int i = 0; i < kUnits * kDepth; ++i) w[i] = (int8_t)check_rand_u32();
  for (int u = 0; u < kUnits; ++u) bias[u] = (int32_t)(check_rand_u32() % 20001) - 10000;
  /* The reference: int32 sums, scale in double, round, clamp to int8. */
  const double scale = (double)kInScale * (double)kWScale / (double)kOutScale;
  for (int b = 0; b < kBatch; ++b)
    for (int u = 0; u < kUnits; ++u) {
      int32_t acc = bias[u];
      for (int d = 0; d < kDepth; ++d)
        acc += (int32_t)x[b * kDepth + d] * w[u * kDepth + d];
      want[b * kUnits + u] = (int8_t)pl_qmm_requant(acc, scale, 0, -128, 127);
    }
  static const int kLevels[3] = {-1, PL_SIMD_AVX2, PL_SIMD_PORTABLE};
  for (int l = 0; l < 3; ++l)
    for (int threads = 1; threads <= 4; threads *= 2) {
      pl_simd_cap(kLevels[l]);
      memset(got, 0x55, sizeof(got));
      const bool ran = run_fc(x, w, bias, threads, got);
      CHECK(ran);
      int bad = 0;
      for (int i = 0; i < kBatch * kUnits; ++i) bad += got[i] != want[i];
      if (bad)
        printf("  fully connected, level cap %d, %d threads: %d of %d "
               "outputs differ\n", kLevels[l], threads, bad, kBatch * kUnits);
      CHECK(ran && bad == 0);
    }
  pl_simd_cap(-1);
}

/* pl_qmm_dots_s8 (AVX-512 where present) against pl_qmm_dot_s8 with the
 * vectors capped at AVX2 and at portable: depths around the 32 of a step,
 * column counts around its 8, the extreme products. */
static void test_dots(void) {
  static const int64_t kDepths[] = {1, 15, 16, 31, 32, 33, 100};
  static const int64_t kCols[] = {1, 7, 8, 9, 64};
  int8_t a[100], b[64 * 100];
  int32_t got[64];
  int bad = 0;
  for (size_t di = 0; di < sizeof(kDepths) / sizeof(kDepths[0]); ++di)
    for (size_t ci = 0; ci < sizeof(kCols) / sizeof(kCols[0]); ++ci) {
      const int64_t depth = kDepths[di], cols = kCols[ci];
      const bool extreme = (di + ci) % 3 == 0;
      for (int64_t i = 0; i < depth; ++i)
        a[i] = extreme ? -128 : (int8_t)check_rand_u32();
      for (int64_t i = 0; i < cols * depth; ++i)
        b[i] = extreme ? -128 : (int8_t)check_rand_u32();
      for (int level = 0; level < 3; ++level) {
        pl_simd_cap(level == 0 ? -1 : level == 1 ? PL_SIMD_AVX2
                                                 : PL_SIMD_PORTABLE);
        pl_qmm_dots_s8(a, b, cols, depth, got);
        pl_simd_cap(PL_SIMD_PORTABLE);
        for (int64_t j = 0; j < cols; ++j)
          if (got[j] != pl_qmm_dot_s8(a, b + j * depth, depth)) ++bad;
      }
    }
  pl_simd_cap(-1);
  CHECK(bad == 0);
}

int main(void) {
  test_dots();
  enum { kMaxN = 37, kTrials = 20000 };
  int mismatches = 0, checked = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    const int64_t n = 1 + (int64_t)(check_rand_u32() % kMaxN);
    int32_t acc[kMaxN];
    double scale[kMaxN];
    for (int64_t i = 0; i < n; ++i) {
      acc[i] = pick_acc();
      scale[i] = pick_scale();
    }
    const int32_t offset = trial % 7 == 0 ? INT32_MAX - 3
                                          : (int32_t)(check_rand_u32() % 256) - 128;
    const int32_t lo = trial % 3 == 0 ? -128 : -100;
    const int32_t hi = trial % 3 == 1 ? 127 : 90;
    int8_t fast[kMaxN], portable[kMaxN];
    pl_simd_force_portable(false);
    pl_simd_force_avx2(trial % 2 == 1); /* AVX-512 (where present), AVX2 */
    pl_qmm_requant_s8(acc, scale, offset, lo, hi, fast, n);
    pl_simd_force_avx2(false);
    pl_simd_force_portable(true);
    pl_qmm_requant_s8(acc, scale, offset, lo, hi, portable, n);
    pl_simd_force_portable(false);
    for (int64_t i = 0; i < n; ++i) {
      const int32_t want = pl_qmm_requant(acc[i], scale[i], offset, lo, hi);
      if (fast[i] != want || portable[i] != want) {
        if (mismatches < 6)
          printf("  requant %d * %a + %d: want %d, fast %d, portable %d\n",
                 acc[i], scale[i], offset, want, fast[i], portable[i]);
        ++mismatches;
      }
      ++checked;
    }
  }
  printf("pl_qmm_requant_s8: %d values, %d mismatches (%s)\n", checked,
         mismatches, pl_simd_avx2() ? "avx2 and portable" : "portable only");
  CHECK(mismatches == 0);
  test_fully_connected();
  return CHECK_SUMMARY();
}
