/* Compatibility header: code written for TFLite's C API includes
 * "tensorflow/lite/c/common.h"; with pylite it gets pylite's declarations. */
#ifndef TENSORFLOW_LITE_C_COMMON_H_
#define TENSORFLOW_LITE_C_COMMON_H_
#include "pylite/common.h"
#endif
