/* pylite: SLICE, a contiguous box of the input.
 *
 * As TFLite's builtin SLICE: begin (input 1) and size (input 2) are 1-D
 * int32 or int64 tensors with one entry per input dim; a size of -1 means
 * "to the end of the dim"; each box must lie inside the input (0 <= begin,
 * begin + size <= dim). Every type moves, strings included; any rank
 * (TFLite stops at 5). Non-constant begin or size make the output
 * dynamic. */
#include <stdint.h>
#include <stdlib.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"

enum { kInput = 0, kBegin = 1, kSize = 2, kOutput = 0 };

typedef struct SliceData {
  bool known;     /* constant begin and size: box set in prepare */
  PlShapeBox box;
} SliceData;

static TfLiteStatus slice_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(SliceData));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void slice_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* Reads begin and size into a box and the output dims. */
static TfLiteStatus slice_box(PlSubgraph* sg, const PlNode* node,
                              PlShapeBox* box, int* dims) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* begin_t = pl_input(sg, node, kBegin);
  const TfLiteTensor* size_t_ = pl_input(sg, node, kSize);
  const int rank = input->dims->size;
  if (begin_t->dims->size != 1 || begin_t->dims->data[0] != rank ||
      size_t_->dims->size != 1 || size_t_->dims->data[0] != rank) {
    pl_report(sg, "SLICE: begin %s and size %s must be 1-D with one entry "
              "per dim of input shape %s.", PL_SHAPE_STR(begin_t->dims),
              PL_SHAPE_STR(size_t_->dims), PL_SHAPE_STR(input->dims));
    return kTfLiteError;
  }
  int64_t begin[PL_MAX_RANK], size[PL_MAX_RANK];
  PL_ENSURE_OK(pl_shape_read_ints(sg, "SLICE", "begin", begin_t, begin,
                                  PL_MAX_RANK, NULL));
  PL_ENSURE_OK(pl_shape_read_ints(sg, "SLICE", "size", size_t_, size,
                                  PL_MAX_RANK, NULL));
  int64_t strides[PL_MAX_RANK];
  pl_shape_strides(input->dims->data, rank, strides);
  box->rank = rank;
  box->offset = 0;
  for (int i = 0; i < rank; ++i) {
    const int64_t dim = input->dims->data[i];
    const int64_t n = size[i] == -1 ? dim - begin[i] : size[i];
    if (begin[i] < 0 || begin[i] > dim || n < 0 || n > dim - begin[i]) {
      pl_report(sg, "SLICE: begin %lld and size %lld do not fit dim %d of "
                "input shape %s.", (long long)begin[i], (long long)size[i], i,
                PL_SHAPE_STR(input->dims));
      return kTfLiteError;
    }
    dims[i] = (int)n;
    box->extent[i] = n;
    box->stride[i] = strides[i];
    box->offset += begin[i] * strides[i];
  }
  return kTfLiteOk;
}

static bool slice_known(PlSubgraph* sg, const PlNode* node) {
  return pl_is_constant(pl_input(sg, node, kBegin)) &&
         pl_is_constant(pl_input(sg, node, kSize));
}

static TfLiteStatus slice_prepare(PlSubgraph* sg, PlNode* node) {
  SliceData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "SLICE", 3, 3, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "SLICE", "output", output, input));
  if (pl_input(sg, node, kBegin)->type != pl_input(sg, node, kSize)->type) {
    pl_report(sg, "SLICE: begin (%s) and size (%s) must have one type.",
              TfLiteTypeGetName(pl_input(sg, node, kBegin)->type),
              TfLiteTypeGetName(pl_input(sg, node, kSize)->type));
    return kTfLiteError;
  }
  data->known = slice_known(sg, node);
  if (!data->known) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int dims[PL_MAX_RANK];
  PL_ENSURE_OK(slice_box(sg, node, &data->box, dims));
  return pl_resize(sg, output, data->box.rank, dims);
}

static TfLiteStatus slice_eval(PlSubgraph* sg, PlNode* node) {
  SliceData* data = node->user_data;
  if (data->known)
    return pl_shape_run1(sg, node, "SLICE", pl_shape_box_move, &data->box);
  PlShapeBox box;
  int dims[PL_MAX_RANK];
  PL_ENSURE_OK(slice_box(sg, node, &box, dims));
  PL_ENSURE_OK(pl_resize(sg, pl_output(sg, node, kOutput), box.rank, dims));
  return pl_shape_run1(sg, node, "SLICE", pl_shape_box_move, &box);
}

/* The output is a part of the input when the box is contiguous. */
static bool slice_view(PlSubgraph* sg, const PlNode* node, int i, int* input,
                       size_t* offset) {
  (void)i;
  const SliceData* data = node->user_data;
  return data->known && pl_shape_box_view(&data->box,
                                          pl_input(sg, node, kInput), kInput,
                                          input, offset);
}

const PlKernel pl_kernel_slice = {
    .name = "SLICE",
    .init = slice_init,
    .free = slice_free,
    .prepare = slice_prepare,
    .eval = slice_eval,
    .view = slice_view,
    .types = "any fixed-size type, string",
};
