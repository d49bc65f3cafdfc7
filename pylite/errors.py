"""Exceptions of pylite and the one place that turns a C status into one.

Every exception pylite raises derives from :class:`PyliteError` and from the
builtin that LiteRT's Python API raises in the same situation, so both
``except pylite.PyliteError`` and ``except ValueError`` work.
"""

from typing import Any, Optional, Type

from pylite._ffi import ffi, last_error


class PyliteError(Exception):
  """Base class of every pylite error."""


class PyliteValueError(PyliteError, ValueError):
  """A bad argument: a model, key, name, shape or value (LiteRT: ValueError)."""


class PyliteRuntimeError(PyliteError, RuntimeError):
  """A failed C call: allocation, resize or invoke (LiteRT: RuntimeError)."""


class PyliteCancelledError(PyliteRuntimeError):
  """An invoke stopped by a cancellation (status kTfLiteCancelled)."""


class PyliteClosedError(PyliteRuntimeError):
  """A call on a closed interpreter, or on a runner whose interpreter is
  closed."""


# Status values of c_api_types.h that need their own class.
_OK = 0
_CANCELLED = 8


def check(status: int, error: Type[Exception] = PyliteRuntimeError,
          prefix: Optional[str] = None) -> None:
  """Raises unless ``status`` is kTfLiteOk.

  The message is the C library's last error on this thread (reported by the
  failing call), optionally after ``prefix``. ``error`` is the class for a
  failure; kTfLiteCancelled always gives PyliteCancelledError.
  """
  if status == _OK:
    return
  message = last_error() or f"pylite C call failed with status {int(status)}"
  if prefix:
    message = f"{prefix}: {message}"
  if status == _CANCELLED:
    raise PyliteCancelledError(message)
  raise error(message)


def check_handle(handle: Any, error: Type[Exception] = PyliteRuntimeError,
                 prefix: Optional[str] = None) -> Any:
  """Returns ``handle`` unless it is NULL; then raises like :func:`check`."""
  if handle == ffi.NULL:
    message = last_error() or "pylite C call returned NULL"
    if prefix:
      message = f"{prefix}: {message}"
    raise error(message)
  return handle
