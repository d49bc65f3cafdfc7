"""pylite soak, Python: pylite.Interpreter loads, runs and frees every model
of a list until SECONDS have passed. Usage: soak.py MODEL_LIST SECONDS"""
import sys
import time

import numpy as np

import pylite


def fill(detail):
  shape = [int(d) for d in detail["shape"]]
  dtype = detail["dtype"]
  if dtype in (np.bytes_, np.object_, np.str_):
    return np.full(shape, b"1", dtype=object)
  return np.zeros(shape, dtype=dtype)


def run_model(path):
  invokes = 0
  interp = pylite.Interpreter(model_path=path)
  try:
    keys = list(interp.get_signature_list()) or [None]
    for key in keys:
      try:
        runner = interp.get_signature_runner(key)
        inputs = {n: fill(d) for n, d in runner.get_input_details().items()}
        outputs = runner(**inputs)
        invokes += 1
        for value in outputs.values():
          np.asarray(value).nbytes  # touch the copies
      except Exception:  # the suite's negative cases fail by design
        pass
  finally:
    interp.close()
  return invokes


def main():
  paths = [p for p in open(sys.argv[1]).read().split("\n") if p]
  end = time.monotonic() + float(sys.argv[2])
  runs = invokes = 0
  while time.monotonic() < end:
    for path in paths:
      if time.monotonic() >= end:
        break
      try:
        invokes += run_model(path)
      except Exception:
        pass
      runs += 1
  print(f"soak python: {runs} model runs, {invokes} invokes")


if __name__ == "__main__":
  main()
