/* pylite: expanding a sparse constant tensor (TFLite SparsityParameters)
 * into a dense buffer, for DENSIFY and for FULLY_CONNECTED's sparse
 * weights (capi/kernels/internal/sparse.c).
 *
 * The parameters list the tensor's n dims in traversal_order (a
 * permutation of 0..n-1), then optional block dims n..n+k-1, block dim n+j
 * splitting tensor dim block_map[j] into blocks of
 * dim_metadata[n+j].dense_size. Each level of dim_metadata is DENSE (all
 * dense_size positions) or SPARSE_CSR (array_segments[p] to
 * array_segments[p+1] of array_indices, p being the position reached in
 * the level above); the buffer's values are read in that traversal order
 * and every other element is 0. Block levels must be DENSE, in identity
 * traversal order, with block_map increasing (what the converter writes). */
#ifndef PYLITE_KERNELS_INTERNAL_SPARSE_H_
#define PYLITE_KERNELS_INTERNAL_SPARSE_H_

#include <stddef.h>

#include "capi/core/kernel.h"

/* Expands the sparse constant input `index` of `node` (float32, float16 or
 * int8; named in messages as `op`'s `role`) into a new zero-filled buffer
 * the caller owns and frees: *dense, of *bytes bytes. Reports parameters
 * that are not supported or that do not describe the buffer. */
TfLiteStatus pl_sparse_densify(PlSubgraph* sg, const PlNode* node, int index,
                               const char* op, const char* role, void** dense,
                               size_t* bytes);

#endif /* PYLITE_KERNELS_INTERNAL_SPARSE_H_ */
