"""Bad input never crashes: corrupted models, hostile shapes, wrong values.

Everything runs in this process (the C core is meant to be safe): each case
must either work or raise ValueError/RuntimeError (as PyliteError).
"""

import os
import struct
import tempfile

import numpy as np
import pytest

import pylite
from pylite import Interpreter

from conftest import strip_signatures

SEED = 20240611
MUTATIONS_PER_BATCH = 50
BATCHES = 4  # per model: 2 models x 4 batches x 50 = 400 mutated models
MAX_ELEMENTS = 1 << 16  # inputs larger than this are not built


# ---- mutation ----------------------------------------------------------------------

_WORDS = [0, 1, 2, 3, 4, 7, 8, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000,
          0xFFFFFFFF, 0xFFFFFFFE, 0x10000]


def mutate(model, rng):
  """One mutated copy of ``model`` and a description of the mutation."""
  data = bytearray(model)
  n = len(data)
  kind = int(rng.integers(0, 7))
  if kind == 0:  # flip 1..4 bits
    flips = []
    for _ in range(int(rng.integers(1, 5))):
      pos, bit = int(rng.integers(0, n)), int(rng.integers(0, 8))
      data[pos] ^= 1 << bit
      flips.append((pos, bit))
    return bytes(data), f"bit flips {flips}"
  if kind == 1:  # truncate
    cut = int(rng.integers(1, n))
    return bytes(data[:cut]), f"truncate to {cut}"
  if kind == 2:  # patch an aligned 32-bit word with a boundary value
    pos = int(rng.integers(0, n // 4)) * 4
    values = _WORDS + [n, n - pos, n + 4, int(rng.integers(0, 2**32))]
    value = values[int(rng.integers(0, len(values)))]
    struct.pack_into("<I", data, pos, value)
    return bytes(data), f"word at {pos} = {value:#x}"
  if kind == 3:  # patch a 16-bit value (vtable entries are 16-bit)
    pos = int(rng.integers(0, n // 2)) * 2
    value = [0, 1, 4, 0xFFFF, 0x8000, int(rng.integers(0, 2**16))][
        int(rng.integers(0, 6))]
    struct.pack_into("<H", data, pos, value)
    return bytes(data), f"half-word at {pos} = {value:#x}"
  if kind == 4:  # overwrite a run of bytes with random ones
    pos = int(rng.integers(0, n))
    length = int(rng.integers(1, 17))
    chunk = rng.integers(0, 256, size=length, dtype=np.uint8).tobytes()
    data[pos:pos + length] = chunk[:max(0, min(length, n - pos))]
    return bytes(data), f"random bytes at {pos}, length {length}"
  if kind == 5:  # zero a run of bytes
    pos = int(rng.integers(0, n))
    length = int(rng.integers(1, 65))
    data[pos:pos + length] = bytes(len(data[pos:pos + length]))
    return bytes(data), f"zeros at {pos}, length {length}"
  # Grow: append garbage or repeat a slice (shifts nothing before it).
  extra = rng.integers(0, 256, size=int(rng.integers(1, 64)),
                       dtype=np.uint8).tobytes()
  return bytes(data) + extra, f"append {len(extra)} bytes"


def _value_for(details):
  """An input value matching a detail dict, or None if unreasonable."""
  shape = [int(d) for d in details["shape"]]
  if any(d < 0 for d in shape):
    return None
  count = int(np.prod(shape, dtype=np.int64)) if shape else 1
  if count > MAX_ELEMENTS:
    return None
  dtype = details["dtype"]
  if dtype is np.bytes_:
    return np.array([b"1.5"] * count, dtype=object).reshape(shape)
  if dtype is np.object_:
    return None
  return np.ones(shape, dtype=dtype)


def exercise(content):
  """Drives a possibly corrupted model through the whole API. Returns how far
  it got; raises only if something other than ValueError/RuntimeError comes
  out (or the process dies)."""
  try:
    it = Interpreter(model_content=content)
  except (ValueError, RuntimeError) as e:
    assert isinstance(e, pylite.PyliteError)
    return "rejected"
  stage = "created"
  try:
    it.get_signature_list()
    for s in range(it.num_subgraphs()):
      it.get_tensor_details(s)
    inputs = it.get_input_details()
    outputs = it.get_output_details()
    it._get_ops_details()  # pylint: disable=protected-access
    stage = "inspected"
    try:
      it.allocate_tensors()
      for d in inputs:
        value = _value_for(d)
        if value is not None:
          it.set_tensor(d["index"], value)
      it.invoke()
      for d in outputs:
        it.get_tensor(d["index"])
      stage = "invoked"
    except (ValueError, RuntimeError) as e:
      assert isinstance(e, pylite.PyliteError), repr(e)
    keys = list(it.get_signature_list()) or [None]
    for key in keys:
      try:
        runner = it.get_signature_runner(key)
        runner.get_output_details()
        values = {name: _value_for(d)
                  for name, d in runner.get_input_details().items()}
        if all(v is not None for v in values.values()):
          runner(**values)
          stage = "ran"
      except (ValueError, RuntimeError) as e:
        assert isinstance(e, pylite.PyliteError), repr(e)
  except (ValueError, RuntimeError) as e:
    assert isinstance(e, pylite.PyliteError), repr(e)
  finally:
    it.close()
  return stage


@pytest.mark.parametrize("model", ["dense", "coding"])
@pytest.mark.parametrize("batch", range(BATCHES))
def test_mutated_models_never_crash(model, batch, dense_bytes, coding_bytes):
  original = dense_bytes if model == "dense" else coding_bytes
  rng = np.random.default_rng([SEED, batch, model == "coding"])
  stages = {}
  for i in range(MUTATIONS_PER_BATCH):
    content, what = mutate(original, rng)
    try:
      stage = exercise(content)
    except Exception as e:  # pylint: disable=broad-except
      pytest.fail(f"{model} mutation {batch}/{i} ({what}): "
                  f"{type(e).__name__}: {e}")
    stages[stage] = stages.get(stage, 0) + 1
  assert sum(stages.values()) == MUTATIONS_PER_BATCH


@pytest.mark.parametrize("model", ["dense", "coding"])
def test_every_truncation(model, dense_bytes, coding_bytes):
  original = dense_bytes if model == "dense" else coding_bytes
  for cut in range(0, len(original), 7):
    content = original[:cut]
    if not content:
      continue
    assert exercise(content) in ("rejected", "created", "inspected",
                                 "invoked", "ran"), cut


def test_unmutated_models_run(dense_bytes, nosig_bytes):
  assert exercise(dense_bytes) == "ran"
  assert exercise(nosig_bytes) == "ran"
  assert exercise(strip_signatures(nosig_bytes)) == "ran"


# ---- files and bytes ---------------------------------------------------------------


def test_bad_paths():
  with tempfile.TemporaryDirectory() as d:
    with pytest.raises(pylite.PyliteValueError, match="Could not open"):
      Interpreter(model_path=d)  # a directory
    empty = os.path.join(d, "empty.tflite")
    open(empty, "wb").close()
    with pytest.raises(pylite.PyliteValueError):
      Interpreter(model_path=empty)


def test_bad_content_types():
  with pytest.raises((TypeError, ValueError)):
    Interpreter(model_content=12345)
  with pytest.raises(ValueError):
    Interpreter(model_content=b"\x00")
  with pytest.raises(ValueError):
    Interpreter(model_content=memoryview(b"TFL3" * 16))


# ---- values and shapes --------------------------------------------------------------


@pytest.fixture
def dense(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  return it


@pytest.mark.parametrize("value", [
    None,
    "text",
    [[1.0, 2.0], [3.0]],                     # ragged
    np.array([[1, 2, 3, 4]], dtype=object),  # objects for a FLOAT32 tensor
    np.zeros((1, 4), dtype=np.complex64),
    np.zeros((1, 4), dtype="datetime64[s]"),
    np.zeros((1, 4), dtype=[("a", np.float32)]),
    np.zeros((0, 4), dtype=np.float32),
    np.zeros((1, 4, 1), dtype=np.float32),
    np.float32(1.0),
])
def test_set_tensor_rejects_bad_values(dense, value):
  with pytest.raises(pylite.PyliteValueError):
    dense.set_tensor(0, value)


@pytest.mark.parametrize("index", [-2**31, -7, 7, 2**31 - 1, 2**31, 2**63])
def test_bad_tensor_indices(dense, index):
  for call in (lambda: dense.get_tensor(index),
               lambda: dense.set_tensor(index, np.zeros((1, 4), np.float32)),
               lambda: dense.tensor(index)(),
               lambda: dense._get_tensor_details(index, 0)):  # pylint: disable=protected-access
    with pytest.raises((ValueError, RuntimeError)) as info:
      call()
    assert isinstance(info.value, pylite.PyliteError)


@pytest.mark.parametrize("index", [-1, 3, 6, 2**31, -2**40])
def test_resize_non_input(dense, index):
  with pytest.raises((ValueError, RuntimeError)) as info:
    dense.resize_tensor_input(index, [1, 4])
  assert isinstance(info.value, pylite.PyliteError)


@pytest.mark.parametrize("shape", [
    [-1, 4], [-5, 4], [0, 4], [1, 0], [], [1], [1, 4, 1, 1, 1, 1, 1, 1, 1],
    [2**31 - 1, 4], [2**31 - 1, 2**31 - 1], [65536, 65536, 65536],
    [1 << 30, 4],
])
def test_hostile_resize_then_run(dense_path, shape):
  """Resizing to absurd shapes fails cleanly at resize, allocate or invoke;
  small valid ones work."""
  it = Interpreter(model_path=dense_path)
  try:
    it.resize_tensor_input(0, shape)
    it.allocate_tensors()
    details = it.get_input_details()[0]
    count = int(np.prod(details["shape"], dtype=np.int64))
    if count <= MAX_ELEMENTS:
      it.set_tensor(0, np.ones(details["shape"], np.float32))
      it.invoke()
      it.get_tensor(it.get_output_details()[0]["index"])
  except (ValueError, RuntimeError) as e:
    assert isinstance(e, pylite.PyliteError), repr(e)
  # The interpreter stays usable after a failure.
  it.resize_tensor_input(0, [2, 4])
  it.allocate_tensors()
  it.set_tensor(0, np.ones((2, 4), np.float32))
  it.invoke()


@pytest.mark.parametrize("shape", [(0, 4), (1, 4, 1), (3,), (1, 4, 0)])
def test_runner_with_odd_shapes(dense_path, shape):
  runner = Interpreter(model_path=dense_path).get_signature_runner()
  try:
    runner(keras_tensor=np.ones(shape, np.float32))
  except (ValueError, RuntimeError) as e:
    assert isinstance(e, pylite.PyliteError), repr(e)
  out = runner(keras_tensor=np.ones((1, 4), np.float32))["output_0"]
  assert out.shape == (1, 1)


def test_runner_with_huge_shape_fails_cleanly(dense_path):
  runner = Interpreter(model_path=dense_path).get_signature_runner()
  # A broadcast view: huge shape, no memory behind it.
  value = np.broadcast_to(np.float32(1), (2**31 - 1, 4))
  with pytest.raises((ValueError, RuntimeError)) as info:
    runner(keras_tensor=value)
  assert isinstance(info.value, pylite.PyliteError)


# ---- strings --------------------------------------------------------------------------


@pytest.fixture
def coding(coding_path):
  return Interpreter(model_path=coding_path)


@pytest.mark.parametrize("text", [
    b"", b"abc", b"1.5abc", b"\xff\xfe", b"1\x002", b" 1", b"1e999",
    b"nan", b"-inf", b"9" * 4096,
])
def test_decode_odd_strings(coding, text):
  decode = coding.get_signature_runner("decode")
  try:
    out = decode(x=np.array([text], dtype=object))["decoded_result"]
    assert out.shape == (1,) and out.dtype == np.float32
  except (ValueError, RuntimeError) as e:
    assert isinstance(e, pylite.PyliteError), repr(e)
  # Still usable afterwards.
  np.testing.assert_array_equal(
      decode(x=np.array([b"2.5"]))["decoded_result"], [2.5])


def test_encode_special_floats(coding):
  encode = coding.get_signature_runner("encode")
  out = encode(x=np.array([np.nan, np.inf, -np.inf, -0.0], np.float32))
  assert list(out["encoded_result"]) == [b"nan", b"inf", b"-inf",
                                         b"-0.000000"]


def test_long_and_many_strings(coding):
  decode = coding.get_signature_runner("decode")
  many = np.array([str(i) for i in range(5000)])
  np.testing.assert_array_equal(decode(x=many)["decoded_result"],
                                np.arange(5000, dtype=np.float32))
  long_number = "1" + "0" * 30  # 1e30 as a long string
  got = decode(x=np.array([long_number]))["decoded_result"]
  np.testing.assert_allclose(got, [1e30], rtol=1e-6)


def test_strings_for_numeric_and_numbers_for_strings(coding):
  decode = coding.get_signature_runner("decode")
  with pytest.raises(pylite.PyliteValueError):
    decode(x=np.array([1.5, 2.5], dtype=object))
  with pytest.raises(pylite.PyliteValueError):
    decode(x=np.array([None], dtype=object))
  with pytest.raises(pylite.PyliteValueError):
    decode(x=np.array([1.5], np.float64))
