/* pylite: UNSORTED_SEGMENT_MIN, the min of data slices grouped by segment
 * id.
 *
 * As TFLite's builtin UNSORTED_SEGMENT_MIN; the semantics shared by the four
 * unsorted segment reductions are in internal/indexing_segment.h. */
#include "capi/kernels/internal/indexing_segment.h"

static TfLiteStatus us_min_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_segment_prepare(sg, node, "UNSORTED_SEGMENT_MIN");
}

static TfLiteStatus us_min_eval(PlSubgraph* sg, PlNode* node) {
  return pl_segment_eval(sg, node, "UNSORTED_SEGMENT_MIN", kPlSegmentMin);
}

const PlKernel pl_kernel_unsorted_segment_min = {
    .name = "UNSORTED_SEGMENT_MIN",
    .prepare = us_min_prepare,
    .eval = us_min_eval,
    .types = "float32, int32 (segment_ids int32)",
};
