/* pylite: custom operators registered through LiteRT's stable C API
 * (pylite/operator.h) and the opaque accessors their kernels use
 * (pylite/c_api_opaque.h).
 *
 * A node whose custom code and version match a registered TfLiteOperator
 * runs through one adapter PlKernel whose init/prepare/eval/free call the
 * operator's callbacks. The opaque handles are the runtime's own objects:
 * the context is the node's PlSubgraph, the node its PlNode, a tensor a
 * TfLiteTensor. While a callback runs, its subgraph is kept in a
 * thread-local so that accessors without a context argument (tensor
 * copies, string writes) can still report what went wrong to the right
 * interpreter. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/core/interp.h"
#include "pylite/c_api_opaque.h"

struct TfLiteOperator {
  TfLiteBuiltinOperator builtin_code;
  char* custom_name; /* owned copy; NULL for a builtin operator */
  int version;
  void* user_data;
  void* (*init)(TfLiteOpaqueContext*, const char*, size_t);
  void* (*init_with_data)(void*, TfLiteOpaqueContext*, const char*, size_t);
  void (*free)(TfLiteOpaqueContext*, void*);
  void (*free_with_data)(void*, TfLiteOpaqueContext*, void*);
  TfLiteStatus (*prepare)(TfLiteOpaqueContext*, TfLiteOpaqueNode*);
  TfLiteStatus (*prepare_with_data)(void*, TfLiteOpaqueContext*,
                                    TfLiteOpaqueNode*);
  TfLiteStatus (*invoke)(TfLiteOpaqueContext*, TfLiteOpaqueNode*);
  TfLiteStatus (*invoke_with_data)(void*, TfLiteOpaqueContext*,
                                   TfLiteOpaqueNode*);
  struct TfLiteAsyncKernel* (*async_kernel)(TfLiteOpaqueContext*,
                                            TfLiteOpaqueNode*);
  struct TfLiteAsyncKernel* (*async_kernel_with_data)(void*,
                                                      TfLiteOpaqueContext*,
                                                      TfLiteOpaqueNode*);
  uint64_t inplace_operator;
};

struct TfLiteOpaqueTensorBuilder {
  TfLiteType type;
  void* data;
  TfLiteAllocationType allocation_type;
  TfLiteQuantizationParams quantization_params;
  TfLiteQuantization quantization;
};

/* The handles are the runtime's objects under another name. */
static PlSubgraph* as_sg(const TfLiteOpaqueContext* c) {
  return (PlSubgraph*)c;
}
static PlNode* as_node(const TfLiteOpaqueNode* n) { return (PlNode*)n; }
static TfLiteTensor* as_tensor(const TfLiteOpaqueTensor* t) {
  return (TfLiteTensor*)t;
}
static TfLiteOpaqueContext* as_context(PlSubgraph* sg) {
  return (TfLiteOpaqueContext*)sg;
}

/* The subgraph whose operator callback is running on this thread. */
static _Thread_local PlSubgraph* tl_running;

/* Reports to the running kernel's interpreter; outside a callback the
 * accessor just fails, as LiteRT's do. */
static void report_running(const char* fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void report_running(const char* fmt, ...) {
  if (!tl_running) return;
  va_list args;
  va_start(args, fmt);
  pl_error_v(tl_running->interp, fmt, args);
  va_end(args);
}

static const char* tensor_name(const TfLiteTensor* t) {
  return t->name ? t->name : "";
}

/* ---- TfLiteOperator ------------------------------------------------------- */

TfLiteOperator* TfLiteOperatorCreate(TfLiteBuiltinOperator builtin_code,
                                     const char* custom_name, int version,
                                     void* user_data) {
  TfLiteOperator* op = calloc(1, sizeof(*op));
  if (!op) return NULL;
  if (custom_name) {
    op->custom_name = strdup(custom_name);
    if (!op->custom_name) {
      free(op);
      return NULL;
    }
  }
  op->builtin_code = builtin_code;
  op->version = version;
  op->user_data = user_data;
  return op;
}

void TfLiteOperatorDelete(TfLiteOperator* registration) {
  if (!registration) return;
  free(registration->custom_name);
  free(registration);
}

TfLiteBuiltinOperator TfLiteOperatorGetBuiltInCode(
    const TfLiteOperator* registration) {
  return registration ? registration->builtin_code : kTfLiteBuiltinCustom;
}

const char* TfLiteOperatorGetCustomName(const TfLiteOperator* registration) {
  return registration ? registration->custom_name : NULL;
}

int TfLiteOperatorGetVersion(const TfLiteOperator* registration) {
  return registration ? registration->version : -1;
}

void* TfLiteOperatorGetUserData(const TfLiteOperator* registration) {
  return registration ? registration->user_data : NULL;
}

void TfLiteOperatorSetInit(TfLiteOperator* registration,
                           void* (*init)(TfLiteOpaqueContext* context,
                                         const char* buffer, size_t length)) {
  if (registration) registration->init = init;
}

TfLiteStatus TfLiteOperatorSetInitWithData(
    TfLiteOperator* registration,
    void* (*init)(void* user_data, TfLiteOpaqueContext* context,
                  const char* buffer, size_t length)) {
  if (!registration) return kTfLiteError;
  registration->init_with_data = init;
  return kTfLiteOk;
}

void TfLiteOperatorSetFree(TfLiteOperator* registration,
                           void (*free_fn)(TfLiteOpaqueContext* context,
                                           void* data)) {
  if (registration) registration->free = free_fn;
}

TfLiteStatus TfLiteOperatorSetFreeWithData(
    TfLiteOperator* registration,
    void (*free_fn)(void* user_data, TfLiteOpaqueContext* context,
                    void* data)) {
  if (!registration) return kTfLiteError;
  registration->free_with_data = free_fn;
  return kTfLiteOk;
}

void TfLiteOperatorSetPrepare(
    TfLiteOperator* registration,
    TfLiteStatus (*prepare)(TfLiteOpaqueContext* context,
                            TfLiteOpaqueNode* node)) {
  if (registration) registration->prepare = prepare;
}

TfLiteStatus TfLiteOperatorSetPrepareWithData(
    TfLiteOperator* registration,
    TfLiteStatus (*prepare)(void* user_data, TfLiteOpaqueContext* context,
                            TfLiteOpaqueNode* node)) {
  if (!registration) return kTfLiteError;
  registration->prepare_with_data = prepare;
  return kTfLiteOk;
}

void TfLiteOperatorSetInvoke(
    TfLiteOperator* registration,
    TfLiteStatus (*invoke)(TfLiteOpaqueContext* context,
                           TfLiteOpaqueNode* node)) {
  if (registration) registration->invoke = invoke;
}

TfLiteStatus TfLiteOperatorSetInvokeWithData(
    TfLiteOperator* registration,
    TfLiteStatus (*invoke)(void* user_data, TfLiteOpaqueContext* context,
                           TfLiteOpaqueNode* node)) {
  if (!registration) return kTfLiteError;
  registration->invoke_with_data = invoke;
  return kTfLiteOk;
}

void TfLiteOperatorSetAsyncKernel(
    TfLiteOperator* registration,
    struct TfLiteAsyncKernel* (*async_kernel)(TfLiteOpaqueContext* context,
                                              TfLiteOpaqueNode* node)) {
  if (registration) registration->async_kernel = async_kernel;
}

TfLiteStatus TfLiteOperatorSetAsyncKernelWithData(
    TfLiteOperator* registration,
    struct TfLiteAsyncKernel* (*async_kernel)(void* user_data,
                                              TfLiteOpaqueContext* context,
                                              TfLiteOpaqueNode* node)) {
  if (!registration) return kTfLiteError;
  registration->async_kernel_with_data = async_kernel;
  return kTfLiteOk;
}

void TfLiteOperatorSetInplaceOperator(TfLiteOperator* registration,
                                      uint64_t inplace_operator) {
  if (registration) registration->inplace_operator = inplace_operator;
}

/* ---- Registration through the options ---------------------------------------- */

TfLiteStatus pl_operator_list_copy(struct TfLiteOperator* const* operators,
                                   int32_t count,
                                   struct TfLiteOperator*** out) {
  *out = NULL;
  if (count <= 0) return kTfLiteOk;
  TfLiteOperator** copy = malloc(sizeof(*copy) * (size_t)count);
  if (!copy) {
    pl_error(NULL, "Out of memory copying %d registered operators.",
             (int)count);
    return kTfLiteError;
  }
  memcpy(copy, operators, sizeof(*copy) * (size_t)count);
  *out = copy;
  return kTfLiteOk;
}

void TfLiteInterpreterOptionsAddOperator(TfLiteInterpreterOptions* options,
                                         TfLiteOperator* registration) {
  if (!options || !registration) return;
  if (options->num_operators >= INT32_MAX / 2) return;
  TfLiteOperator** grown =
      realloc(options->operators,
              sizeof(*grown) * ((size_t)options->num_operators + 1));
  if (!grown) {
    /* No status to return (LiteRT's signature): the op stays unresolved
     * and the interpreter says so when it prepares the node. */
    pl_error(NULL, "Out of memory registering custom op '%s'.",
             registration->custom_name ? registration->custom_name : "");
    return;
  }
  grown[options->num_operators++] = registration;
  options->operators = grown;
}

/* ---- The adapter kernel ------------------------------------------------------- */

void* TfLiteKernelInitFailed(void) { return (void*)(intptr_t)-1; }

/* Per-node state of the adapter: the subgraph (free has no other way to
 * get the context) and what the operator's init returned. */
typedef struct PlOperatorNode {
  PlSubgraph* sg;
  void* data;
} PlOperatorNode;

static const TfLiteOperator* node_operator(const PlNode* node) {
  return (const TfLiteOperator*)node->registration;
}

/* " of subgraph 1 ('body')", for messages. */
static void subgraph_label(const PlSubgraph* sg, char* buf, size_t size) {
  const char* name = sg->def && sg->def->name ? sg->def->name : "";
  if (name[0])
    snprintf(buf, size, "subgraph %d ('%s')", (int)sg->index, name);
  else
    snprintf(buf, size, "subgraph %d", (int)sg->index);
}

static TfLiteStatus adapter_init(PlSubgraph* sg, PlNode* node) {
  const TfLiteOperator* op = node_operator(node);
  PlOperatorNode* state = calloc(1, sizeof(*state));
  if (!state) {
    pl_report(sg, "Out of memory initializing custom op '%s'.",
              node->op_name);
    return kTfLiteError;
  }
  state->sg = sg;
  node->user_data = state;
  const char* buffer = (const char*)node->def->custom_options;
  size_t length = buffer ? node->def->custom_options_size : 0;
  PlSubgraph* outer = tl_running;
  tl_running = sg;
  if (op->init_with_data)
    state->data = op->init_with_data(op->user_data, as_context(sg), buffer,
                                     length);
  else if (op->init)
    state->data = op->init(as_context(sg), buffer, length);
  tl_running = outer;
  if (state->data == TfLiteKernelInitFailed()) {
    char where[160];
    subgraph_label(sg, where, sizeof(where));
    pl_report(sg, "Custom op '%s' (node %d of %s): its init callback "
              "failed.", node->op_name, (int)node->index, where);
    free(state);
    node->user_data = NULL;
    return kTfLiteError;
  }
  return kTfLiteOk;
}

static void adapter_free(PlNode* node) {
  PlOperatorNode* state = node->user_data;
  if (!state) return;
  const TfLiteOperator* op = node_operator(node);
  if (state->data) {
    PlSubgraph* outer = tl_running;
    tl_running = state->sg;
    if (op->free_with_data)
      op->free_with_data(op->user_data, as_context(state->sg), state->data);
    else if (op->free)
      op->free(as_context(state->sg), state->data);
    tl_running = outer;
  }
  free(state);
  node->user_data = NULL;
}

/* Adds where the failing op sits, which the kernel's own message rarely
 * says. */
static void report_failure(PlSubgraph* sg, const PlNode* node,
                           const char* stage, TfLiteStatus status) {
  char where[160];
  subgraph_label(sg, where, sizeof(where));
  pl_report(sg, "Custom op '%s' (version %d, node %d of %s) failed to %s "
            "(status %d).", node->op_name, (int)node->version,
            (int)node->index, where, stage, (int)status);
}

static TfLiteStatus adapter_prepare(PlSubgraph* sg, PlNode* node) {
  const TfLiteOperator* op = node_operator(node);
  if (!op->prepare_with_data && !op->prepare) return kTfLiteOk;
  PlSubgraph* outer = tl_running;
  tl_running = sg;
  TfLiteStatus status =
      op->prepare_with_data
          ? op->prepare_with_data(op->user_data, as_context(sg),
                                  (TfLiteOpaqueNode*)node)
          : op->prepare(as_context(sg), (TfLiteOpaqueNode*)node);
  tl_running = outer;
  if (status != kTfLiteOk) report_failure(sg, node, "prepare", status);
  return status;
}

static TfLiteStatus adapter_eval(PlSubgraph* sg, PlNode* node) {
  const TfLiteOperator* op = node_operator(node);
  if (!op->invoke_with_data && !op->invoke) {
    char where[160];
    subgraph_label(sg, where, sizeof(where));
    pl_report(sg, "Custom op '%s' (node %d of %s) has no invoke callback: "
              "set one with TfLiteOperatorSetInvoke.", node->op_name,
              (int)node->index, where);
    return kTfLiteError;
  }
  PlSubgraph* outer = tl_running;
  tl_running = sg;
  TfLiteStatus status =
      op->invoke_with_data
          ? op->invoke_with_data(op->user_data, as_context(sg),
                                 (TfLiteOpaqueNode*)node)
          : op->invoke(as_context(sg), (TfLiteOpaqueNode*)node);
  tl_running = outer;
  if (status != kTfLiteOk) report_failure(sg, node, "invoke", status);
  return status;
}

static const PlKernel kRegisteredKernel = {
    .name = "registered custom op",
    .init = adapter_init,
    .free = adapter_free,
    .prepare = adapter_prepare,
    .eval = adapter_eval,
    .types = "",
};

/* A node whose name is registered, but not for its version: it fails to
 * prepare with a message listing the versions that are registered (LiteRT
 * leaves it unresolved too, with a less specific message). */
static TfLiteStatus wrong_version_prepare(PlSubgraph* sg, PlNode* node) {
  PlInterp* interp = sg->interp;
  char versions[256] = "";
  size_t used = 0;
  for (int32_t i = 0; i < interp->num_operators && used < sizeof(versions);
       ++i) {
    const TfLiteOperator* op = interp->operators[i];
    if (!op->custom_name || strcmp(op->custom_name, node->op_name) != 0)
      continue;
    used += (size_t)snprintf(versions + used, sizeof(versions) - used, "%s%d",
                             used ? ", " : "", op->version);
  }
  char where[160];
  subgraph_label(sg, where, sizeof(where));
  pl_report(sg, "Encountered unresolved custom op: %s version %d (node %d of "
            "%s). Registered versions of '%s': %s.", node->op_name,
            (int)node->version, (int)node->index, where, node->op_name,
            versions);
  return kTfLiteUnresolvedOps;
}

static TfLiteStatus wrong_version_eval(PlSubgraph* sg, PlNode* node) {
  return wrong_version_prepare(sg, node);
}

static const PlKernel kWrongVersionKernel = {
    .name = "unresolved custom op version",
    .prepare = wrong_version_prepare,
    .eval = wrong_version_eval,
    .types = "",
};

const PlKernel* pl_resolve_custom(PlInterp* interp, const char* name,
                                  int32_t version,
                                  const void** registration) {
  *registration = NULL;
  if (!name) return NULL;
  bool name_registered = false;
  /* The last one added wins, as a later AddCustom does in LiteRT. */
  for (int32_t i = interp->num_operators - 1; i >= 0; --i) {
    const TfLiteOperator* op = interp->operators[i];
    if (!op || !op->custom_name || strcmp(op->custom_name, name) != 0)
      continue;
    name_registered = true;
    if (op->version == version) {
      *registration = op;
      return &kRegisteredKernel;
    }
  }
  const PlKernel* own = pl_find_custom(name);
  if (own) return own;
  return name_registered ? &kWrongVersionKernel : NULL;
}

/* ---- Tensors --------------------------------------------------------------------- */

TfLiteType TfLiteOpaqueTensorType(const TfLiteOpaqueTensor* opaque_tensor) {
  return opaque_tensor ? as_tensor(opaque_tensor)->type : kTfLiteNoType;
}

int32_t TfLiteOpaqueTensorNumDims(const TfLiteOpaqueTensor* opaque_tensor) {
  const TfLiteTensor* t = as_tensor(opaque_tensor);
  return (t && t->dims) ? t->dims->size : -1;
}

int32_t TfLiteOpaqueTensorDim(const TfLiteOpaqueTensor* opaque_tensor,
                              int32_t dim_index) {
  const TfLiteTensor* t = as_tensor(opaque_tensor);
  if (!t || !t->dims || dim_index < 0 || dim_index >= t->dims->size)
    return -1;
  return t->dims->data[dim_index];
}

TfLiteStatus TfLiteOpaqueTensorGetNumDimsSignature(
    const TfLiteOpaqueTensor* opaque_tensor, int32_t* num_dims) {
  const TfLiteTensor* t = as_tensor(opaque_tensor);
  if (!t || !num_dims) return kTfLiteError;
  *num_dims = t->dims_signature ? t->dims_signature->size : -1;
  return kTfLiteOk;
}

TfLiteStatus TfLiteOpaqueTensorGetDimSignature(
    const TfLiteOpaqueTensor* opaque_tensor, int32_t dim_index,
    int32_t* dim_length) {
  const TfLiteTensor* t = as_tensor(opaque_tensor);
  if (!t || !dim_length) return kTfLiteError;
  const TfLiteIntArray* sig =
      (t->dims_signature && t->dims_signature->size) ? t->dims_signature
                                                     : t->dims;
  if (!sig || dim_index < 0 || dim_index >= sig->size) {
    report_running("Tensor '%s': signature dimension %d is out of range.",
                   tensor_name(t), (int)dim_index);
    return kTfLiteError;
  }
  *dim_length = sig->data[dim_index];
  return kTfLiteOk;
}

int TfLiteOpaqueTensorIsVariable(const TfLiteOpaqueTensor* opaque_tensor) {
  return (opaque_tensor && as_tensor(opaque_tensor)->is_variable) ? 1 : 0;
}

size_t TfLiteOpaqueTensorByteSize(const TfLiteOpaqueTensor* opaque_tensor) {
  return opaque_tensor ? as_tensor(opaque_tensor)->bytes : 0;
}

void* TfLiteOpaqueTensorData(const TfLiteOpaqueTensor* opaque_tensor) {
  return opaque_tensor ? as_tensor(opaque_tensor)->data.data : NULL;
}

TfLiteAllocationType TfLiteOpaqueTensorGetAllocationType(
    const TfLiteOpaqueTensor* opaque_tensor) {
  return opaque_tensor ? as_tensor(opaque_tensor)->allocation_type
                       : kTfLiteMemNone;
}

/* The descriptions below follow LiteRT's table per allocation type. */
TfLiteAllocationStrategy TfLiteOpaqueTensorGetAllocationStrategy(
    const TfLiteOpaqueTensor* t) {
  if (!t) return kTfLiteAllocationStrategyUnknown;
  switch (as_tensor(t)->allocation_type) {
    case kTfLiteMemNone:
      return kTfLiteAllocationStrategyNone;
    case kTfLiteMmapRo:
      return kTfLiteAllocationStrategyMMap;
    case kTfLiteArenaRw:
    case kTfLiteArenaRwPersistent:
      return kTfLiteAllocationStrategyArena;
    case kTfLiteDynamic:
    case kTfLitePersistentRo:
      return kTfLiteAllocationStrategyMalloc;
    case kTfLiteVariantObject:
      return kTfLiteAllocationStrategyNew;
    default:
      return kTfLiteAllocationStrategyUnknown;
  }
}

TfLiteRunStability TfLiteOpaqueTensorGetBufferAddressStability(
    const TfLiteOpaqueTensor* t) {
  if (!t) return kTfLiteRunStabilityUnknown;
  switch (as_tensor(t)->allocation_type) {
    case kTfLiteMemNone:
    case kTfLiteMmapRo:
    case kTfLiteVariantObject:
      return kTfLiteRunStabilityAcrossRuns;
    case kTfLiteArenaRw:
    case kTfLiteArenaRwPersistent:
      return kTfLiteRunStabilityUnstable;
    case kTfLiteDynamic:
    case kTfLitePersistentRo:
      return kTfLiteRunStabilitySingleRun;
    default:
      return kTfLiteRunStabilityUnknown;
  }
}

TfLiteRunStability TfLiteOpaqueTensorGetDataStability(
    const TfLiteOpaqueTensor* t) {
  if (!t) return kTfLiteRunStabilityUnknown;
  switch (as_tensor(t)->allocation_type) {
    case kTfLiteMemNone:
    case kTfLiteMmapRo:
    case kTfLiteArenaRwPersistent:
      return kTfLiteRunStabilityAcrossRuns;
    case kTfLiteArenaRw:
    case kTfLiteDynamic:
    case kTfLitePersistentRo:
    case kTfLiteVariantObject:
      return kTfLiteRunStabilitySingleRun;
    default:
      return kTfLiteRunStabilityUnknown;
  }
}

TfLiteRunStep TfLiteOpaqueTensorGetDataKnownStep(const TfLiteOpaqueTensor* t) {
  if (!t) return kTfLiteRunStepUnknown;
  switch (as_tensor(t)->allocation_type) {
    case kTfLiteMemNone:
    case kTfLiteMmapRo:
      return kTfLiteRunStepInit;
    case kTfLitePersistentRo:
      return kTfLiteRunStepPrepare;
    case kTfLiteArenaRw:
    case kTfLiteArenaRwPersistent:
    case kTfLiteDynamic:
    case kTfLiteVariantObject:
      return kTfLiteRunStepEval;
    default:
      return kTfLiteRunStepUnknown;
  }
}

TfLiteRunStep TfLiteOpaqueTensorGetShapeKnownStep(
    const TfLiteOpaqueTensor* t) {
  if (!t) return kTfLiteRunStepUnknown;
  switch (as_tensor(t)->allocation_type) {
    case kTfLiteMemNone:
    case kTfLiteMmapRo:
      return kTfLiteRunStepInit;
    case kTfLiteArenaRw:
    case kTfLiteArenaRwPersistent:
    case kTfLitePersistentRo:
      return kTfLiteRunStepPrepare;
    case kTfLiteDynamic:
    case kTfLiteVariantObject:
      return kTfLiteRunStepEval;
    default:
      return kTfLiteRunStepUnknown;
  }
}

const char* TfLiteOpaqueTensorName(const TfLiteOpaqueTensor* opaque_tensor) {
  return opaque_tensor ? tensor_name(as_tensor(opaque_tensor)) : NULL;
}

TfLiteQuantization TfLiteOpaqueTensorGetQuantization(
    const TfLiteOpaqueTensor* opaque_tensor) {
  TfLiteQuantization none = {kTfLiteNoQuantization, NULL};
  return opaque_tensor ? as_tensor(opaque_tensor)->quantization : none;
}

TfLiteQuantizationParams TfLiteOpaqueTensorGetQuantizationParams(
    const TfLiteOpaqueTensor* opaque_tensor) {
  TfLiteQuantizationParams none = {0.0f, 0};
  return opaque_tensor ? as_tensor(opaque_tensor)->params : none;
}

TfLiteStatus TfLiteOpaqueTensorCopyFromBuffer(TfLiteOpaqueTensor* opaque_tensor,
                                              const void* input_data,
                                              size_t input_data_size) {
  TfLiteTensor* t = as_tensor(opaque_tensor);
  if (!t) return kTfLiteError;
  if (t->bytes != input_data_size) {
    report_running("Tensor '%s' has %zu bytes but %zu were given.",
                   tensor_name(t), t->bytes, input_data_size);
    return kTfLiteError;
  }
  if (pl_is_constant(t)) {
    report_running("Tensor '%s' is constant.", tensor_name(t));
    return kTfLiteError;
  }
  if (input_data_size == 0) return kTfLiteOk;
  if (!t->data.raw || !input_data) {
    report_running("Tensor '%s' has no data to copy into (or the source "
                   "is NULL).", tensor_name(t));
    return kTfLiteError;
  }
  memcpy(t->data.raw, input_data, input_data_size);
  return kTfLiteOk;
}

TfLiteStatus TfLiteOpaqueTensorCopyToBuffer(
    const TfLiteOpaqueTensor* opaque_tensor, void* output_data,
    size_t output_data_size) {
  const TfLiteTensor* t = as_tensor(opaque_tensor);
  if (!t) return kTfLiteError;
  if (t->bytes != output_data_size) {
    report_running("Tensor '%s' has %zu bytes but the buffer has %zu.",
                   tensor_name(t), t->bytes, output_data_size);
    return kTfLiteError;
  }
  if (output_data_size == 0) return kTfLiteOk;
  if (!t->data.raw || !output_data) {
    report_running("Tensor '%s' has no data (or the buffer is NULL).",
                   tensor_name(t));
    return kTfLiteError;
  }
  memcpy(output_data, t->data.raw, output_data_size);
  return kTfLiteOk;
}

int TfLiteOpaqueTensorGetStringCount(const TfLiteOpaqueTensor* tensor) {
  return tensor ? (int)pl_string_count(as_tensor(tensor)) : -1;
}

TfLiteStatus TfLiteOpaqueTensorGetString(const TfLiteOpaqueTensor* tensor,
                                         int index, const char** str,
                                         int* len) {
  const TfLiteTensor* t = as_tensor(tensor);
  if (!t || !str || !len) return kTfLiteError;
  const char* data = NULL;
  size_t length = 0;
  if (!pl_string_get(t, index, &data, &length) || length > INT_MAX) {
    report_running("String %d of tensor '%s' does not exist (it holds %d "
                   "strings).", index, tensor_name(t),
                   (int)pl_string_count(t));
    return kTfLiteError;
  }
  *str = data;
  *len = (int)length;
  return kTfLiteOk;
}

/* Checks that `t` can take strings written by a kernel. */
static bool string_target_ok(const TfLiteTensor* t) {
  if (t->type != kTfLiteString) {
    report_running("Tensor '%s' has type %s, not STRING.", tensor_name(t),
                   TfLiteTypeGetName(t->type));
    return false;
  }
  if (pl_is_constant(t)) {
    report_running("Tensor '%s' is constant.", tensor_name(t));
    return false;
  }
  return true;
}

TfLiteStatus TfLiteOpaqueTensorWriteStrings(TfLiteOpaqueTensor* tensor,
                                            const char* const* str_array,
                                            int str_array_len,
                                            const int* str_n_len) {
  TfLiteTensor* t = as_tensor(tensor);
  if (!t || !string_target_ok(t)) return kTfLiteError;
  if (str_array_len < 0 || (str_array_len > 0 && (!str_array || !str_n_len))) {
    report_running("Writing %d strings to tensor '%s': bad arguments.",
                   str_array_len, tensor_name(t));
    return kTfLiteError;
  }
  size_t* lengths = malloc(sizeof(size_t) * ((size_t)str_array_len + 1));
  if (!lengths) {
    report_running("Out of memory writing tensor '%s'.", tensor_name(t));
    return kTfLiteError;
  }
  for (int i = 0; i < str_array_len; ++i) {
    if (str_n_len[i] < 0 || (str_n_len[i] > 0 && !str_array[i])) {
      report_running("Writing tensor '%s': string %d has length %d%s.",
                     tensor_name(t), i, str_n_len[i],
                     str_array[i] ? "" : " and no data");
      free(lengths);
      return kTfLiteError;
    }
    lengths[i] = (size_t)str_n_len[i];
  }
  /* As LiteRT: the tensor becomes a vector of the strings written. */
  pl_set_dynamic(t);
  int dims[1] = {str_array_len};
  TfLiteStatus status = pl_resize(tl_running, t, 1, dims);
  if (status == kTfLiteOk)
    status = pl_string_write(tl_running, t, str_array_len, str_array, lengths);
  free(lengths);
  return status;
}

TfLiteStatus TfLiteOpaqueTensorWriteString(TfLiteOpaqueTensor* tensor,
                                           const char* str, int len) {
  return TfLiteOpaqueTensorWriteStrings(tensor, &str, 1, &len);
}

TfLiteStatus PyliteOpaqueTensorWriteStrings(TfLiteOpaqueTensor* tensor,
                                            int32_t count,
                                            const char* const* data,
                                            const size_t* lengths) {
  TfLiteTensor* t = as_tensor(tensor);
  if (!t || !string_target_ok(t)) return kTfLiteError;
  int64_t want = pl_num_elements(t);
  if (count != want) {
    report_running("Tensor '%s' has %lld elements but %d strings were "
                   "given.", tensor_name(t), (long long)want, (int)count);
    return kTfLiteError;
  }
  if (count > 0 && (!data || !lengths)) {
    report_running("Writing tensor '%s': data or lengths is NULL.",
                   tensor_name(t));
    return kTfLiteError;
  }
  for (int32_t i = 0; i < count; ++i) {
    if (!data[i] && lengths[i]) {
      report_running("Writing tensor '%s': string %d is NULL.",
                     tensor_name(t), (int)i);
      return kTfLiteError;
    }
  }
  pl_set_dynamic(t);
  return pl_string_write(tl_running, t, count, data, lengths);
}

void TfLiteOpaqueTensorSetAllocationTypeToDynamic(TfLiteOpaqueTensor* tensor) {
  TfLiteTensor* t = as_tensor(tensor);
  if (!t || pl_is_constant(t)) return;
  pl_set_dynamic(t);
}

TfLiteOpaqueTensorBuilder* TfLiteOpaqueTensorBuilderCreate(void) {
  return calloc(1, sizeof(TfLiteOpaqueTensorBuilder));
}

void TfLiteOpaqueTensorBuilderDelete(TfLiteOpaqueTensorBuilder* builder) {
  free(builder);
}

TfLiteOpaqueTensorBuilder* TfLiteOpaqueTensorBuilderSetType(
    TfLiteOpaqueTensorBuilder* builder, TfLiteType type) {
  if (builder) builder->type = type;
  return builder;
}

TfLiteOpaqueTensorBuilder* TfLiteOpaqueTensorBuilderSetData(
    TfLiteOpaqueTensorBuilder* builder, void* data) {
  if (builder) builder->data = data;
  return builder;
}

TfLiteOpaqueTensorBuilder* TfLiteOpaqueTensorBuilderSetAllocationType(
    TfLiteOpaqueTensorBuilder* builder, TfLiteAllocationType allocation_type) {
  if (builder) builder->allocation_type = allocation_type;
  return builder;
}

TfLiteOpaqueTensorBuilder* TfLiteOpaqueTensorBuilderSetQuantizationParams(
    TfLiteOpaqueTensorBuilder* builder, TfLiteQuantizationParams params) {
  if (builder) builder->quantization_params = params;
  return builder;
}

TfLiteOpaqueTensorBuilder* TfLiteOpaqueTensorBuilderSetQuantization(
    TfLiteOpaqueTensorBuilder* builder, TfLiteQuantization quantization) {
  if (builder) builder->quantization = quantization;
  return builder;
}

/* ---- Nodes ------------------------------------------------------------------------ */

const TfLiteOpaqueTensor* TfLiteOpaqueNodeGetInput(
    const TfLiteOpaqueContext* opaque_context,
    const TfLiteOpaqueNode* opaque_node, int index) {
  if (!opaque_context || !opaque_node) return NULL;
  return (const TfLiteOpaqueTensor*)pl_input(as_sg(opaque_context),
                                             as_node(opaque_node), index);
}

TfLiteOpaqueTensor* TfLiteOpaqueNodeGetOutput(
    TfLiteOpaqueContext* opaque_context, const TfLiteOpaqueNode* opaque_node,
    int index) {
  if (!opaque_context || !opaque_node) return NULL;
  return (TfLiteOpaqueTensor*)pl_output(as_sg(opaque_context),
                                        as_node(opaque_node), index);
}

int TfLiteOpaqueNodeNumberOfInputs(const TfLiteOpaqueNode* opaque_node) {
  return opaque_node ? pl_num_inputs(as_node(opaque_node)) : 0;
}

int TfLiteOpaqueNodeNumberOfOutputs(const TfLiteOpaqueNode* opaque_node) {
  return opaque_node ? pl_num_outputs(as_node(opaque_node)) : 0;
}

void* TfLiteOpaqueNodeGetUserData(const TfLiteOpaqueNode* opaque_node) {
  const PlNode* node = as_node(opaque_node);
  /* Only nodes run by the adapter have a PlOperatorNode there. */
  if (!node || !node->registration || !node->user_data) return NULL;
  return ((const PlOperatorNode*)node->user_data)->data;
}

void* TfLiteOpaqueNodeGetBuiltinData(const TfLiteOpaqueNode* opaque_node) {
  return NULL;
}

TfLiteStatus TfLiteOpaqueNodeGetCustomInitialData(
    const TfLiteOpaqueNode* opaque_node, const void** init_data, int* size) {
  const PlNode* node = as_node(opaque_node);
  if (!node || !init_data || !size) return kTfLiteError;
  const PlOpDef* def = node->def;
  if (!def->custom_options || def->custom_options_size > INT_MAX) {
    *init_data = NULL;
    *size = 0;
    return def->custom_options ? kTfLiteError : kTfLiteOk;
  }
  *init_data = def->custom_options;
  *size = (int)def->custom_options_size;
  return kTfLiteOk;
}

TfLiteStatus TfLiteOpaqueNodeInputs(const TfLiteOpaqueNode* opaque_node,
                                    const int** inputs, int* num_inputs) {
  const PlNode* node = as_node(opaque_node);
  if (!node || !inputs || !num_inputs) return kTfLiteError;
  *inputs = node->inputs->data;
  *num_inputs = node->inputs->size;
  return kTfLiteOk;
}

TfLiteStatus TfLiteOpaqueNodeOutputs(const TfLiteOpaqueNode* opaque_node,
                                     const int** outputs, int* num_outputs) {
  const PlNode* node = as_node(opaque_node);
  if (!node || !outputs || !num_outputs) return kTfLiteError;
  *outputs = node->outputs->data;
  *num_outputs = node->outputs->size;
  return kTfLiteOk;
}

TfLiteStatus TfLiteOpaqueNodeSetTemporaries(TfLiteOpaqueNode* opaque_node,
                                            const int* temporaries,
                                            int num_temporaries) {
  if (!opaque_node || num_temporaries < 0) return kTfLiteError;
  if (num_temporaries == 0) return kTfLiteOk;
  report_running("Custom op '%s': pylite does not support temporary "
                 "tensors (TfLiteOpaqueNodeSetTemporaries).",
                 as_node(opaque_node)->op_name);
  return kTfLiteError;
}

TfLiteStatus TfLiteOpaqueNodeTemporaries(const TfLiteOpaqueNode* opaque_node,
                                         const int** temporaries,
                                         int* num_temporaries) {
  static const int kNone[1] = {0};
  if (!opaque_node || !temporaries || !num_temporaries) return kTfLiteError;
  *temporaries = kNone;
  *num_temporaries = 0;
  return kTfLiteOk;
}

int TfLiteOpaqueNodeGetInputTensorIndex(const TfLiteOpaqueNode* opaque_node,
                                        int index_of_input) {
  const PlNode* node = as_node(opaque_node);
  if (!node || index_of_input < 0 || index_of_input >= node->inputs->size)
    return -1;
  return node->inputs->data[index_of_input];
}

int TfLiteOpaqueNodeGetOutputTensorIndex(const TfLiteOpaqueNode* opaque_node,
                                         int index_of_output) {
  const PlNode* node = as_node(opaque_node);
  if (!node || index_of_output < 0 || index_of_output >= node->outputs->size)
    return -1;
  return node->outputs->data[index_of_output];
}

/* ---- Contexts ------------------------------------------------------------------- */

TfLiteStatus TfLiteOpaqueContextGetNodeAndRegistration(
    struct TfLiteOpaqueContext* opaque_context, int node_index,
    TfLiteOpaqueNode** node, TfLiteOperator** registration_external) {
  PlSubgraph* sg = as_sg(opaque_context);
  if (!sg || !node || !registration_external) return kTfLiteError;
  if (node_index < 0 || node_index >= sg->num_nodes) {
    pl_report(sg, "Node index %d is out of range [0, %d).", node_index,
              (int)sg->num_nodes);
    return kTfLiteError;
  }
  PlNode* found = &sg->nodes[node_index];
  if (!found->registration) {
    pl_report(sg, "Node %d (%s) runs a pylite kernel, not a registered "
              "TfLiteOperator.", node_index, found->op_name);
    return kTfLiteError;
  }
  *node = (TfLiteOpaqueNode*)found;
  *registration_external = (TfLiteOperator*)found->registration;
  return kTfLiteOk;
}

TfLiteOpaqueTensor* TfLiteOpaqueContextGetOpaqueTensor(
    const TfLiteOpaqueContext* opaque_context, int index) {
  PlSubgraph* sg = as_sg(opaque_context);
  if (!sg || index < 0 || index >= sg->num_tensors) return NULL;
  return (TfLiteOpaqueTensor*)&sg->tensors[index];
}

TfLiteStatus TfLiteOpaqueContextGetInputs(
    const struct TfLiteOpaqueContext* opaque_context, const int** inputs,
    int* num_inputs) {
  const PlSubgraph* sg = as_sg(opaque_context);
  if (!sg || !inputs || !num_inputs) return kTfLiteError;
  *inputs = sg->inputs->data;
  *num_inputs = sg->inputs->size;
  return kTfLiteOk;
}

TfLiteStatus TfLiteOpaqueContextGetOutputs(
    const struct TfLiteOpaqueContext* opaque_context, const int** outputs,
    int* num_outputs) {
  const PlSubgraph* sg = as_sg(opaque_context);
  if (!sg || !outputs || !num_outputs) return kTfLiteError;
  *outputs = sg->outputs->data;
  *num_outputs = sg->outputs->size;
  return kTfLiteOk;
}

size_t TfLiteOpaqueContextGetNumNodes(
    const struct TfLiteOpaqueContext* opaque_context) {
  const PlSubgraph* sg = as_sg(opaque_context);
  return sg ? (size_t)sg->num_nodes : 0;
}

size_t TfLiteOpaqueContextGetNumTensors(
    const struct TfLiteOpaqueContext* opaque_context) {
  const PlSubgraph* sg = as_sg(opaque_context);
  return sg ? (size_t)sg->num_tensors : 0;
}

const char* TfLiteOpaqueContextGetName(
    const struct TfLiteOpaqueContext* opaque_context) {
  const PlSubgraph* sg = as_sg(opaque_context);
  if (!sg) return NULL;
  return (sg->def && sg->def->name) ? sg->def->name : "";
}

TfLiteStatus TfLiteOpaqueContextResizeTensor(TfLiteOpaqueContext* context,
                                             TfLiteOpaqueTensor* tensor,
                                             TfLiteIntArray* new_size) {
  PlSubgraph* sg = as_sg(context);
  TfLiteTensor* t = as_tensor(tensor);
  TfLiteStatus status = kTfLiteError;
  if (!sg || !t || !new_size) {
    if (sg) pl_report(sg, "TfLiteOpaqueContextResizeTensor: %s is NULL.",
                      !t ? "the tensor" : "new_size");
  } else {
    status = pl_resize(sg, t, new_size->size, new_size->data);
  }
  TfLiteIntArrayFree(new_size); /* ours, even on failure (LiteRT's rule) */
  return status;
}

TfLiteStatus TfLiteOpaqueContextAddTensor(TfLiteOpaqueContext* context,
                                          TfLiteOpaqueTensorBuilder* builder,
                                          int* new_tensor_index) {
  if (context)
    pl_report(as_sg(context), "TfLiteOpaqueContextAddTensor: pylite does not "
              "support adding tensors from a kernel.");
  return kTfLiteError;
}

TfLiteStatus TfLiteOpaqueContextGetSizeOfType(TfLiteOpaqueContext* context,
                                              TfLiteType type,
                                              size_t* bytes) {
  size_t size = pl_type_size(type);
  if (size == 0 || type == kTfLiteResource) {
    if (context)
      pl_report(as_sg(context), "Type %s (%d) has no fixed element size.",
                TfLiteTypeGetName(type), (int)type);
    return kTfLiteError;
  }
  if (!bytes) return kTfLiteError;
  *bytes = size;
  return kTfLiteOk;
}

TfLiteStatus TfLiteOpaqueContextGetMetadata(TfLiteOpaqueContext* context,
                                            const char* name,
                                            const char** ptr, size_t* bytes) {
  PlSubgraph* sg = as_sg(context);
  if (!sg || !name || !ptr || !bytes) return kTfLiteError;
  const PlModel* m = sg->interp->model->parsed;
  for (int32_t i = 0; i < m->num_metadata; ++i) {
    if (!m->metadata[i].name || strcmp(m->metadata[i].name, name) != 0)
      continue;
    const PlBufferDef* buf = &m->buffers[m->metadata[i].buffer];
    *ptr = (const char*)buf->data;
    *bytes = buf->data ? buf->size : 0;
    return kTfLiteOk;
  }
  return kTfLiteError;
}

void TfLiteOpaqueContextReportErrorVa(
    struct TfLiteOpaqueContext* opaque_context, const char* format,
    va_list vlist) {
  if (!format) return;
  PlSubgraph* sg = as_sg(opaque_context);
  pl_error_v(sg ? sg->interp : NULL, format, vlist);
}

void TfLiteOpaqueContextReportError(struct TfLiteOpaqueContext* opaque_context,
                                    const char* format, ...) {
  va_list args;
  va_start(args, format);
  TfLiteOpaqueContextReportErrorVa(opaque_context, format, args);
  va_end(args);
}
