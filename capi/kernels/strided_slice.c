/* pylite: STRIDED_SLICE, a strided box of the input with masks.
 *
 * As TFLite's builtin STRIDED_SLICE (begin, end, strides: 1-D int32 or
 * int64 tensors of one length; StridedSliceOptions masks, bit i for entry
 * i):
 *  - ellipsis_mask: the entry stands for as many full dims as the input has
 *    beyond the other entries; new_axis_mask: the entry inserts a dim of
 *    size 1 (ignored where the ellipsis bit is also set); entries past the
 *    end of begin cover whole dims;
 *  - begin_mask / end_mask: that begin / end is ignored (the whole range in
 *    the stride's direction); otherwise negative values count from the end
 *    and are clamped to the dim ([0, dim] forwards, [-1, dim - 1]
 *    backwards);
 *  - shrink_axis_mask: the dim keeps only its begin element and is dropped;
 *  - offset: end is relative to the (resolved) begin and is not clamped.
 * Each stride must be non-zero. Every type moves, strings included, at any
 * rank (TFLite stops at 5).
 *
 * Stricter than TFLite, which reads outside the input in these cases: a
 * shrunk dim whose begin lies outside [-dim, dim), and an offset slice
 * leaving the input, are errors. With offset, a set end_mask keeps its
 * usual meaning (TFLite overflows). Non-constant begin, end or strides make
 * the output dynamic. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kBegin = 1, kEnd = 2, kStrides = 3, kOutput = 0 };

/* Schema BuiltinOptions union type and StridedSliceOptions field ids. */
enum { kStridedSliceOptionsType = 32 };
enum {
  kFieldBeginMask = 0,
  kFieldEndMask = 1,
  kFieldEllipsisMask = 2,
  kFieldNewAxisMask = 3,
  kFieldShrinkAxisMask = 4,
  kFieldOffset = 5,
};

typedef struct StridedSliceData {
  int32_t begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask;
  bool offset;
  bool known;      /* constant begin, end and strides: box set in prepare */
  PlShapeBox box;
} StridedSliceData;

static TfLiteStatus ss_init(PlSubgraph* sg, PlNode* node) {
  StridedSliceData* data = calloc(1, sizeof(*data));
  if (!data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  if (node->def->builtin_options_type == kStridedSliceOptionsType) {
    const PlFbTable* o = &node->def->builtin_options;
    data->begin_mask = pl_fb_i32(o, kFieldBeginMask, 0);
    data->end_mask = pl_fb_i32(o, kFieldEndMask, 0);
    data->ellipsis_mask = pl_fb_i32(o, kFieldEllipsisMask, 0);
    data->new_axis_mask = pl_fb_i32(o, kFieldNewAxisMask, 0);
    data->shrink_mask = pl_fb_i32(o, kFieldShrinkAxisMask, 0);
    data->offset = pl_fb_bool(o, kFieldOffset, false);
  }
  node->user_data = data;
  return kTfLiteOk;
}

static void ss_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

static inline bool bit(int64_t mask, int i) {
  return i >= 0 && i < 32 && ((mask >> i) & 1);
}

static inline int64_t clamp64(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

static const int64_t kIndexBound = (int64_t)1 << 40;

/* One resolved dim of the effective (masks expanded) index space. */
typedef struct SsDim {
  int64_t begin, end, stride;
  bool begin_masked, end_masked, shrink, new_axis;
  int input_dim; /* -1 for a new axis */
} SsDim;

static TfLiteStatus ss_compute(PlSubgraph* sg, const PlNode* node,
                               PlShapeBox* box, int* dims, int* rank_out) {
  const StridedSliceData* d = node->user_data;
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* begin_t = pl_input(sg, node, kBegin);
  const TfLiteTensor* end_t = pl_input(sg, node, kEnd);
  const TfLiteTensor* strides_t = pl_input(sg, node, kStrides);
  const int rank = input->dims->size;
  if (begin_t->dims->size != 1 || end_t->dims->size != 1 ||
      strides_t->dims->size != 1 ||
      end_t->dims->data[0] != begin_t->dims->data[0] ||
      strides_t->dims->data[0] != begin_t->dims->data[0]) {
    pl_report(sg, "STRIDED_SLICE: begin, end and strides must be 1-D of one "
              "length.");
    return kTfLiteError;
  }
  const int count = begin_t->dims->data[0];
  int64_t begin[PL_MAX_RANK], end[PL_MAX_RANK], stride[PL_MAX_RANK];
  if (count > PL_MAX_RANK) {
    pl_report(sg, "STRIDED_SLICE: begin has %d entries (limit %d).", count,
              PL_MAX_RANK);
    return kTfLiteError;
  }
  PL_ENSURE_OK(pl_shape_read_ints(sg, "STRIDED_SLICE", "begin", begin_t,
                                  begin, PL_MAX_RANK, NULL));
  PL_ENSURE_OK(pl_shape_read_ints(sg, "STRIDED_SLICE", "end", end_t, end,
                                  PL_MAX_RANK, NULL));
  PL_ENSURE_OK(pl_shape_read_ints(sg, "STRIDED_SLICE", "strides", strides_t,
                                  stride, PL_MAX_RANK, NULL));
  /* int64 indices far beyond any dim act as if clamped; bounding them
   * keeps the arithmetic below from overflowing. */
  for (int i = 0; i < count; ++i) {
    begin[i] = clamp64(begin[i], -kIndexBound, kIndexBound);
    end[i] = clamp64(end[i], -kIndexBound, kIndexBound);
    stride[i] = clamp64(stride[i], -kIndexBound, kIndexBound);
  }

  /* Expand the ellipsis and new axes as TFLite does. */
  int num_add = 0;
  for (int i = 0; i < count; ++i)
    if (!bit(d->ellipsis_mask, i) && bit(d->new_axis_mask, i)) ++num_add;
  const int eff = rank + num_add;
  if (eff > PL_MAX_RANK) {
    pl_report(sg, "STRIDED_SLICE: %d dims after new axes (limit %d).", eff,
              PL_MAX_RANK);
    return kTfLiteError;
  }
  int64_t ell_mask = 0, na_mask = 0;
  int ell_start = eff, expanded = 0;
  for (int i = 0; i < eff;) {
    if (bit(d->ellipsis_mask, i)) {
      ell_start = i;
      int last = i + 1 + num_add + rank - count;
      if (last > eff) last = eff;
      if (last < i + 1) last = i + 1;
      expanded = last - ell_start - 1;
      for (; i < last; ++i) ell_mask |= (int64_t)1 << i;
      continue;
    }
    if (bit(d->new_axis_mask, i - expanded)) na_mask |= (int64_t)1 << i;
    ++i;
  }
  SsDim dim[PL_MAX_RANK];
  int added_ell = 0, added_axes = 0;
  for (int i = 0; i < eff; ++i) {
    SsDim* e = &dim[i];
    *e = (SsDim){0, 0, 1, false, false, false, false, i - added_axes};
    if (bit(ell_mask, i)) {
      added_ell = i - ell_start > 0 ? i - ell_start : 0;
      e->begin_masked = e->end_masked = true;
    } else if (bit(na_mask, i)) {
      e->end = 1;
      e->new_axis = true;
      e->input_dim = -1;
      ++added_axes;
    } else if (i >= count + expanded) {
      e->begin_masked = e->end_masked = true;
    } else {
      const int k = i - added_ell;
      if (k < 0 || k >= count) {
        pl_report(sg, "STRIDED_SLICE: the masks do not fit input shape %s.",
                  PL_SHAPE_STR(input->dims));
        return kTfLiteError;
      }
      e->begin = begin[k], e->end = end[k], e->stride = stride[k];
      e->begin_masked = bit(d->begin_mask, k);
      e->end_masked = bit(d->end_mask, k);
      e->shrink = bit(d->shrink_mask, k);
    }
    if (!e->new_axis && (e->input_dim < 0 || e->input_dim >= rank)) {
      pl_report(sg, "STRIDED_SLICE: the masks do not fit input shape %s.",
                PL_SHAPE_STR(input->dims));
      return kTfLiteError;
    }
  }

  int64_t in_strides[PL_MAX_RANK];
  pl_shape_strides(input->dims->data, rank, in_strides);
  box->rank = eff;
  box->offset = 0;
  int out_rank = 0;
  for (int i = 0; i < eff; ++i) {
    const SsDim* e = &dim[i];
    const int64_t n = e->new_axis ? 1 : input->dims->data[e->input_dim];
    const int64_t st = e->stride;
    if (st == 0) {
      pl_report(sg, "STRIDED_SLICE: stride %d is zero.", i);
      return kTfLiteError;
    }
    int64_t b;
    if (e->begin_masked) {
      b = st > 0 ? 0 : n - 1;
    } else {
      b = e->begin < 0 ? e->begin + n : e->begin;
      b = st > 0 ? clamp64(b, 0, n) : clamp64(b, -1, n - 1);
    }
    int64_t en;
    if (e->shrink) {
      int64_t raw = e->begin_masked ? b : (e->begin < 0 ? e->begin + n
                                                        : e->begin);
      if (raw < 0 || raw >= n) {
        pl_report(sg, "STRIDED_SLICE: shrunk index %lld is out of range for "
                  "dim %d of input shape %s.", (long long)e->begin,
                  e->input_dim,
                  PL_SHAPE_STR(input->dims));
        return kTfLiteError;
      }
      b = raw;
      en = b + 1;
    } else if (e->end_masked) {
      en = st > 0 ? n : -1;
    } else if (d->offset) {
      en = b + e->end;
    } else {
      en = e->end < 0 ? e->end + n : e->end;
      en = st > 0 ? clamp64(en, 0, n) : clamp64(en, -1, n - 1);
    }
    int64_t c = 0;
    if (e->shrink) c = 1;
    else if (st > 0 && en > b) c = (en - b + st - 1) / st;
    else if (st < 0 && b > en) c = (b - en - st - 1) / -st;
    if (c > 0 && (b < 0 || b >= n || b + (c - 1) * st < 0 ||
                  b + (c - 1) * st >= n)) {
      pl_report(sg, "STRIDED_SLICE: the slice of dim %d leaves input shape "
                "%s.", i, PL_SHAPE_STR(input->dims));
      return kTfLiteError;
    }
    if (c > INT32_MAX) c = INT32_MAX; /* cannot happen after the check */
    const int64_t in_stride = e->new_axis ? 0 : in_strides[e->input_dim];
    box->extent[i] = c;
    box->stride[i] = st * in_stride;
    if (c > 0) box->offset += b * in_stride;
    if (!e->shrink) dims[out_rank++] = (int)c;
  }
  *rank_out = out_rank;
  return kTfLiteOk;
}

static bool ss_known(PlSubgraph* sg, const PlNode* node) {
  return pl_is_constant(pl_input(sg, node, kBegin)) &&
         pl_is_constant(pl_input(sg, node, kEnd)) &&
         pl_is_constant(pl_input(sg, node, kStrides));
}

static TfLiteStatus ss_prepare(PlSubgraph* sg, PlNode* node) {
  PL_ENSURE(sg, node->user_data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "STRIDED_SLICE", 4, 4, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(
      pl_shape_check_type(sg, "STRIDED_SLICE", "output", output, input));
  const TfLiteType bt = pl_input(sg, node, kBegin)->type;
  if (pl_input(sg, node, kEnd)->type != bt ||
      pl_input(sg, node, kStrides)->type != bt) {
    pl_report(sg, "STRIDED_SLICE: begin, end and strides must have one "
              "type.");
    return kTfLiteError;
  }
  StridedSliceData* data = node->user_data;
  data->known = ss_known(sg, node);
  if (!data->known) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(ss_compute(sg, node, &data->box, dims, &rank));
  return pl_resize(sg, output, rank, dims);
}

static TfLiteStatus ss_eval(PlSubgraph* sg, PlNode* node) {
  StridedSliceData* data = node->user_data;
  if (data->known)
    return pl_shape_run1(sg, node, "STRIDED_SLICE", pl_shape_box_move,
                         &data->box);
  PlShapeBox box;
  int dims[PL_MAX_RANK], rank = 0;
  PL_ENSURE_OK(ss_compute(sg, node, &box, dims, &rank));
  PL_ENSURE_OK(pl_resize(sg, pl_output(sg, node, kOutput), rank, dims));
  return pl_shape_run1(sg, node, "STRIDED_SLICE", pl_shape_box_move, &box);
}

/* The output is a part of the input when the box is contiguous (a run of
 * rows with stride 1). */
static bool ss_view(PlSubgraph* sg, const PlNode* node, int i, int* input,
                    size_t* offset) {
  (void)i;
  const StridedSliceData* data = node->user_data;
  return data->known && pl_shape_box_view(&data->box,
                                          pl_input(sg, node, kInput), kInput,
                                          input, offset);
}

const PlKernel pl_kernel_strided_slice = {
    .name = "STRIDED_SLICE",
    .init = ss_init,
    .free = ss_free,
    .prepare = ss_prepare,
    .eval = ss_eval,
    .view = ss_view,
    .types = "any fixed-size type, string",
};
