/* pylite: UNSORTED_SEGMENT_MAX, the max of data slices grouped by segment
 * id.
 *
 * As TFLite's builtin UNSORTED_SEGMENT_MAX; the semantics shared by the four
 * unsorted segment reductions are in internal/indexing_segment.h. */
#include "capi/kernels/internal/indexing_segment.h"

static TfLiteStatus us_max_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_segment_prepare(sg, node, "UNSORTED_SEGMENT_MAX");
}

static TfLiteStatus us_max_eval(PlSubgraph* sg, PlNode* node) {
  return pl_segment_eval(sg, node, "UNSORTED_SEGMENT_MAX", kPlSegmentMax);
}

const PlKernel pl_kernel_unsorted_segment_max = {
    .name = "UNSORTED_SEGMENT_MAX",
    .prepare = us_max_prepare,
    .eval = us_max_eval,
    .types = "float32, int32 (segment_ids int32)",
};
