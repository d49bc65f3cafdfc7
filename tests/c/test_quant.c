/* pylite: tests of the quantized kernels' fixed-point helpers
 * (capi/kernels/internal/quant.h) against hand-worked values.
 *
 * Each expected value below is worked out from TFLite's definitions:
 * QuantizeMultiplier (frexp, mantissa rounded to Q31), gemmlowp's
 * SaturatingRoundingDoublingHighMul (nudge of 2^30, or 1 - 2^30 for a
 * negative product, then a division truncating toward zero) and
 * RoundingDivideByPOT (ties away from zero), the 64-bit multiply of the
 * int16 kernels (16-bit multiplier, one shift, ties up), and
 * CalculateActivationRangeQuantized. Then QUANTIZE / DEQUANTIZE run on a
 * few hand-worked values. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/interp.h"
#include "capi/kernels/internal/quant.h"
#include "check.h"
#include "model_builder.h"
#include "run_util.h"

static void check_multiplier(double real, int32_t want_m, int want_s) {
  int32_t m = -1;
  int s = -100;
  pl_q_multiplier(real, &m, &s);
  CHECK(m == want_m);
  CHECK(s == want_s);
  if (m != want_m || s != want_s)
    fprintf(stderr, "  pl_q_multiplier(%.17g) = (%d, %d), want (%d, %d)\n",
            real, (int)m, s, (int)want_m, want_s);
}

static void test_multiplier(void) {
  check_multiplier(0.5, 1 << 30, 0);
  check_multiplier(1.0, 1 << 30, 1);
  check_multiplier(0.75, 1610612736, 0);  /* 0.75 * 2^31 */
  check_multiplier(3.0, 1610612736, 2);   /* 0.75 * 2^2 */
  check_multiplier(0.1, 1717986918, -3);  /* 0.8 * 2^31 = 1717986918.4 */
  check_multiplier(1.0 / 3.0, 1431655765, -1);
  /* A mantissa that rounds up to 1.0 moves to the next exponent. */
  check_multiplier(0.9999999999, 1 << 30, 1);
  /* Exact powers of two, down to the smallest representable. */
  check_multiplier(ldexp(1.0, -31), 1 << 30, -30);
  check_multiplier(ldexp(1.0, -32), 1 << 30, -31);
  /* Tiny: every bit would be shifted out, so (0, 0). */
  check_multiplier(ldexp(1.0, -40), 0, 0);
  check_multiplier(1e-10, 0, 0);
  /* Huge: saturates at the largest left shift. */
  check_multiplier(ldexp(1.0, 30), INT32_MAX, 30);
  check_multiplier(1e12, INT32_MAX, 30);
  check_multiplier(ldexp(1.0, 29), 1 << 30, 30);
  /* Zero and non-finite give (0, 0). */
  check_multiplier(0.0, 0, 0);
  check_multiplier(NAN, 0, 0);
  check_multiplier(INFINITY, 0, 0);
}

/* The definition (frexp, round) on random doubles of every magnitude and
 * sign, subnormals, ties of the Q31 rounding and mantissas next to 1:
 * pl_q_multiplier (which splits the exponent from the bits) agrees. */
static void test_multiplier_random(void) {
  int differ = 0;
  for (int i = 0; i < 200000; ++i) {
    uint64_t bits = (uint64_t)check_rand_u32() << 32 | check_rand_u32();
    double real;
    if (i % 4 == 0) /* a mantissa with its last 22 bits 0 or a tie */
      bits = (bits & ~(((uint64_t)1 << 22) - 1)) |
             ((uint64_t)(i % 8 == 0) << 21);
    if (i % 5 == 0) /* near 1, where the scales of real models are */
      bits = (bits & ~((uint64_t)0x7ff << 52)) |
             (uint64_t)(963 + check_rand_u32() % 90) << 52;
    if (i % 7 == 0) bits &= ~((uint64_t)0x7ff << 52); /* subnormal */
    if (i % 11 == 0) bits |= ((uint64_t)1 << 52) - 1; /* rounds up to 1 */
    memcpy(&real, &bits, sizeof(real));
    int32_t want_m = 0;
    int want_s = 0;
    if (real != 0.0 && isfinite(real)) {
      int e = 0;
      int64_t f = (int64_t)round(frexp(real, &e) * (double)((int64_t)1 << 31));
      if (f == ((int64_t)1 << 31)) f /= 2, ++e;
      if (e < -31) e = 0, f = 0;
      if (e > 30) e = 30, f = ((int64_t)1 << 31) - 1;
      want_m = (int32_t)f;
      want_s = e;
    }
    int32_t m = 0;
    int s = 0;
    pl_q_multiplier(real, &m, &s);
    if (m != want_m || s != want_s) {
      if (differ++ < 5)
        fprintf(stderr, "  pl_q_multiplier(%a) = (%d, %d), want (%d, %d)\n",
                real, (int)m, s, (int)want_m, want_s);
    }
  }
  CHECK(differ == 0);
}

static void test_high_mul(void) {
  /* x * 2^30 / 2^31 = x / 2: positive ties go up, negative ties toward
   * zero (gemmlowp's nudge with a truncating division). */
  CHECK(pl_q_high_mul(3, 1 << 30) == 2);    /* 1.5 */
  CHECK(pl_q_high_mul(-3, 1 << 30) == -1);  /* -1.5 */
  CHECK(pl_q_high_mul(5, 1 << 30) == 3);    /* 2.5 */
  CHECK(pl_q_high_mul(-5, 1 << 30) == -2);  /* -2.5 */
  CHECK(pl_q_high_mul(-7, 1 << 30) == -3);  /* -3.5 */
  CHECK(pl_q_high_mul(4, 1 << 30) == 2);
  CHECK(pl_q_high_mul(0, INT32_MAX) == 0);
  /* The one overflowing product saturates. */
  CHECK(pl_q_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX);
  CHECK(pl_q_high_mul(INT32_MIN, INT32_MAX) == -INT32_MAX);
  CHECK(pl_q_high_mul(INT32_MAX, INT32_MAX) == INT32_MAX - 1);
}

static void test_shift_right(void) {
  /* Rounding division by 2^e, ties away from zero. */
  CHECK(pl_q_shift_right(5, 1) == 3);    /* 2.5 */
  CHECK(pl_q_shift_right(-5, 1) == -3);  /* -2.5 */
  CHECK(pl_q_shift_right(6, 2) == 2);    /* 1.5 */
  CHECK(pl_q_shift_right(-6, 2) == -2);  /* -1.5 */
  CHECK(pl_q_shift_right(7, 2) == 2);    /* 1.75 */
  CHECK(pl_q_shift_right(-7, 2) == -2);  /* -1.75 */
  CHECK(pl_q_shift_right(5, 2) == 1);    /* 1.25 */
  CHECK(pl_q_shift_right(-5, 2) == -1);  /* -1.25 */
  CHECK(pl_q_shift_right(123, 0) == 123);
  CHECK(pl_q_shift_right(INT32_MAX, 31) == 1);
  CHECK(pl_q_shift_right(INT32_MIN, 31) == -1);
  /* Exponents past 63 (hostile int16 ADD scales) as x86 computes them:
   * the mask's count mod 64, the shift's mod 32; no UB (UBSan builds). */
  CHECK(pl_q_shift_right(5 << 11, 139) == 5);  /* 139 = 11 mod 64 */
  CHECK(pl_q_shift_right(-5 * 1024, 138) == -5);  /* 138 = 10 mod 64 */
  for (int e = 0; e < 64; ++e)
    CHECK(pl_q_shift_right(-123457, e + 64) == pl_q_shift_right(-123457, e));
  CHECK(pl_q_shift_left(1 << 30, 1) == INT32_MIN); /* wraps, no UB */
}

static void test_mul(void) {
  /* 100 * 0.1: high_mul(100, 1717986918) = 80, 80 / 2^3 = 10. */
  CHECK(pl_q_mul(100, 1717986918, -3) == 10);
  CHECK(pl_q_mul(-100, 1717986918, -3) == -10);
  /* Double rounding: 5 * 0.25 = 1.25, but 2.5 rounds to 3, then 1.5 to
   * 2, as TFLite. */
  CHECK(pl_q_mul(5, 1 << 30, -1) == 2);
  /* -15 * 0.25 = -3.75: -7.5 rounds to -7, -3.5 to -4. */
  CHECK(pl_q_mul(-15, 1 << 30, -1) == -4);
  /* -5 * 0.25: -2.5 -> -2, -1 exactly. */
  CHECK(pl_q_mul(-5, 1 << 30, -1) == -1);
  /* A positive shift multiplies first: 3 * 2 = 6, 7 * 3 = 21. */
  CHECK(pl_q_mul(3, 1 << 30, 2) == 6);
  CHECK(pl_q_mul(7, 1610612736, 2) == 21);
  CHECK(pl_q_mul_big(7, 1610612736, 2) == 21);
  CHECK(pl_q_mul_small(100, 1717986918, -3) == 10);
  CHECK(pl_q_mul_small(5, 1 << 30, -1) == 2);
  /* Saturation of the high multiply inside pl_q_mul. */
  CHECK(pl_q_mul(INT32_MIN, INT32_MIN, 0) == INT32_MAX);
  /* x * (2^31 - 1) / 2^31 with no shift is x for small x. */
  CHECK(pl_q_mul(1000, INT32_MAX, 0) == 1000);
  CHECK(pl_q_mul(-1000, INT32_MAX, 0) == -1000);
  /* The tiny multiplier flushed to (0, 0) gives 0. */
  CHECK(pl_q_mul(12345, 0, 0) == 0);
}

static void test_mul64(void) {
  /* Multiplier 2^30 (0.5), shift 0: reduced to 16384, shift by 15 with
   * ties going up. */
  CHECK(pl_q_mul64(3, 1 << 30, 0) == 2);    /* 1.5 */
  CHECK(pl_q_mul64(-3, 1 << 30, 0) == -1);  /* -1.5 */
  CHECK(pl_q_mul64(-5, 1 << 30, 0) == -2);  /* -2.5 */
  CHECK(pl_q_mul64(4, 1 << 30, 0) == 2);
  /* Shift 2 (x 2): 5 -> 10. */
  CHECK(pl_q_mul64(5, 1 << 30, 2) == 10);
  /* A 40-bit accumulator: 2^40 * 0.5 / 2^10 (shift -10) = 2^29. */
  CHECK(pl_q_mul64((int64_t)1 << 40, 1 << 30, -10) == (1 << 29));
  /* Multipliers at the top keep 0x7FFF: 32768 * 32767 / 32768. */
  CHECK(pl_q_mul64(32768, INT32_MAX, 0) == 32767);
  CHECK(pl_q_mul64(32768, 0x7FFF0000, 0) == 32767);
  /* 0x7FFEFFFF rounds to 0x7FFF too ((m + 2^15) >> 16). */
  CHECK(pl_q_mul64(32768, 0x7FFEFFFF, 0) == 32767);
  /* Rounding of the multiplier: 0x40008000 -> 0x4001 (16385). */
  CHECK(pl_q_mul64(1 << 15, 0x40008000, 0) == 16385);
}

/* A tensor of `type` and `shape` quantized with n scales / zero points
 * along `dim` (n = 0: no quantization). */
typedef struct QTensor {
  TfLiteTensor t;
  TfLiteAffineQuantization q;
} QTensor;

static void qtensor_init(QTensor* qt, TfLiteType type, int rank,
                         const int* shape, int n, const float* scales,
                         const int* zero_points, int dim) {
  memset(qt, 0, sizeof(*qt));
  qt->t.type = type;
  qt->t.name = "x";
  qt->t.dims = TfLiteIntArrayCreate(rank);
  for (int i = 0; i < rank; ++i) qt->t.dims->data[i] = shape[i];
  if (n == 0) return;
  qt->q.scale = TfLiteFloatArrayCreate(n);
  qt->q.zero_point = TfLiteIntArrayCreate(n);
  for (int i = 0; i < n; ++i) {
    qt->q.scale->data[i] = scales[i];
    qt->q.zero_point->data[i] = zero_points[i];
  }
  qt->q.quantized_dimension = dim;
  qt->t.quantization.type = kTfLiteAffineQuantization;
  qt->t.quantization.params = &qt->q;
  qt->t.params.scale = scales[0];
  qt->t.params.zero_point = zero_points[0];
}

static void qtensor_free(QTensor* qt) {
  TfLiteIntArrayFree(qt->t.dims);
  if (qt->q.scale) TfLiteFloatArrayFree(qt->q.scale);
  if (qt->q.zero_point) TfLiteIntArrayFree(qt->q.zero_point);
}

static void check_range(TfLiteType type, float scale, int zp, int act,
                        int32_t want_lo, int32_t want_hi) {
  QTensor qt;
  const int shape[1] = {4};
  qtensor_init(&qt, type, 1, shape, 1, &scale, &zp, 0);
  int32_t lo = 0, hi = 0;
  CHECK(pl_q_activation_range(NULL, act, &qt.t, &lo, &hi) == kTfLiteOk);
  CHECK(lo == want_lo);
  CHECK(hi == want_hi);
  if (lo != want_lo || hi != want_hi)
    fprintf(stderr, "  range(%s, %g, %d, act %d) = [%d, %d], want [%d, %d]\n",
            TfLiteTypeGetName(type), (double)scale, zp, act, (int)lo,
            (int)hi, (int)want_lo, (int)want_hi);
  qtensor_free(&qt);
}

static void test_activation_range(void) {
  check_range(kTfLiteInt8, 0.1f, -3, PL_ACT_NONE, -128, 127);
  check_range(kTfLiteInt8, 0.1f, -3, PL_ACT_RELU, -3, 127);
  check_range(kTfLiteInt8, 0.1f, -3, PL_ACT_RELU6, -3, 57);
  check_range(kTfLiteInt8, 0.1f, -3, PL_ACT_RELU_N1_TO_1, -13, 7);
  /* Images beyond the type's range are clamped to it. */
  check_range(kTfLiteUInt8, 0.01f, 250, PL_ACT_RELU6, 250, 255);
  check_range(kTfLiteUInt8, 0.5f, 0, PL_ACT_RELU_N1_TO_1, 0, 2);
  check_range(kTfLiteInt16, 1e-3f, 0, PL_ACT_RELU6, 0, 6000);
  /* TANH and SIGN_BIT are not clamps: the full range. */
  check_range(kTfLiteInt8, 0.1f, 0, PL_ACT_TANH, -128, 127);
  /* 6 / 0.4f is 14.9999998 in float (0.4f is above 0.4): 15. */
  check_range(kTfLiteInt8, 0.4f, 0, PL_ACT_RELU6, 0, 15);
  /* 1 / 0.08f is 12.5000003 in float: 13. */
  check_range(kTfLiteInt8, 0.08f, 0, PL_ACT_RELU_N1_TO_1, -13, 13);
  /* Not a quantized type: an error. */
  QTensor qt;
  const int shape[1] = {1};
  float s = 1.0f;
  int z = 0;
  qtensor_init(&qt, kTfLiteFloat32, 1, shape, 1, &s, &z, 0);
  int32_t lo, hi;
  pl_error_begin();
  CHECK(pl_q_activation_range(NULL, PL_ACT_RELU, &qt.t, &lo, &hi) ==
        kTfLiteError);
  CHECK_CONTAINS(pl_error_thread_last(), "is not quantized");
  qtensor_free(&qt);
}

/* pl_q_check on a tensor; want NULL for success, else a message part. */
static void check_q(const QTensor* qt, int channel_dim, bool symmetric,
                    const char* want) {
  const PlQuantRule rule = {channel_dim, symmetric};
  pl_error_begin();
  const TfLiteStatus s = pl_q_check(NULL, "OP", "input", &qt->t, &rule);
  if (!want) {
    CHECK(s == kTfLiteOk);
    if (s != kTfLiteOk) fprintf(stderr, "  %s\n", pl_error_thread_last());
    return;
  }
  CHECK(s == kTfLiteError);
  CHECK_CONTAINS(pl_error_thread_last(), want);
  CHECK_CONTAINS(pl_error_thread_last(), "OP: input 'x'");
}

static void test_check(void) {
  const int shape[2] = {2, 3};
  const float s3[3] = {0.1f, 0.2f, 0.3f};
  const int z3[3] = {0, 0, 0};
  QTensor qt;

  qtensor_init(&qt, kTfLiteInt8, 2, shape, 0, NULL, NULL, 0);
  check_q(&qt, -1, false, "has no quantization parameters");
  qtensor_free(&qt);

  float s = 0.5f;
  int z = -128;
  qtensor_init(&qt, kTfLiteInt8, 2, shape, 1, &s, &z, 0);
  check_q(&qt, -1, false, NULL);
  check_q(&qt, 1, false, NULL); /* one scale is always fine */
  check_q(&qt, -1, true, "it must be 0 (symmetric quantization)");
  qt.q.zero_point->data[0] = -129;
  check_q(&qt, -1, false, "zero point -129 at index 0, outside the range "
                          "[-128, 127] of INT8");
  qt.q.zero_point->data[0] = 0;
  qt.q.scale->data[0] = 0.0f;
  check_q(&qt, -1, false, "has scale 0 at index 0; scales must be finite "
                          "and greater than zero");
  qt.q.scale->data[0] = -1.0f;
  check_q(&qt, -1, false, "scales must be finite and greater than zero");
  qt.q.scale->data[0] = INFINITY;
  check_q(&qt, -1, false, "scales must be finite and greater than zero");
  qt.q.scale->data[0] = NAN;
  check_q(&qt, -1, false, "scales must be finite and greater than zero");
  qtensor_free(&qt);

  z = 256;
  qtensor_init(&qt, kTfLiteUInt8, 2, shape, 1, &s, &z, 0);
  check_q(&qt, -1, false, "outside the range [0, 255] of UINT8");
  qtensor_free(&qt);
  z = 40000;
  qtensor_init(&qt, kTfLiteInt16, 2, shape, 1, &s, &z, 0);
  check_q(&qt, -1, false, "outside the range [-32768, 32767] of INT16");
  qtensor_free(&qt);

  /* Per channel along dim 1 (3 entries). */
  qtensor_init(&qt, kTfLiteInt8, 2, shape, 3, s3, z3, 1);
  check_q(&qt, 1, false, NULL);
  check_q(&qt, -1, false, "must be quantized per tensor, but has 3 scales");
  check_q(&qt, 0, false, "has 3 per-channel scales along dimension 1; "
                         "expected one per element of dimension 0");
  qt.q.zero_point->size = 2;
  check_q(&qt, 1, false, "has 3 scales but 2 zero points");
  qt.q.zero_point->size = 3;
  qt.q.scale->data[2] = 0.0f;
  check_q(&qt, 1, false, "has scale 0 at index 2");
  qtensor_free(&qt);
  /* Per channel along dim 0 with the wrong count. */
  qtensor_init(&qt, kTfLiteInt8, 2, shape, 3, s3, z3, 0);
  check_q(&qt, 0, false, "of shape [2,3] has 3 per-channel scales along "
                         "dimension 0");
  qtensor_free(&qt);

  /* pl_q_params reads the first entry of the affine parameters. */
  qtensor_init(&qt, kTfLiteInt8, 2, shape, 3, s3, z3, 1);
  qt.t.params.scale = 9.0f;
  const PlQuantParams p = pl_q_params(&qt.t);
  CHECK(p.scale == 0.1f);
  CHECK(p.zero_point == 0);
  qtensor_free(&qt);
}

/* A one-op model: input of (in_type, in_scale) to output of (out_type,
 * out_scale), n elements; scale 0 leaves a tensor unquantized. */
static bool open_unary(Run* r, int op, int in_type, float in_scale,
                       int out_type, float out_scale, int n) {
  MbModel m;
  mb_init(&m, "pylite quant test");
  mb_opcode(&m, op, NULL);
  MbSubgraph* sg = mb_subgraph(&m, "main");
  const int shape[1] = {n};
  const int in = mb_tensor_data(sg, NULL, in_type, 1, shape, NULL, 0);
  const int out = mb_tensor_data(sg, NULL, out_type, 1, shape, NULL, 0);
  sg->tensors[in].scale = in_scale;
  sg->tensors[out].scale = out_scale;
  mb_io(sg, 1, &in, 1, &out);
  mb_op(sg, 0, 1, &in, 1, &out);
  size_t size = 0;
  uint8_t* bytes = mb_build(&m, &size);
  run_load(r, bytes, size);
  return r->interp != NULL;
}

static bool output_is(Run* r, const void* want, size_t bytes) {
  const TfLiteTensor* t = TfLiteInterpreterGetOutputTensor(r->interp, 0);
  return t && TfLiteTensorByteSize(t) == bytes &&
         memcmp(TfLiteTensorData(t), want, bytes) == 0;
}

enum { OP_QUANTIZE = 114, OP_DEQUANTIZE = 6 };

static void test_quantize_kernel(void) {
  Run r;
  /* float -> int8, scale 0.5: x / 0.5 rounded half away from zero; values
   * past int32 (1e10 / 0.5) and NaN convert to INT32_MIN, so -128 (what
   * LiteRT's x86 build gives). */
  CHECK(open_unary(&r, OP_QUANTIZE, T_F32, 0, T_I8, 0.5f, 8));
  if (r.interp) {
    const float x[8] = {0.25f, -0.25f, 0.75f, -0.75f, 100.0f, -100.0f,
                        1e10f, NAN};
    const int8_t want[8] = {1, -1, 2, -2, 127, -128, -128, -128};
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is(&r, want, sizeof(want)));
  }
  run_close(&r);
  /* int8 (scale 1) -> int8 (scale 2): x / 2 with the fixed-point double
   * rounding: 3 -> 2 (1.5 away from zero), -3 -> -1 (-1.5: the high
   * multiply rounds it toward zero, as TFLite). */
  CHECK(open_unary(&r, OP_QUANTIZE, T_I8, 1.0f, T_I8, 2.0f, 4));
  if (r.interp) {
    const int8_t x[4] = {3, -3, 5, -128}, want[4] = {2, -1, 3, -64};
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is(&r, want, sizeof(want)));
  }
  run_close(&r);
  /* A float input needs a quantized output. */
  CHECK(open_unary(&r, OP_QUANTIZE, T_F32, 0, T_I8, 0, 2));
  if (r.interp) {
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteError);
    CHECK_CONTAINS(PyliteGetLastError(), "QUANTIZE: output");
    CHECK_CONTAINS(PyliteGetLastError(), "has no quantization parameters");
  }
  run_close(&r);
  /* DEQUANTIZE int16, scale 0.25: exact. */
  CHECK(open_unary(&r, OP_DEQUANTIZE, T_I16, 0.25f, T_F32, 0, 3));
  if (r.interp) {
    const int16_t x[3] = {1, -3, 32767};
    const float want[3] = {0.25f, -0.75f, 8191.75f};
    CHECK(TfLiteInterpreterAllocateTensors(r.interp) == kTfLiteOk);
    CHECK(set_input(&r, 0, x, sizeof(x)));
    CHECK(TfLiteInterpreterInvoke(r.interp) == kTfLiteOk);
    CHECK(output_is(&r, want, sizeof(want)));
  }
  run_close(&r);
}

int main(void) {
  test_multiplier();
  test_multiplier_random();
  test_high_mul();
  test_shift_right();
  test_mul();
  test_mul64();
  test_activation_range();
  test_check();
  test_quantize_kernel();
  return CHECK_SUMMARY();
}
