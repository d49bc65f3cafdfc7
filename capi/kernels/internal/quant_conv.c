/* pylite: prepare-time checks, filter conversion, on-the-fly input
 * quantization and the integer GEMM of the quantized convolutions (see
 * quant_conv.h). */
#include "capi/kernels/internal/quant_conv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/nn_conv.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_QGEMM_X86 1
#include <immintrin.h>
#endif

PlQconvKind pl_qconv_kind(const TfLiteTensor* input,
                          const TfLiteTensor* filter) {
  switch (input->type) {
    case kTfLiteInt8: return PL_QCONV_INT8;
    case kTfLiteUInt8: return PL_QCONV_UINT8;
    case kTfLiteInt16: return PL_QCONV_INT16;
    case kTfLiteFloat32:
      return filter->type == kTfLiteInt8 ? PL_QCONV_HYBRID : PL_QCONV_FLOAT;
    default: return PL_QCONV_FLOAT; /* the float path reports the type */
  }
}

static const char* qconv_kind_name(PlQconvKind kind) {
  switch (kind) {
    case PL_QCONV_INT8: return "int8";
    case PL_QCONV_UINT8: return "uint8";
    case PL_QCONV_INT16: return "int16 (16x8)";
    case PL_QCONV_HYBRID: return "hybrid (float32 input, int8 filter)";
    default: return "float32";
  }
}

static TfLiteStatus qconv_want_type(PlSubgraph* sg, const char* op,
                                    PlQconvKind kind, const char* role,
                                    const TfLiteTensor* t, TfLiteType want) {
  if (t->type == want) return kTfLiteOk;
  pl_report(sg, "%s %s: %s '%s' must be %s, got %s.", op,
            qconv_kind_name(kind), role, t->name ? t->name : "",
            TfLiteTypeGetName(want), TfLiteTypeGetName(t->type));
  return kTfLiteError;
}

/* A quantized bias carries zero points of 0 when it has parameters (TFLite
 * checks the per-tensor one). */
static TfLiteStatus qconv_check_bias_zero(PlSubgraph* sg, const char* op,
                                          const TfLiteTensor* bias) {
  const TfLiteAffineQuantization* q = bias->quantization.params;
  if (bias->quantization.type != kTfLiteAffineQuantization || !q ||
      !q->zero_point)
    return kTfLiteOk;
  for (int k = 0; k < q->zero_point->size; ++k) {
    if (q->zero_point->data[k] != 0) {
      pl_report(sg, "%s: bias '%s' has zero point %d at index %d; it must "
                "be 0.", op, bias->name ? bias->name : "",
                (int)q->zero_point->data[k], k);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

static TfLiteStatus qconv_alloc(PlSubgraph* sg, PlQconv* q, int channels) {
  free(q->multiplier);
  free(q->shift);
  free(q->filter_scale);
  const size_t n = channels > 0 ? (size_t)channels : 1;
  q->multiplier = malloc(n * sizeof(*q->multiplier));
  q->shift = malloc(n * sizeof(*q->shift));
  q->filter_scale = malloc(n * sizeof(*q->filter_scale));
  if (!q->multiplier || !q->shift || !q->filter_scale) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  q->channels = channels;
  return kTfLiteOk;
}

TfLiteStatus pl_qconv_prepare(PlSubgraph* sg, const char* op, PlQconvOp which,
                              const TfLiteTensor* input,
                              const TfLiteTensor* filter,
                              const TfLiteTensor* bias,
                              const TfLiteTensor* output, int activation,
                              int quantized_bias_type, PlQconv* q) {
  const PlQconvKind kind = pl_qconv_kind(input, filter);
  q->kind = kind;
  const int cdim = which == PL_QCONV_OP_DEPTHWISE ? 3 : 0;
  const int channels = filter->dims->data[cdim];
  const char* frole = which == PL_QCONV_OP_TRANSPOSE ? "weights" : "filter";

  /* Types. */
  const TfLiteType ftype = kind == PL_QCONV_UINT8 ? kTfLiteUInt8 : kTfLiteInt8;
  const TfLiteType otype = kind == PL_QCONV_INT8    ? kTfLiteInt8
                           : kind == PL_QCONV_UINT8 ? kTfLiteUInt8
                           : kind == PL_QCONV_INT16 ? kTfLiteInt16
                                                    : kTfLiteFloat32;
  PL_ENSURE_OK(qconv_want_type(sg, op, kind, frole, filter, ftype));
  PL_ENSURE_OK(qconv_want_type(sg, op, kind, "output", output, otype));
  q->acc64 = false;
  if (kind == PL_QCONV_INT16) {
    const int t = quantized_bias_type;
    if (t != PL_QCONV_BIAS_DEFAULT && t != PL_QCONV_BIAS_INT32 &&
        t != PL_QCONV_BIAS_INT64) {
      pl_report(sg, "%s int16 (16x8): quantized_bias_type must be INT32 or "
                "INT64, got TensorType %d.", op, t);
      return kTfLiteError;
    }
    q->acc64 = t != PL_QCONV_BIAS_INT32;
    if (bias) {
      const TfLiteType want = q->acc64 ? kTfLiteInt64 : kTfLiteInt32;
      if (bias->type != want) {
        pl_report(sg, "%s int16 (16x8): bias '%s' must be %s%s, got %s.", op,
                  bias->name ? bias->name : "", TfLiteTypeGetName(want),
                  q->acc64 ? " (an int32 bias needs the option "
                             "quantized_bias_type INT32)"
                           : " (option quantized_bias_type is INT32)",
                  TfLiteTypeGetName(bias->type));
        return kTfLiteError;
      }
    }
  } else if (bias) {
    const TfLiteType want =
        kind == PL_QCONV_HYBRID ? kTfLiteFloat32 : kTfLiteInt32;
    PL_ENSURE_OK(qconv_want_type(sg, op, kind, "bias", bias, want));
  }
  switch (activation) {
    case PL_ACT_NONE:
    case PL_ACT_RELU:
    case PL_ACT_RELU_N1_TO_1:
    case PL_ACT_RELU6:
      break;
    default:
      pl_report(sg, "%s %s supports the fused activations NONE, RELU, "
                "RELU_N1_TO_1 and RELU6, got %d.", op, qconv_kind_name(kind),
                activation);
      return kTfLiteError;
  }

  /* Quantization parameters. */
  const PlQuantRule per_channel = {cdim, true};
  const PlQuantRule per_tensor = {-1, false};
  const PlQuantRule symmetric = {-1, true};
  PL_ENSURE_OK(pl_q_check(sg, op, frole, filter,
                          kind == PL_QCONV_UINT8 ? &per_tensor : &per_channel));
  if (kind != PL_QCONV_HYBRID) {
    const PlQuantRule* rule =
        kind == PL_QCONV_INT16 ? &symmetric : &per_tensor;
    PL_ENSURE_OK(pl_q_check(sg, op, "input", input, rule));
    PL_ENSURE_OK(pl_q_check(sg, op, "output", output, rule));
    if (bias) PL_ENSURE_OK(qconv_check_bias_zero(sg, op, bias));
  }
  PL_ENSURE_OK(qconv_alloc(sg, q, channels));
  const TfLiteAffineQuantization* fq = filter->quantization.params;
  const int nscales = fq->scale->size;
  for (int c = 0; c < channels; ++c)
    q->filter_scale[c] = fq->scale->data[nscales > 1 ? c : 0];
  q->input_zp = q->filter_zp = q->output_zp = 0;
  q->act_min = q->act_max = 0;
  q->lo = q->hi = 0.0f;

  if (kind == PL_QCONV_HYBRID) {
    pl_activation_range_f32(activation, &q->lo, &q->hi);
    /* LiteRT quantizes the input symmetrically only in CONV_2D, when every
     * filter scale is the same. */
    bool differ = false;
    for (int k = 1; k < nscales; ++k)
      if (fq->scale->data[k] != fq->scale->data[0]) differ = true;
    q->asymmetric = which != PL_QCONV_OP_CONV || differ;
    return kTfLiteOk;
  }
  const PlQuantParams in_p = pl_q_params(input);
  const PlQuantParams out_p = pl_q_params(output);
  q->input_zp = in_p.zero_point;
  q->output_zp = out_p.zero_point;
  if (kind == PL_QCONV_UINT8) {
    const PlQuantParams f_p = pl_q_params(filter);
    q->filter_zp = f_p.zero_point;
    /* TFLite requires the bias scale to be close to input * filter scale
     * (else the bias would be misread). */
    const double product = (double)in_p.scale * (double)f_p.scale;
    if (bias) {
      const double bias_scale = pl_q_params(bias).scale;
      const double diff = fabs(product - bias_scale);
      if (!(diff / (double)out_p.scale <= 0.02)) {
        pl_report(sg, "%s uint8: bias '%s' scale %g must equal input scale "
                  "* filter scale (%g) to within 2%% of the output scale "
                  "%g.", op, bias->name ? bias->name : "", bias_scale,
                  product, (double)out_p.scale);
        return kTfLiteError;
      }
    }
    /* The product is rounded to float first, as TFLite. */
    const double real = (double)(in_p.scale * f_p.scale) / (double)out_p.scale;
    int32_t m;
    int s;
    pl_q_multiplier(real, &m, &s);
    for (int c = 0; c < channels; ++c) {
      q->multiplier[c] = m;
      q->shift[c] = s;
    }
  } else {
    pl_q_channel_multipliers(input, filter, output, channels, q->multiplier,
                             q->shift);
  }
  if (q->acc64) {
    /* The 64-bit multiply shifts right by 15 - shift: the rescale must be
     * below 2^14. */
    for (int c = 0; c < channels; ++c) {
      if (q->shift[c] > 14) {
        pl_report(sg, "%s int16 (16x8): channel %d rescales by input scale "
                  "* filter scale / output scale >= 2^14, which the 64-bit "
                  "fixed-point multiply cannot represent.", op, c);
        return kTfLiteError;
      }
    }
  }
  return pl_q_activation_range(sg, activation, output, &q->act_min,
                               &q->act_max);
}

TfLiteStatus pl_qconv_prepare_node(PlSubgraph* sg, PlNode* node,
                                   const char* op, PlQconvOp which,
                                   int activation, int quantized_bias_type,
                                   PlQconv* q, const TfLiteTensor** input,
                                   const TfLiteTensor** filter,
                                   const TfLiteTensor** bias,
                                   TfLiteTensor** output) {
  const int num_inputs = pl_num_inputs(node);
  if ((num_inputs != 2 && num_inputs != 3) || pl_num_outputs(node) != 1) {
    pl_report(sg, "%s takes 2 or 3 inputs and 1 output, got %d and %d.", op,
              num_inputs, pl_num_outputs(node));
    return kTfLiteError;
  }
  *input = pl_input(sg, node, 0);
  *filter = pl_input(sg, node, 1);
  *bias = num_inputs == 3 ? pl_input(sg, node, 2) : NULL;
  *output = pl_output(sg, node, 0);
  PL_ENSURE(sg, *input != NULL);
  PL_ENSURE(sg, *filter != NULL);
  PL_ENSURE(sg, *output != NULL);
  q->kind = pl_qconv_kind(*input, *filter);
  if (q->kind == PL_QCONV_FLOAT)
    return pl_nn_conv_check_tensors(sg, op, *input, *filter, "filter", *bias,
                                    *output, activation, 4);
  PL_ENSURE_OK(pl_nn_require_rank(sg, op, "input", *input, 4));
  PL_ENSURE_OK(pl_nn_require_rank(sg, op, "filter", *filter, 4));
  return pl_qconv_prepare(sg, op, which, *input, *filter, *bias, *output,
                          activation, quantized_bias_type, q);
}

TfLiteStatus pl_qconv_reserve_weights(PlSubgraph* sg, PlQconv* q,
                                      const TfLiteTensor* filter) {
  const int64_t n = pl_num_elements(filter);
  if ((size_t)n > q->weights_cap) {
    int16_t* p = realloc(q->weights, (size_t)(n > 0 ? n : 1) * sizeof(int16_t));
    if (!p) {
      pl_report(sg, "Out of memory for %lld filter values.", (long long)n);
      return kTfLiteError;
    }
    q->weights = p;
    q->weights_cap = (size_t)n;
  }
  q->weights_ready = false;
  if (pl_is_constant(filter) && filter->data.raw) {
    pl_qconv_weights(q, filter);
    q->weights_ready = true;
    q->weights_src = filter->data.raw;
  }
  return kTfLiteOk;
}

void pl_qconv_weights(PlQconv* q, const TfLiteTensor* filter) {
  const int64_t n = pl_num_elements(filter);
  if (filter->type == kTfLiteUInt8) {
    for (int64_t k = 0; k < n; ++k)
      q->weights[k] = (int16_t)(filter->data.uint8[k] - q->filter_zp);
  } else {
    for (int64_t k = 0; k < n; ++k) q->weights[k] = filter->data.int8[k];
  }
}

void pl_qconv_drop_weights(PlQconv* q) {
  free(q->weights);
  q->weights = NULL;
  q->weights_cap = 0;
}

TfLiteStatus pl_qconv_reserve_hybrid(PlSubgraph* sg, PlQconv* q,
                                     const TfLiteTensor* input) {
  if (q->kind != PL_QCONV_HYBRID) return kTfLiteOk;
  void* p = q->hybrid_input;
  const TfLiteStatus st = pl_reserve(sg, &p, &q->hybrid_input_bytes,
                                     (size_t)pl_num_elements(input));
  q->hybrid_input = p; /* freed or replaced: kept even on failure */
  PL_ENSURE_OK(st);
  free(q->hybrid_scale);
  free(q->hybrid_offset);
  const int batches = input->dims->size > 0 ? input->dims->data[0] : 1;
  const size_t b = (size_t)(batches > 0 ? batches : 1);
  q->hybrid_scale = malloc(sizeof(float) * b);
  q->hybrid_offset = malloc(sizeof(int32_t) * b);
  if (!q->hybrid_scale || !q->hybrid_offset) {
    pl_report(sg, "Out of memory for the quantized input.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

void pl_qconv_free(PlQconv* q) {
  free(q->hybrid_input);
  free(q->hybrid_scale);
  free(q->hybrid_offset);
  free(q->multiplier);
  free(q->shift);
  free(q->filter_scale);
  free(q->weights);
  memset(q, 0, sizeof(*q));
}

/* ---- On-the-fly input quantization (hybrid) ------------------------------ */

/* The smallest and largest of x[0, n) as the loop `if (x[k] < mn) mn =
 * x[k]; if (mx < x[k]) mx = x[k];` from x[0] finds them: a NaN is kept
 * only as x[0] (signed zeros may differ, which the callers do not see). */
static void qconv_minmax_base(const float* x, int64_t n, float* mn_out,
                              float* mx_out) {
  float mn = n > 0 ? x[0] : 0.0f, mx = mn;
  for (int64_t k = 1; k < n; ++k) {
    if (x[k] < mn) mn = x[k];
    if (mx < x[k]) mx = x[k];
  }
  *mn_out = mn;
  *mx_out = mx;
}

/* q[k] = clamp(pl_q_f32_to_i32(roundf(offset + x[k] * inv)), lo, hi),
 * the float operations unfused. */
static void qconv_quantize_base(const float* x, int64_t n, float offset,
                                float inv, int32_t lo, int32_t hi,
                                int8_t* q) {
  for (int64_t k = 0; k < n; ++k) {
    const int32_t v = pl_q_f32_to_i32(roundf(offset + x[k] * inv));
    q[k] = (int8_t)(v < lo ? lo : (v > hi ? hi : v));
  }
}

#ifdef PL_QGEMM_X86
/* The same with 8 lanes: min / max compare as the scalar loop (a NaN
 * operand keeps the running value, which starts at x[0] in every lane).
 * Four running values per bound, 32 floats a step, overlap the
 * instructions' latency; a NaN x[0] is in all of them, so they combine as
 * the lanes do. */
__attribute__((target("avx2"))) static void qconv_minmax_avx2(
    const float* x, int64_t n, float* mn_out, float* mx_out) {
  if (n < 8) {
    qconv_minmax_base(x, n, mn_out, mx_out);
    return;
  }
  __m256 mn4[4], mx4[4];
  for (int a = 0; a < 4; ++a) mn4[a] = mx4[a] = _mm256_set1_ps(x[0]);
  int64_t k = 0;
  for (; k + 32 <= n; k += 32)
    for (int a = 0; a < 4; ++a) {
      const __m256 v = _mm256_loadu_ps(x + k + 8 * a);
      mn4[a] = _mm256_min_ps(v, mn4[a]); /* v < mn ? v : mn */
      mx4[a] = _mm256_max_ps(v, mx4[a]); /* v > mx ? v : mx */
    }
  __m256 mn = _mm256_min_ps(_mm256_min_ps(mn4[0], mn4[1]),
                            _mm256_min_ps(mn4[2], mn4[3]));
  __m256 mx = _mm256_max_ps(_mm256_max_ps(mx4[0], mx4[1]),
                            _mm256_max_ps(mx4[2], mx4[3]));
  for (; k + 8 <= n; k += 8) {
    const __m256 v = _mm256_loadu_ps(x + k);
    mn = _mm256_min_ps(v, mn);
    mx = _mm256_max_ps(v, mx);
  }
  float lanes_mn[8], lanes_mx[8];
  _mm256_storeu_ps(lanes_mn, mn);
  _mm256_storeu_ps(lanes_mx, mx);
  float a = lanes_mn[0], b = lanes_mx[0];
  for (int l = 1; l < 8; ++l) {
    if (lanes_mn[l] < a) a = lanes_mn[l];
    if (b < lanes_mx[l]) b = lanes_mx[l];
  }
  for (; k < n; ++k) {
    if (x[k] < a) a = x[k];
    if (b < x[k]) b = x[k];
  }
  *mn_out = a;
  *mx_out = b;
}

/* roundf(v) as the truncation (cvttps2dq) of v plus the largest float
 * below a half with v's sign: under round-to-nearest the sum reaches the
 * next integer away from zero exactly when v's fraction is at least a half
 * (checked on all 2^32 floats); cvttps2dq gives INT32_MIN for NaN and
 * out-of-range values, as pl_q_f32_to_i32. */
__attribute__((target("avx2"))) static void qconv_quantize_avx2(
    const float* x, int64_t n, float offset, float inv, int32_t lo,
    int32_t hi, int8_t* q) {
  const __m256 voff = _mm256_set1_ps(offset), vinv = _mm256_set1_ps(inv);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 below_half = _mm256_set1_ps(0.49999997f); /* 0.5 - 2^-25 */
  const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 v =
        _mm256_add_ps(voff, _mm256_mul_ps(_mm256_loadu_ps(x + k), vinv));
    const __m256 up = _mm256_or_ps(_mm256_and_ps(v, sign), below_half);
    __m256i i = _mm256_cvttps_epi32(_mm256_add_ps(v, up));
    i = _mm256_min_epi32(_mm256_max_epi32(i, vlo), vhi);
    const __m128i i16 = _mm_packs_epi32(_mm256_castsi256_si128(i),
                                        _mm256_extracti128_si256(i, 1));
    _mm_storel_epi64((__m128i*)(q + k), _mm_packs_epi16(i16, i16));
  }
  qconv_quantize_base(x + k, n - k, offset, inv, lo, hi, q + k);
}
#endif

static void qconv_minmax(const float* x, int64_t n, float* mn, float* mx) {
#ifdef PL_QGEMM_X86
  if (pl_simd_avx2()) {
    qconv_minmax_avx2(x, n, mn, mx);
    return;
  }
#endif
  qconv_minmax_base(x, n, mn, mx);
}

static void qconv_quantize(const float* x, int64_t n, float offset,
                           float inv, int32_t lo, int32_t hi, int8_t* q) {
#ifdef PL_QGEMM_X86
  if (pl_simd_avx2()) {
    qconv_quantize_avx2(x, n, offset, inv, lo, hi, q);
    return;
  }
#endif
  qconv_quantize_base(x, n, offset, inv, lo, hi, q);
}

void pl_qconv_quantize_asymmetric(const float* x, int64_t n, int8_t* q,
                                  float* scale, int32_t* offset) {
  float mn, mx;
  qconv_minmax(x, n, &mn, &mx);
  const double rmin = mn < 0.0f ? mn : 0.0f;
  const double rmax = 0.0f < mx ? mx : 0.0f;
  if (rmin == rmax) { /* all zeros, or no values (q may be NULL) */
    if (n > 0) memset(q, 0, (size_t)n);
    *scale = 1.0f;
    *offset = 0;
    return;
  }
  const double qmin = -128.0, qmax = 127.0;
  const double s = (rmax - rmin) / (qmax - qmin);
  const double zp_from_min = qmin - rmin / s;
  const double zp_from_max = qmax - rmax / s;
  const double err_min = fabs(qmin) + fabs(rmin / s);
  const double err_max = fabs(qmax) + fabs(rmax / s);
  const double zp = err_min < err_max ? zp_from_min : zp_from_max;
  int32_t nudged;
  if (zp <= qmin)
    nudged = -128;
  else if (zp >= qmax)
    nudged = 127;
  else
    nudged = pl_q_f64_to_i32(round(zp)); /* NaN: as x86 */
  *scale = (float)s;
  *offset = nudged;
  qconv_quantize(x, n, (float)nudged, 1.0f / *scale, -128, 127, q);
}

void pl_qconv_quantize_symmetric(const float* x, int64_t n, int8_t* q,
                                 float* scale) {
  float mn, mx;
  qconv_minmax(x, n, &mn, &mx);
  const float a = fabsf(mn), b = fabsf(mx);
  const float range = a < b ? b : a;
  if (range == 0.0f) { /* all zeros, or no values (q may be NULL) */
    if (n > 0) memset(q, 0, (size_t)n);
    *scale = 1.0f;
    return;
  }
  *scale = range / 127.0f;
  /* 0 + x * inv rounds as x * inv (only a -0 becomes +0). */
  qconv_quantize(x, n, 0.0f, 127.0f / range, -127, 127, q);
}

void pl_qconv_hybrid_input(const PlQconv* q, const TfLiteTensor* input,
                           int8_t* qbuf, float* scales, int32_t* offsets) {
  const int batches = input->dims->data[0];
  if (batches <= 0) return;
  const int64_t per_batch = pl_num_elements(input) / batches;
  for (int b = 0; b < batches; ++b) {
    const float* xb = input->data.f + b * per_batch;
    int8_t* qb = qbuf + b * per_batch;
    if (q->asymmetric) {
      pl_qconv_quantize_asymmetric(xb, per_batch, qb, &scales[b],
                                   &offsets[b]);
    } else {
      pl_qconv_quantize_symmetric(xb, per_batch, qb, &scales[b]);
      scales[b] *= q->filter_scale[0];
      offsets[b] = 0;
    }
  }
}

/* Each output is an independent dot product; the d loops vectorize (int16
 * products widened to the accumulator). Four columns at a time share the
 * row's loads. The body is compiled twice: for the baseline ISA and for
 * AVX2, chosen at run time. */
#define PL_QGEMM_BODY(ACC, UACC)                                            \
  for (int64_t i = 0; i < m; ++i) {                                        \
    const int16_t* ai = a + i * lda;                                       \
    ACC* out = acc + i * ldc;                                              \
    int64_t j = 0;                                                         \
    for (; j + 4 <= n; j += 4) {                                           \
      const int16_t* b0 = b + j * k;                                       \
      const int16_t* b1 = b0 + k;                                          \
      const int16_t* b2 = b1 + k;                                          \
      const int16_t* b3 = b2 + k;                                          \
      UACC s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                 \
      for (int64_t d = 0; d < k; ++d) {                                    \
        const int32_t v = ai[d];                                           \
        s0 += (UACC)(ACC)(v * b0[d]);                                      \
        s1 += (UACC)(ACC)(v * b1[d]);                                      \
        s2 += (UACC)(ACC)(v * b2[d]);                                      \
        s3 += (UACC)(ACC)(v * b3[d]);                                      \
      }                                                                    \
      out[j] = (ACC)s0;                                                    \
      out[j + 1] = (ACC)s1;                                                \
      out[j + 2] = (ACC)s2;                                                \
      out[j + 3] = (ACC)s3;                                                \
    }                                                                      \
    for (; j < n; ++j) {                                                   \
      const int16_t* bj = b + j * k;                                       \
      UACC s = 0;                                                          \
      for (int64_t d = 0; d < k; ++d)                                      \
        s += (UACC)(ACC)((int32_t)ai[d] * bj[d]);                          \
      out[j] = (ACC)s;                                                     \
    }                                                                      \
  }

static void qgemm_i32_base(const int16_t* a, int64_t lda, const int16_t* b,
                           int64_t m, int64_t n, int64_t k, int32_t* acc,
                           int64_t ldc) {
  PL_QGEMM_BODY(int32_t, uint32_t)
}

static void qgemm_i64_base(const int16_t* a, int64_t lda, const int16_t* b,
                           int64_t m, int64_t n, int64_t k, int64_t* acc,
                           int64_t ldc) {
  PL_QGEMM_BODY(int64_t, uint64_t)
}

#ifdef PL_QGEMM_X86
__attribute__((target("avx2"))) static void qgemm_i32_avx2(
    const int16_t* a, int64_t lda, const int16_t* b, int64_t m, int64_t n,
    int64_t k, int32_t* acc, int64_t ldc) {
  PL_QGEMM_BODY(int32_t, uint32_t)
}

__attribute__((target("avx2"))) static void qgemm_i64_avx2(
    const int16_t* a, int64_t lda, const int16_t* b, int64_t m, int64_t n,
    int64_t k, int64_t* acc, int64_t ldc) {
  PL_QGEMM_BODY(int64_t, uint64_t)
}
#endif

void pl_qgemm_i32(const int16_t* a, int64_t lda, const int16_t* b, int64_t m,
                  int64_t n, int64_t k, int32_t* acc, int64_t ldc) {
#ifdef PL_QGEMM_X86
  if (pl_simd_avx2()) {
    qgemm_i32_avx2(a, lda, b, m, n, k, acc, ldc);
    return;
  }
#endif
  qgemm_i32_base(a, lda, b, m, n, k, acc, ldc);
}

void pl_qgemm_i64(const int16_t* a, int64_t lda, const int16_t* b, int64_t m,
                  int64_t n, int64_t k, int64_t* acc, int64_t ldc) {
#ifdef PL_QGEMM_X86
  if (pl_simd_avx2()) {
    qgemm_i64_avx2(a, lda, b, m, n, k, acc, ldc);
    return;
  }
#endif
  qgemm_i64_base(a, lda, b, m, n, k, acc, ldc);
}

/* ---- The packed int32 GEMM ------------------------------------------------ */

enum { kPackCols = 8 };

int64_t pl_qgemm_packed_size(int64_t n, int64_t k) {
  return (n + kPackCols - 1) / kPackCols * kPackCols * ((k + 1) / 2 * 2);
}

/* packed[(blk * pairs + p) * 16 + 2 c + h] = b[(8 blk + c) * k + 2 p + h],
 * 0 past the last column or the last k. */
void pl_qgemm_pack(const int16_t* b, int64_t n, int64_t k, int16_t* packed) {
  const int64_t pairs = (k + 1) / 2;
  for (int64_t blk = 0; blk * kPackCols < n; ++blk)
    for (int64_t p = 0; p < pairs; ++p)
      for (int c = 0; c < kPackCols; ++c)
        for (int h = 0; h < 2; ++h) {
          const int64_t j = blk * kPackCols + c, d = 2 * p + h;
          packed[((blk * pairs + p) * kPackCols + c) * 2 + h] =
              j < n && d < k ? b[j * k + d] : 0;
        }
}

/* Row i's values 2p and 2p + 1 as one int32 (0 past the end of the row):
 * one unaligned load inside the row. */
static inline int32_t pair_of(const int16_t* ai, int64_t k, int64_t p) {
  if (2 * p + 1 < k) {
    int32_t v;
    memcpy(&v, ai + 2 * p, sizeof(v));
    return v;
  }
  return (int32_t)(uint32_t)(uint16_t)ai[2 * p];
}

static void qgemm_packed_base(const int16_t* a, int64_t lda,
                              const int16_t* packed, int64_t m, int64_t n,
                              int64_t k, int32_t* acc, int64_t ldc) {
  const int64_t pairs = (k + 1) / 2;
  for (int64_t i = 0; i < m; ++i) {
    const int16_t* ai = a + i * lda;
    for (int64_t j = 0; j < n; ++j) {
      const int16_t* w = packed + (j / kPackCols) * pairs * kPackCols * 2 +
                         (j % kPackCols) * 2;
      uint32_t s = 0;
      for (int64_t p = 0; p < pairs; ++p) {
        const int32_t x0 = ai[2 * p];
        const int32_t x1 = 2 * p + 1 < k ? ai[2 * p + 1] : 0;
        s += (uint32_t)(x0 * w[p * kPackCols * 2]) +
             (uint32_t)(x1 * w[p * kPackCols * 2 + 1]);
      }
      acc[i * ldc + j] = (int32_t)s;
    }
  }
}

#ifdef PL_QGEMM_X86
/* Stores 8 sums, or the first `count` of them. */
__attribute__((target("avx2"))) static inline void store8(int32_t* out,
                                                          __m256i v,
                                                          int64_t count) {
  if (count >= kPackCols) {
    _mm256_storeu_si256((__m256i*)out, v);
    return;
  }
  int32_t lanes[kPackCols];
  _mm256_storeu_si256((__m256i*)lanes, v);
  for (int64_t c = 0; c < count; ++c) out[c] = lanes[c];
}

__attribute__((target("avx2"))) static void qgemm_packed_avx2(
    const int16_t* a, int64_t lda, const int16_t* packed, int64_t m,
    int64_t n, int64_t k, int32_t* acc, int64_t ldc) {
  const int64_t pairs = (k + 1) / 2;
  int64_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const int16_t* a0 = a + i * lda;
    const int16_t* a1 = a0 + lda;
    const int16_t* a2 = a1 + lda;
    const int16_t* a3 = a2 + lda;
    for (int64_t blk = 0; blk * kPackCols < n; ++blk) {
      const int16_t* w = packed + blk * pairs * kPackCols * 2;
      __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
      for (int64_t p = 0; p < pairs; ++p) {
        const __m256i wp =
            _mm256_loadu_si256((const __m256i*)(w + p * kPackCols * 2));
        s0 = _mm256_add_epi32(
            s0, _mm256_madd_epi16(_mm256_set1_epi32(pair_of(a0, k, p)), wp));
        s1 = _mm256_add_epi32(
            s1, _mm256_madd_epi16(_mm256_set1_epi32(pair_of(a1, k, p)), wp));
        s2 = _mm256_add_epi32(
            s2, _mm256_madd_epi16(_mm256_set1_epi32(pair_of(a2, k, p)), wp));
        s3 = _mm256_add_epi32(
            s3, _mm256_madd_epi16(_mm256_set1_epi32(pair_of(a3, k, p)), wp));
      }
      const int64_t j = blk * kPackCols, count = n - j;
      store8(acc + i * ldc + j, s0, count);
      store8(acc + (i + 1) * ldc + j, s1, count);
      store8(acc + (i + 2) * ldc + j, s2, count);
      store8(acc + (i + 3) * ldc + j, s3, count);
    }
  }
  for (; i < m; ++i) {
    const int16_t* ai = a + i * lda;
    for (int64_t blk = 0; blk * kPackCols < n; ++blk) {
      const int16_t* w = packed + blk * pairs * kPackCols * 2;
      __m256i s = _mm256_setzero_si256();
      for (int64_t p = 0; p < pairs; ++p)
        s = _mm256_add_epi32(
            s, _mm256_madd_epi16(
                   _mm256_set1_epi32(pair_of(ai, k, p)),
                   _mm256_loadu_si256((const __m256i*)(w + p * kPackCols * 2))));
      const int64_t j = blk * kPackCols;
      store8(acc + i * ldc + j, s, n - j);
    }
  }
}
#endif

void pl_qgemm_i32_packed(const int16_t* a, int64_t lda, const int16_t* packed,
                         int64_t m, int64_t n, int64_t k, int32_t* acc,
                         int64_t ldc) {
#ifdef PL_QGEMM_X86
  if (pl_simd_avx2()) {
    qgemm_packed_avx2(a, lda, packed, m, n, k, acc, ldc);
    return;
  }
#endif
  qgemm_packed_base(a, lda, packed, m, n, k, acc, ldc);
}

/* ---- The depthwise (multiplier 1) sums ------------------------------------ */

enum { kDwBlock = 16 };

/* The channels the vector kernels do: blocks of 16, and one of 8. */
static int64_t qdw_vector_channels(int64_t channels) {
  return channels / 8 * 8;
}

/* The byte form (int8 inputs on CPUs with AVX-512 VNNI and VBMI): 4 taps
 * per dot-product instruction (see qdw_bytes). */
static bool qdw_bytes_form(bool u8) {
#ifdef PL_QGEMM_X86
  return !u8 && pl_qdot_available() && pl_simd_vbmi();
#else
  (void)u8;
  return false;
#endif
}

/* The byte form: first blocks of 64 channels (qdw_bytes_wide), then
 * blocks of 16 for the rest. A block of 16: its channels' sums of taps
 * (int32), then per group of 4 taps 64 bytes, byte 4 c + k holding tap
 * 4 q + k of channel c (0 past the last tap or channel). A block of 64:
 * the same in the order of its four sums vectors, element 16 i + 4 L + k
 * (i the vector, L its 128-bit lane) holding channel 16 L + 4 i + k: the
 * 64 sums of taps, then per group of 4 taps 256 bytes, byte 4 (16 i + 4 L
 * + k) + t holding tap 4 q + t of that channel. */
enum { kDwWide = 64 };

static int64_t qdw_bytes_block(int64_t taps) {
  return 16 * (int64_t)sizeof(int32_t) + (taps + 3) / 4 * 4 * kDwBlock;
}

static int64_t qdw_bytes_wide(int64_t taps) {
  return kDwWide * (int64_t)sizeof(int32_t) + (taps + 3) / 4 * 4 * kDwWide;
}

/* Channel of element e of a wide block's sums (see above). */
static inline int64_t qdw_wide_channel(int64_t e) {
  return 16 * (e % 16 / 4) + 4 * (e / 16) + e % 4;
}

/* The byte form's 16-channel blocks start at channel `wide` (a multiple
 * of 64) and at byte qdw_bytes_narrow_at of the packing. */
static int64_t qdw_bytes_narrow_at(int64_t taps, int64_t wide) {
  return wide / kDwWide * qdw_bytes_wide(taps);
}

int64_t pl_qdw_packed_size(int64_t taps, int64_t channels, bool u8) {
  if (qdw_bytes_form(u8)) {
    const int64_t wide = channels / kDwWide * kDwWide;
    return qdw_bytes_narrow_at(taps, wide) +
           (channels - wide + kDwBlock - 1) / kDwBlock * qdw_bytes_block(taps);
  }
  const int64_t blocks = (qdw_vector_channels(channels) + kDwBlock - 1) /
                         kDwBlock;
  return blocks * ((taps + 1) / 2) * 2 * kDwBlock * (int64_t)sizeof(int16_t);
}

/* The int16 form: the vector kernels widen 16 channels of two taps to
 * int16 and interleave them (unpacklo / unpackhi, within 128-bit lanes), so
 * entry e of the low vector of pair p holds channel 8 (e / 8) + (e % 8) / 2
 * of tap 2 p + e % 2 and the high vector the same 4 channels further on.
 * The weights are stored in that order, a missing last tap as 0; a last
 * block of 8 channels has 0 for the 8 it lacks. */
bool pl_qdw_pack(const int16_t* w, int64_t taps, int64_t channels, bool u8,
                 void* packed) {
  if (qdw_bytes_form(u8)) {
    char* out = packed;
    const int64_t groups = (taps + 3) / 4, wide = channels / kDwWide * kDwWide;
    for (int64_t j = 0; j < wide; j += kDwWide) {
      int32_t wsum[kDwWide];
      int8_t* bytes = (int8_t*)(out + sizeof(wsum));
      for (int64_t e = 0; e < kDwWide; ++e) {
        const int64_t ch = j + qdw_wide_channel(e);
        uint32_t sum = 0;
        for (int64_t t = 0; t < groups * 4; ++t) {
          const int16_t v = t < taps ? w[t * channels + ch] : 0;
          sum += (uint32_t)v;
          bytes[(t / 4) * 4 * kDwWide + 4 * e + t % 4] = (int8_t)v;
        }
        wsum[e] = (int32_t)sum;
      }
      memcpy(out, wsum, sizeof(wsum));
      out += qdw_bytes_wide(taps);
    }
    for (int64_t blk = 0; wide + blk * kDwBlock < channels; ++blk) {
      int32_t wsum[kDwBlock];
      int8_t* bytes = (int8_t*)(out + sizeof(wsum));
      for (int c = 0; c < kDwBlock; ++c) {
        const int64_t ch = wide + blk * kDwBlock + c;
        uint32_t sum = 0;
        for (int64_t t = 0; t < (taps + 3) / 4 * 4; ++t) {
          const int16_t v = ch < channels && t < taps ? w[t * channels + ch] : 0;
          sum += (uint32_t)v;
          bytes[(t / 4) * 4 * kDwBlock + 4 * c + t % 4] = (int8_t)v;
        }
        wsum[c] = (int32_t)sum;
      }
      memcpy(out, wsum, sizeof(wsum));
      out += qdw_bytes_block(taps);
    }
    return true;
  }
  int16_t* out = packed;
  const int64_t pairs = (taps + 1) / 2;
  const int64_t end = qdw_vector_channels(channels);
  for (int64_t blk = 0; blk * kDwBlock < end; ++blk)
    for (int64_t p = 0; p < pairs; ++p)
      for (int half = 0; half < 2; ++half)
        for (int e = 0; e < kDwBlock; ++e) {
          const int64_t tap = 2 * p + e % 2;
          const int64_t ch =
              blk * kDwBlock + 8 * (e / 8) + 4 * half + (e % 8) / 2;
          *out++ = tap < taps && ch < end ? w[tap * channels + ch] : 0;
        }
  return false;
}

/* Tap t of pixel p: its row's address (see PlQdwArgs). */
static inline const void* qdw_row(const PlQdwArgs* g, int64_t p, int64_t t) {
  if (p >= g->inner_begin && p < g->inner_end)
    return (const void*)(g->base + (uintptr_t)(p * g->step) +
                         (uintptr_t)g->pattern[t]);
  return (const void*)g->table[p * g->taps + t];
}

/* Channels [j0, j1) of pixel p, taps in order, plain C. */
static void qdw_sums_scalar(const PlQdwArgs* g, int64_t p, int64_t j0,
                            int64_t j1, int32_t* sums) {
  for (int64_t j = j0; j < j1; ++j) sums[j - j0] = g->init[j];
  for (int64_t t = 0; t < g->taps; ++t) {
    const int16_t* wt = g->w + t * g->channels;
    const void* row = qdw_row(g, p, t);
    if (g->u8) {
      const uint8_t* x = row;
      for (int64_t j = j0; j < j1; ++j)
        sums[j - j0] =
            (int32_t)((uint32_t)sums[j - j0] + (uint32_t)(x[j] * wt[j]));
    } else {
      const int8_t* x = row;
      for (int64_t j = j0; j < j1; ++j)
        sums[j - j0] =
            (int32_t)((uint32_t)sums[j - j0] + (uint32_t)(x[j] * wt[j]));
    }
  }
}

/* Channels [j0, channels) of every pixel, plain C: sums, or (out) the
 * output stage by blocks of 16 channels. */
static void qdw_base(const PlQdwArgs* g, int64_t j0) {
  int32_t block[kDwBlock];
  for (int64_t p = 0; p < g->pixels; ++p) {
    if (!g->out) {
      qdw_sums_scalar(g, p, j0, g->channels, g->sums + p * g->channels + j0);
      continue;
    }
    for (int64_t j = j0; j < g->channels; j += kDwBlock) {
      const int64_t j1 = g->channels - j < kDwBlock ? g->channels : j + kDwBlock;
      qdw_sums_scalar(g, p, j, j1, block);
      const PlQdwOut* o = g->out;
      pl_q_requantize_row(block, NULL, o->multiplier + j, o->shift + j,
                          o->zero_point, o->lo, o->hi,
                          g->u8 ? kTfLiteUInt8 : kTfLiteInt8,
                          (char*)o->y + p * o->ldy + j, j1 - j);
    }
  }
}

#ifdef PL_QGEMM_X86
#include "capi/kernels/internal/quant_avx2.h"
#include "capi/kernels/internal/quant_avx512.h"

#define PL_QDW_TARGET_VNNI "avx2,avx512f,avx512vl,avx512bw,avx512vnni"
#define PL_QDW_TARGET_VBMI PL_QDW_TARGET_VNNI ",avx512vbmi"

/* 16 input values widened to int16, or (half) 8 and zeros. */
__attribute__((always_inline, target("avx2"))) static inline __m256i
qdw_load16(const void* row, int64_t j, const bool u8, const bool half) {
  const __m128i* at = (const __m128i*)((const char*)row + j);
  const __m128i v = half ? _mm_loadl_epi64(at) : _mm_loadu_si128(at);
  return u8 ? _mm256_cvtepu8_epi16(v) : _mm256_cvtepi8_epi16(v);
}

/* The channels of the low and high accumulators (see pl_qdw_pack): 0-3
 * with 8-11, 4-7 with 12-15, from 16 values in channel order. */
#define PL_QDW_LO(p) _mm256_permute2x128_si256(                           \
    _mm256_loadu_si256((const __m256i*)(p)),                             \
    _mm256_loadu_si256((const __m256i*)((p) + 8)), 0x20)
#define PL_QDW_HI(p) _mm256_permute2x128_si256(                           \
    _mm256_loadu_si256((const __m256i*)(p)),                             \
    _mm256_loadu_si256((const __m256i*)((p) + 8)), 0x31)

/* acc + the pairwise products of a and b with AVX-512 VNNI (vpdpwssd,
 * which wraps as the two AVX2 instructions do). As inline assembly: GCC
 * copies the accumulator around the intrinsic (its input and output are
 * not tied), two extra moves each. */
__attribute__((always_inline,
               target(PL_QDW_TARGET_VNNI))) static inline __m256i
qdw_dpwssd(__m256i acc, __m256i a, __m256i b) {
  __asm__("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
  return acc;
}

#define PL_QDW_MAC(vnni, acc, a, b)                                        \
  ((vnni) ? qdw_dpwssd((acc), (a), (b))                                  \
          : _mm256_add_epi32((acc), _mm256_madd_epi16((a), (b))))

/* The AVX2 output stage of one block: 8 channels per pl_q_mul8. */
typedef struct QdwOut8 {
  PlQMul8 p_lo, p_hi;
  __m256i zp, lo, hi;
} QdwOut8;

__attribute__((always_inline, target("avx2"))) static inline void
qdw_out8_setup(QdwOut8* o, const PlQdwOut* out, const int32_t* mult16,
               const int* shift16) {
  o->p_lo = pl_q_mul8_params(PL_QDW_LO(mult16), PL_QDW_LO(shift16));
  o->p_hi = pl_q_mul8_params(PL_QDW_HI(mult16), PL_QDW_HI(shift16));
  o->zp = _mm256_set1_epi32(out->zero_point);
  o->lo = _mm256_set1_epi16((int16_t)out->lo);
  o->hi = _mm256_set1_epi16((int16_t)out->hi);
}

/* The narrowing puts the channels back in order. Saturating to int16
 * before the clamp changes nothing (int8 / uint8 bounds). */
__attribute__((always_inline, target("avx2"))) static inline void
qdw_out8_store(const QdwOut8* o, __m256i s_lo, __m256i s_hi, void* y,
               const bool u8, const bool half) {
  const __m256i v0 = _mm256_add_epi32(pl_q_mul8(s_lo, &o->p_lo), o->zp);
  const __m256i v1 = _mm256_add_epi32(pl_q_mul8(s_hi, &o->p_hi), o->zp);
  const __m256i v16 = _mm256_min_epi16(
      _mm256_max_epi16(_mm256_packs_epi32(v0, v1), o->lo), o->hi);
  const __m128i a = _mm256_castsi256_si128(v16);
  const __m128i b = _mm256_extracti128_si256(v16, 1);
  const __m128i v8 = u8 ? _mm_packus_epi16(a, b) : _mm_packs_epi16(a, b);
  if (half)
    _mm_storel_epi64((__m128i*)y, v8);
  else
    _mm_storeu_si128((__m128i*)y, v8);
}

/* The AVX-512 output stage: the 16 sums in channel order in one vector,
 * pl_q_out16. */
typedef struct QdwOut16 {
  PlQMul16 p;
  __m512i zp;
  __m128i lo, hi; /* bytes */
} QdwOut16;


__attribute__((always_inline, target(PL_QDW_TARGET_VNNI))) static inline void
qdw_out16_setup(QdwOut16* o, const PlQdwOut* out, __m512i multiplier,
                __m512i shift) {
  o->p = pl_q_mul16_params(multiplier, shift);
  o->zp = _mm512_set1_epi32(out->zero_point);
  o->lo = _mm_set1_epi8((char)out->lo);
  o->hi = _mm_set1_epi8((char)out->hi);
}

/* The same from padded arrays (the int16 form's block). */
__attribute__((always_inline, target(PL_QDW_TARGET_VNNI))) static inline void
qdw_out16a_setup(QdwOut16* o, const PlQdwOut* out, const int32_t* mult16,
                 const int* shift16) {
  qdw_out16_setup(o, out, _mm512_loadu_si512(mult16),
                  _mm512_loadu_si512(shift16));
}

__attribute__((always_inline, target(PL_QDW_TARGET_VNNI))) static inline void
qdw_out16_store(const QdwOut16* o, __m256i s_lo, __m256i s_hi, void* y,
                const bool u8, const bool half) {
  /* s_lo holds channels 0-3 and 8-11, s_hi 4-7 and 12-15. */
  const __m512i s = _mm512_inserti64x4(_mm512_castsi256_si512(s_lo), s_hi, 1);
  const __m128i v8 = pl_q_out16(
      _mm512_shuffle_i32x4(s, s, _MM_SHUFFLE(3, 1, 2, 0)), &o->p, o->zp,
      o->lo, o->hi, u8);
  if (half)
    _mm_storel_epi64((__m128i*)y, v8);
  else
    _mm_storeu_si128((__m128i*)y, v8);
}

/* One block of 16 channels from j (half: 8, the rest of the block read as
 * zeros, its parameters padded) over every pixel; u8, out (g->out != NULL),
 * vnni and half are constants after inlining; OUT is the output stage's
 * type (QdwOut8 or QdwOut16), setup and store its functions. */
#define PL_QDW_BLOCK(vnni, OUT, setup, store)                                            \
  const int64_t pairs = (g->taps + 1) / 2;                                \
  const int64_t width = half ? 8 : kDwBlock;                              \
  int32_t init16[kDwBlock] = {0}, mult16[kDwBlock] = {0};                  \
  int shift16[kDwBlock] = {0};                                             \
  memcpy(init16, g->init + j, sizeof(int32_t) * (size_t)width);            \
  const __m256i init_lo = PL_QDW_LO(init16);                               \
  const __m256i init_hi = PL_QDW_HI(init16);                               \
  OUT o;                                                                   \
  if (out) {                                                               \
    memcpy(mult16, g->out->multiplier + j, sizeof(int32_t) * (size_t)width); \
    memcpy(shift16, g->out->shift + j, sizeof(int) * (size_t)width);       \
    setup(&o, g->out, mult16, shift16);                            \
  }                                                                        \
  for (int64_t p = 0; p < g->pixels; ++p) {                                \
    const int16_t* w = (const int16_t*)g->packed + j / kDwBlock * pairs * 2 * kDwBlock;    \
    __m256i s_lo = init_lo, s_hi = init_hi;                                \
    int64_t t = 0;                                                         \
    for (; t + 2 <= g->taps; t += 2, w += 2 * kDwBlock) {                  \
      const __m256i x0 = qdw_load16(qdw_row(g, p, t), j, u8, half);        \
      const __m256i x1 = qdw_load16(qdw_row(g, p, t + 1), j, u8, half);    \
      s_lo = PL_QDW_MAC(vnni, s_lo, _mm256_unpacklo_epi16(x0, x1),         \
                        _mm256_loadu_si256((const __m256i*)w));            \
      s_hi = PL_QDW_MAC(vnni, s_hi, _mm256_unpackhi_epi16(x0, x1),         \
                        _mm256_loadu_si256((const __m256i*)(w + kDwBlock))); \
    }                                                                      \
    if (t < g->taps) {                                                     \
      const __m256i x0 = qdw_load16(qdw_row(g, p, t), j, u8, half);        \
      const __m256i z = _mm256_setzero_si256();                            \
      s_lo = PL_QDW_MAC(vnni, s_lo, _mm256_unpacklo_epi16(x0, z),          \
                        _mm256_loadu_si256((const __m256i*)w));            \
      s_hi = PL_QDW_MAC(vnni, s_hi, _mm256_unpackhi_epi16(x0, z),          \
                        _mm256_loadu_si256((const __m256i*)(w + kDwBlock))); \
    }                                                                      \
    if (!out) {                                                            \
      int32_t* sums = g->sums + p * g->channels + j;                       \
      _mm256_storeu_si256((__m256i*)sums,                                  \
                          _mm256_permute2x128_si256(s_lo, s_hi, 0x20));    \
      if (!half)                                                           \
        _mm256_storeu_si256((__m256i*)(sums + 8),                          \
                            _mm256_permute2x128_si256(s_lo, s_hi, 0x31));  \
      continue;                                                            \
    }                                                                      \
    store(&o, s_lo, s_hi, (char*)g->out->y + p * g->out->ldy + j, u8,       \
          half);                                                 \
  }

__attribute__((always_inline, target("avx2"))) static inline void
qdw_avx2_block(const PlQdwArgs* g, int64_t j, const bool u8, const bool out,
               const bool half) {
  PL_QDW_BLOCK(false, QdwOut8, qdw_out8_setup, qdw_out8_store)
}

__attribute__((always_inline, target(PL_QDW_TARGET_VNNI))) static inline void
qdw_vnni_block(const PlQdwArgs* g, int64_t j, const bool u8, const bool out,
               const bool half) {
  PL_QDW_BLOCK(true, QdwOut16, qdw_out16a_setup, qdw_out16_store)
}

/* Every vector block, in the (input type, output stage) form of g. */
#define PL_QDW_FORM(block, u8, out)                                        \
  do {                                                                     \
    int64_t j = 0;                                                         \
    for (; j + kDwBlock <= g->channels; j += kDwBlock)                     \
      block(g, j, u8, out, false);                                         \
    if (j + 8 <= g->channels) block(g, j, u8, out, true);                  \
  } while (0)
#define PL_QDW_FORMS(name, block, target_)                                 \
  __attribute__((target(target_))) static void name(const PlQdwArgs* g) {  \
    if (g->u8 && g->out)                                                   \
      PL_QDW_FORM(block, true, true);                                      \
    else if (g->u8)                                                        \
      PL_QDW_FORM(block, true, false);                                     \
    else if (g->out)                                                       \
      PL_QDW_FORM(block, false, true);                                     \
    else                                                                   \
      PL_QDW_FORM(block, false, false);                                    \
  }
PL_QDW_FORMS(qdw_avx2, qdw_avx2_block, "avx2")
PL_QDW_FORMS(qdw_vnni, qdw_vnni_block, PL_QDW_TARGET_VNNI)
/* The byte form, every channel: per block of 16 (a last one masked) and
 * pixel, 4 taps' 16 bytes gathered into one vector, regrouped by a byte
 * permute so that lane c holds channel c of the 4 taps, flipped to x + 128
 * (unsigned) and summed by one vpdpbusd against the 4 taps' weights. The
 * sums start from init - 128 * sum_t w, which cancels the flip. A last
 * group of fewer than 4 taps leaves the rest of its vector 0 (their weights
 * are 0 too). */
__attribute__((always_inline, target(PL_QDW_TARGET_VBMI))) static inline __m512i
qdw_dpbusd(__m512i acc, __m512i u, __m512i s) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s));
  return acc;
}

/* 16 bytes at `at`, or those of mask (full false: a last partial block,
 * the rest read as 0 without touching memory). */
__attribute__((always_inline, target(PL_QDW_TARGET_VBMI))) static inline __m128i
qdw_bytes_load(uintptr_t at, const bool full, __mmask16 mask) {
  return full ? _mm_loadu_si128((const __m128i*)at)
              : _mm_maskz_loadu_epi8(mask, (const void*)at);
}

/* Taps [t, t + n) (n <= 4) of a pixel, its tap addresses at + off[],
 * channels j..j+15 (at includes j), as the flipped, regrouped vector. */
__attribute__((always_inline, target(PL_QDW_TARGET_VBMI))) static inline __m512i
qdw_bytes_group(uintptr_t at, const intptr_t* off, int64_t t, const int n,
                const bool full, __mmask16 mask, __m512i regroup,
                __m512i flip) {
  __m512i v = _mm512_zextsi128_si512(
      qdw_bytes_load(at + (uintptr_t)off[t], full, mask));
  if (n > 1)
    v = _mm512_inserti32x4(
        v, qdw_bytes_load(at + (uintptr_t)off[t + 1], full, mask), 1);
  if (n > 2)
    v = _mm512_inserti32x4(
        v, qdw_bytes_load(at + (uintptr_t)off[t + 2], full, mask), 2);
  if (n > 3)
    v = _mm512_inserti32x4(
        v, qdw_bytes_load(at + (uintptr_t)off[t + 3], full, mask), 3);
  return _mm512_xor_si512(_mm512_permutexvar_epi8(regroup, v), flip);
}

/* One block of 16 channels from j (mask: those that exist) over every
 * pixel; out and rem (taps % 4) are constants after inlining. */
__attribute__((always_inline, target(PL_QDW_TARGET_VBMI))) static inline void
qdw_bytes_block_run(const PlQdwArgs* g, int64_t j, __mmask16 mask,
                    const bool out, const int rem, const bool full) {
  const int64_t groups = g->taps / 4;
  const int64_t wide = g->channels / kDwWide * kDwWide;
  const char* pk = (const char*)g->packed +
                   qdw_bytes_narrow_at(g->taps, wide) +
                   (j - wide) / kDwBlock * qdw_bytes_block(g->taps);
  const int8_t* w = (const int8_t*)(pk + 16 * sizeof(int32_t));
  const __m512i init = _mm512_sub_epi32(
      _mm512_maskz_loadu_epi32(mask, g->init + j),
      _mm512_slli_epi32(_mm512_loadu_si512(pk), 7));
  __m512i regroup_idx;
  {
    int8_t idx[64];
    for (int c = 0; c < 16; ++c)
      for (int k = 0; k < 4; ++k) idx[4 * c + k] = (int8_t)(16 * k + c);
    regroup_idx = _mm512_loadu_si512(idx);
  }
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  QdwOut16 o;
  if (out)
    qdw_out16_setup(&o, g->out,
                    _mm512_maskz_loadu_epi32(mask, g->out->multiplier + j),
                    _mm512_maskz_loadu_epi32(mask, g->out->shift + j));
  for (int64_t p = 0; p < g->pixels; ++p) {
    const bool inner = p >= g->inner_begin && p < g->inner_end;
    const uintptr_t at =
        (inner ? g->base + (uintptr_t)(p * g->step) : 0) + (uintptr_t)j;
    const intptr_t* off = inner ? g->pattern : g->table + p * g->taps;
    __m512i acc = init;
    int64_t q = 0;
    for (; q < groups; ++q)
      acc = qdw_dpbusd(acc,
                       qdw_bytes_group(at, off, 4 * q, 4, full, mask, regroup_idx,
                                       flip),
                       _mm512_loadu_si512(w + q * 4 * kDwBlock));
    if (rem)
      acc = qdw_dpbusd(acc,
                       qdw_bytes_group(at, off, 4 * q, rem, full, mask,
                                       regroup_idx, flip),
                       _mm512_loadu_si512(w + q * 4 * kDwBlock));
    if (!out) {
      _mm512_mask_storeu_epi32(g->sums + p * g->channels + j, mask, acc);
      continue;
    }
    _mm_mask_storeu_epi8((char*)g->out->y + p * g->out->ldy + j, mask,
                         pl_q_out16(acc, &o.p, o.zp, o.lo, o.hi, false));
  }
}

#define PL_QDW_BYTES_REM(out, full)                                        \
  switch (g->taps % 4) {                                                   \
    case 0: qdw_bytes_block_run(g, j, mask, out, 0, full); break;          \
    case 1: qdw_bytes_block_run(g, j, mask, out, 1, full); break;          \
    case 2: qdw_bytes_block_run(g, j, mask, out, 2, full); break;          \
    default: qdw_bytes_block_run(g, j, mask, out, 3, full); break;         \
  }

/* 4 vectors of 16 int32 as 16 blocks of 4: vector i of the result holds
 * block i of each input (a 4 x 4 transpose of 128-bit lanes, its own
 * inverse): channel order <-> a wide block's sums order. */
__attribute__((always_inline, target(PL_QDW_TARGET_VBMI))) static inline void
qdw_transpose4(__m512i v[4]) {
  const __m512i t0 = _mm512_shuffle_i32x4(v[0], v[1], _MM_SHUFFLE(1, 0, 1, 0));
  const __m512i t1 = _mm512_shuffle_i32x4(v[0], v[1], _MM_SHUFFLE(3, 2, 3, 2));
  const __m512i t2 = _mm512_shuffle_i32x4(v[2], v[3], _MM_SHUFFLE(1, 0, 1, 0));
  const __m512i t3 = _mm512_shuffle_i32x4(v[2], v[3], _MM_SHUFFLE(3, 2, 3, 2));
  v[0] = _mm512_shuffle_i32x4(t0, t2, _MM_SHUFFLE(2, 0, 2, 0));
  v[1] = _mm512_shuffle_i32x4(t0, t2, _MM_SHUFFLE(3, 1, 3, 1));
  v[2] = _mm512_shuffle_i32x4(t1, t3, _MM_SHUFFLE(2, 0, 2, 0));
  v[3] = _mm512_shuffle_i32x4(t1, t3, _MM_SHUFFLE(3, 1, 3, 1));
}

/* 64 int32 at p, in a wide block's sums order. */
__attribute__((always_inline, target(PL_QDW_TARGET_VBMI))) static inline void
qdw_load_wide(const int32_t* p, __m512i v[4]) {
  for (int i = 0; i < 4; ++i) v[i] = _mm512_loadu_si512(p + 16 * i);
  qdw_transpose4(v);
}

/* One block of 64 channels from j over every pixel: per group of 4 taps,
 * their 64 bytes each interleaved by two rounds of unpacks (bytes, then
 * pairs), which leaves in vector i, lane L, the 4 taps of channel 16 L +
 * 4 i + k as element 4 L + k: one vpdpbusd per vector. The output stage's
 * packs put the channels back in order. out and rem (taps % 4) are
 * constants after inlining. */
__attribute__((always_inline, target(PL_QDW_TARGET_VBMI))) static inline void
qdw_wide_block_run(const PlQdwArgs* g, int64_t j, const bool out,
                   const int rem) {
  const int64_t groups = g->taps / 4;
  const char* pk = (const char*)g->packed + j / kDwWide * qdw_bytes_wide(g->taps);
  const int8_t* w = (const int8_t*)(pk + kDwWide * sizeof(int32_t));
  __m512i init[4], mult[4], shift[4];
  qdw_load_wide(g->init + j, init);
  for (int i = 0; i < 4; ++i)
    init[i] = _mm512_sub_epi32(
        init[i],
        _mm512_slli_epi32(_mm512_loadu_si512(pk + 64 * i), 7));
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  PlQMul16 p[4];
  __m512i zp = flip, lo = flip, hi = flip;
  if (out) {
    qdw_load_wide(g->out->multiplier + j, mult);
    qdw_load_wide(g->out->shift + j, shift);
    for (int i = 0; i < 4; ++i) p[i] = pl_q_mul16_params(mult[i], shift[i]);
    zp = _mm512_set1_epi32(g->out->zero_point);
    lo = _mm512_set1_epi8((char)g->out->lo);
    hi = _mm512_set1_epi8((char)g->out->hi);
  }
  for (int64_t px = 0; px < g->pixels; ++px) {
    const bool inner = px >= g->inner_begin && px < g->inner_end;
    const uintptr_t at =
        (inner ? g->base + (uintptr_t)(px * g->step) : 0) + (uintptr_t)j;
    const intptr_t* off = inner ? g->pattern : g->table + px * g->taps;
    __m512i acc[4] = {init[0], init[1], init[2], init[3]};
    for (int64_t q = 0; q <= groups; ++q) {
      const int n = q < groups ? 4 : rem;
      if (n == 0) break;
      __m512i x[4];
      for (int t = 0; t < 4; ++t)
        x[t] = t < n ? _mm512_xor_si512(
                           _mm512_loadu_si512(
                               (const void*)(at + (uintptr_t)off[4 * q + t])),
                           flip)
                     : _mm512_setzero_si512();
      const __m512i ab_lo = _mm512_unpacklo_epi8(x[0], x[1]);
      const __m512i ab_hi = _mm512_unpackhi_epi8(x[0], x[1]);
      const __m512i cd_lo = _mm512_unpacklo_epi8(x[2], x[3]);
      const __m512i cd_hi = _mm512_unpackhi_epi8(x[2], x[3]);
      const int8_t* wq = w + q * 4 * kDwWide;
      acc[0] = qdw_dpbusd(acc[0], _mm512_unpacklo_epi16(ab_lo, cd_lo),
                         _mm512_loadu_si512(wq));
      acc[1] = qdw_dpbusd(acc[1], _mm512_unpackhi_epi16(ab_lo, cd_lo),
                         _mm512_loadu_si512(wq + 64));
      acc[2] = qdw_dpbusd(acc[2], _mm512_unpacklo_epi16(ab_hi, cd_hi),
                         _mm512_loadu_si512(wq + 128));
      acc[3] = qdw_dpbusd(acc[3], _mm512_unpackhi_epi16(ab_hi, cd_hi),
                         _mm512_loadu_si512(wq + 192));
    }
    if (!out) {
      qdw_transpose4(acc);
      for (int i = 0; i < 4; ++i)
        _mm512_storeu_si512(g->sums + px * g->channels + j + 16 * i, acc[i]);
      continue;
    }
    __m512i v[4];
    for (int i = 0; i < 4; ++i)
      v[i] = _mm512_add_epi32(pl_q_mul16(acc[i], &p[i]), zp);
    /* Saturating packs (int8 in the end, the clamp's bounds inside):
     * lane L gets channels 16 L .. 16 L + 15 in order. */
    const __m512i b = _mm512_packs_epi16(_mm512_packs_epi32(v[0], v[1]),
                                         _mm512_packs_epi32(v[2], v[3]));
    _mm512_storeu_si512((char*)g->out->y + px * g->out->ldy + j,
                        _mm512_min_epi8(_mm512_max_epi8(b, lo), hi));
  }
}

#define PL_QDW_WIDE_REM(out)                                               \
  switch (g->taps % 4) {                                                   \
    case 0: qdw_wide_block_run(g, j, out, 0); break;                       \
    case 1: qdw_wide_block_run(g, j, out, 1); break;                       \
    case 2: qdw_wide_block_run(g, j, out, 2); break;                       \
    default: qdw_wide_block_run(g, j, out, 3); break;                      \
  }

__attribute__((target(PL_QDW_TARGET_VBMI))) static void qdw_bytes(
    const PlQdwArgs* g) {
  const int64_t wide = g->channels / kDwWide * kDwWide;
  for (int64_t j = 0; j < wide; j += kDwWide) {
    if (g->out)
      PL_QDW_WIDE_REM(true)
    else
      PL_QDW_WIDE_REM(false)
  }
  for (int64_t j = wide; j < g->channels; j += kDwBlock) {
    const int64_t width = g->channels - j < kDwBlock ? g->channels - j : kDwBlock;
    const __mmask16 mask = (__mmask16)((1u << width) - 1);
    if (g->out && width == kDwBlock)
      PL_QDW_BYTES_REM(true, true)
    else if (g->out)
      PL_QDW_BYTES_REM(true, false)
    else
      PL_QDW_BYTES_REM(false, false)
  }
}
#endif

void pl_qdw(const PlQdwArgs* g) {
  int64_t j0 = 0;
  if (g->bytes) {
#ifdef PL_QGEMM_X86
    if (qdw_bytes_form(g->u8)) {
      qdw_bytes(g);
      return;
    }
#endif
    qdw_base(g, 0);
    return;
  }
#ifdef PL_QGEMM_X86
  if (pl_simd_avx2()) {
    if (pl_qdot_available())
      qdw_vnni(g);
    else
      qdw_avx2(g);
    j0 = qdw_vector_channels(g->channels);
  }
#endif
  if (j0 < g->channels) qdw_base(g, j0);
}

/* ---- The uint8 x int8 GEMM (AVX-512 VNNI) ---------------------------------- */

enum { kDotCols = 16, kDotRows = 4 };

int64_t pl_qdot_packed_size(int64_t n, int64_t k) {
  return (n + kDotCols - 1) / kDotCols * kDotCols * pl_qdot_depth(k);
}

/* packed[((blk * quads + q) * 16 + c) * 4 + r] = w[(16 blk + c) * k + 4 q + r],
 * 0 past the last column or the last k. */
void pl_qdot_pack(const int8_t* w, int64_t n, int64_t k, int8_t* packed,
                  int32_t* wsum) {
  /* Row by row: each row is read once, in order, and its sum taken on the
   * way; the writes of 16 consecutive rows fill the same cache lines. */
  const int64_t quads = pl_qdot_depth(k) / 4;
  const int64_t blocks = (n + kDotCols - 1) / kDotCols;
  const int64_t step = 4 * kDotCols; /* bytes from one quad to the next */
  for (int64_t j = 0; j < blocks * kDotCols; ++j) {
    int8_t* dst = packed + (j / kDotCols) * quads * step + (j % kDotCols) * 4;
    if (j >= n) {
      for (int64_t q = 0; q < quads; ++q) memset(dst + q * step, 0, 4);
      continue;
    }
    const int8_t* row = w + j * k;
    uint32_t s = 0;
    int64_t d = 0;
    for (; d + 4 <= k; d += 4, dst += step) {
      memcpy(dst, row + d, 4);
      s += (uint32_t)row[d] + (uint32_t)row[d + 1] + (uint32_t)row[d + 2] +
           (uint32_t)row[d + 3];
    }
    if (d < k) {
      for (int r = 0; r < 4; ++r, ++d) {
        dst[r] = d < k ? row[d] : 0;
        if (d < k) s += (uint32_t)row[d];
      }
    }
    wsum[j] = (int32_t)s;
  }
}

/* Where a row's values are (see pl_qdot_seg): segs segments of seg_k
 * values, seg_step bytes apart, each padded to pl_qdot_depth(seg_k) in the
 * packed weights. */
typedef struct QdotA {
  const uint8_t* a;
  int64_t lda, segs, seg_step, seg_k;
} QdotA;

/* Row i's sums of columns [j, j + count) (count <= 16) as pl_qdot_pack
 * stores them, plain C. */
static void qdot_sums_base(const QdotA* A, const uint8_t* ai,
                           const int8_t* w, const int32_t* init,
                           int64_t count, int32_t* sums) {
  const int64_t seg_depth = pl_qdot_depth(A->seg_k);
  for (int64_t c = 0; c < count; ++c) {
    uint32_t s = (uint32_t)init[c];
    for (int64_t g = 0; g < A->segs; ++g)
      for (int64_t d = 0; d < A->seg_k; ++d) {
        const int64_t e = g * seg_depth + d; /* the packed row's index */
        s += (uint32_t)(ai[g * A->seg_step + d] *
                        w[(e / 4) * kDotCols * 4 + c * 4 + e % 4]);
      }
    sums[c] = (int32_t)s;
  }
}

static void qdot_base(const QdotA* A, const int8_t* packed,
                      const int32_t* init, int64_t m, int64_t n,
                      const PlQdotOut* out) {
  const int64_t quads = A->segs * pl_qdot_depth(A->seg_k) / 4;
  int32_t sums[kDotCols];
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; j += kDotCols) {
      const int64_t count = n - j < kDotCols ? n - j : kDotCols;
      qdot_sums_base(A, A->a + i * A->lda,
                     packed + (j / kDotCols) * quads * kDotCols * 4, init + j,
                     count, sums);
      if (out->sums)
        memcpy(out->sums + i * out->ldy + j, sums,
               sizeof(int32_t) * (size_t)count);
      else
        pl_q_requantize_row(sums, NULL, out->multiplier + j, out->shift + j,
                            out->zero_point, out->lo, out->hi, kTfLiteInt8,
                            out->y + i * out->ldy + j, count);
    }
}

#ifdef PL_QGEMM_X86

#define PL_QDOT_TARGET \
  __attribute__((target("avx2,avx512f,avx512vl,avx512bw,avx512vnni")))

bool pl_qdot_available(void) { return pl_simd_vnni(); }

/* acc + the dot products of 4 uint8 of u with 4 int8 of s per lane
 * (vpdpbusd). As inline assembly: GCC copies the accumulator around the
 * intrinsic (its input and output are not tied), two extra moves each. */
__attribute__((always_inline)) PL_QDOT_TARGET static inline __m512i
qdot_dpbusd(__m512i acc, __m512i u, __m512i s) {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s));
  return acc;
}

/* One block of 16 columns: their starting sums and output stage. */
typedef struct QdotCols {
  PlQMul16 p;
  __m512i init, zp;
  __m128i lo, hi; /* bytes */
  __mmask16 mask; /* the block's columns (fewer than 16 in a last one) */
} QdotCols;

/* Rows [0, rows) (rows <= 4) of a times nb (1 or 2) blocks of 16
 * columns (their weights `quads` * 64 bytes apart), 4 values of k per
 * dot-product instruction and lane, then (fused) the output stage on the
 * sums still in registers: 16 int8 per row and block at y, or the sums at
 * sums; rows, nb and fused are constants after inlining. Two blocks keep 8
 * sums in flight, enough to hide the instruction's latency. */
__attribute__((always_inline)) PL_QDOT_TARGET static inline void qdot_tile(
    const QdotA* A, const uint8_t* a, const int8_t* w, const int rows,
    const int nb, const bool fused, const QdotCols* cols, int8_t* y,
    int32_t* sums, int64_t ldy) {
  __m512i s[kDotRows][2];
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < nb; ++c) s[r][c] = cols[c].init;
  const int64_t seg_quads = pl_qdot_depth(A->seg_k) / 4;
  const int64_t next = A->segs * seg_quads * 4 * kDotCols;
  const int64_t lda = A->lda;
  for (int64_t g = 0; g < A->segs; ++g, a += A->seg_step)
    for (int64_t q = 0; q < seg_quads; ++q, w += 4 * kDotCols) {
      __m512i wq[2];
      for (int c = 0; c < nb; ++c) wq[c] = _mm512_loadu_si512(w + c * next);
      for (int r = 0; r < rows; ++r) {
        int32_t v;
        memcpy(&v, a + r * lda + 4 * q, sizeof(v));
        const __m512i x = _mm512_set1_epi32(v);
        for (int c = 0; c < nb; ++c) s[r][c] = qdot_dpbusd(s[r][c], x, wq[c]);
      }
    }
  if (fused && rows == kDotRows) {
    for (int c = 0; c < nb; ++c) {
      const QdotCols* cc = &cols[c];
      const __m512i x[kDotRows] = {s[0][c], s[1][c], s[2][c], s[3][c]};
      __m128i b[kDotRows];
      pl_q_out16x4(x, &cc->p, cc->zp, cc->lo, cc->hi, b);
      for (int r = 0; r < kDotRows; ++r)
        _mm_mask_storeu_epi8(y + r * ldy + c * kDotCols, cc->mask, b[r]);
    }
    return;
  }
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < nb; ++c) {
      const QdotCols* cc = &cols[c];
      if (fused)
        _mm_mask_storeu_epi8(y + r * ldy + c * kDotCols, cc->mask,
                             pl_q_out16(s[r][c], &cc->p, cc->zp, cc->lo,
                                        cc->hi, false));
      else
        _mm512_mask_storeu_epi32(sums + r * ldy + c * kDotCols, cc->mask,
                                 s[r][c]);
    }
}

/* The 8 int32 of v's low half in both halves. */
PL_QDOT_TARGET static inline __m512i qdot_dup8(__m512i v) {
  return _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(1, 0, 1, 0));
}

/* Block blk's starting sums, columns and (fused) output stage; with pair
 * (a block of at most 8 columns) its columns in both halves of the vectors,
 * for two rows at once (qdot_tile_pairs). */
PL_QDOT_TARGET static inline void qdot_cols(const int32_t* init, int64_t n,
                                            int64_t blk, const PlQdotOut* out,
                                            const bool pair, QdotCols* cols) {
  const int64_t j = blk * kDotCols, count = n - j;
  const int64_t width = count < kDotCols ? count : kDotCols;
  cols->mask = (__mmask16)((1u << width) - 1);
  cols->init = _mm512_maskz_loadu_epi32(cols->mask, init + j);
  if (pair) cols->init = qdot_dup8(cols->init);
  if (out->sums) return;
  __m512i m = _mm512_maskz_loadu_epi32(cols->mask, out->multiplier + j);
  __m512i s = _mm512_maskz_loadu_epi32(cols->mask, out->shift + j);
  if (pair) {
    m = qdot_dup8(m);
    s = qdot_dup8(s);
  }
  cols->p = pl_q_mul16_params(m, s);
  cols->zp = _mm512_set1_epi32(out->zero_point);
  cols->lo = _mm_set1_epi8((char)out->lo);
  cols->hi = _mm_set1_epi8((char)out->hi);
}

/* Rows [0, 2 pairs) of a times one block of at most 8 columns (cols from
 * qdot_cols with pair): each vector holds the 8 columns of two rows, the
 * first row's in its low half, so narrow layers (8 output channels) fill
 * every lane of the dot products and of the output stage. The sums are
 * those of qdot_tile, the same integers. */
__attribute__((always_inline)) PL_QDOT_TARGET static inline void
qdot_tile_pairs(const QdotA* A, const uint8_t* a, const int8_t* w,
                const int pairs, const bool fused, const QdotCols* cols,
                int8_t* y, int32_t* sums, int64_t ldy) {
  __m512i s[kDotRows];
  for (int r = 0; r < pairs; ++r) s[r] = cols->init;
  const int64_t seg_quads = pl_qdot_depth(A->seg_k) / 4;
  const int64_t lda = A->lda;
  for (int64_t g = 0; g < A->segs; ++g, a += A->seg_step)
    for (int64_t q = 0; q < seg_quads; ++q, w += 4 * kDotCols) {
      /* Columns 0-7 are the block's first 32 bytes. */
      const __m512i wq =
          _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i*)w));
      for (int r = 0; r < pairs; ++r) {
        int32_t v0, v1;
        memcpy(&v0, a + 2 * r * lda + 4 * q, sizeof(v0));
        memcpy(&v1, a + (2 * r + 1) * lda + 4 * q, sizeof(v1));
        const __m512i x =
            _mm512_mask_set1_epi32(_mm512_set1_epi32(v0), 0xFF00, v1);
        s[r] = qdot_dpbusd(s[r], x, wq);
      }
    }
  const __mmask16 mask = cols->mask;
  for (int r = 0; r < pairs; ++r) {
    const int64_t at = 2 * r * ldy;
    if (fused) {
      const __m128i b =
          pl_q_out16(s[r], &cols->p, cols->zp, cols->lo, cols->hi, false);
      _mm_mask_storeu_epi8(y + at, mask, b);
      _mm_mask_storeu_epi8(y + at + ldy, mask, _mm_unpackhi_epi64(b, b));
    } else {
      _mm512_mask_storeu_epi32(sums + at, mask, s[r]);
      _mm512_mask_storeu_epi32(
          sums + at + ldy, mask,
          _mm512_shuffle_i64x2(s[r], s[r], _MM_SHUFFLE(3, 2, 3, 2)));
    }
  }
}

/* Every row of a against one block of at most 8 columns, two rows per
 * vector (a last odd row alone, as qdot_rows). */
__attribute__((always_inline)) PL_QDOT_TARGET static inline void
qdot_rows_pairs(const QdotA* A, const int8_t* w, int64_t m, const bool fused,
                const QdotCols* pair, const QdotCols* single, int8_t* y,
                int32_t* sums, int64_t ld) {
  int64_t i = 0;
  for (; i + 2 * kDotRows <= m; i += 2 * kDotRows)
    qdot_tile_pairs(A, A->a + i * A->lda, w, kDotRows, fused, pair,
                    fused ? y + i * ld : NULL, fused ? NULL : sums + i * ld,
                    ld);
  for (; i + 2 <= m; i += 2)
    qdot_tile_pairs(A, A->a + i * A->lda, w, 1, fused, pair,
                    fused ? y + i * ld : NULL, fused ? NULL : sums + i * ld,
                    ld);
  if (i < m)
    qdot_tile(A, A->a + i * A->lda, w, 1, 1, fused, single,
              fused ? y + i * ld : NULL, fused ? NULL : sums + i * ld, ld);
}

/* Every row of a against nb blocks from blk. */
__attribute__((always_inline)) PL_QDOT_TARGET static inline void qdot_rows(
    const QdotA* A, const int8_t* w, int64_t m, const int nb,
    const bool fused, const QdotCols* cols, int8_t* y, int32_t* sums,
    int64_t ld) {
  int64_t i = 0;
  for (; i + kDotRows <= m; i += kDotRows)
    qdot_tile(A, A->a + i * A->lda, w, kDotRows, nb, fused, cols,
              fused ? y + i * ld : NULL, fused ? NULL : sums + i * ld, ld);
  for (; i < m; ++i)
    qdot_tile(A, A->a + i * A->lda, w, 1, nb, fused, cols,
              fused ? y + i * ld : NULL, fused ? NULL : sums + i * ld, ld);
}

PL_QDOT_TARGET static void qdot_vnni(const QdotA* A, const int8_t* packed,
                                     const int32_t* init, int64_t m,
                                     int64_t n, const PlQdotOut* out) {
  const int64_t quads = A->segs * pl_qdot_depth(A->seg_k) / 4;
  const int64_t blocks = (n + kDotCols - 1) / kDotCols;
  const bool fused = out->sums == NULL;
  if (n <= kDotCols / 2 && m >= 2) {
    QdotCols pair = {0}, single = {0}; /* the output stage only if fused */
    qdot_cols(init, n, 0, out, true, &pair);
    qdot_cols(init, n, 0, out, false, &single);
    if (fused)
      qdot_rows_pairs(A, packed, m, true, &pair, &single, out->y, NULL,
                      out->ldy);
    else
      qdot_rows_pairs(A, packed, m, false, &pair, &single, NULL, out->sums,
                      out->ldy);
    return;
  }
  for (int64_t blk = 0; blk < blocks; blk += 2) {
    const int nb = blk + 1 < blocks ? 2 : 1;
    QdotCols cols[2];
    for (int c = 0; c < nb; ++c)
      qdot_cols(init, n, blk + c, out, false, &cols[c]);
    const int8_t* w = packed + blk * quads * kDotCols * 4;
    const int64_t j = blk * kDotCols;
    int8_t* y = fused ? out->y + j : NULL;
    int32_t* sums = fused ? NULL : out->sums + j;
    if (nb == 2 && fused)
      qdot_rows(A, w, m, 2, true, cols, y, sums, out->ldy);
    else if (nb == 2)
      qdot_rows(A, w, m, 2, false, cols, y, sums, out->ldy);
    else if (fused)
      qdot_rows(A, w, m, 1, true, cols, y, sums, out->ldy);
    else
      qdot_rows(A, w, m, 1, false, cols, y, sums, out->ldy);
  }
}
#else
bool pl_qdot_available(void) { return false; }
#endif

void pl_qdot_seg(const uint8_t* a, int64_t lda, int64_t segs,
                 int64_t seg_step, int64_t seg_k, const int8_t* packed,
                 const int32_t* init, int64_t m, int64_t n,
                 const PlQdotOut* out) {
  const QdotA A = {a, lda, segs, seg_step, seg_k};
#ifdef PL_QGEMM_X86
  if (pl_qdot_available()) {
    qdot_vnni(&A, packed, init, m, n, out);
    return;
  }
#endif
  qdot_base(&A, packed, init, m, n, out);
}

void pl_qdot(const uint8_t* a, int64_t lda, const int8_t* packed,
             const int32_t* init, int64_t m, int64_t n, int64_t k,
             const PlQdotOut* out) {
  pl_qdot_seg(a, lda, 1, 0, k, packed, init, m, n, out);
}
