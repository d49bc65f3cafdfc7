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
 * Quantized (int8 / int16) and hybrid forms are not supported yet;
 * asymmetric_quantize_inputs only matters for them and is ignored.
 *
 * Implementation: each rhs matrix is packed for the shared GEMM
 * (internal/gemm.h) once per eval (once in prepare when rhs is a constant
 * single matrix), and each product is split over the interpreter's threads
 * by rows. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/nn_common.h"
#include "capi/kernels/internal/gemm.h"

enum { kLhs = 0, kRhs = 1, kOutput = 0 };
enum { kMaxRank = 5 };

/* Schema BuiltinOptions union type and BatchMatMulOptions field ids. */
enum { kBatchMatMulOptionsType = 101 };
enum { kFieldAdjX = 0, kFieldAdjY = 1 };

typedef struct BmmData {
  bool adj_x, adj_y;
  float* packed;
  size_t packed_floats;
  bool packed_ready; /* packed in prepare: a constant rhs of one matrix */
} BmmData;

static TfLiteStatus bmm_init(PlSubgraph* sg, PlNode* node) {
  BmmData* d = calloc(1, sizeof(*d));
  if (!d) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kBatchMatMulOptionsType) {
    d->adj_x = pl_fb_bool(&node->def->builtin_options, kFieldAdjX, false);
    d->adj_y = pl_fb_bool(&node->def->builtin_options, kFieldAdjY, false);
  }
  node->user_data = d;
  return kTfLiteOk;
}

static void bmm_free(PlNode* node) {
  BmmData* d = node->user_data;
  if (d) free(d->packed);
  free(d);
  node->user_data = NULL;
}

/* The operands' dims extended on the left to kMaxRank with 1s. */
static void bmm_extend(const TfLiteIntArray* dims, int* out) {
  const int pad = kMaxRank - dims->size;
  for (int i = 0; i < kMaxRank; ++i) out[i] = i < pad ? 1 : dims->data[i - pad];
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
  const TfLiteTensor* ts[3] = {lhs, rhs, output};
  const char* roles[3] = {"lhs", "rhs", "output"};
  PL_ENSURE_OK(pl_nn_require_f32(sg, "BATCH_MATMUL", 3, ts, roles));
  char l_s[160], r_s[160];
  pl_shape_string(lhs->dims, l_s, sizeof(l_s));
  pl_shape_string(rhs->dims, r_s, sizeof(r_s));
  const int lr = lhs->dims->size, rr = rhs->dims->size;
  if (lr < 2 || lr > kMaxRank || rr < 2 || rr > kMaxRank) {
    pl_report(sg,
              "BATCH_MATMUL operands must have rank 2 to %d, got lhs %s and "
              "rhs %s.",
              kMaxRank, l_s, r_s);
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
              l_s, d->adj_x, depth, r_s, d->adj_y, rdepth);
    return kTfLiteError;
  }
  for (int i = 0; i < kMaxRank - 2; ++i) {
    if (l[i] != r[i] && l[i] != 1 && r[i] != 1) {
      pl_report(sg,
                "BATCH_MATMUL batch dims of lhs %s and rhs %s do not "
                "broadcast.",
                l_s, r_s);
      return kTfLiteError;
    }
    o[i] = l[i] == 1 ? r[i] : l[i];
  }
  o[3] = rows;
  o[4] = cols;
  const int64_t need = pl_gemm_packed_size(cols, depth);
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
  if (pl_is_constant(rhs) && rhs->data.raw && r[0] * r[1] * r[2] == 1) {
    pl_gemm_pack(rhs->data.f, cols, depth, d->adj_y ? depth : 1,
                 d->adj_y ? 1 : cols, d->packed);
    d->packed_ready = true;
  }
  const int out_rank = lr > rr ? lr : rr;
  return pl_resize(sg, output, out_rank, o + (kMaxRank - out_rank));
}

static TfLiteStatus bmm_eval(PlSubgraph* sg, PlNode* node) {
  BmmData* d = node->user_data;
  const TfLiteTensor* lhs = pl_input(sg, node, kLhs);
  const TfLiteTensor* rhs = pl_input(sg, node, kRhs);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  int l[kMaxRank], r[kMaxRank];
  bmm_extend(lhs->dims, l);
  bmm_extend(rhs->dims, r);
  const int64_t rows = d->adj_x ? l[4] : l[3];
  const int64_t depth = d->adj_x ? l[3] : l[4];
  const int64_t cols = d->adj_y ? r[3] : r[4];
  const int64_t lmat = (int64_t)l[3] * l[4], rmat = (int64_t)r[3] * r[4];
  /* Batch strides in matrices; 0 along broadcast dims. */
  int64_t ls[3], rs[3], ob[3];
  int64_t lstep = 1, rstep = 1;
  for (int i = 2; i >= 0; --i) {
    ls[i] = l[i] == 1 ? 0 : lstep;
    rs[i] = r[i] == 1 ? 0 : rstep;
    lstep *= l[i];
    rstep *= r[i];
    ob[i] = l[i] == 1 ? r[i] : l[i];
  }
  const int64_t sai = d->adj_x ? 1 : depth, sad = d->adj_x ? rows : 1;
  const int64_t sj = d->adj_y ? depth : 1, sk = d->adj_y ? 1 : cols;
  float* y = output->data.f;
  int64_t packed_for = d->packed_ready ? 0 : -1;
  for (int64_t b0 = 0; b0 < ob[0]; ++b0) {
    for (int64_t b1 = 0; b1 < ob[1]; ++b1) {
      for (int64_t b2 = 0; b2 < ob[2]; ++b2) {
        const int64_t li = b0 * ls[0] + b1 * ls[1] + b2 * ls[2];
        const int64_t ri = b0 * rs[0] + b1 * rs[1] + b2 * rs[2];
        if (ri != packed_for) {
          pl_gemm_pack(rhs->data.f + ri * rmat, cols, depth, sj, sk,
                       d->packed);
          packed_for = ri;
        }
        const PlGemm g = {
            .a = lhs->data.f + li * lmat, .sai = sai, .sad = sad,
            .m = rows, .packed = d->packed, .n = cols, .k = depth,
            .bias = NULL, .y = y, .ldy = cols, .lo = -INFINITY,
            .hi = INFINITY,
        };
        pl_gemm(sg, &g);
        y += rows * cols;
      }
    }
  }
  return kTfLiteOk;
}

const PlKernel pl_kernel_batch_matmul = {
    .name = "BATCH_MATMUL",
    .init = bmm_init,
    .free = bmm_free,
    .prepare = bmm_prepare,
    .eval = bmm_eval,
};
