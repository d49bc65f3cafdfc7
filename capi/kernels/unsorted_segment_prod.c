/* pylite: UNSORTED_SEGMENT_PROD, the prod of data slices grouped by segment
 * id.
 *
 * As TFLite's builtin UNSORTED_SEGMENT_PROD; the semantics shared by the four
 * unsorted segment reductions are in internal/indexing_segment.h. */
#include "capi/kernels/internal/indexing_segment.h"

static TfLiteStatus us_prod_prepare(PlSubgraph* sg, PlNode* node) {
  return pl_segment_prepare(sg, node, "UNSORTED_SEGMENT_PROD");
}

static TfLiteStatus us_prod_eval(PlSubgraph* sg, PlNode* node) {
  return pl_segment_eval(sg, node, "UNSORTED_SEGMENT_PROD", kPlSegmentProd);
}

const PlKernel pl_kernel_unsorted_segment_prod = {
    .name = "UNSORTED_SEGMENT_PROD",
    .prepare = us_prod_prepare,
    .eval = us_prod_eval,
    .types = "float32, int32 (segment_ids int32)",
};
