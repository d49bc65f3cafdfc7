/* pylite: the public tensor struct and its helper arrays.
 *
 * As in TFLite (tflite/core/c/common.h), TfLiteTensor is not opaque: clients
 * read tensor->data.f and tensor->dims->data directly. The field order and
 * types below follow TFLite's layout so that a program built against TFLite's
 * headers runs with pylite's library in its place. */
#ifndef PYLITE_COMMON_H_
#define PYLITE_COMMON_H_

#include "pylite/c_api_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A length-prefixed array of ints (dims, tensor index lists). */
typedef struct TfLiteIntArray {
  int size;
  int data[]; /* flexible array member (a GNU extension in C++) */
} TfLiteIntArray;

typedef struct TfLiteFloatArray {
  int size;
  float data[];
} TfLiteFloatArray;

/* Bytes needed by an array of `size` elements. */
TFL_CAPI_EXPORT int TfLiteIntArrayGetSizeInBytes(int size);
/* Returns a new array (owned by the caller, free with TfLiteIntArrayFree), or
 * NULL if size < 0 or memory is exhausted. */
TFL_CAPI_EXPORT TfLiteIntArray* TfLiteIntArrayCreate(int size);
TFL_CAPI_EXPORT TfLiteIntArray* TfLiteIntArrayCopy(const TfLiteIntArray* src);
TFL_CAPI_EXPORT int TfLiteIntArrayEqual(const TfLiteIntArray* a,
                                        const TfLiteIntArray* b);
TFL_CAPI_EXPORT int TfLiteIntArrayEqualsArray(const TfLiteIntArray* a,
                                              int b_size, const int b_data[]);
/* NULL is a no-op. */
TFL_CAPI_EXPORT void TfLiteIntArrayFree(TfLiteIntArray* a);
TFL_CAPI_EXPORT TfLiteFloatArray* TfLiteFloatArrayCreate(int size);
TFL_CAPI_EXPORT void TfLiteFloatArrayFree(TfLiteFloatArray* a);

typedef struct TfLiteComplex64 {
  float re, im;
} TfLiteComplex64;
typedef struct TfLiteComplex128 {
  double re, im;
} TfLiteComplex128;
typedef struct TfLiteFloat16 {
  uint16_t data;
} TfLiteFloat16;
typedef struct TfLiteBFloat16 {
  uint16_t data;
} TfLiteBFloat16;

/* The typed views of a tensor's data. */
typedef union TfLitePtrUnion {
  int32_t* i32;
  uint32_t* u32;
  int64_t* i64;
  uint64_t* u64;
  float* f;
  TfLiteFloat16* f16;
  double* f64;
  char* raw;
  const char* raw_const;
  uint8_t* uint8;
  bool* b;
  int16_t* i16;
  uint16_t* ui16;
  TfLiteComplex64* c64;
  TfLiteComplex128* c128;
  int8_t* int8;
  void* data;
} TfLitePtrUnion;

/* Where a tensor's memory comes from. */
typedef enum TfLiteAllocationType {
  kTfLiteMemNone = 0,
  kTfLiteMmapRo,            /* read-only model data */
  kTfLiteArenaRw,           /* the subgraph's arena, planned by lifetime */
  kTfLiteArenaRwPersistent, /* persistent across invokes (variables) */
  kTfLiteDynamic,           /* heap, sized at run time (strings, ...) */
  kTfLitePersistentRo,      /* computed once at prepare, then read-only */
  kTfLiteCustom,            /* caller-provided memory */
  kTfLiteVariantObject,
} TfLiteAllocationType;

typedef int TfLiteBufferHandle;
enum { kTfLiteNullBufferHandle = -1 };

typedef struct TfLiteQuantization {
  TfLiteQuantizationType type;
  void* params; /* TfLiteAffineQuantization* when type is Affine */
} TfLiteQuantization;

typedef struct TfLiteAffineQuantization {
  TfLiteFloatArray* scale;
  TfLiteIntArray* zero_point;
  int32_t quantized_dimension;
} TfLiteAffineQuantization;

typedef struct TfLiteDimensionMetadata {
  TfLiteDimensionType format;
  int dense_size;
  TfLiteIntArray* array_segments;
  TfLiteIntArray* array_indices;
} TfLiteDimensionMetadata;

typedef struct TfLiteSparsity {
  TfLiteIntArray* traversal_order;
  TfLiteIntArray* block_map;
  TfLiteDimensionMetadata* dim_metadata;
  int dim_metadata_size;
} TfLiteSparsity;

/* A tensor. Owned by its interpreter; valid until the interpreter is deleted,
 * but `data` and `dims` may change on AllocateTensors, ResizeInputTensor and
 * Invoke (for tensors whose size is only known at run time). */
struct TfLiteTensor {
  TfLiteType type;
  TfLitePtrUnion data; /* NULL until allocated */
  TfLiteIntArray* dims;
  TfLiteQuantizationParams params;
  TfLiteAllocationType allocation_type;
  size_t bytes;
  const void* allocation;
  const char* name;
  struct TfLiteDelegate* delegate;
  TfLiteBufferHandle buffer_handle;
  bool data_is_stale;
  bool is_variable;
  TfLiteQuantization quantization;
  TfLiteSparsity* sparsity;
  const TfLiteIntArray* dims_signature; /* NULL if the model has none */
};

/* Upper-case name of a type ("FLOAT32", ...), "NOTYPE" or "Unknown type". */
TFL_CAPI_EXPORT const char* TfLiteTypeGetName(TfLiteType type);

#ifdef __cplusplus
}
#endif

#endif /* PYLITE_COMMON_H_ */
