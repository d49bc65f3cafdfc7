/* pylite: UNSORTED_SEGMENT_SUM, the sum of data slices grouped by segment
 * id.
 *
 * As TFLite's builtin UNSORTED_SEGMENT_SUM; the semantics shared by the four
 * unsorted segment reductions are in internal/indexing_segment.h. */
#include "capi/kernels/internal/indexing_segment.h"

static TfLiteStatus us_sum_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_segment_prepare(sg, node, "UNSORTED_SEGMENT_SUM");
}

static TfLiteStatus us_sum_eval(PlSubgraph* sg, PlNode* node) {
  return pl_segment_eval(sg, node, "UNSORTED_SEGMENT_SUM", kPlSegmentSum);
}

const PlKernel pl_kernel_unsorted_segment_sum = {
    .name = "UNSORTED_SEGMENT_SUM",
    .prepare = us_sum_prepare,
    .eval = us_sum_eval,
    .types = "float32, int32 (segment_ids int32)",
};
