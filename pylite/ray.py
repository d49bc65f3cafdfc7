"""pylite on Ray Data: batch inference across processes and machines.

Needs Ray (``pip install pylite[ray]``); importing this module without it
raises ImportError. The common case is one call::

    import pylite.ray
    scored = pylite.ray.predict(dataset, "model.tflite",
                                inputs={"pixels": "image"},
                                batch_size=256, concurrency=2)

``Predictor`` is the callable class behind it, usable directly with
``Dataset.map_batches``. Each Ray actor builds one interpreter when it starts
and then, for every batch: checks each mapped column against its signature
input (shape past the batch dimension, and dtype), runs the signature runner
on the whole batch (the runner resizes its inputs to the batch's size) and
adds the signature's outputs to the batch as new columns.

Copies: a numpy batch is handed to the runner as it is (no conversion, when
its dtype and layout already match), copied once into the interpreter's
input tensor, and each output is copied once out of the interpreter into the
array that becomes the new column.

The model travels by value: ``predict`` reads a model file on the driver and
ships its bytes, so the same code runs unchanged on a multi-node cluster
whose other nodes do not have the file.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Mapping, Optional, Union

import numpy as np

try:
  import ray  # the package, not this module (absolute imports)
  import ray.data
except ImportError as e:  # pragma: no cover - depends on the environment
  raise ImportError(
      "pylite.ray needs Ray Data: pip install 'pylite[ray]' (or "
      "'ray[data]')") from e

from pylite.errors import PyliteValueError
from pylite.interpreter import Interpreter, InterpreterSnapshot

ModelLike = Union[str, "os.PathLike[str]", bytes, bytearray, Interpreter,
                  InterpreterSnapshot]

__all__ = ["Predictor", "predict"]


def _model_bytes(model: Any) -> bytes:
  """The bytes of a model given as a path or as bytes."""
  if isinstance(model, (bytes, bytearray, memoryview)):
    return bytes(model)
  with open(os.fspath(model), "rb") as f:
    return f.read()


class Predictor:
  """A callable class for ``Dataset.map_batches`` (batch_format "numpy").

  Args:
    model: a path (read where the actor runs), the model's bytes, or an
      ``Interpreter`` / ``InterpreterSnapshot`` (pickled by value with its
      options; with a snapshot, each actor starts from its variables).
    signature: the signature key; None for the model's only signature.
    inputs: ``{column: signature input name}``; None maps every input to the
      column of the same name.
    outputs: ``{signature output name: column}`` for the new columns; outputs
      not named keep their own name. None: every output under its own name.
    num_threads: kernel threads per actor (ignored for an Interpreter or a
      snapshot, which carry their own).
    id_column: a column whose first and last values name the rows of a batch
      in error messages (e.g. an "id" column); None: batch numbers only.

  Raises (when a batch runs):
    PyliteValueError: a missing column, or a column whose shape (past the
      batch dimension) or dtype does not match its input; the message names
      the column, the expected and actual shape and dtype, the row when rows
      differ in shape, and the batch. Also an output that does not have one
      row per input row.
  """

  def __init__(self, model: ModelLike, signature: Optional[str] = None,
               inputs: Optional[Mapping[str, str]] = None,
               outputs: Optional[Mapping[str, str]] = None,
               num_threads: int = 1,
               id_column: Optional[str] = None) -> None:
    if isinstance(model, Interpreter):
      interpreter = model
    elif isinstance(model, InterpreterSnapshot):
      interpreter = model.restore()
    else:
      interpreter = Interpreter(model_content=_model_bytes(model),
                                num_threads=num_threads)
    self._interpreter = interpreter
    self._runner = interpreter.get_signature_runner(signature)
    self._key = self._runner.signature_key
    details = self._runner.get_input_details()
    if inputs is None:
      inputs = {name: name for name in details}
    unknown = sorted(set(inputs.values()) - set(details))
    missing = sorted(set(details) - set(inputs.values()))
    if unknown or missing or len(inputs) != len(details):
      raise PyliteValueError(
          f"pylite.ray: inputs={dict(inputs)!r} must map one column to each "
          f"input of signature '{self._key}', which are {sorted(details)}" +
          (f"; unknown: {unknown}" if unknown else "") +
          (f"; not mapped: {missing}" if missing else ""))
    self._inputs = dict(inputs)
    self._expected: Dict[str, Any] = {}
    for column, name in self._inputs.items():
      signature_shape = [int(d) for d in details[name]["shape_signature"]]
      if not signature_shape:
        raise PyliteValueError(
            f"pylite.ray: input '{name}' of signature '{self._key}' is a "
            "scalar; it has no batch dimension to put rows in")
      self._expected[column] = (name, signature_shape,
                                np.dtype(details[name]["dtype"]))
    output_names = list(self._runner.get_output_details())
    unknown = sorted(set(outputs or {}) - set(output_names))
    if unknown:
      raise PyliteValueError(
          f"pylite.ray: unknown outputs {unknown} of signature "
          f"'{self._key}', whose outputs are {output_names}")
    self._outputs = {name: (outputs or {}).get(name, name)
                     for name in output_names}
    self._id_column = id_column
    self._batches = 0

  def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    self._batches += 1
    feed = {}
    for column, (name, signature_shape, dtype) in self._expected.items():
      if column not in batch:
        raise PyliteValueError(
            f"pylite.ray: column '{column}' (input '{name}' of signature "
            f"'{self._key}') is not in {self._where(batch)}; its columns "
            f"are {sorted(batch)}")
      feed[name] = self._checked(batch, column, name, signature_shape, dtype)
    results = self._runner(**feed)
    rows = len(next(iter(feed.values()))) if feed else None
    for name, column in self._outputs.items():
      value = np.asarray(results[name])
      if rows is not None and (value.ndim == 0 or len(value) != rows):
        raise PyliteValueError(
            f"pylite.ray: output '{name}' of signature '{self._key}' has "
            f"shape {list(value.shape)}, not one row per input row ({rows}), "
            f"in {self._where(batch)}; only models that map each row to "
            "its own output rows can score a dataset")
      batch[column] = value
    return batch

  def _where(self, batch: Mapping[str, Any]) -> str:
    rows = len(next(iter(batch.values()))) if batch else 0
    where = f"batch {self._batches} of this worker ({rows} rows"
    if self._id_column is not None and self._id_column in batch and rows:
      ids = batch[self._id_column]
      first, last = (v.item() if isinstance(v, np.generic) else v
                     for v in (ids[0], ids[-1]))
      where += f", {self._id_column} {first!r} to {last!r}"
    return where + ")"

  def _checked(self, batch, column, name, signature_shape, dtype):
    """The column as the runner takes it, or a PyliteValueError."""
    array = batch[column]
    row_shape = signature_shape[1:]
    want = "[" + ", ".join(["batch"] + ["any" if d == -1 else str(d)
                                         for d in row_shape]) + "]"
    is_string = dtype.kind == "S"

    def fail(got, row=None):
      at = f" (row {row} of the batch)" if row is not None else ""
      raise PyliteValueError(
          f"pylite.ray: column '{column}' (input '{name}' of signature "
          f"'{self._key}') expects shape {want} and dtype "
          f"{'string' if is_string else dtype.name}, got {got}{at} in "
          f"{self._where(batch)}")

    def row_ok(shape):
      return len(shape) == len(row_shape) and all(
          w in (-1, g) for w, g in zip(row_shape, shape))

    if array.dtype == object and not is_string and array.ndim == 1:
      # Rows of different shapes (or types) arrive as an array of arrays:
      # name the first row that does not fit.
      for i, row in enumerate(array):
        row = np.asarray(row)
        if row.dtype != dtype or not row_ok(row.shape):
          fail(f"shape {list(row.shape)} and dtype {row.dtype.name}", i)
      array = np.stack([np.asarray(row) for row in array])
    if array.ndim < 1 or not row_ok(array.shape[1:]):
      fail(f"shape {list(array.shape)}")
    if is_string:
      if array.dtype.kind not in "OSU":
        fail(f"dtype {array.dtype.name}")
    elif array.dtype != dtype:
      fail(f"dtype {array.dtype.name}")
    return array


def predict(dataset: Any, model: ModelLike, *,
            signature: Optional[str] = None,
            inputs: Optional[Mapping[str, str]] = None,
            outputs: Optional[Mapping[str, str]] = None,
            batch_size: int = 256, concurrency: int = 1,
            num_threads: int = 1, id_column: Optional[str] = None,
            **map_batches_args: Any) -> Any:
  """Adds a signature's outputs to ``dataset`` as new columns (lazily).

  ``concurrency`` actors each load the model once and run batches of
  ``batch_size`` rows with ``num_threads`` kernel threads (and reserve as
  many CPUs, unless ``num_cpus`` is given). A model path is read here, on
  the driver, and its bytes are sent to the actors. Other keyword arguments
  go to ``Dataset.map_batches``. Row order follows Ray Data's
  ``preserve_order`` setting; carry an id column to match rows.

  Returns:
    The new ``ray.data.Dataset``: every column of ``dataset`` plus one per
    signature output.
  """
  if not isinstance(model, (Interpreter, InterpreterSnapshot)):
    model = _model_bytes(model)
  map_batches_args.setdefault("num_cpus", num_threads)
  return dataset.map_batches(
      Predictor,
      fn_constructor_kwargs={
          "model": model, "signature": signature, "inputs": inputs,
          "outputs": outputs, "num_threads": num_threads,
          "id_column": id_column},
      batch_size=batch_size, batch_format="numpy",
      compute=ray.data.ActorPoolStrategy(size=concurrency),
      **map_batches_args)
