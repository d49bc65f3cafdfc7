"""State shared between entry points: resource variables, CALL_ONCE
initialization, WHILE and IF, and resetting (tests/data/state/).

The models and LiteRT's results for each call script are made by
tools/make_state_models.py.
"""
import json
import os
import threading

import numpy as np
import pytest

import pylite

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "state")
with open(os.path.join(DATA, "reference.json")) as f:
  REFERENCE = json.load(f)


def _array(spec):
  return np.array(spec["value"], dtype=spec["dtype"]).reshape(spec["shape"])


def _interpreter(name):
  return pylite.Interpreter(model_path=os.path.join(DATA, name + ".tflite"))


def _run_script(interp, steps, tolerance=0.0):
  for step in steps:
    runner = interp.get_signature_runner(step["signature"])
    got = runner(**{k: _array(v) for k, v in step["inputs"].items()})
    assert sorted(got) == sorted(step["outputs"])
    for name, spec in step["outputs"].items():
      want = _array(spec)
      value = np.asarray(got[name])
      assert value.dtype == want.dtype and value.shape == want.shape
      bound = tolerance * float(np.max(np.abs(want), initial=0))
      np.testing.assert_allclose(value, want, rtol=0, atol=bound,
                                 err_msg=step["signature"])


@pytest.mark.parametrize("name", ["counter", "branch"])
def test_script_matches_litert(name):
  _run_script(_interpreter(name), REFERENCE[name])


def test_gru_matches_litert():
  """A Keras GRU becomes a WHILE loop; float sums may differ in order."""
  _run_script(_interpreter("gru"), REFERENCE["gru"], tolerance=1e-5)


def test_variables_are_shared_by_runner_objects():
  interp = _interpreter("counter")
  add = interp.get_signature_runner("add")
  read = interp.get_signature_runner("read")
  np.testing.assert_array_equal(read()["value"], [0.5, 0.5, 0.5])
  add(x=np.ones(3, np.float32))
  # A new runner object of another signature sees the same variable.
  again = interp.get_signature_runner("read")
  np.testing.assert_array_equal(again()["value"], [1.5, 1.5, 1.5])
  # Two interpreters of one model do not share state.
  other = _interpreter("counter")
  np.testing.assert_array_equal(
      other.get_signature_runner("read")()["value"], [0.5, 0.5, 0.5])


def test_reset_all_variables_keeps_resource_variables_as_litert():
  interp = _interpreter("counter")
  interp.get_signature_runner("add")(x=np.ones(3, np.float32))
  interp.reset_all_variables()
  np.testing.assert_array_equal(
      interp.get_signature_runner("read")()["value"], [1.5, 1.5, 1.5])


def test_reset_returns_to_initial_state():
  interp = _interpreter("counter")
  interp.get_signature_runner("scale")(k=np.float32(4))
  interp.reset()
  # The initialization subgraph runs again: the variable is back to 0.5.
  np.testing.assert_array_equal(
      interp.get_signature_runner("read")()["value"], [0.5, 0.5, 0.5])
  _run_script(interp, REFERENCE["counter"])


def test_loop_shapes_change_between_calls():
  interp = _interpreter("counter")
  loop = interp.get_signature_runner("loop")
  for n in (0, 1, 4):
    x = np.arange(n, dtype=np.float32)
    y = loop(x=x)["y"]
    want = x
    for _ in range(3):
      want = np.concatenate([want, want * 2])
    np.testing.assert_array_equal(y, want)


def test_concurrent_signatures_with_shared_variable():
  """`add` on one thread while `loop` runs on another (LiteRT forbids it)."""
  interp = _interpreter("counter")
  errors = []

  def adder():
    add = interp.get_signature_runner("add")
    for _ in range(200):
      add(x=np.ones(3, np.float32))

  def looper():
    loop = interp.get_signature_runner("loop")
    for i in range(200):
      y = loop(x=np.array([i], np.float32))["y"]
      if y.shape != (8,) or y[-1] != 8 * i:
        errors.append((i, y))

  threads = [threading.Thread(target=adder), threading.Thread(target=looper)]
  for t in threads:
    t.start()
  for t in threads:
    t.join()
  assert not errors
  np.testing.assert_array_equal(
      interp.get_signature_runner("read")()["value"], [200.5] * 3)


def test_op_details_name_control_flow_ops():
  interp = _interpreter("counter")
  names = [d["op_name"] for d in interp._get_ops_details()]
  assert names[0] == "CALL_ONCE"
  assert {"VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE"} <= set(names)


def test_on_device_training_matches_tensorflow():
  """infer, train x5, infer, get_weights: step by step against TensorFlow
  running the same steps (tools/make_training_model.py)."""
  with open(os.path.join(DATA, "training_reference.json")) as f:
    steps = json.load(f)["training"]
  _run_script(_interpreter("training"), steps, tolerance=1e-5)
