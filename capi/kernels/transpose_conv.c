/* pylite: TRANSPOSE_CONV, the gradient of CONV_2D with respect to its input
 * (NHWC float32).
 *
 * As TFLite's builtin TRANSPOSE_CONV for float32: input 0 is the output
 * shape (int32 [4]: N, OH, OW, OC), input 1 the weights [OC, FH, FW, IC],
 * input 2 the data [N, H, W, IC], optional input 3 a bias of OC elements.
 * Padding is that of a forward convolution from [OH, OW] with the same
 * filter and strides (tflite/kernels/padding.h, dilation 1). Each input
 * element scatters x * w into the output window at (in * stride - pad +
 * f); every output is a float sum from 0 in (iy, ix, ic) order, as the
 * reference kernel, then plus the bias and clamped by the fused activation
 * (TransposeConvOptions version 4; NONE clamps to the finite range).
 *
 * The output is sized in prepare when the output-shape tensor is constant,
 * otherwise at run time (dynamic output). Differences, on the safe side:
 * strides must be >= 1, the output shape must be non-negative and agree
 * with the data's batch and the weights' output channels; TANH / SIGN_BIT
 * activations are rejected.
 *
 * Quantized and hybrid forms (arithmetic in internal/quant_conv.h),
 * bit-exact with LiteRT's reference kernels for integer outputs: int8 with
 * per-channel (or per-tensor) int8 weights and int32 bias; uint8 with
 * per-tensor uint8 weights; 16x8 (int16 data, int8 weights, int64 bias and
 * 64-bit sums, or int32 bias and sums when quantized_bias_type is INT32);
 * hybrid (float32 data and output, int8 weights, each batch quantized
 * asymmetrically on the fly, float terms scattered in the reference's
 * order). Integer forms scatter into one integer sum per output element,
 * then rescale each. Hybrid weights must have zero points of 0. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/gemm.h" /* pl_simd_avx2 */
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/nn_conv.h"
#include "capi/kernels/internal/quant_conv.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_TCONV_X86 1
#include <immintrin.h>
#endif

enum { kOutputShape = 0, kWeights = 1, kInput = 2, kBias = 3, kOutput = 0 };

/* Schema BuiltinOptions union type and TransposeConvOptions field ids. */
enum { kTransposeConvOptionsType = 49 };
enum {
  kFieldPadding = 0,
  kFieldStrideW = 1,
  kFieldStrideH = 2,
  kFieldActivation = 3,
  kFieldQuantizedBiasType = 4,
};

typedef struct TconvData {
  int padding, stride_w, stride_h, activation, quantized_bias_type;
  float* scratch; /* weights as [FH][FW][IC][OC] */
  size_t scratch_floats;
  bool scratch_ready; /* transposed in prepare (constant weights) */
  const void* scratch_src; /* the weights data scratch_ready refers to */
  PlQconv q;       /* the quantized / hybrid forms (q.kind FLOAT: float32) */
  int16_t* qwt;    /* the int16 weights as [FH][FW][IC][OC] */
  size_t qwt_count;
  void* qsums;     /* one int32 / int64 sum per output element */
  size_t qsums_bytes;
} TconvData;

static TfLiteStatus tconv_init(PlSubgraph* sg, PlNode* node) {
  TconvData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kTransposeConvOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->padding = pl_fb_i8(o, kFieldPadding, PL_PAD_SAME);
    d->stride_w = pl_fb_i32(o, kFieldStrideW, 0);
    d->stride_h = pl_fb_i32(o, kFieldStrideH, 0);
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
    d->quantized_bias_type = pl_fb_i8(o, kFieldQuantizedBiasType, 0);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void tconv_free(PlNode* node) {
  TconvData* d = node->user_data;
  if (d) {
    free(d->scratch);
    pl_qconv_free(&d->q);
    free(d->qwt);
    free(d->qsums);
  }
  free(d);
  node->user_data = NULL;
}

/* Checks the output-shape tensor's values against the other operands and
 * resizes the output. */
static TfLiteStatus tconv_resize(PlSubgraph* sg, const TfLiteTensor* shape,
                                 const TfLiteTensor* weights,
                                 const TfLiteTensor* input,
                                 TfLiteTensor* output) {
  const int32_t* s = shape->data.i32;
  PL_ENSURE(sg, s != NULL);
  for (int i = 0; i < 4; ++i) {
    if (s[i] < 0) {
      pl_report(sg, "TRANSPOSE_CONV output shape [%d,%d,%d,%d] has a "
                "negative dim.", s[0], s[1], s[2], s[3]);
      return kTfLiteError;
    }
  }
  if (s[0] != input->dims->data[0] || s[3] != weights->dims->data[0]) {
    char in_s[160], w_s[160];
    pl_shape_string(input->dims, in_s, sizeof(in_s));
    pl_shape_string(weights->dims, w_s, sizeof(w_s));
    pl_report(sg,
              "TRANSPOSE_CONV output shape [%d,%d,%d,%d] must have the "
              "input's batch and the weights' output channels: input %s, "
              "weights %s.",
              s[0], s[1], s[2], s[3], in_s, w_s);
    return kTfLiteError;
  }
  const int dims[4] = {s[0], s[1], s[2], s[3]};
  return pl_resize(sg, output, 4, dims);
}

/* Prepare of the quantized and hybrid forms: the int16 weights (and their
 * transposition), and for hybrid the quantized input. The sums are sized
 * with the output (at eval when its shape is only known then). */
static TfLiteStatus tconv_prepare_quantized(PlSubgraph* sg, TconvData* d,
                                            const TfLiteTensor* input,
                                            const TfLiteTensor* weights) {
  PL_ENSURE_OK(pl_qconv_reserve_weights(sg, &d->q, weights));
  const size_t count = (size_t)pl_num_elements(weights);
  size_t have = d->qwt_count * sizeof(int16_t);
  /* The buffers are stored back even on failure (freed or replaced). */
  void* p = d->qwt;
  TfLiteStatus st = pl_reserve(sg, &p, &have, count * sizeof(int16_t));
  d->qwt = p;
  d->qwt_count = have / sizeof(int16_t);
  PL_ENSURE_OK(st);
  return pl_qconv_reserve_hybrid(sg, &d->q, input);
}

/* [OC][FH][FW][IC] -> [FH][FW][IC][OC]: the float inner loop runs over
 * contiguous output channels. */
static void tconv_transpose_weights(float* wt, const TfLiteTensor* weights) {
  const int* w = weights->dims->data;
  const int oc = w[0], taps = w[1] * w[2], ic = w[3];
  const float* src = weights->data.f;
  for (int o = 0; o < oc; ++o)
    for (int t = 0; t < taps; ++t)
      for (int c = 0; c < ic; ++c)
        wt[((int64_t)t * ic + c) * oc + o] =
            src[((int64_t)o * taps + t) * ic + c];
}

static TfLiteStatus tconv_prepare(PlSubgraph* sg, PlNode* node) {
  TconvData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  const int num_inputs = pl_num_inputs(node);
  if ((num_inputs != 3 && num_inputs != 4) || pl_num_outputs(node) != 1) {
    pl_report(sg,
              "TRANSPOSE_CONV takes 3 or 4 inputs and 1 output, got %d and "
              "%d.",
              num_inputs, pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* shape = pl_input(sg, node, kOutputShape);
  const TfLiteTensor* weights = pl_input(sg, node, kWeights);
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* bias =
      num_inputs == 4 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, shape != NULL);
  PL_ENSURE(sg, weights != NULL);
  PL_ENSURE(sg, input != NULL);
  PL_ENSURE(sg, output != NULL);
  const char* op = "TRANSPOSE_CONV";
  d->q.kind = pl_qconv_kind(input, weights);
  if (d->q.kind == PL_QCONV_FLOAT) {
    PL_ENSURE_OK(pl_nn_conv_check_tensors(sg, op, input, weights, "weights",
                                          bias, output, d->activation, 4));
  } else {
    PL_ENSURE_OK(pl_nn_require_rank(sg, op, "input", input, 4));
    PL_ENSURE_OK(pl_nn_require_rank(sg, op, "weights", weights, 4));
    PL_ENSURE_OK(pl_qconv_prepare(sg, op, PL_QCONV_OP_TRANSPOSE, input,
                                  weights, bias, output, d->activation,
                                  d->quantized_bias_type, &d->q));
  }
  if (shape->type != kTfLiteInt32 || shape->dims->size != 1 ||
      shape->dims->data[0] != 4) {
    char s_s[160];
    pl_shape_string(shape->dims, s_s, sizeof(s_s));
    pl_report(sg,
              "TRANSPOSE_CONV output shape must be an int32 tensor of 4 "
              "elements, got %s %s.",
              TfLiteTypeGetName(shape->type), s_s);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_nn_check_padding(sg, op, d->padding));
  if (d->stride_w < 1 || d->stride_h < 1) {
    pl_report(sg, "TRANSPOSE_CONV strides must be >= 1, got %dx%d (height x "
              "width).", d->stride_h, d->stride_w);
    return kTfLiteError;
  }
  char in_s[160], w_s[160];
  pl_shape_string(input->dims, in_s, sizeof(in_s));
  pl_shape_string(weights->dims, w_s, sizeof(w_s));
  const int* w = weights->dims->data;
  if (input->dims->data[3] != w[3]) {
    pl_report(sg,
              "TRANSPOSE_CONV input channels (%d) must equal the weights' "
              "last dim (%d): input %s, weights %s.",
              input->dims->data[3], w[3], in_s, w_s);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_nn_conv_check_bias(sg, op, bias, w[0], "weights", weights));
  const size_t need = (size_t)pl_num_elements(weights);
  if (d->q.kind != PL_QCONV_FLOAT) {
    PL_ENSURE_OK(tconv_prepare_quantized(sg, d, input, weights));
  } else if (!(d->scratch_ready && pl_is_constant(weights) &&
               d->scratch_src == weights->data.raw)) {
    /* Constant weights are transposed once (their data cannot change). */
    d->scratch_ready = false;
    if (need > d->scratch_floats) {
      float* p = realloc(d->scratch, need * sizeof(float));
      if (!p) {
        pl_report(sg, "TRANSPOSE_CONV: out of memory.");
        return kTfLiteError;
      }
      d->scratch = p;
      d->scratch_floats = need;
    }
    if (pl_is_constant(weights) && weights->data.raw) {
      tconv_transpose_weights(d->scratch, weights);
      d->scratch_ready = true;
      d->scratch_src = weights->data.raw;
    }
  }
  if (pl_is_constant(shape))
    return tconv_resize(sg, shape, weights, input, output);
  pl_set_dynamic(output);
  return kTfLiteOk;
}

/* ---- Quantized and hybrid forms ----------------------------------------
 *
 * Every input element scatters (x - zero point) * w into the integer sums
 * of its output window (int32, int64 for 16x8); then each sum goes through
 * the form's output stage. Hybrid scatters float terms
 * (x - zp) * w * scale[oc] * batch_scale in the reference's order. */
static TfLiteStatus tconv_eval_quantized(PlSubgraph* sg, TconvData* d,
                                         const TfLiteTensor* weights,
                                         const TfLiteTensor* input,
                                         const TfLiteTensor* bias,
                                         TfLiteTensor* output, int pad_h,
                                         int pad_w) {
  const PlQconv* q = &d->q;
  const int* in = input->dims->data;
  const int n = in[0], h = in[1], w = in[2], ic = in[3];
  const int oc = weights->dims->data[0], fh = weights->dims->data[1],
            fw = weights->dims->data[2];
  const int oh = output->dims->data[1], ow = output->dims->data[2];
  const int64_t count = pl_num_elements(output);
  const size_t elem = q->acc64 ? sizeof(int64_t) : sizeof(int32_t);
  if (q->kind != PL_QCONV_HYBRID)
    PL_ENSURE_OK(pl_reserve(sg, &d->qsums, &d->qsums_bytes,
                               (size_t)count * elem));
  if (count == 0) return kTfLiteOk;
  if (!d->q.weights_ready) pl_qconv_weights(&d->q, weights);
  /* [OC][FH][FW][IC] -> [FH][FW][IC][OC]. */
  for (int o = 0; o < oc; ++o)
    for (int t = 0; t < fh * fw; ++t)
      for (int c = 0; c < ic; ++c)
        d->qwt[((int64_t)t * ic + c) * oc + o] =
            q->weights[((int64_t)o * fh * fw + t) * ic + c];
  const void* x = input->data.raw;
  PlQconvKind storage = q->kind;
  if (q->kind == PL_QCONV_HYBRID) {
    pl_qconv_hybrid_input(q, input, d->q.hybrid_input, d->q.hybrid_scale, d->q.hybrid_offset);
    x = d->q.hybrid_input;
    storage = PL_QCONV_INT8;
  }
  float* yf = output->data.f;
  int32_t* s32 = d->qsums;
  int64_t* s64 = d->qsums;
  if (q->kind == PL_QCONV_HYBRID)
    memset(yf, 0, sizeof(float) * (size_t)count);
  else
    memset(d->qsums, 0, elem * (size_t)count);
  for (int b = 0; b < n; ++b) {
    const int32_t zp = q->kind == PL_QCONV_HYBRID ? d->q.hybrid_offset[b] : q->input_zp;
    const float batch_scale = q->kind == PL_QCONV_HYBRID ? d->q.hybrid_scale[b] : 0.0f;
    for (int iy = 0; iy < h; ++iy) {
      for (int ix = 0; ix < w; ++ix) {
        const int64_t src = (((int64_t)b * h + iy) * w + ix) * ic;
        for (int c = 0; c < ic; ++c) {
          const int32_t v = pl_qconv_load(x, storage, src + c, zp);
          const int64_t oy0 = (int64_t)iy * d->stride_h - pad_h;
          const int64_t ox0 = (int64_t)ix * d->stride_w - pad_w;
          for (int fy = 0; fy < fh; ++fy) {
            const int64_t oy = oy0 + fy;
            if (oy < 0 || oy >= oh) continue;
            for (int fx = 0; fx < fw; ++fx) {
              const int64_t ox = ox0 + fx;
              if (ox < 0 || ox >= ow) continue;
              const int64_t dst = (((int64_t)b * oh + oy) * ow + ox) * oc;
              const int16_t* wc =
                  d->qwt + (((int64_t)fy * fw + fx) * ic + c) * oc;
              if (q->kind == PL_QCONV_HYBRID) {
                for (int o = 0; o < oc; ++o)
                  yf[dst + o] += (float)(v * wc[o]) * q->filter_scale[o] *
                                 batch_scale;
              } else if (q->acc64) {
                for (int o = 0; o < oc; ++o)
                  s64[dst + o] += (int64_t)v * wc[o];
              } else {
                for (int o = 0; o < oc; ++o)
                  s32[dst + o] = pl_qconv_add32(s32[dst + o], v * wc[o]);
              }
            }
          }
        }
      }
    }
  }
  for (int64_t i = 0; i < count; ++i) {
    const int o = (int)(i % oc);
    if (q->kind == PL_QCONV_HYBRID) {
      float v = yf[i];
      if (bias) v += bias->data.f[o];
      yf[i] = pl_nn_clamp(v, q->lo, q->hi);
    } else if (q->acc64) {
      const int64_t a = pl_qconv_add64(s64[i], pl_qconv_bias(bias, o));
      pl_qconv_store(output->data.raw, q->kind, i, pl_qconv_out64(q, o, a));
    } else {
      const int32_t a = pl_qconv_add32(s32[i], (int32_t)pl_qconv_bias(bias, o));
      pl_qconv_store(output->data.raw, q->kind, i, pl_qconv_out32(q, o, a));
    }
  }
  return kTfLiteOk;
}

/* ---- float32 ---------------------------------------------------------------
 *
 * One input pixel's terms into `taps` horizontally consecutive output
 * pixels (tap t: outputs dst + t * oc, weights w + t * ic * oc):
 * dst[o] += x[c] * w[c][o] for c = 0, 1, ... in order, each running sum
 * kept in a register across the input channels. Output channels [o0, oc). */
static void tconv_scatter(float* dst, const float* x, const float* w, int ic,
                          int oc, int taps, int o0) {
  for (int t = 0; t < taps; ++t) {
    float* dt = dst + (int64_t)t * oc;
    const float* wt = w + (int64_t)t * ic * oc;
    for (int o = o0; o < oc; ++o) {
      float acc = dt[o];
      for (int c = 0; c < ic; ++c) acc += x[c] * wt[(int64_t)c * oc + o];
      dt[o] = acc;
    }
  }
}

#ifdef PL_TCONV_X86
/* nt (1 or 4, constant after inlining) taps x 8 output channels from o: the
 * same sums, eight lanes at a time, multiply then add; the taps' sums are
 * independent, so they overlap. */
static inline __attribute__((always_inline, target("avx2"))) void
tconv_scatter_block(float* dst, const float* x, const float* w, int ic,
                    int oc, int o, const int nt) {
  __m256 acc[4];
  for (int t = 0; t < nt; ++t) acc[t] = _mm256_loadu_ps(dst + t * oc + o);
  const int64_t wstep = (int64_t)ic * oc;
  for (int c = 0; c < ic; ++c) {
    const __m256 v = _mm256_broadcast_ss(x + c);
    const float* wc = w + (int64_t)c * oc + o;
    for (int t = 0; t < nt; ++t)
      acc[t] = _mm256_add_ps(
          acc[t], _mm256_mul_ps(v, _mm256_loadu_ps(wc + t * wstep)));
  }
  for (int t = 0; t < nt; ++t) _mm256_storeu_ps(dst + t * oc + o, acc[t]);
}

static __attribute__((target("avx2"))) void tconv_scatter_avx2(
    float* dst, const float* x, const float* w, int ic, int oc, int taps) {
  int o = 0;
  for (; o + 8 <= oc; o += 8) {
    int t = 0;
    for (; t + 4 <= taps; t += 4)
      tconv_scatter_block(dst + (int64_t)t * oc, x,
                          w + (int64_t)t * ic * oc, ic, oc, o, 4);
    for (; t < taps; ++t)
      tconv_scatter_block(dst + (int64_t)t * oc, x,
                          w + (int64_t)t * ic * oc, ic, oc, o, 1);
  }
  if (o < oc) tconv_scatter(dst, x, w, ic, oc, taps, o);
}
#endif

static TfLiteStatus tconv_eval(PlSubgraph* sg, PlNode* node) {
  TconvData* d = node->user_data;
  const TfLiteTensor* shape = pl_input(sg, node, kOutputShape);
  const TfLiteTensor* weights = pl_input(sg, node, kWeights);
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* bias =
      pl_num_inputs(node) == 4 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (!pl_is_constant(shape))
    PL_ENSURE_OK(tconv_resize(sg, shape, weights, input, output));
  const int* in = input->dims->data;
  const int n = in[0], h = in[1], w = in[2], ic = in[3];
  const int oc = weights->dims->data[0], fh = weights->dims->data[1],
            fw = weights->dims->data[2];
  const int oh = output->dims->data[1], ow = output->dims->data[2];
  const int pad_h = (int)pl_nn_pad_before(
      oh, fh, d->stride_h, 1,
      pl_nn_out_size(d->padding, oh, fh, d->stride_h, 1));
  const int pad_w = (int)pl_nn_pad_before(
      ow, fw, d->stride_w, 1,
      pl_nn_out_size(d->padding, ow, fw, d->stride_w, 1));
  if (d->q.kind != PL_QCONV_FLOAT)
    return tconv_eval_quantized(sg, d, weights, input, bias, output, pad_h,
                                pad_w);
  float lo, hi;
  pl_activation_range_f32(d->activation, &lo, &hi);
  const float* wt = d->scratch;
  if (!d->scratch_ready) tconv_transpose_weights(d->scratch, weights);
  const bool avx2 = pl_simd_avx2();
  (void)avx2; /* no AVX2 path on other CPUs */
  float* y = output->data.f;
  const int64_t count = pl_num_elements(output);
  for (int64_t i = 0; i < count; ++i) y[i] = 0.0f;
  const float* x = input->data.f;
  for (int b = 0; b < n; ++b) {
    for (int iy = 0; iy < h; ++iy) {
      const int64_t oy0 = (int64_t)iy * d->stride_h - pad_h;
      for (int ix = 0; ix < w; ++ix) {
        const int64_t ox0 = (int64_t)ix * d->stride_w - pad_w;
        const float* src = x + (((int64_t)b * h + iy) * w + ix) * ic;
        /* Each output gets one term per (iy, ix), so taking the channels
         * innermost keeps the reference's order of terms. */
        for (int fy = 0; fy < fh; ++fy) {
          const int64_t oy = oy0 + fy;
          if (oy < 0 || oy >= oh) continue;
          /* The taps [fx0, fx1) land inside the output row. */
          int fx0 = 0, fx1 = fw;
          while (fx0 < fx1 && ox0 + fx0 < 0) ++fx0;
          while (fx1 > fx0 && ox0 + fx1 - 1 >= ow) --fx1;
          if (fx0 == fx1) continue;
          float* dst = y + (((int64_t)b * oh + oy) * ow + ox0 + fx0) * oc;
          const float* wrow = wt + ((int64_t)fy * fw + fx0) * ic * oc;
#ifdef PL_TCONV_X86
          if (avx2) {
            tconv_scatter_avx2(dst, src, wrow, ic, oc, fx1 - fx0);
            continue;
          }
#endif
          tconv_scatter(dst, src, wrow, ic, oc, fx1 - fx0, 0);
        }
      }
    }
  }
  const float* bb = bias ? bias->data.f : NULL;
  for (int64_t i = 0; i < count; ++i) {
    float v = y[i];
    if (bb) v += bb[i % oc];
    y[i] = pl_nn_clamp(v, lo, hi);
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_transpose_conv = {
    .name = "TRANSPOSE_CONV",
    .init = tconv_init,
    .free = tconv_free,
    .prepare = tconv_prepare,
    .eval = tconv_eval,
    .types = "float32; int8 (per-channel int8 filter, int32 bias), uint8 "
             "(per-tensor), int16 (16x8: int8 filter, int64 bias or int32 "
             "with quantized_bias_type INT32), hybrid (float32 with int8 "
             "filter)",
};
