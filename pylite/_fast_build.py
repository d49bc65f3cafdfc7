"""Builds ``pylite._fast``: a small cffi API-mode module for the hot call.

pylite opens its C library in cffi's ABI mode (``_ffi``), where every call
goes through libffi: about 110 ns more than a compiled call. That is most of
the cost of a signature-runner call on a tiny model, so the runner's
one-call path (``interpreter._plan_call``) calls ``PyliteSignatureRunnerRun``
through this module when it is there: two compiled trampolines that call the
library's function through a pointer bound at import (``bind``), so the
module does not link to the library and ``PYLITE_LIBRARY`` still chooses it.
``run_one`` also takes the single input of a one-input plan as a ``bytes``
object (``ndarray.tobytes()``), which the C run copies straight to the
tensor.

The module is optional: without it (no C compiler or Python headers when the
package was built, or ``PYLITE_NO_FAST=1``) the same calls go through ABI
mode. It uses Python's limited API, so one build serves every Python 3.9+.

``python pylite/_fast_build.py`` builds it in place, next to this file (what
``make venv`` does for a checkout); ``setup.py`` builds it into the wheel.
"""

import os
import sys

from cffi import FFI

_HERE = os.path.dirname(os.path.abspath(__file__))
_INCLUDE = os.path.join(os.path.dirname(_HERE), "include")

# The runner and its argument are passed as ``void *``, so that the
# ``PyliteSignatureRun *`` made by ``_ffi``'s FFI is accepted as it is.
CDEFS = """
void pylite_fast_bind(uintptr_t run_function);
int pylite_fast_run(const void *run);
int pylite_fast_run_one(const void *run, const char *input);
"""

SOURCE = r"""
#include "pylite/pylite.h"

typedef TfLiteStatus (*PyliteRunFunction)(const PyliteSignatureRun *);
static PyliteRunFunction pylite_run_function;

static void pylite_fast_bind(uintptr_t run_function) {
  pylite_run_function = (PyliteRunFunction)run_function;
}

static int pylite_fast_run(const void *run) {
  return pylite_run_function((const PyliteSignatureRun *)run);
}

/* The run of a one-input plan with that input's bytes in place of its
 * staging buffer. */
static int pylite_fast_run_one(const void *run, const char *input) {
  PyliteSignatureRun one = *(const PyliteSignatureRun *)run;
  const void *data[1] = {input};
  one.input_data = data;
  return pylite_run_function(&one);
}
"""

ffi = FFI()
ffi.cdef(CDEFS)
ffi.set_source("pylite._fast", SOURCE, include_dirs=[_INCLUDE],
               py_limited_api=True)


def main() -> int:
  """Compiles the module into the package directory."""
  # pylint: disable=import-outside-toplevel
  import shutil
  import tempfile

  with tempfile.TemporaryDirectory() as tmp:
    path = ffi.compile(tmpdir=tmp)
    target = os.path.join(_HERE, os.path.basename(path))
    shutil.copyfile(path, target)
  print(f"wrote {target}")
  return 0


if __name__ == "__main__":
  sys.exit(main())
