"""Custom ops given as Python callables (pylite.custom_ops).

Models: tests/data/custom/*.tflite, made by tools/make_custom_op_model.py.
LiteRT cannot run them without a kernel for the custom op, so the expected
values come from numpy.
"""

import gc
import os
import threading

import numpy as np
import pytest

from conftest import ROOT

import pylite

CUSTOM = os.path.join(ROOT, "tests", "data", "custom")


def custom_model(name):
  path = os.path.join(CUSTOM, name + ".tflite")
  if not os.path.exists(path):
    pytest.fail(f"{path} is missing")
  return path


def my_add(a, b):
  return (a + b) * 2.0


def test_my_add_through_signature_runner():
  it = pylite.Interpreter(model_path=custom_model("my_add"),
                          custom_ops={"MyAdd": my_add})
  runner = it.get_signature_runner()
  a = np.array([1, 2, 3], np.float32)
  b = np.array([10, 20, 30], np.float32)
  out = runner(a=a, b=b)
  np.testing.assert_array_equal(out["y"], (a + b) * 2 + 1)
  # Another length: the op's output takes the shape the callable returns.
  a5 = np.arange(5, dtype=np.float32)
  out = runner(a=a5, b=a5)
  np.testing.assert_array_equal(out["y"], a5 * 4 + 1)


def test_my_add_through_interpreter_api():
  it = pylite.Interpreter(model_path=custom_model("my_add"),
                          custom_ops={"MyAdd": my_add})
  inputs = {d["name"]: d["index"] for d in it.get_input_details()}
  for name in inputs:
    it.resize_tensor_input(inputs[name], [2])
  it.allocate_tensors()
  for i, name in enumerate(sorted(inputs)):
    it.set_tensor(inputs[name], np.array([i, 1], np.float32))
  it.invoke()
  y = it.get_tensor(it.get_output_details()[0]["index"])
  np.testing.assert_array_equal(y, [3, 5])


def test_atan_matches_numpy():
  x = np.linspace(-3, 3, 7).astype(np.float32)
  it = pylite.Interpreter(model_path=custom_model("atan"),
                          custom_ops={"Atan": np.arctan})
  out = it.get_signature_runner()(x=x)
  np.testing.assert_allclose(out["y"], np.arctan(x) + 1, rtol=1e-6)


def test_string_op():
  def upper(s):
    return [v.upper() for v in s]

  it = pylite.Interpreter(model_path=custom_model("string_upper"),
                          custom_ops={"StringUpper": upper})
  runner = it.get_signature_runner()
  out = runner(s=np.array([b"abc", b"", "x\u00e9y".encode()], dtype=object))
  assert list(out["y"]) == [b"ABC", b"", "X\u00e9Y".encode()]
  # str results are encoded as UTF-8.
  it2 = pylite.Interpreter(
      model_path=custom_model("string_upper"),
      custom_ops={"StringUpper": lambda s: [v.decode().upper() for v in s]})
  out = it2.get_signature_runner()(s=np.array([b"q"]))
  assert list(out["y"]) == [b"Q"]


def test_inputs_are_copies_of_the_right_dtype():
  seen = []

  def spy(a, b):
    seen.append((a.dtype, a.shape, b.flags.writeable))
    a[:] = 100  # must not reach the interpreter's tensor
    return a + b

  it = pylite.Interpreter(model_path=custom_model("my_add"),
                          custom_ops={"MyAdd": spy})
  runner = it.get_signature_runner()
  out = runner(a=np.ones(2, np.float32), b=np.ones(2, np.float32))
  assert seen == [(np.float32, (2,), True)]
  np.testing.assert_array_equal(out["y"], [102, 102])


def test_failing_op_names_op_and_subgraph_and_interpreter_recovers():
  def picky(x):
    if np.any(x < 0):
      raise ValueError("negative input")
    return np.arctan(x)

  it = pylite.Interpreter(model_path=custom_model("atan"),
                          custom_ops={"Atan": picky})
  runner = it.get_signature_runner()
  with pytest.raises(RuntimeError) as info:
    runner(x=np.array([1, -1], np.float32))
  message = str(info.value)
  assert isinstance(info.value, pylite.PyliteRuntimeError)
  assert "Python custom op 'Atan' raised ValueError: negative input" in message
  assert "in picky" in message
  assert "Custom op 'Atan'" in message and "subgraph 0" in message
  out = runner(x=np.array([0, 1], np.float32))
  np.testing.assert_allclose(out["y"], np.arctan([0, 1]) + 1, rtol=1e-6)


@pytest.mark.parametrize("fn, expected", [
    (lambda x: (x, x), "returned 2 values but the node has 1 outputs"),
    (lambda x: np.array(["a"]), "the result has dtype <U1"),
    (lambda x: np.ones(3, np.complex64), "the result has dtype complex64"),
    (lambda x: object(), "the result has dtype object"),
    (lambda x: [[1.0], [2.0]], None),
    (lambda x: np.zeros([1] * 17, np.float32), "cannot resize"),
])
def test_bad_results(fn, expected):
  it = pylite.Interpreter(model_path=custom_model("atan"),
                          custom_ops={"Atan": fn})
  runner = it.get_signature_runner()
  if expected is None:  # a list is the value of a one-output node
    np.testing.assert_array_equal(runner(x=np.array([1], np.float32))["y"],
                                  [[2], [3]])
    return
  with pytest.raises(RuntimeError, match="Atan") as info:
    runner(x=np.array([1], np.float32))
  assert expected in str(info.value)
  # Still usable once the op behaves.
  it2 = pylite.Interpreter(model_path=custom_model("atan"),
                           custom_ops={"Atan": np.arctan})
  it2.get_signature_runner()(x=np.array([1], np.float32))


def test_same_kind_casts_are_accepted():
  # float64 -> float32 (the output's type) is a same-kind cast.
  it = pylite.Interpreter(
      model_path=custom_model("atan"),
      custom_ops={"Atan": lambda x: np.arctan(x.astype(np.float64))})
  out = it.get_signature_runner()(x=np.array([1, 2], np.float32))
  assert out["y"].dtype == np.float32
  np.testing.assert_allclose(out["y"], np.arctan([1, 2]) + 1, rtol=1e-6)


def test_unregistered_op_is_unresolved():
  it = pylite.Interpreter(model_path=custom_model("atan"))
  with pytest.raises(RuntimeError, match="unresolved custom op: Atan"):
    it.allocate_tensors()
  # Registering another name does not help.
  it = pylite.Interpreter(model_path=custom_model("atan"),
                          custom_ops={"Tan": np.tan})
  with pytest.raises(RuntimeError, match="unresolved custom op: Atan"):
    it.allocate_tensors()


def test_version_must_match():
  it = pylite.Interpreter(model_path=custom_model("atan"),
                          custom_ops={("Atan", 2): np.arctan})
  with pytest.raises(RuntimeError) as info:
    it.allocate_tensors()
  assert "Atan version 1" in str(info.value)
  assert "Registered versions of 'Atan': 2" in str(info.value)
  it = pylite.Interpreter(model_path=custom_model("atan"),
                          custom_ops={("Atan", 1): np.arctan})
  it.get_signature_runner()(x=np.array([0.5], np.float32))


@pytest.mark.parametrize("custom_ops, expected", [
    ([np.arctan], "must be a mapping"),
    ({"Atan": 3}, "must be callable"),
    ({"": np.arctan}, "non-empty str"),
    ({3: np.arctan}, "non-empty str"),
    ({("Atan", 0): np.arctan}, "int >= 1"),
    ({("Atan", "1"): np.arctan}, "int >= 1"),
])
def test_bad_arguments(custom_ops, expected):
  with pytest.raises(ValueError, match=expected):
    pylite.Interpreter(model_path=custom_model("atan"), custom_ops=custom_ops)


def test_callables_outlive_the_callers_references():
  def make():
    scale = np.float32(2.0)
    return {"MyAdd": lambda a, b: (a + b) * scale}

  it = pylite.Interpreter(model_path=custom_model("my_add"),
                          custom_ops=make())
  gc.collect()
  out = it.get_signature_runner()(a=np.ones(1, np.float32),
                                  b=np.ones(1, np.float32))
  np.testing.assert_array_equal(out["y"], [5])
  it.close()
  gc.collect()


def test_many_interpreters_and_threads():
  calls = []
  lock = threading.Lock()

  def counted(a, b):
    with lock:
      calls.append(1)
    return a + b

  interpreters = [
      pylite.Interpreter(model_path=custom_model("my_add"),
                         custom_ops={"MyAdd": counted}) for _ in range(3)
  ]
  errors = []

  def work(it, k):
    try:
      runner = it.get_signature_runner()
      for _ in range(20):
        out = runner(a=np.full(4, k, np.float32), b=np.ones(4, np.float32))
        np.testing.assert_array_equal(out["y"], np.full(4, k + 2))
    except Exception as e:  # pylint: disable=broad-except
      errors.append(e)

  threads = [threading.Thread(target=work, args=(it, k))
             for k, it in enumerate(interpreters)]
  for t in threads:
    t.start()
  for t in threads:
    t.join()
  assert not errors
  assert len(calls) == 60
  for it in interpreters:
    it.close()
