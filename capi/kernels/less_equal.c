/* pylite: LESS_EQUAL, elementwise x <= y with numpy-style broadcasting, as TFLite's
 * builtin LESS_EQUAL. Types, shapes and edge cases: see
 * capi/kernels/internal/binary_compare.h. */
#include "capi/kernels/internal/binary_compare.h"

PL_COMPARE_KERNEL(less_equal, "LESS_EQUAL", <=, false, false)
