"""pylite.SignatureRunner's one-call path (PyliteSignatureRunnerRun with a
per-shape plan): the same results, errors, copies and thread safety as the
general path, whatever happened between calls. Every test runs twice: with
the plans calling C through the compiled module pylite._fast (built by
`make venv`), and through cffi's ABI mode alone, as without it."""

import os
import pickle
import threading

import numpy as np
import pytest

import pylite
import pylite.interpreter
from pylite import Interpreter
from pylite._ffi import ffi

from conftest import assert_outcome, dense_numpy
from test_custom_op import custom_model
from test_signature_runner import RUNNER_CASES, _run_threads

X1 = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)


@pytest.fixture(autouse=True, params=["compiled", "abi"])
def call_mode(request, monkeypatch):
  """Plans made in this test call C through pylite._fast ("compiled") or
  through ABI mode ("abi")."""
  if request.param == "abi":
    monkeypatch.setattr(pylite.interpreter, "_fast_lib", None)
  elif not os.environ.get("PYLITE_NO_FAST"):
    assert pylite.interpreter._fast_lib is not None, (  # pylint: disable=protected-access
        "pylite._fast is not built: run `python pylite/_fast_build.py`")
  return request.param


def _warm_runner(path):
  """A runner whose call with X1's shape takes the one-call path."""
  runner = Interpreter(model_path=path).get_signature_runner()
  runner(keras_tensor=X1)
  runner(keras_tensor=X1)
  assert runner._plan.key == (X1.shape,)  # pylint: disable=protected-access
  return runner


def _check(path, runner, x):
  out = runner(keras_tensor=x)["output_0"]
  assert out.shape == (x.shape[0], 1) and out.dtype == np.float32
  np.testing.assert_allclose(out, dense_numpy(path, x), rtol=1e-5, atol=1e-5)
  return out


# The recorded bad calls of test_signature_runner, on a runner whose plan
# exists: every one still fails as LiteRT does.
_BAD_CALLS = {
    "runner_no_inputs": lambda r: r(),
    "runner_too_many_inputs": lambda r: r(keras_tensor=X1, y=X1),
    "runner_wrong_name": lambda r: r(y=X1),
    "runner_int32": lambda r: r(keras_tensor=X1.astype(np.int32)),
    "runner_float64": lambda r: r(keras_tensor=X1.astype(np.float64)),
    "runner_list_value": lambda r: r(keras_tensor=[[1.0, 2.0, 3.0, 4.0]]),
    "runner_positional": lambda r: r(X1),
    "runner_wrong_feature_dim": lambda r: r(
        keras_tensor=np.zeros((1, 5), np.float32)),
    "runner_rank1": lambda r: r(keras_tensor=np.zeros((4,), np.float32)),
}


@pytest.mark.parametrize("name", sorted(_BAD_CALLS))
def test_bad_call_after_warm_up_matches_litert(name, dense_path, dense_ref):
  assert name in RUNNER_CASES
  runner = _warm_runner(dense_path)
  assert_outcome(lambda: _BAD_CALLS[name](runner), dense_ref["errors"][name])
  _check(dense_path, runner, X1)  # still usable


def test_repeated_calls_and_fresh_outputs(dense_path):
  runner = _warm_runner(dense_path)
  rng = np.random.default_rng(7)
  previous = []
  for _ in range(20):
    x = rng.uniform(-3, 3, size=(1, 4)).astype(np.float32)
    out = _check(dense_path, runner, x)
    assert out.flags.owndata and out.flags.writeable and out.base is None
    assert all(not np.shares_memory(out, p) for p in previous)
    previous.append(out)
  kept = [p.copy() for p in previous]
  runner(keras_tensor=X1)
  for p, k in zip(previous, kept):
    np.testing.assert_array_equal(p, k)
  result = runner(keras_tensor=X1)
  assert list(result) == ["output_0"]
  result["mine"] = 1  # the dict is the caller's too
  assert list(runner(keras_tensor=X1)) == ["output_0"]


def test_shapes_alternate_and_plans_are_bounded(dense_path):
  runner = _warm_runner(dense_path)
  batches = [1, 3, 7, 1, 3, 2, 5, 9, 11, 1, 0, 2, 0, 4]
  for batch in batches * 2:
    _check(dense_path, runner, np.full((batch, 4), batch + 0.5, np.float32))
  assert len(runner._plans) <= 4  # pylint: disable=protected-access
  # Cycling through more shapes keeps the plans (none is made per call);
  # shapes that repeat get one.
  kept = dict(runner._plans)  # pylint: disable=protected-access
  for batch in list(range(12, 20)) * 3:
    _check(dense_path, runner, np.ones((batch, 4), np.float32))
  assert runner._plans == kept  # pylint: disable=protected-access
  for _ in range(2):
    _check(dense_path, runner, np.ones((30, 4), np.float32))
  assert runner._plan.key == ((30, 4),)  # pylint: disable=protected-access
  # Tensors beyond the plans' byte budget always take the general path.
  for _ in range(2):
    _check(dense_path, runner, np.ones((70000, 4), np.float32))
  assert runner._plan is pylite.interpreter._NO_PLAN  # pylint: disable=protected-access
  _check(dense_path, runner, X1)


def test_inputs_the_general_path_takes(dense_path):
  """Values the one-call path leaves to the general one (or, compiled,
  passes as their C-order bytes): converted or copied as before, with the
  same results."""
  runner = _warm_runner(dense_path)
  x = np.arange(8, dtype=np.float32).reshape(2, 4) / 8
  want = dense_numpy(dense_path, x)
  fortran = np.asfortranarray(x)
  strided = np.zeros((2, 8), np.float32)
  strided[:, ::2] = x
  readonly = x.copy()
  readonly.flags.writeable = False
  big_endian = x.astype(">f4")
  subclass = x.view(type("Sub", (np.ndarray,), {}))
  for value in (fortran, strided[:, ::2], readonly, subclass, x):
    for _ in range(2):
      np.testing.assert_allclose(runner(keras_tensor=value)["output_0"],
                                 want, rtol=1e-5, atol=1e-5)
  with pytest.raises(ValueError, match="Cannot set tensor"):
    runner(keras_tensor=big_endian)


def test_resize_by_another_path_between_calls(dense_path):
  it = Interpreter(model_path=dense_path)
  runner = it.get_signature_runner()
  other = it.get_signature_runner()
  full = it._get_full_signature_list()["serving_default"]  # pylint: disable=protected-access
  index = full["inputs"]["keras_tensor"]
  for _ in range(2):
    _check(dense_path, runner, X1)
  # Another runner of the signature, then the interpreter, resize the
  # shared tensors; the next call resizes them back.
  _check(dense_path, other, np.ones((6, 4), np.float32))
  _check(dense_path, runner, X1)
  it.resize_tensor_input(index, [3, 4])
  it.allocate_tensors()
  out = _check(dense_path, runner, X1 * 2)
  np.testing.assert_array_equal(it.get_tensor(full["outputs"]["output_0"]),
                                out)
  it.resize_tensor_input(index, [5, 4])  # not allocated
  _check(dense_path, runner, X1 * 3)
  it.reset()
  _check(dense_path, runner, X1)


def test_outputs_of_another_shape_are_read_from_tensors(dense_path):
  """An output whose shape is not the plan's (as a model with
  data-dependent shapes does) is read from its tensor; the plan is made
  again, at most twice."""
  runner = _warm_runner(dense_path)
  for remade in (1, 2, 2):
    plan = runner._plan  # pylint: disable=protected-access
    output_shapes = plan.call.keepalive[1][2]  # pylint: disable=protected-access
    output_shapes[1] = 7  # expect 7 rows: the C call copies nothing
    _check(dense_path, runner, X1)
    assert runner._plan.remade == remade  # pylint: disable=protected-access
  _check(dense_path, runner, X1)


def test_close_and_release_with_a_plan(dense_path):
  it = Interpreter(model_path=dense_path)
  runner = it.get_signature_runner()
  runner(keras_tensor=X1)
  runner(keras_tensor=X1)
  runner.close()
  with pytest.raises(pylite.PyliteClosedError, match="runner is closed"):
    runner(keras_tensor=X1)
  runner2 = it.get_signature_runner()
  runner2(keras_tensor=X1)
  it.close()
  with pytest.raises(pylite.PyliteClosedError, match="interpreter is closed"):
    runner2(keras_tensor=X1)
  assert not it._state._handles  # pylint: disable=protected-access


def test_pickled_runner_with_a_plan(dense_path):
  runner = _warm_runner(dense_path)
  copy = pickle.loads(pickle.dumps(runner))
  for _ in range(2):
    _check(dense_path, copy, X1)
    _check(dense_path, runner, X1)


def test_one_runner_from_threads(dense_path):
  """Threads share one runner object (its plans and staging buffers),
  with their own batch sizes, then the same one."""
  runner = _warm_runner(dense_path)

  def worker(seed, fixed):
    def run():
      rng = np.random.default_rng(seed)
      for _ in range(150):
        batch = 1 if fixed else int(rng.integers(1, 6))
        x = rng.normal(size=(batch, 4)).astype(np.float32)
        _check(dense_path, runner, x)
    return run

  _run_threads([worker(s, s % 2 == 0) for s in range(4)])


def test_close_while_one_call_paths_run(dense_path):
  """Closing the interpreter or a runner while threads call warm runners
  never crashes: each call finishes or raises PyliteClosedError."""
  for close_runner in (False, True, False):
    it = Interpreter(model_path=dense_path)
    runners = [it.get_signature_runner() for _ in range(3)]
    for r in runners:
      r(keras_tensor=X1)
    started = threading.Barrier(len(runners) + 1)

    def worker(runner):
      def run():
        started.wait()
        for _ in range(300):
          try:
            runner(keras_tensor=X1)
          except pylite.PyliteClosedError:
            return
      return run

    def closer():
      started.wait()
      if close_runner:
        runners[0].close()
      it.close()

    _run_threads([worker(r) for r in runners] + [closer])
    assert it.closed and not it._state._handles  # pylint: disable=protected-access


@pytest.mark.parametrize("warm", [False, True])
def test_close_from_a_custom_op_during_the_call(warm):
  """A close on the calling thread in the middle of a call (here by a
  custom op) waits for the call to return before freeing."""
  state = {"close": False}

  def closing_add(a, b):
    if state["close"]:
      state["it"].close()
    return (a + b) * 2.0

  it = Interpreter(model_path=custom_model("my_add"),
                   custom_ops={"MyAdd": closing_add})
  state["it"] = it
  runner = it.get_signature_runner()
  a = np.array([1, 2, 3], np.float32)
  if warm:
    runner(a=a, b=a)
    runner(a=a, b=a)
  state["close"] = True
  np.testing.assert_array_equal(runner(a=a, b=a)["y"], a * 4 + 1)
  assert it.closed and not it._state._handles  # pylint: disable=protected-access
  assert it._state.pointer == ffi.NULL  # pylint: disable=protected-access
  with pytest.raises(pylite.PyliteClosedError, match="interpreter is closed"):
    runner(a=a, b=a)
