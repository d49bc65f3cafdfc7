"""Concurrency and cancellation through the Python API (issue 7).

Thousands of mixed calls from a thread pool on signatures of one interpreter
(encode/decode of the guide's model; add/loop/read of the counter model,
which share a tf.Variable): every result is checked. And cancel() stops a
long invoke running on another thread.
"""
import concurrent.futures
import os
import threading
import time

import numpy as np
import pytest

import pylite

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
CODING = os.path.join(ROOT, "examples", "models", "coding.tflite")
COUNTER = os.path.join(ROOT, "tests", "data", "state", "counter.tflite")
BRANCH = os.path.join(ROOT, "tests", "data", "state", "branch.tflite")


def test_thread_pool_mixed_calls():
  coding = pylite.Interpreter(model_path=CODING)
  counter = pylite.Interpreter(model_path=COUNTER)
  adds = 400

  def call(i):
    kind = i % 4
    if kind == 0:
      out = coding.get_signature_runner("encode")(
          x=np.array([i, i + 0.5], np.float32))["encoded_result"]
      return list(out) == [b"%.6f" % i, b"%.6f" % (i + 0.5)]
    if kind == 1:
      out = coding.get_signature_runner("decode")(
          x=np.array([str(i), "-2.5"], dtype=object))["decoded_result"]
      return out.tolist() == [float(i), -2.5]
    if kind == 2:
      counter.get_signature_runner("add")(x=np.ones(3, np.float32))
      return True
    y = counter.get_signature_runner("loop")(x=np.array([i], np.float32))["y"]
    return y.tolist() == [i * f for f in (1, 2, 2, 4, 2, 4, 4, 8)]

  with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
    results = list(pool.map(call, range(4 * adds)))
  assert all(results), results.count(False)
  value = counter.get_signature_runner("read")()["value"]
  np.testing.assert_array_equal(value, [0.5 + adds] * 3)


def test_cancel_stops_a_long_invoke():
  interp = pylite.Interpreter(model_path=BRANCH)
  nested = interp.get_signature_runner("nested")
  assert nested(n=np.int32(20))["total"] == sum(j for i in range(20)
                                                for j in range(i))
  outcome = {}

  def long_call():
    start = time.monotonic()
    try:
      nested(n=np.int32(100000))  # about 5e9 inner iterations
      outcome["result"] = "finished"
    except pylite.PyliteCancelledError as e:
      outcome["result"] = "cancelled"
      outcome["message"] = str(e)
    outcome["seconds"] = time.monotonic() - start

  thread = threading.Thread(target=long_call)
  thread.start()
  time.sleep(0.3)
  interp.cancel()
  thread.join(timeout=30)
  assert not thread.is_alive()
  assert outcome["result"] == "cancelled"
  assert "cancel" in outcome["message"].lower()
  # Still usable.
  assert nested(n=np.int32(5))["total"] == 10
  interp.close()
  with pytest.raises(pylite.PyliteClosedError):
    interp.cancel()
