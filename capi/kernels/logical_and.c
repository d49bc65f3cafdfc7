/* pylite: LOGICAL_AND, elementwise x && y on bool tensors with numpy-style
 * broadcasting at any rank, as TFLite's builtin LOGICAL_AND. */
#include "capi/kernels/internal/binary.h"

PL_BIN_ROW(logical_and_row, bool, bool, x && y)

static const PlBinaryOp kLogicalAnd = {
    .name = "LOGICAL_AND",
    .types = "bool",
    .rows = {[kTfLiteBool] = logical_and_row},
};

PL_BINARY_KERNEL(logical_and, "LOGICAL_AND", kLogicalAnd,
                 "bool")
