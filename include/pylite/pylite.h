/* pylite: extensions to the TFLite C API.
 *
 * What TFLite's C API leaves out and the bindings need: the last error
 * message, string tensors, non-strict/strict resizing by name or tensor index,
 * and introspection of subgraphs and signatures. All names start with
 * Pylite. */
#ifndef PYLITE_PYLITE_H_
#define PYLITE_PYLITE_H_

#include "pylite/c_api.h"
#include "pylite/c_api_experimental.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Errors ------------------------------------------------------------ */

/* The last message reported on the calling thread by any pylite call ("" if
 * none). Valid until the next pylite call on this thread. */
TFL_CAPI_EXPORT const char* PyliteGetLastError(void);
/* Clears the calling thread's last error. */
TFL_CAPI_EXPORT void PyliteClearLastError(void);
/* The last message reported by this interpreter or its runners ("" if none).
 * Valid until the interpreter's next call. */
TFL_CAPI_EXPORT const char* PyliteInterpreterGetLastError(
    const TfLiteInterpreter* interpreter);
/* An error reporter that prints nothing; messages are still kept as the last
 * error. Pass it to ...WithErrorReporter or ...SetErrorReporter. */
TFL_CAPI_EXPORT void PyliteQuietReporter(void* user_data, const char* format,
                                         va_list args);

/* ---- String tensors (TFLite layout: count, offsets, bytes) ------------------ */

/* Number of strings in a kTfLiteString tensor; -1 if not a string tensor or
 * its buffer is malformed. 0 for an unwritten tensor. */
TFL_CAPI_EXPORT int32_t PyliteTensorGetStringCount(const TfLiteTensor* tensor);
/* Points *data / *length at string `index` (not NUL-terminated; owned by the
 * tensor). kTfLiteError if out of range. */
TFL_CAPI_EXPORT TfLiteStatus PyliteTensorGetString(const TfLiteTensor* tensor,
                                                   int32_t index,
                                                   const char** data,
                                                   size_t* length);
/* Replaces the contents of a string tensor with `count` strings. `count`
 * must equal the element count of the tensor's dims. The tensor must belong
 * to an allocated subgraph. Copies the bytes. */
TFL_CAPI_EXPORT TfLiteStatus PyliteTensorWriteStrings(
    TfLiteTensor* tensor, int32_t count, const char* const* data,
    const size_t* lengths);

/* ---- Options ------------------------------------------------------------- */

/* Limits any one allocation (a tensor, a tensor's strings, a subgraph's
 * arena) to `bytes`; a model asking for more fails at AllocateTensors (or
 * Invoke, for sizes known only then) with a clear error. 0 restores the
 * default of 2 GiB. */
TFL_CAPI_EXPORT void PyliteInterpreterOptionsSetMaxAllocationBytes(
    TfLiteInterpreterOptions* options, size_t bytes);

/* ---- State ------------------------------------------------------------------ */

/* Returns the interpreter to its freshly-initialized state: every variable
 * tensor is reset (as TfLiteInterpreterResetVariableTensors), every resource
 * variable is forgotten, and the initialization subgraph (CALL_ONCE) will
 * run again before the next signature run. LiteRT has no equivalent. Must
 * not run concurrently with an Invoke of the same interpreter. */
TFL_CAPI_EXPORT TfLiteStatus PyliteInterpreterReset(
    TfLiteInterpreter* interpreter);

/* The model bytes the interpreter runs: the caller's buffer for a model
 * made from memory, the file's mapping for one made from a file (so a file
 * changed or removed afterwards does not matter). Owned by the interpreter's
 * model, valid while the interpreter lives (and, for a model from memory,
 * while the caller keeps that buffer). kTfLiteError if an argument is NULL.
 * Used to send an interpreter to another process by value. */
TFL_CAPI_EXPORT TfLiteStatus PyliteInterpreterGetModelBuffer(
    const TfLiteInterpreter* interpreter, const void** data, size_t* size);

/* Resource variables (the tf.Variable state that signatures share), read
 * and written from outside so that an interpreter's state can be saved and
 * restored into another interpreter of the same model. LiteRT has none of
 * these. Hash tables are not variables and are not listed.
 *
 * The number of variables the interpreter holds: those its signature runs
 * have created so far (0 on a fresh interpreter). -1 if `interpreter` is
 * NULL. */
TFL_CAPI_EXPORT int32_t PyliteInterpreterGetResourceVariableCount(
    const TfLiteInterpreter* interpreter);
/* Variable `index` (0 <= index < count): its container and shared name
 * (LiteRT's key) and its value, NULL while it was never assigned. The
 * pointers are the interpreter's and stay valid until it next runs, resets
 * or sets a variable. kTfLiteError (reported) for an index out of range;
 * any output pointer may be NULL. */
TFL_CAPI_EXPORT TfLiteStatus PyliteInterpreterGetResourceVariable(
    const TfLiteInterpreter* interpreter, int32_t index,
    const char** container, const char** shared_name,
    const TfLiteTensor** value);
/* Sets variable (container, shared_name), created if new, to a copy of a
 * value of `type` and shape `dims` whose `bytes` bytes are at `data` (for
 * kTfLiteString: the serialized string buffer, as TfLiteTensorData gives
 * it; it is checked). The type and shape may differ from the current ones.
 * First runs every initialization subgraph (CALL_ONCE) that has not run
 * yet, as the next signature run would, so that it cannot overwrite the
 * value afterwards. Must not run concurrently with an Invoke of the same
 * interpreter. kTfLiteError (reported) on a bad argument, a size that does
 * not match the type and shape, or a failing initialization. */
TFL_CAPI_EXPORT TfLiteStatus PyliteInterpreterSetResourceVariable(
    TfLiteInterpreter* interpreter, const char* container,
    const char* shared_name, TfLiteType type, const int* dims,
    int32_t dims_size, const void* data, size_t bytes);

/* ---- Profiling ------------------------------------------------------------------ */

/* Turns per-node timing on or off (off by default; it costs two clock reads
 * per node). Turning it on clears the counters. */
TFL_CAPI_EXPORT void PyliteInterpreterSetProfiling(
    TfLiteInterpreter* interpreter, bool enable);
/* Time spent in node `node_index` of a subgraph (its eval, and its prepare
 * when deferred to Invoke) since profiling was turned on, in nanoseconds,
 * and how many times it ran; false if out of range. */
TFL_CAPI_EXPORT bool PyliteInterpreterGetNodeProfile(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t node_index, int64_t* total_ns, int64_t* runs);
/* Bytes of a subgraph's arena (its planned, non-persistent tensors); -1 if
 * out of range. */
TFL_CAPI_EXPORT int64_t PyliteInterpreterGetArenaBytes(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index);

/* ---- Resizing -------------------------------------------------------------- */

/* Resizes a signature input, strict (only -1 dims of the shape signature may
 * change) or not. */
TFL_CAPI_EXPORT TfLiteStatus PyliteSignatureRunnerResizeInput(
    TfLiteSignatureRunner* runner, const char* input_name, const int* dims,
    int32_t dims_size, bool strict);
/* Resizes tensor `tensor_index` of subgraph 0, which must be an input. */
TFL_CAPI_EXPORT TfLiteStatus PyliteInterpreterResizeTensor(
    TfLiteInterpreter* interpreter, int32_t tensor_index, const int* dims,
    int32_t dims_size, bool strict);

/* ---- One-call runs ------------------------------------------------------- */

/* A signature run described once, for PyliteSignatureRunnerRun, which
 * bindings call with this one argument (each argument of a foreign call
 * costs them). The struct and the lists it points at are the caller's, and
 * may be reused for any number of runs.
 *
 * Inputs and outputs are in the runner's order (GetInputName and
 * GetOutputName). `input_shapes` holds, for each input in turn, its rank
 * then its dims; input_data[i] points at input i's bytes: its element count
 * times the size of its tensor's type (inputs are numeric, not STRING).
 * `output_shapes` holds the rank and dims the caller expects of each output
 * and output_data[i] room for that many elements of output i's type. The
 * lists of a signature without inputs (or outputs) may be NULL. */
typedef struct PyliteSignatureRun {
  TfLiteSignatureRunner* runner;
  const int* input_shapes;
  const void* const* input_data;
  const int* output_shapes;
  void* const* output_data;
} PyliteSignatureRun;

/* Runs a signature in a single call, for bindings that pay for every
 * foreign call (Python's cffi, JNI): the work of a non-strict resize of each
 * input whose shape differs, AllocateTensors (a no-op when nothing changed),
 * TfLiteTensorCopyFromBuffer per input, Invoke and TfLiteTensorCopyToBuffer
 * per output, all under the runner's subgraph lock.
 *
 * After a successful invoke, if every output has the expected shape and a
 * numeric type, each is copied to its output_data and the call returns
 * kTfLiteOk. Otherwise nothing is copied and it returns
 * kTfLiteOutputShapeNotKnown: the run succeeded, and the outputs are read
 * from their tensors (TfLiteSignatureRunnerGetOutputTensor) before the
 * subgraph runs again. The buffers are only used during the call.
 *
 * Returns kTfLiteError (reported) for a NULL run or runner, a NULL list, a
 * rank out of range, a STRING or constant input, a size that does not
 * match, or a failing resize, allocation or invoke (with the messages of
 * those calls), and kTfLiteCancelled as Invoke does. pylite-specific;
 * LiteRT has none. */
TFL_CAPI_EXPORT TfLiteStatus PyliteSignatureRunnerRun(
    const PyliteSignatureRun* run);

/* ---- Introspection --------------------------------------------------------- */

TFL_CAPI_EXPORT int32_t PyliteInterpreterGetSubgraphCount(
    const TfLiteInterpreter* interpreter);
/* -1 if subgraph_index is out of range. */
TFL_CAPI_EXPORT int32_t PyliteInterpreterGetTensorCount(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index);
/* NULL if out of range. */
TFL_CAPI_EXPORT TfLiteTensor* PyliteInterpreterGetSubgraphTensor(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t tensor_index);
/* Name of the subgraph ("" if none); NULL if out of range. */
TFL_CAPI_EXPORT const char* PyliteInterpreterGetSubgraphName(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index);
/* Number of operators of a subgraph; -1 if out of range. */
TFL_CAPI_EXPORT int32_t PyliteInterpreterGetNodeCount(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index);
/* Op name of a node ("FULLY_CONNECTED", or the custom name); NULL if out of
 * range. */
TFL_CAPI_EXPORT const char* PyliteInterpreterGetNodeOpName(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t node_index);

/* Tensor indices of a node's inputs (-1 for an omitted optional input) and
 * outputs; NULL if out of range. Owned by the interpreter. */
TFL_CAPI_EXPORT const TfLiteIntArray* PyliteInterpreterGetNodeInputs(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t node_index);
TFL_CAPI_EXPORT const TfLiteIntArray* PyliteInterpreterGetNodeOutputs(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index,
    int32_t node_index);

/* Whether subgraph `subgraph_index` is allocated and ready to invoke. */
TFL_CAPI_EXPORT bool PyliteInterpreterIsReady(
    const TfLiteInterpreter* interpreter, int32_t subgraph_index);

/* Names of the ops this build implements, in the order of its op table
 * (capi/kernels/ops.def); NULL past the end. */
TFL_CAPI_EXPORT int32_t PyliteGetOpCount(void);
TFL_CAPI_EXPORT const char* PyliteGetOpName(int32_t index);
/* The tensor types op `index` supports ("float32, int32"); "" if not
 * stated, NULL past the end. */
TFL_CAPI_EXPORT const char* PyliteGetOpTypes(int32_t index);

/* The runner's signature key (static for the placeholder runner). */
TFL_CAPI_EXPORT const char* PyliteSignatureRunnerGetKey(
    const TfLiteSignatureRunner* runner);
TFL_CAPI_EXPORT int32_t PyliteSignatureRunnerGetSubgraphIndex(
    const TfLiteSignatureRunner* runner);
/* Tensor index (within the runner's subgraph) of a named input/output; -1
 * (and a reported message) for an unknown name. */
TFL_CAPI_EXPORT int32_t PyliteSignatureRunnerGetInputTensorIndex(
    const TfLiteSignatureRunner* runner, const char* input_name);
TFL_CAPI_EXPORT int32_t PyliteSignatureRunnerGetOutputTensorIndex(
    const TfLiteSignatureRunner* runner, const char* output_name);

/* Whether the tensor's subgraph is allocated and ready to invoke. */
TFL_CAPI_EXPORT bool PyliteSignatureRunnerIsReady(
    const TfLiteSignatureRunner* runner);

#ifdef __cplusplus
}
#endif

#endif /* PYLITE_PYLITE_H_ */
