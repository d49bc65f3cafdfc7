"""What the subcommands share: loading a model, choosing a signature, making
input arrays from the command line, and the one error type they raise.

Every user mistake becomes a :class:`CliError`, which ``main`` prints as one
line (``pylite <command>: error: ...``) with a non-zero exit status.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from pylite._ffi import QUIET_REPORTER, ffi, last_error, lib
from pylite.errors import PyliteError
from pylite.interpreter import (PLACEHOLDER_SIGNATURE_KEY, Interpreter,
                                SignatureRunner)


class CliError(Exception):
  """A mistake in the command line or its files: one line, exit status 1."""

  def __init__(self, message: str, status: int = 1) -> None:
    super().__init__(message)
    self.status = status


def one_line(message: object) -> str:
  """The first line of a message, for one-line errors."""
  text = str(message).strip()
  return text.splitlines()[0] if text else "unknown error"


def read_model(path: str) -> bytes:
  """The bytes of a model file, checked by the C verifier."""
  if not os.path.exists(path):
    raise CliError(f"{path}: no such file")
  if os.path.isdir(path):
    raise CliError(f"{path}: is a directory, not a .tflite file")
  try:
    with open(path, "rb") as f:
      data = f.read()
  except OSError as e:
    raise CliError(f"{path}: cannot read: {e.strerror or e}") from None
  verify(path, data)
  return data


def verify(path: str, data: bytes) -> None:
  """CliError unless the C model reader accepts ``data``."""
  if not data:
    raise CliError(f"{path}: not a valid model: the file is empty")
  lib.PyliteClearLastError()
  buffer = ffi.from_buffer(data)
  model = lib.TfLiteModelCreateWithErrorReporter(buffer, len(data),
                                                 QUIET_REPORTER, ffi.NULL)
  if model == ffi.NULL:
    reason = last_error() or "the model reader refused it"
    raise CliError(f"{path}: not a valid model: {one_line(reason)}")
  lib.TfLiteModelDelete(model)


def open_interpreter(path: str, data: bytes,
                     num_threads: Optional[int] = None) -> Interpreter:
  try:
    return Interpreter(model_content=data, num_threads=num_threads)
  except PyliteError as e:
    message = str(e)
    prefix = "Failed to create the interpreter: "
    if message.startswith(prefix):
      message = message[len(prefix):]
    raise CliError(f"{path}: cannot load the model: {one_line(message)}"
                   ) from None


def choose_signature(interpreter: Interpreter,
                     key: Optional[str]) -> SignatureRunner:
  """The runner of ``key``; without a key, the model's only signature (or
  the placeholder signature of a model without SignatureDefs)."""
  keys = list(interpreter.get_signature_list())
  if key is None:
    if len(keys) > 1:
      raise CliError(f"the model has {len(keys)} signatures "
                     f"({', '.join(keys)}); choose one with --signature")
    key = keys[0] if keys else PLACEHOLDER_SIGNATURE_KEY
  elif key not in keys and not (not keys and key == PLACEHOLDER_SIGNATURE_KEY):
    known = ", ".join(keys) if keys else (
        "none; the model has no SignatureDefs, leave out --signature")
    raise CliError(f"unknown signature '{key}' (signatures: {known})")
  try:
    return interpreter.get_signature_runner(key)
  except PyliteError as e:
    raise CliError(f"signature '{key}': {one_line(e)}") from None


class Native:
  """The C handles behind a Python interpreter and runner.

  ``bench`` times the C invoke alone and ``inspect`` allocates runners
  without running them, so both reach below the Python API; this is the one
  place that knows how."""

  def __init__(self, interpreter: Interpreter,
               runner: SignatureRunner) -> None:
    self.interpreter = ffi.cast("TfLiteInterpreter*",
                                interpreter._native_handle())  # pylint: disable=protected-access
    self.runner = runner
    self.subgraph = int(runner._subgraph_index)  # pylint: disable=protected-access

  def call(self) -> Any:
    """A context for one native call on the runner's subgraph."""
    return self.runner._enter()  # pylint: disable=protected-access

  @property
  def handle(self) -> Any:
    """The TfLiteSignatureRunner*."""
    return self.runner._handle  # pylint: disable=protected-access

  def allocate(self) -> None:
    """Allocates the runner's tensors (preparing every node); CliError with
    the C message on failure."""
    with self.call():
      lib.PyliteClearLastError()
      if lib.TfLiteSignatureRunnerAllocateTensors(self.handle) != 0:
        raise CliError("allocating tensors failed: " +
                       one_line(last_error() or "unknown error"))


# ---- inputs ------------------------------------------------------------------


def parse_input_specs(specs: Sequence[str]) -> Dict[str, str]:
  """``["x=a.npy", "y=[1,2]"]`` -> ``{"x": "a.npy", "y": "[1,2]"}``."""
  result: Dict[str, str] = {}
  for spec in specs:
    name, sep, value = spec.partition("=")
    if not sep or not name:
      raise CliError(f"--input {spec!r}: expected NAME=FILE_OR_LITERAL")
    if name in result:
      raise CliError(f"--input {name}: given twice")
    result[name] = value
  return result


def _is_string(dtype: Any) -> bool:
  return dtype is np.bytes_ or np.dtype(dtype).kind in "SUO"


def _dtype_name(dtype: Any) -> str:
  return getattr(dtype, "__name__", str(dtype))


def _shape_text(shape: Sequence[int]) -> str:
  return "[" + ", ".join(str(int(d)) for d in shape) + "]"


def _check_shape(name: str, shape: Sequence[int],
                 signature: Sequence[int], origin: str) -> None:
  fits = len(shape) == len(signature) and all(
      s == -1 or s == d for d, s in zip(shape, signature))
  if not fits:
    raise CliError(f"input '{name}': {origin} has shape {_shape_text(shape)}"
                   f", the signature wants {_shape_text(signature)}")


def _random_shape(name: str, spec: str, signature: Sequence[int]) -> List[int]:
  if spec:
    try:
      shape = [int(d) for d in spec.replace("x", ",").split(",") if d != ""]
    except ValueError:
      raise CliError(f"input '{name}': bad shape in 'random:{spec}' "
                     "(write random:2x3 or random:2,3)") from None
    if any(d < 0 for d in shape):
      raise CliError(f"input '{name}': negative dimension in 'random:{spec}'")
    _check_shape(name, shape, signature, f"random:{spec}")
    return shape
  # Unknown dimensions (-1) become 1, as LiteRT's benchmark tool does.
  return [1 if d < 0 else int(d) for d in signature]


def random_array(dtype: Any, shape: Sequence[int],
                 rng: np.random.Generator) -> np.ndarray:
  """Random values of a type: floats in [-1, 1), small non-negative integers
  (valid as indices and sizes for most ops), numeric strings."""
  if _is_string(dtype):
    values = [f"{v:.2f}" for v in rng.uniform(-10, 10, size=shape).ravel()]
    return np.array(values, dtype=object).reshape(shape)
  dt = np.dtype(dtype)
  if dt.kind == "b":
    return rng.integers(0, 2, size=shape).astype(dt)
  if dt.kind in "iu":
    return rng.integers(0, 10, size=shape).astype(dt)
  if dt.kind == "c":
    return (rng.uniform(-1, 1, size=shape) +
            1j * rng.uniform(-1, 1, size=shape)).astype(dt)
  if dt.kind == "f":
    return rng.uniform(-1, 1, size=shape).astype(dt)
  raise CliError(f"cannot make random data of type {_dtype_name(dtype)}")


def _from_npy(name: str, path: str, dtype: Any,
              signature: Sequence[int]) -> np.ndarray:
  if not os.path.exists(path):
    raise CliError(f"input '{name}': {path}: no such file")
  try:
    array = np.load(path, allow_pickle=False)
  except (OSError, ValueError, EOFError) as e:
    raise CliError(f"input '{name}': {path}: not a readable .npy file "
                   f"({one_line(e)})") from None
  if not isinstance(array, np.ndarray):
    raise CliError(f"input '{name}': {path}: holds several arrays; "
                   "give one .npy file per input")
  if _is_string(dtype):
    if array.dtype.kind not in "SU":
      raise CliError(f"input '{name}': {path} holds {array.dtype.name}, "
                     "the signature wants strings")
  elif array.dtype != np.dtype(dtype):
    raise CliError(f"input '{name}': {path} holds {array.dtype.name}, "
                   f"the signature wants {_dtype_name(dtype)}")
  _check_shape(name, array.shape, signature, path)
  return array


def _from_literal(name: str, text: str, dtype: Any,
                  signature: Sequence[int]) -> np.ndarray:
  try:
    value = json.loads(text)
  except ValueError:
    raise CliError(f"input '{name}': {text!r} is neither a file nor a JSON "
                   "literal") from None
  if _is_string(dtype):
    array = np.array(value, dtype=object)
    if array.size and not all(isinstance(v, str) for v in array.ravel()):
      raise CliError(f"input '{name}': the signature wants strings; write "
                     'them as JSON strings, e.g. ["1.5", "2"]')
    _check_shape(name, array.shape, signature, "the literal")
    return array
  try:
    array = np.array(value)
  except ValueError:
    raise CliError(f"input '{name}': the literal is not a rectangular array"
                   ) from None
  target = np.dtype(dtype)
  kinds = {"b": "b", "i": "bi", "u": "bi", "f": "bif", "c": "bifc"}
  if array.size and array.dtype.kind not in kinds.get(target.kind, ""):
    raise CliError(f"input '{name}': the literal holds "
                   f"{_literal_kind(array)}, the signature wants "
                   f"{target.name}")
  with np.errstate(all="ignore"):
    converted = array.astype(target)
  if target.kind in "iub" and array.size and not np.array_equal(
      converted.astype(array.dtype), array):
    raise CliError(f"input '{name}': a value of the literal does not fit "
                   f"{target.name}")
  _check_shape(name, converted.shape, signature, "the literal")
  return converted


def _literal_kind(array: np.ndarray) -> str:
  return {"b": "booleans", "i": "integers", "f": "non-integer numbers",
          "U": "strings", "O": "mixed values"}.get(array.dtype.kind,
                                                   array.dtype.name)


def make_inputs(runner: SignatureRunner, specs: Mapping[str, str],
                seed: Optional[int] = None
                ) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
  """(arrays by input name, where each came from) for a runner's inputs.

  An input without a spec gets random data, as does ``NAME=random`` or
  ``NAME=random:2x3`` (an explicit shape)."""
  details = runner.get_input_details()
  for name in specs:
    if name not in details:
      known = ", ".join(details) or "none"
      raise CliError(f"unknown input '{name}' for signature "
                     f"'{runner.signature_key}' (inputs: {known})")
  rng = np.random.default_rng(seed)
  arrays: Dict[str, np.ndarray] = {}
  origins: Dict[str, str] = {}
  for name, detail in details.items():
    dtype = detail["dtype"]
    signature = [int(d) for d in detail["shape_signature"]]
    spec = specs.get(name, "random")
    if spec == "random" or spec.startswith("random:"):
      shape = _random_shape(name, spec[len("random:"):], signature)
      arrays[name] = random_array(dtype, shape, rng)
      origins[name] = "random"
    elif spec.endswith(".npy") or os.path.isfile(spec):
      arrays[name] = _from_npy(name, spec, dtype, signature)
      origins[name] = spec
    else:
      arrays[name] = _from_literal(name, spec, dtype, signature)
      origins[name] = "literal"
  return arrays, origins


def describe_array(array: np.ndarray) -> str:
  """``float32 [1, 4]``, the type as the Python API names it."""
  dtype = "bytes_" if array.dtype.kind in "OSU" else array.dtype.name
  return f"{dtype} {_shape_text(array.shape)}"


def format_bytes(count: float) -> str:
  for unit in ("B", "KB", "MB", "GB"):
    if abs(count) < 1024 or unit == "GB":
      return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
    count /= 1024
  return f"{count:.1f} GB"
