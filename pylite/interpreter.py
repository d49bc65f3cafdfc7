"""The Pythonic layer: ``Interpreter`` and ``SignatureRunner``.

They mirror ``ai_edge_litert.interpreter`` (the same names, arguments, detail
dicts, and exception types and messages) on top of the raw C API in
``pylite._ffi``. Differences are extensions, each marked "pylite:" below:

- ``get_signature_runner()`` on a model without SignatureDefs returns the
  placeholder runner over subgraph 0 (key ``"<placeholder signature>"``) that
  the C API offers; LiteRT's Python raises instead.
- ``close()`` and the context-manager protocol free the native interpreter
  deterministically; a closed interpreter (and its runners) raise
  ``PyliteClosedError``.
- Runners of different signatures may be called from different threads at the
  same time; calls that touch the same subgraph are serialized.
- Interpreters and runners can be pickled (to send them to other processes,
  e.g. Ray workers): by value, as the model bytes and the constructor options,
  fresh on the receiving side; ``with_state()`` carries the resource
  variables' values too. See "Pickling" below.

Ownership: a ``SignatureRunner`` keeps its ``Interpreter`` alive. The native
runner handles are tracked by the interpreter's native state and are always
freed before the native interpreter, whatever the order in which the Python
objects go away.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import os
import pickle
import sys
import threading
import weakref
from typing import (Any, Callable, Dict, List, Mapping, Optional, Sequence,
                    Union)

import numpy as np
from _cffi_backend import memmove as _memmove  # ffi.memmove without its wrapper

from pylite._ffi import QUIET_REPORTER, fast_lib, ffi, last_error, lib, string
from pylite.custom_ops import CustomOps
from pylite.errors import (PyliteClosedError, PyliteRuntimeError,
                           PyliteValueError, check, check_handle)

# The key the C API gives the runner of a model without SignatureDefs.
PLACEHOLDER_SIGNATURE_KEY = "<placeholder signature>"

# TfLiteType -> numpy type reported as ``dtype`` in detail dicts.
_NUMPY_TYPES = {
    lib.kTfLiteFloat32: np.float32,
    lib.kTfLiteInt32: np.int32,
    lib.kTfLiteUInt8: np.uint8,
    lib.kTfLiteInt64: np.int64,
    lib.kTfLiteString: np.bytes_,
    lib.kTfLiteBool: np.bool_,
    lib.kTfLiteInt16: np.int16,
    lib.kTfLiteComplex64: np.complex64,
    lib.kTfLiteInt8: np.int8,
    lib.kTfLiteFloat16: np.float16,
    lib.kTfLiteFloat64: np.float64,
    lib.kTfLiteComplex128: np.complex128,
    lib.kTfLiteUInt64: np.uint64,
    lib.kTfLiteResource: np.object_,
    lib.kTfLiteVariant: np.object_,
    lib.kTfLiteUInt32: np.uint32,
    lib.kTfLiteUInt16: np.uint16,
}

# Types whose elements are plain fixed-size numpy values (readable as arrays).
_ARRAY_TYPES = {t: np.dtype(n) for t, n in _NUMPY_TYPES.items()
                if n not in (np.bytes_, np.object_)}

# numpy dtype -> TfLiteType, as LiteRT classifies a value given to set_tensor.
_TFLITE_TYPES = {np.dtype(n): t for t, n in _ARRAY_TYPES.items()}


def _tflite_type_of(array):
  if array.dtype.kind in "OSU":
    return lib.kTfLiteString
  return _TFLITE_TYPES.get(array.dtype, lib.kTfLiteNoType)


def _type_name(tflite_type):
  return string(lib.TfLiteTypeGetName(tflite_type))


def _int_array(c_array):
  """A TfLiteIntArray* as an int32 numpy array (empty for NULL)."""
  if c_array == ffi.NULL or c_array.size <= 0:
    return np.zeros((0,), dtype=np.int32)
  return np.array(ffi.unpack(c_array.data, c_array.size), dtype=np.int32)


def _float_array(c_array):
  if c_array == ffi.NULL or c_array.size <= 0:
    return np.zeros((0,), dtype=np.float32)
  return np.array(ffi.unpack(c_array.data, c_array.size), dtype=np.float32)


def _shape_of(tensor):
  dims = tensor.dims
  if dims == ffi.NULL or dims.size <= 0:
    return ()
  return tuple(ffi.unpack(dims.data, dims.size))


def _as_scalar_if_rank0(array):
  # LiteRT returns 0-d results as numpy scalars (PyArray_Return).
  return array[()] if array.ndim == 0 else array


class OpResolverType(enum.Enum):
  """Accepted for compatibility with LiteRT; pylite has one set of kernels.

  * ``AUTO``/``BUILTIN``/``BUILTIN_REF``/``BUILTIN_WITHOUT_DEFAULT_DELEGATES``
    all select pylite's built-in kernels.
  """
  AUTO = 0
  BUILTIN = 1
  BUILTIN_REF = 2
  BUILTIN_WITHOUT_DEFAULT_DELEGATES = 3


def load_delegate(library: str,
                  options: Optional[Mapping[str, str]] = None) -> Any:
  """LiteRT loads a delegate plugin here; pylite has no delegates."""
  raise PyliteValueError(
      f"Failed to load delegate from {library}\n"
      "pylite does not support delegates")


class _ViewBase:
  """The numpy base object of a zero-copy view returned through tensor().

  It holds the interpreter (so the memory stays valid while the view lives)
  and the interpreter's view anchor (whose reference count tells the
  interpreter that views are alive)."""

  __slots__ = ("__array_interface__", "_anchor", "_owner")

  def __init__(self, owner, anchor, pointer, shape, dtype):
    self._owner = owner
    self._anchor = anchor
    self.__array_interface__ = {
        "version": 3,
        "shape": shape,
        "typestr": dtype.str,
        "data": (int(ffi.cast("uintptr_t", pointer)), False),
    }


class _ViewAnchor:
  """Counted by sys.getrefcount: one reference per live tensor() view."""


class _RunnerSlot:
  """A native runner handle, its subgraph's lock, its calls in flight and
  whether it may still be used."""

  __slots__ = ("handle", "lock", "calls", "released", "dead")

  def __init__(self, handle, lock):
    self.handle = handle
    self.lock = lock
    self.calls = []  # one item per general call in flight through it
    self.released = False
    self.dead = False  # released, or its interpreter closed


class _Call:
  """``_NativeState.enter``'s context manager (a class: cheaper per call
  than a generator's)."""

  __slots__ = ("state", "subgraph_index", "slot", "lock")

  def __init__(self, state, subgraph_index, slot):
    self.state = state
    self.subgraph_index = subgraph_index
    self.slot = slot

  def __enter__(self):
    self.lock = self.state.begin(self.subgraph_index, self.slot)
    return self.state.pointer

  def __exit__(self, *exc_info):
    self.state.end(self.lock, self.slot)


class _NativeState:
  """Owns the native interpreter and the native runners made from it.

  Freed once: runners first, then the interpreter (as the C API requires),
  then the model bytes the interpreter reads. ``begin()``/``end()`` bracket
  every native call: they refuse calls after close, serialize calls on the
  same subgraph (they share tensors) and count calls in flight, so that a
  close from another thread frees memory only after the last of them
  returns. Nothing here waits, so a garbage-collector finalizer that runs in
  the middle of a call cannot deadlock.

  Counting takes no lock, since it is on every call: a call appends to a
  list (its runner slot's, or the interpreter's own) and then reads the
  closed flags (``_closed``, and the slot's ``dead``, which both
  ``release_runner()`` and ``close()`` set); those two set their flags and
  then look at the lists. ``list.append``/``pop`` are atomic and the GIL
  runs one thread at a time, so either the call sees the flag and backs
  out, or the closer sees the call and leaves the freeing to its end. A
  runner's one-call path does not count itself: it reads ``dead`` once it
  holds its subgraph's lock, and the closers probe the locks (``_idle``).
  ``settle()`` frees, once, under the mutex, whatever nothing is using any
  more.
  """

  def __init__(self, pointer, keepalive):
    self.pointer = pointer
    self._keepalive = keepalive  # model bytes and their cdata, if any
    # Reentrant: an allocation under it may run a garbage-collector
    # finalizer that releases a runner (settle() allows for that).
    self._mutex = threading.RLock()
    self._calls = []  # calls in flight through no runner handle
    self._closed = False
    self._handles = {}  # runner handle -> _RunnerSlot
    self._subgraph_locks = {}

  @property
  def closed(self):
    return self._closed

  def lock_for(self, subgraph_index):
    """The lock that serializes calls on ``subgraph_index`` (made once)."""
    lock = self._subgraph_locks.get(subgraph_index)
    if lock is None:
      with self._mutex:
        lock = self._subgraph_locks.setdefault(subgraph_index,
                                               threading.RLock())
    return lock

  def enter(self, subgraph_index=0, slot=None):
    """A context manager for one call on ``subgraph_index``: ``begin`` on
    entry, yielding the interpreter pointer, ``end`` on exit."""
    return _Call(self, subgraph_index, slot)

  def begin(self, subgraph_index, slot):
    """Starts one call on ``subgraph_index`` (through the runner ``slot``,
    if not None): counts it in flight and takes the subgraph's lock, which
    it returns. Every begin must be paired with ``end``."""
    calls = self._calls if slot is None else slot.calls
    calls.append(None)
    if self._closed or (slot is not None and slot.released):
      calls.pop()
      self.settle()
      if self._closed:
        raise PyliteClosedError("The interpreter is closed.")
      raise PyliteClosedError("The signature runner is closed.")
    lock = self.lock_for(subgraph_index)
    lock.acquire()
    return lock

  def end(self, lock, slot):
    """Ends a call started by ``begin``; frees what close() left pending."""
    lock.release()
    (self._calls if slot is None else slot.calls).pop()
    if self._closed or (slot is not None and slot.released):
      self.settle()

  @contextlib.contextmanager
  def enter_all(self):
    """Yields the interpreter pointer with every subgraph's lock held, so
    that no call of this interpreter is in flight (locks are taken in index
    order; a call holds at most one of them, so this cannot deadlock)."""
    with self.enter() as pointer:
      count = int(lib.PyliteInterpreterGetSubgraphCount(pointer))
    with contextlib.ExitStack() as stack:
      for index in range(count):
        pointer = stack.enter_context(self.enter(index))
      yield pointer

  def new_runner(self, key):
    """The slot of a new native runner for ``key`` (None: the C API's NULL
    key)."""
    with self._mutex:
      if self._closed:
        raise PyliteClosedError("The interpreter is closed.")
      c_key = ffi.NULL if key is None else key.encode("utf-8")
      handle = lib.TfLiteInterpreterGetSignatureRunner(self.pointer, c_key)
      if handle == ffi.NULL:
        message = last_error() or "no such signature"
        raise PyliteValueError(
            f'Invalid signature_key provided: "{key}". ({message})')
      index = int(lib.PyliteSignatureRunnerGetSubgraphIndex(handle))
      lock = self._subgraph_locks.setdefault(index, threading.RLock())
      slot = self._handles[handle] = _RunnerSlot(handle, lock)
      return slot

  def release_runner(self, slot):
    """Frees a native runner now, or after its calls in flight. Idempotent."""
    slot.released = slot.dead = True
    self.settle()

  def close(self):
    """Idempotent. Frees now, or when the last call in flight returns."""
    with self._mutex:
      if self._closed:
        return
      self._closed = True
      for slot in self._handles.values():
        slot.dead = True
    self.settle()

  def settle(self):
    """Frees the released runners that no call uses any more and, once the
    interpreter is closed and no call is in flight, everything."""
    with self._mutex:
      if self.pointer == ffi.NULL:
        return
      for handle, slot in list(self._handles.items()):
        if (slot.released and not slot.calls and _idle(slot.lock) and
            self._handles.pop(handle, None) is not None):
          lib.TfLiteSignatureRunnerDelete(handle)
      if (self.pointer == ffi.NULL or not self._closed or self._calls or
          any(slot.calls for slot in self._handles.values()) or
          not all(_idle(lock) for lock in self._subgraph_locks.values())):
        return
      pointer, self.pointer = self.pointer, ffi.NULL  # before allocating
      handles = list(self._handles)
      self._handles.clear()
    for handle in handles:
      lib.TfLiteSignatureRunnerDelete(handle)
    lib.TfLiteInterpreterDelete(pointer)
    self._keepalive = None


def _idle(lock):
  """Whether no call holds a subgraph lock (a call of this thread further
  up its stack counts): a call that takes it afterwards sees the flags
  set before."""
  if lock._is_owned() or not lock.acquire(blocking=False):  # pylint: disable=protected-access
    return False
  lock.release()
  return True


class Interpreter:
  """Runs a TFLite model: the API of ``ai_edge_litert.interpreter.Interpreter``.

  Args:
    model_path: path of a .tflite file.
    model_content: the model as bytes (kept alive, unmodified, as long as the
      interpreter).
    experimental_delegates: must be empty; pylite has no delegates.
    num_threads: threads for kernels (an int >= 1); None keeps the library's
      default.
    experimental_op_resolver_type: an ``OpResolverType``; all values select
      pylite's kernels.
    experimental_preserve_all_tensors and the other ``experimental_*``
      arguments: accepted for compatibility and ignored.
    custom_ops: pylite: ``{"Name": fn}`` (or ``{("Name", version): fn}``)
      runs the model's custom op "Name" by calling ``fn`` on numpy arrays;
      see ``pylite.custom_ops``.

  Raises:
    ValueError: bad arguments, a file that cannot be opened, or bytes that
      are not a valid model (the message includes the C verifier's).
  """

  def __init__(self,
               model_path: Optional[Union[str, os.PathLike]] = None,
               model_content: Optional[Union[bytes, bytearray,
                                             memoryview]] = None,
               experimental_delegates: Optional[Sequence[Any]] = None,
               num_threads: Optional[int] = None,
               experimental_op_resolver_type: OpResolverType = (
                   OpResolverType.AUTO),
               experimental_preserve_all_tensors: bool = False,
               experimental_disable_delegate_clustering: bool = False,
               experimental_default_delegate_latest_features: bool = False,
               experimental_compress_quantization_zero_points: bool = False,
               experimental_disable_delegate_node_fusion: bool = False,
               experimental_force_delegate_node_profiling: bool = False,
               custom_ops: Optional[Mapping[Any, Callable[..., Any]]] = None
               ) -> None:
    self._state: Any = None
    registrations = CustomOps(custom_ops) if custom_ops else None
    if not isinstance(experimental_op_resolver_type, OpResolverType):
      raise PyliteValueError(
          "Unrecognized passed in op resolver type: {}".format(
              experimental_op_resolver_type))
    if num_threads is not None:
      if not isinstance(num_threads, int):
        raise PyliteValueError("type of num_threads should be int")
      if num_threads < 1:
        raise PyliteValueError("num_threads should >= 1")
    self._experimental_compress_quantization_zero_points = (
        experimental_compress_quantization_zero_points)
    # What pickling carries besides the model bytes (see __reduce__).
    self._options: Dict[str, Any] = {
        "num_threads": num_threads,
        "custom_ops": dict(custom_ops) if custom_ops else None,
        "experimental_compress_quantization_zero_points":
            experimental_compress_quantization_zero_points,
    }

    # Same argument logic as LiteRT: an empty model_content counts as none.
    if model_path and not model_content:
      model, keepalive = self._model_from_file(model_path)
    elif model_content and not model_path:
      model, keepalive = self._model_from_content(model_content)
    elif not model_content and not model_path:
      raise PyliteValueError(
          "`model_path` or `model_content` must be specified.")
    else:
      raise PyliteValueError(
          "Can't both provide `model_path` and `model_content`")

    if experimental_delegates:
      lib.TfLiteModelDelete(model)
      raise PyliteValueError(
          "Failed to apply delegates: pylite does not support delegates")

    options = lib.TfLiteInterpreterOptionsCreate()
    if options == ffi.NULL:
      lib.TfLiteModelDelete(model)
      raise MemoryError("TfLiteInterpreterOptionsCreate failed")
    try:
      lib.TfLiteInterpreterOptionsSetErrorReporter(options, QUIET_REPORTER,
                                                   ffi.NULL)
      # Always cancellable: cancel() works on any interpreter.
      lib.TfLiteInterpreterOptionsEnableCancellation(options, True)
      if num_threads is not None:
        lib.TfLiteInterpreterOptionsSetNumThreads(options, num_threads)
      if registrations is not None:
        registrations.add_to(options)
      lib.PyliteClearLastError()
      pointer = lib.TfLiteInterpreterCreate(model, options)
      message = last_error()
    finally:
      lib.TfLiteInterpreterOptionsDelete(options)
      # The interpreter keeps the model alive; only the bytes must stay.
      lib.TfLiteModelDelete(model)
    if pointer == ffi.NULL:
      raise PyliteValueError(
          "Failed to create the interpreter: " +
          (message or "TfLiteInterpreterCreate returned NULL"))

    # The custom ops' callbacks must outlive the native interpreter.
    self._state = _NativeState(pointer, (keepalive, registrations))
    self._finalizer = weakref.finalize(self, self._state.close)
    self._view_anchor = _ViewAnchor()
    self._anchor_baseline = self._anchor_refcount()
    self._signature_defs = self._read_signature_defs()

  # ---- construction helpers ------------------------------------------------

  @staticmethod
  def _model_from_file(model_path):
    path = os.fspath(model_path)
    c_path = os.fsencode(path)
    lib.PyliteClearLastError()
    model = lib.TfLiteModelCreateFromFileWithErrorReporter(
        c_path, QUIET_REPORTER, ffi.NULL)
    if model == ffi.NULL:
      message = last_error()
      try:
        with open(path, "rb"):
          readable = True
      except OSError:
        readable = False
      if not readable:
        raise PyliteValueError(
            f"Could not open '{path}'.The model allocation is null/empty" +
            (f" ({message})" if message else ""))
      raise PyliteValueError("The model is not a valid Flatbuffer buffer" +
                             (f": {message}" if message else ""))
    return model, None

  @staticmethod
  def _model_from_content(model_content):
    # bytes are immutable and can be lent to C as they are; anything else is
    # copied once so that later changes by the caller cannot reach C.
    if not isinstance(model_content, bytes):
      model_content = bytes(memoryview(model_content))
    data = ffi.from_buffer(model_content)
    lib.PyliteClearLastError()
    model = lib.TfLiteModelCreateWithErrorReporter(
        data, len(model_content), QUIET_REPORTER, ffi.NULL)
    if model == ffi.NULL:
      message = last_error()
      raise PyliteValueError("The model is not a valid Flatbuffer buffer" +
                             (f": {message}" if message else ""))
    return model, (model_content, data)

  def _read_signature_defs(self):
    """{key: (subgraph_index, {input: tensor}, {output: tensor})} in model
    order; names sorted, as the C API lists them."""
    defs = {}
    with self._state.enter() as pointer:
      count = lib.TfLiteInterpreterGetSignatureCount(pointer)
      keys = [string(lib.TfLiteInterpreterGetSignatureKey(pointer, i))
              for i in range(max(count, 0))]
    for key in keys:
      slot = self._state.new_runner(key)
      try:
        defs[key] = _read_runner_io(slot.handle)
      finally:
        self._state.release_runner(slot)
    return defs

  # ---- lifetime ------------------------------------------------------------

  def close(self) -> None:
    """Frees the native interpreter and its runners. Idempotent.

    Raises RuntimeError if a view returned through ``tensor()`` is alive
    (it would point at freed memory)."""
    if self._state is None or self._state.closed:
      return
    self._ensure_safe()
    self._state.close()

  @property
  def closed(self) -> bool:
    return self._state is None or self._state.closed

  def __enter__(self) -> Interpreter:
    return self

  def __exit__(self, *exc_info: Any) -> None:
    self.close()

  def _enter(self, subgraph_index=0):
    if self._state is None:
      raise PyliteClosedError("The interpreter is closed.")
    return self._state.enter(subgraph_index)

  def _anchor_refcount(self):
    return sys.getrefcount(self._view_anchor)

  def _safe_to_run(self):
    # Every live view adds one reference to the anchor; the baseline is the
    # count seen with none (its exact value depends on the Python version).
    return self._anchor_refcount() <= self._anchor_baseline

  def _ensure_safe(self):
    if not self._safe_to_run():
      raise PyliteRuntimeError(
          "There is at least 1 reference to internal data in the "
          "interpreter in the form of a numpy array or slice. Be sure to only "
          "hold the function returned from tensor() if you are using raw "
          "data access.")

  # ---- pickling ---------------------------------------------------------------

  def __reduce__(self) -> Any:
    """pylite: an interpreter pickles by value, as the model bytes and the
    constructor options (``num_threads``, ``custom_ops``); unpickling makes a
    fresh interpreter: tensors unallocated, resource variables at their
    initial values. ``with_state()`` carries the variables' values too.

    The bytes are read from the interpreter's own model (the file's mapping
    for ``model_path``) when pickling: they are the bytes it runs, even if
    the file was changed or removed since, and nothing is copied before.

    Raises:
      PyliteClosedError: the interpreter is closed.
      pickle.PicklingError: a custom op's function cannot be pickled.
    """
    return _unpickle_interpreter, (self._model_bytes("pickle"),
                                   self._picklable_options(), ())

  def with_state(self) -> InterpreterSnapshot:
    """pylite: the model, options and resource variables' current values.

    The values are read now (waiting for calls in flight). The snapshot
    pickles as an interpreter: unpickling it gives an ``Interpreter`` whose
    variables hold these values (``restore()`` makes one locally). Variable
    tensors (the buffers of TFLite's stateful ops, which
    ``reset_all_variables`` zeroes) are not carried: they start at zero.
    Hash tables are rebuilt by the model's initialization.

    Raises:
      PyliteClosedError: the interpreter is closed.
    """
    model = self._model_bytes("snapshot")
    variables = []
    with self._state.enter_all() as pointer:
      c_container = ffi.new("const char**")
      c_name = ffi.new("const char**")
      c_value = ffi.new("const TfLiteTensor**")
      for i in range(lib.PyliteInterpreterGetResourceVariableCount(pointer)):
        lib.PyliteClearLastError()
        check(lib.PyliteInterpreterGetResourceVariable(
            pointer, i, c_container, c_name, c_value))
        value = c_value[0]
        if value == ffi.NULL:
          continue  # created but never assigned: nothing to carry
        data = ffi.buffer(value.data.raw, value.bytes)[:] if value.bytes else b""
        variables.append((string(c_container[0]), string(c_name[0]),
                          int(value.type), _shape_of(value), data))
    return InterpreterSnapshot(model, self._picklable_options(),
                               tuple(variables))

  def _model_bytes(self, action):
    state = self._state
    if state is None or state.closed:
      raise PyliteClosedError(
          f"Cannot {action} a closed interpreter: its model and state were "
          "freed by close(). Pickle it before closing it.")
    data = ffi.new("const void**")
    size = ffi.new("size_t*")
    with self._enter() as pointer:
      lib.PyliteClearLastError()
      check(lib.PyliteInterpreterGetModelBuffer(pointer, data, size))
      return ffi.buffer(data[0], size[0])[:]

  def _picklable_options(self):
    custom_ops = self._options["custom_ops"]
    for key, fn in (custom_ops or {}).items():
      try:
        pickle.dumps(fn, protocol=pickle.HIGHEST_PROTOCOL)
      except Exception as e:  # pylint: disable=broad-except
        raise pickle.PicklingError(
            f"Cannot pickle the interpreter: the function of custom op "
            f"{key!r} ({fn!r}) cannot be pickled ({e}). Define it at the top "
            "level of a module so that it pickles by reference.") from e
    return dict(self._options)

  # ---- tensors of any subgraph -----------------------------------------------

  def _check_subgraph(self, pointer, subgraph_index):
    count = lib.PyliteInterpreterGetSubgraphCount(pointer)
    if not 0 <= subgraph_index < count:
      raise PyliteValueError(
          f"Invalid subgraph index {subgraph_index} exceeds max subgraph "
          f"index {count}")

  def _tensor(self, pointer, tensor_index, subgraph_index=0):
    """The TfLiteTensor* (index and subgraph checked as LiteRT does)."""
    self._check_subgraph(pointer, subgraph_index)
    count = lib.PyliteInterpreterGetTensorCount(pointer, subgraph_index)
    if not 0 <= tensor_index < count:
      raise PyliteValueError(
          f"Invalid tensor index {tensor_index} exceeds max tensor index "
          f"{count}")
    tensor = lib.PyliteInterpreterGetSubgraphTensor(pointer, subgraph_index,
                                                    tensor_index)
    return check_handle(tensor, PyliteValueError)

  def _get_tensor_details(self, tensor_index, subgraph_index):
    """The detail dict of one tensor; ValueError if it has no usable type."""
    tensor_index = int(tensor_index)
    subgraph_index = int(subgraph_index)
    with self._enter(subgraph_index) as pointer:
      tensor = self._tensor(pointer, tensor_index, subgraph_index)
      return _details(tensor, tensor_index)

  def get_tensor_details(self, subgraph_index: int = 0
                         ) -> List[Dict[str, Any]]:
    """Details of every tensor of a subgraph that has a known type."""
    with self._enter() as pointer:
      count = lib.PyliteInterpreterGetSubgraphCount(pointer)
    if subgraph_index < 0 or subgraph_index >= count:
      raise PyliteValueError(
          f"subgraph_index is out of range: {subgraph_index} for the model,"
          f" which has {count} subgraphs.")
    result = []
    with self._enter(subgraph_index) as pointer:
      for i in range(lib.PyliteInterpreterGetTensorCount(pointer,
                                                         subgraph_index)):
        try:
          result.append(self._get_tensor_details(i, subgraph_index))
        except ValueError:
          pass
    return result

  def get_input_details(self) -> List[Dict[str, Any]]:
    """Details of the inputs of subgraph 0, in subgraph order."""
    return [self._get_tensor_details(i, 0) for i in self._io_indices(True)]

  def get_output_details(self) -> List[Dict[str, Any]]:
    """Details of the outputs of subgraph 0, in subgraph order."""
    return [self._get_tensor_details(i, 0) for i in self._io_indices(False)]

  def _io_indices(self, inputs):
    with self._enter() as pointer:
      if inputs:
        count = lib.TfLiteInterpreterGetInputTensorCount(pointer)
        indices = lib.TfLiteInterpreterInputTensorIndices(pointer)
      else:
        count = lib.TfLiteInterpreterGetOutputTensorCount(pointer)
        indices = lib.TfLiteInterpreterOutputTensorIndices(pointer)
      if count <= 0 or indices == ffi.NULL:
        return []
      return [int(i) for i in ffi.unpack(indices, count)]

  def set_tensor(self, tensor_index: int, value: Any) -> None:
    """Copies ``value`` into tensor ``tensor_index`` of subgraph 0."""
    tensor_index = int(tensor_index)
    with self._enter() as pointer:
      tensor = self._tensor(pointer, tensor_index)
      _write_tensor(tensor, tensor_index, value)

  def get_tensor(self, tensor_index: int, subgraph_index: int = 0) -> Any:
    """A copy of a tensor's value (a numpy scalar for rank 0)."""
    tensor_index = int(tensor_index)
    subgraph_index = int(subgraph_index)
    with self._enter(subgraph_index) as pointer:
      tensor = self._tensor(pointer, tensor_index, subgraph_index)
      return _as_scalar_if_rank0(_read_tensor(tensor))

  def tensor(self, tensor_index: int) -> Callable[[], np.ndarray]:
    """A function returning a zero-copy numpy view of a tensor of subgraph 0.

    Hold the function, not the view: while a view is alive,
    ``allocate_tensors()``, ``invoke()``, ``resize_tensor_input()`` and
    ``close()`` raise RuntimeError, since they may move the memory."""
    tensor_index = int(tensor_index)
    return lambda: self._view(tensor_index)

  def _view(self, tensor_index):
    with self._enter() as pointer:
      tensor = self._tensor(pointer, tensor_index)
      dtype = _ARRAY_TYPES.get(tensor.type)
      if dtype is None:
        raise PyliteValueError(
            f"Cannot make a view of tensor {tensor_index}: type "
            f"{_type_name(tensor.type)} has no fixed-size numpy equivalent")
      shape = _shape_of(tensor)
      if tensor.data.raw == ffi.NULL:
        if _element_count(shape) == 0:
          return np.zeros(shape, dtype=dtype)
        raise PyliteValueError(
            "Tensor data is null. Run allocate_tensors() first")
      _check_byte_size(tensor, shape, dtype)
      base = _ViewBase(self, self._view_anchor, tensor.data.raw, shape, dtype)
      return np.asarray(base)

  # ---- running subgraph 0 ------------------------------------------------------

  def allocate_tensors(self) -> None:
    """Plans memory and prepares every op of subgraph 0."""
    self._ensure_safe()
    with self._enter() as pointer:
      lib.PyliteClearLastError()
      check(lib.TfLiteInterpreterAllocateTensors(pointer))

  def invoke(self) -> None:
    """Runs subgraph 0 (releasing the GIL while it runs)."""
    self._ensure_safe()
    state = self._state
    if state is None:
      raise PyliteClosedError("The interpreter is closed.")
    lock = state.begin(0, None)
    try:
      # Clears the thread's last error itself, as every C API call does.
      status = _invoke(state.pointer)
    finally:
      state.end(lock, None)
    check(status)

  def resize_tensor_input(self, input_index: int, tensor_size: Any,
                          strict: bool = False) -> None:
    """Resizes input tensor ``input_index`` (a tensor index) of subgraph 0.

    With ``strict``, only dims that are -1 in ``shape_signature`` may change
    (RuntimeError otherwise). ``allocate_tensors()`` is needed afterwards."""
    self._ensure_safe()
    try:
      dims = np.array(tensor_size, dtype=np.int32)
    except OverflowError as e:
      raise PyliteValueError(
          f"Shape {tensor_size!r} does not fit in int32") from e
    if dims.ndim != 1:
      raise PyliteValueError(f"Shape should be 1D instead of {dims.ndim}.")
    c_dims = ffi.new("int[]", [int(d) for d in dims])
    input_index = int(input_index)
    if not -2**31 <= input_index < 2**31:
      raise PyliteRuntimeError(f"Tensor index {input_index} is out of range")
    with self._enter() as pointer:
      lib.PyliteClearLastError()
      check(lib.PyliteInterpreterResizeTensor(pointer, input_index,
                                              c_dims, len(dims),
                                              bool(strict)))

  def reset_all_variables(self) -> None:
    """Sets every variable tensor to zero (int8 ones to their zero point), as
    LiteRT does; like LiteRT, resource variables are not touched."""
    with self._enter() as pointer:
      lib.PyliteClearLastError()
      check(lib.TfLiteInterpreterResetVariableTensors(pointer))

  def cancel(self) -> None:
    """pylite: asks an invoke running on another thread (of the interpreter
    or any of its signature runners) to stop at its next operation; that
    call then raises ``PyliteCancelledError`` and the interpreter stays
    usable. Thread-safe and non-blocking; with nothing running it has no
    effect. LiteRT's Python API has no equivalent."""
    state = self._state
    if state is None:
      raise PyliteClosedError("The interpreter is closed.")
    with state._mutex:  # not the subgraph locks: a running call holds them
      if state._closed:
        raise PyliteClosedError("The interpreter is closed.")
      lib.TfLiteInterpreterCancel(state.pointer)

  def reset(self) -> None:
    """pylite: returns the interpreter to its freshly-initialized state.

    Beyond ``reset_all_variables``, forgets every resource variable (the
    ``tf.Variable`` state shared by signatures) and lets the model's
    initialization subgraph run again before the next signature call.
    LiteRT has no equivalent."""
    with self._enter() as pointer:
      lib.PyliteClearLastError()
      check(lib.PyliteInterpreterReset(pointer))

  # ---- signatures ----------------------------------------------------------------

  def get_signature_list(self) -> Dict[str, Dict[str, List[str]]]:
    """``{key: {'inputs': [names], 'outputs': [names]}}``, names sorted."""
    return {key: {"inputs": list(inputs), "outputs": list(outputs)}
            for key, (_, inputs, outputs) in self._signature_defs.items()}

  def _get_full_signature_list(self):
    """``{key: {'inputs': {name: tensor}, 'outputs': {name: tensor}}}``."""
    return {key: {"inputs": dict(inputs), "outputs": dict(outputs)}
            for key, (_, inputs, outputs) in self._signature_defs.items()}

  def get_signature_runner(self, signature_key: Optional[str] = None
                           ) -> SignatureRunner:
    """A new ``SignatureRunner`` for ``signature_key``.

    None is allowed when the model has exactly one signature. pylite: for a
    model without SignatureDefs, None (or ``"<placeholder signature>"``)
    gives the placeholder runner over subgraph 0, named by tensor names."""
    if signature_key is None:
      if not self._signature_defs:
        signature_key = PLACEHOLDER_SIGNATURE_KEY
      elif len(self._signature_defs) != 1:
        raise PyliteValueError(
            "SignatureDef signature_key is None and model has {0} Signatures. "
            "None is only allowed when the model has 1 SignatureDef".format(
                len(self._signature_defs)))
      else:
        signature_key = next(iter(self._signature_defs))
    return SignatureRunner(interpreter=self, signature_key=signature_key)

  # ---- introspection ---------------------------------------------------------------

  def num_subgraphs(self) -> int:
    with self._enter() as pointer:
      return int(lib.PyliteInterpreterGetSubgraphCount(pointer))

  def _get_op_details(self, op_index):
    """``index``, ``op_name``, ``inputs`` and ``outputs`` (tensor indices,
    -1 for an omitted optional input) of a node of subgraph 0."""
    with self._enter() as pointer:
      name = lib.PyliteInterpreterGetNodeOpName(pointer, 0, int(op_index))
      if name == ffi.NULL:
        raise PyliteValueError(f"Invalid node index {op_index}")
      lists = [lib.PyliteInterpreterGetNodeInputs(pointer, 0, int(op_index)),
               lib.PyliteInterpreterGetNodeOutputs(pointer, 0, int(op_index))]
      inputs, outputs = (np.array([a.data[i] for i in range(a.size)],
                                  dtype=np.int32) for a in lists)
      return {"index": int(op_index), "op_name": string(name),
              "inputs": inputs, "outputs": outputs}

  def _get_ops_details(self):
    with self._enter() as pointer:
      count = lib.PyliteInterpreterGetNodeCount(pointer, 0)
    return [self._get_op_details(i) for i in range(max(count, 0))]

  @property
  def experimental_compress_quantization_zero_points(self) -> bool:
    return self._experimental_compress_quantization_zero_points

  def _native_handle(self):
    """The TfLiteInterpreter* as an integer (valid until close())."""
    with self._enter() as pointer:
      return int(ffi.cast("uintptr_t", pointer))


# The one-call path keeps plans for this many input shapes per runner, each
# with staging buffers for at most _MAX_PLAN_BYTES of inputs and outputs
# (larger tensors take the general path, whose cost they hide anyway).
_MAX_PLANS = 4
_MAX_PLAN_BYTES = 1 << 20

_run_signature = lib.PyliteSignatureRunnerRun
# The compiled calls of pylite._fast, None without it; read when a plan is
# made (a test sets it to None to take the ABI-mode calls).
_fast_lib = fast_lib
_invoke = lib.TfLiteInterpreterInvoke
_ndarray = np.ndarray
_OK = lib.kTfLiteOk
_OUTPUT_SHAPES_CHANGED = lib.kTfLiteOutputShapeNotKnown


def _shapes_key(kwargs, names):
  """The input shapes of a call, in the runner's input order (None for a
  missing input or one without a shape)."""
  return tuple(getattr(kwargs.get(name), "shape", None) for name in names)


class _CallPlan:
  """What a runner's one-call path reuses for one set of input shapes.

  key: the input shapes, in the runner's input order. remade: how many
  times the plan was made again for outputs that changed shape. call:
  ``call(kwargs)`` runs the call if it is this plan's (see _plan_call) and
  returns its result, else None.
  """

  __slots__ = ("key", "remade", "call")

  def __init__(self, key, remade, call):
    self.key = key
    self.remade = remade
    self.call = call

  @classmethod
  def make(cls, runner, remade):
    """The plan for the shapes the runner's tensors have now (call it under
    the subgraph lock, after a run); None if a tensor has no fixed-size
    numpy type or the buffers would be too large."""
    # pylint: disable=protected-access
    input_io, output_io = runner._input_io, runner._output_io
    buffers = []
    input_shapes = []
    inputs = []
    for name, (_, tensor, _) in input_io.items():
      staged = _staging(tensor, input_shapes, buffers)
      if staged is None:
        return None
      shape, dtype, staging = staged
      inputs.append((name, shape, dtype, staging, len(staging)))
    output_shapes = []
    outputs = []
    for name, tensor in output_io:
      staged = _staging(tensor, output_shapes, buffers)
      if staged is None:
        return None
      shape, dtype, staging = staged
      view = np.frombuffer(ffi.buffer(staging), dtype).reshape(shape)
      outputs.append((name, view.copy if shape else functools.partial(
          view.__getitem__, ())))
    count = len(inputs)
    lists = (_int_list(input_shapes), _pointer_list(buffers[:count]),
             _int_list(output_shapes), _pointer_list(buffers[count:]))
    run = ffi.new("PyliteSignatureRun*", (runner._slot.handle,) + lists)
    key = tuple(shape for _, shape, _, _, _ in inputs)
    call = _plan_call(runner, key, remade, inputs, outputs, run)
    # What the C call's argument points at lives as long as the function,
    # not the plan: a call in flight holds its function, while another
    # thread may drop the plan.
    call.keepalive = (run, lists, buffers)
    return cls(key, remade, call)


def _plan_call(runner, key, remade, inputs, outputs, run):
  """The one-call path of a plan: a function of a call's keyword arguments
  that, when they are exactly the plan's inputs as numpy arrays of its
  dtypes and shapes, makes one C call, PyliteSignatureRunnerRun, under the
  subgraph lock, and returns the result: each output a new array (a numpy
  scalar for rank 0) copied from its staging buffer, or, if an output
  changed shape, read from its tensor. It returns None, having run nothing,
  for any other call and once the runner is closed: the runner then takes
  another plan or the general path, which also raises the errors.

  A one-input, one-output plan, the common case, gets a function without
  loops, which takes the input's ``tobytes()`` (C order, whatever the
  array's layout) and passes them to the C call itself through
  pylite._fast, or else through the staging buffer. Other plans copy each
  input (C-contiguous arrays only) to its staging buffer."""
  # pylint: disable=protected-access
  slot = runner._slot
  acquire, release = slot.lock.acquire, slot.lock.release
  settle = runner._state.settle
  runner_ref = weakref.ref(runner)  # a plan must not keep its runner alive
  fast = _fast_lib
  run_staged = _run_signature if fast is None else fast.pylite_fast_run

  def finish(status):
    """The result of a run that did not return _OK (under the lock)."""
    if status == _OUTPUT_SHAPES_CHANGED:
      return runner_ref()._read_outputs(key, remade)
    check(status)
    raise AssertionError("unreachable")

  if len(inputs) == 1 and len(outputs) == 1:
    (name, shape, dtype, staging, size), = inputs
    (output_name, take), = outputs
    run_one = None if fast is None else fast.pylite_fast_run_one

    def call_one(kwargs):
      value = kwargs.get(name)
      if (len(kwargs) != 1 or
          type(value) is not _ndarray or  # pylint: disable=unidiomatic-typecheck
          value.shape != shape or
          value.dtype is not dtype and value.dtype != dtype):
        return None
      data = value.tobytes()  # C order, whatever the array's layout
      acquire()
      try:
        if slot.dead:
          return None
        if run_one is None:
          _memmove(staging, data, size)
          status = run_staged(run)
        else:
          status = run_one(run, data)
        if status == _OK:
          return {output_name: take()}
        return finish(status)
      finally:
        release()
        if slot.dead:
          settle()

    return call_one

  count = len(inputs)

  def call(kwargs):
    if len(kwargs) != count:
      return None
    values = []
    for name, shape, dtype, _, _ in inputs:
      value = kwargs.get(name)
      if (type(value) is not _ndarray or  # pylint: disable=unidiomatic-typecheck
          value.shape != shape or
          value.dtype is not dtype and value.dtype != dtype):
        return None
      values.append(value)
    acquire()
    try:
      if slot.dead:
        return None
      try:
        for value, (_, _, _, staging, size) in zip(values, inputs):
          _memmove(staging, value, size)
      except ValueError:  # not C-contiguous
        return None
      status = run_staged(run)
      if status == _OK:
        return {output_name: take() for output_name, take in outputs}
      return finish(status)
    finally:
      release()
      if slot.dead:
        settle()

  return call


class _NoPlan:
  """The plan of a runner without one: it takes no call."""

  @staticmethod
  def call(kwargs):  # pylint: disable=unused-argument
    return None


_NO_PLAN = _NoPlan()


def _staging(tensor, shapes, buffers):
  """(shape, dtype, staging buffer) of a tensor, with its rank and dims
  appended to ``shapes`` and the buffer to ``buffers``; None if it has no
  fixed-size numpy type or all the buffers would pass _MAX_PLAN_BYTES."""
  dtype = _ARRAY_TYPES.get(tensor.type)
  if dtype is None:
    return None
  shape = _shape_of(tensor)
  size = _element_count(shape) * dtype.itemsize
  if sum(len(b) for b in buffers) + size > _MAX_PLAN_BYTES:
    return None
  staging = ffi.new("char[]", size)
  buffers.append(staging)
  shapes += [len(shape), *shape]
  return shape, dtype, staging


def _int_list(values):
  return ffi.new("int[]", values) if values else ffi.NULL


def _pointer_list(buffers):
  return ffi.new("void*[]", buffers) if buffers else ffi.NULL


class SignatureRunner:
  """Runs one SignatureDef by name: ``runner(x=array) -> {output: array}``.

  Made by ``Interpreter.get_signature_runner``. Keeps its interpreter alive.
  Each call resizes the inputs (non-strict) to the given shapes, allocates,
  copies the inputs in, invokes and returns copies of the outputs.

  A call whose inputs have shapes seen before (and numpy dtypes and
  layouts that need no conversion) is one C call, PyliteSignatureRunnerRun,
  with a ``_CallPlan`` made by an earlier call with those shapes (see
  ``_plan_after_general_call``); any other call takes the general path,
  which checks and reports everything as LiteRT does, one C call per step.
  """

  def __init__(self, interpreter: Optional[Interpreter] = None,
               signature_key: Optional[str] = None) -> None:
    self._slot: Any = None
    if not interpreter:
      raise PyliteValueError("None interpreter provided.")
    if not signature_key:
      raise PyliteValueError("None signature_key provided.")
    self._interpreter = interpreter
    self._signature_key = signature_key
    defs = interpreter._signature_defs  # pylint: disable=protected-access
    if signature_key in defs:
      c_key = signature_key
    elif signature_key == PLACEHOLDER_SIGNATURE_KEY and not defs:
      c_key = None  # the C API's NULL key: the placeholder over subgraph 0
    else:
      raise PyliteValueError(
          f'Invalid signature_key provided: "{signature_key}".')
    state = interpreter._state  # pylint: disable=protected-access
    if state is None:
      raise PyliteClosedError("The interpreter is closed.")
    self._state = state
    self._slot = state.new_runner(c_key)
    self._finalizer = weakref.finalize(self, state.release_runner,
                                       self._slot)
    handle = self._slot.handle
    self._subgraph_index, self._inputs, self._outputs = _read_runner_io(
        handle)
    self._lock = self._slot.lock
    # For the general path: each input's encoded name and TfLiteTensor*
    # (tensors never move for the interpreter's life), and each output's.
    self._input_io = {
        name: (name.encode("utf-8"), lib.TfLiteSignatureRunnerGetInputTensor(
            handle, name.encode("utf-8")), index)
        for name, index in self._inputs.items()}
    self._output_io = [
        (name, lib.TfLiteSignatureRunnerGetOutputTensor(
            handle, name.encode("utf-8")))
        for name in self._outputs]
    # For the one-call path: whether every input and output has a
    # fixed-size numpy type (known after the first successful call; tensor
    # types never change), the plan of the last call, and the plans of
    # recent input shapes (oldest first).
    self._plannable: Optional[bool] = None
    self._plan: Any = _NO_PLAN
    self._plans: Dict[Any, Optional[_CallPlan]] = {}
    self._last_unplanned: Any = None  # see _plan_after_general_call

  @property
  def signature_key(self) -> str:
    return self._signature_key

  @property
  def _handle(self):
    """The TfLiteSignatureRunner* (for the CLI; valid until close())."""
    return self._slot.handle

  def __reduce__(self) -> Any:
    """pylite: a runner pickles as (its interpreter, its key); the
    interpreter pickles as ``Interpreter.__reduce__`` says (runners of one
    interpreter pickled together share one interpreter when unpickled).
    PyliteClosedError for a closed runner or interpreter."""
    if self._slot is None or not self._finalizer.alive:
      raise PyliteClosedError(
          "Cannot pickle a closed signature runner.")
    return _unpickle_runner, (self._interpreter, self._signature_key)

  def close(self) -> None:
    """Frees the native runner (the interpreter stays usable). Idempotent."""
    if self._slot is not None:
      self._finalizer()

  def __enter__(self) -> SignatureRunner:
    return self

  def __exit__(self, *exc_info: Any) -> None:
    self.close()

  def _enter(self):
    return self._state.enter(self._subgraph_index, self._slot)

  def __call__(self, **kwargs: Any) -> Dict[str, Any]:
    result = self._plan.call(kwargs)
    if result is None:
      return self._call_unplanned(kwargs)
    return result

  def _call_unplanned(self, kwargs):
    """A call the current plan did not take: the plan of its input shapes,
    if one is kept (it becomes the current one), else the general path."""
    if len(kwargs) == len(self._inputs):
      plan = self._plans.get(_shapes_key(kwargs, self._inputs))
      if plan is not None and plan is not self._plan:
        self._plan = plan
        result = plan.call(kwargs)
        if result is not None:
          return result
    return self._call_general(kwargs)

  def _read_outputs(self, key, remade):
    """The outputs of a one-call run whose outputs did not have the plan's
    shapes (read from the tensors, under the subgraph lock); the plan of
    the input shapes ``key`` is made again, at most twice, for outputs
    whose shape keeps changing."""
    result = {name: _as_scalar_if_rank0(_read_output(tensor))
              for name, tensor in self._output_io}
    if remade < 2:
      self._remember(key, _CallPlan.make(self, remade + 1))
    return result

  def _plan_after_general_call(self, key):
    """Makes the plan of the input shapes ``key`` the current one: the one
    kept, else a new one while fewer than _MAX_PLANS are kept, or when the
    same shapes come twice in a row (the oldest plan is then forgotten). So
    calls cycling through more shapes than that do not make a plan each."""
    if key in self._plans:
      self._remember(key, self._plans[key])
    elif len(self._plans) < _MAX_PLANS or key == self._last_unplanned:
      self._remember(key, _CallPlan.make(self, 0))
    else:
      self._last_unplanned = key

  def _remember(self, key, plan):
    """Makes ``plan`` (None: the one-call path does not apply) the current
    one and keeps it for the input shapes ``key``, forgetting the oldest
    beyond _MAX_PLANS."""
    self._plan = _NO_PLAN if plan is None else plan
    plans = self._plans
    plans.pop(key, None)
    plans[key] = plan
    if len(plans) > _MAX_PLANS:
      del plans[next(iter(plans))]

  def _call_general(self, kwargs):
    """A call one C call per step: resize, allocate, copy in, invoke, copy
    out, with LiteRT's checks and messages; then the plan for these
    shapes."""
    io = self._input_io
    if len(kwargs) != len(io):
      raise PyliteValueError(
          "Invalid number of inputs provided for running a SignatureDef, "
          "expected %s vs provided %s" % (len(io), len(kwargs)))
    for input_name in kwargs:
      if input_name not in io:
        raise PyliteValueError(
            "Invalid Input name (%s) for SignatureDef" % input_name)
    slot = self._slot
    handle = slot.handle
    state = self._state
    lock = state.begin(self._subgraph_index, slot)
    try:
      # (Each C call clears the thread's last error on entry.) Resize only
      # what changed: the C runner then keeps its plan.
      for input_name, value in kwargs.items():
        name, tensor, _ = io[input_name]
        shape = value.shape
        dims = tensor.dims
        if tuple(ffi.unpack(dims.data, dims.size)) != shape:
          shape = [int(d) for d in shape]
          check(lib.PyliteSignatureRunnerResizeInput(
              handle, name, ffi.new("int[]", shape), len(shape), False))
      check(lib.TfLiteSignatureRunnerAllocateTensors(handle))
      for input_name, value in kwargs.items():
        _, tensor, index = io[input_name]
        if (type(value) is np.ndarray and  # pylint: disable=unidiomatic-typecheck
            value.dtype == _ARRAY_TYPES.get(tensor.type) and
            value.flags.c_contiguous and value.nbytes == tensor.bytes and
            tensor.data.raw != ffi.NULL):
          _memmove(tensor.data.raw, value, value.nbytes)  # the common case
        else:
          _write_tensor(tensor, index, value)
      check(lib.TfLiteSignatureRunnerInvoke(handle))
      result = {}
      for output_name, tensor in self._output_io:
        result[output_name] = _as_scalar_if_rank0(_read_output(tensor))
      if self._plannable is None:
        self._plannable = all(
            tensor.type in _ARRAY_TYPES for tensor in
            [t for _, t, _ in io.values()] + [t for _, t in self._output_io])
      if self._plannable:
        self._plan_after_general_call(_shapes_key(kwargs, io))
      return result
    finally:
      state.end(lock, slot)

  def get_input_details(self) -> Dict[str, Dict[str, Any]]:
    """``{input name: detail dict}``."""
    return {name: self._interpreter._get_tensor_details(  # pylint: disable=protected-access
        index, self._subgraph_index) for name, index in self._inputs.items()}

  def get_output_details(self) -> Dict[str, Dict[str, Any]]:
    """``{output name: detail dict}``."""
    return {name: self._interpreter._get_tensor_details(  # pylint: disable=protected-access
        index, self._subgraph_index) for name, index in self._outputs.items()}


class InterpreterSnapshot:
  """pylite: an interpreter's model bytes, options and resource variables at
  one moment, made by ``Interpreter.with_state()``.

  Pickles as an interpreter: unpickling gives an ``Interpreter`` (not a
  snapshot) with the model, the options and the variables' values.
  ``restore()`` does the same in this process.
  """

  def __init__(self, model: bytes, options: Mapping[str, Any],
               variables: Sequence[Any]) -> None:
    self._model = model
    self._options = dict(options)
    self._variables = tuple(variables)

  @property
  def variable_names(self) -> List[str]:
    """The shared names of the variables carried, in creation order."""
    return [name for _, name, _, _, _ in self._variables]

  def restore(self) -> Interpreter:
    """A new interpreter with the snapshot's model, options and values."""
    return _unpickle_interpreter(self._model, self._options, self._variables)

  def __reduce__(self) -> Any:
    return _unpickle_interpreter, (self._model, self._options,
                                   self._variables)


def _unpickle_interpreter(model, options, variables):
  """Rebuilds a pickled interpreter: the model from its bytes, the options,
  then each variable's value (container, name, type, shape, raw bytes)."""
  interpreter = Interpreter(model_content=model, **options)
  if variables:
    with interpreter._state.enter_all() as pointer:  # pylint: disable=protected-access
      for container, name, tflite_type, shape, data in variables:
        c_dims = ffi.new("int[]", list(shape))
        lib.PyliteClearLastError()
        check(lib.PyliteInterpreterSetResourceVariable(
            pointer, container.encode("utf-8"), name.encode("utf-8"),
            tflite_type, c_dims, len(shape), ffi.from_buffer(data),
            len(data)),
              prefix=f"Cannot restore variable '{name}'")
  return interpreter


def _unpickle_runner(interpreter, signature_key):
  return interpreter.get_signature_runner(signature_key)


# ---- helpers on TfLiteTensor* ------------------------------------------------------


def _read_runner_io(handle):
  """(subgraph index, {input: tensor index}, {output: tensor index})."""
  subgraph = int(lib.PyliteSignatureRunnerGetSubgraphIndex(handle))
  inputs, outputs = {}, {}
  for i in range(lib.TfLiteSignatureRunnerGetInputCount(handle)):
    name = string(lib.TfLiteSignatureRunnerGetInputName(handle, i))
    inputs[name] = int(lib.PyliteSignatureRunnerGetInputTensorIndex(
        handle, name.encode("utf-8")))
  for i in range(lib.TfLiteSignatureRunnerGetOutputCount(handle)):
    name = string(lib.TfLiteSignatureRunnerGetOutputName(handle, i))
    outputs[name] = int(lib.PyliteSignatureRunnerGetOutputTensorIndex(
        handle, name.encode("utf-8")))
  return subgraph, inputs, outputs


def _element_count(shape):
  count = 1
  for d in shape:
    count *= d
  return count


def _check_byte_size(tensor, shape, dtype):
  needed = _element_count(shape) * dtype.itemsize
  if needed > tensor.bytes:
    raise PyliteRuntimeError(
        f"Tensor holds {tensor.bytes} bytes but its shape {list(shape)} needs "
        f"{needed}")


def _details(tensor, index):
  dtype = _NUMPY_TYPES.get(tensor.type)
  if dtype is None:
    raise PyliteValueError("Could not get tensor details")
  shape = _int_array(tensor.dims)
  signature = tensor.dims_signature
  if signature != ffi.NULL and signature.size > 0:
    shape_signature = _int_array(signature)
  else:
    shape_signature = shape.copy()

  scales = np.zeros((0,), dtype=np.float32)
  zero_points = np.zeros((0,), dtype=np.int32)
  quantized_dimension = 0
  quantization = tensor.quantization
  if (quantization.type == lib.kTfLiteAffineQuantization and
      quantization.params != ffi.NULL):
    affine = ffi.cast("TfLiteAffineQuantization*", quantization.params)
    scales = _float_array(affine.scale)
    zero_points = _int_array(affine.zero_point)
    quantized_dimension = int(affine.quantized_dimension)

  return {
      "name": string(tensor.name),
      "index": index,
      "shape": shape,
      "shape_signature": shape_signature,
      "dtype": dtype,
      "quantization": (float(tensor.params.scale),
                       int(tensor.params.zero_point)),
      "quantization_parameters": {
          "scales": scales,
          "zero_points": zero_points,
          "quantized_dimension": quantized_dimension,
          "block_size": 0,
      },
      "sparsity_parameters": _sparsity(tensor.sparsity),
  }


def _sparsity(sparsity):
  if sparsity == ffi.NULL:
    return {}
  result = {
      "traversal_order": _int_array(sparsity.traversal_order),
      "block_map": _int_array(sparsity.block_map),
      "dim_metadata": [],
  }
  if sparsity.dim_metadata != ffi.NULL:
    for i in range(max(sparsity.dim_metadata_size, 0)):
      meta = sparsity.dim_metadata[i]
      if meta.format == lib.kTfLiteDimDense:
        result["dim_metadata"].append({"format": 0,
                                       "dense_size": int(meta.dense_size)})
      else:
        result["dim_metadata"].append({
            "format": 1,
            "array_segments": _int_array(meta.array_segments),
            "array_indices": _int_array(meta.array_indices),
        })
  return result


def _read_tensor(tensor):
  """A copy of the tensor's value as an ndarray."""
  shape = _shape_of(tensor)
  if tensor.type == lib.kTfLiteString:
    return _read_strings(tensor, shape)
  dtype = _ARRAY_TYPES.get(tensor.type)
  if dtype is None:
    raise PyliteValueError(
        f"Cannot read a tensor of type {_type_name(tensor.type)}")
  count = _element_count(shape)
  if count == 0:
    return np.zeros(shape, dtype=dtype)
  if tensor.data.raw == ffi.NULL:
    raise PyliteValueError("Tensor data is null. Run allocate_tensors() first")
  _check_byte_size(tensor, shape, dtype)
  result = np.empty(shape, dtype=dtype)
  _memmove(result, tensor.data.raw, result.nbytes)
  return result


def _read_output(tensor):
  """_read_tensor with fewer trips through cffi for the common case (a
  numeric tensor with data); anything else goes to _read_tensor."""
  dtype = _ARRAY_TYPES.get(tensor.type)
  raw = tensor.data.raw
  if dtype is None or raw == ffi.NULL:
    return _read_tensor(tensor)
  dims = tensor.dims
  result = np.empty(ffi.unpack(dims.data, dims.size), dtype=dtype)
  if result.nbytes > tensor.bytes:
    return _read_tensor(tensor)  # raises with the sizes in the message
  _memmove(result, raw, result.nbytes)
  return result


def _read_strings(tensor, shape):
  count = lib.PyliteTensorGetStringCount(tensor)
  if count < 0:
    raise PyliteRuntimeError(
        last_error() or "Malformed string tensor buffer")
  elements = _element_count(shape)
  if count == 0 and elements > 0:
    raise PyliteValueError("Tensor data is null. Run allocate_tensors() first")
  data = ffi.new("const char**")
  length = ffi.new("size_t*")
  values = []
  for i in range(count):
    check(lib.PyliteTensorGetString(tensor, i, data, length))
    values.append(ffi.unpack(data[0], length[0]) if length[0] else b"")
  result = np.empty((count,), dtype=object)
  result[:] = values
  if count == elements:
    result = result.reshape(shape)
  return result


def _write_tensor(tensor, tensor_index, value):
  """set_tensor's checks (LiteRT's order and messages), then the copy."""
  try:
    array = np.asarray(value, order="C")
  except Exception as e:  # pylint: disable=broad-except
    raise PyliteValueError(
        "Failed to convert value into readable tensor.") from e
  value_type = _tflite_type_of(array)
  if value_type != tensor.type:
    raise PyliteValueError(
        "Cannot set tensor: Got value of type {} but expected type {} for "
        "input {}, name: {} ".format(_type_name(value_type),
                                     _type_name(tensor.type), tensor_index,
                                     string(tensor.name)))
  shape = _shape_of(tensor)
  if array.ndim != len(shape):
    raise PyliteValueError(
        "Cannot set tensor: Dimension mismatch. Got {} but expected {} for "
        "input {}.".format(array.ndim, len(shape), tensor_index))
  for j, (got, expected) in enumerate(zip(array.shape, shape)):
    if got != expected:
      raise PyliteValueError(
          "Cannot set tensor: Dimension mismatch. Got {} but expected {} for "
          "dimension {} of input {}.".format(got, expected, j, tensor_index))
  if tensor.type == lib.kTfLiteString:
    _write_strings(tensor, array)
    return
  if tensor.data.raw == ffi.NULL and array.nbytes > 0:
    raise PyliteValueError(
        "Cannot set tensor: Tensor is unallocated. Try calling "
        "allocate_tensors() first")
  if array.nbytes != tensor.bytes:
    raise PyliteValueError(
        "numpy array had {} bytes but expected {} bytes.".format(
            array.nbytes, tensor.bytes))
  if array.nbytes:
    ffi.memmove(tensor.data.raw, ffi.from_buffer(array), array.nbytes)


def _write_strings(tensor, array):
  values = []
  for item in array.ravel(order="C"):
    if isinstance(item, bytes):
      values.append(bytes(item))
    elif isinstance(item, str):
      values.append(item.encode("utf-8"))
    else:
      raise PyliteValueError(
          "Cannot set tensor: a STRING tensor takes bytes or str elements, "
          f"got {type(item).__name__}")
  count = len(values)
  buffers = [ffi.from_buffer(v) for v in values]  # alive until the call ends
  pointers = ffi.new("const char*[]", [ffi.cast("const char*", b)
                                        for b in buffers])
  lengths = ffi.new("size_t[]", [len(v) for v in values])
  lib.PyliteClearLastError()
  check(lib.PyliteTensorWriteStrings(tensor, count, pointers, lengths),
        error=PyliteValueError, prefix="Cannot set tensor")
