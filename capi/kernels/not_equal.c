/* pylite: NOT_EQUAL, elementwise x != y with numpy-style broadcasting, as TFLite's
 * builtin NOT_EQUAL. Types, shapes and edge cases: see
 * capi/kernels/internal/binary_compare.h. */
#include "capi/kernels/internal/binary_compare.h"

PL_COMPARE_KERNEL(not_equal, "NOT_EQUAL", !=, true, false)
