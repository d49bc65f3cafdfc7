/* pylite: SELECT and SELECT_V2, output = condition ? x : y.
 *
 * As TFLite's builtins: input 0 is a bool condition, inputs 1 and 2 (x, y)
 * share the output's type: bool, int8, uint8, int16, int32, int64, float32
 * or float64 (copied as bits, so NaN payloads and -0.0 survive).
 * Quantized x and y are copied as stored, as LiteRT does: it requires
 * nothing of their parameters (the converter gives x, y and the output
 * one scale and zero point).
 * SELECT_V2 broadcasts all three numpy-style at any rank. SELECT (v1) needs
 * x and y of one shape, and a condition of that shape, a scalar, or of rank
 * 1 matching x's first dim (choosing whole slices); other shapes are an
 * error in prepare. */
#ifndef PYLITE_KERNELS_INTERNAL_BINARY_SELECT_H_
#define PYLITE_KERNELS_INTERNAL_BINARY_SELECT_H_

#include "capi/kernels/internal/binary.h"

TfLiteStatus pl_select_prepare(PlSubgraph* sg, PlNode* node, bool v2);

TfLiteStatus pl_select_eval(PlSubgraph* sg, PlNode* node, bool v2);

#endif /* PYLITE_KERNELS_INTERNAL_BINARY_SELECT_H_ */
