/* pylite: a verified, parsed TFLite model (schema version 3).
 *
 * pl_model_parse() checks the whole flatbuffer once (every offset, vector
 * length, string, union type, index and buffer range) and copies what the
 * runtime needs into plain C structs below, so that nothing later reads the
 * raw bytes unchecked. Constant tensor data and custom options still point
 * into the caller's bytes (which must outlive the model), and builtin options
 * stay as verified tables read through fb.h. */
#ifndef PYLITE_CORE_MODEL_H_
#define PYLITE_CORE_MODEL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capi/core/fb.h"
#include "pylite/c_api_types.h"

/* Largest rank accepted for a tensor. */
#define PL_MAX_RANK 16

typedef struct PlBufferDef {
  const uint8_t* data; /* NULL if empty */
  size_t size;
} PlBufferDef;

typedef struct PlQuantDef {
  int32_t num_scales;      /* 0: not quantized */
  /* Both in the model's bytes when the host can read them there, else
   * copies owned by the model. */
  const float* scale;      /* num_scales */
  int32_t num_zero_points; /* 0 or == num_scales */
  const int64_t* zero_point;
  int32_t quantized_dimension;
} PlQuantDef;

typedef struct PlTensorDef {
  TfLiteType type;
  int32_t rank;
  int32_t* shape;           /* rank dims, each >= 0 */
  int32_t* shape_signature; /* rank dims (-1 = unknown), or NULL if absent */
  int32_t buffer;           /* index into model buffers; 0 = no data */
  const char* name;         /* never NULL ("" if absent) */
  PlQuantDef quant;
  bool is_variable;
  bool has_sparsity;
  PlFbTable sparsity; /* verified SparsityParameters table, if has_sparsity */
} PlTensorDef;

typedef struct PlOpDef {
  int32_t opcode_index; /* valid index into model opcodes */
  int32_t num_inputs;
  int32_t* inputs; /* tensor indices; -1 = optional input omitted */
  int32_t num_outputs;
  int32_t* outputs;
  int32_t num_intermediates;
  int32_t* intermediates;
  uint8_t builtin_options_type;    /* schema BuiltinOptions union type */
  PlFbTable builtin_options;       /* zeroed if absent */
  uint8_t builtin_options_2_type;  /* schema BuiltinOptions2 union type */
  PlFbTable builtin_options_2;
  const uint8_t* custom_options;   /* NULL if none; inside model bytes */
  size_t custom_options_size;
} PlOpDef;

typedef struct PlOpCode {
  int32_t builtin_code;    /* max(deprecated_builtin_code, builtin_code) */
  const char* custom_code; /* NULL unless CUSTOM */
  int32_t version;
} PlOpCode;

typedef struct PlSubgraphDef {
  const char* name; /* "" if absent */
  int32_t num_tensors;
  PlTensorDef* tensors;
  int32_t num_inputs;
  int32_t* inputs; /* valid tensor indices */
  int32_t num_outputs;
  int32_t* outputs;
  int32_t num_ops;
  PlOpDef* ops;
} PlSubgraphDef;

typedef struct PlSigTensor {
  const char* name;
  int32_t tensor_index; /* valid index into the signature's subgraph */
} PlSigTensor;

typedef struct PlSignatureDef {
  const char* key;
  int32_t subgraph_index; /* valid */
  int32_t num_inputs;
  PlSigTensor* inputs; /* sorted by name (strcmp), as LiteRT lists them */
  int32_t num_outputs;
  PlSigTensor* outputs; /* sorted by name */
} PlSignatureDef;

typedef struct PlMetadataDef {
  const char* name;
  int32_t buffer; /* valid buffer index */
} PlMetadataDef;

typedef struct PlModel {
  PlFb fb; /* the verified bytes */
  uint32_t version;
  const char* description; /* "" if absent */
  int32_t num_opcodes;
  PlOpCode* opcodes;
  int32_t num_subgraphs;
  PlSubgraphDef* subgraphs;
  int32_t num_buffers;
  PlBufferDef* buffers;
  int32_t num_metadata;
  PlMetadataDef* metadata;
  int32_t num_signatures;
  PlSignatureDef* signatures;
  void* owned; /* internal: allocations made while parsing */
} PlModel;

/* Verifies and parses `size` bytes at `data`. On success returns a model
 * whose pointers reference `data` (kept alive by the caller). On failure
 * returns NULL and writes a message naming what is wrong into err. */
PlModel* pl_model_parse(const void* data, size_t size, char* err,
                        size_t err_size);
/* NULL is a no-op. Does not free `data`. */
void pl_model_free(PlModel* model);

/* Bytes per element of a type; 0 for string/resource/variant/unknown types
 * (int4/int2 packed types also return 0 and must be special-cased). */
size_t pl_type_size(TfLiteType type);
/* Maps a schema TensorType value to TfLiteType; kTfLiteNoType if unknown. */
TfLiteType pl_type_from_schema(int schema_type);

/* Name of a builtin operator ("FULLY_CONNECTED"), or NULL if unknown. */
const char* pl_builtin_name(int32_t builtin_code);

/* ---- Sparse constant tensors ------------------------------------------ */

/* A tensor's SparsityParameters, decoded for DENSIFY (which alone reads
 * sparse tensors). pl_model_parse has already checked them against the
 * tensor's shape and buffer; the vectors point into the model bytes. */
enum { PL_SPARSE_DENSE = 0, PL_SPARSE_CSR = 1 };
#define PL_MAX_SPARSE_LEVELS (2 * PL_MAX_RANK)
typedef struct PlSparseLevel {
  int format;         /* PL_SPARSE_DENSE or PL_SPARSE_CSR (else unknown) */
  int32_t dense_size; /* DENSE levels: the level's size */
  PlFbVec segments;   /* CSR levels: array_segments and array_indices, */
  PlFbVec indices;    /* elem_size 4 (int32), 2 (uint16) or 1 (uint8) */
} PlSparseLevel;
typedef struct PlSparsity {
  int num_levels; /* traversal_order length == dim_metadata length */
  int32_t traversal_order[PL_MAX_SPARSE_LEVELS];
  int num_blocks; /* block_map length */
  int32_t block_map[PL_MAX_SPARSE_LEVELS];
  PlSparseLevel levels[PL_MAX_SPARSE_LEVELS];
} PlSparsity;
/* Fills `out` from td's sparsity table; false if td has none or it does
 * not fit the limits above. */
bool pl_sparsity_read(const PlTensorDef* td, PlSparsity* out);
/* Element i of a CSR segments / indices vector, whatever its width. */
int64_t pl_sparse_at(const PlFbVec* v, uint32_t i);

#endif /* PYLITE_CORE_MODEL_H_ */
