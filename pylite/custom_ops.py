"""Custom ops written as Python callables (pylite: LiteRT has no such thing).

``Interpreter(model_path=..., custom_ops={"MyOp": fn})`` runs every node of
the model whose custom code is ``"MyOp"`` (opcode version 1) by calling
``fn`` with the node's inputs as numpy arrays and writing back what it
returns. A key ``("MyOp", 2)`` registers version 2 instead. Meant for
prototyping: each call crosses into Python and copies every input and output.

What ``fn`` sees and must return:
  - one argument per node input, in order: a fresh numpy array (string
    tensors: an object array of ``bytes``), or None for an omitted optional
    input;
  - one array-like per node output: a tuple of them (a list works too,
    except for a one-output node, where a list is the value itself), or the
    value alone for a one-output node. Any shape is accepted; values are converted to the
    output's type as numpy's ``same_kind`` casting allows (int64 -> int32,
    float64 -> float32, ...), anything else is an error. String outputs take
    ``bytes`` or ``str`` elements.
An exception raised by ``fn``, or a result that does not fit, fails that
``invoke()`` with a RuntimeError naming the op, node and subgraph (and the
exception); the interpreter stays usable. ``fn`` runs on the invoking thread
in the middle of the invoke, so it must not call back into the same
interpreter.

Underneath this is LiteRT's stable custom-op C API (pylite/operator.h,
pylite/c_api_opaque.h): each op is a ``TfLiteOperator`` whose prepare marks
every output as sized at run time and whose invoke is a cffi callback. The
callbacks and operators must outlive the native interpreter, so the
interpreter keeps the :class:`CustomOps` object alive and drops it only after
deleting its native interpreter.
"""

import traceback
from typing import Any, Callable, Dict, Mapping

import numpy as np

from pylite._ffi import ffi, lib
from pylite.errors import PyliteValueError

_BUILTIN_CUSTOM = 32  # kTfLiteBuiltinCustom
_OK = 0
_ERROR = 1
_PROTOTYPE = "TfLiteStatus(TfLiteOpaqueContext*, TfLiteOpaqueNode*)"

# TfLiteType -> numpy dtype for the fixed-size types a callable may see.
_DTYPES: Dict[int, np.dtype] = {
    lib.kTfLiteFloat32: np.dtype(np.float32),
    lib.kTfLiteInt32: np.dtype(np.int32),
    lib.kTfLiteUInt8: np.dtype(np.uint8),
    lib.kTfLiteInt64: np.dtype(np.int64),
    lib.kTfLiteBool: np.dtype(np.bool_),
    lib.kTfLiteInt16: np.dtype(np.int16),
    lib.kTfLiteComplex64: np.dtype(np.complex64),
    lib.kTfLiteInt8: np.dtype(np.int8),
    lib.kTfLiteFloat16: np.dtype(np.float16),
    lib.kTfLiteFloat64: np.dtype(np.float64),
    lib.kTfLiteComplex128: np.dtype(np.complex128),
    lib.kTfLiteUInt64: np.dtype(np.uint64),
    lib.kTfLiteUInt32: np.dtype(np.uint32),
    lib.kTfLiteUInt16: np.dtype(np.uint16),
}


class _OpError(Exception):
  """A problem to report through the context; the message is complete."""


def _type_name(tflite_type):
  return ffi.string(lib.TfLiteTypeGetName(tflite_type)).decode()


def _tensor_label(tensor, kind, index):
  name = ffi.string(lib.TfLiteOpaqueTensorName(tensor)).decode(
      "utf-8", errors="replace")
  return f"{kind} {index} ('{name}')" if name else f"{kind} {index}"


def _shape(tensor):
  rank = lib.TfLiteOpaqueTensorNumDims(tensor)
  return tuple(int(lib.TfLiteOpaqueTensorDim(tensor, d))
               for d in range(max(rank, 0)))


def _read_input(tensor, index):
  """A copy of an input tensor as a numpy array (None if omitted)."""
  if tensor == ffi.NULL:
    return None
  tflite_type = lib.TfLiteOpaqueTensorType(tensor)
  shape = _shape(tensor)
  if tflite_type == lib.kTfLiteString:
    count = lib.TfLiteOpaqueTensorGetStringCount(tensor)
    if count < 0:
      raise _OpError(f"{_tensor_label(tensor, 'input', index)}: malformed "
                     "string tensor")
    data = ffi.new("const char**")
    length = ffi.new("int*")
    values = []
    for i in range(count):
      if lib.TfLiteOpaqueTensorGetString(tensor, i, data, length) != _OK:
        raise _OpError(f"{_tensor_label(tensor, 'input', index)}: cannot "
                       f"read string {i}")
      values.append(ffi.unpack(data[0], length[0]) if length[0] else b"")
    array = np.empty((count,), dtype=object)
    array[:] = values
    return array.reshape(shape) if count == int(np.prod(shape)) else array
  dtype = _DTYPES.get(tflite_type)
  if dtype is None:
    raise _OpError(f"{_tensor_label(tensor, 'input', index)} has type "
                   f"{_type_name(tflite_type)}, which Python custom ops do "
                   "not support")
  count = int(np.prod(shape, dtype=np.int64))
  nbytes = count * dtype.itemsize
  if count == 0:
    return np.zeros(shape, dtype=dtype)
  pointer = lib.TfLiteOpaqueTensorData(tensor)
  if pointer == ffi.NULL or lib.TfLiteOpaqueTensorByteSize(tensor) < nbytes:
    raise _OpError(f"{_tensor_label(tensor, 'input', index)} has no data")
  raw = ffi.buffer(pointer, nbytes)
  return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _resize(context, tensor, shape, label):
  dims = lib.TfLiteIntArrayCreate(len(shape))
  if dims == ffi.NULL:
    raise _OpError(f"{label}: out of memory")
  for i, d in enumerate(shape):
    dims.data[i] = int(d)
  # The runtime owns `dims` from here on, even on failure.
  if lib.TfLiteOpaqueContextResizeTensor(context, tensor, dims) != _OK:
    raise _OpError(f"{label}: cannot resize to {list(shape)}")


def _write_output(context, tensor, index, value):
  label = _tensor_label(tensor, "output", index)
  tflite_type = lib.TfLiteOpaqueTensorType(tensor)
  if tflite_type == lib.kTfLiteString:
    array = np.asarray(value, dtype=object)
    values = []
    for item in array.ravel(order="C"):
      if isinstance(item, (bytes, np.bytes_)):
        values.append(bytes(item))
      elif isinstance(item, str):
        values.append(item.encode("utf-8"))
      else:
        raise _OpError(f"{label} is STRING: its elements must be bytes or "
                       f"str, got {type(item).__name__}")
    _resize(context, tensor, array.shape, label)
    buffers = [ffi.from_buffer(v) for v in values]  # alive during the call
    pointers = ffi.new("const char*[]",
                       [ffi.cast("const char*", b) for b in buffers])
    lengths = ffi.new("size_t[]", [len(v) for v in values])
    if lib.PyliteOpaqueTensorWriteStrings(tensor, len(values), pointers,
                                          lengths) != _OK:
      raise _OpError(f"{label}: cannot write {len(values)} strings")
    return
  dtype = _DTYPES.get(tflite_type)
  if dtype is None:
    raise _OpError(f"{label} has type {_type_name(tflite_type)}, which "
                   "Python custom ops do not support")
  try:
    array = np.asarray(value)
  except Exception as e:  # pylint: disable=broad-except
    raise _OpError(f"{label}: cannot convert the result to an array "
                   f"({type(e).__name__}: {e})") from e
  if array.dtype != dtype and not np.can_cast(array.dtype, dtype,
                                              casting="same_kind"):
    raise _OpError(f"{label}: the result has dtype {array.dtype} but the "
                   f"output is {_type_name(tflite_type)} ({dtype})")
  array = np.ascontiguousarray(array, dtype=dtype)
  _resize(context, tensor, array.shape, label)
  if lib.TfLiteOpaqueTensorCopyFromBuffer(
      tensor, ffi.from_buffer(array) if array.nbytes else ffi.NULL,
      array.nbytes) != _OK:
    raise _OpError(f"{label}: cannot copy {array.nbytes} bytes")


def _report(context, message):
  text = ffi.new("char[]", message.encode("utf-8"))  # alive for the call
  lib.TfLiteOpaqueContextReportError(context, b"%s",
                                     ffi.cast("const char*", text))


def _describe(exc):
  """'ValueError: message (at file.py:12 in fn)' for the innermost frame."""
  text = f"{type(exc).__name__}: {exc}"
  frames = traceback.extract_tb(exc.__traceback__)
  if frames:
    last = frames[-1]
    text += f" (at {last.filename}:{last.lineno} in {last.name})"
  return text


class _PythonOp:
  """One registered operator and the callbacks that keep it alive."""

  def __init__(self, name, version, fn):
    self.name = name
    self.version = version
    self.fn = fn
    self._prepare = ffi.callback(_PROTOTYPE, self._on_prepare,
                                 error=_ERROR, onerror=self._on_error)
    self._invoke = ffi.callback(_PROTOTYPE, self._on_invoke,
                                error=_ERROR, onerror=self._on_error)
    op = lib.TfLiteOperatorCreate(_BUILTIN_CUSTOM, name.encode("utf-8"),
                                  version, ffi.NULL)
    if op == ffi.NULL:
      raise MemoryError("TfLiteOperatorCreate failed")
    self.pointer = ffi.gc(op, lib.TfLiteOperatorDelete)
    lib.TfLiteOperatorSetPrepare(self.pointer, self._prepare)
    lib.TfLiteOperatorSetInvoke(self.pointer, self._invoke)

  def _on_prepare(self, context, node):
    # The output shapes are whatever fn returns: known only at invoke.
    for i in range(lib.TfLiteOpaqueNodeNumberOfOutputs(node)):
      tensor = lib.TfLiteOpaqueNodeGetOutput(context, node, i)
      if tensor == ffi.NULL:
        continue
      tflite_type = lib.TfLiteOpaqueTensorType(tensor)
      if tflite_type != lib.kTfLiteString and tflite_type not in _DTYPES:
        _report(context, f"Python custom op '{self.name}': "
                f"{_tensor_label(tensor, 'output', i)} has type "
                f"{_type_name(tflite_type)}, which Python custom ops do not "
                "support.")
        return _ERROR
      lib.TfLiteOpaqueTensorSetAllocationTypeToDynamic(tensor)
    return _OK

  def _on_invoke(self, context, node):
    try:
      inputs = [
          _read_input(lib.TfLiteOpaqueNodeGetInput(context, node, i), i)
          for i in range(lib.TfLiteOpaqueNodeNumberOfInputs(node))
      ]
    except _OpError as e:
      _report(context, f"Python custom op '{self.name}': {e}.")
      return _ERROR
    try:
      result = self.fn(*inputs)
    except Exception as e:  # pylint: disable=broad-except
      _report(context, f"Python custom op '{self.name}' raised {_describe(e)}")
      return _ERROR
    num_outputs = lib.TfLiteOpaqueNodeNumberOfOutputs(node)
    # A tuple is always one value per output; a list is too, except for a
    # one-output node, where it is the value itself.
    if isinstance(result, tuple) or (isinstance(result, list) and
                                     num_outputs != 1):
      results = list(result)
    else:
      results = [result]
    if len(results) != num_outputs:
      _report(context, f"Python custom op '{self.name}' returned "
              f"{len(results)} values but the node has {num_outputs} "
              "outputs.")
      return _ERROR
    try:
      for i, value in enumerate(results):
        tensor = lib.TfLiteOpaqueNodeGetOutput(context, node, i)
        if tensor == ffi.NULL:
          continue
        _write_output(context, tensor, i, value)
    except _OpError as e:
      _report(context, f"Python custom op '{self.name}': {e}.")
      return _ERROR
    return _OK

  def _on_error(self, exc_type, exc_value, tb):
    # Only reached for an error inside the glue itself (or a
    # KeyboardInterrupt); the C side sees kTfLiteError either way.
    traceback.print_exception(exc_type, exc_value, tb)


class CustomOps:
  """The Python custom ops of one interpreter.

  Args:
    custom_ops: a mapping from ``"Name"`` (version 1) or ``("Name",
      version)`` to a callable.

  Raises:
    ValueError: a key or value of the wrong kind.
  """

  def __init__(self, custom_ops: Mapping[Any, Callable[..., Any]]) -> None:
    if not hasattr(custom_ops, "items"):
      raise PyliteValueError(
          "custom_ops must be a mapping from op name (or (name, version)) "
          f"to a callable, got {type(custom_ops).__name__}")
    self._ops = []
    for key, fn in custom_ops.items():
      if isinstance(key, tuple) and len(key) == 2:
        name, version = key
      else:
        name, version = key, 1
      if not isinstance(name, str) or not name:
        raise PyliteValueError(
            f"custom_ops: the op name must be a non-empty str, got {key!r}")
      if (not isinstance(version, int) or isinstance(version, bool) or
          version < 1):
        raise PyliteValueError(
            f"custom_ops: the version of '{name}' must be an int >= 1, got "
            f"{version!r}")
      if not callable(fn):
        raise PyliteValueError(
            f"custom_ops: the value for '{name}' must be callable, got "
            f"{type(fn).__name__}")
      self._ops.append(_PythonOp(name, version, fn))

  def add_to(self, options: Any) -> None:
    """Registers every op on native interpreter options."""
    for op in self._ops:
      lib.TfLiteInterpreterOptionsAddOperator(options, op.pointer)

  def __len__(self) -> int:
    return len(self._ops)
