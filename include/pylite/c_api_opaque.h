/* pylite: LiteRT's opaque accessors for custom kernels
 * (tflite/core/c/c_api_opaque.h).
 *
 * A kernel registered through pylite/operator.h sees the runtime only
 * through these functions: its context (TfLiteOpaqueContext), its node
 * (TfLiteOpaqueNode) and tensors (TfLiteOpaqueTensor). Names, argument order
 * and semantics are LiteRT's. Differences, all on the safe side:
 *  - index arguments are checked: out of range gives NULL, -1 or
 *    kTfLiteError instead of undefined behaviour;
 *  - a failing accessor called from a kernel reports why through the
 *    kernel's interpreter (its error reporter and last error);
 *  - the delegate-only parts (execution plans, node replacement, subgraph
 *    contexts, delegate builders) are left out, and adding tensors
 *    (TfLiteOpaqueContextAddTensor) fails: pylite has no delegates and no
 *    per-node scratch tensors.
 *
 * Pointers returned here are owned by the runtime. A tensor's data and dims
 * may change when it is resized (prepare, or invoke for dynamic tensors). */
#ifndef PYLITE_C_API_OPAQUE_H_
#define PYLITE_C_API_OPAQUE_H_

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "pylite/c_api.h"
#include "pylite/c_api_types.h"
#include "pylite/common.h"
#include "pylite/operator.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Tensor memory descriptions (LiteRT's common.h) -------------------------- */

/* How a tensor's data is allocated. */
typedef enum TfLiteAllocationStrategy {
  kTfLiteAllocationStrategyUnknown,
  kTfLiteAllocationStrategyNone,   /* no data */
  kTfLiteAllocationStrategyMMap,   /* model data */
  kTfLiteAllocationStrategyArena,  /* the subgraph's arena */
  kTfLiteAllocationStrategyMalloc, /* malloc/free */
  kTfLiteAllocationStrategyNew     /* C++ new/delete */
} TfLiteAllocationStrategy;

/* How long a tensor attribute (its data address, its values) stays the
 * same. */
typedef enum TfLiteRunStability {
  kTfLiteRunStabilityUnknown,
  kTfLiteRunStabilityUnstable,   /* may change at any time */
  kTfLiteRunStabilitySingleRun,  /* fixed during one run */
  kTfLiteRunStabilityAcrossRuns  /* fixed across runs */
} TfLiteRunStability;

/* The step of an op's life cycle at which something becomes known. */
typedef enum TfLiteRunStep {
  kTfLiteRunStepUnknown,
  kTfLiteRunStepInit,
  kTfLiteRunStepPrepare,
  kTfLiteRunStepEval
} TfLiteRunStep;

/* What an init callback returns to say it failed: the interpreter's
 * creation then fails, naming the node (and free is not called). */
TFL_CAPI_EXPORT extern void* TfLiteKernelInitFailed(void);

/* ---- Tensors --------------------------------------------------------------- */

/* Element type; kTfLiteNoType for NULL. */
TFL_CAPI_EXPORT extern TfLiteType TfLiteOpaqueTensorType(
    const TfLiteOpaqueTensor* opaque_tensor);
/* Rank; -1 if the tensor has no dims. */
TFL_CAPI_EXPORT extern int32_t TfLiteOpaqueTensorNumDims(
    const TfLiteOpaqueTensor* opaque_tensor);
/* Size of dimension `dim_index`; -1 if out of range. */
TFL_CAPI_EXPORT extern int32_t TfLiteOpaqueTensorDim(
    const TfLiteOpaqueTensor* opaque_tensor, int32_t dim_index);
/* Rank of the shape signature (-1 dims are unknown sizes) into *num_dims;
 * -1 if the model stores none. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueTensorGetNumDimsSignature(
    const TfLiteOpaqueTensor* opaque_tensor, int32_t* num_dims);
/* Dimension `dim_index` of the shape signature (-1: unknown) into
 * *dim_length. Without a signature, the tensor's dims stand in for it. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueTensorGetDimSignature(
    const TfLiteOpaqueTensor* opaque_tensor, int32_t dim_index,
    int32_t* dim_length);
/* Non-zero for a variable tensor. */
TFL_CAPI_EXPORT extern int TfLiteOpaqueTensorIsVariable(
    const TfLiteOpaqueTensor* opaque_tensor);
/* Size of the data in bytes. */
TFL_CAPI_EXPORT extern size_t TfLiteOpaqueTensorByteSize(
    const TfLiteOpaqueTensor* opaque_tensor);
/* The data; NULL for NULL or before allocation. */
TFL_CAPI_EXPORT extern void* TfLiteOpaqueTensorData(
    const TfLiteOpaqueTensor* opaque_tensor);
TFL_CAPI_EXPORT extern TfLiteAllocationType
TfLiteOpaqueTensorGetAllocationType(const TfLiteOpaqueTensor* opaque_tensor);
/* What the tensor's allocation type says about its memory, as LiteRT
 * derives it. */
TFL_CAPI_EXPORT extern TfLiteAllocationStrategy
TfLiteOpaqueTensorGetAllocationStrategy(const TfLiteOpaqueTensor* t);
TFL_CAPI_EXPORT extern TfLiteRunStability
TfLiteOpaqueTensorGetBufferAddressStability(const TfLiteOpaqueTensor* t);
TFL_CAPI_EXPORT extern TfLiteRunStability TfLiteOpaqueTensorGetDataStability(
    const TfLiteOpaqueTensor* t);
TFL_CAPI_EXPORT extern TfLiteRunStep TfLiteOpaqueTensorGetDataKnownStep(
    const TfLiteOpaqueTensor* t);
TFL_CAPI_EXPORT extern TfLiteRunStep TfLiteOpaqueTensorGetShapeKnownStep(
    const TfLiteOpaqueTensor* t);
/* NUL-terminated name ("" if the model gives none). */
TFL_CAPI_EXPORT extern const char* TfLiteOpaqueTensorName(
    const TfLiteOpaqueTensor* opaque_tensor);
TFL_CAPI_EXPORT extern TfLiteQuantization TfLiteOpaqueTensorGetQuantization(
    const TfLiteOpaqueTensor* opaque_tensor);
TFL_CAPI_EXPORT extern TfLiteQuantizationParams
TfLiteOpaqueTensorGetQuantizationParams(
    const TfLiteOpaqueTensor* opaque_tensor);

/* memcpy into / out of the tensor's data. kTfLiteError unless the size is
 * exactly TfLiteOpaqueTensorByteSize (and the tensor has data). */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueTensorCopyFromBuffer(
    TfLiteOpaqueTensor* opaque_tensor, const void* input_data,
    size_t input_data_size);
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueTensorCopyToBuffer(
    const TfLiteOpaqueTensor* opaque_tensor, void* output_data,
    size_t output_data_size);

/* Number of strings in a string tensor (0 if never written); -1 if it is
 * not a string tensor or its buffer is malformed. */
TFL_CAPI_EXPORT extern int TfLiteOpaqueTensorGetStringCount(
    const TfLiteOpaqueTensor* tensor);
/* Points *str / *len at string `index` (in [0, count)); the bytes are not
 * NUL-terminated and belong to the tensor. kTfLiteError if out of range. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueTensorGetString(
    const TfLiteOpaqueTensor* tensor, int index, const char** str, int* len);
/* Replaces the tensor's contents with copies of `str_array_len` strings
 * (str_n_len[i] bytes each; embedded NULs allowed). As in LiteRT the
 * tensor becomes a vector: its dims are set to [str_array_len]. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueTensorWriteStrings(
    TfLiteOpaqueTensor* tensor, const char* const* str_array,
    int str_array_len, const int* str_n_len);
/* Same with one string: the tensor becomes [1]. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueTensorWriteString(
    TfLiteOpaqueTensor* tensor, const char* str, int len);

/* Marks the tensor as sized at run time: a kernel calls it in prepare on
 * an output whose shape it can only compute in invoke, where it then
 * resizes it with TfLiteOpaqueContextResizeTensor. No effect if already
 * dynamic. */
TFL_CAPI_EXPORT extern void TfLiteOpaqueTensorSetAllocationTypeToDynamic(
    TfLiteOpaqueTensor* tensor);

/* Describes a tensor to add with TfLiteOpaqueContextAddTensor. */
typedef struct TfLiteOpaqueTensorBuilder TfLiteOpaqueTensorBuilder;
TFL_CAPI_EXPORT extern TfLiteOpaqueTensorBuilder*
TfLiteOpaqueTensorBuilderCreate(void);
TFL_CAPI_EXPORT extern void TfLiteOpaqueTensorBuilderDelete(
    TfLiteOpaqueTensorBuilder* builder);
/* The setters return `builder`, so that calls can be chained. */
TFL_CAPI_EXPORT extern TfLiteOpaqueTensorBuilder*
TfLiteOpaqueTensorBuilderSetType(TfLiteOpaqueTensorBuilder* builder,
                                 TfLiteType type);
TFL_CAPI_EXPORT extern TfLiteOpaqueTensorBuilder*
TfLiteOpaqueTensorBuilderSetData(TfLiteOpaqueTensorBuilder* builder,
                                 void* data);
TFL_CAPI_EXPORT extern TfLiteOpaqueTensorBuilder*
TfLiteOpaqueTensorBuilderSetAllocationType(
    TfLiteOpaqueTensorBuilder* builder, TfLiteAllocationType allocation_type);
TFL_CAPI_EXPORT extern TfLiteOpaqueTensorBuilder*
TfLiteOpaqueTensorBuilderSetQuantizationParams(
    TfLiteOpaqueTensorBuilder* builder, TfLiteQuantizationParams params);
TFL_CAPI_EXPORT extern TfLiteOpaqueTensorBuilder*
TfLiteOpaqueTensorBuilderSetQuantization(TfLiteOpaqueTensorBuilder* builder,
                                         TfLiteQuantization quantization);

/* ---- Nodes ----------------------------------------------------------------- */

/* Input `index` of the node; NULL if out of range or an omitted optional
 * input. */
TFL_CAPI_EXPORT extern const TfLiteOpaqueTensor* TfLiteOpaqueNodeGetInput(
    const TfLiteOpaqueContext* opaque_context,
    const TfLiteOpaqueNode* opaque_node, int index);
/* Output `index` of the node; NULL if out of range. */
TFL_CAPI_EXPORT extern TfLiteOpaqueTensor* TfLiteOpaqueNodeGetOutput(
    TfLiteOpaqueContext* opaque_context, const TfLiteOpaqueNode* opaque_node,
    int index);
TFL_CAPI_EXPORT extern int TfLiteOpaqueNodeNumberOfInputs(
    const TfLiteOpaqueNode* opaque_node);
TFL_CAPI_EXPORT extern int TfLiteOpaqueNodeNumberOfOutputs(
    const TfLiteOpaqueNode* opaque_node);
/* What the operator's init callback returned for this node. */
TFL_CAPI_EXPORT extern void* TfLiteOpaqueNodeGetUserData(
    const TfLiteOpaqueNode* opaque_node);
/* Parsed builtin options: always NULL for custom ops. */
TFL_CAPI_EXPORT extern void* TfLiteOpaqueNodeGetBuiltinData(
    const TfLiteOpaqueNode* opaque_node);
/* The node's custom options as stored in the model (NULL and 0 if none);
 * valid as long as the interpreter. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueNodeGetCustomInitialData(
    const TfLiteOpaqueNode* opaque_node, const void** init_data, int* size);
/* Tensor indices of the node's inputs (-1: omitted) and outputs; valid as
 * long as the interpreter. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueNodeInputs(
    const TfLiteOpaqueNode* opaque_node, const int** inputs, int* num_inputs);
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueNodeOutputs(
    const TfLiteOpaqueNode* opaque_node, const int** outputs,
    int* num_outputs);
/* pylite nodes have no temporaries: the list is empty, and setting a
 * non-empty one fails. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueNodeSetTemporaries(
    TfLiteOpaqueNode* opaque_node, const int* temporaries,
    int num_temporaries);
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueNodeTemporaries(
    const TfLiteOpaqueNode* opaque_node, const int** temporaries,
    int* num_temporaries);
/* Tensor index of input / output `i` of the node; -1 if out of range. */
TFL_CAPI_EXPORT extern int TfLiteOpaqueNodeGetInputTensorIndex(
    const TfLiteOpaqueNode* opaque_node, int index_of_input);
TFL_CAPI_EXPORT extern int TfLiteOpaqueNodeGetOutputTensorIndex(
    const TfLiteOpaqueNode* opaque_node, int index_of_output);

/* ---- Contexts (one per subgraph) -------------------------------------------- */

/* Node `node_index` of the context's subgraph and the operator running it.
 * kTfLiteError (reported) if the index is out of range or the node runs
 * one of pylite's own kernels rather than a registered TfLiteOperator. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueContextGetNodeAndRegistration(
    struct TfLiteOpaqueContext* opaque_context, int node_index,
    TfLiteOpaqueNode** node, TfLiteOperator** registration_external);
/* Tensor `index` of the context's subgraph; NULL if out of range. */
TFL_CAPI_EXPORT extern TfLiteOpaqueTensor* TfLiteOpaqueContextGetOpaqueTensor(
    const TfLiteOpaqueContext* opaque_context, int index);
/* Tensor indices of the subgraph's inputs / outputs. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueContextGetInputs(
    const struct TfLiteOpaqueContext* opaque_context, const int** inputs,
    int* num_inputs);
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueContextGetOutputs(
    const struct TfLiteOpaqueContext* opaque_context, const int** outputs,
    int* num_outputs);
TFL_CAPI_EXPORT extern size_t TfLiteOpaqueContextGetNumNodes(
    const struct TfLiteOpaqueContext* opaque_context);
TFL_CAPI_EXPORT extern size_t TfLiteOpaqueContextGetNumTensors(
    const struct TfLiteOpaqueContext* opaque_context);
/* The subgraph's name ("" if the model gives none). */
TFL_CAPI_EXPORT extern const char* TfLiteOpaqueContextGetName(
    const struct TfLiteOpaqueContext* opaque_context);

/* Sets the tensor's shape to `new_size`, which the runtime takes ownership
 * of (freed even on failure). In prepare it sizes the tensor for the
 * planner; in invoke only a dynamic tensor may change size (its data is
 * reallocated, contents not kept). */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueContextResizeTensor(
    TfLiteOpaqueContext* context, TfLiteOpaqueTensor* tensor,
    TfLiteIntArray* new_size);

/* Not supported by pylite (no scratch tensors): reports and returns
 * kTfLiteError. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueContextAddTensor(
    TfLiteOpaqueContext* context, TfLiteOpaqueTensorBuilder* builder,
    int* new_tensor_index);

/* Bytes per element of `type` into *bytes; kTfLiteError (reported) for a
 * type without a fixed element size (strings, resources, packed int4). */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueContextGetSizeOfType(
    TfLiteOpaqueContext* context, TfLiteType type, size_t* bytes);

/* The model's metadata entry `name`: its buffer's bytes, valid as long as
 * the interpreter. kTfLiteError if there is no such entry. */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOpaqueContextGetMetadata(
    TfLiteOpaqueContext* context, const char* name, const char** ptr,
    size_t* bytes);

/* Reports a printf-style message through the context's interpreter (its
 * error reporter and last error). A kernel reports, then returns
 * kTfLiteError. */
TFL_CAPI_EXPORT extern void TfLiteOpaqueContextReportError(
    struct TfLiteOpaqueContext* opaque_context, const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
TFL_CAPI_EXPORT extern void TfLiteOpaqueContextReportErrorVa(
    struct TfLiteOpaqueContext* opaque_context, const char* format,
    va_list vlist);

/* ---- Checks for kernels (LiteRT's macro names) ------------------------------ */

#ifndef TF_LITE_OPAQUE_KERNEL_LOG
#define TF_LITE_OPAQUE_KERNEL_LOG(opaque_context, ...) \
  do {                                                 \
    TfLiteOpaqueContextReportError((opaque_context), __VA_ARGS__); \
  } while (0)
#endif

#ifndef TF_LITE_OPAQUE_MAYBE_KERNEL_LOG
#define TF_LITE_OPAQUE_MAYBE_KERNEL_LOG(opaque_context, ...)          \
  do {                                                                \
    if ((opaque_context) != NULL)                                     \
      TfLiteOpaqueContextReportError((opaque_context), __VA_ARGS__);  \
  } while (0)
#endif

/* Reports `msg` (a string literal) and returns kTfLiteError unless
 * `value`. */
#ifndef TF_LITE_OPAQUE_ENSURE_MSG
#define TF_LITE_OPAQUE_ENSURE_MSG(opaque_context, value, msg)       \
  do {                                                              \
    if (!(value)) {                                                 \
      TF_LITE_OPAQUE_KERNEL_LOG((opaque_context), __FILE__ " " msg); \
      return kTfLiteError;                                          \
    }                                                               \
  } while (0)
#endif

/* Reports the failed condition with its location and returns
 * kTfLiteError. */
#ifndef TF_LITE_OPAQUE_ENSURE
#define TF_LITE_OPAQUE_ENSURE(opaque_context, a)                          \
  do {                                                                    \
    if (!(a)) {                                                           \
      TF_LITE_OPAQUE_KERNEL_LOG((opaque_context), "%s:%d: %s was not true.", \
                                __FILE__, __LINE__, #a);                  \
      return kTfLiteError;                                                \
    }                                                                     \
  } while (0)
#endif

/* Integer equality check; both sides are printed with %d. */
#ifndef TF_LITE_OPAQUE_ENSURE_EQ
#define TF_LITE_OPAQUE_ENSURE_EQ(opaque_context, a, b)                    \
  do {                                                                    \
    if ((a) != (b)) {                                                     \
      TF_LITE_OPAQUE_KERNEL_LOG((opaque_context), "%s:%d: %s != %s (%d != %d)", \
                                __FILE__, __LINE__, #a, #b, (int)(a),     \
                                (int)(b));                                \
      return kTfLiteError;                                                \
    }                                                                     \
  } while (0)
#endif

#ifndef TF_LITE_OPAQUE_ENSURE_TYPES_EQ
#define TF_LITE_OPAQUE_ENSURE_TYPES_EQ(opaque_context, a, b)              \
  do {                                                                    \
    if ((a) != (b)) {                                                     \
      TF_LITE_OPAQUE_KERNEL_LOG((opaque_context), "%s:%d: %s != %s (%s != %s)", \
                                __FILE__, __LINE__, #a, #b,               \
                                TfLiteTypeGetName(a), TfLiteTypeGetName(b)); \
      return kTfLiteError;                                                \
    }                                                                     \
  } while (0)
#endif

#ifndef TF_LITE_OPAQUE_ENSURE_NEAR
#define TF_LITE_OPAQUE_ENSURE_NEAR(opaque_context, a, b, epsilon)         \
  do {                                                                    \
    double pl_delta_ = ((a) > (b)) ? ((a) - (b)) : ((b) - (a));           \
    if (pl_delta_ > (epsilon)) {                                          \
      TF_LITE_OPAQUE_KERNEL_LOG((opaque_context),                         \
                                "%s:%d: %s not near %s (%f != %f)", __FILE__, \
                                __LINE__, #a, #b, (double)(a), (double)(b)); \
      return kTfLiteError;                                                \
    }                                                                     \
  } while (0)
#endif

/* ---- pylite extensions ------------------------------------------------------ */

/* Like TfLiteOpaqueTensorWriteStrings, but keeps the tensor's dims, whose
 * element count must equal `count` (otherwise kTfLiteError, reported):
 * resize the tensor first, then write. Lengths are size_t. */
TFL_CAPI_EXPORT extern TfLiteStatus PyliteOpaqueTensorWriteStrings(
    TfLiteOpaqueTensor* tensor, int32_t count, const char* const* data,
    const size_t* lengths);

#ifdef __cplusplus
}
#endif

#endif /* PYLITE_C_API_OPAQUE_H_ */
