"""Rows/s of pylite on Ray Data against a plain loop in one process.

    make bench-ray [BENCH_RAY_ARGS="--rows 20000 --repeat 3"]
    python benchmarks/ray_throughput.py [--rows N] [--batch-size B]
        [--repeat R] [--model PATH]

The model is tests/data/ray/mobilenet_tiny.tflite (32x32x3 float32 images,
a small MobileNetV2-style network); the rows are random images from a fixed
seed. Configurations, each timed --repeat times (best kept):

- loop, 1 thread:  one interpreter, one signature runner, a Python loop over
  batches of --batch-size rows (the baseline);
- loop, 2 threads: the same with num_threads=2 (pylite's own threads);
- ray, 1 actor / 2 actors: pylite.ray.predict on a local Ray cluster
  (ray.init(num_cpus=2), started once, not timed), num_threads=1 per actor,
  over a dataset materialized in the object store beforehand; timed from
  the call to the last row consumed, so actor start-up is included;
- ray, 2 actors, no model: the same pipeline with a pass-through function
  instead of the model: what Ray's data movement alone costs.

Prints a Markdown table and the ratios to the baseline, measured in the same
run (the machine may be shared, so only same-run ratios mean anything). For
Ray it also times a dataset of one batch per actor (actor start-up, model
load and one batch) and the rate of the remaining rows once that is paid.
"""
import argparse
import logging
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import pylite  # pylint: disable=wrong-import-position

DEFAULT_MODEL = os.path.join(ROOT, "tests", "data", "ray",
                             "mobilenet_tiny.tflite")


def time_loop(model, x, batch_size, num_threads):
  runner = pylite.Interpreter(model_path=model,
                              num_threads=num_threads).get_signature_runner()
  (name,) = runner.get_input_details()
  start = time.perf_counter()
  rows = 0
  for i in range(0, len(x), batch_size):
    out = runner(**{name: x[i:i + batch_size]})
    rows += len(next(iter(out.values())))
  assert rows == len(x)
  return time.perf_counter() - start


def time_ray(ray, dataset, model, rows, batch_size, actors):
  import pylite.ray  # pylint: disable=import-outside-toplevel
  start = time.perf_counter()
  scored = pylite.ray.predict(dataset, model, inputs={"pixels": "image"},
                              batch_size=batch_size, concurrency=actors)
  seen = 0
  for batch in scored.iter_batches(batch_format="numpy", batch_size=None):
    seen += len(batch["output_0"])
  assert seen == rows, (seen, rows)
  return time.perf_counter() - start


class PassThrough:
  """The same data movement as predict() without a model: the batch plus a
  float32 column of the output's shape."""

  def __call__(self, batch):
    batch["output_0"] = np.zeros((len(batch["id"]), 10), np.float32)
    return batch


def time_pass_through(ray, dataset, rows, batch_size, actors):
  start = time.perf_counter()
  moved = dataset.map_batches(PassThrough, batch_size=batch_size,
                              batch_format="numpy",
                              compute=ray.data.ActorPoolStrategy(size=actors))
  seen = sum(len(b["output_0"]) for b in moved.iter_batches(
      batch_format="numpy", batch_size=None))
  assert seen == rows, (seen, rows)
  return time.perf_counter() - start


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--rows", type=int, default=20000)
  parser.add_argument("--batch-size", type=int, default=256)
  parser.add_argument("--repeat", type=int, default=3)
  parser.add_argument("--model", default=DEFAULT_MODEL)
  args = parser.parse_args()

  x = np.random.default_rng(1).random((args.rows, 32, 32, 3),
                                      dtype=np.float32)
  results = {}

  startup = {}  # label -> seconds to score a single batch per actor

  def best(label, run):
    times = [run() for _ in range(args.repeat)]
    results[label] = args.rows / min(times)
    print(f"  {label}: {results[label]:,.0f} rows/s "
          f"(best of {[round(t, 2) for t in times]} s)", flush=True)
    return min(times)

  print(f"{args.rows} rows of 32x32x3, batches of {args.batch_size}, "
        f"{os.cpu_count()} CPUs")
  best("loop, 1 thread",
       lambda: time_loop(args.model, x, args.batch_size, 1))
  best("loop, 2 threads",
       lambda: time_loop(args.model, x, args.batch_size, 2))

  import ray  # pylint: disable=import-outside-toplevel
  import ray.data  # pylint: disable=import-outside-toplevel
  os.environ.setdefault("PYLITE_LIBRARY", pylite.library_path)
  os.environ["PYTHONPATH"] = os.pathsep.join(
      p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
  ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
           _node_ip_address="127.0.0.1",  # loopback only
           logging_level="ERROR")
  try:
    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    dataset = ray.data.from_items(
        [{"id": i, "pixels": row} for i, row in enumerate(x)]).materialize()
    with open(args.model, "rb") as f:
      model = f.read()
    for actors in (1, 2):
      label = f"ray, {actors} actor{'s' if actors > 1 else ''}"
      tiny_rows = args.batch_size * actors
      tiny = ray.data.from_items(
          [{"id": i, "pixels": row}
           for i, row in enumerate(x[:tiny_rows])]).materialize()
      first = min(time_ray(ray, tiny, model, tiny_rows, args.batch_size,
                           actors) for _ in range(args.repeat))
      total = best(label, lambda a=actors: time_ray(
          ray, dataset, model, args.rows, args.batch_size, a))
      if total > first:
        startup[label] = (first, (args.rows - tiny_rows) / (total - first))
    best("ray, 2 actors, no model (data movement only)",
         lambda: time_pass_through(ray, dataset, args.rows, args.batch_size,
                                   2))
  finally:
    ray.shutdown()

  base = results["loop, 1 thread"]
  print("\n| configuration | rows/s | vs loop, 1 thread | start-up, first "
        "batch (s) | rows/s after it |")
  print("|---|---:|---:|---:|---:|")
  for label, rate in results.items():
    first, steady = startup.get(label, (None, None))
    extra = (f"{first:.2f} | {steady:,.0f}" if first is not None
             else "- | -")
    print(f"| {label} | {rate:,.0f} | {rate / base:.2f}x | {extra} |")


if __name__ == "__main__":
  main()
