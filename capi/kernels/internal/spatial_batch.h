/* pylite: SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (one layout, two
 * directions).
 *
 * Input [N, H, W, C] (or [N, H, C], taken as W = 1); block_shape (input 1)
 * an int32 vector of one value per spatial dim (2, or 1 for rank 3), each
 * >= 1; input 2 an int32 [spatial dims, 2] matrix of paddings (SPACE_TO_
 * BATCH_ND) or crops (BATCH_TO_SPACE_ND), each >= 0. With blocks (bh, bw):
 *   SPACE_TO_BATCH_ND: output [N*bh*bw, (H+pt+pb)/bh, (W+pl+pr)/bw, C], the
 *     padded sizes multiples of the blocks; output batch (i*bw + j)*N + n
 *     row y col x is padded input [n][y*bh + i][x*bw + j] (the pad value is
 *     0, or the output zero point when quantized).
 *   BATCH_TO_SPACE_ND: N a multiple of bh*bw; output [N/(bh*bw),
 *     H*bh - ct - cb, W*bw - cl - cr, C] (each >= 0), the inverse with
 *     crops instead of padding.
 * Non-constant block_shape or paddings/crops make the output dynamic. */
#ifndef PYLITE_KERNELS_INTERNAL_SPATIAL_BATCH_H_
#define PYLITE_KERNELS_INTERNAL_SPATIAL_BATCH_H_

#include "capi/kernels/internal/spatial_util.h"

typedef struct PlSpatialBatch {
  const char* op;
  bool to_batch;
  int rank;
  int64_t block[2];  /* bh, bw */
  int64_t pad[2][2]; /* [dim][before, after]: paddings or crops */
  int64_t in[4];     /* input as [N, H, W, C] */
  int64_t out[4];    /* output as [N, H, W, C] */
} PlSpatialBatch;

/* Reads the block and pads, checks them against the input, computes the
 * output dims. */
PL_SPATIAL_FN TfLiteStatus pl_spatial_batch_layout(PlSubgraph* sg,
                                                   const PlNode* node,
                                                   PlSpatialBatch* c) {
  const char* op = c->op;
  const char* pads_name = c->to_batch ? "paddings" : "crops";
  const TfLiteTensor* input = pl_input(sg, node, 0);
  const TfLiteTensor* block = pl_input(sg, node, 1);
  const TfLiteTensor* pads = pl_input(sg, node, 2);
  const int rank = input->dims->size;
  if (rank != 3 && rank != 4) {
    pl_report(sg, "%s: input must have 3 or 4 dims, got shape %s.", op,
              PL_SHAPE_STR(input->dims));
    return kTfLiteError;
  }
  const int spatial = rank - 2;
  if (block->type != kTfLiteInt32 || pads->type != kTfLiteInt32) {
    pl_report(sg, "%s: block_shape and %s must be int32, got %s and %s.",
              op, pads_name, TfLiteTypeGetName(block->type),
              TfLiteTypeGetName(pads->type));
    return kTfLiteError;
  }
  if (block->dims->size != 1 || block->dims->data[0] != spatial) {
    pl_report(sg, "%s: block_shape must have shape [%d] for input shape %s, "
              "got %s.", op, spatial, PL_SHAPE_STR(input->dims),
              PL_SHAPE_STR(block->dims));
    return kTfLiteError;
  }
  if (pads->dims->size != 2 || pads->dims->data[0] != spatial ||
      pads->dims->data[1] != 2) {
    pl_report(sg, "%s: %s must have shape [%d,2] for input shape %s, got "
              "%s.", op, pads_name, spatial, PL_SHAPE_STR(input->dims),
              PL_SHAPE_STR(pads->dims));
    return kTfLiteError;
  }
  if (!block->data.raw_const || !pads->data.raw_const) {
    pl_report(sg, "%s: block_shape or %s has no data.", op, pads_name);
    return kTfLiteError;
  }
  c->rank = rank;
  c->in[0] = input->dims->data[0];
  c->in[1] = input->dims->data[1];
  c->in[2] = rank == 4 ? input->dims->data[2] : 1;
  c->in[3] = input->dims->data[rank - 1];
  c->block[1] = 1;
  c->pad[1][0] = c->pad[1][1] = 0;
  int64_t prod = 1;
  for (int i = 0; i < spatial; ++i) {
    c->block[i] = block->data.i32[i];
    c->pad[i][0] = pads->data.i32[2 * i];
    c->pad[i][1] = pads->data.i32[2 * i + 1];
    if (c->block[i] < 1) {
      pl_report(sg, "%s: block_shape[%d] = %lld must be >= 1.", op, i,
                (long long)c->block[i]);
      return kTfLiteError;
    }
    if (c->pad[i][0] < 0 || c->pad[i][1] < 0) {
      pl_report(sg, "%s: %s[%d] = [%lld, %lld] must be >= 0.", op, pads_name,
                i, (long long)c->pad[i][0], (long long)c->pad[i][1]);
      return kTfLiteError;
    }
    prod *= c->block[i];
  }
  c->out[3] = c->in[3];
  if (c->to_batch) {
    c->out[0] = c->in[0] * prod;
    for (int i = 0; i < 2; ++i) {
      const int64_t padded = c->in[1 + i] + c->pad[i][0] + c->pad[i][1];
      if (padded % c->block[i] != 0) {
        pl_report(sg, "%s: padded dim %d of input %s is %lld, not a multiple "
                  "of block_shape[%d] = %lld.", op, 1 + i,
                  PL_SHAPE_STR(input->dims),
                  (long long)padded, i, (long long)c->block[i]);
        return kTfLiteError;
      }
      c->out[1 + i] = padded / c->block[i];
    }
  } else {
    if (c->in[0] % prod != 0) {
      pl_report(sg, "%s: input batch of shape %s is not a multiple of the "
                "block size %lld.", op, PL_SHAPE_STR(input->dims),
                (long long)prod);
      return kTfLiteError;
    }
    c->out[0] = c->in[0] / prod;
    for (int i = 0; i < 2; ++i) {
      const int64_t full = c->in[1 + i] * c->block[i];
      const int64_t o = full - c->pad[i][0] - c->pad[i][1];
      if (o < 0) {
        pl_report(sg, "%s: crops [%lld, %lld] exceed dim %d of the uncropped "
                  "output (%lld) for input %s.", op, (long long)c->pad[i][0],
                  (long long)c->pad[i][1], 1 + i, (long long)full,
                  PL_SHAPE_STR(input->dims));
        return kTfLiteError;
      }
      c->out[1 + i] = o;
    }
  }
  return kTfLiteOk;
}

/* The output dims in the input's rank. */
static inline void pl_spatial_batch_out_dims(const PlSpatialBatch* c,
                                             int64_t* dims) {
  dims[0] = c->out[0];
  dims[1] = c->out[1];
  if (c->rank == 4) dims[2] = c->out[2];
  dims[c->rank - 1] = c->out[3];
}

PL_SPATIAL_FN TfLiteStatus pl_spatial_batch_prepare(PlSubgraph* sg,
                                                    PlNode* node,
                                                    bool to_batch) {
  PlSpatialBatch c = {.op = to_batch ? "SPACE_TO_BATCH_ND"
                                     : "BATCH_TO_SPACE_ND",
                      .to_batch = to_batch};
  PL_ENSURE_OK(pl_shape_arity(sg, node, c.op, 3, 3, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, 0);
  TfLiteTensor* output = pl_output(sg, node, 0);
  PL_ENSURE_OK(pl_spatial_check_move(sg, c.op, input, output));
  if (!pl_is_constant(pl_input(sg, node, 1)) ||
      !pl_is_constant(pl_input(sg, node, 2))) {
    const int rank = input->dims->size;
    if (rank != 3 && rank != 4) {
      char is[160];
      pl_shape_string(input->dims, is, sizeof(is));
      pl_report(sg, "%s: input must have 3 or 4 dims, got shape %s.", c.op,
                is);
      return kTfLiteError;
    }
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  PL_ENSURE_OK(pl_spatial_batch_layout(sg, node, &c));
  int64_t dims[4];
  pl_spatial_batch_out_dims(&c, dims);
  return pl_spatial_resize64(sg, c.op, output, c.rank, dims);
}

PL_SPATIAL_FN TfLiteStatus pl_spatial_batch_eval(PlSubgraph* sg, PlNode* node,
                                                 bool to_batch) {
  PlSpatialBatch c = {.op = to_batch ? "SPACE_TO_BATCH_ND"
                                     : "BATCH_TO_SPACE_ND",
                      .to_batch = to_batch};
  PL_ENSURE_OK(pl_spatial_batch_layout(sg, node, &c));
  TfLiteTensor* output = pl_output(sg, node, 0);
  const TfLiteTensor* input = pl_input(sg, node, 0);
  int64_t dims[4];
  pl_spatial_batch_out_dims(&c, dims);
  if (!pl_is_constant(pl_input(sg, node, 1)) ||
      !pl_is_constant(pl_input(sg, node, 2)))
    PL_ENSURE_OK(pl_spatial_resize64(sg, c.op, output, c.rank, dims));
  PL_ENSURE_OK(pl_spatial_same_dims(sg, c.op, output, c.rank, dims));
  if (pl_num_elements(output) == 0) return kTfLiteOk;
  const int64_t e = (int64_t)pl_type_size(input->type);
  const size_t row = (size_t)(c.in[3] * e);
  const char* src = input->data.raw_const;
  char* dst = output->data.raw;
  if (to_batch) {
    /* Padding: 0, or the zero point of a quantized output. */
    if (pl_shape_is_quantized(output) && output->params.zero_point != 0) {
      const int32_t zp = output->params.zero_point;
      const int16_t z16 = (int16_t)zp;
      char value[2];
      if (e == 1) value[0] = (char)zp;
      else memcpy(value, &z16, 2);
      pl_shape_fill(dst, pl_num_elements(output), value, (size_t)e);
    } else {
      memset(dst, 0, (size_t)(pl_num_elements(output) * e));
    }
  }
  /* Walk the batch-side tensor; each pixel maps to one space-side pixel
   * (or to padding / a cropped pixel, skipped). */
  const int64_t* bt = to_batch ? c.out : c.in;   /* batch side */
  const int64_t* sp = to_batch ? c.in : c.out;   /* space side */
  const int64_t n_space = sp[0];
  for (int64_t ob = 0; ob < bt[0]; ++ob) {
    const int64_t n = ob % n_space, shift = ob / n_space;
    const int64_t i = shift / c.block[1], j = shift % c.block[1];
    for (int64_t y = 0; y < bt[1]; ++y) {
      const int64_t sy = y * c.block[0] + i - c.pad[0][0];
      if (sy < 0 || sy >= sp[1]) continue;
      for (int64_t x = 0; x < bt[2]; ++x) {
        const int64_t sx = x * c.block[1] + j - c.pad[1][0];
        if (sx < 0 || sx >= sp[2]) continue;
        const int64_t b_off = ((ob * bt[1] + y) * bt[2] + x) * c.in[3];
        const int64_t s_off = ((n * sp[1] + sy) * sp[2] + sx) * c.in[3];
        if (to_batch) memcpy(dst + b_off * e, src + s_off * e, row);
        else memcpy(dst + s_off * e, src + b_off * e, row);
      }
    }
  }
  return kTfLiteOk;
}

#endif /* PYLITE_KERNELS_INTERNAL_SPATIAL_BATCH_H_ */
