/* pylite: LOGICAL_OR, elementwise x || y on bool tensors with numpy-style
 * broadcasting at any rank, as TFLite's builtin LOGICAL_OR. */
#include "capi/kernels/internal/binary.h"

PL_BIN_ROW(logical_or_row, bool, bool, x || y)

static const PlBinaryOp kLogicalOr = {
    .name = "LOGICAL_OR",
    .types = "bool",
    .rows = {[kTfLiteBool] = logical_or_row},
};

PL_BINARY_KERNEL(logical_or, "LOGICAL_OR", kLogicalOr,
                 "bool")
