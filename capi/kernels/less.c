/* pylite: LESS, elementwise x < y with numpy-style broadcasting, as TFLite's
 * builtin LESS. Types, shapes and edge cases: see
 * capi/kernels/internal/binary_compare.h. */
#include "capi/kernels/internal/binary_compare.h"

PL_COMPARE_KERNEL(less, "LESS", <, false, false)
