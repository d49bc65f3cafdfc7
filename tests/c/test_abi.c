/* pylite: the public structs keep TFLite's layout (LP64), so that programs
 * built against TFLite's headers can run on pylite's library. The offsets are
 * those of tflite/core/c/common.h's TfLiteTensor on 64-bit Linux. */
#include <stddef.h>

#include "check.h"
#include "tensorflow/lite/c/c_api.h"
#include "tensorflow/lite/c/c_api_experimental.h"
#include "tensorflow/lite/c/common.h"

_Static_assert(sizeof(void*) == 8, "the offsets below are for LP64");
_Static_assert(offsetof(TfLiteTensor, type) == 0, "type");
_Static_assert(offsetof(TfLiteTensor, data) == 8, "data");
_Static_assert(offsetof(TfLiteTensor, dims) == 16, "dims");
_Static_assert(offsetof(TfLiteTensor, params) == 24, "params");
_Static_assert(offsetof(TfLiteTensor, allocation_type) == 32, "allocation_type");
_Static_assert(offsetof(TfLiteTensor, bytes) == 40, "bytes");
_Static_assert(offsetof(TfLiteTensor, allocation) == 48, "allocation");
_Static_assert(offsetof(TfLiteTensor, name) == 56, "name");
_Static_assert(offsetof(TfLiteTensor, delegate) == 64, "delegate");
_Static_assert(offsetof(TfLiteTensor, buffer_handle) == 72, "buffer_handle");
_Static_assert(offsetof(TfLiteTensor, data_is_stale) == 76, "data_is_stale");
_Static_assert(offsetof(TfLiteTensor, is_variable) == 77, "is_variable");
_Static_assert(offsetof(TfLiteTensor, quantization) == 80, "quantization");
_Static_assert(offsetof(TfLiteTensor, sparsity) == 96, "sparsity");
_Static_assert(offsetof(TfLiteTensor, dims_signature) == 104, "dims_signature");
_Static_assert(sizeof(TfLiteTensor) == 112, "size");
_Static_assert(offsetof(TfLiteIntArray, data) == 4, "TfLiteIntArray.data");
_Static_assert(sizeof(TfLiteQuantizationParams) == 8, "params");
_Static_assert(kTfLiteFloat8E5M2 == 23 && kTfLiteInt4 == 18, "TfLiteType");
_Static_assert(kTfLiteOutputShapeNotKnown == 9 && kTfLiteCancelled == 8,
               "TfLiteStatus");

int main(void) {
  /* The compatibility headers declare the same functions as ours. */
  CHECK(TfLiteSchemaVersion() == 3);
  CHECK(TfLiteIntArrayGetSizeInBytes(3) == 16);
  TfLiteIntArray* a = TfLiteIntArrayCreate(2);
  CHECK(a != NULL && a->size == 2);
  a->data[0] = 1, a->data[1] = 2;
  const int want[] = {1, 2};
  CHECK(TfLiteIntArrayEqualsArray(a, 2, want));
  TfLiteIntArray* b = TfLiteIntArrayCopy(a);
  CHECK(TfLiteIntArrayEqual(a, b));
  TfLiteIntArrayFree(a);
  TfLiteIntArrayFree(b);
  CHECK(TfLiteIntArrayCreate(-1) == NULL);
  return CHECK_SUMMARY();
}
