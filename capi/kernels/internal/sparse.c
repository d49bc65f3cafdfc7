/* pylite: expanding sparse constant tensors (see sparse.h). */
#include "capi/kernels/internal/sparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The walk over the stored values, in traversal order. */
typedef struct Walk {
  const PlSparsity* sp;
  int rank;
  const int* shape;
  int32_t block_size[PL_MAX_SPARSE_LEVELS];
  size_t elem;
  const uint8_t* src;
  int64_t src_count;
  int64_t next; /* values consumed */
  uint8_t* dst;
  int32_t index[PL_MAX_SPARSE_LEVELS];
  const char* error; /* first problem found, or NULL */
} Walk;

static void walk_store(Walk* w) {
  int64_t coord[PL_MAX_RANK];
  for (int l = 0; l < w->rank; ++l)
    coord[w->sp->traversal_order[l]] = w->index[l];
  for (int l = w->rank; l < w->sp->num_levels; ++l) {
    const int b = w->sp->traversal_order[l] - w->rank;
    const int d = w->sp->block_map[b];
    coord[d] = coord[d] * w->block_size[b] + w->index[l];
  }
  int64_t flat = 0;
  for (int d = 0; d < w->rank; ++d) {
    if (coord[d] < 0 || coord[d] >= w->shape[d]) {
      w->error = "an index falls outside the tensor's shape";
      return;
    }
    flat = flat * w->shape[d] + coord[d];
  }
  if (w->next >= w->src_count) {
    w->error = "they describe more values than the buffer holds";
    return;
  }
  memcpy(w->dst + (size_t)flat * w->elem,
         w->src + (size_t)w->next * w->elem, w->elem);
  ++w->next;
}

static void walk_level(Walk* w, int level, int64_t prev) {
  if (w->error) return;
  if (level == w->sp->num_levels) {
    walk_store(w);
    return;
  }
  const PlSparseLevel* lv = &w->sp->levels[level];
  if (lv->format == PL_SPARSE_DENSE) {
    for (int32_t i = 0; i < lv->dense_size && !w->error; ++i) {
      w->index[level] = i;
      walk_level(w, level + 1, prev * lv->dense_size + i);
    }
    return;
  }
  if (prev + 1 >= (int64_t)lv->segments.len) {
    w->error = "a CSR level has too few array_segments";
    return;
  }
  const int64_t begin = pl_sparse_at(&lv->segments, (uint32_t)prev);
  const int64_t end = pl_sparse_at(&lv->segments, (uint32_t)prev + 1);
  if (begin < 0 || end < begin || end > (int64_t)lv->indices.len) {
    w->error = "a CSR level's array_segments do not fit its array_indices";
    return;
  }
  for (int64_t i = begin; i < end && !w->error; ++i) {
    w->index[level] = (int32_t)pl_sparse_at(&lv->indices, (uint32_t)i);
    walk_level(w, level + 1, i);
  }
}

/* Checks the parameters' structure and fills w->block_size; reports and
 * fails on forms not supported. */
static TfLiteStatus sparse_check(PlSubgraph* sg, const char* op,
                                 const char* name, Walk* w) {
  const PlSparsity* sp = w->sp;
  const int n = w->rank;
  const int k = sp->num_levels - n;
  if (k < 0 || k != sp->num_blocks || n > PL_MAX_RANK) {
    pl_report(sg, "%s: '%s' of rank %d has %d sparsity levels "
              "and %d block_map entries; expected rank + blocks levels.",
              op, name, n, sp->num_levels, sp->num_blocks);
    return kTfLiteError;
  }
  bool seen[PL_MAX_RANK] = {false};
  for (int l = 0; l < n; ++l) {
    const int32_t d = sp->traversal_order[l];
    if (d < 0 || d >= n || seen[d]) {
      pl_report(sg, "%s: '%s' traversal_order does not start "
                "with a permutation of its %d dims.", op, name, n);
      return kTfLiteError;
    }
    seen[d] = true;
  }
  for (int j = 0; j < k; ++j) {
    const PlSparseLevel* lv = &sp->levels[n + j];
    const int32_t d = sp->block_map[j];
    if (sp->traversal_order[n + j] != n + j || lv->format != PL_SPARSE_DENSE ||
        d < 0 || d >= n || (j > 0 && d <= sp->block_map[j - 1])) {
      pl_report(sg, "%s: '%s' has a block layout that is not "
                "supported (block levels must be DENSE, in order, with "
                "block_map increasing).", op, name);
      return kTfLiteError;
    }
    if (lv->dense_size <= 0 || w->shape[d] % lv->dense_size != 0) {
      pl_report(sg, "%s: '%s' block %d has size %d, which does "
                "not divide dim %d (%d).", op, name, j, (int)lv->dense_size,
                (int)d, w->shape[d]);
      return kTfLiteError;
    }
    w->block_size[j] = lv->dense_size;
  }
  for (int l = 0; l < sp->num_levels; ++l) {
    const PlSparseLevel* lv = &sp->levels[l];
    if (lv->format != PL_SPARSE_DENSE && lv->format != PL_SPARSE_CSR) {
      pl_report(sg, "%s: '%s' sparsity level %d has unknown "
                "format %d.", op, name, l, lv->format);
      return kTfLiteError;
    }
    if (lv->format == PL_SPARSE_CSR &&
        (lv->segments.data == NULL || lv->indices.data == NULL)) {
      pl_report(sg, "%s: '%s' sparsity level %d is SPARSE_CSR "
                "without array_segments and array_indices.", op, name, l);
      return kTfLiteError;
    }
  }
  return kTfLiteOk;
}

TfLiteStatus pl_sparse_densify(PlSubgraph* sg, const PlNode* node, int index,
                               const char* op, const char* role, void** dense,
                               size_t* bytes) {
  const TfLiteTensor* input = pl_input(sg, node, index);
  PL_ENSURE(sg, input != NULL);
  const char* name = input->name ? input->name : "";
  size_t elem = 0;
  switch (input->type) {
    case kTfLiteFloat32: elem = 4; break;
    case kTfLiteFloat16: elem = 2; break;
    case kTfLiteInt8: elem = 1; break;
    default:
      pl_report(sg, "%s: sparse %s '%s' is %s; supported types: float32, "
                "float16, int8.", op, role, name,
                TfLiteTypeGetName(input->type));
      return kTfLiteError;
  }
  if (!pl_is_constant(input)) {
    pl_report(sg, "%s: sparse %s '%s' must be a constant tensor.", op, role,
              name);
    return kTfLiteError;
  }
  PlSparsity sp;
  if (!input->sparsity || !pl_input_sparsity(sg, node, index, &sp)) {
    pl_report(sg, "%s: %s '%s' has no sparsity parameters.", op, role, name);
    return kTfLiteError;
  }
  Walk w;
  memset(&w, 0, sizeof(w));
  w.sp = &sp;
  w.rank = input->dims->size;
  w.shape = input->dims->data;
  w.elem = elem;
  PL_ENSURE_OK(sparse_check(sg, op, name, &w));

  const int64_t count = pl_num_elements(input);
  const size_t size = (size_t)count * elem;
  uint8_t* out = calloc(size ? size : 1, 1); /* 0 is all-zero bits */
  if (!out) {
    pl_report(sg, "%s: out of memory for %zu bytes.", op, size);
    return kTfLiteError;
  }
  w.src = (const uint8_t*)input->data.raw_const;
  w.src_count = w.src ? (int64_t)(input->bytes / elem) : 0;
  w.dst = out;
  if (count > 0) walk_level(&w, 0, 0);
  if (!w.error && w.next != w.src_count)
    w.error = "they describe fewer values than the buffer holds";
  if (w.error) {
    char shape[160];
    pl_shape_string(input->dims, shape, sizeof(shape));
    pl_report(sg, "%s: the sparsity parameters of %s '%s' (shape %s, %lld "
              "stored values) do not describe its buffer: %s.", op, role,
              name, shape, (long long)w.src_count, w.error);
    free(out);
    return kTfLiteError;
  }
  *dense = out;
  *bytes = size;
  return kTfLiteOk;
}
