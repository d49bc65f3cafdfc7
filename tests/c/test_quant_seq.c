/* pylite: tests of the quantized sequence helpers
 * (capi/kernels/internal/quant_seq.c): the per-row input quantization of
 * the hybrid LSTM/RNN, the hybrid int8 product, and gemmlowp's 16-bit
 * logistic and tanh, on hand-worked values and their symmetries. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "capi/kernels/internal/quant_seq.h"
#include "check.h"

static void test_symmetric(void) {
  /* max|x| = 127: scale 1, values rounded half away from zero. */
  const float x[4] = {127.0f, 0.5f, -63.5f, 2.4f};
  int8_t q[4];
  float scale = 0.0f;
  pl_qs_quantize_rows(x, 1, 4, q, &scale, NULL, false);
  CHECK(scale == 1.0f);
  CHECK(q[0] == 127 && q[1] == 1 && q[2] == -64 && q[3] == 2);
  /* A zero row: scale 1, all zeros. */
  const float z[3] = {0.0f, -0.0f, 0.0f};
  int8_t qz[3] = {9, 9, 9};
  pl_qs_quantize_rows(z, 1, 3, qz, &scale, NULL, false);
  CHECK(scale == 1.0f && qz[0] == 0 && qz[1] == 0 && qz[2] == 0);
}

static void test_asymmetric(void) {
  /* [-1, 2]: scale 3/255, zero point -128 + 85 = -43; 0.5 / scale = 42.5
   * rounds to 43 before the zero point is added (LiteRT's order), so 0. */
  const float x[2][3] = {{-1.0f, 2.0f, 0.5f}, {0.0f, 0.0f, 0.0f}};
  int8_t q[6];
  float scales[2];
  int32_t zps[2];
  pl_qs_quantize_rows(&x[0][0], 2, 3, q, scales, zps, true);
  CHECK(scales[0] == (float)(3.0 / 255.0));
  CHECK(zps[0] == -43);
  CHECK(q[0] == -128 && q[1] == 127 && q[2] == 0);
  CHECK(scales[1] == 1.0f && zps[1] == 0);
  CHECK(q[3] == 0 && q[4] == 0 && q[5] == 0);
  /* All positive: the range still includes 0, zero point -128. */
  const float p[2] = {1.0f, 0.5f};
  int8_t qp[2];
  pl_qs_quantize_rows(p, 1, 2, qp, scales, zps, true);
  CHECK(zps[0] == -128 && qp[0] == 127);
}

static void test_matvec(void) {
  /* W = [[1, 2], [3, -4]], q = [10, -5], row scale 0.5, weight scale
   * 0.25, zero point 2: row 0: 10 - 10 - 2 * 3 = -6 -> -0.75; row 1:
   * 30 + 20 - 2 * -1 = 52 -> 6.5; added to out. */
  const int8_t w[4] = {1, 2, 3, -4};
  const int8_t q[2] = {10, -5};
  const float scale = 0.5f;
  const int32_t zp = 2;
  float out[2] = {1.0f, -1.0f};
  pl_qs_hybrid_matvec(w, 0.25f, 2, 2, q, &scale, &zp, 1, out, 2);
  CHECK(out[0] == 0.25f && out[1] == 5.5f);
  float sym[2] = {0.0f, 0.0f};
  pl_qs_hybrid_matvec(w, 0.25f, 2, 2, q, &scale, NULL, 1, sym, 2);
  CHECK(sym[0] == 0.0f && sym[1] == 6.25f);
}

static void test_logistic_tanh(void) {
  CHECK(pl_qs_logistic_q3(0) == 16384);
  CHECK(pl_qs_tanh(0, 3) == 0);
  int worst_logistic = 0, worst_tanh = 0, asymmetric = 0;
  for (int v = -32767; v <= 32767; v += 7) {
    const int16_t x = (int16_t)v;
    const int16_t s = pl_qs_logistic_q3(x);
    const double want = 32768.0 / (1.0 + exp(-v / 4096.0));
    const int err = (int)fabs(s - want);
    if (err > worst_logistic) worst_logistic = err;
    if (v != 0 && pl_qs_logistic_q3(x) + pl_qs_logistic_q3((int16_t)-v) !=
                      32767)
      ++asymmetric;
    for (int bits = 0; bits <= 6; ++bits) {
      const int16_t t = pl_qs_tanh(x, bits);
      const double tw = 32768.0 * tanh(v / (double)(1 << (15 - bits)));
      const int te = (int)fabs(t - tw);
      if (te > worst_tanh) worst_tanh = te;
      if (pl_qs_tanh((int16_t)-v, bits) != -t) ++asymmetric;
    }
  }
  /* gemmlowp's 16-bit approximations are within a few units of Q0.15. */
  CHECK(worst_logistic <= 8);
  CHECK(worst_tanh <= 16);
  CHECK(asymmetric == 0);
  /* Saturating ends. */
  CHECK(pl_qs_logistic_q3(32767) > 32700);
  CHECK(pl_qs_logistic_q3(-32768) < 20);
  CHECK(pl_qs_tanh(32767, 0) > 24900 && pl_qs_tanh(32767, 0) < 25000);
  CHECK(pl_qs_tanh(-32768, 6) == -32768 || pl_qs_tanh(-32768, 6) < -32700);
}

int main(void) {
  test_symmetric();
  test_asymmetric();
  test_matvec();
  test_logistic_tanh();
  return CHECK_SUMMARY();
}
