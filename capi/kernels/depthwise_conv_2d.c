/* pylite: DEPTHWISE_CONV_2D, per-channel 2-D convolution, NHWC float32.
 *
 * As TFLite's builtin DEPTHWISE_CONV_2D for float32: input [N, H, W, C],
 * filter [1, FH, FW, OC] with OC a multiple of C (depth multiplier
 * M = OC / C), optional bias (input 2) of OC elements, output
 * [N, OH, OW, OC]. Output channel c * M + m reads input channel c. Sizes and
 * padding as tflite/kernels/padding.h with the option's strides and
 * dilation factors. Each output is one float sum over (fy, fx) in order from
 * 0, skipping padding, plus the bias, clamped by the fused activation, as
 * the reference kernel.
 *
 * Implementation: output rows are split over the interpreter's threads
 * (small layers run on one); with a depth multiplier of 1, the kernel of
 * internal/dwconv.h on the filter and bias packed at prepare (several
 * pixels and channels at once, tap after tap in the same order, so the bits
 * are those of the scalar loop); otherwise one pixel at a time.
 *
 * Quantized and hybrid forms (arithmetic in internal/quant_conv.h),
 * bit-exact with LiteRT's reference kernels for integer outputs: int8 with a
 * per-channel (or per-tensor) int8 filter and int32 bias; uint8 with a
 * per-tensor uint8 filter; 16x8 (int16 activations, int8 filter, int64 bias,
 * 64-bit accumulator); hybrid (float32 input and output, int8 filter, each
 * batch quantized asymmetrically on the fly). With a depth multiplier of 1
 * and 32-bit sums (int8, uint8, hybrid), a row of output pixels at a time
 * through pl_qdw (vectors of 16 or 64 channels, two or four taps per
 * multiply-add, the output stage fused; interior pixels address their taps
 * by one pattern of offsets, border ones by a table); otherwise one
 * pixel's channel sums at a time, over the taps inside the input.
 *
 * The depth_multiplier option is redundant and ignored for float32, int8
 * and uint8: M comes from the shapes, as in TFLite. LiteRT's 16x8 and
 * hybrid kernels use the option instead, so there it must agree with the
 * shapes (an error otherwise).
 * Differences, on the safe side: strides and dilations must be >= 1;
 * TANH / SIGN_BIT fused activations are rejected; int8, int16 and hybrid
 * filters must have zero points of 0 (LiteRT ignores them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/dwconv.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/nn_conv.h"
#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant_conv.h"

#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
#define PL_DW_X86 1
#include <immintrin.h>
#endif

enum { kInput = 0, kFilter = 1, kBias = 2, kOutput = 0 };

/* Schema BuiltinOptions union type and DepthwiseConv2DOptions field ids. */
enum { kDepthwiseConv2DOptionsType = 2 };
enum {
  kFieldPadding = 0,
  kFieldStrideW = 1,
  kFieldStrideH = 2,
  kFieldDepthMultiplier = 3,
  kFieldActivation = 4,
  kFieldDilationW = 5,
  kFieldDilationH = 6,
};

/* The fast form's images of at most this many output pixels (4x4, 8x8)
 * go through pl_qdw in one call per task: its setup per block of channels
 * would otherwise repeat on every short row. */
enum { kQdwTinyPixels = 64 };

typedef struct DwData {
  int padding, stride_w, stride_h, depth_multiplier, activation, dilation_w,
      dilation_h;
  int pad_h, pad_w; /* from prepare */
  PlQconv q;        /* the quantized / hybrid forms (q.kind FLOAT: float32) */
  void* qacc;       /* per thread: one pixel's sums (int32 or int64), then
                       one tap's inputs as int16 */
  size_t qacc_bytes, qacc_per_thread;
  size_t qrow_offset; /* fast form: a row's tap addresses and one pattern of
                         tap offsets, then (hybrid) the row's sums */
  /* The fast form (pl_qdw): depth multiplier 1, int32 sums of an
   * int8 or uint8 input (hybrid included). Per batch: a row of zero points
   * (what padding taps read) and each channel's starting sum. */
  bool qfast;
  bool qtiny; /* a small image: all rows of a task in one pl_qdw call */
  /* qtiny: each output pixel's tap offsets (bytes) from its batch's first
   * input pixel, -1 for a padding tap; made in prepare, so that eval only
   * adds the input's address to them. */
  intptr_t* qtiny_at;
  size_t qtiny_at_bytes;
  void* qpacked; /* the filter packed by pl_qdw_pack */
  bool qbytes;   /* in its byte form */
  size_t qpacked_bytes;
  void* qzrow;      /* [batches, C] zero points of the input's type */
  int32_t* qinit;   /* [batches, C] bias - zp * sum of the channel's taps */
  size_t qbatch_bytes;
  /* qzrow and qinit made for a constant filter and bias (not hybrid: its
   * zero points change): kept. */
  bool qbatch_ready;
  int32_t* qwsum;   /* [C] the sum of each channel's taps (with qpacked) */
  /* float32, depth multiplier 1: filter and bias packed for
   * internal/dwconv.h, once in prepare when both are constant (else at
   * every eval). */
  float* packed;
  size_t packed_bytes;
  bool packed_ready;
  const void* packed_filter; /* the data packed_ready refers to */
  const void* packed_bias;
} DwData;

static TfLiteStatus dw_init(PlSubgraph* sg, PlNode* node) {
  DwData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  d->dilation_w = d->dilation_h = 1;
  if (node->def->builtin_options_type == kDepthwiseConv2DOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->padding = pl_fb_i8(o, kFieldPadding, PL_PAD_SAME);
    d->stride_w = pl_fb_i32(o, kFieldStrideW, 0);
    d->stride_h = pl_fb_i32(o, kFieldStrideH, 0);
    d->depth_multiplier = pl_fb_i32(o, kFieldDepthMultiplier, 0);
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
    d->dilation_w = pl_fb_i32(o, kFieldDilationW, 1);
    d->dilation_h = pl_fb_i32(o, kFieldDilationH, 1);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void dw_free(PlNode* node) {
  DwData* d = node->user_data;
  if (d) {
    pl_qconv_free(&d->q);
    free(d->qacc);
    free(d->qtiny_at);
    free(d->qpacked);
    free(d->qzrow);
    free(d->qinit);
    free(d->qwsum);
    free(d->packed);
  }
  free(d);
  node->user_data = NULL;
}

/* Grows *buf to at least `bytes` (contents not kept). */
/* The fast form's filter from q.weights: packed, and each channel's sum
 * of taps (wrapping as the reference's int32 sums). */
static void qdw_fast_filter(DwData* d, int64_t taps, int oc) {
  d->qbytes = pl_qdw_pack(d->q.weights, taps, oc,
                          d->q.kind == PL_QCONV_UINT8, d->qpacked);
  memset(d->qwsum, 0, sizeof(int32_t) * (size_t)oc);
  for (int64_t k = 0; k < taps; ++k)
    for (int j = 0; j < oc; ++j)
      d->qwsum[j] = (int32_t)((uint32_t)d->qwsum[j] +
                              (uint32_t)d->q.weights[k * oc + j]);
}

/* Whether the fast form applies (see DwData), and its buffers: the packed
 * filter (packed here when constant) and the per-batch rows. The padding
 * trick needs a zero point the input's type can hold. */
static TfLiteStatus dw_prepare_fast(PlSubgraph* sg, DwData* d,
                                    const TfLiteTensor* input, int64_t taps,
                                    int oc) {
  const int* in = input->dims->data;
  const PlQconvKind kind = d->q.kind;
  const int32_t zp = d->q.input_zp;
  d->qfast = in[3] == oc && !d->q.acc64 &&
             (kind == PL_QCONV_HYBRID ||
              (kind == PL_QCONV_INT8 && zp >= -128 && zp <= 127) ||
              (kind == PL_QCONV_UINT8 && zp >= 0 && zp <= 255));
  if (!d->qfast) return kTfLiteOk;
  void* p = d->qpacked;
  TfLiteStatus st = pl_reserve(
      sg, &p, &d->qpacked_bytes,
      (size_t)pl_qdw_packed_size(taps, oc, kind == PL_QCONV_UINT8));
  d->qpacked = p;
  PL_ENSURE_OK(st);
  free(d->qwsum);
  d->qwsum = malloc(sizeof(int32_t) * (size_t)(oc > 0 ? oc : 1));
  if (!d->qwsum) {
    pl_report(sg, "DEPTHWISE_CONV_2D: out of memory.");
    return kTfLiteError;
  }
  if (d->q.weights_ready) qdw_fast_filter(d, taps, oc);
  d->qbatch_ready = false;
  const size_t rows = (size_t)(in[0] > 0 ? in[0] : 1) * (size_t)oc;
  if (rows * sizeof(int32_t) > d->qbatch_bytes) {
    free(d->qzrow);
    free(d->qinit);
    d->qbatch_bytes = 0;
    d->qzrow = malloc(rows);
    d->qinit = malloc(rows * sizeof(int32_t));
    if (!d->qzrow || !d->qinit) {
      pl_report(sg, "DEPTHWISE_CONV_2D: out of memory.");
      return kTfLiteError;
    }
    d->qbatch_bytes = rows * sizeof(int32_t);
  }
  return kTfLiteOk;
}

/* DwData.qtiny_at for input dims `in` (one byte per channel), filter
 * dims f and an output of oh x ow pixels. */
static void qdw_tiny_offsets(DwData* d, const int* in, const int* f,
                             int64_t oh, int64_t ow) {
  intptr_t* at = d->qtiny_at;
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox)
      for (int fy = 0; fy < f[1]; ++fy)
        for (int fx = 0; fx < f[2]; ++fx) {
          const int64_t iy = oy * d->stride_h - d->pad_h + fy * d->dilation_h;
          const int64_t ix = ox * d->stride_w - d->pad_w + fx * d->dilation_w;
          *at++ = iy >= 0 && iy < in[1] && ix >= 0 && ix < in[2]
                      ? (intptr_t)((iy * in[2] + ix) * in[3])
                      : -1;
        }
}

/* Prepare of the quantized and hybrid forms, after the shape checks. */
static TfLiteStatus dw_prepare_quantized(PlSubgraph* sg, DwData* d,
                                         const TfLiteTensor* input,
                                         const TfLiteTensor* filter,
                                         int64_t oh, int64_t ow) {
  const int* in = input->dims->data;
  const int oc = filter->dims->data[3];
  /* LiteRT's int16 and hybrid kernels take the depth multiplier from the
   * option rather than from the shapes: a mismatch would leave outputs
   * unwritten or read past the filter there. */
  if ((d->q.kind == PL_QCONV_INT16 || d->q.kind == PL_QCONV_HYBRID) &&
      (int64_t)d->depth_multiplier * in[3] != oc) {
    pl_report(sg, "DEPTHWISE_CONV_2D %s: option depth_multiplier %d does "
              "not match the shapes (%d filter channels for %d input "
              "channels).", TfLiteTypeGetName(input->type),
              d->depth_multiplier, oc, in[3]);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_qconv_reserve_weights(sg, &d->q, filter));
  const int64_t taps = (int64_t)filter->dims->data[1] * filter->dims->data[2];
  PL_ENSURE_OK(dw_prepare_fast(sg, d, input, taps, oc));
  /* 16-byte aligned per thread. */
  size_t per_thread = sizeof(int64_t) * (size_t)(oc > 0 ? oc : 1) +
                      sizeof(int16_t) * (size_t)in[3];
  if (d->qfast) {
    /* Small images (not hybrid: its sums are a row's) take all their rows
     * in one call (qdw_fast_rows_task): a table for every pixel. */
    d->qtiny = d->q.kind != PL_QCONV_HYBRID && oh * ow <= kQdwTinyPixels;
    const int64_t table = d->qtiny ? oh * ow : ow;
    if (d->qtiny) {
      PL_ENSURE_OK(pl_reserve(sg, (void**)&d->qtiny_at, &d->qtiny_at_bytes,
                              sizeof(intptr_t) * (size_t)(table * taps)));
      qdw_tiny_offsets(d, in, filter->dims->data, oh, ow);
    }
    d->qrow_offset =
        (sizeof(intptr_t) * (size_t)taps * (size_t)(table + 1) + 15) / 16 * 16;
    const size_t fast =
        d->qrow_offset + (d->q.kind == PL_QCONV_HYBRID
                              ? sizeof(int32_t) * (size_t)ow * (size_t)oc
                              : 0);
    if (fast > per_thread) per_thread = fast;
  }
  per_thread = (per_thread + 15) / 16 * 16;
  PL_ENSURE_OK(pl_reserve(sg, &d->qacc, &d->qacc_bytes,
                          per_thread * (size_t)pl_num_threads(sg)));
  d->qacc_per_thread = per_thread;
  PL_ENSURE_OK(pl_qconv_reserve_hybrid(sg, &d->q, input));
  return kTfLiteOk;
}

/* Float32 with a depth multiplier of 1: room for the packed filter and
 * bias, packed now when both are constant (and not already packed: their
 * data cannot change). */
static TfLiteStatus dw_prepare_packed(PlSubgraph* sg, DwData* d,
                                      const TfLiteTensor* filter,
                                      const TfLiteTensor* bias, int c) {
  const int64_t taps = (int64_t)filter->dims->data[1] * filter->dims->data[2];
  const bool constant = pl_is_constant(filter) && filter->data.raw &&
                        (!bias || (pl_is_constant(bias) && bias->data.raw));
  const void* bias_data = bias ? bias->data.raw : NULL;
  if (constant && d->packed_ready && d->packed_filter == filter->data.raw &&
      d->packed_bias == bias_data)
    return kTfLiteOk;
  d->packed_ready = false;
  void* p = d->packed;
  const TfLiteStatus st =
      pl_reserve(sg, &p, &d->packed_bytes,
                 sizeof(float) * (size_t)pl_dwconv_packed_size(c, taps));
  d->packed = p;
  PL_ENSURE_OK(st);
  if (constant) {
    pl_dwconv_pack(filter->data.f, bias ? bias->data.f : NULL, c, taps,
                   d->packed);
    d->packed_ready = true;
    d->packed_filter = filter->data.raw;
    d->packed_bias = bias_data;
  }
  return kTfLiteOk;
}

static TfLiteStatus dw_prepare(PlSubgraph* sg, PlNode* node) {
  DwData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  const char* op = "DEPTHWISE_CONV_2D";
  const TfLiteTensor *input, *filter, *bias;
  TfLiteTensor* output;
  PL_ENSURE_OK(pl_qconv_prepare_node(sg, node, op, PL_QCONV_OP_DEPTHWISE,
                                     d->activation, PL_QCONV_BIAS_DEFAULT,
                                     &d->q, &input, &filter, &bias, &output));
  PL_ENSURE_OK(pl_nn_conv2d_check_options(sg, op, filter, d->padding,
                                          d->stride_h, d->stride_w,
                                          d->dilation_h, d->dilation_w));
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  if (f[0] != 1) {
    pl_report(sg,
              "DEPTHWISE_CONV_2D filter must be [1, height, width, "
              "channels], got %s.",
              PL_SHAPE_STR(filter->dims));
    return kTfLiteError;
  }
  const int channels = in[3], out_channels = f[3];
  if (channels <= 0 || out_channels % channels != 0) {
    pl_report(sg,
              "DEPTHWISE_CONV_2D filter channels (%d) must be a multiple of "
              "the input channels (%d): input %s, filter %s.",
              out_channels, channels, PL_SHAPE_STR(input->dims),
              PL_SHAPE_STR(filter->dims));
    return kTfLiteError;
  }
  PL_ENSURE_OK(
      pl_nn_conv_check_bias(sg, op, bias, out_channels, "filter", filter));
  int64_t oh, ow;
  PL_ENSURE_OK(pl_nn_conv2d_output_size(
      sg, op, input, filter, d->padding, d->stride_h, d->stride_w,
      d->dilation_h, d->dilation_w, &oh, &ow, &d->pad_h, &d->pad_w));
  if (d->q.kind != PL_QCONV_FLOAT)
    PL_ENSURE_OK(dw_prepare_quantized(sg, d, input, filter, oh, ow));
  else if (out_channels == channels)
    PL_ENSURE_OK(dw_prepare_packed(sg, d, filter, bias, channels));
  const int dims[4] = {in[0], (int)oh, (int)ow, out_channels};
  return pl_resize(sg, output, 4, dims);
}

/* Depth multiplier > 1, one output pixel at a time: output channel
 * c * m + mi sums input channel c's taps inside the input. */
typedef struct DwTask {
  const DwData* d;
  const float* x;
  const float* filter;
  const float* bias;
  float* y;
  int h, w, c, fh, fw, oc, oh, ow, m;
  float lo, hi;
} DwTask;

static inline float dw_finish(float acc, const float* bias, int j, float lo,
                              float hi) {
  return pl_nn_clamp(acc + (bias ? bias[j] : 0.0f), lo, hi);
}

/* Output rows [begin, end) of the n * oh rows. */
static void dw_rows_task(void* ctx, int64_t begin, int64_t end, int worker) {
  const DwTask* t = ctx;
  const DwData* d = t->d;
  for (int64_t row = begin; row < end; ++row) {
    const int64_t bi = row / t->oh;
    const int oy = (int)(row % t->oh);
    const int y0 = oy * d->stride_h - d->pad_h;
    /* Taps inside the input: a range, since iy grows with fy. */
    int fy0 = 0, fy1 = t->fh;
    while (fy0 < fy1 && y0 + fy0 * d->dilation_h < 0) ++fy0;
    while (fy1 > fy0 && y0 + (fy1 - 1) * d->dilation_h >= t->h) --fy1;
    const float* src = t->x + bi * t->h * t->w * t->c;
    for (int ox = 0; ox < t->ow; ++ox) {
      const int x0 = ox * d->stride_w - d->pad_w;
      int fx0 = 0, fx1 = t->fw;
      while (fx0 < fx1 && x0 + fx0 * d->dilation_w < 0) ++fx0;
      while (fx1 > fx0 && x0 + (fx1 - 1) * d->dilation_w >= t->w) --fx1;
      float* out = t->y + (row * t->ow + ox) * t->oc;
      for (int j = 0; j < t->oc; ++j) out[j] = 0.0f;
      for (int fy = fy0; fy < fy1; ++fy) {
        const int iy = y0 + fy * d->dilation_h;
        for (int fx = fx0; fx < fx1; ++fx) {
          const int ix = x0 + fx * d->dilation_w;
          const float* s = src + ((int64_t)iy * t->w + ix) * t->c;
          const float* u = t->filter + ((int64_t)fy * t->fw + fx) * t->oc;
          for (int ci = 0; ci < t->c; ++ci)
            for (int mi = 0; mi < t->m; ++mi)
              out[ci * t->m + mi] += s[ci] * u[ci * t->m + mi];
        }
      }
      for (int j = 0; j < t->oc; ++j)
        out[j] = dw_finish(out[j], t->bias, j, t->lo, t->hi);
    }
  }
}

/* Depth multiplier 1: the packed kernel of internal/dwconv.h. */
static void dw_packed_rows_task(void* ctx, int64_t begin, int64_t end,
                                int worker) {
  (void)worker;
  pl_dwconv_rows(ctx, begin, end);
}

/* ---- Quantized and hybrid forms ----------------------------------------
 *
 * Hybrid inputs are first quantized per batch. The fast form (DwData.qfast)
 * then does a row of pixels per call of pl_qdw; the general one, one
 * output pixel at a time: every channel's sum over the taps inside the
 * input (the reference skips padding) of (x - zero point) * w, in int32
 * (int64 for 16x8), then the form's output stage. */
typedef struct QdwTask {
  const DwData* d;
  const void* x;       /* the input, or hybrid's quantized copy */
  PlQconvKind storage; /* x's type */
  const TfLiteTensor* bias;
  void* y;
  int h, w, c, fh, fw, oc, oh, ow, m;
} QdwTask;

/* Adds one tap's products to the pixel's sums. */
static inline __attribute__((always_inline)) void qdw_tap32_body(
    int32_t* acc, const int16_t* x, const int16_t* u, int c, int m) {
  if (m == 1) {
    for (int j = 0; j < c; ++j)
      acc[j] = (int32_t)((uint32_t)acc[j] + (uint32_t)(x[j] * u[j]));
    return;
  }
  for (int ci = 0; ci < c; ++ci)
    for (int mi = 0; mi < m; ++mi) {
      const int j = ci * m + mi;
      acc[j] = (int32_t)((uint32_t)acc[j] + (uint32_t)(x[ci] * u[j]));
    }
}

/* The same loop compiled for AVX2, chosen at run time (exact integer
 * arithmetic: the same results). An explicit dispatch rather than an
 * ifunc, which sanitizer runtimes cannot start with. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2"))) static void qdw_tap32_avx2(
    int32_t* acc, const int16_t* x, const int16_t* u, int c, int m) {
  qdw_tap32_body(acc, x, u, c, m);
}
#endif

static void qdw_tap32(int32_t* acc, const int16_t* x, const int16_t* u, int c,
                      int m) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (pl_simd_avx2()) {
    qdw_tap32_avx2(acc, x, u, c, m);
    return;
  }
#endif
  qdw_tap32_body(acc, x, u, c, m);
}

static inline void qdw_tap64(int64_t* acc, const int16_t* x,
                             const int16_t* u, int c, int m) {
  for (int ci = 0; ci < c; ++ci)
    for (int mi = 0; mi < m; ++mi) {
      const int j = ci * m + mi;
      acc[j] += (int64_t)(x[ci] * u[j]);
    }
}

/* Hybrid's float outputs of one pixel: y[j] = clamp((float)s[j] *
 * (scale[j] * bs) + bias[j]) (bias NULL: no addition), in the scalar
 * order. Everything read is in locals and restrict pointers, so the loop
 * runs on vectors. */
static void qdw_hybrid_output(float* restrict y, const int32_t* restrict s,
                              int64_t n, const float* restrict scale,
                              float bs, const float* restrict bias, float lo,
                              float hi) {
  for (int64_t j = 0; j < n; ++j) y[j] = (float)s[j] * (scale[j] * bs);
  if (bias) {
    for (int64_t j = 0; j < n; ++j) y[j] = pl_nn_clamp(y[j] + bias[j], lo, hi);
  } else {
    for (int64_t j = 0; j < n; ++j) y[j] = pl_nn_clamp(y[j], lo, hi);
  }
}

/* The form's output stage of one pixel's sums (int32, or int64 for the
 * 64-bit form) into the output at element `out`, adding `bias`. */
static void qdw_output(const QdwTask* t, const void* acc,
                       const TfLiteTensor* bias, int64_t bi, int64_t out) {
  const DwData* d = t->d;
  const PlQconv* q = &d->q;
  const int32_t* acc32 = acc;
  const int64_t* acc64 = acc;
  if (q->kind == PL_QCONV_HYBRID) {
    qdw_hybrid_output((float*)t->y + out, acc32, t->oc, q->filter_scale,
                      d->q.hybrid_scale[bi], bias ? bias->data.f : NULL,
                      q->lo, q->hi);
  } else if (q->acc64) {
    for (int j = 0; j < t->oc; ++j) {
      const int64_t a = pl_qconv_add64(acc64[j], pl_qconv_bias(bias, j));
      pl_qconv_store(t->y, q->kind, out + j, pl_qconv_out64(q, j, a));
    }
  } else if (!bias || bias->type == kTfLiteInt32) {
    pl_qconv_requantize_rows(q, acc32, t->oc, 1, bias, 0, t->y, out, t->oc,
                             t->oc);
  } else {
    for (int j = 0; j < t->oc; ++j) {
      const int32_t a =
          pl_qconv_add32(acc32[j], (int32_t)pl_qconv_bias(bias, j));
      pl_qconv_store(t->y, q->kind, out + j, pl_qconv_out32(q, j, a));
    }
  }
}

static void qdw_rows_task(void* ctx, int64_t begin, int64_t end, int worker) {
  const QdwTask* t = ctx;
  const DwData* d = t->d;
  const PlQconv* q = &d->q;
  void* acc = (char*)d->qacc + (size_t)worker * d->qacc_per_thread;
  int32_t* acc32 = acc;
  int64_t* acc64 = acc;
  int16_t* xs = (int16_t*)((char*)acc + sizeof(int64_t) * (size_t)t->oc);
  for (int64_t row = begin; row < end; ++row) {
    const int64_t bi = row / t->oh;
    const int oy = (int)(row % t->oh);
    const int y0 = oy * d->stride_h - d->pad_h;
    int fy0 = 0, fy1 = t->fh;
    while (fy0 < fy1 && y0 + fy0 * d->dilation_h < 0) ++fy0;
    while (fy1 > fy0 && y0 + (fy1 - 1) * d->dilation_h >= t->h) --fy1;
    const int64_t src = bi * t->h * t->w * t->c;
    const int32_t zp =
        q->kind == PL_QCONV_HYBRID ? d->q.hybrid_offset[bi] : q->input_zp;
    for (int ox = 0; ox < t->ow; ++ox) {
      const int x0 = ox * d->stride_w - d->pad_w;
      int fx0 = 0, fx1 = t->fw;
      while (fx0 < fx1 && x0 + fx0 * d->dilation_w < 0) ++fx0;
      while (fx1 > fx0 && x0 + (fx1 - 1) * d->dilation_w >= t->w) --fx1;
      if (q->acc64)
        memset(acc64, 0, sizeof(int64_t) * (size_t)t->oc);
      else
        memset(acc32, 0, sizeof(int32_t) * (size_t)t->oc);
      for (int fy = fy0; fy < fy1; ++fy) {
        const int iy = y0 + fy * d->dilation_h;
        for (int fx = fx0; fx < fx1; ++fx) {
          const int ix = x0 + fx * d->dilation_w;
          pl_qconv_widen(xs, t->x, t->storage,
                         src + ((int64_t)iy * t->w + ix) * t->c, t->c, zp);
          const int16_t* u = q->weights + ((int64_t)fy * t->fw + fx) * t->oc;
          if (q->acc64)
            qdw_tap64(acc64, xs, u, t->c, t->m);
          else
            qdw_tap32(acc32, xs, u, t->c, t->m);
        }
      }
      qdw_output(t, acc, t->bias, bi, (row * t->ow + ox) * t->oc);
    }
  }
}

/* Row `row`'s tap addresses into `table` (taps per pixel) for its pixels
 * outside [inner_begin, inner_end): the batch's row of zero points for
 * padding taps. */
static void qdw_fill_table(const QdwTask* t, int64_t row, int64_t pixel,
                           int64_t inner_begin, int64_t inner_end,
                           intptr_t* table) {
  const DwData* d = t->d;
  const int64_t taps = (int64_t)t->fh * t->fw;
  const int64_t bi = row / t->oh;
  const int y0 = (int)(row % t->oh) * d->stride_h - d->pad_h;
  const char* src = (const char*)t->x + bi * t->h * t->w * pixel;
  const char* zrow = (const char*)d->qzrow + bi * t->c;
  for (int ox = 0; ox < t->ow; ++ox) {
    if (ox == inner_begin && inner_end > inner_begin) ox = (int)inner_end;
    if (ox >= t->ow) break;
    const int x0 = ox * d->stride_w - d->pad_w;
    intptr_t* r = table + (int64_t)ox * taps;
    for (int fy = 0; fy < t->fh; ++fy) {
      const int iy = y0 + fy * d->dilation_h;
      const bool in_y = iy >= 0 && iy < t->h;
      const char* line = src + (int64_t)iy * t->w * pixel;
      for (int fx = 0; fx < t->fw; ++fx) {
        const int ix = x0 + fx * d->dilation_w;
        *r++ = (intptr_t)(in_y && ix >= 0 && ix < t->w
                              ? line + (int64_t)ix * pixel
                              : zrow);
      }
    }
  }
}

/* qdw_fill_table for rows [row, row + rows) of one batch of a small image
 * (DwData.qtiny), from the offsets made in prepare. */
static void qdw_tiny_table(const QdwTask* t, int64_t row, int64_t rows,
                           int64_t pixel, intptr_t* restrict table) {
  const DwData* d = t->d;
  const int64_t bi = row / t->oh, per_row = (int64_t)t->ow * t->fh * t->fw;
  const intptr_t src = (intptr_t)t->x + (intptr_t)(bi * t->h * t->w * pixel);
  const intptr_t zrow = (intptr_t)d->qzrow + (intptr_t)(bi * t->c);
  const intptr_t* restrict at = d->qtiny_at + (row % t->oh) * per_row;
  for (int64_t e = 0; e < rows * per_row; ++e)
    table[e] = at[e] < 0 ? zrow : src + at[e];
}

/* The fast form's rows (DwData.qfast). The pixels whose taps are all
 * inside the input read them at one pattern of offsets from their first
 * tap; the others (borders) through a table of each tap's address, the
 * batch's row of zero points for padding taps. pl_qdw sums them from the
 * batch's starting sums (bias included) and applies the output stage,
 * except for hybrid: sums, then its float output stage with the float
 * bias. A small image (DwData.qtiny) takes the rows of one batch in one
 * call, every pixel through the table. */
static void qdw_fast_rows_task(void* ctx, int64_t begin, int64_t end,
                               int worker) {
  const QdwTask* t = ctx;
  const DwData* d = t->d;
  const PlQconv* q = &d->q;
  const int64_t taps = (int64_t)t->fh * t->fw;
  char* scratch = (char*)d->qacc + (size_t)worker * d->qacc_per_thread;
  intptr_t* pattern = (intptr_t*)scratch;
  intptr_t* table = pattern + taps;
  int32_t* sums = (int32_t*)(scratch + d->qrow_offset);
  const bool u8 = t->storage == PL_QCONV_UINT8;
  const bool hybrid = q->kind == PL_QCONV_HYBRID;
  const int64_t pixel = (int64_t)t->c * (int64_t)(u8 ? sizeof(uint8_t)
                                                      : sizeof(int8_t));
  for (int fy = 0; fy < t->fh; ++fy)
    for (int fx = 0; fx < t->fw; ++fx)
      pattern[fy * t->fw + fx] =
          (intptr_t)(((int64_t)fy * d->dilation_h * t->w +
                      (int64_t)fx * d->dilation_w) * pixel);
  /* The columns whose taps are all inside: [lo_x, hi_x). */
  const int64_t span_w = (int64_t)(t->fw - 1) * d->dilation_w;
  int64_t lo_x = (d->pad_w + d->stride_w - 1) / d->stride_w;
  int64_t hi_x = t->w - span_w + d->pad_w > 0
                     ? (t->w - 1 - span_w + d->pad_w) / d->stride_w + 1
                     : 0;
  if (hi_x > t->ow) hi_x = t->ow;
  if (lo_x > hi_x) lo_x = hi_x;
  for (int64_t row = begin; row < end;) {
    const int64_t bi = row / t->oh;
    int64_t rows = 1;
    int64_t inner_begin = 0, inner_end = 0;
    if (d->qtiny) {
      rows = ((bi + 1) * t->oh < end ? (bi + 1) * t->oh : end) - row;
      qdw_tiny_table(t, row, rows, pixel, table);
    } else {
      const int y0 = (int)(row % t->oh) * d->stride_h - d->pad_h;
      const bool inside_y =
          y0 >= 0 && y0 + (int64_t)(t->fh - 1) * d->dilation_h < t->h;
      inner_begin = inside_y ? lo_x : 0;
      inner_end = inside_y ? hi_x : 0;
      qdw_fill_table(t, row, pixel, inner_begin, inner_end, table);
    }
    const int y0 = (int)(row % t->oh) * d->stride_h - d->pad_h;
    const char* src = (const char*)t->x + bi * t->h * t->w * pixel;
    const int64_t at = row * t->ow * t->oc;
    const PlQdwOut out = {
        .multiplier = q->multiplier, .shift = q->shift,
        .zero_point = q->output_zp, .lo = q->act_min, .hi = q->act_max,
        .y = (char*)t->y + at, .ldy = t->oc,
    };
    const PlQdwArgs args = {
        .table = table, .inner_begin = inner_begin, .inner_end = inner_end,
        .base = (uintptr_t)src +
                (uintptr_t)(((int64_t)y0 * t->w - d->pad_w) * pixel),
        .step = d->stride_w * pixel, .pattern = pattern, .u8 = u8,
        .bytes = d->qbytes, .packed = d->qpacked, .w = q->weights, .taps = taps,
        .channels = t->c, .pixels = rows * t->ow, .init = d->qinit + bi * t->c,
        .sums = sums, .out = hybrid ? NULL : &out,
    };
    pl_qdw(&args);
    if (hybrid)
      for (int ox = 0; ox < t->ow; ++ox)
        qdw_output(t, sums + (int64_t)ox * t->c, t->bias, bi,
                   at + (int64_t)ox * t->oc);
    row += rows;
  }
}

/* The fast form's per-batch rows: zero points, and the starting sums
 * bias - zp * sum_t w (hybrid: without its float bias). */
static void qdw_fast_setup(DwData* d, const QdwTask* t, int batches) {
  const PlQconv* q = &d->q;
  for (int b = 0; b < batches; ++b) {
    const int32_t zp =
        q->kind == PL_QCONV_HYBRID ? d->q.hybrid_offset[b] : q->input_zp;
    char* zrow = (char*)d->qzrow + (size_t)b * (size_t)t->c;
    if (t->storage == PL_QCONV_UINT8)
      memset(zrow, (uint8_t)zp, (size_t)t->c);
    else
      memset(zrow, (uint8_t)(int8_t)zp, (size_t)t->c);
    int32_t* init = d->qinit + (int64_t)b * t->c;
    const int32_t* bias = q->kind != PL_QCONV_HYBRID && t->bias
                              ? t->bias->data.i32
                              : NULL;
    for (int j = 0; j < t->c; ++j)
      init[j] = (int32_t)((bias ? (uint32_t)bias[j] : 0u) -
                          (uint32_t)zp * (uint32_t)d->qwsum[j]);
  }
}

static TfLiteStatus dw_eval_quantized(PlSubgraph* sg, DwData* d,
                                      const TfLiteTensor* input,
                                      const TfLiteTensor* filter,
                                      const TfLiteTensor* bias,
                                      TfLiteTensor* output) {
  const int* in = input->dims->data;
  QdwTask t = {
      .d = d, .x = input->data.raw, .storage = d->q.kind, .bias = bias,
      .y = output->data.raw, .h = in[1], .w = in[2],
      .c = in[3], .fh = filter->dims->data[1], .fw = filter->dims->data[2],
      .oc = filter->dims->data[3], .oh = output->dims->data[1],
      .ow = output->dims->data[2],
  };
  t.m = t.oc / t.c;
  const int64_t rows = (int64_t)in[0] * t.oh;
  if (rows == 0 || t.ow == 0 || t.oc == 0) return kTfLiteOk;
  const int64_t taps = (int64_t)t.fh * t.fw;
  if (!d->q.weights_ready) {
    pl_qconv_weights(&d->q, filter);
    if (d->qfast) qdw_fast_filter(d, taps, t.oc);
  }
  if (d->q.kind == PL_QCONV_HYBRID) {
    pl_qconv_hybrid_input(&d->q, input, d->q.hybrid_input, d->q.hybrid_scale, d->q.hybrid_offset);
    t.x = d->q.hybrid_input;
    t.storage = PL_QCONV_INT8;
  }
  if (d->qfast && !d->qbatch_ready) {
    qdw_fast_setup(d, &t, in[0]);
    d->qbatch_ready = d->q.kind != PL_QCONV_HYBRID && d->q.weights_ready &&
                      (!bias || pl_is_constant(bias));
  }
  const PlParallelFn fn = d->qfast ? qdw_fast_rows_task : qdw_rows_task;
  const double work = (double)rows * t.ow * t.oc * taps;
  if (work < 32768.0)
    fn(&t, 0, rows, 0);
  else
    pl_parallel_for(sg, rows, fn, &t);
  return kTfLiteOk;
}

static TfLiteStatus dw_eval(PlSubgraph* sg, PlNode* node) {
  DwData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* filter = pl_input(sg, node, kFilter);
  const TfLiteTensor* bias =
      pl_num_inputs(node) == 3 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (d->q.kind != PL_QCONV_FLOAT)
    return dw_eval_quantized(sg, d, input, filter, bias, output);
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  float lo, hi;
  pl_activation_range_f32(d->activation, &lo, &hi);
  const int oh = output->dims->data[1], ow = output->dims->data[2];
  const int64_t rows = (int64_t)in[0] * oh;
  if (rows == 0 || ow == 0 || f[3] == 0) return kTfLiteOk;
  /* A single thread for small layers (below some 2 us of work): a split
   * costs about what it saves. */
  const double work = (double)rows * ow * f[3] * f[1] * f[2];
  const bool inline_run = work < 32768.0;
  if (f[3] == in[3]) {
    if (!d->packed_ready)
      pl_dwconv_pack(filter->data.f, bias ? bias->data.f : NULL, in[3],
                     (int64_t)f[1] * f[2], d->packed);
    PlDwconv p = {
        .x = input->data.f, .h = in[1], .w = in[2], .c = in[3], .fh = f[1],
        .fw = f[2], .stride_h = d->stride_h, .stride_w = d->stride_w,
        .dilation_h = d->dilation_h, .dilation_w = d->dilation_w,
        .pad_h = d->pad_h, .pad_w = d->pad_w, .oh = oh, .ow = ow,
        .packed = d->packed, .lo = lo, .hi = hi, .y = output->data.f,
    };
    if (inline_run)
      pl_dwconv_rows(&p, 0, rows);
    else
      pl_parallel_for(sg, rows, dw_packed_rows_task, &p);
    return kTfLiteOk;
  }
  DwTask t = {
      .d = d, .x = input->data.f, .filter = filter->data.f,
      .bias = bias ? bias->data.f : NULL, .y = output->data.f, .h = in[1],
      .w = in[2], .c = in[3], .fh = f[1], .fw = f[2], .oc = f[3], .oh = oh,
      .ow = ow, .m = f[3] / in[3], .lo = lo, .hi = hi,
  };
  if (inline_run)
    dw_rows_task(&t, 0, rows, 0);
  else
    pl_parallel_for(sg, rows, dw_rows_task, &t);
  return kTfLiteOk;
}

const PlKernel pl_kernel_depthwise_conv_2d = {
    .name = "DEPTHWISE_CONV_2D",
    .init = dw_init,
    .free = dw_free,
    .prepare = dw_prepare,
    .eval = dw_eval,
    .types = "float32; int8 (per-channel int8 filter, int32 bias), uint8 "
             "(per-tensor), int16 (16x8: int8 filter, int64 bias), "
             "hybrid (float32 with int8 filter)",
};
