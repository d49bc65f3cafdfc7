/* pylite: the experimental part of TFLite's C API that pylite implements
 * (tflite/core/c/c_api_experimental.h names and semantics). */
#ifndef PYLITE_C_API_EXPERIMENTAL_H_
#define PYLITE_C_API_EXPERIMENTAL_H_

#include "pylite/c_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Resets every variable tensor (is_variable) of every subgraph to zero (an
 * int8 tensor to its zero point), as TFLite does. Resource variables are
 * not touched, as in TFLite. */
TFL_CAPI_EXPORT TfLiteStatus TfLiteInterpreterResetVariableTensors(
    TfLiteInterpreter* interpreter);

/* Tensor index of input/output `i` of subgraph 0; -1 if out of range. */
TFL_CAPI_EXPORT int TfLiteInterpreterGetInputTensorIndex(
    const TfLiteInterpreter* interpreter, int32_t input_index);
TFL_CAPI_EXPORT int TfLiteInterpreterGetOutputTensorIndex(
    const TfLiteInterpreter* interpreter, int32_t output_index);

#ifdef __cplusplus
}
#endif

#endif /* PYLITE_C_API_EXPERIMENTAL_H_ */
