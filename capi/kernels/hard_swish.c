/* pylite: HARD_SWISH, y = x * relu6(x + 3) / 6.
 *
 * As TFLite's reference HARD_SWISH. The output has the input's shape and
 * type.
 * float32, in its order of operations: (x * min(6, max(0, x + 3))) / 6,
 * where a NaN x + 3 clamps to 0 (so NaN * 0 gives NaN) and x <= -3 gives a
 * signed zero.
 * int8 / uint8 (per tensor): LiteRT's 16-bit fixed-point evaluation. The
 * input is taken to a scale 128 times finer; one int16 multiplier (from
 * float arithmetic, as LiteRT) maps it to the output scale, another to the
 * "reluish" factor relu6(x + 3) / 6 as a Q0.15 value in [0, 1]; their
 * product, rounded down to the output scale, plus the output zero point,
 * clamped to the type. The output multiplier must be below 1 (output
 * scale above input scale / 128), as LiteRT requires. */
#include <stdlib.h>

#include "capi/kernels/internal/simd.h"
#include "capi/kernels/internal/unary_quant.h"

typedef struct HardSwishData {
  int32_t input_zero_point, output_zero_point;
  int16_t output_multiplier; /* Q0.15 */
  int output_exponent;
  int16_t reluish_multiplier; /* Q0.15 */
  int reluish_exponent;
} HardSwishData;

static const TfLiteType kHardSwishTypes[] = {kTfLiteFloat32, kTfLiteInt8,
                                             kTfLiteUInt8};

static inline float hard_swish_f32(float x) {
  float r = x + 3.0f;
  r = 0.0f < r ? r : 0.0f; /* std::max(0, r) keeps 0 for NaN */
  r = r < 6.0f ? r : 6.0f;
  return x * r / 6.0f;
}

/* hard_swish_f32 over n values, a loop the compiler runs on vectors (the
 * same operations per value): SSE's 4 lanes, or AVX2's 8 when the SIMD
 * level has them. */
static inline __attribute__((always_inline)) void hard_swish_loop(
    const float* restrict x, float* restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = hard_swish_f32(x[i]);
}

static void hard_swish_rows(const float* x, float* y, int64_t n) {
  hard_swish_loop(x, y, n);
}

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2"))) static void hard_swish_rows_avx2(
    const float* x, float* y, int64_t n) {
  hard_swish_loop(x, y, n);
}
#define PL_HARD_SWISH_AVX2 1
#endif

/* A Q31 multiplier rounded to Q15, saturating. */
static int16_t hard_swish_q15(int32_t multiplier) {
  if (multiplier >= INT32_MAX - (1 << 15)) return INT16_MAX;
  return (int16_t)((multiplier + (1 << 15)) >> 16);
}

static TfLiteStatus hard_swish_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(HardSwishData));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void hard_swish_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static TfLiteStatus hard_swish_prepare(PlSubgraph* sg, PlNode* node) {
  HardSwishData* d = node->user_data;
  const TfLiteTensor* input;
  TfLiteTensor* output;
  PL_ENSURE(sg, d != NULL);
  PL_ENSURE_OK(pl_unary_prepare_q(sg, node, "HARD_SWISH", kHardSwishTypes, 3,
                                  false, &input, &output));
  if (!pl_unary_q_type(input)) return kTfLiteOk;
  const PlQuantParams pi = pl_q_params(input);
  const PlQuantParams po = pl_q_params(output);
  d->input_zero_point = pi.zero_point;
  d->output_zero_point = po.zero_point;
  /* float arithmetic, as LiteRT's prepare. */
  const float hires_input_scale = (1.0f / 128.0f) * pi.scale;
  const float reluish_scale = 3.0f / 32768.0f;
  int32_t m = 0;
  pl_q_multiplier((double)(hires_input_scale / po.scale), &m,
                  &d->output_exponent);
  d->output_multiplier = hard_swish_q15(m);
  if (d->output_exponent > 0) {
    pl_report(sg, "HARD_SWISH: output scale %g is too small for input scale "
              "%g (it must exceed input scale / 128), as LiteRT requires.",
              (double)po.scale, (double)pi.scale);
    return kTfLiteError;
  }
  pl_q_multiplier((double)(hires_input_scale / reluish_scale), &m,
                  &d->reluish_exponent);
  d->reluish_multiplier = hard_swish_q15(m);
  return kTfLiteOk;
}

/* gemmlowp's rounding doubling high multiply of two int16 values. */
static int16_t q15_high_mul(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  const int32_t ab = (int32_t)a * (int32_t)b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));
}

/* The same without rounding (truncating division). */
static int16_t q15_high_mul_truncating(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * (int32_t)b) / (1 << 15));
}

static int16_t q15_saturating_shift_left(int16_t v, int amount) {
  const int64_t r = (int64_t)v * ((int64_t)1 << amount);
  return (int16_t)(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}

static void hard_swish_quant(const HardSwishData* d, const TfLiteTensor* in,
                             TfLiteTensor* out) {
  int32_t lo = 0, hi = 0;
  pl_q_type_range(in->type, &lo, &hi);
  const int64_t n = pl_num_elements(in);
  for (int64_t i = 0; i < n; ++i) {
    const int16_t v = (int16_t)(pl_q_load(in, i) - d->input_zero_point);
    const int16_t hires = (int16_t)(v * 128);
    const int16_t preshift_scaled = q15_high_mul(hires, d->output_multiplier);
    int16_t reluish = hires;
    if (d->reluish_exponent > 0)
      reluish = q15_saturating_shift_left(reluish, d->reluish_exponent - 1);
    reluish = q15_high_mul(reluish, d->reluish_multiplier);
    if (d->reluish_exponent > 0)
      reluish = q15_saturating_shift_left(reluish, 1);
    if (d->reluish_exponent < 0)
      reluish = (int16_t)pl_q_shift_right(reluish, -d->reluish_exponent);
    /* [-1, 1] to [0, 1]. */
    reluish = (int16_t)((reluish + (1 << 15)) >> 1);
    const int16_t preshift = q15_high_mul_truncating(reluish, preshift_scaled);
    int16_t y = (int16_t)pl_q_shift_right(preshift, -d->output_exponent);
    y = (int16_t)(uint16_t)((uint16_t)y + (uint16_t)d->output_zero_point);
    pl_q_store(out, i, pl_q_clamp(y, lo, hi));
  }
}

static TfLiteStatus hard_swish_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteTensor* input = pl_input(sg, node, 0);
  if (input->type == kTfLiteFloat32) {
#ifdef PL_HARD_SWISH_AVX2
    if (pl_simd_avx2()) {
      pl_unary_vec_f32(sg, node, hard_swish_rows_avx2);
      return kTfLiteOk;
    }
#endif
    pl_unary_vec_f32(sg, node, hard_swish_rows);
  } else
    hard_swish_quant(node->user_data, input, pl_output(sg, node, 0));
  return kTfLiteOk;
}

const PlKernel pl_kernel_hard_swish = {
    .name = "HARD_SWISH",
    .init = hard_swish_init,
    .free = hard_swish_free,
    .prepare = hard_swish_prepare,
    .eval = hard_swish_eval,
    .types = "float32, int8, uint8 (quantized)",
};
