"""Shared fixtures for pylite's Python tests.

The tests import pylite from this checkout (the repository root is put first
on sys.path); the shared library is found as pylite/_ffi.py describes
(PYLITE_LIBRARY, pylite/libpylite.so, then build/libpylite.so).

Expected values come from two sources: tests/data/litert_reference.json,
recorded from LiteRT by tools/record_litert_reference.py, and numpy.
"""

import builtins
import json
import os
import struct
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
if ROOT not in sys.path:
  sys.path.insert(0, ROOT)

MODELS = os.path.join(ROOT, "examples", "models")
REFERENCE = os.path.join(ROOT, "tests", "data", "litert_reference.json")


def model_path(name):
  path = os.path.join(MODELS, name)
  if not os.path.exists(path):
    pytest.fail(f"{path} is missing")
  return path


@pytest.fixture(scope="session")
def dense_path():
  return model_path("dense.tflite")


@pytest.fixture(scope="session")
def coding_path():
  return model_path("coding.tflite")


@pytest.fixture(scope="session")
def dense_bytes(dense_path):
  with open(dense_path, "rb") as f:
    return f.read()


@pytest.fixture(scope="session")
def coding_bytes(coding_path):
  with open(coding_path, "rb") as f:
    return f.read()


@pytest.fixture(scope="session")
def reference():
  with open(REFERENCE, encoding="utf-8") as f:
    return json.load(f)


@pytest.fixture(scope="session")
def dense_ref(reference):
  if "dense" not in reference["models"]:
    pytest.fail("no LiteRT reference recorded for dense.tflite")
  return reference["models"]["dense"]


@pytest.fixture(scope="session")
def coding_ref(reference):
  if "coding" not in reference["models"]:
    pytest.fail("no LiteRT reference recorded for coding.tflite")
  return reference["models"]["coding"]


def strip_signatures(model):
  """The model bytes without SignatureDefs: the slot of the Model table's
  field 7 (signature_defs) in its vtable is zeroed, so the field reads as
  absent. The recorder does the same for LiteRT."""
  data = bytearray(model)
  root = struct.unpack_from("<I", data, 0)[0]
  vtable = root - struct.unpack_from("<i", data, root)[0]
  vtable_size = struct.unpack_from("<H", data, vtable)[0]
  slot = 4 + 2 * 7
  if slot + 2 <= vtable_size:
    struct.pack_into("<H", data, vtable + slot, 0)
  return bytes(data)


@pytest.fixture(scope="session")
def nosig_bytes(dense_bytes):
  return strip_signatures(dense_bytes)


def jsonable_details(d):
  """A detail dict in the form the recorder stores (see the tool)."""
  q = d["quantization_parameters"]
  return {
      "name": d["name"],
      "index": int(d["index"]),
      "shape": [int(x) for x in d["shape"]],
      "shape_dtype": d["shape"].dtype.name,
      "shape_signature": [int(x) for x in d["shape_signature"]],
      "dtype": d["dtype"].__name__,
      "quantization": [float(d["quantization"][0]), int(d["quantization"][1])],
      "quantization_parameters": {
          "scales": [float(x) for x in q["scales"]],
          "scales_dtype": q["scales"].dtype.name,
          "zero_points": [int(x) for x in q["zero_points"]],
          "zero_points_dtype": q["zero_points"].dtype.name,
          "quantized_dimension": int(q["quantized_dimension"]),
          "block_size": int(q.get("block_size", 0)),
      },
      "sparsity_parameters": d["sparsity_parameters"],
      "keys": list(d.keys()),
  }


def assert_array_matches(actual, record, exact=False):
  """Compares an array with one stored by the recorder's array_record."""
  actual = np.asarray(actual)
  if record["dtype"] == "object":
    assert actual.dtype == object
    assert [x.decode("latin-1") for x in actual.ravel()] == record["value"]
  else:
    assert actual.dtype.name == record["dtype"]
    expected = np.array(record["value"], dtype=record["dtype"])
    if exact:
      np.testing.assert_array_equal(actual, expected)
    else:
      np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)
  assert list(actual.shape) == record["shape"]


def assert_outcome(fn, entry):
  """Runs fn and checks it behaves as LiteRT did (entry from the reference):
  same success or failure, an exception of the same builtin class (and a
  PyliteError when LiteRT raised ValueError/RuntimeError), and the same
  message when entry["compare"] says so."""
  import pylite  # pylint: disable=import-outside-toplevel
  if not entry["raised"]:
    fn()
    return
  builtin = getattr(builtins, entry["type"], None)
  assert isinstance(builtin, type), entry["type"]
  with pytest.raises(builtin) as info:
    fn()
  if entry["type"] in ("ValueError", "RuntimeError"):
    assert isinstance(info.value, pylite.PyliteError), repr(info.value)
  message = str(info.value)
  if entry["compare"] == "exact":
    assert message == entry["message"]
  elif entry["compare"] == "prefix":
    # A trailing period of LiteRT's text may become ": <details>" in pylite.
    assert message.startswith(entry["message"].rstrip(".")), message


_WEIGHTS = {}


def _dense_weights(path):
  """(W1, b1, W2, b2) of dense.tflite, read through get_tensor on an
  unallocated interpreter (where only constant tensors have data); they are
  told apart by their shapes (4 -> 2 -> 1 units)."""
  if path not in _WEIGHTS:
    from pylite import Interpreter  # pylint: disable=import-outside-toplevel
    it = Interpreter(model_path=path)
    by_shape = {}
    for d in it.get_tensor_details():
      try:
        value = it.get_tensor(d["index"])
      except ValueError:
        continue
      by_shape[tuple(value.shape)] = value
    _WEIGHTS[path] = (by_shape[(2, 4)], by_shape[(2,)], by_shape[(1, 2)],
                      by_shape[(1,)])
  return _WEIGHTS[path]


def dense_numpy(path, x):
  """dense.tflite computed with numpy (float64) from its own weights."""
  w1, b1, w2, b2 = _dense_weights(path)
  h = np.maximum(x.astype(np.float64) @ w1.T.astype(np.float64) + b1, 0)
  return np.maximum(h @ w2.T.astype(np.float64) + b2, 0)
