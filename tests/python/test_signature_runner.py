"""pylite.SignatureRunner: LiteRT's recorded behaviour, TF string semantics,
lifetimes and threads."""

import gc
import threading
import weakref

import numpy as np
import pytest

import pylite
from pylite import Interpreter, SignatureRunner

from conftest import (assert_array_matches, assert_outcome, dense_numpy,
                      jsonable_details)


def _runner_cases(path):
  x1 = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)

  def runner_for(key=None):
    return Interpreter(model_path=path).get_signature_runner(key)

  return {
      "runner_unknown_key": lambda: runner_for("nope"),
      "runner_empty_key": lambda: runner_for(""),
      "runner_no_inputs": lambda: runner_for()(),
      "runner_too_many_inputs": lambda: runner_for()(keras_tensor=x1, y=x1),
      "runner_wrong_name": lambda: runner_for()(y=x1),
      "runner_int32": lambda: runner_for()(keras_tensor=x1.astype(np.int32)),
      "runner_float64": lambda: runner_for()(
          keras_tensor=x1.astype(np.float64)),
      "runner_list_value": lambda: runner_for()(
          keras_tensor=[[1.0, 2.0, 3.0, 4.0]]),
      "runner_positional": lambda: runner_for()(x1),
      "runner_wrong_feature_dim": lambda: runner_for()(
          keras_tensor=np.zeros((1, 5), np.float32)),
      "runner_rank1": lambda: runner_for()(
          keras_tensor=np.zeros((4,), np.float32)),
  }


RUNNER_CASES = sorted(_runner_cases("").keys())


@pytest.mark.parametrize("name", RUNNER_CASES)
def test_bad_call_matches_litert(name, dense_path, dense_ref):
  assert_outcome(_runner_cases(dense_path)[name], dense_ref["errors"][name])


def test_every_recorded_runner_case_is_checked(dense_ref):
  recorded = {k for k in dense_ref["errors"] if k.startswith("runner_")}
  assert recorded == set(RUNNER_CASES)


def test_key_none_with_two_signatures(coding_path, coding_ref):
  it = Interpreter(model_path=coding_path)
  assert_outcome(it.get_signature_runner, coding_ref["errors"]["runner_none"])


def test_constructor_checks(dense_path):
  with pytest.raises(ValueError, match="None interpreter provided."):
    SignatureRunner(None, "serving_default")
  it = Interpreter(model_path=dense_path)
  with pytest.raises(ValueError, match="None signature_key provided."):
    SignatureRunner(it, None)
  runner = SignatureRunner(it, "serving_default")
  assert runner.signature_key == "serving_default"


# ---- dense.tflite ------------------------------------------------------------------


def test_runner_outputs_match_litert(dense_path, dense_ref):
  runner = Interpreter(model_path=dense_path).get_signature_runner()
  for case in dense_ref["runner_cases"]:
    out = runner(keras_tensor=np.array(case["input"], dtype=np.float32))
    assert list(out) == list(case["outputs"])
    for name, record in case["outputs"].items():
      assert type(out[name]).__name__ == case["output_types"][name]
      assert_array_matches(out[name], record)


def test_runner_details_match_litert(dense_path, coding_path, dense_ref,
                                     coding_ref):
  for path, ref in ((dense_path, dense_ref), (coding_path, coding_ref)):
    it = Interpreter(model_path=path)
    for key, details in ref["runner_details"].items():
      runner = it.get_signature_runner(key)
      got_in = {n: jsonable_details(d)
                for n, d in runner.get_input_details().items()}
      got_out = {n: jsonable_details(d)
                 for n, d in runner.get_output_details().items()}
      assert got_in == details["inputs"]
      assert got_out == details["outputs"]
      assert list(got_in) == list(details["inputs"])


@pytest.mark.parametrize("batch", [1, 3, 10, 257])
def test_runner_matches_numpy(dense_path, batch):
  runner = Interpreter(model_path=dense_path).get_signature_runner(
      "serving_default")
  x = np.random.default_rng(100 + batch).uniform(
      -5, 5, size=(batch, 4)).astype(np.float32)
  out = runner(keras_tensor=x)["output_0"]
  assert out.shape == (batch, 1)
  np.testing.assert_allclose(out, dense_numpy(dense_path, x), rtol=1e-5,
                             atol=1e-5)


def test_runner_changes_batch_between_calls(dense_path):
  runner = Interpreter(model_path=dense_path).get_signature_runner()
  for batch in (4, 1, 9, 2, 9):
    x = np.full((batch, 4), batch, np.float32)
    out = runner(keras_tensor=x)["output_0"]
    np.testing.assert_allclose(out, dense_numpy(dense_path, x), rtol=1e-5)


def test_runner_outputs_are_copies(dense_path):
  runner = Interpreter(model_path=dense_path).get_signature_runner()
  x = np.ones((1, 4), np.float32)
  first = runner(keras_tensor=x)["output_0"]
  kept = first.copy()
  runner(keras_tensor=np.zeros((1, 4), np.float32))
  np.testing.assert_array_equal(first, kept)


def test_runner_shares_tensors_with_interpreter(dense_path):
  it = Interpreter(model_path=dense_path)
  runner = it.get_signature_runner()
  x = np.array([[0.5, 1.5, -2.0, 3.0]], np.float32)
  out = runner(keras_tensor=x)["output_0"]
  full = it._get_full_signature_list()["serving_default"]  # pylint: disable=protected-access
  np.testing.assert_array_equal(it.get_tensor(full["inputs"]["keras_tensor"]),
                                x)
  np.testing.assert_array_equal(it.get_tensor(full["outputs"]["output_0"]),
                                out)


def test_each_call_returns_a_new_runner(dense_path):
  it = Interpreter(model_path=dense_path)
  a, b = it.get_signature_runner(), it.get_signature_runner()
  assert a is not b
  x = np.ones((2, 4), np.float32)
  np.testing.assert_array_equal(a(keras_tensor=x)["output_0"],
                                b(keras_tensor=x)["output_0"])


def test_placeholder_runner(nosig_bytes, dense_path, dense_ref):
  """pylite extension: a model without signatures has a placeholder runner
  over subgraph 0 whose names are the tensor names."""
  it = Interpreter(model_content=nosig_bytes)
  assert it.get_signature_list() == {}
  runner = it.get_signature_runner()
  assert runner.signature_key == pylite.PLACEHOLDER_SIGNATURE_KEY
  details = it.get_input_details()[0]
  in_details = runner.get_input_details()
  assert list(in_details) == [details["name"]]
  assert jsonable_details(in_details[details["name"]]) == \
      jsonable_details(details)
  out_name = it.get_output_details()[0]["name"]
  assert list(runner.get_output_details()) == [out_name]
  x = np.array([[1.0, 2.0, 3.0, 4.0]], np.float32)
  out = runner(**{details["name"]: x})
  assert_array_matches(out[out_name], dense_ref["nosig"]["invoke_output"])
  x3 = np.arange(12, dtype=np.float32).reshape(3, 4)
  np.testing.assert_allclose(runner(**{details["name"]: x3})[out_name],
                             dense_numpy(dense_path, x3), rtol=1e-5)
  explicit = it.get_signature_runner(pylite.PLACEHOLDER_SIGNATURE_KEY)
  assert list(explicit.get_input_details()) == [details["name"]]


def test_placeholder_key_is_not_valid_with_signatures(dense_path):
  it = Interpreter(model_path=dense_path)
  with pytest.raises(ValueError, match="Invalid signature_key provided"):
    it.get_signature_runner(pylite.PLACEHOLDER_SIGNATURE_KEY)


# ---- coding.tflite: strings ----------------------------------------------------------


def test_encode_formats_like_tf(coding_path):
  encode = Interpreter(model_path=coding_path).get_signature_runner("encode")
  out = encode(x=np.array([1.0, 2.5, -3.0, 0.0, 1e6], np.float32))
  result = out["encoded_result"]
  assert result.dtype == object and result.shape == (5,)
  assert list(result) == [b"1.000000", b"2.500000", b"-3.000000",
                          b"0.000000", b"1000000.000000"]
  assert all(type(v) is bytes for v in result)  # pylint: disable=unidiomatic-typecheck


def test_decode_parses_like_tf(coding_path):
  decode = Interpreter(model_path=coding_path).get_signature_runner("decode")
  out = decode(x=np.array([b"1.5", b"2", b"-7e3", b"0.125"]))
  np.testing.assert_array_equal(out["decoded_result"],
                                np.array([1.5, 2, -7000, 0.125], np.float32))
  assert out["decoded_result"].dtype == np.float32


@pytest.mark.parametrize("value", [
    np.array(["1.25", "-2"]),                      # numpy str
    np.array([b"1.25", b"-2"]),                    # numpy bytes
    np.array(["1.25", b"-2"], dtype=object),       # object: str and bytes
    np.array([b"1.25", b"-2"], dtype=object),
])
def test_decode_accepts_str_bytes_and_objects(coding_path, value):
  decode = Interpreter(model_path=coding_path).get_signature_runner("decode")
  np.testing.assert_array_equal(decode(x=value)["decoded_result"],
                                [1.25, -2.0])


def test_string_round_trip(coding_path):
  it = Interpreter(model_path=coding_path)
  encode = it.get_signature_runner("encode")
  decode = it.get_signature_runner("decode")
  rng = np.random.default_rng(7)
  for n in (1, 2, 17, 100):
    # Values with at most 6 decimals survive "%f" exactly (as float32).
    x = (rng.integers(-10**6, 10**6, size=n) / 64).astype(np.float32)
    encoded = encode(x=x)["encoded_result"]
    assert encoded.shape == (n,)
    np.testing.assert_array_equal(decode(x=encoded)["decoded_result"], x)


def test_string_interpreter_api(coding_path):
  """set_tensor/get_tensor on string tensors of subgraph 0 (decode)."""
  it = Interpreter(model_path=coding_path)
  assert it.get_signature_runner("decode")._subgraph_index == 0  # pylint: disable=protected-access
  in_index = it.get_input_details()[0]["index"]
  out_index = it.get_output_details()[0]["index"]
  assert it.get_input_details()[0]["dtype"] is np.bytes_
  it.resize_tensor_input(in_index, [3])
  it.allocate_tensors()
  it.set_tensor(in_index, np.array([b"1", b"2.5", b"-4"]))
  got = it.get_tensor(in_index)
  assert got.dtype == object
  assert list(got) == [b"1", b"2.5", b"-4"]
  it.invoke()
  np.testing.assert_array_equal(it.get_tensor(out_index), [1, 2.5, -4])
  with pytest.raises(ValueError, match="Dimension mismatch"):
    it.set_tensor(in_index, np.array([b"1"]))


def test_string_input_type_errors(coding_path):
  it = Interpreter(model_path=coding_path)
  decode = it.get_signature_runner("decode")
  with pytest.raises(ValueError, match="Cannot set tensor: Got value of type "
                     "FLOAT32 but expected type STRING"):
    decode(x=np.array([1.0], np.float32))
  with pytest.raises(pylite.PyliteValueError):
    decode(x=np.array([1, 2], dtype=object))
  encode = it.get_signature_runner("encode")
  with pytest.raises(ValueError, match="Got value of type STRING but "
                     "expected type FLOAT32"):
    encode(x=np.array(["1.0"]))


# ---- lifetimes ----------------------------------------------------------------------


def test_runner_keeps_interpreter_alive(dense_path):
  it = Interpreter(model_path=dense_path)
  ref = weakref.ref(it)
  runner = it.get_signature_runner()
  del it
  gc.collect()
  assert ref() is not None
  x = np.ones((2, 4), np.float32)
  np.testing.assert_allclose(runner(keras_tensor=x)["output_0"],
                             dense_numpy(dense_path, x), rtol=1e-5)
  del runner
  gc.collect()
  assert ref() is None


def test_runner_after_interpreter_close(dense_path):
  it = Interpreter(model_path=dense_path)
  runner = it.get_signature_runner()
  runner(keras_tensor=np.ones((1, 4), np.float32))
  it.close()
  with pytest.raises(pylite.PyliteClosedError):
    runner(keras_tensor=np.ones((1, 4), np.float32))
  with pytest.raises(RuntimeError, match="closed"):
    runner.get_input_details()
  with pytest.raises(RuntimeError):
    it.get_signature_runner()
  runner.close()  # still fine
  del runner
  gc.collect()


def test_runner_close(dense_path):
  it = Interpreter(model_path=dense_path)
  with it.get_signature_runner() as runner:
    runner(keras_tensor=np.ones((1, 4), np.float32))
  runner.close()
  with pytest.raises(pylite.PyliteClosedError, match="runner is closed"):
    runner(keras_tensor=np.ones((1, 4), np.float32))
  # The interpreter and new runners are unaffected.
  it.get_signature_runner()(keras_tensor=np.ones((1, 4), np.float32))


@pytest.mark.parametrize("order", ["runner_first", "interpreter_first",
                                   "close_then_runner", "cycle"])
def test_any_deletion_order(dense_path, order):
  it = Interpreter(model_path=dense_path)
  runners = [it.get_signature_runner() for _ in range(3)]
  for r in runners:
    r(keras_tensor=np.ones((1, 4), np.float32))
  if order == "runner_first":
    del runners
    del it
  elif order == "interpreter_first":
    del it
    gc.collect()
    runners[0](keras_tensor=np.ones((1, 4), np.float32))
    del runners
  elif order == "close_then_runner":
    it.close()
    del it
    del runners
  else:
    it.cycle = runners  # a reference cycle through the interpreter
    del runners
    del it
  gc.collect()


def test_native_runners_are_released(dense_path):
  it = Interpreter(model_path=dense_path)
  state = it._state  # pylint: disable=protected-access
  base = len(state._handles)  # pylint: disable=protected-access
  for _ in range(100):
    it.get_signature_runner()(keras_tensor=np.ones((1, 4), np.float32))
  gc.collect()
  assert len(state._handles) == base  # pylint: disable=protected-access
  kept = [it.get_signature_runner() for _ in range(5)]
  assert len(state._handles) == base + 5  # pylint: disable=protected-access
  it.close()
  assert not state._handles  # pylint: disable=protected-access
  del kept


# ---- threads ------------------------------------------------------------------------


def _run_threads(workers):
  errors = []

  def wrap(fn):
    def run():
      try:
        fn()
      except BaseException as e:  # pylint: disable=broad-except
        errors.append(e)
    return run

  threads = [threading.Thread(target=wrap(w)) for w in workers]
  for t in threads:
    t.start()
  for t in threads:
    t.join()
  if errors:
    raise errors[0]


def test_different_signatures_in_parallel_threads(coding_path):
  it = Interpreter(model_path=coding_path)
  encode = it.get_signature_runner("encode")
  decode = it.get_signature_runner("decode")

  def encoder():
    for i in range(200):
      n = 1 + i % 13
      x = np.arange(n, dtype=np.float32) + i
      got = encode(x=x)["encoded_result"]
      assert list(got) == [b"%f" % v for v in x]

  def decoder():
    for i in range(200):
      n = 1 + i % 11
      x = np.array([str(i + j / 4) for j in range(n)])
      got = decode(x=x)["decoded_result"]
      np.testing.assert_array_equal(got, x.astype(np.float32))

  _run_threads([encoder, decoder, encoder, decoder])


def test_same_signature_from_threads_is_serialized(dense_path):
  it = Interpreter(model_path=dense_path)

  def worker(seed):
    def run():
      runner = it.get_signature_runner()  # its own runner, same signature
      rng = np.random.default_rng(seed)
      for _ in range(100):
        batch = int(rng.integers(1, 20))
        x = rng.normal(size=(batch, 4)).astype(np.float32)
        got = runner(keras_tensor=x)["output_0"]
        np.testing.assert_allclose(got, dense_numpy(dense_path, x),
                                   rtol=1e-5, atol=1e-5)
    return run

  _run_threads([worker(s) for s in range(4)])


def test_close_while_other_threads_run(dense_path):
  """Closing from one thread while others call runners never crashes: the
  calls either finish or raise PyliteClosedError."""
  for _ in range(5):
    it = Interpreter(model_path=dense_path)
    runners = [it.get_signature_runner() for _ in range(3)]
    started = threading.Barrier(len(runners) + 1)

    def worker(runner):
      def run():
        started.wait()
        for _ in range(200):
          try:
            runner(keras_tensor=np.ones((3, 4), np.float32))
          except pylite.PyliteClosedError:
            return
      return run

    def closer():
      started.wait()
      it.close()

    _run_threads([worker(r) for r in runners] + [closer])
    assert it.closed
