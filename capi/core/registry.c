/* pylite: the op resolver, built from the one table of ops (ops.def). */
#include <string.h>

#include "capi/core/interp.h"

#define PL_BUILTIN(NAME, CODE, SUFFIX) extern const PlKernel pl_kernel_##SUFFIX;
#define PL_CUSTOM(NAME, SUFFIX) extern const PlKernel pl_kernel_##SUFFIX;
#include "capi/kernels/ops.def"
#undef PL_BUILTIN
#undef PL_CUSTOM

typedef struct {
  int32_t code;          /* builtin code, or -1 for custom ops */
  const char* custom;    /* custom code, or NULL */
  const PlKernel* kernel;
} PlOpEntry;

static const PlOpEntry kOps[] = {
#define PL_BUILTIN(NAME, CODE, SUFFIX) {CODE, NULL, &pl_kernel_##SUFFIX},
#define PL_CUSTOM(NAME, SUFFIX) {-1, NAME, &pl_kernel_##SUFFIX},
#include "capi/kernels/ops.def"
#undef PL_BUILTIN
#undef PL_CUSTOM
};

const PlKernel* pl_find_builtin(int32_t builtin_code) {
  for (size_t i = 0; i < sizeof(kOps) / sizeof(kOps[0]); ++i)
    if (kOps[i].code == builtin_code && !kOps[i].custom) return kOps[i].kernel;
  return NULL;
}

const PlKernel* pl_find_custom(const char* custom_code) {
  if (!custom_code) return NULL;
  for (size_t i = 0; i < sizeof(kOps) / sizeof(kOps[0]); ++i)
    if (kOps[i].custom && strcmp(kOps[i].custom, custom_code) == 0)
      return kOps[i].kernel;
  return NULL;
}

int32_t pl_op_count(void) { return (int32_t)(sizeof(kOps) / sizeof(kOps[0])); }

const char* pl_op_name(int32_t i) {
  if (i < 0 || i >= pl_op_count()) return NULL;
  return kOps[i].kernel->name;
}

const char* pl_op_types(int32_t i) {
  if (i < 0 || i >= pl_op_count()) return NULL;
  return kOps[i].kernel->types ? kOps[i].kernel->types : "";
}
