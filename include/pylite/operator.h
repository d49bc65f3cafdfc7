/* pylite: LiteRT's stable custom-op API (tflite/core/c/operator.h).
 *
 * A TfLiteOperator describes one operator implementation: its identity
 * (custom name and version) and up to four callbacks (init, prepare,
 * invoke, free). Register it with TfLiteInterpreterOptionsAddOperator; the
 * interpreter then runs every node of the model whose custom code and
 * version are the operator's through these callbacks. Names, argument order
 * and semantics are LiteRT's, so a kernel written against LiteRT's headers
 * builds against pylite unchanged.
 *
 * Ownership (LiteRT's rule): the caller owns the TfLiteOperator and keeps
 * it alive, unchanged, until every interpreter created with it is deleted
 * (the free callback runs when the interpreter is deleted). */
#ifndef PYLITE_OPERATOR_H_
#define PYLITE_OPERATOR_H_

#include <stddef.h>
#include <stdint.h>

#include "pylite/builtin_ops.h"
#include "pylite/c_api_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The handles a kernel receives. In pylite the context is the node's
 * subgraph, the node is the runtime's node and a tensor is a TfLiteTensor;
 * kernels must only use them through the accessors of
 * pylite/c_api_opaque.h. */
typedef struct TfLiteOpaqueContext TfLiteOpaqueContext;
typedef struct TfLiteOpaqueNode TfLiteOpaqueNode;
typedef struct TfLiteOpaqueTensor TfLiteOpaqueTensor;

/* LiteRT's asynchronous kernels; pylite stores the accessor but never
 * calls it. */
struct TfLiteAsyncKernel;

typedef struct TfLiteOperator TfLiteOperator;
/* The operator's former name. */
typedef TfLiteOperator TfLiteRegistrationExternal;

/* Creates an operator with the given identity and no callbacks. For a
 * custom op pass kTfLiteBuiltinCustom and its name (copied). `user_data`
 * is passed to the ...WithData callbacks; the caller manages its memory and
 * keeps it valid until the free callback of the last node has run. Returns
 * NULL if memory is exhausted. The caller owns the result. */
TFL_CAPI_EXPORT extern TfLiteOperator* TfLiteOperatorCreate(
    TfLiteBuiltinOperator builtin_code, const char* custom_name, int version,
    void* user_data);

/* NULL is a no-op. Only after every interpreter using it is deleted. */
TFL_CAPI_EXPORT extern void TfLiteOperatorDelete(TfLiteOperator* registration);

/* The builtin code given at creation (kTfLiteBuiltinCustom for custom
 * ops). */
TFL_CAPI_EXPORT extern TfLiteBuiltinOperator TfLiteOperatorGetBuiltInCode(
    const TfLiteOperator* registration);

/* The custom name, or NULL for a builtin operator. Owned by the operator. */
TFL_CAPI_EXPORT extern const char* TfLiteOperatorGetCustomName(
    const TfLiteOperator* registration);

/* The version; -1 if `registration` is NULL. */
TFL_CAPI_EXPORT extern int TfLiteOperatorGetVersion(
    const TfLiteOperator* registration);

/* The user_data given at creation; NULL if `registration` is NULL. */
TFL_CAPI_EXPORT extern void* TfLiteOperatorGetUserData(
    const TfLiteOperator* registration);

/* init: called once per node when the interpreter is created, with the
 * node's custom options (`buffer`, `length`; NULL and 0 if it has none).
 * What it returns is the node's user data (TfLiteOpaqueNodeGetUserData),
 * handed to free when the interpreter is deleted.
 * Deprecated in LiteRT in favour of TfLiteOperatorSetInitWithData. */
TFL_CAPI_EXPORT extern void TfLiteOperatorSetInit(
    TfLiteOperator* registration,
    void* (*init)(TfLiteOpaqueContext* context, const char* buffer,
                  size_t length));
/* As above; `user_data` is the operator's. Takes precedence over the plain
 * form when both are set. Returns kTfLiteOk (kTfLiteError if registration
 * is NULL). */
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOperatorSetInitWithData(
    TfLiteOperator* registration,
    void* (*init)(void* user_data, TfLiteOpaqueContext* context,
                  const char* buffer, size_t length));

/* free: releases what init returned; called once per node when the
 * interpreter is deleted, and only if init returned non-NULL. */
TFL_CAPI_EXPORT extern void TfLiteOperatorSetFree(
    TfLiteOperator* registration,
    void (*free)(TfLiteOpaqueContext* context, void* data));
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOperatorSetFreeWithData(
    TfLiteOperator* registration,
    void (*free)(void* user_data, TfLiteOpaqueContext* context, void* data));

/* prepare: called on every AllocateTensors (and at Invoke for a node whose
 * inputs get their shapes only then). Validates the inputs and sets the
 * output shapes with TfLiteOpaqueContextResizeTensor; an output whose shape
 * is only known when the node runs is marked with
 * TfLiteOpaqueTensorSetAllocationTypeToDynamic. Optional: without it the
 * outputs keep the shapes stored in the model. */
TFL_CAPI_EXPORT extern void TfLiteOperatorSetPrepare(
    TfLiteOperator* registration,
    TfLiteStatus (*prepare)(TfLiteOpaqueContext* context,
                            TfLiteOpaqueNode* node));
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOperatorSetPrepareWithData(
    TfLiteOperator* registration,
    TfLiteStatus (*prepare)(void* user_data, TfLiteOpaqueContext* context,
                            TfLiteOpaqueNode* node));

/* invoke: computes the outputs; called on every Invoke. Required: a node
 * whose operator has no invoke fails to run. A status other than
 * kTfLiteOk fails the Invoke with a message naming the op, the node and
 * the subgraph; the interpreter stays usable. */
TFL_CAPI_EXPORT extern void TfLiteOperatorSetInvoke(
    TfLiteOperator* registration,
    TfLiteStatus (*invoke)(TfLiteOpaqueContext* context,
                           TfLiteOpaqueNode* node));
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOperatorSetInvokeWithData(
    TfLiteOperator* registration,
    TfLiteStatus (*invoke)(void* user_data, TfLiteOpaqueContext* context,
                           TfLiteOpaqueNode* node));

/* Asynchronous kernels need a delegate; pylite has none, so the accessor
 * is stored and never called. */
TFL_CAPI_EXPORT extern void TfLiteOperatorSetAsyncKernel(
    TfLiteOperator* registration,
    struct TfLiteAsyncKernel* (*async_kernel)(TfLiteOpaqueContext* context,
                                              TfLiteOpaqueNode* node));
TFL_CAPI_EXPORT extern TfLiteStatus TfLiteOperatorSetAsyncKernelWithData(
    TfLiteOperator* registration,
    struct TfLiteAsyncKernel* (*async_kernel)(void* user_data,
                                              TfLiteOpaqueContext* context,
                                              TfLiteOpaqueNode* node));

/* Bitmask of the inputs an output may share memory with (LiteRT's
 * TfLiteInPlaceOp). Stored; pylite never runs ops in place. */
TFL_CAPI_EXPORT extern void TfLiteOperatorSetInplaceOperator(
    TfLiteOperator* registration, uint64_t inplace_operator);

/* Registers `registration` as a custom op: nodes whose custom code equals
 * its custom name and whose opcode version equals its version run through
 * it. Registered operators take precedence over pylite's own kernels of
 * the same name; for the same name and version the last one added wins. An
 * operator without a custom name is ignored (as in LiteRT, AddOperator is
 * for custom ops). The caller keeps ownership (see the top of this file);
 * the options only keep the pointer, and so do interpreters created from
 * them. */
TFL_CAPI_EXPORT extern void TfLiteInterpreterOptionsAddOperator(
    TfLiteInterpreterOptions* options, TfLiteOperator* registration);

#ifdef __cplusplus
}
#endif

#endif /* PYLITE_OPERATOR_H_ */
