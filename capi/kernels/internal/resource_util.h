/* pylite: reading a resource id from a RESOURCE tensor (shared by the
 * variable and hash-table kernels). */
#ifndef PYLITE_KERNELS_INTERNAL_RESOURCE_UTIL_H_
#define PYLITE_KERNELS_INTERNAL_RESOURCE_UTIL_H_

#include <string.h>

#include "capi/core/kernel.h"

/* Checks that `t` is a RESOURCE scalar holding an id (prepare). */
static inline TfLiteStatus pl_check_resource(PlSubgraph* sg,
                                             const TfLiteTensor* t,
                                             const char* op) {
  if (!t || t->type != kTfLiteResource || pl_num_elements(t) != 1) {
    pl_report(sg, "%s: input 0 must be a RESOURCE scalar.", op);
    return kTfLiteError;
  }
  return kTfLiteOk;
}

/* The id stored in a RESOURCE tensor, or -1 when it holds none (eval). */
static inline int32_t pl_resource_of(const TfLiteTensor* t) {
  int32_t id;
  if (!t->data.raw || t->bytes < sizeof(id)) return -1;
  memcpy(&id, t->data.raw, sizeof(id));
  return id;
}

#endif /* PYLITE_KERNELS_INTERNAL_RESOURCE_UTIL_H_ */
