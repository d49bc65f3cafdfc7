/* pylite: see binary_compare.h. */
#include "capi/kernels/internal/binary_compare.h"

typedef struct CompareStrings {
  const TfLiteTensor* a;
  const TfLiteTensor* b;
  bool* out;
  bool equal; /* EQUAL, else NOT_EQUAL */
} CompareStrings;

void pl_compare_row_none(void* out, const void* const* in, const int64_t* step,
                         int64_t n, const void* ctx) {
  (void)out, (void)in, (void)step, (void)n, (void)ctx;
}

static void compare_strings_visit(void* ctx, int64_t out_off,
                                  const int64_t* in_off, const int64_t* step,
                                  int64_t n) {
  const CompareStrings* c = ctx;
  for (int64_t i = 0; i < n; ++i) {
    const char *pa = NULL, *pb = NULL;
    size_t la = 0, lb = 0;
    pl_string_get(c->a, (int32_t)(in_off[0] + i * step[0]), &pa, &la);
    pl_string_get(c->b, (int32_t)(in_off[1] + i * step[1]), &pb, &lb);
    const bool same = la == lb && (la == 0 || memcmp(pa, pb, la) == 0);
    c->out[out_off + i] = same == c->equal;
  }
}

TfLiteStatus pl_compare_strings(PlSubgraph* sg, PlNode* node,
                                const PlBinaryOp* op, bool equal) {
  const TfLiteTensor* in[2] = {pl_input(sg, node, 0), pl_input(sg, node, 1)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  int dims[PL_MAX_RANK];
  int rank = 0;
  PL_ENSURE_OK(pl_bin_eval_shape(sg, op->name, 2, in, output, dims, &rank));
  for (int k = 0; k < 2; ++k) {
    if (!pl_string_valid(in[k]) ||
        pl_string_count(in[k]) != pl_num_elements(in[k])) {
      pl_report(sg, "%s input %d is not a valid string tensor of %lld items.",
                op->name, k, (long long)pl_num_elements(in[k]));
      return kTfLiteError;
    }
  }
  PlBcast plan;
  const TfLiteIntArray* d[2] = {in[0]->dims, in[1]->dims};
  if (!pl_bcast_plan(&plan, 2, d, dims, rank)) return kTfLiteOk;
  CompareStrings c = {in[0], in[1], output->data.b, equal};
  pl_bcast_walk(&plan, compare_strings_visit, &c);
  return kTfLiteOk;
}
