/* pylite: see binary_select.h. */
#include "capi/kernels/internal/binary_select.h"

/* Rows by element size: values are copied as bits. */
#define PL_SELECT_ROW(NAME, T)                                           \
  static void NAME(void* out_, const void* const* in, const int64_t* step, \
                   int64_t n, const void* ctx) {                         \
    const bool* c = (const bool*)in[0];                                  \
    const T* x = (const T*)in[1];                                        \
    const T* y = (const T*)in[2];                                        \
    T* o = (T*)out_;                                                     \
    const int64_t sc = step[0], sx = step[1], sy = step[2];              \
    (void)ctx;                                                           \
    if (sc && sx && sy) {                                                \
      for (int64_t i = 0; i < n; ++i) o[i] = c[i] ? x[i] : y[i];         \
    } else {                                                             \
      for (int64_t i = 0; i < n; ++i)                                    \
        o[i] = c[i * sc] ? x[i * sx] : y[i * sy];                        \
    }                                                                    \
  }
PL_SELECT_ROW(select_row_1, uint8_t)
PL_SELECT_ROW(select_row_2, uint16_t)
PL_SELECT_ROW(select_row_4, uint32_t)
PL_SELECT_ROW(select_row_8, uint64_t)
#undef PL_SELECT_ROW

/* A TfLiteIntArray with room for PL_MAX_RANK dims, on the stack. */
typedef struct SelectDims {
  int size;
  int data[PL_MAX_RANK];
} SelectDims;

/* The element size of a supported value type, or 0. */
static size_t select_elem(TfLiteType t) {
  switch (t) {
    case kTfLiteBool:
    case kTfLiteInt8:
    case kTfLiteUInt8:
      return 1;
    case kTfLiteInt16:
      return 2;
    case kTfLiteInt32:
    case kTfLiteFloat32:
      return 4;
    case kTfLiteInt64:
    case kTfLiteFloat64:
      return 8;
    default:
      return 0;
  }
}

/* For SELECT v1: the condition's dims as they broadcast against x: a rank-1
 * condition of x's first dim becomes [d0, 1, ..., 1]. */
static void select_v1_cond_dims(const TfLiteTensor* cond,
                                const TfLiteTensor* x, SelectDims* out) {
  if (cond->dims->size == 1 && x->dims->size > 1) {
    out->size = x->dims->size;
    out->data[0] = cond->dims->data[0];
    for (int i = 1; i < out->size; ++i) out->data[i] = 1;
  } else {
    out->size = cond->dims->size;
    for (int i = 0; i < out->size; ++i) out->data[i] = cond->dims->data[i];
  }
}

TfLiteStatus pl_select_prepare(PlSubgraph* sg, PlNode* node, bool v2) {
  const char* name = v2 ? "SELECT_V2" : "SELECT";
  PL_ENSURE_OK(pl_bin_check_arity(sg, node, name, 3, 1));
  const TfLiteTensor* in[3] = {pl_input(sg, node, 0), pl_input(sg, node, 1),
                               pl_input(sg, node, 2)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  if (in[0]->type != kTfLiteBool) {
    pl_report(sg, "%s condition must be BOOL, got %s.", name,
              TfLiteTypeGetName(in[0]->type));
    return kTfLiteError;
  }
  if (in[1]->type != in[2]->type || in[1]->type != output->type) {
    pl_report(sg, "%s needs x, y and output of one type, got %s, %s -> %s.",
              name, TfLiteTypeGetName(in[1]->type),
              TfLiteTypeGetName(in[2]->type), TfLiteTypeGetName(output->type));
    return kTfLiteError;
  }
  if (select_elem(in[1]->type) == 0) {
    pl_report(sg, "%s supports bool, int8, uint8, int16, int32, int64, float32 "
              "and float64, got %s.", name, TfLiteTypeGetName(in[1]->type));
    return kTfLiteError;
  }
  if (v2) {
    int dims[PL_MAX_RANK];
    int rank = 0;
    PL_ENSURE_OK(pl_bcast_prepare_shape(sg, name, 3, in, dims, &rank));
    return pl_resize(sg, output, rank, dims);
  }
  char s0[160], s1[160], s2[160];
  pl_shape_string(in[0]->dims, s0, sizeof(s0));
  pl_shape_string(in[1]->dims, s1, sizeof(s1));
  pl_shape_string(in[2]->dims, s2, sizeof(s2));
  if (!pl_same_shape(in[1], in[2])) {
    pl_report(sg, "SELECT needs x and y of one shape, got %s and %s.", s1, s2);
    return kTfLiteError;
  }
  const bool ok = pl_same_shape(in[0], in[1]) || in[0]->dims->size == 0 ||
                  (in[0]->dims->size == 1 && in[1]->dims->size >= 1 &&
                   in[0]->dims->data[0] == in[1]->dims->data[0]);
  if (!ok) {
    pl_report(sg, "SELECT condition %s must have x's shape %s, be a scalar, "
              "or be 1-D of x's first dim.", s0, s1);
    return kTfLiteError;
  }
  return pl_resize_like(sg, output, in[1]->dims);
}

TfLiteStatus pl_select_eval(PlSubgraph* sg, PlNode* node, bool v2) {
  const char* name = v2 ? "SELECT_V2" : "SELECT";
  const TfLiteTensor* in[3] = {pl_input(sg, node, 0), pl_input(sg, node, 1),
                               pl_input(sg, node, 2)};
  TfLiteTensor* output = pl_output(sg, node, 0);
  SelectDims cond_dims;
  const TfLiteIntArray* d[3] = {in[0]->dims, in[1]->dims, in[2]->dims};
  int dims[PL_MAX_RANK];
  int rank = 0;
  if (!v2) {
    if (in[0]->dims->size > PL_MAX_RANK || in[1]->dims->size > PL_MAX_RANK) {
      pl_report(sg, "SELECT inputs may have at most %d dims.", PL_MAX_RANK);
      return kTfLiteError;
    }
    select_v1_cond_dims(in[0], in[1], &cond_dims);
    d[0] = (const TfLiteIntArray*)&cond_dims;
    if (!pl_bcast_shape(3, d, dims, &rank) ||
        !TfLiteIntArrayEqualsArray(output->dims, rank, dims) ||
        !pl_same_shape(in[1], output)) {
      pl_report(sg, "SELECT input shapes changed since prepare.");
      return kTfLiteError;
    }
  } else {
    PL_ENSURE_OK(pl_bin_eval_shape(sg, name, 3, in, output, dims, &rank));
  }
  PlBcast plan;
  if (!pl_bcast_plan(&plan, 3, d, dims, rank)) return kTfLiteOk; /* empty */
  const size_t elem = select_elem(output->type);
  PlBinRowFn row = elem == 1   ? select_row_1
                   : elem == 2 ? select_row_2
                   : elem == 4 ? select_row_4
                               : select_row_8;
  PlBcastRun run = {
      .out = output->data.raw,
      .out_elem = elem,
      .in = {in[0]->data.raw_const, in[1]->data.raw_const,
             in[2]->data.raw_const},
      .in_elem = {1, elem, elem},
      .num_in = 3,
      .row = row,
      .ctx = NULL,
  };
  pl_bcast_run(&plan, &run);
  return kTfLiteOk;
}
