/* pylite: the public C API (pylite/c_api.h, pylite/pylite.h).
 *
 * A thin layer: argument checks, locking and error bookkeeping around the
 * core in capi/core/. Every entry point that can fail starts by clearing the
 * calling thread's error accumulator, so PyliteGetLastError() holds exactly
 * the messages of the last failing call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/interp.h"
#include "pylite/pylite.h"

int32_t pl_op_count(void);
const char* pl_op_name(int32_t i);
const char* pl_op_types(int32_t i);

/* Checks a handle argument: reports and returns `ret` when NULL. */
#define PL_CHECK_ARG(arg, ret)                                      \
  do {                                                              \
    if (!(arg)) {                                                   \
      pl_error(NULL, "%s: argument '%s' is NULL.", __func__, #arg); \
      return ret;                                                   \
    }                                                               \
  } while (0)

/* ---- Versions ------------------------------------------------------------ */

const char* TfLiteVersion(void) { return "2.21.0"; }
const char* TfLiteExtensionApisVersion(void) { return "2.21.0"; }
int TfLiteSchemaVersion(void) { return 3; }

/* ---- Model ----------------------------------------------------------------- */

TfLiteModel* TfLiteModelCreate(const void* model_data, size_t model_size) {
  return TfLiteModelCreateWithErrorReporter(model_data, model_size, NULL, NULL);
}

TfLiteModel* TfLiteModelCreateWithErrorReporter(
    const void* model_data, size_t model_size,
    TfLiteErrorReporterCallback reporter, void* user_data) {
  pl_error_begin();
  return pl_model_create(model_data, model_size, NULL, 0, reporter, user_data);
}

TfLiteModel* TfLiteModelCreateFromFile(const char* model_path) {
  return TfLiteModelCreateFromFileWithErrorReporter(model_path, NULL, NULL);
}

TfLiteModel* TfLiteModelCreateFromFileWithErrorReporter(
    const char* model_path, TfLiteErrorReporterCallback reporter,
    void* user_data) {
  pl_error_begin();
  return pl_model_create_from_file(model_path, reporter, user_data);
}

void TfLiteModelDelete(TfLiteModel* model) { pl_model_release(model); }

/* ---- Options --------------------------------------------------------------- */

TfLiteInterpreterOptions* TfLiteInterpreterOptionsCreate(void) {
  TfLiteInterpreterOptions* o = calloc(1, sizeof(*o));
  if (o) o->num_threads = -1;
  return o;
}

TfLiteInterpreterOptions* TfLiteInterpreterOptionsCopy(
    const TfLiteInterpreterOptions* from) {
  if (!from) return NULL;
  TfLiteInterpreterOptions* o = malloc(sizeof(*o));
  if (!o) return NULL;
  *o = *from;
  /* The operators stay the caller's; the copy gets its own list of them. */
  o->operators = NULL;
  if (pl_operator_list_copy(from->operators, from->num_operators,
                            &o->operators) != kTfLiteOk) {
    free(o);
    return NULL;
  }
  return o;
}

void TfLiteInterpreterOptionsDelete(TfLiteInterpreterOptions* options) {
  if (options) free(options->operators);
  free(options);
}

void TfLiteInterpreterOptionsSetNumThreads(TfLiteInterpreterOptions* options,
                                           int32_t num_threads) {
  if (options) options->num_threads = num_threads;
}

void TfLiteInterpreterOptionsSetErrorReporter(
    TfLiteInterpreterOptions* options, TfLiteErrorReporterCallback reporter,
    void* user_data) {
  if (!options) return;
  options->reporter = reporter;
  options->reporter_data = user_data;
}

void TfLiteInterpreterOptionsAddDelegate(TfLiteInterpreterOptions* options,
                                         TfLiteOpaqueDelegate* delegate) {
  if (options && delegate) options->num_delegates++;
}

void PyliteInterpreterOptionsSetMaxAllocationBytes(
    TfLiteInterpreterOptions* options, size_t bytes) {
  if (options) options->max_allocation_bytes = bytes;
}

TfLiteStatus TfLiteInterpreterOptionsEnableCancellation(
    TfLiteInterpreterOptions* options, bool enable) {
  if (options) options->enable_cancellation = enable;
  return kTfLiteOk;
}

/* ---- Interpreter ------------------------------------------------------------ */

TfLiteInterpreter* TfLiteInterpreterCreate(
    const TfLiteModel* model, const TfLiteInterpreterOptions* optional_options) {
  pl_error_begin();
  return pl_interp_create((TfLiteModel*)model, optional_options);
}

void TfLiteInterpreterDelete(TfLiteInterpreter* interpreter) {
  pl_interp_delete(interpreter);
}

/* Subgraph 0, or NULL (reported) for a model without subgraphs. */
static PlSubgraph* primary(const TfLiteInterpreter* interp) {
  if (interp->num_subgraphs < 1) {
    pl_error((PlInterp*)interp, "The model has no subgraphs.");
    return NULL;
  }
  return &interp->subgraphs[0];
}

int32_t TfLiteInterpreterGetInputTensorCount(
    const TfLiteInterpreter* interpreter) {
  PL_CHECK_ARG(interpreter, 0);
  PlSubgraph* sg = primary(interpreter);
  return sg ? sg->inputs->size : 0;
}

const int* TfLiteInterpreterInputTensorIndices(
    const TfLiteInterpreter* interpreter) {
  PL_CHECK_ARG(interpreter, NULL);
  PlSubgraph* sg = primary(interpreter);
  return sg ? sg->inputs->data : NULL;
}

int32_t TfLiteInterpreterGetOutputTensorCount(
    const TfLiteInterpreter* interpreter) {
  PL_CHECK_ARG(interpreter, 0);
  PlSubgraph* sg = primary(interpreter);
  return sg ? sg->outputs->size : 0;
}

const int* TfLiteInterpreterOutputTensorIndices(
    const TfLiteInterpreter* interpreter) {
  PL_CHECK_ARG(interpreter, NULL);
  PlSubgraph* sg = primary(interpreter);
  return sg ? sg->outputs->data : NULL;
}

static TfLiteTensor* io_tensor(const TfLiteInterpreter* interp,
                               const TfLiteIntArray* list, int32_t index,
                               const char* what) {
  if (index < 0 || index >= list->size) {
    pl_error((PlInterp*)interp, "%s index %d is out of range [0, %d).", what,
             (int)index, list->size);
    return NULL;
  }
  return &interp->subgraphs[0].tensors[list->data[index]];
}

TfLiteTensor* TfLiteInterpreterGetInputTensor(
    const TfLiteInterpreter* interpreter, int32_t input_index) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, NULL);
  PlSubgraph* sg = primary(interpreter);
  return sg ? io_tensor(interpreter, sg->inputs, input_index, "Input") : NULL;
}

const TfLiteTensor* TfLiteInterpreterGetOutputTensor(
    const TfLiteInterpreter* interpreter, int32_t output_index) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, NULL);
  PlSubgraph* sg = primary(interpreter);
  return sg ? io_tensor(interpreter, sg->outputs, output_index, "Output")
            : NULL;
}

TfLiteTensor* TfLiteInterpreterGetTensor(const TfLiteInterpreter* interpreter,
                                         int index) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, NULL);
  return PyliteInterpreterGetSubgraphTensor(interpreter, 0, index);
}

TfLiteStatus TfLiteInterpreterResizeInputTensor(TfLiteInterpreter* interpreter,
                                                int32_t input_index,
                                                const int* input_dims,
                                                int32_t input_dims_size) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  PlSubgraph* sg = primary(interpreter);
  if (!sg) return kTfLiteError;
  if (input_index < 0 || input_index >= sg->inputs->size) {
    pl_error(interpreter, "Input index %d is out of range [0, %d).",
             (int)input_index, sg->inputs->size);
    return kTfLiteError;
  }
  pthread_mutex_lock(&sg->lock);
  TfLiteStatus status = pl_subgraph_resize_input(
      sg, sg->inputs->data[input_index], input_dims, input_dims_size, false);
  pthread_mutex_unlock(&sg->lock);
  return status;
}

/* As TFLite, AllocateTensors on a subgraph that is already allocated, with
 * no input resized since, keeps its plan (and its tensors' data pointers)
 * and returns at once; bindings call it before every run. */
static TfLiteStatus locked_allocate(PlSubgraph* sg) {
  pthread_mutex_lock(&sg->lock);
  TfLiteStatus status =
      sg->state == PL_STATE_READY ? kTfLiteOk : pl_subgraph_allocate(sg);
  pthread_mutex_unlock(&sg->lock);
  return status;
}

/* Starts a top-level run of `sg`: a cancellation asked for before it is
 * forgotten, as in TFLite (subgraphs called by control flow keep the flag),
 * then the locks, in the lock order: the interpreter's state lock, then
 * subgraph locks (the runner's, then its callees' in call-graph order). */
static void lock_run(PlSubgraph* sg) {
  atomic_store(&sg->interp->cancelled, false);
  if (sg->touches_state) pthread_mutex_lock(&sg->interp->state_lock);
  pthread_mutex_lock(&sg->lock);
}

static void unlock_run(PlSubgraph* sg) {
  pthread_mutex_unlock(&sg->lock);
  if (sg->touches_state) pthread_mutex_unlock(&sg->interp->state_lock);
}

static TfLiteStatus locked_invoke(PlSubgraph* sg) {
  lock_run(sg);
  TfLiteStatus status = pl_subgraph_invoke(sg);
  unlock_run(sg);
  return status;
}

TfLiteStatus TfLiteInterpreterAllocateTensors(TfLiteInterpreter* interpreter) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  PlSubgraph* sg = primary(interpreter);
  return sg ? locked_allocate(sg) : kTfLiteError;
}

TfLiteStatus TfLiteInterpreterInvoke(TfLiteInterpreter* interpreter) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  PlSubgraph* sg = primary(interpreter);
  return sg ? locked_invoke(sg) : kTfLiteError;
}

TfLiteStatus TfLiteInterpreterCancel(const TfLiteInterpreter* interpreter) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  if (!interpreter->enable_cancellation) {
    pl_error((PlInterp*)interpreter,
             "Cancellation is not enabled in the interpreter options.");
    return kTfLiteError;
  }
  atomic_store(&((PlInterp*)interpreter)->cancelled, true);
  return kTfLiteOk;
}

/* ---- Signatures ---------------------------------------------------------------- */

int32_t TfLiteInterpreterGetSignatureCount(
    const TfLiteInterpreter* interpreter) {
  return interpreter ? interpreter->num_signatures : 0;
}

const char* TfLiteInterpreterGetSignatureKey(
    const TfLiteInterpreter* interpreter, int32_t signature_index) {
  if (!interpreter || signature_index < 0 ||
      signature_index >= interpreter->num_signatures)
    return NULL;
  return interpreter->signatures[signature_index].key;
}

TfLiteSignatureRunner* TfLiteInterpreterGetSignatureRunner(
    const TfLiteInterpreter* interpreter, const char* signature_key) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, NULL);
  PlInterp* interp = (PlInterp*)interpreter;
  const PlSignature* sig = pl_interp_find_signature(interp, signature_key);
  if (!sig) return NULL;
  TfLiteSignatureRunner* runner = calloc(1, sizeof(*runner));
  if (!runner) {
    pl_error(interp, "Out of memory.");
    return NULL;
  }
  runner->interp = interp;
  runner->sig = sig;
  runner->sg = &interp->subgraphs[sig->subgraph_index];
  return runner;
}

size_t TfLiteSignatureRunnerGetInputCount(const TfLiteSignatureRunner* r) {
  return r ? (size_t)r->sig->num_inputs : 0;
}

const char* TfLiteSignatureRunnerGetInputName(const TfLiteSignatureRunner* r,
                                              int32_t input_index) {
  if (!r || input_index < 0 || input_index >= r->sig->num_inputs) return NULL;
  return r->sig->input_names[input_index];
}

size_t TfLiteSignatureRunnerGetOutputCount(const TfLiteSignatureRunner* r) {
  return r ? (size_t)r->sig->num_outputs : 0;
}

const char* TfLiteSignatureRunnerGetOutputName(const TfLiteSignatureRunner* r,
                                               int32_t output_index) {
  if (!r || output_index < 0 || output_index >= r->sig->num_outputs)
    return NULL;
  return r->sig->output_names[output_index];
}

/* Lists a signature's names for error messages. */
static void list_names(const char* const* names, int32_t n, char* out,
                       size_t size) {
  size_t used = 0;
  out[0] = '\0';
  for (int32_t i = 0; i < n && used < size; ++i)
    used += (size_t)snprintf(out + used, size - used, "%s'%s'", i ? ", " : "",
                             names[i]);
}

static int32_t input_tensor_index(const TfLiteSignatureRunner* r,
                                  const char* name) {
  int32_t i = pl_signature_input(r->sig, name);
  if (i < 0) {
    char list[1024];
    list_names(r->sig->input_names, r->sig->num_inputs, list, sizeof(list));
    pl_error(r->interp, "Input name %s was not found in signature '%s'. "
             "Inputs: [%s].", name ? name : "(null)", r->sig->key, list);
    return -1;
  }
  return r->sig->input_tensors[i];
}

static int32_t output_tensor_index(const TfLiteSignatureRunner* r,
                                   const char* name) {
  int32_t i = pl_signature_output(r->sig, name);
  if (i < 0) {
    char list[1024];
    list_names(r->sig->output_names, r->sig->num_outputs, list, sizeof(list));
    pl_error(r->interp, "Output name %s was not found in signature '%s'. "
             "Outputs: [%s].", name ? name : "(null)", r->sig->key, list);
    return -1;
  }
  return r->sig->output_tensors[i];
}

TfLiteStatus PyliteSignatureRunnerResizeInput(TfLiteSignatureRunner* runner,
                                              const char* input_name,
                                              const int* dims,
                                              int32_t dims_size, bool strict) {
  pl_error_begin();
  PL_CHECK_ARG(runner, kTfLiteError);
  int32_t t = input_tensor_index(runner, input_name);
  if (t < 0) return kTfLiteError;
  pthread_mutex_lock(&runner->sg->lock);
  TfLiteStatus status =
      pl_subgraph_resize_input(runner->sg, t, dims, dims_size, strict);
  pthread_mutex_unlock(&runner->sg->lock);
  return status;
}

TfLiteStatus TfLiteSignatureRunnerResizeInputTensor(
    TfLiteSignatureRunner* runner, const char* input_name,
    const int* input_dims, int32_t input_dims_size) {
  return PyliteSignatureRunnerResizeInput(runner, input_name, input_dims,
                                          input_dims_size, true);
}

TfLiteStatus TfLiteSignatureRunnerAllocateTensors(
    TfLiteSignatureRunner* runner) {
  pl_error_begin();
  PL_CHECK_ARG(runner, kTfLiteError);
  return locked_allocate(runner->sg);
}

TfLiteTensor* TfLiteSignatureRunnerGetInputTensor(
    TfLiteSignatureRunner* runner, const char* input_name) {
  pl_error_begin();
  PL_CHECK_ARG(runner, NULL);
  int32_t t = input_tensor_index(runner, input_name);
  return t < 0 ? NULL : &runner->sg->tensors[t];
}

TfLiteStatus TfLiteSignatureRunnerInvoke(TfLiteSignatureRunner* runner) {
  pl_error_begin();
  PL_CHECK_ARG(runner, kTfLiteError);
  return locked_invoke(runner->sg);
}

const TfLiteTensor* TfLiteSignatureRunnerGetOutputTensor(
    const TfLiteSignatureRunner* runner, const char* output_name) {
  pl_error_begin();
  PL_CHECK_ARG(runner, NULL);
  int32_t t = output_tensor_index(runner, output_name);
  return t < 0 ? NULL : &runner->sg->tensors[t];
}

TfLiteStatus TfLiteSignatureRunnerCancel(TfLiteSignatureRunner* runner) {
  PL_CHECK_ARG(runner, kTfLiteError);
  return TfLiteInterpreterCancel(runner->interp);
}

void TfLiteSignatureRunnerDelete(TfLiteSignatureRunner* runner) {
  free(runner);
}

/* ---- Tensors ----------------------------------------------------------------- */

TfLiteType TfLiteTensorType(const TfLiteTensor* tensor) {
  return tensor ? tensor->type : kTfLiteNoType;
}

int32_t TfLiteTensorNumDims(const TfLiteTensor* tensor) {
  if (!tensor || !tensor->dims) return -1;
  return tensor->dims->size;
}

int32_t TfLiteTensorDim(const TfLiteTensor* tensor, int32_t dim_index) {
  if (!tensor || !tensor->dims || dim_index < 0 ||
      dim_index >= tensor->dims->size)
    return -1;
  return tensor->dims->data[dim_index];
}

size_t TfLiteTensorByteSize(const TfLiteTensor* tensor) {
  return tensor ? tensor->bytes : 0;
}

void* TfLiteTensorData(const TfLiteTensor* tensor) {
  return tensor ? tensor->data.data : NULL;
}

const char* TfLiteTensorName(const TfLiteTensor* tensor) {
  return tensor ? tensor->name : NULL;
}

TfLiteQuantizationParams TfLiteTensorQuantizationParams(
    const TfLiteTensor* tensor) {
  TfLiteQuantizationParams none = {0.0f, 0};
  return tensor ? tensor->params : none;
}

TfLiteStatus TfLiteTensorCopyFromBuffer(TfLiteTensor* tensor,
                                        const void* input_data,
                                        size_t input_data_size) {
  pl_error_begin();
  PL_CHECK_ARG(tensor, kTfLiteError);
  if (tensor->type == kTfLiteString) {
    pl_error(NULL, "Tensor '%s' holds strings: write it with "
             "PyliteTensorWriteStrings.", tensor->name);
    return kTfLiteError;
  }
  if (tensor->bytes != input_data_size) {
    pl_error(NULL, "Tensor '%s' has %zu bytes but %zu were given.",
             tensor->name, tensor->bytes, input_data_size);
    return kTfLiteError;
  }
  if (!tensor->data.raw) {
    pl_error(NULL, "Tensor '%s' is not allocated: call AllocateTensors "
             "first.", tensor->name);
    return kTfLiteError;
  }
  if (pl_is_constant(tensor)) {
    pl_error(NULL, "Tensor '%s' is constant.", tensor->name);
    return kTfLiteError;
  }
  if (input_data_size) memcpy(tensor->data.raw, input_data, input_data_size);
  return kTfLiteOk;
}

TfLiteStatus TfLiteTensorCopyToBuffer(const TfLiteTensor* tensor,
                                      void* output_data,
                                      size_t output_data_size) {
  pl_error_begin();
  PL_CHECK_ARG(tensor, kTfLiteError);
  if (tensor->bytes != output_data_size) {
    pl_error(NULL, "Tensor '%s' has %zu bytes but the buffer has %zu.",
             tensor->name, tensor->bytes, output_data_size);
    return kTfLiteError;
  }
  if (output_data_size && !tensor->data.raw) {
    pl_error(NULL, "Tensor '%s' has no data.", tensor->name);
    return kTfLiteError;
  }
  if (output_data_size) memcpy(output_data, tensor->data.raw, output_data_size);
  return kTfLiteOk;
}

/* ---- pylite extensions ------------------------------------------------------- */

const char* PyliteGetLastError(void) { return pl_error_thread_last(); }
void PyliteClearLastError(void) { pl_error_begin(); }

const char* PyliteInterpreterGetLastError(
    const TfLiteInterpreter* interpreter) {
  return interpreter ? interpreter->last_error : "";
}

void PyliteQuietReporter(void* user_data, const char* format, va_list args) {
  (void)user_data, (void)format, (void)args;
}

int32_t PyliteTensorGetStringCount(const TfLiteTensor* tensor) {
  if (!tensor || tensor->type != kTfLiteString) return -1;
  return pl_string_count(tensor);
}

TfLiteStatus PyliteTensorGetString(const TfLiteTensor* tensor, int32_t index,
                                   const char** data, size_t* length) {
  pl_error_begin();
  PL_CHECK_ARG(tensor, kTfLiteError);
  PL_CHECK_ARG(data, kTfLiteError);
  PL_CHECK_ARG(length, kTfLiteError);
  if (!pl_string_get(tensor, index, data, length)) {
    pl_error(NULL, "String %d of tensor '%s' does not exist (the tensor "
             "holds %d strings).", (int)index, tensor->name,
             (int)pl_string_count(tensor));
    return kTfLiteError;
  }
  return kTfLiteOk;
}

TfLiteStatus PyliteTensorWriteStrings(TfLiteTensor* tensor, int32_t count,
                                      const char* const* data,
                                      const size_t* lengths) {
  pl_error_begin();
  PL_CHECK_ARG(tensor, kTfLiteError);
  if (tensor->type != kTfLiteString) {
    pl_error(NULL, "Tensor '%s' has type %s, not STRING.", tensor->name,
             TfLiteTypeGetName(tensor->type));
    return kTfLiteError;
  }
  if (pl_is_constant(tensor)) {
    pl_error(NULL, "Tensor '%s' is constant.", tensor->name);
    return kTfLiteError;
  }
  int64_t want = pl_num_elements(tensor);
  if (count != want) {
    pl_error(NULL, "Tensor '%s' has %lld elements but %d strings were given.",
             tensor->name, (long long)want, (int)count);
    return kTfLiteError;
  }
  if (count > 0 && (!data || !lengths)) {
    pl_error(NULL, "PyliteTensorWriteStrings: data or lengths is NULL.");
    return kTfLiteError;
  }
  for (int32_t i = 0; i < count; ++i) {
    if (!data[i] && lengths[i]) {
      pl_error(NULL, "PyliteTensorWriteStrings: string %d is NULL.", (int)i);
      return kTfLiteError;
    }
  }
  return pl_string_write(NULL, tensor, count, data, lengths);
}

TfLiteStatus PyliteInterpreterResizeTensor(TfLiteInterpreter* interpreter,
                                           int32_t tensor_index,
                                           const int* dims, int32_t dims_size,
                                           bool strict) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  PlSubgraph* sg = primary(interpreter);
  if (!sg) return kTfLiteError;
  pthread_mutex_lock(&sg->lock);
  TfLiteStatus status =
      pl_subgraph_resize_input(sg, tensor_index, dims, dims_size, strict);
  pthread_mutex_unlock(&sg->lock);
  return status;
}

/* ---- One-call runs (PyliteSignatureRunnerRun) -------------------------- */

/* Reads the next shape of a shape list (a rank, then that many dims) and
 * moves *cursor past it. NULL (reported, naming the tensor) if the rank is
 * out of range. */
static const int* next_shape(const TfLiteSignatureRunner* r, const char* what,
                             const char* name, const int** cursor,
                             int32_t* rank) {
  int32_t n = **cursor;
  if (n < 0 || n > PL_MAX_RANK) {
    pl_error(r->interp, "%s '%s': rank %d is out of range [0, %d].", what,
             name, (int)n, PL_MAX_RANK);
    return NULL;
  }
  const int* dims = *cursor + 1;
  *cursor = dims + n;
  *rank = n;
  return dims;
}

/* The bytes of a numeric tensor's elements in *bytes; false for a type
 * without a fixed element size (STRING, variant, packed), a negative dim or
 * a size that overflows size_t. */
static bool numeric_bytes(const TfLiteTensor* t, size_t* bytes) {
  size_t n = t->type == kTfLiteString ? 0 : pl_type_size(t->type);
  if (n == 0) return false;
  for (int i = 0; t->dims && i < t->dims->size; ++i) {
    int d = t->dims->data[i];
    if (d < 0 || __builtin_mul_overflow(n, (size_t)d, &n)) return false;
  }
  *bytes = t->dims ? n : 0;
  return true;
}

/* The inputs' part of a one-call run: resizes the inputs whose shape
 * changed, allocates if needed, then copies each input in. */
static TfLiteStatus run_set_inputs(TfLiteSignatureRunner* r,
                                   const int* shapes,
                                   const void* const* data) {
  PlSubgraph* sg = r->sg;
  const PlSignature* sig = r->sig;
  const int* cursor = shapes;
  for (int32_t i = 0; i < sig->num_inputs; ++i) {
    int32_t rank;
    const int* dims =
        next_shape(r, "Input", sig->input_names[i], &cursor, &rank);
    if (!dims) return kTfLiteError;
    int32_t t = sig->input_tensors[i];
    if (!TfLiteIntArrayEqualsArray(sg->tensors[t].dims, rank, dims))
      PL_ENSURE_OK(pl_subgraph_resize_input(sg, t, dims, rank, false));
  }
  if (sg->state != PL_STATE_READY) PL_ENSURE_OK(pl_subgraph_allocate(sg));
  for (int32_t i = 0; i < sig->num_inputs; ++i) {
    TfLiteTensor* t = &sg->tensors[sig->input_tensors[i]];
    size_t bytes = 0;
    if (!numeric_bytes(t, &bytes) || pl_is_constant(t)) {
      pl_error(r->interp, "Input '%s' (%s%s) cannot be copied from a "
               "buffer.", sig->input_names[i], TfLiteTypeGetName(t->type),
               pl_is_constant(t) ? ", constant" : "");
      return kTfLiteError;
    }
    if (t->bytes != bytes || (bytes && (!t->data.raw || !data[i]))) {
      pl_error(r->interp, "Input '%s' has %zu bytes but its shape needs "
               "%zu, or no data.", sig->input_names[i], t->bytes, bytes);
      return kTfLiteError;
    }
    if (bytes) memcpy(t->data.raw, data[i], bytes);
  }
  return kTfLiteOk;
}

/* The outputs' part: copies every output out if each has the expected
 * shape and a numeric type, else leaves them in their tensors and returns
 * kTfLiteOutputShapeNotKnown. */
static TfLiteStatus run_get_outputs(TfLiteSignatureRunner* r,
                                    const int* shapes, void* const* data) {
  const PlSignature* sig = r->sig;
  const TfLiteTensor* tensors = r->sg->tensors;
  const int* cursor = shapes;
  bool match = true;
  for (int32_t i = 0; i < sig->num_outputs; ++i) {
    int32_t rank;
    const int* dims =
        next_shape(r, "Output", sig->output_names[i], &cursor, &rank);
    if (!dims) return kTfLiteError;
    const TfLiteTensor* t = &tensors[sig->output_tensors[i]];
    size_t bytes = 0;
    match = match && numeric_bytes(t, &bytes) && t->bytes == bytes &&
            TfLiteIntArrayEqualsArray(t->dims, rank, dims) &&
            (!bytes || t->data.raw);
    if (bytes && !data[i]) {
      pl_error(r->interp, "Output '%s': output_data is NULL.",
               sig->output_names[i]);
      return kTfLiteError;
    }
  }
  if (!match) return kTfLiteOutputShapeNotKnown;
  for (int32_t i = 0; i < sig->num_outputs; ++i) {
    const TfLiteTensor* t = &tensors[sig->output_tensors[i]];
    if (t->bytes) memcpy(data[i], t->data.raw, t->bytes);
  }
  return kTfLiteOk;
}

TfLiteStatus PyliteSignatureRunnerRun(const PyliteSignatureRun* run) {
  pl_error_begin();
  PL_CHECK_ARG(run, kTfLiteError);
  TfLiteSignatureRunner* runner = run->runner;
  PL_CHECK_ARG(runner, kTfLiteError);
  if ((runner->sig->num_inputs && (!run->input_shapes || !run->input_data)) ||
      (runner->sig->num_outputs &&
       (!run->output_shapes || !run->output_data))) {
    pl_error(runner->interp, "%s: a shape or data list is NULL.", __func__);
    return kTfLiteError;
  }
  PlSubgraph* sg = runner->sg;
  lock_run(sg);
  TfLiteStatus status =
      run_set_inputs(runner, run->input_shapes, run->input_data);
  if (status == kTfLiteOk) status = pl_subgraph_invoke(sg);
  if (status == kTfLiteOk)
    status = run_get_outputs(runner, run->output_shapes, run->output_data);
  unlock_run(sg);
  return status;
}

int32_t PyliteInterpreterGetSubgraphCount(const TfLiteInterpreter* interp) {
  return interp ? interp->num_subgraphs : 0;
}

static PlSubgraph* subgraph_at(const TfLiteInterpreter* interp, int32_t i) {
  if (!interp || i < 0 || i >= interp->num_subgraphs) return NULL;
  return &interp->subgraphs[i];
}

int32_t PyliteInterpreterGetTensorCount(const TfLiteInterpreter* interp,
                                        int32_t subgraph_index) {
  PlSubgraph* sg = subgraph_at(interp, subgraph_index);
  return sg ? sg->num_tensors : -1;
}

TfLiteTensor* PyliteInterpreterGetSubgraphTensor(
    const TfLiteInterpreter* interp, int32_t subgraph_index,
    int32_t tensor_index) {
  PlSubgraph* sg = subgraph_at(interp, subgraph_index);
  if (!sg || tensor_index < 0 || tensor_index >= sg->num_tensors) {
    if (interp)
      pl_error((PlInterp*)interp, "Tensor %d of subgraph %d does not exist.",
               (int)tensor_index, (int)subgraph_index);
    return NULL;
  }
  return &sg->tensors[tensor_index];
}

const char* PyliteInterpreterGetSubgraphName(const TfLiteInterpreter* interp,
                                             int32_t subgraph_index) {
  PlSubgraph* sg = subgraph_at(interp, subgraph_index);
  return sg ? sg->def->name : NULL;
}

int32_t PyliteInterpreterGetNodeCount(const TfLiteInterpreter* interp,
                                      int32_t subgraph_index) {
  PlSubgraph* sg = subgraph_at(interp, subgraph_index);
  return sg ? sg->num_nodes : -1;
}

const char* PyliteInterpreterGetNodeOpName(const TfLiteInterpreter* interp,
                                           int32_t subgraph_index,
                                           int32_t node_index) {
  PlSubgraph* sg = subgraph_at(interp, subgraph_index);
  if (!sg || node_index < 0 || node_index >= sg->num_nodes) return NULL;
  return sg->nodes[node_index].op_name;
}

const char* PyliteSignatureRunnerGetKey(const TfLiteSignatureRunner* runner) {
  return runner ? runner->sig->key : NULL;
}

int32_t PyliteSignatureRunnerGetSubgraphIndex(
    const TfLiteSignatureRunner* runner) {
  return runner ? runner->sig->subgraph_index : -1;
}

int32_t PyliteSignatureRunnerGetInputTensorIndex(
    const TfLiteSignatureRunner* runner, const char* input_name) {
  pl_error_begin();
  PL_CHECK_ARG(runner, -1);
  return input_tensor_index(runner, input_name);
}

int32_t PyliteSignatureRunnerGetOutputTensorIndex(
    const TfLiteSignatureRunner* runner, const char* output_name) {
  pl_error_begin();
  PL_CHECK_ARG(runner, -1);
  return output_tensor_index(runner, output_name);
}

bool PyliteSignatureRunnerIsReady(const TfLiteSignatureRunner* runner) {
  return runner && runner->sg->state == PL_STATE_READY;
}

const TfLiteIntArray* PyliteInterpreterGetNodeInputs(
    const TfLiteInterpreter* interp, int32_t subgraph_index,
    int32_t node_index) {
  PlSubgraph* sg = subgraph_at(interp, subgraph_index);
  if (!sg || node_index < 0 || node_index >= sg->num_nodes) return NULL;
  return sg->nodes[node_index].inputs;
}

const TfLiteIntArray* PyliteInterpreterGetNodeOutputs(
    const TfLiteInterpreter* interp, int32_t subgraph_index,
    int32_t node_index) {
  PlSubgraph* sg = subgraph_at(interp, subgraph_index);
  if (!sg || node_index < 0 || node_index >= sg->num_nodes) return NULL;
  return sg->nodes[node_index].outputs;
}

bool PyliteInterpreterIsReady(const TfLiteInterpreter* interp,
                              int32_t subgraph_index) {
  PlSubgraph* sg = subgraph_at(interp, subgraph_index);
  return sg && sg->state == PL_STATE_READY;
}

int32_t PyliteGetOpCount(void) { return pl_op_count(); }
const char* PyliteGetOpName(int32_t index) { return pl_op_name(index); }
const char* PyliteGetOpTypes(int32_t index) { return pl_op_types(index); }

/* ---- Experimental ------------------------------------------------------------ */

TfLiteStatus TfLiteInterpreterResetVariableTensors(
    TfLiteInterpreter* interpreter) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  for (int32_t s = 0; s < interpreter->num_subgraphs; ++s) {
    PlSubgraph* sg = &interpreter->subgraphs[s];
    pthread_mutex_lock(&sg->lock);
    for (int32_t i = 0; i < sg->num_tensors; ++i) {
      TfLiteTensor* t = &sg->tensors[i];
      if (!t->is_variable || !t->data.raw) continue;
      int value = t->type == kTfLiteInt8 ? t->params.zero_point : 0;
      memset(t->data.raw, value, t->bytes);
    }
    pthread_mutex_unlock(&sg->lock);
  }
  return kTfLiteOk;
}

TfLiteStatus PyliteInterpreterReset(TfLiteInterpreter* interpreter) {
  PL_ENSURE_OK(TfLiteInterpreterResetVariableTensors(interpreter));
  pl_control_reset(interpreter);
  return kTfLiteOk;
}

TfLiteStatus PyliteInterpreterGetModelBuffer(
    const TfLiteInterpreter* interpreter, const void** data, size_t* size) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  PL_CHECK_ARG(data, kTfLiteError);
  PL_CHECK_ARG(size, kTfLiteError);
  const PlFb* fb = &interpreter->model->parsed->fb;
  *data = fb->base;
  *size = fb->size;
  return kTfLiteOk;
}

/* ---- Resource variables ------------------------------------------------------- */

int32_t PyliteInterpreterGetResourceVariableCount(
    const TfLiteInterpreter* interpreter) {
  if (!interpreter) return -1;
  return pl_variable_count((PlInterp*)interpreter);
}

TfLiteStatus PyliteInterpreterGetResourceVariable(
    const TfLiteInterpreter* interpreter, int32_t index,
    const char** container, const char** shared_name,
    const TfLiteTensor** value) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  return pl_variable_get((PlInterp*)interpreter, index, container,
                         shared_name, value);
}

TfLiteStatus PyliteInterpreterSetResourceVariable(
    TfLiteInterpreter* interpreter, const char* container,
    const char* shared_name, TfLiteType type, const int* dims,
    int32_t dims_size, const void* data, size_t bytes) {
  pl_error_begin();
  PL_CHECK_ARG(interpreter, kTfLiteError);
  PL_CHECK_ARG(shared_name, kTfLiteError);
  if (dims_size < 0 || (dims_size > 0 && !dims) || (bytes > 0 && !data)) {
    pl_error(interpreter, "Variable '%s': bad shape or data arguments.",
             shared_name);
    return kTfLiteError;
  }
  size_t element = pl_type_size(type);
  if (element == 0 && type != kTfLiteString) {
    pl_error(interpreter, "Variable '%s': type %s cannot be set.",
             shared_name, TfLiteTypeGetName(type));
    return kTfLiteError;
  }
  TfLiteIntArray* shape = TfLiteIntArrayCreate(dims_size);
  if (!shape) {
    pl_error(interpreter, "Out of memory setting variable '%s'.", shared_name);
    return kTfLiteError;
  }
  size_t count = 1;
  for (int32_t i = 0; i < dims_size; ++i) {
    shape->data[i] = dims[i];
    if (dims[i] < 0) count = SIZE_MAX;
    else if (count != SIZE_MAX) count *= (size_t)dims[i];
  }
  if (type != kTfLiteString && (count == SIZE_MAX || count * element != bytes)) {
    pl_error(interpreter, "Variable '%s': %zu bytes do not hold a %s value "
             "of that shape.", shared_name, bytes, TfLiteTypeGetName(type));
    TfLiteIntArrayFree(shape);
    return kTfLiteError;
  }
  TfLiteTensor value;
  memset(&value, 0, sizeof(value));
  value.type = type;
  value.dims = shape;
  value.data.raw = (char*)data;
  value.bytes = bytes;
  value.name = shared_name;
  value.allocation_type = kTfLiteCustom;
  TfLiteStatus status =
      pl_variable_set(interpreter, container, shared_name, &value);
  TfLiteIntArrayFree(shape);
  return status;
}

int TfLiteInterpreterGetInputTensorIndex(const TfLiteInterpreter* interpreter,
                                         int32_t input_index) {
  PlSubgraph* sg = subgraph_at(interpreter, 0);
  if (!sg || input_index < 0 || input_index >= sg->inputs->size) return -1;
  return sg->inputs->data[input_index];
}

int TfLiteInterpreterGetOutputTensorIndex(const TfLiteInterpreter* interpreter,
                                          int32_t output_index) {
  PlSubgraph* sg = subgraph_at(interpreter, 0);
  if (!sg || output_index < 0 || output_index >= sg->outputs->size) return -1;
  return sg->outputs->data[output_index];
}

/* ---- Profiling --------------------------------------------------------------- */

void PyliteInterpreterSetProfiling(TfLiteInterpreter* interpreter,
                                   bool enable) {
  if (!interpreter) return;
  if (enable) {
    for (int32_t s = 0; s < interpreter->num_subgraphs; ++s) {
      PlSubgraph* sg = &interpreter->subgraphs[s];
      pthread_mutex_lock(&sg->lock);
      memset(sg->node_ns, 0, sizeof(int64_t) * (size_t)sg->num_nodes);
      memset(sg->node_runs, 0, sizeof(int64_t) * (size_t)sg->num_nodes);
      pthread_mutex_unlock(&sg->lock);
    }
  }
  atomic_store(&interpreter->profiling, enable);
}

bool PyliteInterpreterGetNodeProfile(const TfLiteInterpreter* interpreter,
                                     int32_t subgraph_index,
                                     int32_t node_index, int64_t* total_ns,
                                     int64_t* runs) {
  PlSubgraph* sg = subgraph_at(interpreter, subgraph_index);
  if (!sg || node_index < 0 || node_index >= sg->num_nodes) return false;
  if (total_ns) *total_ns = sg->node_ns[node_index];
  if (runs) *runs = sg->node_runs[node_index];
  return true;
}

int64_t PyliteInterpreterGetArenaBytes(const TfLiteInterpreter* interpreter,
                                       int32_t subgraph_index) {
  PlSubgraph* sg = subgraph_at(interpreter, subgraph_index);
  return sg ? (int64_t)sg->arena_size : -1;
}
