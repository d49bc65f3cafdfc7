/* pylite: BATCH_MATMUL, batched matrix product with broadcast batch dims.
 *
 * As TFLite's builtin BATCH_MATMUL for float32: lhs and rhs have rank 2 to
 * 5; their last two dims are the matrices ([rows, depth] and [depth, cols],
 * each transposed first when adj_x / adj_y is set); the leading dims are
 * batch dims, right-aligned and broadcast numpy-style (equal, or 1). The
 * output is [broadcast batch..., rows, cols] of rank max(ranks). Each output
 * is one float sum over depth in increasing order from 0, as the reference
 * kernel; no bias, no clamp. Zero-sized dims give an empty output, depth 0
 * gives zeros.
 *
 * Quantized, as LiteRT's reference kernel (no fused activation; outputs
 * clamped to their type's range):
 *   - int8 x int8 -> int8: acc = sum (lhs - lhs_zp) * (rhs - rhs_zp) in
 *     int32, scaled by the fixed-point multiplier of float(lhs_scale *
 *     rhs_scale) / output_scale (pl_q_mul), plus the output zero point;
 *   - int8 x int8 -> int32: the raw sum of products (zero points unused);
 *   - int16 x int16 and int16 x int8 -> int16 (zero points 0): the same in
 *     int64 with the 64-bit multiply (pl_q_mul64).
 *   Operands are quantized per tensor.
 * Hybrid: float32 lhs, int8 rhs (per tensor, or per channel along the
 * output columns), float32 output: each lhs row is quantized to int8 on the
 * fly (symmetric, or asymmetric with asymmetric_quantize_inputs;
 * internal/quant_matmul.h); out = factor * scale * (dot - rhs column sum *
 * row zero point), the correction computed in float and truncated to int32
 * as LiteRT does.
 *
 * Implementation: the rhs matrices are packed for the shared GEMM
 * (internal/gemm.h) once per eval (once in prepare when rhs is a
 * constant), all of them side by side unless that takes much memory, and
 * the products then run in one parallel loop over their rows; otherwise
 * one matrix at a time, each product split over the threads by rows. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/gemm.h"
#include "capi/kernels/internal/quant.h"
#include "capi/kernels/internal/quant_matmul.h"

enum { kLhs = 0, kRhs = 1, kOutput = 0 };
enum { kMaxRank = 5 };

/* Schema BuiltinOptions union type and BatchMatMulOptions field ids. */
enum { kBatchMatMulOptionsType = 101 };
enum { kFieldAdjX = 0, kFieldAdjY = 1, kFieldAsymmetricQuantizeInputs = 2 };

typedef enum BmmMode {
  kBmmFloat = 0,
  kBmmHybrid,   /* float lhs, int8 rhs */
  kBmmInt8,     /* int8 x int8 -> int8 */
  kBmmInt8To32, /* int8 x int8 -> int32 */
  kBmmInt16,    /* int16 x int16 or int8 -> int16 */
} BmmMode;

typedef struct BmmData {
  bool adj_x, adj_y, asymmetric;
  BmmMode mode;
  int32_t multiplier;
  int shift;
  /* Hybrid scratch: lhs rows copied contiguous, quantized, their factors
   * and offsets, rhs column sums, per-column weight scales. */
  float* rows;
  int8_t* qrows;
  float* factors;
  int32_t* offsets;
  int32_t* col_sums;
  float* col_scales;
  size_t rows_cap, nrows_cap, cols_cap;
  /* int8 x int8 scratch: one matrix's lhs rows and rhs columns made
   * contiguous (when adj_x / adj_y do not already make them so), their
   * sums. */
  int8_t* qpack;
  int32_t* qsums;
  size_t qpack_cap, qsums_cap;
  float* packed;
  size_t packed_floats;
  int64_t packed_mats; /* rhs matrices packed side by side (float) */
  bool packed_ready;   /* packed in prepare: a constant rhs */
} BmmData;

/* Floats of packed rhs above which the matrices are packed one at a time
 * (1 MiB: a bound on the memory this costs per node, as packing pads
 * columns to 16; attention's rhs, 4 x 128 x 64, takes 128 KiB). */
enum { kPackAllFloats = 1 << 18 };

static TfLiteStatus bmm_init(PlSubgraph* sg, PlNode* node) {
  BmmData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kBatchMatMulOptionsType) {
    d->adj_x = pl_fb_bool(&node->def->builtin_options, kFieldAdjX, false);
    d->adj_y = pl_fb_bool(&node->def->builtin_options, kFieldAdjY, false);
    d->asymmetric = pl_fb_bool(&node->def->builtin_options,
                               kFieldAsymmetricQuantizeInputs, false);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void bmm_free(PlNode* node) {
  BmmData* d = node->user_data;
  if (d) {
    free(d->packed);
    free(d->qpack);
    free(d->qsums);
    free(d->rows);
    free(d->qrows);
    free(d->factors);
    free(d->offsets);
    free(d->col_sums);
    free(d->col_scales);
  }
  free(d);
  node->user_data = NULL;
}

/* The operands' dims extended on the left to kMaxRank with 1s. */
static void bmm_extend(const TfLiteIntArray* dims, int* out) {
  const int pad = kMaxRank - dims->size;
  for (int i = 0; i < kMaxRank; ++i) out[i] = i < pad ? 1 : dims->data[i - pad];
}

static TfLiteStatus bmm_check_types(PlSubgraph* sg, BmmData* d,
                                    const TfLiteTensor* lhs,
                                    const TfLiteTensor* rhs,
                                    const TfLiteTensor* output) {
  const TfLiteType l = lhs->type, r = rhs->type, o = output->type;
  if (l == kTfLiteFloat32 && r == kTfLiteFloat32 && o == kTfLiteFloat32) {
    d->mode = kBmmFloat;
  } else if (l == kTfLiteFloat32 && r == kTfLiteInt8 && o == kTfLiteFloat32) {
    d->mode = kBmmHybrid;
  } else if (l == kTfLiteInt8 && r == kTfLiteInt8 && o == kTfLiteInt8) {
    d->mode = kBmmInt8;
  } else if (l == kTfLiteInt8 && r == kTfLiteInt8 && o == kTfLiteInt32) {
    d->mode = kBmmInt8To32;
  } else if (l == kTfLiteInt16 && (r == kTfLiteInt16 || r == kTfLiteInt8) &&
             o == kTfLiteInt16) {
    d->mode = kBmmInt16;
  } else {
    pl_report(sg, "BATCH_MATMUL: %s lhs, %s rhs and %s output is not "
              "supported (yet); supported: float32, int8 -> int8 or int32, "
              "int16 x int16 or int8 -> int16, float32 x int8 hybrid.",
              TfLiteTypeGetName(l), TfLiteTypeGetName(r),
              TfLiteTypeGetName(o));
    return kTfLiteError;
  }
  static const char op[] = "BATCH_MATMUL";
  if (d->mode == kBmmInt8 || d->mode == kBmmInt16) {
    const PlQuantRule rule = {-1, d->mode == kBmmInt16};
    PL_ENSURE_OK(pl_q_check(sg, op, "lhs", lhs, &rule));
    PL_ENSURE_OK(pl_q_check(sg, op, "rhs", rhs, &rule));
    PL_ENSURE_OK(pl_q_check(sg, op, "output", output, &rule));
    /* As TFLite: the scale product is taken in float. */
    const float product = pl_q_params(lhs).scale * pl_q_params(rhs).scale;
    pl_q_multiplier((double)product / (double)pl_q_params(output).scale,
                    &d->multiplier, &d->shift);
  } else if (d->mode == kBmmHybrid) {
    const int rank = rhs->dims->size;
    const PlQuantRule rule = {rank >= 2 ? (d->adj_y ? rank - 2 : rank - 1) : -1,
                              true};
    PL_ENSURE_OK(pl_q_check(sg, op, "rhs", rhs, &rule));
  }
  return kTfLiteOk;
}

/* Grows a scratch array to `count` elements of `size` bytes. */
static bool bmm_grow(void** p, size_t* cap, size_t count, size_t size) {
  if (count <= *cap) return true;
  void* q = realloc(*p, (count ? count : 1) * size);
  if (!q) return false;
  *p = q;
  *cap = count;
  return true;
}

static TfLiteStatus bmm_prepare(PlSubgraph* sg, PlNode* node) {
  BmmData* d = node->user_data;
  PL_ENSURE(sg, d != NULL);
  if (pl_num_inputs(node) != 2 || pl_num_outputs(node) != 1) {
    pl_report(sg, "BATCH_MATMUL takes 2 inputs and 1 output, got %d and %d.",
              pl_num_inputs(node), pl_num_outputs(node));
    return kTfLiteError;
  }
  const TfLiteTensor* lhs = pl_input(sg, node, kLhs);
  const TfLiteTensor* rhs = pl_input(sg, node, kRhs);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE(sg, lhs != NULL);
  PL_ENSURE(sg, rhs != NULL);
  PL_ENSURE(sg, output != NULL);
  PL_ENSURE_OK(bmm_check_types(sg, d, lhs, rhs, output));
  const int lr = lhs->dims->size, rr = rhs->dims->size;
  if (lr < 2 || lr > kMaxRank || rr < 2 || rr > kMaxRank) {
    pl_report(sg,
              "BATCH_MATMUL operands must have rank 2 to %d, got lhs %s and "
              "rhs %s.",
              kMaxRank, PL_SHAPE_STR(lhs->dims), PL_SHAPE_STR(rhs->dims));
    return kTfLiteError;
  }
  int l[kMaxRank], r[kMaxRank], o[kMaxRank];
  bmm_extend(lhs->dims, l);
  bmm_extend(rhs->dims, r);
  const int rows = d->adj_x ? l[4] : l[3];
  const int depth = d->adj_x ? l[3] : l[4];
  const int rdepth = d->adj_y ? r[4] : r[3];
  const int cols = d->adj_y ? r[3] : r[4];
  if (depth != rdepth) {
    pl_report(sg,
              "BATCH_MATMUL inner dims differ: lhs %s (adj_x %d) has depth "
              "%d, rhs %s (adj_y %d) has depth %d.",
              PL_SHAPE_STR(lhs->dims), d->adj_x, depth,
              PL_SHAPE_STR(rhs->dims), d->adj_y, rdepth);
    return kTfLiteError;
  }
  for (int i = 0; i < kMaxRank - 2; ++i) {
    if (l[i] != r[i] && l[i] != 1 && r[i] != 1) {
      pl_report(sg,
                "BATCH_MATMUL batch dims of lhs %s and rhs %s do not "
                "broadcast.",
                PL_SHAPE_STR(lhs->dims), PL_SHAPE_STR(rhs->dims));
      return kTfLiteError;
    }
    o[i] = l[i] == 1 ? r[i] : l[i];
  }
  o[3] = rows;
  o[4] = cols;
  if (d->mode != kBmmFloat) {
    if (d->mode == kBmmHybrid) {
      const int64_t lb = (int64_t)l[0] * l[1] * l[2];
      const int64_t rb = (int64_t)r[0] * r[1] * r[2];
      size_t cap_rows = d->rows_cap, cap_q = d->rows_cap;
      size_t cap_f = d->nrows_cap, cap_o = d->nrows_cap;
      size_t cap_s = d->cols_cap, cap_c = d->cols_cap;
      const size_t nrows = (size_t)(lb * rows);
      const size_t cells = nrows * (size_t)depth;
      const size_t ncols = (size_t)(rb * cols);
      if (!bmm_grow((void**)&d->rows, &cap_rows, cells, sizeof(float)) ||
          !bmm_grow((void**)&d->qrows, &cap_q, cells, 1) ||
          !bmm_grow((void**)&d->factors, &cap_f, nrows, sizeof(float)) ||
          !bmm_grow((void**)&d->offsets, &cap_o, nrows, sizeof(int32_t)) ||
          !bmm_grow((void**)&d->col_sums, &cap_s, ncols, sizeof(int32_t)) ||
          !bmm_grow((void**)&d->col_scales, &cap_c, ncols, sizeof(float))) {
        pl_report(sg, "BATCH_MATMUL: out of memory for the hybrid scratch.");
        return kTfLiteError;
      }
      d->rows_cap = cap_rows < cap_q ? cap_rows : cap_q;
      d->nrows_cap = cap_f < cap_o ? cap_f : cap_o;
      d->cols_cap = cap_s < cap_c ? cap_s : cap_c;
    }
    if ((d->mode == kBmmInt8 || d->mode == kBmmInt8To32) &&
        (!bmm_grow((void**)&d->qpack, &d->qpack_cap,
                   (size_t)(rows + cols) * (size_t)depth, 1) ||
         !bmm_grow((void**)&d->qsums, &d->qsums_cap, (size_t)(rows + cols),
                   sizeof(int32_t)))) {
      pl_report(sg, "BATCH_MATMUL: out of memory for the int8 scratch.");
      return kTfLiteError;
    }
    const int out_rank_q = lr > rr ? lr : rr;
    return pl_resize(sg, output, out_rank_q, o + (kMaxRank - out_rank_q));
  }
  const int64_t per = pl_gemm_packed_size(cols, depth);
  const int64_t rmats = (int64_t)r[0] * r[1] * r[2];
  d->packed_mats = per * rmats <= kPackAllFloats ? rmats : 1;
  const int64_t need = per * d->packed_mats;
  if ((size_t)need > d->packed_floats) {
    float* p = realloc(d->packed, (size_t)need * sizeof(float));
    if (!p) {
      pl_report(sg, "BATCH_MATMUL: out of memory.");
      return kTfLiteError;
    }
    d->packed = p;
    d->packed_floats = (size_t)need;
  }
  d->packed_ready = false;
  if (pl_is_constant(rhs) && rhs->data.raw && d->packed_mats == rmats) {
    for (int64_t i = 0; i < rmats; ++i)
      pl_gemm_pack(rhs->data.f + i * (int64_t)r[3] * r[4], cols, depth,
                   d->adj_y ? depth : 1, d->adj_y ? 1 : cols,
                   d->packed + i * per);
    d->packed_ready = true;
  }
  const int out_rank = lr > rr ? lr : rr;
  return pl_resize(sg, output, out_rank, o + (kMaxRank - out_rank));
}

/* ---- quantized and hybrid ---------------------------------------------- */

/* Element accessors honouring adj_x / adj_y: lhs (i, k) and rhs (k, j) of
 * one matrix. */
#define BMM_L(i, k) (d->adj_x ? (k) * rows + (i) : (i) * depth + (k))
#define BMM_R(k, j) (d->adj_y ? (j) * depth + (k) : (k) * cols + (j))

/* One int8 x int8 matrix (kBmmInt8, kBmmInt8To32) into `out` (rows x
 * cols, int8 or int32). lhs rows and rhs columns become contiguous
 * depth-long vectors (copied into the scratch when adj_x / adj_y leave
 * them strided) and each output is one dot product; the zero points enter
 * through the sums, sum (l - lzp)(r - rzp) = dot - rzp sum l - lzp sum r +
 * depth lzp rzp, exact in the wrapping int32 arithmetic of the
 * accumulation itself. */
static void bmm_int8_matrix(const BmmData* d, const int8_t* lm,
                            const int8_t* rm, int64_t rows, int64_t depth,
                            int64_t cols, int32_t lzp, int32_t rzp,
                            int32_t ozp, int64_t out_at,
                            TfLiteTensor* output) {
  int8_t* lpack = d->qpack;
  int8_t* rpack = d->qpack + rows * depth;
  if (d->adj_x) {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t k = 0; k < depth; ++k)
        lpack[i * depth + k] = lm[BMM_L(i, k)];
    lm = lpack;
  }
  if (!d->adj_y) {
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t k = 0; k < depth; ++k)
        rpack[j * depth + k] = rm[BMM_R(k, j)];
    rm = rpack;
  }
  int32_t* lsum = d->qsums;
  int32_t* rsum = d->qsums + rows;
  const bool offsets = d->mode == kBmmInt8;
  if (offsets) {
    pl_qmm_row_sums(lm, rows, depth, lsum);
    pl_qmm_row_sums(rm, cols, depth, rsum);
  }
  const uint32_t zz = (uint32_t)depth * (uint32_t)lzp * (uint32_t)rzp;
  /* Chunks of a row: the dot products (pl_qmm_dots_s8), then the zero
   * points' terms as a bias and the vectorized output stage. */
  enum { kDots = 64 };
  int32_t dots[kDots], bias[kDots], mult[kDots];
  int shifts[kDots];
  for (int k = 0; k < kDots; ++k) {
    mult[k] = d->multiplier;
    shifts[k] = d->shift;
  }
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; j += kDots) {
      const int64_t n = cols - j < kDots ? cols - j : kDots;
      const int64_t at = out_at + i * cols + j;
      pl_qmm_dots_s8(lm + i * depth, rm + j * depth, n, depth, dots);
      if (!offsets) {
        memcpy(output->data.i32 + at, dots, sizeof(int32_t) * (size_t)n);
        continue;
      }
      for (int64_t k = 0; k < n; ++k)
        bias[k] = (int32_t)(zz - (uint32_t)rzp * (uint32_t)lsum[i] -
                            (uint32_t)lzp * (uint32_t)rsum[j + k]);
      pl_q_requantize_row(dots, bias, mult, shifts, ozp, -128, 127,
                          kTfLiteInt8, output->data.int8 + at, n);
    }
  }
}

/* The batch strides of lhs and rhs, in matrices (0 along broadcast dims),
 * and the output's batch dims, from the operands' 5-D shapes. */
static void bmm_batch_strides(const int* l, const int* r, int64_t ls[3],
                              int64_t rs[3], int64_t ob[3]) {
  int64_t lstep = 1, rstep = 1;
  for (int i = 2; i >= 0; --i) {
    ls[i] = l[i] == 1 ? 0 : lstep;
    rs[i] = r[i] == 1 ? 0 : rstep;
    lstep *= l[i];
    rstep *= r[i];
    ob[i] = l[i] == 1 ? r[i] : l[i];
  }
}

static void bmm_eval_quantized(const BmmData* d, const TfLiteTensor* lhs,
                               const TfLiteTensor* rhs, TfLiteTensor* output,
                               const int* l, const int* r) {
  const int64_t rows = d->adj_x ? l[4] : l[3];
  const int64_t depth = d->adj_x ? l[3] : l[4];
  const int64_t cols = d->adj_y ? r[3] : r[4];
  const int64_t lmat = (int64_t)l[3] * l[4], rmat = (int64_t)r[3] * r[4];
  int64_t ls[3], rs[3], ob[3];
  bmm_batch_strides(l, r, ls, rs, ob);
  const int32_t lzp = pl_q_params(lhs).zero_point;
  const int32_t rzp = pl_q_params(rhs).zero_point;
  const int32_t ozp = pl_q_params(output).zero_point;
  int64_t out = 0;
  for (int64_t b0 = 0; b0 < ob[0]; ++b0) {
    for (int64_t b1 = 0; b1 < ob[1]; ++b1) {
      for (int64_t b2 = 0; b2 < ob[2]; ++b2) {
        const int64_t lbase = (b0 * ls[0] + b1 * ls[1] + b2 * ls[2]) * lmat;
        const int64_t rbase = (b0 * rs[0] + b1 * rs[1] + b2 * rs[2]) * rmat;
        if (d->mode != kBmmInt16) {
          bmm_int8_matrix(d, lhs->data.int8 + lbase, rhs->data.int8 + rbase,
                          rows, depth, cols, lzp, rzp, ozp, out, output);
          out += rows * cols;
          continue;
        }
        for (int64_t i = 0; i < rows; ++i) {
          for (int64_t j = 0; j < cols; ++j, ++out) {
            /* kBmmInt16: zero points are 0 */
            int64_t acc = 0;
            for (int64_t k = 0; k < depth; ++k) {
              const int64_t rv = rhs->type == kTfLiteInt8
                                     ? rhs->data.int8[rbase + BMM_R(k, j)]
                                     : rhs->data.i16[rbase + BMM_R(k, j)];
              acc += (int64_t)lhs->data.i16[lbase + BMM_L(i, k)] * rv;
            }
            int32_t v = pl_q_mul64(acc, d->multiplier, d->shift);
            v = pl_q_clamp((int32_t)((uint32_t)v + (uint32_t)ozp), -32768,
                           32767);
            output->data.i16[out] = (int16_t)v;
          }
        }
      }
    }
  }
}

static void bmm_eval_hybrid(BmmData* d, const TfLiteTensor* lhs,
                            const TfLiteTensor* rhs, TfLiteTensor* output,
                            const int* l, const int* r) {
  const int64_t rows = d->adj_x ? l[4] : l[3];
  const int64_t depth = d->adj_x ? l[3] : l[4];
  const int64_t cols = d->adj_y ? r[3] : r[4];
  const int64_t lmat = (int64_t)l[3] * l[4], rmat = (int64_t)r[3] * r[4];
  const int64_t lb = (int64_t)l[0] * l[1] * l[2];
  const int64_t rb = (int64_t)r[0] * r[1] * r[2];
  /* Every lhs row made contiguous, then quantized on its own. */
  for (int64_t b = 0; b < lb; ++b)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t k = 0; k < depth; ++k)
        d->rows[(b * rows + i) * depth + k] = lhs->data.f[b * lmat + BMM_L(i, k)];
  pl_qmm_quantize_rows(d->rows, lb * rows, depth, d->asymmetric, d->qrows,
                       d->factors, d->offsets);
  const TfLiteAffineQuantization* q = rhs->quantization.params;
  const bool per_channel = q->scale->size > 1;
  if (!per_channel) {
    for (int64_t i = 0; i < lb * rows; ++i) d->factors[i] *= q->scale->data[0];
  }
  for (int64_t b = 0; b < rb; ++b) {
    for (int64_t j = 0; j < cols; ++j) {
      uint32_t sum = 0;
      for (int64_t k = 0; k < depth; ++k)
        sum += (uint32_t)(int32_t)rhs->data.int8[b * rmat + BMM_R(k, j)];
      d->col_sums[b * cols + j] = (int32_t)sum;
    }
  }
  int64_t ls[3], rs[3], ob[3];
  bmm_batch_strides(l, r, ls, rs, ob);
  int64_t out = 0;
  for (int64_t b0 = 0; b0 < ob[0]; ++b0) {
    for (int64_t b1 = 0; b1 < ob[1]; ++b1) {
      for (int64_t b2 = 0; b2 < ob[2]; ++b2) {
        const int64_t li = b0 * ls[0] + b1 * ls[1] + b2 * ls[2];
        const int64_t ri = b0 * rs[0] + b1 * rs[1] + b2 * rs[2];
        for (int64_t i = 0; i < rows; ++i) {
          const int8_t* qrow = d->qrows + (li * rows + i) * depth;
          const float factor = d->factors[li * rows + i];
          const float offset = (float)d->offsets[li * rows + i];
          for (int64_t j = 0; j < cols; ++j, ++out) {
            uint32_t dot = 0;
            for (int64_t k = 0; k < depth; ++k)
              dot += (uint32_t)((int32_t)qrow[k] *
                                (int32_t)rhs->data.int8[ri * rmat + BMM_R(k, j)]);
            /* As LiteRT: int32 total -= int32 sum * float offset, in float,
             * truncated back to int32. */
            const float corrected =
                (float)(int32_t)dot - (float)d->col_sums[ri * cols + j] * offset;
            const int32_t total = pl_qmm_to_int32(corrected);
            float scale = factor;
            if (per_channel) scale *= q->scale->data[j];
            output->data.f[out] = 0.0f + scale * (float)total;
          }
        }
      }
    }
  }
}

#undef BMM_L
#undef BMM_R

/* ---- float32 ------------------------------------------------------------- */

/* One float product's operands, for the packing and product loops. */
typedef struct BmmFloat {
  const BmmData* d;
  const float* lhs;
  const float* rhs;
  float* y;
  int64_t rows, depth, cols, lmat, rmat, per;
  int64_t ls[3], rs[3], ob[3];
} BmmFloat;

/* Packs rhs matrix `index` into dst. */
static void bmm_pack(const BmmFloat* f, int64_t index, float* dst) {
  const bool adj_y = f->d->adj_y;
  pl_gemm_pack(f->rhs + index * f->rmat, f->cols, f->depth,
               adj_y ? f->depth : 1, adj_y ? 1 : f->cols, dst);
}

static void bmm_pack_task(void* ctx, int64_t begin, int64_t end,
                          int worker) {
  const BmmFloat* f = ctx;
  for (int64_t i = begin; i < end; ++i)
    bmm_pack(f, i, f->d->packed + i * f->per);
}

/* The product of output matrix `index` (batch dims flattened), its rhs
 * packed at `packed`. */
static void bmm_gemm(const BmmFloat* f, int64_t index, const float* packed,
                     PlGemm* g) {
  const int64_t b2 = index % f->ob[2], b1 = index / f->ob[2] % f->ob[1],
                b0 = index / f->ob[2] / f->ob[1];
  const int64_t li = b0 * f->ls[0] + b1 * f->ls[1] + b2 * f->ls[2];
  const bool adj_x = f->d->adj_x;
  *g = (PlGemm){
      .a = f->lhs + li * f->lmat, .sai = adj_x ? 1 : f->depth,
      .sad = adj_x ? f->rows : 1, .m = f->rows,
      .packed = packed, .n = f->cols, .k = f->depth,
      .bias = NULL, .y = f->y + index * f->rows * f->cols, .ldy = f->cols,
      .lo = -INFINITY, .hi = INFINITY,
  };
}

static int64_t bmm_rhs_index(const BmmFloat* f, int64_t index) {
  const int64_t b2 = index % f->ob[2], b1 = index / f->ob[2] % f->ob[1],
                b0 = index / f->ob[2] / f->ob[1];
  return b0 * f->rs[0] + b1 * f->rs[1] + b2 * f->rs[2];
}

static void bmm_gemm_at(const void* ctx, int64_t index, PlGemm* g) {
  const BmmFloat* f = ctx;
  bmm_gemm(f, index, f->d->packed + bmm_rhs_index(f, index) * f->per, g);
}

static void bmm_eval_float(PlSubgraph* sg, BmmData* d,
                           const TfLiteTensor* lhs, const TfLiteTensor* rhs,
                           TfLiteTensor* output, const int* l, const int* r) {
  BmmFloat f = {
      .d = d, .lhs = lhs->data.f, .rhs = rhs->data.f, .y = output->data.f,
      .rows = d->adj_x ? l[4] : l[3], .depth = d->adj_x ? l[3] : l[4],
      .cols = d->adj_y ? r[3] : r[4], .lmat = (int64_t)l[3] * l[4],
      .rmat = (int64_t)r[3] * r[4],
  };
  f.per = pl_gemm_packed_size(f.cols, f.depth);
  bmm_batch_strides(l, r, f.ls, f.rs, f.ob);
  const int64_t rmats = (int64_t)r[0] * r[1] * r[2];
  const int64_t outs = f.ob[0] * f.ob[1] * f.ob[2];
  if (d->packed_mats == rmats) {
    /* Packing streams memory: about a unit of work per float. */
    if (!d->packed_ready)
      pl_parallel_for_cost(sg, rmats, f.per, bmm_pack_task, &f);
    pl_gemm_many(sg, outs, bmm_gemm_at, &f);
    return;
  }
  /* One rhs matrix at a time (packed_mats is 1). */
  int64_t packed_for = -1;
  for (int64_t i = 0; i < outs; ++i) {
    const int64_t ri = bmm_rhs_index(&f, i);
    if (ri != packed_for) {
      bmm_pack(&f, ri, d->packed);
      packed_for = ri;
    }
    PlGemm g;
    bmm_gemm(&f, i, d->packed, &g);
    pl_gemm(sg, &g);
  }
}

static TfLiteStatus bmm_eval(PlSubgraph* sg, PlNode* node) {
  BmmData* d = node->user_data;
  const TfLiteTensor* lhs = pl_input(sg, node, kLhs);
  const TfLiteTensor* rhs = pl_input(sg, node, kRhs);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  int l[kMaxRank], r[kMaxRank];
  bmm_extend(lhs->dims, l);
  bmm_extend(rhs->dims, r);
  if (pl_num_elements(output) == 0) return kTfLiteOk;
  if (d->mode == kBmmHybrid) {
    bmm_eval_hybrid(d, lhs, rhs, output, l, r);
    return kTfLiteOk;
  }
  if (d->mode != kBmmFloat) {
    bmm_eval_quantized(d, lhs, rhs, output, l, r);
    return kTfLiteOk;
  }
  bmm_eval_float(sg, d, lhs, rhs, output, l, r);
  return kTfLiteOk;
}

const PlKernel pl_kernel_batch_matmul = {
    .name = "BATCH_MATMUL",
    .init = bmm_init,
    .free = bmm_free,
    .prepare = bmm_prepare,
    .eval = bmm_eval,
    .types = "float32, int8 (int8 or int32 output), int16 (int16 or int8 "
             "rhs), hybrid float32 with int8 rhs",
};
