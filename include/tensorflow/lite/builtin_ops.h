/* Compatibility header: code written for TFLite's C API includes
 * "tensorflow/lite/builtin_ops.h"; with pylite it gets pylite's declarations. */
#ifndef TENSORFLOW_LITE_BUILTIN_OPS_H_
#define TENSORFLOW_LITE_BUILTIN_OPS_H_
#include "pylite/builtin_ops.h"
#endif
