/* Compatibility header: code written for TFLite's C API includes
 * "tensorflow/lite/core/c/operator.h"; with pylite it gets pylite's declarations. */
#ifndef TENSORFLOW_LITE_CORE_C_OPERATOR_H_
#define TENSORFLOW_LITE_CORE_C_OPERATOR_H_
#include "pylite/operator.h"
#endif
