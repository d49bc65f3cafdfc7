"""The raw layer: pylite's C API loaded with cffi in ABI mode.

``ffi`` knows the declarations of ``_cdefs.h`` (parsed ahead into
``_ffi_types.py``, see ``_ffi_build``); ``lib`` is the shared library,
whose functions mirror the C API one to one. ABI-mode calls release the GIL,
so a long ``TfLiteInterpreterInvoke`` lets other Python threads run.
``fast_lib``, when the optional compiled module ``pylite._fast`` is there,
makes the signature runner's one-call run cheaper (see ``_fast_build``).

The library is looked up, in order, at:
  1. the path in the environment variable ``PYLITE_LIBRARY``;
  2. ``libpylite.so`` next to this file (where ``pip install`` puts it);
  3. ``<repository>/build/libpylite.so`` (a CMake build of a checkout).
"""

import os
import sys
from typing import Any, List

from cffi import FFI

from pylite._ffi_build import cdefs_digest

_HERE = os.path.dirname(os.path.abspath(__file__))

if sys.platform == "darwin":
  LIBRARY_NAME = "libpylite.dylib"
elif sys.platform == "win32":
  LIBRARY_NAME = "pylite.dll"
else:
  LIBRARY_NAME = "libpylite.so"


def _read_cdefs():
  with open(os.path.join(_HERE, "_cdefs.h"), encoding="utf-8") as f:
    return f.read()


def library_candidates() -> List[str]:
  """The paths tried, in order, to find the shared library."""
  candidates = []
  env = os.environ.get("PYLITE_LIBRARY")
  if env:
    candidates.append(env)
  candidates.append(os.path.join(_HERE, LIBRARY_NAME))
  candidates.append(os.path.join(os.path.dirname(_HERE), "build", LIBRARY_NAME))
  return candidates


def _load(ffi):
  tried = []
  for path in library_candidates():
    if not os.path.exists(path):
      tried.append(f"{path} (missing)")
      continue
    try:
      return ffi.dlopen(path), path
    except OSError as e:
      tried.append(f"{path} ({e})")
  raise ImportError(
      "pylite: cannot load the shared library " + LIBRARY_NAME +
      "; tried: " + "; ".join(tried) +
      ". Build it with `cmake -S . -B build && cmake --build build`, "
      "install the package with `pip install .`, or set PYLITE_LIBRARY.")


def _make_ffi():
  """The declarations of _cdefs.h: parsed ahead (_ffi_types.py, made by
  ``python pylite/_ffi_build.py``) when that was made from this _cdefs.h,
  else parsed now."""
  text = _read_cdefs()
  try:
    from pylite import _ffi_types  # pylint: disable=import-outside-toplevel
    if _ffi_types.CDEFS_SHA256 == cdefs_digest(text):
      return _ffi_types.ffi
  except ImportError:
    pass
  parsed = FFI()
  parsed.cdef(text)
  return parsed


ffi = _make_ffi()
lib, library_path = _load(ffi)


def _load_fast():
  """The compiled trampolines of ``pylite._fast`` (see ``_fast_build``),
  bound to this library's PyliteSignatureRunnerRun; None when the module
  was not built or ``PYLITE_NO_FAST`` is set (the calls then go through
  ABI mode)."""
  if os.environ.get("PYLITE_NO_FAST"):
    return None
  try:
    from pylite import _fast  # pylint: disable=import-outside-toplevel
  except ImportError:
    return None
  _fast.lib.pylite_fast_bind(int(ffi.cast(
      "uintptr_t", ffi.addressof(lib, "PyliteSignatureRunnerRun"))))
  return _fast.lib


fast_lib = _load_fast()

# Passed as the error reporter everywhere: C keeps the message as the
# thread's last error (PyliteGetLastError) and prints nothing.
QUIET_REPORTER = ffi.addressof(lib, "PyliteQuietReporter")


def string(ptr: Any) -> str:
  """A C string as str ("" for NULL); invalid UTF-8 is replaced."""
  if ptr == ffi.NULL:
    return ""
  return ffi.string(ptr).decode("utf-8", errors="replace")


def last_error() -> str:
  """The calling thread's last reported message, stripped."""
  return string(lib.PyliteGetLastError()).strip()
