/* Compatibility header: code written for TFLite's C API includes
 * "tensorflow/lite/c/c_api_opaque.h"; with pylite it gets pylite's declarations. */
#ifndef TENSORFLOW_LITE_C_C_API_OPAQUE_H_
#define TENSORFLOW_LITE_C_C_API_OPAQUE_H_
#include "pylite/c_api_opaque.h"
#endif
