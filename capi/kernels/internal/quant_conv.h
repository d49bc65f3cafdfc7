/* pylite: the quantized and hybrid forms shared by CONV_2D,
 * DEPTHWISE_CONV_2D and TRANSPOSE_CONV (quant_conv.c).
 *
 * Four forms besides float32, told apart by the input and filter types:
 *   int8    int8 input / output, int8 filter (per channel or per tensor,
 *           zero points 0), int32 bias. acc = sum w * (x - zx) in int32,
 *           + bias, times the channel's multiplier (pl_q_mul), + zy, clamped.
 *   uint8   the legacy form: uint8 input / output / filter (per tensor, any
 *           zero points), int32 bias. acc = sum (w - zw) * (x - zx); one
 *           multiplier float(sx * sw) / sy, as TFLite's
 *           GetQuantizedConvolutionMultipler.
 *   int16   "16x8": int16 input / output with zero points 0, int8 filter,
 *           int64 bias: a 64-bit accumulator and pl_q_mul64, no output
 *           offset. CONV_2D and TRANSPOSE_CONV also take an int32 bias when
 *           the options' quantized_bias_type says INT32: then a wrapping
 *           32-bit accumulator and pl_q_mul, as LiteRT.
 *   hybrid  float32 input / output / bias, int8 filter ("dynamic range"):
 *           each batch of the input is quantized to int8 on the fly
 *           (asymmetric, or symmetric for CONV_2D when every filter scale is
 *           the same, as LiteRT), the int32 sums are scaled back to float.
 * Padding taps contribute nothing in every form (TFLite's reference
 * kernels skip them): CONV_2D's int16 im2col stores x - zx with 0 at
 * padding, the general depthwise and transpose loops visit only the taps
 * inside; pl_qdot and pl_qdw read zx at padding and start each sum at
 * -zx * sum w (pl_qdot: -(zx + 128) * sum w, its x shifted by 128), which
 * cancels it. Integer sums wrap as TFLite's int32 accumulators do, so
 * their order is free.
 *
 * Everything is checked in pl_qconv_prepare, with messages naming the op,
 * the tensor and the bad value; the kernels then run blindly. */
#ifndef PYLITE_KERNELS_INTERNAL_QUANT_CONV_H_
#define PYLITE_KERNELS_INTERNAL_QUANT_CONV_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/quant.h"

typedef enum PlQconvKind {
  PL_QCONV_FLOAT = 0,
  PL_QCONV_INT8,
  PL_QCONV_UINT8,
  PL_QCONV_INT16,
  PL_QCONV_HYBRID,
} PlQconvKind;

/* Schema TensorType values of the quantized_bias_type option. */
enum { PL_QCONV_BIAS_DEFAULT = 0, PL_QCONV_BIAS_INT32 = 2,
       PL_QCONV_BIAS_INT64 = 4 };

/* Which op is asking: the filter layout and LiteRT's per-op rules. */
typedef enum PlQconvOp {
  PL_QCONV_OP_CONV,      /* filter [OC, FH, FW, IC], channels on dim 0 */
  PL_QCONV_OP_DEPTHWISE, /* filter [1, FH, FW, OC], channels on dim 3 */
  PL_QCONV_OP_TRANSPOSE, /* weights [OC, FH, FW, IC], channels on dim 0 */
} PlQconvOp;

typedef struct PlQconv {
  PlQconvKind kind;
  /* int16: 64-bit accumulator and multiply (int64 bias); false for the
   * int32-bias form. */
  bool acc64;
  /* hybrid: asymmetric per-batch input quantization (false: symmetric). */
  bool asymmetric;
  int channels;         /* output channels */
  int32_t* multiplier;  /* per output channel (uint8: all the same) */
  int* shift;
  float* filter_scale;  /* hybrid: per output channel */
  int32_t input_zp, filter_zp, output_zp;
  int32_t act_min, act_max; /* quantized clamp */
  float lo, hi;             /* hybrid: float clamp */
  /* The filter as int16 (w - zw), in the filter's own layout: converted in
   * prepare when constant, else at every eval. */
  int16_t* weights;
  size_t weights_cap;
  bool weights_ready;
  const void* weights_src;
  /* Hybrid: the input quantized per batch, and per batch its scale and
   * zero point (pl_qconv_reserve_hybrid, pl_qconv_hybrid_input). */
  int8_t* hybrid_input;
  size_t hybrid_input_bytes;
  float* hybrid_scale;
  int32_t* hybrid_offset;
} PlQconv;

/* The form of (input, filter): FLOAT when both are float32 (the caller's
 * float path), otherwise the quantized or hybrid form to check. */
PlQconvKind pl_qconv_kind(const TfLiteTensor* input,
                          const TfLiteTensor* filter);

/* Checks types and quantization parameters of a quantized / hybrid
 * convolution and fills q (multipliers, offsets, clamp). `bias` may be
 * NULL; quantized_bias_type is the option's value (PL_QCONV_BIAS_DEFAULT
 * when the op has none). Reports a clear error and fails otherwise. */
TfLiteStatus pl_qconv_prepare(PlSubgraph* sg, const char* op, PlQconvOp which,
                              const TfLiteTensor* input,
                              const TfLiteTensor* filter,
                              const TfLiteTensor* bias,
                              const TfLiteTensor* output, int activation,
                              int quantized_bias_type, PlQconv* q);

/* The start of CONV_2D's and DEPTHWISE_CONV_2D's prepare: (input, filter,
 * optional bias) -> output, the tensors set; then the float checks or
 * pl_qconv_prepare, by q->kind (set here). */
TfLiteStatus pl_qconv_prepare_node(PlSubgraph* sg, PlNode* node,
                                   const char* op, PlQconvOp which,
                                   int activation, int quantized_bias_type,
                                   PlQconv* q, const TfLiteTensor** input,
                                   const TfLiteTensor** filter,
                                   const TfLiteTensor** bias,
                                   TfLiteTensor** output);

/* Converts the filter into q->weights when it is constant (prepare), or
 * every time when not (eval: call pl_qconv_weights again). */
TfLiteStatus pl_qconv_reserve_weights(PlSubgraph* sg, PlQconv* q,
                                      const TfLiteTensor* filter);
void pl_qconv_weights(PlQconv* q, const TfLiteTensor* filter);
/* Frees q->weights of a constant filter once a kernel has packed them in
 * its own form (the next pl_qconv_reserve_weights makes them again). */
void pl_qconv_drop_weights(PlQconv* q);

/* Sizes q's hybrid buffers for `input` (a no-op for the other kinds). */
TfLiteStatus pl_qconv_reserve_hybrid(PlSubgraph* sg, PlQconv* q,
                                     const TfLiteTensor* input);

void pl_qconv_free(PlQconv* q);

/* Quantizes n floats to int8 as TFLite's AsymmetricQuantizeFloats (range
 * widened to include 0, zero point nudged into [-128, 127]). */
void pl_qconv_quantize_asymmetric(const float* x, int64_t n, int8_t* q,
                                  float* scale, int32_t* offset);
/* As TFLite's SymmetricQuantizeFloats: scale max|x| / 127, values in
 * [-127, 127]; scale 1 and all zeros when every x is 0. */
void pl_qconv_quantize_symmetric(const float* x, int64_t n, int8_t* q,
                                 float* scale);

/* The output stage of the 32-bit forms: rescale, offset, clamp. */
static inline int32_t pl_qconv_out32(const PlQconv* q, int c, int32_t acc) {
  const int32_t v =
      pl_q_add(pl_q_mul(acc, q->multiplier[c], q->shift[c]), q->output_zp);
  return pl_q_clamp(v, q->act_min, q->act_max);
}

/* The output stage of the 64-bit int16 form (no output offset). */
static inline int32_t pl_qconv_out64(const PlQconv* q, int c, int64_t acc) {
  return pl_q_clamp(pl_q_mul64(acc, q->multiplier[c], q->shift[c]),
                    q->act_min, q->act_max);
}

/* Wrapping int32 addition (TFLite's accumulators wrap in practice; C's
 * signed overflow would be undefined). */
static inline int32_t pl_qconv_add32(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
static inline int64_t pl_qconv_add64(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Reads element k of an int32 / int64 bias as int64 (0 without a bias). */
static inline int64_t pl_qconv_bias(const TfLiteTensor* bias, int k) {
  if (!bias) return 0;
  return bias->type == kTfLiteInt64 ? bias->data.i64[k] : bias->data.i32[k];
}

/* The vectorized output stage of channels [c0, c0 + n) of `rows` pixels:
 * int32 sums (row r at sums + r * ld_sums; an int32 bias, or none)
 * requantized into y at element at + r * ld_y (pl_q_requantize_rows). */
static inline void pl_qconv_requantize_rows(const PlQconv* q,
                                            const int32_t* sums,
                                            int64_t ld_sums, int64_t rows,
                                            const TfLiteTensor* bias, int c0,
                                            void* y, int64_t at, int64_t ld_y,
                                            int64_t n) {
  const TfLiteType type = q->kind == PL_QCONV_INT8    ? kTfLiteInt8
                          : q->kind == PL_QCONV_UINT8 ? kTfLiteUInt8
                                                      : kTfLiteInt16;
  const size_t elem = type == kTfLiteInt16 ? 2 : 1;
  pl_q_requantize_rows(sums, ld_sums, rows, bias ? bias->data.i32 + c0 : NULL,
                       q->multiplier + c0, q->shift + c0, q->output_zp,
                       q->act_min, q->act_max, type,
                       (char*)y + (size_t)at * elem, ld_y, n);
}

/* Stores a clamped value into an int8 / uint8 / int16 output. */
static inline void pl_qconv_store(void* out, PlQconvKind kind, int64_t k,
                                  int32_t v) {
  switch (kind) {
    case PL_QCONV_INT8: ((int8_t*)out)[k] = (int8_t)v; break;
    case PL_QCONV_UINT8: ((uint8_t*)out)[k] = (uint8_t)v; break;
    default: ((int16_t*)out)[k] = (int16_t)v; break;
  }
}

/* Hybrid: quantizes each batch of the float input into qbuf (int8, the
 * input's size), asymmetrically or symmetrically per q->asymmetric, with
 * each batch's scale and zero point in scales / offsets (symmetric: the
 * scale times the filter's, zero point 0). The kernels then read qbuf as
 * an int8 input whose zero point depends on the batch. */
void pl_qconv_hybrid_input(const PlQconv* q, const TfLiteTensor* input,
                           int8_t* qbuf, float* scales, int32_t* offsets);

/* The storage type of a form's (quantized) input: int8 for int8 and
 * hybrid (its quantized copy), uint8, int16. */
static inline PlQconvKind pl_qconv_storage(PlQconvKind kind) {
  return kind == PL_QCONV_HYBRID ? PL_QCONV_INT8 : kind;
}

/* dst[i] = x[at + i] - zp for i < n, x of the given storage. */
static inline void pl_qconv_widen(int16_t* dst, const void* x,
                                  PlQconvKind storage, int64_t at, int64_t n,
                                  int32_t zp) {
  switch (storage) {
    case PL_QCONV_UINT8: {
      const uint8_t* s = (const uint8_t*)x + at;
      for (int64_t i = 0; i < n; ++i) dst[i] = (int16_t)(s[i] - zp);
      break;
    }
    case PL_QCONV_INT16: {
      const int16_t* s = (const int16_t*)x + at;
      for (int64_t i = 0; i < n; ++i) dst[i] = (int16_t)(s[i] - zp);
      break;
    }
    default: {
      const int8_t* s = (const int8_t*)x + at;
      for (int64_t i = 0; i < n; ++i) dst[i] = (int16_t)(s[i] - zp);
      break;
    }
  }
}

/* x[k] - zp as int32, x of the given storage. */
static inline int32_t pl_qconv_load(const void* x, PlQconvKind storage,
                                    int64_t k, int32_t zp) {
  switch (storage) {
    case PL_QCONV_UINT8: return (int32_t)((const uint8_t*)x)[k] - zp;
    case PL_QCONV_INT16: return (int32_t)((const int16_t*)x)[k] - zp;
    default: return (int32_t)((const int8_t*)x)[k] - zp;
  }
}

/* The same int32 GEMM with b packed once (at prepare) by pl_qgemm_pack:
 * blocks of 8 rows of b (columns of the result), their k values in pairs,
 * so that the AVX2 kernel multiplies 4 rows of a by 8 columns with one
 * pairwise multiply-add per 2 values of k. Sums are exact modulo 2^32, so
 * the results equal pl_qgemm_i32's on every path. */
int64_t pl_qgemm_packed_size(int64_t n, int64_t k); /* int16 values */
void pl_qgemm_pack(const int16_t* b, int64_t n, int64_t k, int16_t* packed);
void pl_qgemm_i32_packed(const int16_t* a, int64_t lda, const int16_t* packed,
                         int64_t m, int64_t n, int64_t k, int32_t* acc,
                         int64_t ldc);

/* DEPTHWISE_CONV_2D with a depth multiplier of 1 on an int8 (u8 false) or
 * uint8 (u8 true) input, for `pixels` output pixels: with the sums
 *   s[p][j] = init[j] + sum_t row(p, t)[j] * w[t * channels + j]
 * for j < channels, wrapping in int32 (row(p, t) points at tap t's input
 * pixel of pixel p, see PlQdwArgs), it stores s into sums[p * channels + j]
 * when out is NULL, else the output stage
 *   y[p * ldy + j] = clamp(pl_q_mul(s[p][j], multiplier[j], shift[j])
 *                          + zero_point, lo, hi)
 * as int8 (or uint8 when u8; lo and hi in that type's range). The zero
 * point is the caller's: padding taps point at a row of zero points and
 * init holds -zp * sum_t w (plus the bias), which gives the reference's
 * sum of w * (x - zp) over the taps inside, modulo 2^32. w is the int16
 * filter [taps, channels]; the vector paths read it packed once by
 * pl_qdw_pack and keep the sums in registers until their output stage.
 * AVX2 (and AVX-512 VNNI's fused multiply-add when present): blocks of 16
 * channels, a last one of 8, taps in interleaved pairs for one pairwise
 * multiply-add per two taps; the portable path and the last channels % 8
 * read w. int8 inputs with AVX-512 VNNI and VBMI: the bytes of 4 taps
 * regrouped per channel and flipped to unsigned, one dot-product
 * instruction per 4 taps of 16 channels; blocks of 64 channels first
 * (regrouped by unpacks), then of 16 (by a byte permute, a last one
 * masked). */
typedef struct PlQdwOut {
  const int32_t* multiplier; /* per channel */
  const int* shift;
  int32_t zero_point, lo, hi;
  void* y;
  int64_t ldy;
} PlQdwOut;
/* Where pixel p's tap t reads its row: pixels in [inner_begin, inner_end)
 * (those whose taps are all inside the input) at the byte address base +
 * p * step + pattern[t], the others at the address table[p * taps + t]. */
typedef struct PlQdwArgs {
  const intptr_t* table;
  int64_t inner_begin, inner_end;
  uintptr_t base;
  int64_t step;
  const intptr_t* pattern;
  bool u8;
  bool bytes; /* packed is the byte form (pl_qdw_pack's result) */
  const void* packed;
  const int16_t* w;
  int64_t taps, channels, pixels;
  const int32_t* init;
  int32_t* sums;       /* out NULL */
  const PlQdwOut* out; /* or NULL */
} PlQdwArgs;
/* Sizes in bytes; u8 as PlQdwArgs.u8. pl_qdw_pack returns whether it
 * packed the byte form (what PlQdwArgs.bytes must say): the form depends
 * on the vector level, and a level lowered after packing (tests) runs the
 * byte form's packing on the portable path, from w. */
int64_t pl_qdw_packed_size(int64_t taps, int64_t channels, bool u8);
bool pl_qdw_pack(const int16_t* w, int64_t taps, int64_t channels, bool u8,
                 void* packed);
void pl_qdw(const PlQdwArgs* args);

/* The int8 (and hybrid) CONV_2D's GEMM and output stage on CPUs with
 * AVX-512 VNNI (pl_qdot_available): with the sums
 *   acc[i][j] = init[j] + sum_d a[i * lda + d] * w[j * k + d]
 * for i < m, j < n, d < k, wrapping in int32, it stores
 *   y[i * ldy + j] = clamp(pl_q_mul(acc[i][j], multiplier[j], shift[j])
 *                          + zero_point, lo, hi)
 * as int8 (pl_q_requantize_row's arithmetic, lo and hi int8 values), or
 * the sums themselves (hybrid). a is uint8 and w int8 (the filter's own
 * values, row j at w + j * k), packed once by pl_qdot_pack in blocks of 16
 * columns and 4 values of k (one dot-product instruction per 4 k x 16
 * columns; the sums never leave registers before their output stage, an
 * AVX-512 form of pl_q_mul, quant_avx512.h). Rows
 * of a are read up to pl_qdot_depth(k) (the padding's weights are 0, its
 * values need only be readable). The caller stores x + 128 for an int8 x
 * and puts -(zp + 128) * wsum[j] (wsum from the pack) and the bias into
 * init: the reference's sum of w * (x - zp), padding taps stored as zp
 * contributing 0, modulo 2^32. pl_qdot also runs (slowly, for tests)
 * without VNNI. */
typedef struct PlQdotOut {
  const int32_t* multiplier; /* per column, as init */
  const int* shift;
  int32_t zero_point, lo, hi;
  int8_t* y;
  int64_t ldy;
  /* Or, when set: the sums themselves, row i at sums + i * ldy. */
  int32_t* sums;
} PlQdotOut;
static inline int64_t pl_qdot_depth(int64_t k) { return (k + 3) / 4 * 4; }
bool pl_qdot_available(void); /* pl_simd_vnni() where the path is built */
int64_t pl_qdot_packed_size(int64_t n, int64_t k); /* bytes */
void pl_qdot_pack(const int8_t* w, int64_t n, int64_t k, int8_t* packed,
                  int32_t* wsum);
void pl_qdot(const uint8_t* a, int64_t lda, const int8_t* packed,
             const int32_t* init, int64_t m, int64_t n, int64_t k,
             const PlQdotOut* out);
/* pl_qdot on rows made of segs segments of seg_k values, seg_step bytes
 * apart (row i's segment g at a + i * lda + g * seg_step, read up to
 * pl_qdot_depth(seg_k)): an implicit im2col, a convolution reading its
 * filter rows in place. The weights are packed by pl_qdot_pack with k =
 * segs * pl_qdot_depth(seg_k), each segment's padding 0. pl_qdot is the
 * case of one segment. */
void pl_qdot_seg(const uint8_t* a, int64_t lda, int64_t segs,
                 int64_t seg_step, int64_t seg_k, const int8_t* packed,
                 const int32_t* init, int64_t m, int64_t n,
                 const PlQdotOut* out);

/* The integer GEMM of the quantized CONV_2D: acc[i * ldc + j] =
 * sum_d a[i * lda + d] * b[j * k + d] for i < m, j < n, with wrapping
 * int32 or int64 sums of int16 products. AVX2 when the CPU has it (the
 * sums are exact integers: the same on every path). */
void pl_qgemm_i32(const int16_t* a, int64_t lda, const int16_t* b, int64_t m,
                  int64_t n, int64_t k, int32_t* acc, int64_t ldc);
void pl_qgemm_i64(const int16_t* a, int64_t lda, const int16_t* b, int64_t m,
                  int64_t n, int64_t k, int64_t* acc, int64_t ldc);

#endif /* PYLITE_KERNELS_INTERNAL_QUANT_CONV_H_ */
