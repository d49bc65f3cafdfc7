"""The declarations parsed ahead (pylite/_ffi_types.py) are those of
pylite/_cdefs.h, and the binding uses them."""

from cffi import FFI

from pylite import _ffi_build, _ffi_types
from pylite._ffi import ffi, lib, library_path


def _cdefs_text():
  with open(_ffi_build.CDEFS_PATH, encoding="utf-8") as f:
    return f.read()


def _signature(an_ffi, function):
  # The parsed-ahead tables name some structs and enums by their typedef.
  ctype = an_ffi.getctype(an_ffi.typeof(function))
  return ctype.replace("struct ", "").replace("enum ", "")


def test_made_from_the_current_cdefs():
  # Fails after an edit of _cdefs.h until `python pylite/_ffi_build.py` runs.
  assert _ffi_types.CDEFS_SHA256 == _ffi_build.cdefs_digest(_cdefs_text())


def test_binding_uses_the_parsed_ahead_declarations():
  assert ffi is _ffi_types.ffi


def test_same_declarations_as_parsing_now():
  parsed = FFI()
  parsed.cdef(_cdefs_text())
  now = parsed.dlopen(library_path)
  ahead = lib
  names = sorted(dir(now))
  assert names == sorted(dir(ahead))
  for name in names:
    value = getattr(now, name)
    if isinstance(value, int):  # enum constants
      assert getattr(ahead, name) == value, name
    else:
      assert (_signature(ffi, getattr(ahead, name)) ==
              _signature(parsed, value)), name
  for struct in ("TfLiteIntArray", "TfLiteQuantizationParams",
                 "PyliteSignatureRun"):
    assert ffi.sizeof(struct) == parsed.sizeof(struct), struct

