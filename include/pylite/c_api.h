/* pylite: the TFLite-compatible C API.
 *
 * Names, argument order, enum values and ownership rules are TFLite's
 * (tflite/core/c/c_api.h). Differences, all on the safe side:
 *  - index arguments are checked: out of range gives NULL / kTfLiteError and a
 *    reported message instead of undefined behaviour;
 *  - NULL handles are errors (or no-ops for Delete functions);
 *  - every reported message is also kept as the interpreter's last error and
 *    the calling thread's last error (see pylite/pylite.h).
 *
 * Errors are reported through the error reporter: the one given in the
 * options or to ...WithErrorReporter, else stderr (see pylite/pylite.h for a
 * quiet mode). */
#ifndef PYLITE_C_API_H_
#define PYLITE_C_API_H_

#include <stdarg.h>

#include "pylite/c_api_types.h"
#include "pylite/common.h"
#include "pylite/operator.h" /* TfLiteOperator, ...AddOperator (as LiteRT) */

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*TfLiteErrorReporterCallback)(void* user_data,
                                            const char* format, va_list args);

/* ---- Versions ---------------------------------------------------------- */

/* The TFLite release whose C API this library implements ("2.21.0"). Static
 * storage. */
TFL_CAPI_EXPORT const char* TfLiteVersion(void);
/* Version of the custom-op API. Static storage. */
TFL_CAPI_EXPORT const char* TfLiteExtensionApisVersion(void);
/* The flatbuffer schema version read: 3. */
TFL_CAPI_EXPORT int TfLiteSchemaVersion(void);

/* ---- Model --------------------------------------------------------------- */

/* Verifies `model_data` and returns a model, or NULL (with a reported
 * message) if the bytes are not a valid TFLite model. The caller keeps
 * `model_data` alive and unmodified until the model and every interpreter
 * made from it are deleted. The caller owns the result (TfLiteModelDelete). */
TFL_CAPI_EXPORT TfLiteModel* TfLiteModelCreate(const void* model_data,
                                               size_t model_size);
TFL_CAPI_EXPORT TfLiteModel* TfLiteModelCreateWithErrorReporter(
    const void* model_data, size_t model_size,
    TfLiteErrorReporterCallback reporter, void* user_data);
/* Maps the file read-only and verifies it; NULL if it cannot be opened or is
 * not a valid model. The model owns the mapping. */
TFL_CAPI_EXPORT TfLiteModel* TfLiteModelCreateFromFile(const char* model_path);
TFL_CAPI_EXPORT TfLiteModel* TfLiteModelCreateFromFileWithErrorReporter(
    const char* model_path, TfLiteErrorReporterCallback reporter,
    void* user_data);
/* NULL is a no-op. Interpreters made from the model keep it alive, so it may
 * be deleted right after TfLiteInterpreterCreate. */
TFL_CAPI_EXPORT void TfLiteModelDelete(TfLiteModel* model);

/* ---- Options ------------------------------------------------------------- */

/* Caller owns the result. num_threads defaults to -1 (library default). */
TFL_CAPI_EXPORT TfLiteInterpreterOptions* TfLiteInterpreterOptionsCreate(void);
/* Shallow copy; caller owns the result. NULL gives NULL. */
TFL_CAPI_EXPORT TfLiteInterpreterOptions* TfLiteInterpreterOptionsCopy(
    const TfLiteInterpreterOptions* from);
/* NULL is a no-op. */
TFL_CAPI_EXPORT void TfLiteInterpreterOptionsDelete(
    TfLiteInterpreterOptions* options);
/* -1 keeps the default; other values < 1 are rejected at interpreter
 * creation. */
TFL_CAPI_EXPORT void TfLiteInterpreterOptionsSetNumThreads(
    TfLiteInterpreterOptions* options, int32_t num_threads);
TFL_CAPI_EXPORT void TfLiteInterpreterOptionsSetErrorReporter(
    TfLiteInterpreterOptions* options, TfLiteErrorReporterCallback reporter,
    void* user_data);
/* Delegates are not supported: the interpreter's creation fails with a
 * reported message if one was added. */
TFL_CAPI_EXPORT void TfLiteInterpreterOptionsAddDelegate(
    TfLiteInterpreterOptions* options, TfLiteOpaqueDelegate* delegate);
/* Always kTfLiteOk. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteInterpreterOptionsEnableCancellation(
    TfLiteInterpreterOptions* options, bool enable);

/* ---- Interpreter --------------------------------------------------------- */

/* Builds an interpreter: resolves every op (an op the build lacks is
 * reported at TfLiteInterpreterAllocateTensors / runner allocation, naming
 * the op, as LiteRT does). Tensors are not allocated. `optional_options` may
 * be NULL and may be deleted right after. The interpreter keeps `model`
 * alive. NULL on failure. Caller owns the result. */
TFL_CAPI_EXPORT TfLiteInterpreter* TfLiteInterpreterCreate(
    const TfLiteModel* model, const TfLiteInterpreterOptions* optional_options);
/* NULL is a no-op. Signature runners must be deleted first. */
TFL_CAPI_EXPORT void TfLiteInterpreterDelete(TfLiteInterpreter* interpreter);

/* Inputs and outputs of the primary subgraph (subgraph 0). */
TFL_CAPI_EXPORT int32_t TfLiteInterpreterGetInputTensorCount(
    const TfLiteInterpreter* interpreter);
TFL_CAPI_EXPORT const int* TfLiteInterpreterInputTensorIndices(
    const TfLiteInterpreter* interpreter);
/* NULL (and a reported message) if input_index is out of range. The tensor is
 * owned by the interpreter. */
TFL_CAPI_EXPORT TfLiteTensor* TfLiteInterpreterGetInputTensor(
    const TfLiteInterpreter* interpreter, int32_t input_index);
TFL_CAPI_EXPORT int32_t TfLiteInterpreterGetOutputTensorCount(
    const TfLiteInterpreter* interpreter);
TFL_CAPI_EXPORT const int* TfLiteInterpreterOutputTensorIndices(
    const TfLiteInterpreter* interpreter);
/* Output shape and data are reliable only after a successful Invoke. */
TFL_CAPI_EXPORT const TfLiteTensor* TfLiteInterpreterGetOutputTensor(
    const TfLiteInterpreter* interpreter, int32_t output_index);
/* Any tensor of subgraph 0; NULL if out of range. */
TFL_CAPI_EXPORT TfLiteTensor* TfLiteInterpreterGetTensor(
    const TfLiteInterpreter* interpreter, int index);

/* Non-strict resize of an input of subgraph 0. Dims are copied. The subgraph
 * then needs TfLiteInterpreterAllocateTensors before Invoke. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteInterpreterResizeInputTensor(
    TfLiteInterpreter* interpreter, int32_t input_index, const int* input_dims,
    int32_t input_dims_size);
/* Prepares every node of subgraph 0 and plans its memory. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteInterpreterAllocateTensors(
    TfLiteInterpreter* interpreter);
/* Runs subgraph 0. kTfLiteError if it is not allocated ("Invoke called on
 * model that is not ready.") or a kernel fails; kTfLiteCancelled if
 * cancelled. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteInterpreterInvoke(
    TfLiteInterpreter* interpreter);
/* Asks a running Invoke (of the interpreter or any of its runners) to stop
 * at the next node. Thread-safe. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteInterpreterCancel(
    const TfLiteInterpreter* interpreter);

/* ---- Signatures ------------------------------------------------------------ */

/* Number of SignatureDefs in the model (0 if it has none). */
TFL_CAPI_EXPORT int32_t TfLiteInterpreterGetSignatureCount(
    const TfLiteInterpreter* interpreter);
/* Key of signature `signature_index` in model order; NULL if out of range.
 * Lives as long as the interpreter. */
TFL_CAPI_EXPORT const char* TfLiteInterpreterGetSignatureKey(
    const TfLiteInterpreter* interpreter, int32_t signature_index);
/* A runner for `signature_key`, or NULL (and a reported message) for an
 * unknown key. A NULL key gives the first signature on subgraph 0, or, for a
 * model without SignatureDefs, a placeholder runner over subgraph 0 with key
 * "<placeholder signature>" whose names are the tensor names. Runners of one
 * key share their tensors (each call returns a new wrapper over the same
 * state). The caller owns the wrapper and deletes it before the interpreter.
 * Runners of different signatures may run concurrently; each call on the
 * runners of one signature runs alone (but a call sequence such as resize,
 * allocate, fill, invoke, read is not atomic, since runners of one key
 * share their tensors: serialize it yourself, as the Python and Java
 * bindings do). Runs of signatures that use interpreter-wide
 * state (resource variables, hash tables, initialization) are serialized
 * against each other, so shared state is never updated half-way. */
TFL_CAPI_EXPORT TfLiteSignatureRunner* TfLiteInterpreterGetSignatureRunner(
    const TfLiteInterpreter* interpreter, const char* signature_key);

/* Inputs and outputs are listed sorted by name, as LiteRT does. */
TFL_CAPI_EXPORT size_t TfLiteSignatureRunnerGetInputCount(
    const TfLiteSignatureRunner* signature_runner);
/* NULL if out of range. Lives as long as the interpreter. */
TFL_CAPI_EXPORT const char* TfLiteSignatureRunnerGetInputName(
    const TfLiteSignatureRunner* signature_runner, int32_t input_index);
/* Strict resize: only dims that are -1 in the input's shape signature may
 * change. kTfLiteError for an unknown name or a forbidden change. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteSignatureRunnerResizeInputTensor(
    TfLiteSignatureRunner* signature_runner, const char* input_name,
    const int* input_dims, int32_t input_dims_size);
TFL_CAPI_EXPORT TfLiteStatus TfLiteSignatureRunnerAllocateTensors(
    TfLiteSignatureRunner* signature_runner);
/* NULL (and a reported message) for an unknown name. Owned by the
 * interpreter; may be invalidated by AllocateTensors. */
TFL_CAPI_EXPORT TfLiteTensor* TfLiteSignatureRunnerGetInputTensor(
    TfLiteSignatureRunner* signature_runner, const char* input_name);
TFL_CAPI_EXPORT TfLiteStatus TfLiteSignatureRunnerInvoke(
    TfLiteSignatureRunner* signature_runner);
TFL_CAPI_EXPORT size_t TfLiteSignatureRunnerGetOutputCount(
    const TfLiteSignatureRunner* signature_runner);
TFL_CAPI_EXPORT const char* TfLiteSignatureRunnerGetOutputName(
    const TfLiteSignatureRunner* signature_runner, int32_t output_index);
TFL_CAPI_EXPORT const TfLiteTensor* TfLiteSignatureRunnerGetOutputTensor(
    const TfLiteSignatureRunner* signature_runner, const char* output_name);
/* Cancels every running invoke of the runner's interpreter. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteSignatureRunnerCancel(
    TfLiteSignatureRunner* signature_runner);
/* Frees the wrapper only. NULL is a no-op. */
TFL_CAPI_EXPORT void TfLiteSignatureRunnerDelete(
    TfLiteSignatureRunner* signature_runner);

/* ---- Tensors --------------------------------------------------------------- */

TFL_CAPI_EXPORT TfLiteType TfLiteTensorType(const TfLiteTensor* tensor);
/* -1 if the tensor has no dims. */
TFL_CAPI_EXPORT int32_t TfLiteTensorNumDims(const TfLiteTensor* tensor);
/* -1 if dim_index is out of range. */
TFL_CAPI_EXPORT int32_t TfLiteTensorDim(const TfLiteTensor* tensor,
                                        int32_t dim_index);
TFL_CAPI_EXPORT size_t TfLiteTensorByteSize(const TfLiteTensor* tensor);
/* NULL before allocation. Owned by the interpreter. */
TFL_CAPI_EXPORT void* TfLiteTensorData(const TfLiteTensor* tensor);
TFL_CAPI_EXPORT const char* TfLiteTensorName(const TfLiteTensor* tensor);
TFL_CAPI_EXPORT TfLiteQuantizationParams
TfLiteTensorQuantizationParams(const TfLiteTensor* tensor);
/* kTfLiteError unless input_data_size equals the tensor's byte size and the
 * tensor is allocated. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteTensorCopyFromBuffer(
    TfLiteTensor* tensor, const void* input_data, size_t input_data_size);
TFL_CAPI_EXPORT TfLiteStatus TfLiteTensorCopyToBuffer(
    const TfLiteTensor* output_tensor, void* output_data,
    size_t output_data_size);

#ifdef __cplusplus
}
#endif

#endif /* PYLITE_C_API_H_ */
