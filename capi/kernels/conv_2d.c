/* pylite: CONV_2D, 2-D convolution of NHWC float32 input with OHWI filters.
 *
 * As TFLite's builtin CONV_2D for float32: input [N, H, W, C], filter
 * [OC, FH, FW, FC], optional bias (input 2, may be omitted) of OC elements,
 * output [N, OH, OW, OC]. Grouped convolution when FC divides C: groups =
 * C / FC, each group of OC / groups filters reading its FC input channels.
 * Output sizes and padding as tflite/kernels/padding.h (see
 * internal/nn_conv.h), with strides and dilation factors from
 * Conv2DOptions. Each output is one float sum over (fy, fx, c) in that
 * order from 0, plus the bias, clamped by the fused activation (NONE clamps
 * to the finite range), as the reference kernel.
 *
 * Implementation: im2col in blocks of output pixels, then the shared GEMM
 * (internal/gemm.h), with filters packed once in prepare when constant.
 * 1x1 stride-1 filters read the input directly, and so do the pixels whose
 * taps are all inside the input when the convolution is not grouped nor
 * dilated horizontally (the GEMM reads their patches in place, one segment
 * per filter row); the border pixels of a block then share one im2col
 * GEMM, unless copying the input into a zero border (at each eval) costs
 * less than their patches: then every patch is read in place from that
 * copy. At most 8 filters (or a last panel of at most 8 past whole panels
 * of 16) run on the narrow tiles of internal/gemm.h, and whole
 * panels of 16 on its tall tiles where they serve; the same sums.
 * Output pixels are split over the interpreter's threads in runs of
 * whole GEMM tiles, by their cost (the 1x1 GEMM by pl_gemm; small layers
 * run on one). Padding positions contribute 0 * w where the reference
 * skips them: the same result unless a filter weight is Inf or NaN.
 *
 * Quantized and hybrid forms (internal/quant_conv.h has the arithmetic),
 * bit-exact with LiteRT's reference kernels for integer outputs: int8 with
 * a per-channel (or per-tensor) int8 filter and int32 bias; uint8 with a
 * per-tensor uint8 filter; 16x8 (int16 activations, int8 filter, int64
 * bias with a 64-bit accumulator, or an int32 bias and 32-bit accumulator
 * when quantized_bias_type is INT32); hybrid (float32 input and output,
 * int8 filter): each batch is quantized to int8 on the fly, asymmetrically
 * when the filter scales differ per channel or the convolution is grouped,
 * symmetrically otherwise, as LiteRT. Each uses an im2col of x - zero point
 * as int16 (0 at padding) and an integer GEMM, split over threads by
 * blocks of pixels; int8 and hybrid on CPUs with AVX-512 VNNI instead an
 * im2col of x + 128 as uint8 and pl_qdot's dot products (the zero point
 * folded into per-channel starting sums, int8's output stage fused), and
 * int8 with short filter rows (first layers: fw * C <= 32) no im2col at
 * all: a padded copy of x + 128 whose filter rows pl_qdot_seg reads in
 * place.
 *
 * Differences, on the safe side: strides and dilations must be >= 1;
 * TANH / SIGN_BIT fused activations are rejected (TFLite treats them as
 * NONE); the bias is optional (LiteRT requires one); hybrid filters must
 * have zero points of 0 (LiteRT ignores them); a 16x8 int32 bias needs
 * quantized_bias_type INT32 (LiteRT would misread it otherwise). */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/nn_conv.h"
#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant_conv.h"

enum { kInput = 0, kFilter = 1, kBias = 2, kOutput = 0 };

/* Schema BuiltinOptions union type and Conv2DOptions field ids. */
enum { kConv2DOptionsType = 1 };
enum {
  kFieldPadding = 0,
  kFieldStrideW = 1,
  kFieldStrideH = 2,
  kFieldActivation = 3,
  kFieldDilationW = 4,
  kFieldDilationH = 5,
  kFieldQuantizedBiasType = 6,
};

/* Im2col block budget per thread, in floats: small enough to stay in
 * cache while the GEMM passes over it once per panel of filters. */
enum { kBlockFloats = 1 << 15 };

typedef struct ConvData {
  int padding, stride_w, stride_h, activation, dilation_w, dilation_h;
  int quantized_bias_type;
  /* From prepare. */
  int pad_h, pad_w;
  PlQconv q; /* the quantized / hybrid forms (q.kind FLOAT: float32) */
  void* qscratch; /* per thread: im2col block, then sums (at qsums_offset) */
  size_t qscratch_bytes, qscratch_per_thread, qsums_offset;
  /* int32 forms: every group's int16 filters packed for
   * pl_qgemm_i32_packed (at prepare for a constant filter, else each eval) */
  int16_t* qpacked;
  size_t qpacked_bytes;
  /* int8 on CPUs with VNNI (pl_qdot): the filters packed as int8, their
   * sums, and per output channel the starting sums bias - (zp + 128) *
   * wsum. qdot: the form qualifies (the packing is there). */
  bool qdot;
  int8_t* qdot_packed;
  size_t qdot_packed_bytes;
  int32_t* qdot_wsum;
  int32_t* qdot_init;
  /* int8: qdot_init computed for a constant filter and bias (kept). */
  bool qdot_init_ready;
  /* The in-place form of int8 convolutions with short filter rows (the
   * first layer of an image model: fw * channels <= kSegMax): the input
   * copied once per eval as x + 128 into a padded image (padding zp + 128)
   * of qseg_h x qseg_w pixels per batch, each pixel's filter rows read in
   * place by pl_qdot_seg (rows of qseg_k values, padded to a multiple of 4
   * in the packed filter), no im2col. Constant filters only. */
  bool qseg;
  int64_t qseg_k, qseg_h, qseg_w;
  uint8_t* qseg_x;
  size_t qseg_x_bytes;
  float* packed; /* every group's filters, packed for the GEMM */
  size_t packed_floats;
  bool packed_ready; /* packed in prepare (constant filter) */
  const void* packed_src; /* the filter data packed_ready refers to */
  int packed_groups;
  float* col;        /* one im2col block per thread */
  size_t col_floats;
  int64_t col_per_thread; /* floats of col per thread */
  int64_t col_rows;       /* im2col rows in them */
  int64_t block_rows;
  /* The input copied into a zero border (conv_prepare_padded): every
   * pixel's patch then lies inside, read in place. pad_dims[0] = 0: not
   * used. */
  float* padded;
  size_t padded_floats;
  int pad_dims[4];
} ConvData;

static TfLiteStatus conv_init(PlSubgraph* sg, PlNode* node) {
  ConvData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  d->dilation_w = d->dilation_h = 1;
  if (node->def->builtin_options_type == kConv2DOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    d->padding = pl_fb_i8(o, kFieldPadding, PL_PAD_SAME);
    d->stride_w = pl_fb_i32(o, kFieldStrideW, 0);
    d->stride_h = pl_fb_i32(o, kFieldStrideH, 0);
    d->activation = pl_fb_i8(o, kFieldActivation, PL_ACT_NONE);
    d->dilation_w = pl_fb_i32(o, kFieldDilationW, 1);
    d->dilation_h = pl_fb_i32(o, kFieldDilationH, 1);
    d->quantized_bias_type = pl_fb_i8(o, kFieldQuantizedBiasType, 0);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void conv_free(PlNode* node) {
  ConvData* d = node->user_data;
  if (d) {
    free(d->packed);
    free(d->col);
    free(d->padded);
    pl_qconv_free(&d->q);
    free(d->qscratch);
    free(d->qpacked);
    free(d->qdot_packed);
    free(d->qdot_wsum);
    free(d->qdot_init);
    free(d->qseg_x);
  }
  free(d);
  node->user_data = NULL;
}

static int64_t conv_block_rows(int64_t pixels, int64_t k) {
  int64_t rows = k > 0 ? kBlockFloats / k : pixels;
  rows -= rows % 10; /* whole GEMM tiles */
  if (rows < 10) rows = 10;
  return rows < pixels ? rows : (pixels > 0 ? pixels : 1);
}

/* Grows *buf to at least `count` floats (contents not kept). */
static TfLiteStatus conv_reserve(PlSubgraph* sg, float** buf, size_t* have,
                                 int64_t count) {
  if ((size_t)count <= *have) return kTfLiteOk;
  free(*buf);
  *have = 0;
  *buf = malloc((size_t)count * sizeof(float));
  if (!*buf) {
    pl_report(sg, "CONV_2D: out of memory for %lld scratch floats.",
              (long long)count);
    return kTfLiteError;
  }
  *have = (size_t)count;
  return kTfLiteOk;
}

static void conv_pack(ConvData* d, const float* filter, int groups,
                      int64_t per_group, int64_t k) {
  const int64_t size = pl_gemm_packed_size(per_group, k);
  for (int g = 0; g < groups; ++g)
    pl_gemm_pack(filter + g * per_group * k, per_group, k, k, 1,
                 d->packed + g * size);
}

/* Grows *buf to at least `bytes` (contents not kept). */
/* The quantized forms' block of pixels: its im2col rows (at most
 * kBlockFloats values) and its sums (at most kBlockSums) stay in cache
 * between the GEMM and the output stage; whole 4-row tiles, at least 16
 * rows so that the filters are streamed once per many pixels. With several
 * threads, the blocks are then made a multiple of the thread count and of
 * even sizes (a last short block would leave a thread with a block more of
 * work: 340, 340, 340 and 4 rows are 680 against 344), so that no thread
 * waits for another's extra block. */
enum { kBlockSums = 1 << 14 };

static int64_t qconv_block_rows(int64_t pixels, int64_t k, int64_t per_group,
                                int threads) {
  if (pixels <= 0) return 1;
  int64_t rows = k > 0 ? kBlockFloats / k : pixels;
  if (per_group > 0 && kBlockSums / per_group < rows)
    rows = kBlockSums / per_group;
  rows -= rows % 4;
  if (rows < 16) rows = 16;
  int64_t blocks = (pixels + rows - 1) / rows;
  if (threads > 1) {
    if (blocks % threads != 0) blocks += threads - blocks % threads;
    rows = (pixels + blocks - 1) / blocks;
    rows += (4 - rows % 4) % 4;
  }
  return rows < pixels ? rows : pixels;
}

/* Packs every group's filters (q.weights) for pl_qgemm_i32_packed. */
static void qconv_pack(ConvData* d, int64_t groups, int64_t per_group,
                       int64_t k) {
  const int64_t size = pl_qgemm_packed_size(per_group, k);
  for (int64_t g = 0; g < groups; ++g)
    pl_qgemm_pack(d->q.weights + g * per_group * k, per_group, k,
                  d->qpacked + g * size);
}

/* Packs every group's filters (the int8 filter w) for pl_qdot. */
static void qconv_pack_dot(ConvData* d, const int8_t* w, int64_t groups,
                           int64_t per_group, int64_t k) {
  const int64_t size = pl_qdot_packed_size(per_group, k);
  for (int64_t g = 0; g < groups; ++g)
    pl_qdot_pack(w + g * per_group * k, per_group, k,
                 d->qdot_packed + g * size, d->qdot_wsum + g * per_group);
}

/* Whether the pl_qdot form applies: an int8 filter, int8 with an input zero
 * point in range (padding stores it), or hybrid (its quantized input);
 * VNNI present. */
static bool conv_uses_dot(const ConvData* d, const TfLiteTensor* filter) {
  return filter->type == kTfLiteInt8 &&
         ((d->q.kind == PL_QCONV_INT8 && d->q.input_zp >= -128 &&
           d->q.input_zp <= 127) ||
          d->q.kind == PL_QCONV_HYBRID) &&
         pl_qdot_available();
}

/* The pl_qdot form's packing (d->qdot set): a constant filter packed now,
 * read from the tensor itself. Hybrid's starting sums depend on the batch's
 * zero point: one row of them per batch. */
static TfLiteStatus conv_prepare_dot(PlSubgraph* sg, ConvData* d,
                                     const TfLiteTensor* filter,
                                     int64_t groups, int64_t per_group,
                                     int64_t k, int batches) {
  if (!d->qdot) return kTfLiteOk;
  const int64_t kd =
      d->qseg ? k / d->qseg_k * pl_qdot_depth(d->qseg_k) : k;
  void* p = d->qdot_packed;
  const TfLiteStatus st = pl_reserve(
      sg, &p, &d->qdot_packed_bytes,
      (size_t)(groups * pl_qdot_packed_size(per_group, kd)));
  d->qdot_packed = p;
  PL_ENSURE_OK(st);
  free(d->qdot_wsum);
  free(d->qdot_init);
  const size_t oc = (size_t)(groups * per_group > 0 ? groups * per_group : 1);
  const size_t rows = d->q.kind == PL_QCONV_HYBRID && batches > 1
                          ? (size_t)batches
                          : 1;
  d->qdot_wsum = malloc(sizeof(int32_t) * oc);
  d->qdot_init = malloc(sizeof(int32_t) * oc * rows);
  if (!d->qdot_wsum || !d->qdot_init) {
    pl_report(sg, "CONV_2D: out of memory.");
    return kTfLiteError;
  }
  d->qdot_init_ready = false;
  if (!d->q.weights_ready) return kTfLiteOk;
  if (!d->qseg) {
    qconv_pack_dot(d, filter->data.int8, groups, per_group, k);
    return kTfLiteOk;
  }
  /* The filter rows padded to whole quads (zeros: the sums of weights do
   * not change). */
  const int64_t run = d->qseg_k, depth = pl_qdot_depth(run);
  const int64_t fh = k / run, units = groups * per_group;
  int8_t* w = calloc((size_t)(units * fh * depth), 1);
  if (!w) {
    pl_report(sg, "CONV_2D: out of memory.");
    return kTfLiteError;
  }
  for (int64_t j = 0; j < units; ++j)
    for (int64_t r = 0; r < fh; ++r)
      memcpy(w + (j * fh + r) * depth, filter->data.int8 + (j * fh + r) * run,
             (size_t)run);
  pl_qdot_pack(w, units, fh * depth, d->qdot_packed, d->qdot_wsum);
  free(w);
  return kTfLiteOk;
}

enum { kSegMax = 32 };

/* Whether the in-place form applies (see ConvData.qseg), and its padded
 * image. */
static TfLiteStatus conv_prepare_seg(PlSubgraph* sg, ConvData* d,
                                     const int* in, const int* f, int groups,
                                     int64_t oh, int64_t ow) {
  const int64_t run = (int64_t)f[2] * f[3];
  d->qseg = d->q.kind == PL_QCONV_INT8 && d->q.weights_ready &&
            d->q.input_zp >= -128 && d->q.input_zp <= 127 &&
            pl_qdot_available() && groups == 1 && d->dilation_w == 1 &&
            run <= kSegMax && !(f[1] == 1 && f[2] == 1) && d->pad_h >= 0 &&
            d->pad_w >= 0;
  if (!d->qseg) return kTfLiteOk;
  d->qseg_k = run;
  const int64_t last_h =
      (oh - 1) * d->stride_h + (int64_t)(f[1] - 1) * d->dilation_h + 1;
  const int64_t last_w = (ow - 1) * d->stride_w + f[2];
  d->qseg_h = in[1] + d->pad_h > last_h ? in[1] + d->pad_h : last_h;
  d->qseg_w = in[2] + d->pad_w > last_w ? in[2] + d->pad_w : last_w;
  /* A filter row is read up to a whole quad: slack after the image. */
  const size_t bytes =
      (size_t)((int64_t)in[0] * d->qseg_h * d->qseg_w * in[3]) + 64;
  void* p = d->qseg_x;
  const TfLiteStatus st = pl_reserve(sg, &p, &d->qseg_x_bytes, bytes);
  d->qseg_x = p;
  PL_ENSURE_OK(st);
  memset(d->qseg_x, 0, bytes);
  return kTfLiteOk;
}

/* Prepare of the quantized and hybrid forms (types and parameters already
 * checked by pl_qconv_prepare): the filter as int16, one im2col block and
 * one block of sums per thread, and for hybrid the quantized input. */
static TfLiteStatus conv_prepare_quantized(PlSubgraph* sg, ConvData* d,
                                           const TfLiteTensor* input,
                                           const TfLiteTensor* filter,
                                           TfLiteTensor* output, int groups,
                                           int64_t oh, int64_t ow) {
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  if (groups <= 0 || f[1] <= 0 || f[2] <= 0 || f[3] <= 0 || f[0] <= 0) {
    char in_s[160], f_s[160];
    pl_shape_string(input->dims, in_s, sizeof(in_s));
    pl_shape_string(filter->dims, f_s, sizeof(f_s));
    pl_report(sg, "CONV_2D %s: empty filter or input channels: input %s, "
              "filter %s.", TfLiteTypeGetName(input->type), in_s, f_s);
    return kTfLiteError;
  }
  /* LiteRT's grouped hybrid convolution always takes the per-channel
   * (asymmetric) path. */
  if (d->q.kind == PL_QCONV_HYBRID && groups != 1) d->q.asymmetric = true;
  d->qdot = conv_uses_dot(d, filter);
  if (d->qdot) {
    /* Only the pl_qdot form is read, packed from the int8 filter itself:
     * no int16 copy, no other packing. */
    pl_qconv_drop_weights(&d->q);
    d->q.weights_ready = pl_is_constant(filter) && filter->data.raw;
    free(d->qpacked);
    d->qpacked = NULL;
    d->qpacked_bytes = 0;
  } else {
    PL_ENSURE_OK(pl_qconv_reserve_weights(sg, &d->q, filter));
  }
  const int64_t k = (int64_t)f[1] * f[2] * f[3];
  const int64_t per_group = f[0] / groups;
  PL_ENSURE_OK(conv_prepare_seg(sg, d, in, f, groups, oh, ow));
  PL_ENSURE_OK(conv_prepare_dot(sg, d, filter, groups, per_group, k, in[0]));
  if (!d->qdot && !d->q.acc64) {
    void* p = d->qpacked;
    const TfLiteStatus st = pl_reserve(
        sg, &p, &d->qpacked_bytes,
        sizeof(int16_t) * (size_t)(groups * pl_qgemm_packed_size(per_group, k)));
    d->qpacked = p;
    PL_ENSURE_OK(st);
    if (d->q.weights_ready) qconv_pack(d, groups, per_group, k);
  }
  const int64_t pixels = (int64_t)in[0] * oh * ow;
  d->block_rows = qconv_block_rows(pixels, k, per_group, pl_num_threads(sg));
  const size_t acc_bytes = (d->q.acc64 ? sizeof(int64_t) : sizeof(int32_t)) *
                           (size_t)(d->block_rows * per_group);
  /* The im2col block: int16, or pl_qdot's uint8 rows (k rounded up). */
  size_t per_thread = sizeof(int16_t) * (size_t)(d->block_rows * k);
  if (d->qdot && (size_t)(d->block_rows * pl_qdot_depth(k)) > per_thread)
    per_thread = (size_t)(d->block_rows * pl_qdot_depth(k));
  /* 16 bytes of slack after the im2col block (qconv_flip16). */
  d->qsums_offset = (per_thread + 16 + 15) / 16 * 16;
  per_thread = d->qsums_offset + acc_bytes;
  PL_ENSURE_OK(pl_reserve(sg, &d->qscratch, &d->qscratch_bytes,
                                  per_thread * (size_t)pl_num_threads(sg)));
  d->qscratch_per_thread = per_thread;
  PL_ENSURE_OK(pl_qconv_reserve_hybrid(sg, &d->q, input));
  const int dims[4] = {in[0], (int)oh, (int)ow, f[0]};
  return pl_resize(sg, output, 4, dims);
}

/* The outputs [lo, hi) along one axis of `out` whose taps, from
 * o * stride - pad in steps of dilation over `taps`, are all inside
 * [0, size). */
static void conv_inside(int64_t size, int taps, int stride, int dilation,
                        int pad, int out, int* lo, int* hi) {
  const int64_t span = (int64_t)(taps - 1) * dilation + 1;
  /* o * stride >= pad, and o * stride <= room. */
  const int64_t first = pad > 0 ? ((int64_t)pad + stride - 1) / stride : 0;
  const int64_t room = size - span + pad;
  const int64_t last = room < 0 ? -1 : room / stride;
  *lo = (int)(first < out ? first : out);
  *hi = (int)(last + 1 < *lo ? *lo : (last + 1 < out ? last + 1 : out));
}

/* The output pixels with some tap in the padding. */
static int64_t conv_border_pixels(const ConvData* d, const int* in,
                                  const int* f, int64_t oh, int64_t ow) {
  int iy0, iy1, ix0, ix1;
  conv_inside(in[1], f[1], d->stride_h, d->dilation_h, d->pad_h, (int)oh,
              &iy0, &iy1);
  conv_inside(in[2], f[2], d->stride_w, d->dilation_w, d->pad_w, (int)ow,
              &ix0, &ix1);
  return (int64_t)in[0] * (oh * ow - (int64_t)(iy1 - iy0) * (ix1 - ix0));
}

/* The 1x1 stride-1 form: a GEMM straight on the input (pl_gemm). */
static bool conv_pointwise(const ConvData* d, const int* in, const int* f,
                           int64_t oh, int64_t ow) {
  return f[1] == 1 && f[2] == 1 && d->stride_h == 1 && d->stride_w == 1 &&
         oh == in[1] && ow == in[2];
}

/* Border pixels (some tap in the padding) cost an im2col row of k values
 * each, plus about 64 values' worth of work per pixel (measured); when
 * copying the input into a zero border costs less (a copied value about a
 * quarter of an im2col one; at most kPaddedFloats values), eval does that
 * instead and reads every patch in place. The border is zeroed here once;
 * eval only writes the inside. Needs the in-place form (one group, no
 * horizontal dilation). */
enum { kPaddedFloats = 1 << 16 };

static TfLiteStatus conv_prepare_padded(PlSubgraph* sg, ConvData* d,
                                        const int* in, const int* f,
                                        int64_t border, int64_t oh,
                                        int64_t ow) {
  d->pad_dims[0] = 0;
  if (oh <= 0 || ow <= 0) return kTfLiteOk;
  /* Rows and columns the taps reach, from -pad on. */
  const int64_t rows = (oh - 1) * d->stride_h + (int64_t)(f[1] - 1) *
                       d->dilation_h + 1;
  const int64_t cols = (ow - 1) * d->stride_w + f[2];
  const int64_t hp = rows > in[1] + d->pad_h ? rows : in[1] + d->pad_h;
  const int64_t wp = cols > in[2] + d->pad_w ? cols : in[2] + d->pad_w;
  if (hp == in[1] && wp == in[2]) return kTfLiteOk; /* no border */
  if ((double)in[0] * (double)hp * (double)wp * (double)in[3] >
      (double)kPaddedFloats)
    return kTfLiteOk;
  const int64_t floats = (int64_t)in[0] * hp * wp * in[3];
  const int64_t k = (int64_t)f[1] * f[2] * f[3];
  if (floats <= 0 || k <= 0 || floats > 4 * border * (k + 64))
    return kTfLiteOk;
  PL_ENSURE_OK(conv_reserve(sg, &d->padded, &d->padded_floats, floats));
  memset(d->padded, 0, sizeof(float) * (size_t)floats);
  d->pad_dims[0] = in[0];
  d->pad_dims[1] = (int)hp;
  d->pad_dims[2] = (int)wp;
  d->pad_dims[3] = in[3];
  return kTfLiteOk;
}

static TfLiteStatus conv_prepare(PlSubgraph* sg, PlNode* node) {
  ConvData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  const char* op = "CONV_2D";
  const TfLiteTensor *input, *filter, *bias;
  TfLiteTensor* output;
  PL_ENSURE_OK(pl_qconv_prepare_node(sg, node, op, PL_QCONV_OP_CONV,
                                     d->activation, d->quantized_bias_type,
                                     &d->q, &input, &filter, &bias, &output));
  PL_ENSURE_OK(pl_nn_conv2d_check_options(sg, op, filter, d->padding,
                                          d->stride_h, d->stride_w,
                                          d->dilation_h, d->dilation_w));
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  const int channels = in[3], filter_channels = f[3], out_channels = f[0];
  if (filter_channels <= 0 || channels % filter_channels != 0) {
    pl_report(sg,
              "CONV_2D filter input channels (%d) must divide the input "
              "channels (%d): input %s, filter %s.",
              filter_channels, channels, PL_SHAPE_STR(input->dims),
              PL_SHAPE_STR(filter->dims));
    return kTfLiteError;
  }
  const int groups = channels / filter_channels;
  if (groups > 0 && out_channels % groups != 0) {
    pl_report(sg,
              "CONV_2D grouped convolution: %d output channels are not a "
              "multiple of the %d groups: input %s, filter %s.",
              out_channels, groups, PL_SHAPE_STR(input->dims),
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
    return conv_prepare_quantized(sg, d, input, filter, output, groups, oh,
                                  ow);

  /* Scratch: packed filters of every group, and one im2col block per
   * thread (none for the direct 1x1 path). */
  const int64_t k = (int64_t)f[1] * f[2] * filter_channels;
  const int64_t per_group = groups > 0 ? out_channels / groups : 0;
  const int64_t pixels = (int64_t)in[0] * oh * ow;
  /* A constant filter is packed once, not again at every AllocateTensors
   * (its data and shape cannot change; the input's channels, hence the
   * groups, can). */
  const bool constant = groups > 0 && k > 0 && pl_is_constant(filter) &&
                        filter->data.raw;
  if (!(constant && d->packed_ready && d->packed_src == filter->data.raw &&
        d->packed_groups == groups)) {
    d->packed_ready = false;
    PL_ENSURE_OK(conv_reserve(sg, &d->packed, &d->packed_floats,
                              groups * pl_gemm_packed_size(per_group, k)));
    if (constant) {
      conv_pack(d, filter->data.f, groups, per_group, k);
      d->packed_ready = true;
      d->packed_src = filter->data.raw;
      d->packed_groups = groups;
    }
  }
  /* Patches read in place (one group, no horizontal dilation): only the
   * border pixels go through im2col, or none with the zero-border copy. */
  const bool in_place = groups == 1 && d->dilation_w == 1;
  const int64_t border =
      in_place && oh > 0 && ow > 0 ? conv_border_pixels(d, in, f, oh, ow) : 0;
  d->pad_dims[0] = 0;
  if (in_place) PL_ENSURE_OK(conv_prepare_padded(sg, d, in, f, border, oh, ow));
  d->block_rows = conv_block_rows(pixels, k);
  /* Per thread, the im2col rows: every pixel of a block; in place, only
   * its border pixels, then their outputs (gathered into one GEMM, then
   * put in place); none for the 1x1 form or the zero-border copy. */
  d->col_rows = in_place && border < d->block_rows ? border : d->block_rows;
  if (conv_pointwise(d, in, f, oh, ow) || d->pad_dims[0] > 0)
    d->col_per_thread = 0;
  else if (in_place)
    d->col_per_thread = d->col_rows * (k + out_channels);
  else
    d->col_per_thread = d->col_rows * k;
  PL_ENSURE_OK(conv_reserve(sg, &d->col, &d->col_floats,
                            pl_num_threads(sg) * d->col_per_thread));
  const int dims[4] = {in[0], (int)oh, (int)ow, out_channels};
  return pl_resize(sg, output, 4, dims);
}

/* Copies n floats; short runs (first layers' 3 channels, whole rows of
 * taps) move in 4-float pieces rather than through a memcpy call. */
static inline void conv_copy(float* dst, const float* src, int64_t n) {
  if (n > 64) {
    memcpy(dst, src, sizeof(float) * (size_t)n);
    return;
  }
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) memcpy(dst + i, src + i, 4 * sizeof(float));
  for (; i < n; ++i) dst[i] = src[i];
}

/* One eval of the float form, read by every parallel chunk. */
typedef struct ConvTask {
  const ConvData* d;
  const float* x;
  const int* in;
  int fh, fw, fc, oh, ow, groups;
  int64_t pixels, per_group, k, oc;
  const float* bias;
  float* y;
  float lo, hi;
  int pad_h, pad_w; /* of x: 0 when it is the padded copy */
  /* The interior: output rows [iy0, iy1) and columns [ix0, ix1), whose
   * taps are all inside the input. */
  int iy0, iy1, ix0, ix1;
} ConvTask;

/* Fills `rows` rows of the im2col matrix for one group, from output pixel
 * (b, oy, ox) on: row p is the (fy, fx, c) patch of output pixel p, zeros
 * where it reads padding.
 * Without grouping or horizontal dilation a filter row's taps inside the
 * input are one contiguous run of the input. */
static void conv_im2col(const ConvTask* t, int group, int64_t b, int oy,
                        int ox, int64_t rows, float* col) {
  const ConvData* d = t->d;
  const float* x = t->x;
  const int fh = t->fh, fw = t->fw, fc = t->fc, oh = t->oh, ow = t->ow;
  const int64_t k = t->k;
  const int h = t->in[1], w = t->in[2], c = t->in[3];
  const bool runs = c == fc && d->dilation_w == 1;
  /* The pixel's (batch, row, column), from (b, oy, ox), stepped. */
  for (int64_t r = 0; r < rows; ++r) {
    float* dst = col + r * k;
    const int y0 = oy * d->stride_h - t->pad_h;
    const int x0 = ox * d->stride_w - t->pad_w;
    /* Taps [fx0, fx1) of a filter row are inside the input. */
    int fx0 = 0, fx1 = fw;
    while (fx0 < fx1 && x0 + fx0 * d->dilation_w < 0) ++fx0;
    while (fx1 > fx0 && x0 + (fx1 - 1) * d->dilation_w >= w) --fx1;
    for (int fy = 0; fy < fh; ++fy, dst += (int64_t)fw * fc) {
      const int iy = y0 + fy * d->dilation_h;
      if (iy < 0 || iy >= h || fx0 == fx1) {
        memset(dst, 0, sizeof(float) * (size_t)fw * (size_t)fc);
        continue;
      }
      if (fx0 > 0) memset(dst, 0, sizeof(float) * (size_t)fx0 * (size_t)fc);
      if (fx1 < fw)
        memset(dst + (int64_t)fx1 * fc, 0,
               sizeof(float) * (size_t)(fw - fx1) * (size_t)fc);
      const float* src = x + ((b * h + iy) * w) * c + (int64_t)group * fc;
      if (runs) {
        conv_copy(dst + (int64_t)fx0 * fc, src + (int64_t)(x0 + fx0) * c,
                  (int64_t)(fx1 - fx0) * fc);
        continue;
      }
      for (int fx = fx0; fx < fx1; ++fx)
        conv_copy(dst + (int64_t)fx * fc,
                  src + (int64_t)(x0 + fx * d->dilation_w) * c, fc);
    }
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) oy = 0, ++b;
    }
  }
}

/* The GEMM of `rows` pixels of group g, A given by `a`: patches in the
 * im2col buffer, or read from the input (kseg > 0); outputs at y (the
 * group's channels added), ldy apart. */
static void conv_gemm(const ConvTask* t, int g, int64_t rows, const float* a,
                      int64_t sai, int64_t kseg, int64_t sseg, float* y,
                      int64_t ldy) {
  const ConvData* d = t->d;
  const PlGemm gemm = {
      .a = a, .sai = sai, .sad = 1, .kseg = kseg, .sseg = sseg, .m = rows,
      .packed = d->packed + g * pl_gemm_packed_size(t->per_group, t->k),
      .n = t->per_group, .k = t->k,
      .bias = t->bias ? t->bias + g * t->per_group : NULL,
      .y = y + g * t->per_group, .ldy = ldy, .lo = t->lo, .hi = t->hi,
  };
  /* A last panel of at most 8 filters (all of them, or past whole panels
   * of 16) goes to the narrow tiles, whole panels to the tall ones where
   * they serve; the same sums whatever the tiles. */
  const int64_t tail = gemm.n % PL_GEMM_NR;
  PlGemm last = gemm;
  last.n = tail;
  const bool narrow = tail > 0 && pl_gemm_narrow_available(&last);
  PlGemm head = gemm;
  head.n = narrow ? gemm.n - tail : gemm.n;
  if (head.n > 0 && pl_gemm_tall_available(&head))
    pl_gemm_tall_rows(&head, 0, rows);
  else if (head.n > 0)
    pl_gemm_rows(&head, 0, rows);
  if (!narrow) return;
  last.packed += head.n * gemm.k;
  if (last.bias) last.bias += head.n;
  last.y += head.n;
  pl_gemm_narrow_rows(&last, 0, rows);
}

/* Output pixels [p0, p0 + rows) as segments within output rows, each
 * wholly interior or wholly border: calls seg(t, p, count, oy, ox, b,
 * inside, arg) in order. */
typedef void (*ConvSegmentFn)(const ConvTask* t, int64_t p, int64_t count,
                              int oy, int ox, int64_t b, bool inside,
                              void* arg);

static void conv_segments(const ConvTask* t, int64_t p0, int64_t rows,
                          ConvSegmentFn seg, void* arg) {
  const int64_t plane = (int64_t)t->ow * t->oh;
  int64_t b = p0 / plane;
  int oy = (int)((p0 / t->ow) % t->oh);
  int ox = (int)(p0 % t->ow);
  for (int64_t p = p0; p < p0 + rows;) {
    const int64_t left = p0 + rows - p;
    const int end = left < t->ow - ox ? ox + (int)left : t->ow;
    const bool row_in = oy >= t->iy0 && oy < t->iy1;
    /* Cuts of the row: border, interior, border. */
    const int cuts[4] = {ox, row_in ? t->ix0 : end, row_in ? t->ix1 : end,
                         end};
    int at = ox;
    for (int i = 1; i < 4; ++i) {
      const int to = cuts[i] < at ? at : (cuts[i] > end ? end : cuts[i]);
      if (to > at) seg(t, p + (at - ox), to - at, oy, at, b, i == 2, arg);
      at = to;
    }
    p += end - ox;
    ox = 0;
    if (end == t->ow && ++oy == t->oh) oy = 0, ++b;
  }
}

/* The segments' work in a block: interior ones to the GEMM straight from
 * the input, border ones gathered into im2col rows (then copied back). */
typedef struct ConvBlock {
  float* col;
  float* border_y;
  int64_t gathered;
} ConvBlock;

static void conv_segment_compute(const ConvTask* t, int64_t p, int64_t count,
                                 int oy, int ox, int64_t b, bool inside,
                                 void* arg) {
  ConvBlock* blk = arg;
  const ConvData* d = t->d;
  if (inside) {
    const int h = t->in[1], w = t->in[2], c = t->in[3];
    const int64_t y0 = (int64_t)oy * d->stride_h - t->pad_h;
    const int64_t x0 = (int64_t)ox * d->stride_w - t->pad_w;
    conv_gemm(t, 0, count, t->x + ((b * h + y0) * w + x0) * c,
              (int64_t)d->stride_w * c, (int64_t)t->fw * c,
              (int64_t)d->dilation_h * w * c, t->y + p * t->oc, t->oc);
    return;
  }
  conv_im2col(t, 0, b, oy, ox, count, blk->col + blk->gathered * t->k);
  blk->gathered += count;
}

static void conv_segment_place(const ConvTask* t, int64_t p, int64_t count,
                               int oy, int ox, int64_t b, bool inside,
                               void* arg) {
  ConvBlock* blk = arg;
  if (inside) return;
  memcpy(t->y + p * t->oc, blk->border_y + blk->gathered * t->oc,
         sizeof(float) * (size_t)(count * t->oc));
  blk->gathered += count;
}

/* Output pixels [begin, end) in blocks of at most block_rows pixels.
 * Without grouping or horizontal dilation, the interior pixels read their
 * patches straight from the input (one segment of fw * c values per
 * filter row), one GEMM per run of them within an output row; the border
 * pixels of a block are gathered by im2col into one GEMM, whose rows are
 * then copied to their places. Otherwise every pixel goes through im2col. */
static void conv_pixels(const ConvTask* t, int64_t begin, int64_t end,
                        float* col) {
  const ConvData* d = t->d;
  const int64_t block = d->block_rows;
  const bool direct = t->groups == 1 && d->dilation_w == 1;
  for (int64_t p0 = begin; p0 < end; p0 += block) {
    const int64_t rows = end - p0 < block ? end - p0 : block;
    if (!direct) {
      const int ox = (int)(p0 % t->ow);
      const int oy = (int)((p0 / t->ow) % t->oh);
      const int64_t b = p0 / ((int64_t)t->ow * t->oh);
      for (int g = 0; g < t->groups; ++g) {
        conv_im2col(t, g, b, oy, ox, rows, col);
        conv_gemm(t, g, rows, col, t->k, 0, 0, t->y + p0 * t->oc, t->oc);
      }
      continue;
    }
    ConvBlock blk = {.col = col,
                     .border_y = col ? col + d->col_rows * t->k : NULL};
    conv_segments(t, p0, rows, conv_segment_compute, &blk);
    if (blk.gathered == 0) continue;
    conv_gemm(t, 0, blk.gathered, col, t->k, 0, 0, blk.border_y, t->oc);
    blk.gathered = 0;
    conv_segments(t, p0, rows, conv_segment_place, &blk);
  }
}

/* Indices of the parallel loop: units of kConvUnit output pixels (whole
 * tiles of the GEMM). */
enum { kConvUnit = 10 };

static void conv_units_task(void* ctx, int64_t begin, int64_t end,
                            int worker) {
  const ConvTask* t = ctx;
  const int64_t p1 = end * kConvUnit < t->pixels ? end * kConvUnit
                                                 : t->pixels;
  /* No im2col rows at all (every patch in place): col may be NULL. */
  float* col = t->d->col_per_thread > 0
                   ? t->d->col + (int64_t)worker * t->d->col_per_thread
                   : NULL;
  conv_pixels(t, begin * kConvUnit, p1, col);
}

/* ---- Quantized and hybrid forms ----------------------------------------
 *
 * Blocks of output pixels get an im2col of x - zero point as int16 (0 at
 * padding, which the reference skips; hybrid inputs are quantized per
 * batch first), the integer GEMM sums them against the int16 filter, and
 * each sum goes through the form's output stage. The pl_qdot form (int8,
 * hybrid; ConvData.qdot) stores x + 128 as uint8 instead, zp + 128 at
 * padding, which its starting sums cancel. */
typedef struct QconvTask {
  const ConvData* d;
  const void* x;       /* the input, or hybrid's quantized copy */
  PlQconvKind storage; /* x's type */
  const int* in;
  int fh, fw, fc, oh, ow, groups;
  int64_t pixels, per_group, k, oc;
  const TfLiteTensor* bias; /* NULL with dot (in the starting sums) */
  void* y;
  bool dot; /* pl_qdot */
  int64_t x_count; /* x's elements */
} QconvTask;

/* Rows [p0, p0 + rows) of the im2col matrix of one group. */
static void qconv_im2col(const QconvTask* t, int group, int64_t p0,
                         int64_t rows, int16_t* col) {
  const ConvData* d = t->d;
  const int h = t->in[1], w = t->in[2], c = t->in[3], fc = t->fc;
  const size_t run = sizeof(int16_t) * (size_t)fc;
  const bool hybrid = d->q.kind == PL_QCONV_HYBRID;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t p = p0 + r;
    const int ox = (int)(p % t->ow);
    const int oy = (int)((p / t->ow) % t->oh);
    const int64_t b = p / ((int64_t)t->ow * t->oh);
    const int32_t zp = hybrid ? d->q.hybrid_offset[b] : d->q.input_zp;
    int16_t* dst = col + r * t->k;
    const int y0 = oy * d->stride_h - d->pad_h;
    const int x0 = ox * d->stride_w - d->pad_w;
    for (int fy = 0; fy < t->fh; ++fy) {
      const int iy = y0 + fy * d->dilation_h;
      for (int fx = 0; fx < t->fw; ++fx, dst += fc) {
        const int ix = x0 + fx * d->dilation_w;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w)
          memset(dst, 0, run);
        else
          pl_qconv_widen(dst, t->x, t->storage,
                         ((b * h + iy) * w + ix) * c + (int64_t)group * fc,
                         fc, zp);
      }
    }
  }
}

/* dst[i] = x[i] + 128 as uint8, i < n: the vectorized loop for long runs,
 * 8 bytes at a time for the short ones of small filters (a 3x3 filter row
 * of 3 channels is 9 bytes). */
static inline void qconv_flip(uint8_t* dst, const int8_t* x, int64_t n) {
  int64_t i = 0;
  if (n < 32) {
    for (; i + 8 <= n; i += 8) {
      uint64_t v;
      memcpy(&v, x + i, sizeof(v));
      v ^= 0x8080808080808080u;
      memcpy(dst + i, &v, sizeof(v));
    }
  }
  for (; i < n; ++i) dst[i] = (uint8_t)(x[i] ^ 0x80);
}

/* qconv_flip of 16 bytes (from a run of at most 16: the rest is written
 * over by what follows, or is the scratch's slack). */
static inline void qconv_flip16(uint8_t* dst, const int8_t* x) {
  uint64_t a, b;
  memcpy(&a, x, sizeof(a));
  memcpy(&b, x + 8, sizeof(b));
  a ^= 0x8080808080808080u;
  b ^= 0x8080808080808080u;
  memcpy(dst, &a, sizeof(a));
  memcpy(dst + 8, &b, sizeof(b));
}

/* The same rows for pl_qdot: x + 128 as uint8 (zp + 128 at padding, zp the
 * batch's for hybrid), each row padded with zeros to pl_qdot_depth(k). A
 * filter row whose taps are all inside and adjacent (dilation 1) is one run
 * of fw * fc values; a 1x1 filter reading every pixel in order (stride 1,
 * one group, k a multiple of 4) makes the whole block one run. */
static void qconv_im2col_dot(const QconvTask* t, int group, int64_t p0,
                             int64_t rows, uint8_t* col) {
  const ConvData* d = t->d;
  const int h = t->in[1], w = t->in[2], c = t->in[3], fc = t->fc;
  const int64_t depth = pl_qdot_depth(t->k);
  const bool hybrid = d->q.kind == PL_QCONV_HYBRID;
  const int8_t* x = t->x;
  const bool runs = d->dilation_w == 1 && c == fc;
  const int64_t run = (int64_t)t->fw * fc;
  if (runs && t->fh == 1 && t->fw == 1 && t->oh == h && t->ow == w &&
      d->stride_h == 1 && d->stride_w == 1 && depth == t->k) {
    qconv_flip(col, x + p0 * c, rows * c);
    return;
  }
  /* Short runs (a small filter row of few channels) go as 16 bytes each
   * when the pixel's taps are all inside and the input has the bytes. */
  const bool short_runs = runs && run <= 16;
  const int64_t row_step = (int64_t)d->dilation_h * w * c;
  const int64_t short_end = t->x_count - 16 - (t->fh - 1) * row_step;
  int ox = (int)(p0 % t->ow);
  int oy = (int)((p0 / t->ow) % t->oh);
  int64_t b = p0 / ((int64_t)t->ow * t->oh);
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* dst = col + r * depth;
    const int y0 = oy * d->stride_h - d->pad_h;
    const int x0 = ox * d->stride_w - d->pad_w;
    const bool inside_x = x0 >= 0 && x0 + t->fw - 1 < w;
    const int64_t at = ((b * h + y0) * w + x0) * c + (int64_t)group * fc;
    if (short_runs && inside_x && y0 >= 0 &&
        y0 + (int64_t)(t->fh - 1) * d->dilation_h < h && at <= short_end) {
      for (int fy = 0; fy < t->fh; ++fy, dst += run)
        qconv_flip16(dst, x + at + fy * row_step);
      goto next;
    }
    const uint8_t pad =
        (uint8_t)((hybrid ? d->q.hybrid_offset[b] : d->q.input_zp) + 128);
    for (int fy = 0; fy < t->fh; ++fy) {
      const int iy = y0 + fy * d->dilation_h;
      if (iy < 0 || iy >= h) {
        memset(dst, pad, (size_t)run);
        dst += run;
        continue;
      }
      const int8_t* xrow = x + ((b * h + iy) * w) * c + (int64_t)group * fc;
      if (runs && inside_x) {
        qconv_flip(dst, xrow + (int64_t)x0 * c, run);
        dst += run;
        continue;
      }
      for (int fx = 0; fx < t->fw; ++fx, dst += fc) {
        const int ix = x0 + fx * d->dilation_w;
        if (ix < 0 || ix >= w)
          memset(dst, pad, (size_t)fc);
        else
          qconv_flip(dst, xrow + (int64_t)ix * c, fc);
      }
    }
  next:
    for (int64_t i = 0; i < depth - t->k; ++i) dst[i] = 0; /* under 4 */
    if (++ox == t->ow) {
      ox = 0;
      if (++oy == t->oh) {
        oy = 0;
        ++b;
      }
    }
  }
}

/* Hybrid's float outputs of one pixel: y[j] = clamp((float)s[j] *
 * scale[j] * bs + bias[j]) (scale NULL: the symmetric form, (float)s[j] *
 * bs; bias NULL: no addition), in the scalar order. Everything read is in
 * locals and restrict pointers, so the loop runs on vectors. */
static void qconv_hybrid_row(float* restrict y, const int32_t* restrict s,
                             int64_t n, const float* restrict scale,
                             float bs, const float* restrict bias, float lo,
                             float hi) {
  if (scale) {
    for (int64_t j = 0; j < n; ++j) y[j] = (float)s[j] * scale[j] * bs;
  } else {
    for (int64_t j = 0; j < n; ++j) y[j] = (float)s[j] * bs;
  }
  if (bias) {
    for (int64_t j = 0; j < n; ++j) y[j] = pl_nn_clamp(y[j] + bias[j], lo, hi);
  } else {
    for (int64_t j = 0; j < n; ++j) y[j] = pl_nn_clamp(y[j], lo, hi);
  }
}

/* The output stage of `rows` pixels of one group from their sums. */
static void qconv_finish(const QconvTask* t, int group, int64_t p0,
                         int64_t rows, const void* sums) {
  const PlQconv* q = &t->d->q;
  const int64_t n = t->per_group;
  const int64_t plane = (int64_t)t->ow * t->oh;
  if (q->kind != PL_QCONV_HYBRID && !q->acc64 &&
      (!t->bias || t->bias->type == kTfLiteInt32)) {
    /* The common case, vectorized: int32 sums and bias. */
    pl_qconv_requantize_rows(q, sums, n, rows, t->bias, (int)(group * n),
                             t->y, p0 * t->oc + group * n, t->oc, n);
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t p = p0 + r;
    const int64_t b = p / plane;
    const int64_t at0 = p * t->oc + group * n;
    if (q->kind == PL_QCONV_HYBRID) {
      const int64_t c0 = group * n;
      qconv_hybrid_row((float*)t->y + at0, (const int32_t*)sums + r * n, n,
                       q->asymmetric ? q->filter_scale + c0 : NULL,
                       q->hybrid_scale[b],
                       t->bias ? t->bias->data.f + c0 : NULL, q->lo, q->hi);
    } else if (q->acc64) {
      const int64_t* s = (const int64_t*)sums + r * n;
      for (int64_t j = 0; j < n; ++j) {
        const int c = (int)(group * n + j);
        const int64_t acc = pl_qconv_add64(s[j], pl_qconv_bias(t->bias, c));
        pl_qconv_store(t->y, q->kind, at0 + j, pl_qconv_out64(q, c, acc));
      }
    } else {
      const int32_t* s = (const int32_t*)sums + r * n;
      for (int64_t j = 0; j < n; ++j) {
        const int c = (int)(group * n + j);
        const int32_t acc =
            pl_qconv_add32(s[j], (int32_t)pl_qconv_bias(t->bias, c));
        pl_qconv_store(t->y, q->kind, at0 + j, pl_qconv_out32(q, c, acc));
      }
    }
  }
}

/* The in-place form (ConvData.qseg) of pixels [p0, p0 + rows): per run of
 * pixels in one output row, pl_qdot_seg on the padded image, consecutive
 * pixels stride_w pixels apart, their filter rows dilation_h image rows
 * apart. */
static void qconv_block_seg(const QconvTask* t, int64_t p0, int64_t rows) {
  const ConvData* d = t->d;
  const int64_t c = t->in[3], iw = d->qseg_w;
  const PlQdotOut base = {
      .multiplier = d->q.multiplier, .shift = d->q.shift,
      .zero_point = d->q.output_zp, .lo = d->q.act_min,
      .hi = d->q.act_max, .ldy = t->oc,
  };
  for (int64_t r = 0; r < rows;) {
    const int64_t p = p0 + r;
    const int64_t ox = p % t->ow, oy = p / t->ow % t->oh;
    const int64_t b = p / ((int64_t)t->ow * t->oh);
    const int64_t count = rows - r < t->ow - ox ? rows - r : t->ow - ox;
    PlQdotOut out = base;
    out.y = (int8_t*)t->y + p * t->oc;
    pl_qdot_seg(d->qseg_x + ((b * d->qseg_h + oy * d->stride_h) * iw +
                             ox * d->stride_w) * c,
                d->stride_w * c, t->fh, d->dilation_h * iw * c, d->qseg_k,
                d->qdot_packed, d->qdot_init, count, t->oc, &out);
    r += count;
  }
}

/* The padded image of the in-place form: x + 128, zp + 128 around it. */
static void qconv_fill_seg(const ConvData* d, const int8_t* x,
                           const int* in) {
  const int64_t c = in[3], h = in[1], w = in[2];
  const int64_t row = d->qseg_w * c;
  const uint8_t pad = (uint8_t)(d->q.input_zp + 128);
  for (int64_t b = 0; b < in[0]; ++b)
    for (int64_t r = 0; r < d->qseg_h; ++r) {
      uint8_t* dst = d->qseg_x + (b * d->qseg_h + r) * row;
      const int64_t iy = r - d->pad_h;
      if (iy < 0 || iy >= h) {
        memset(dst, pad, (size_t)row);
        continue;
      }
      const int64_t left = d->pad_w * c;
      memset(dst, pad, (size_t)left);
      qconv_flip(dst + left, x + (b * h + iy) * w * c, w * c);
      memset(dst + left + w * c, pad, (size_t)(row - left - w * c));
    }
}

/* The pl_qdot form of one block and group: int8 straight to the output,
 * or hybrid's sums (from each batch's starting sums: the block is split
 * where the batch changes) then its float output stage. */
/* int8 outputs [c0, c0 + n) of pixels [p0, p0 + rows), from their im2col
 * rows col and the filters' packed blocks from packed on. */
static void qconv_dot_int8(const QconvTask* t, const uint8_t* col,
                           int64_t p0, int64_t rows, const int8_t* packed,
                           int64_t c0, int64_t n) {
  const ConvData* d = t->d;
  const PlQdotOut out = {
      .multiplier = d->q.multiplier + c0, .shift = d->q.shift + c0,
      .zero_point = d->q.output_zp, .lo = d->q.act_min,
      .hi = d->q.act_max, .y = (int8_t*)t->y + p0 * t->oc + c0,
      .ldy = t->oc,
  };
  pl_qdot(col, pl_qdot_depth(t->k), packed, d->qdot_init + c0, rows, n, t->k,
          &out);
}

static void qconv_block_dot(const QconvTask* t, int g, int64_t p0,
                            int64_t rows, uint8_t* col, int32_t* sums) {
  const ConvData* d = t->d;
  const int64_t c0 = g * t->per_group, depth = pl_qdot_depth(t->k);
  const int8_t* packed =
      d->qdot_packed + g * pl_qdot_packed_size(t->per_group, t->k);
  qconv_im2col_dot(t, g, p0, rows, col);
  if (d->q.kind != PL_QCONV_HYBRID) {
    qconv_dot_int8(t, col, p0, rows, packed, c0, t->per_group);
    return;
  }
  const int64_t plane = (int64_t)t->oh * t->ow;
  for (int64_t r = 0; r < rows;) {
    const int64_t b = (p0 + r) / plane;
    const int64_t end = (b + 1) * plane - p0 < rows ? (b + 1) * plane - p0
                                                     : rows;
    const PlQdotOut out = {.ldy = t->per_group,
                           .sums = sums + r * t->per_group};
    pl_qdot(col + r * depth, depth, packed, d->qdot_init + b * t->oc + c0,
            end - r, t->per_group, t->k, &out);
    r = end;
  }
  qconv_finish(t, g, p0, rows, sums);
}

static void qconv_blocks_task(void* ctx, int64_t begin, int64_t end,
                              int worker) {
  const QconvTask* t = ctx;
  const ConvData* d = t->d;
  const int64_t block = d->block_rows;
  char* scratch = (char*)d->qscratch + (size_t)worker * d->qscratch_per_thread;
  int16_t* col = (int16_t*)scratch;
  void* sums = scratch + d->qsums_offset;
  for (int64_t blk = begin; blk < end; ++blk) {
    const int64_t p0 = blk * block;
    const int64_t rows = t->pixels - p0 < block ? t->pixels - p0 : block;
    if (d->qseg) {
      qconv_block_seg(t, p0, rows);
      continue;
    }
    for (int g = 0; g < t->groups; ++g) {
      if (t->dot) {
        qconv_block_dot(t, g, p0, rows, (uint8_t*)col, sums);
        continue;
      }
      qconv_im2col(t, g, p0, rows, col);
      const int16_t* wg = d->q.weights + (int64_t)g * t->per_group * t->k;
      if (d->q.acc64)
        pl_qgemm_i64(col, t->k, wg, rows, t->per_group, t->k, sums,
                     t->per_group);
      else
        pl_qgemm_i32_packed(
            col, t->k,
            d->qpacked + g * pl_qgemm_packed_size(t->per_group, t->k), rows,
            t->per_group, t->k, sums, t->per_group);
      qconv_finish(t, g, p0, rows, sums);
    }
  }
}

/* Few pixels and many filters (the 1x1 convolutions at the end of a small
 * network: 4 pixels, 1280 filters) give too few blocks of pixels to split:
 * the int8 dot path then splits the filters instead, kQconvColumns (whole
 * packed blocks of 16) per index, each index over every pixel block (the
 * im2col of a block is made again per index: cheap beside its dot
 * products at these sizes). The same sums and output stage per output. */
enum { kQconvColumns = 64 };

static bool qconv_split_columns(const QconvTask* t, int64_t blocks,
                                int threads) {
  return t->dot && t->d->q.kind != PL_QCONV_HYBRID && t->groups == 1 &&
         !t->d->qseg && threads > 1 && blocks < 2 * threads &&
         t->oc >= 2 * kQconvColumns;
}

static void qconv_columns_task(void* ctx, int64_t begin, int64_t end,
                               int worker) {
  const QconvTask* t = ctx;
  const ConvData* d = t->d;
  uint8_t* col =
      (uint8_t*)d->qscratch + (size_t)worker * d->qscratch_per_thread;
  const int64_t c0 = begin * kQconvColumns;
  const int64_t c1 = end * kQconvColumns < t->oc ? end * kQconvColumns : t->oc;
  for (int64_t p0 = 0; p0 < t->pixels; p0 += d->block_rows) {
    const int64_t rows =
        t->pixels - p0 < d->block_rows ? t->pixels - p0 : d->block_rows;
    qconv_im2col_dot(t, 0, p0, rows, col);
    qconv_dot_int8(t, col, p0, rows,
                   d->qdot_packed + c0 * pl_qdot_depth(t->k), c0, c1 - c0);
  }
}

static TfLiteStatus conv_eval_quantized(PlSubgraph* sg, ConvData* d,
                                        const TfLiteTensor* input,
                                        const TfLiteTensor* filter,
                                        const TfLiteTensor* bias,
                                        TfLiteTensor* output) {
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  QconvTask t = {
      .d = d, .x = input->data.raw, .storage = d->q.kind, .in = in,
      .fh = f[1], .fw = f[2], .fc = f[3],
      .oh = output->dims->data[1], .ow = output->dims->data[2],
      .groups = in[3] / f[3], .oc = f[0], .bias = bias,
      .y = output->data.raw,
  };
  t.x_count = pl_num_elements(input);
  t.per_group = t.oc / t.groups;
  t.k = (int64_t)t.fh * t.fw * t.fc;
  t.pixels = (int64_t)in[0] * t.oh * t.ow;
  if (t.pixels == 0) return kTfLiteOk;
  t.dot = d->qdot;
  if (!d->q.weights_ready) {
    if (t.dot) {
      qconv_pack_dot(d, filter->data.int8, t.groups, t.per_group, t.k);
    } else {
      pl_qconv_weights(&d->q, filter);
      if (!d->q.acc64) qconv_pack(d, t.groups, t.per_group, t.k);
    }
  }
  if (d->q.kind == PL_QCONV_HYBRID) {
    pl_qconv_hybrid_input(&d->q, input, d->q.hybrid_input, d->q.hybrid_scale, d->q.hybrid_offset);
    t.x = d->q.hybrid_input;
    t.storage = PL_QCONV_INT8;
  }
  if (t.dot && d->q.kind == PL_QCONV_HYBRID) {
    /* Per batch, without the float bias (its output stage adds it). */
    for (int b = 0; b < in[0]; ++b) {
      const uint32_t zp = (uint32_t)(d->q.hybrid_offset[b] + 128);
      for (int64_t c = 0; c < t.oc; ++c)
        d->qdot_init[b * t.oc + c] =
            (int32_t)(0u - zp * (uint32_t)d->qdot_wsum[c]);
    }
  } else if (t.dot) {
    if (!d->qdot_init_ready) {
      const uint32_t zp = (uint32_t)(d->q.input_zp + 128);
      for (int64_t c = 0; c < t.oc; ++c)
        d->qdot_init[c] =
            (int32_t)((bias ? (uint32_t)bias->data.i32[c] : 0u) -
                      zp * (uint32_t)d->qdot_wsum[c]);
      d->qdot_init_ready =
          d->q.weights_ready && (!bias || pl_is_constant(bias));
    }
    t.bias = NULL;
  }
  if (d->qseg) qconv_fill_seg(d, input->data.int8, in);
  const int64_t blocks = (t.pixels + d->block_rows - 1) / d->block_rows;
  /* A single thread for small layers: waking the others costs more. */
  const double work = (double)t.pixels * (double)t.oc * (double)t.k;
  if (work < 65536.0)
    qconv_blocks_task(&t, 0, blocks, 0);
  else if (qconv_split_columns(&t, blocks, pl_num_threads(sg)))
    pl_parallel_for(sg, (t.oc + kQconvColumns - 1) / kQconvColumns,
                    qconv_columns_task, &t);
  else
    pl_parallel_for(sg, blocks, qconv_blocks_task, &t);
  return kTfLiteOk;
}

static TfLiteStatus conv_eval(PlSubgraph* sg, PlNode* node) {
  ConvData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* filter = pl_input(sg, node, kFilter);
  const TfLiteTensor* bias =
      pl_num_inputs(node) == 3 ? pl_input(sg, node, kBias) : NULL;
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  if (d->q.kind != PL_QCONV_FLOAT)
    return conv_eval_quantized(sg, d, input, filter, bias, output);
  const int* in = input->dims->data;
  const int* f = filter->dims->data;
  const int oc = f[0], fh = f[1], fw = f[2], fc = f[3];
  const int oh = output->dims->data[1], ow = output->dims->data[2];
  const int groups = in[3] / fc;
  const int64_t per_group = oc / (groups > 0 ? groups : 1);
  const int64_t k = (int64_t)fh * fw * fc;
  const int64_t pixels = (int64_t)in[0] * oh * ow;
  float lo, hi;
  pl_activation_range_f32(d->activation, &lo, &hi);
  const float* b = bias ? bias->data.f : NULL;
  float* y = output->data.f;
  if (pixels == 0 || oc == 0) return kTfLiteOk;
  if (groups == 0 || k == 0) {
    /* Empty sums: the output is the clamped bias. */
    for (int64_t p = 0; p < pixels; ++p)
      for (int j = 0; j < oc; ++j)
        y[p * oc + j] = pl_nn_clamp((b ? b[j] : 0.0f) + 0.0f, lo, hi);
    return kTfLiteOk;
  }
  const int64_t packed_size = pl_gemm_packed_size(per_group, k);
  if (!d->packed_ready) conv_pack(d, filter->data.f, groups, per_group, k);
  if (conv_pointwise(d, in, f, oh, ow)) {
    for (int g = 0; g < groups; ++g) {
      const PlGemm gemm = {
          .a = input->data.f + (int64_t)g * fc, .sai = in[3], .sad = 1,
          .m = pixels, .packed = d->packed + g * packed_size,
          .n = per_group, .k = k, .bias = b ? b + g * per_group : NULL,
          .y = y + g * per_group, .ldy = oc, .lo = lo, .hi = hi,
      };
      pl_gemm(sg, &gemm);
    }
    return kTfLiteOk;
  }
  ConvTask task = {
      .d = d, .x = input->data.f, .in = in, .fh = fh, .fw = fw, .fc = fc,
      .oh = oh, .ow = ow, .groups = groups, .pixels = pixels,
      .per_group = per_group, .k = k, .oc = oc, .bias = b, .y = y,
      .lo = lo, .hi = hi, .pad_h = d->pad_h, .pad_w = d->pad_w,
  };
  if (d->pad_dims[0] > 0) {
    /* The input inside its zero border; patches read from there. */
    const int* pd = d->pad_dims;
    const size_t row = sizeof(float) * (size_t)in[2] * (size_t)in[3];
    for (int64_t r = 0; r < (int64_t)in[0] * in[1]; ++r) {
      const int64_t bb = r / in[1], iy = r % in[1];
      memcpy(d->padded +
                 ((bb * pd[1] + iy + d->pad_h) * pd[2] + d->pad_w) * pd[3],
             input->data.f + r * in[2] * in[3], row);
    }
    task.x = d->padded;
    task.in = pd;
    task.pad_h = task.pad_w = 0;
  }
  conv_inside(task.in[1], fh, d->stride_h, d->dilation_h, task.pad_h, oh,
              &task.iy0, &task.iy1);
  conv_inside(task.in[2], fw, d->stride_w, d->dilation_w, task.pad_w, ow,
              &task.ix0, &task.ix1);
  /* A unit of pixels costs about kConvUnit * k * oc / 8 (8 lanes of
   * multiply-adds per unit of pl_parallel_for_cost). */
  const double unit_cost = (double)kConvUnit * (double)k * (double)oc / 8.0;
  pl_parallel_for_cost(sg, (pixels + kConvUnit - 1) / kConvUnit,
                       1 + (int64_t)(unit_cost < 1e15 ? unit_cost : 1e15),
                       conv_units_task, (void*)&task);
  return kTfLiteOk;
}

const PlKernel pl_kernel_conv_2d = {
    .name = "CONV_2D",
    .init = conv_init,
    .free = conv_free,
    .prepare = conv_prepare,
    .eval = conv_eval,
    .types = "float32; int8 (per-channel int8 filter, int32 bias), uint8 "
             "(per-tensor), int16 (16x8: int8 filter, int64 bias or int32 "
             "with quantized_bias_type INT32), hybrid (float32 with int8 "
             "filter)",
};
