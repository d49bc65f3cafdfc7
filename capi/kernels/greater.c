/* pylite: GREATER, elementwise x > y with numpy-style broadcasting, as TFLite's
 * builtin GREATER. Types, shapes and edge cases: see
 * capi/kernels/internal/binary_compare.h. */
#include "capi/kernels/internal/binary_compare.h"

PL_COMPARE_KERNEL(greater, "GREATER", >, false, false)
