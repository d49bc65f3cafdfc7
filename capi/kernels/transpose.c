/* pylite: TRANSPOSE, permutes dims.
 *
 * As TFLite's builtin TRANSPOSE: input 1 is a 1-D int32 (or int64) perm
 * with one entry per input dim (at most 6), output dim i being input dim
 * perm[i]. Every type moves, strings included (TFLite's kernel has no
 * string form; this is a superset). A non-constant perm makes the output
 * dynamic.
 *
 * Stricter than TFLite: a perm that repeats a dim is an error (TFLite does
 * not check it and reads a meaningless result). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/kernel.h"
#include "capi/kernels/internal/shape_util.h"
#include "capi/kernels/internal/simd.h"

#ifdef PL_SIMD_X86
#include <immintrin.h>
#endif

enum { kInput = 0, kPerm = 1, kOutput = 0 };
enum { kMaxTransposeRank = 6 };

/* The copy a perm makes, with dims of size 1 dropped and dims adjacent in
 * both tensors merged: output element (i0..ik), stored contiguously at
 * sum i_j * dst_j, is input element sum i_j * src_j. */
typedef struct TransposeBox {
  int rank;
  bool empty; /* no elements */
  int64_t extent[kMaxTransposeRank];
  int64_t src[kMaxTransposeRank];
  int64_t dst[kMaxTransposeRank];
} TransposeBox;

typedef struct TransposeData {
  bool known; /* constant perm: the box is set in prepare */
  TransposeBox box;
} TransposeData;

static TfLiteStatus transpose_init(PlSubgraph* sg, PlNode* node) {
  node->user_data = calloc(1, sizeof(TransposeData));
  if (!node->user_data) {
    pl_report(sg, "Out of memory.");
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void transpose_free(PlNode* node) {
  free(node->user_data);
  node->user_data = NULL;
}

/* Reads and checks the perm; sets the output dims and the box. */
static TfLiteStatus read_perm(PlSubgraph* sg, const PlNode* node,
                              TransposeBox* box, int* dims) {
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  const TfLiteTensor* perm_t = pl_input(sg, node, kPerm);
  const int rank = input->dims->size;
  if (rank > kMaxTransposeRank) {
    pl_report(sg, "TRANSPOSE supports up to %d dims, got shape %s.",
              kMaxTransposeRank, PL_SHAPE_STR(input->dims));
    return kTfLiteError;
  }
  if (perm_t->dims->size != 1 || perm_t->dims->data[0] != rank) {
    pl_report(sg, "TRANSPOSE: perm of shape %s does not match input shape %s "
              "(it needs %d entries).", PL_SHAPE_STR(perm_t->dims),
              PL_SHAPE_STR(input->dims), rank);
    return kTfLiteError;
  }
  int64_t perm[kMaxTransposeRank];
  PL_ENSURE_OK(pl_shape_read_ints(sg, "TRANSPOSE", "perm", perm_t, perm,
                                  kMaxTransposeRank, NULL));
  bool seen[kMaxTransposeRank] = {false};
  for (int i = 0; i < rank; ++i) {
    if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) {
      pl_report(sg, "TRANSPOSE: perm entry %lld is out of range [0, %d) or "
                "repeated.", (long long)perm[i], rank);
      return kTfLiteError;
    }
    seen[perm[i]] = true;
    dims[i] = input->dims->data[perm[i]];
  }
  int64_t in_strides[kMaxTransposeRank], dst[kMaxTransposeRank];
  pl_shape_strides(input->dims->data, rank, in_strides);
  pl_shape_strides(dims, rank, dst);
  box->rank = 0;
  box->empty = false;
  for (int i = 0; i < rank; ++i) {
    const int64_t n = dims[i], src = in_strides[perm[i]];
    box->empty |= n == 0;
    if (n == 1) continue;
    const int r = box->rank;
    if (r > 0 && box->src[r - 1] == src * n && box->dst[r - 1] == dst[i] * n) {
      box->extent[r - 1] *= n;
      box->src[r - 1] = src;
      box->dst[r - 1] = dst[i];
      continue;
    }
    box->extent[r] = n, box->src[r] = src, box->dst[r] = dst[i];
    box->rank = r + 1;
  }
  return kTfLiteOk;
}

static TfLiteStatus transpose_prepare(PlSubgraph* sg, PlNode* node) {
  TransposeData* data = node->user_data;
  PL_ENSURE(sg, data != NULL);
  PL_ENSURE_OK(pl_shape_arity(sg, node, "TRANSPOSE", 2, 2, 1, 1));
  const TfLiteTensor* input = pl_input(sg, node, kInput);
  TfLiteTensor* output = pl_output(sg, node, kOutput);
  PL_ENSURE_OK(pl_shape_check_type(sg, "TRANSPOSE", "output", output, input));
  data->known = pl_is_constant(pl_input(sg, node, kPerm));
  if (!data->known) {
    pl_set_dynamic(output);
    return kTfLiteOk;
  }
  int dims[kMaxTransposeRank];
  PL_ENSURE_OK(read_perm(sg, node, &data->box, dims));
  return pl_resize(sg, output, input->dims->size, dims);
}

/* One plane of 4-byte elements: out[a * out_stride + b] =
 * in[b * in_stride + a] for a < m, b < n, by 8 x 8 tiles so that both sides
 * stay in cache lines. The portable form, and the AVX2 form's edges. */
static void transpose_plane_4(const uint32_t* in, int64_t in_stride,
                              uint32_t* out, int64_t out_stride, int64_t m,
                              int64_t n) {
  enum { kTile = 8 };
  for (int64_t a0 = 0; a0 < m; a0 += kTile) {
    const int64_t a1 = a0 + kTile < m ? a0 + kTile : m;
    for (int64_t b0 = 0; b0 < n; b0 += kTile) {
      const int64_t b1 = b0 + kTile < n ? b0 + kTile : n;
      for (int64_t a = a0; a < a1; ++a)
        for (int64_t b = b0; b < b1; ++b)
          out[a * out_stride + b] = in[b * in_stride + a];
    }
  }
}

#ifdef PL_SIMD_X86
/* transpose_plane_4 with whole 8 x 8 tiles transposed in registers: eight
 * input rows loaded, interleaved by pairs, by quads, then by 128-bit
 * halves. Shuffles move bits unchanged (NaN payloads included). */
__attribute__((target("avx2,fma"))) static void transpose_plane_4_avx2(
    const uint32_t* in, int64_t in_stride, uint32_t* out, int64_t out_stride,
    int64_t m, int64_t n) {
  const int64_t m8 = m & ~(int64_t)7, n8 = n & ~(int64_t)7;
  for (int64_t a0 = 0; a0 < m8; a0 += 8) {
    for (int64_t b0 = 0; b0 < n8; b0 += 8) {
      __m256 r[8], t[8];
      for (int k = 0; k < 8; ++k)
        r[k] = _mm256_loadu_ps((const float*)(in + (b0 + k) * in_stride + a0));
      for (int k = 0; k < 8; k += 2) {
        t[k] = _mm256_unpacklo_ps(r[k], r[k + 1]);
        t[k + 1] = _mm256_unpackhi_ps(r[k], r[k + 1]);
      }
      for (int k = 0; k < 8; k += 4) {
        r[k] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[k + 1] = _mm256_shuffle_ps(t[k], t[k + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[k + 2] = _mm256_shuffle_ps(t[k + 1], t[k + 3],
                                     _MM_SHUFFLE(1, 0, 1, 0));
        r[k + 3] = _mm256_shuffle_ps(t[k + 1], t[k + 3],
                                     _MM_SHUFFLE(3, 2, 3, 2));
      }
      for (int k = 0; k < 4; ++k) {
        t[k] = _mm256_permute2f128_ps(r[k], r[k + 4], 0x20);
        t[k + 4] = _mm256_permute2f128_ps(r[k], r[k + 4], 0x31);
      }
      for (int k = 0; k < 8; ++k)
        _mm256_storeu_ps((float*)(out + (a0 + k) * out_stride + b0), t[k]);
    }
  }
  transpose_plane_4(in + n8 * in_stride, in_stride, out + n8, out_stride, m8,
                    n - n8);
  transpose_plane_4(in + m8, in_stride, out + m8 * out_stride, out_stride,
                    m - m8, n);
}
#endif

/* The box's copy. A swap of the two innermost merged dims of 4-byte
 * elements (the input contiguous along the second-last, the output along
 * the last: attention's [.., 64, 128] <- [.., 128, 64], say) goes plane by
 * plane through transpose_plane_4; the rest through the strided copy. */
static void transpose_copy(const TransposeBox* box, const char* in, char* out,
                           size_t elem) {
  const int r = box->rank;
  if (elem != 4 || r < 2 || box->src[r - 1] == 1 || box->src[r - 2] != 1) {
    pl_shape_copy(r, box->extent, in, 0, box->src, out, 0, box->dst, elem);
    return;
  }
  void (*plane)(const uint32_t*, int64_t, uint32_t*, int64_t, int64_t,
                int64_t) = transpose_plane_4;
#ifdef PL_SIMD_X86
  if (pl_simd_avx2()) plane = transpose_plane_4_avx2;
#endif
  /* The outer dims, walked as an odometer. */
  int64_t idx[kMaxTransposeRank] = {0};
  int64_t pi = 0, po = 0;
  for (;;) {
    plane((const uint32_t*)in + pi, box->src[r - 1], (uint32_t*)out + po,
          box->dst[r - 2], box->extent[r - 2], box->extent[r - 1]);
    int d = r - 3;
    for (; d >= 0; --d) {
      pi += box->src[d], po += box->dst[d];
      if (++idx[d] < box->extent[d]) break;
      pi -= box->src[d] * box->extent[d], po -= box->dst[d] * box->extent[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

typedef struct TransposeTask {
  const TransposeBox* box;
  const char* in;
  char* out;
  size_t elem;
} TransposeTask;

/* Copies indices [begin, end) of the box's outermost dim: the same box cut
 * along that dim, each element still copied exactly once. */
static void transpose_range(void* ctx, int64_t begin, int64_t end,
                            int worker) {
  (void)worker;
  const TransposeTask* t = ctx;
  TransposeBox part = *t->box;
  part.extent[0] = end - begin;
  const int64_t e = (int64_t)t->elem;
  transpose_copy(&part, t->in + begin * part.src[0] * e,
                 t->out + begin * part.dst[0] * e, t->elem);
}

/* Large copies (attention's) are split across the threads along the
 * outermost dim. An element moved alone costs about one unit of
 * pl_parallel_for_cost; rows contiguous on both sides go by memcpy, about
 * eight times faster (measured on transformer_128's [0,2,1,3] copies). */
static TfLiteStatus transpose_move(PlSubgraph* sg, const PlNode* node,
                                   void* ctx, const char* const* in,
                                   char* const* out, size_t elem) {
  (void)node;
  const TransposeBox* box = ctx;
  if (box->empty) return kTfLiteOk;
  if (box->rank == 0) {
    memcpy(out[0], in[0], elem);
    return kTfLiteOk;
  }
  int64_t per_index = 1;
  for (int i = 1; i < box->rank; ++i) per_index *= box->extent[i];
  if (box->src[box->rank - 1] == 1) per_index = per_index / 8 + 1;
  TransposeTask task = {box, in[0], out[0], elem};
  pl_parallel_for_cost(sg, box->extent[0], per_index, transpose_range, &task);
  return kTfLiteOk;
}

static TfLiteStatus transpose_eval(PlSubgraph* sg, PlNode* node) {
  TransposeData* data = node->user_data;
  if (data->known)
    return pl_shape_run1(sg, node, "TRANSPOSE", transpose_move, &data->box);
  TransposeBox box;
  int dims[kMaxTransposeRank];
  PL_ENSURE_OK(read_perm(sg, node, &box, dims));
  PL_ENSURE_OK(pl_resize(sg, pl_output(sg, node, kOutput),
                         pl_input(sg, node, kInput)->dims->size, dims));
  return pl_shape_run1(sg, node, "TRANSPOSE", transpose_move, &box);
}

const PlKernel pl_kernel_transpose = {
    .name = "TRANSPOSE",
    .init = transpose_init,
    .free = transpose_free,
    .prepare = transpose_prepare,
    .eval = transpose_eval,
    .types = "any fixed-size type, string",
};
