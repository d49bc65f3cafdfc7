"""Pickling interpreters and signature runners (no Ray needed).

An interpreter pickles by value (model bytes and constructor options) and
unpickles fresh; ``with_state()`` carries resource variables' values; a
runner pickles as (interpreter, key). Models: the guide's (examples/models),
the counter of tests/data/state and the custom-op model of tests/data/custom.
"""

import copy
import os
import pickle
import shutil

import numpy as np
import pytest

from conftest import ROOT, model_path

import pylite

COUNTER = os.path.join(ROOT, "tests", "data", "state", "counter.tflite")
MY_ADD = os.path.join(ROOT, "tests", "data", "custom", "my_add.tflite")


def roundtrip(obj):
  return pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def my_add(a, b):  # module level: pickles by reference
  return (a + b) * 2.0


def test_interpreter_from_path_roundtrip():
  it = pylite.Interpreter(model_path=model_path("dense.tflite"))
  other = roundtrip(it)
  assert isinstance(other, pylite.Interpreter) and other is not it
  assert other.get_signature_list() == it.get_signature_list()
  x = np.array([[1, 2, 3, 4]], np.float32)
  a, b = it.get_signature_runner(), other.get_signature_runner()
  (name,) = a.get_input_details()
  for key, value in a(**{name: x}).items():
    np.testing.assert_array_equal(b(**{name: x})[key], value)


def test_bytes_are_those_the_interpreter_runs(tmp_path):
  """Pickled after its file was replaced, the interpreter still carries the
  model it was made from."""
  path = tmp_path / "model.tflite"
  shutil.copy(model_path("coding.tflite"), path)
  it = pylite.Interpreter(model_path=str(path))
  os.remove(path)
  shutil.copy(model_path("dense.tflite"), path)
  other = roundtrip(it)
  assert sorted(other.get_signature_list()) == ["decode", "encode"]


def test_interpreter_from_content_and_strings():
  with open(model_path("coding.tflite"), "rb") as f:
    it = pylite.Interpreter(model_content=f.read())
  encode = roundtrip(it).get_signature_runner("encode")
  out = encode(x=np.array([1.5, -2, 3], np.float32))["encoded_result"]
  assert list(out) == [b"1.500000", b"-2.000000", b"3.000000"]


def test_options_travel():
  it = pylite.Interpreter(model_path=MY_ADD, num_threads=2,
                          custom_ops={"MyAdd": my_add})
  other = roundtrip(it)
  assert other._options["num_threads"] == 2  # pylint: disable=protected-access
  a = np.array([1, 2, 3], np.float32)
  out = other.get_signature_runner()(a=a, b=a)
  np.testing.assert_array_equal(out["y"], (a + a) * 2 + 1)


def test_unpicklable_custom_op_is_a_clear_error():
  it = pylite.Interpreter(model_path=MY_ADD,
                          custom_ops={"MyAdd": lambda a, b: a + b})
  with pytest.raises(pickle.PicklingError, match="custom op 'MyAdd'"):
    pickle.dumps(it)


def test_fresh_by_default_and_state_on_request():
  it = pylite.Interpreter(model_path=COUNTER)
  it.get_signature_runner("add")(x=np.array([1, 2, 3], np.float32))
  want = [1.5, 2.5, 3.5]
  fresh = roundtrip(it)
  np.testing.assert_array_equal(
      fresh.get_signature_runner("read")()["value"], [0.5, 0.5, 0.5])

  snapshot = it.with_state()
  assert isinstance(snapshot, pylite.InterpreterSnapshot)
  assert len(snapshot.variable_names) == 1
  it.get_signature_runner("add")(x=np.ones(3, np.float32))  # after: not seen
  restored = roundtrip(snapshot)
  assert isinstance(restored, pylite.Interpreter)
  read = restored.get_signature_runner("read")
  np.testing.assert_array_equal(read()["value"], want)
  # The restored variable lives on: the initialization does not overwrite it.
  restored.get_signature_runner("add")(x=np.ones(3, np.float32))
  np.testing.assert_array_equal(read()["value"], [2.5, 3.5, 4.5])
  np.testing.assert_array_equal(
      snapshot.restore().get_signature_runner("read")()["value"], want)


def test_state_with_a_new_shape():
  """`scale` assigns a value of another shape; it travels as it is."""
  it = pylite.Interpreter(model_path=COUNTER)
  it.get_signature_runner("scale")(k=np.float32(4))
  want = it.get_signature_runner("read")()["value"]
  got = roundtrip(it.with_state()).get_signature_runner("read")()["value"]
  np.testing.assert_array_equal(got, want)


def test_snapshot_of_a_fresh_interpreter_has_no_variables():
  snapshot = pylite.Interpreter(model_path=COUNTER).with_state()
  assert snapshot.variable_names == []
  np.testing.assert_array_equal(
      roundtrip(snapshot).get_signature_runner("read")()["value"],
      [0.5, 0.5, 0.5])


def test_runner_roundtrip():
  it = pylite.Interpreter(model_path=model_path("coding.tflite"))
  encode = it.get_signature_runner("encode")
  decode = it.get_signature_runner("decode")
  encode2, decode2 = roundtrip((encode, decode))
  assert encode2.signature_key == "encode"
  # One pickle: both runners share one new interpreter.
  assert encode2._interpreter is decode2._interpreter  # pylint: disable=protected-access
  assert encode2._interpreter is not it  # pylint: disable=protected-access
  strings = encode2(x=np.array([7, 8], np.float32))["encoded_result"]
  np.testing.assert_array_equal(decode2(x=strings)["decoded_result"], [7, 8])


def test_copy_makes_a_new_interpreter():
  it = pylite.Interpreter(model_path=COUNTER)
  other = copy.deepcopy(it)
  assert other is not it and not other.closed


def test_closed_interpreter_and_runner():
  it = pylite.Interpreter(model_path=model_path("dense.tflite"))
  runner = it.get_signature_runner()
  it.close()
  with pytest.raises(pylite.PyliteClosedError, match="closed interpreter"):
    pickle.dumps(it)
  with pytest.raises(pylite.PyliteClosedError, match="closed interpreter"):
    pickle.dumps(runner)
  with pytest.raises(pylite.PyliteClosedError):
    it.with_state()

  it = pylite.Interpreter(model_path=model_path("dense.tflite"))
  runner = it.get_signature_runner()
  runner.close()
  with pytest.raises(pylite.PyliteClosedError, match="closed signature"):
    pickle.dumps(runner)
  assert isinstance(roundtrip(it), pylite.Interpreter)
