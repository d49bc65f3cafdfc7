"""``pylite bench MODEL``: timing and memory of one signature, in the manner
of LiteRT's ``benchmark_model``.

Reported: init time (load and verify the model, build the interpreter,
allocate the signature's tensors), the first run, then ``--runs`` timed runs
after ``--warmup`` untimed ones (min, median, p90, mean, max), the peak
resident memory of the process (``getrusage``'s ``ru_maxrss``) next to its
value before the model was loaded, and the arena bytes the planner chose.

The timed runs call the C invoke directly (inputs stay in place between
runs, as in ``benchmark_model``), so Python's copying of inputs and outputs
is not measured. ``--profile`` turns on the core's per-node timing
(``PyliteInterpreterSetProfiling``) for the timed runs and prints a per-node
and a per-op table.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, TextIO

import numpy as np

from pylite._ffi import ffi, last_error, lib
from pylite.cli._common import (CliError, Native, choose_signature,
                                describe_array, format_bytes, make_inputs,
                                one_line, open_interpreter,
                                parse_input_specs, read_model)
from pylite.errors import PyliteError

try:
  import resource
except ImportError:  # not on Windows
  resource = None  # type: ignore[assignment]


def _max_rss_bytes() -> Optional[int]:
  if resource is None:
    return None
  peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
  # Linux reports KiB, macOS bytes.
  return int(peak) if sys.platform == "darwin" else int(peak) * 1024


class _Progress:
  """A one-line progress bar on stderr, for runs long enough to need one."""

  def __init__(self, total: int, enabled: bool, label: str) -> None:
    self.total = total
    self.enabled = enabled and total > 0
    self.label = label
    self._last = 0.0

  def update(self, done: int) -> None:
    if not self.enabled:
      return
    now = time.monotonic()
    if done < self.total and now - self._last < 0.1:
      return
    self._last = now
    width = 30
    filled = width * done // self.total
    sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}]"
                     f" {done}/{self.total}")
    sys.stderr.flush()

  def close(self) -> None:
    if self.enabled:
      sys.stderr.write("\r" + " " * (len(self.label) + 50) + "\r")
      sys.stderr.flush()


def _invoke(native: Native, what: str) -> None:
  with native.call():
    lib.PyliteClearLastError()
    if lib.TfLiteSignatureRunnerInvoke(native.handle) != 0:
      raise CliError(f"{what} failed: {one_line(last_error() or 'invoke')}")


def _profile(native: Native, runs: int) -> List[Dict[str, Any]]:
  """Per node of every subgraph: op, node index, total ns, runs."""
  rows = []
  total_ns = ffi.new("int64_t*")
  count = ffi.new("int64_t*")
  for sg in range(lib.PyliteInterpreterGetSubgraphCount(native.interpreter)):
    for node in range(max(lib.PyliteInterpreterGetNodeCount(
        native.interpreter, sg), 0)):
      if not lib.PyliteInterpreterGetNodeProfile(native.interpreter, sg, node,
                                                 total_ns, count):
        continue
      if count[0] == 0:
        continue
      name = lib.PyliteInterpreterGetNodeOpName(native.interpreter, sg, node)
      rows.append({"subgraph": sg, "node": node,
                   "op": ffi.string(name).decode() if name != ffi.NULL
                   else "?",
                   "total_ms": total_ns[0] / 1e6, "calls": int(count[0]),
                   "avg_ms": total_ns[0] / 1e6 / max(runs, 1)})
  # Shares are of the signature's own nodes: nodes of other subgraphs run
  # inside a control-flow node (IF, WHILE, CALL_ONCE) and are counted there.
  top = sum(r["total_ms"] for r in rows if r["subgraph"] == native.subgraph)
  for r in rows:
    r["share"] = r["total_ms"] / top if top > 0 else 0.0
  rows.sort(key=lambda r: -r["total_ms"])
  return rows


def _by_op(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
  """Rows summed by op over every subgraph (so an op inside a WHILE body
  counts there and in the WHILE)."""
  ops: Dict[str, Dict[str, Any]] = {}
  for r in rows:
    e = ops.setdefault(r["op"], {"op": r["op"], "nodes": 0, "avg_ms": 0.0,
                                 "share": 0.0})
    e["nodes"] += 1
    e["avg_ms"] += r["avg_ms"]
    e["share"] += r["share"]
  return sorted(ops.values(), key=lambda e: -e["avg_ms"])


def _stats(times_ms: Sequence[float]) -> Dict[str, float]:
  a = np.asarray(times_ms, dtype=np.float64)
  return {"min_ms": float(a.min()), "median_ms": float(np.median(a)),
          "p90_ms": float(np.percentile(a, 90)), "mean_ms": float(a.mean()),
          "max_ms": float(a.max()),
          "std_ms": float(a.std())}


def _timed(fn: Any) -> float:
  start = time.perf_counter()
  fn()
  return (time.perf_counter() - start) * 1e3


def bench(path: str, signature: Optional[str], input_specs: Sequence[str],
          num_threads: Optional[int], runs: int, warmup: int, profile: bool,
          seed: Optional[int], progress: Optional[bool]) -> Dict[str, Any]:
  if runs < 1:
    raise CliError("--runs must be at least 1")
  if warmup < 0:
    raise CliError("--warmup must not be negative")
  if num_threads is not None and num_threads < 1:
    raise CliError("--threads must be at least 1")
  specs = parse_input_specs(input_specs)
  rss_before = _max_rss_bytes()

  start = time.perf_counter()
  data = read_model(path)
  load_ms = (time.perf_counter() - start) * 1e3
  start = time.perf_counter()
  interpreter = open_interpreter(path, data, num_threads)
  create_ms = (time.perf_counter() - start) * 1e3
  try:
    runner = choose_signature(interpreter, signature)
    inputs, origins = make_inputs(runner, specs, seed)
    native = Native(interpreter, runner)

    def allocate() -> None:
      with native.call():
        for name, value in inputs.items():
          dims = [int(d) for d in value.shape]
          lib.PyliteClearLastError()
          if lib.PyliteSignatureRunnerResizeInput(
              native.handle, name.encode(), ffi.new("int[]", dims),
              len(dims), False) != 0:
            raise CliError(f"resizing input '{name}' failed: "
                           f"{one_line(last_error())}")
        lib.PyliteClearLastError()
        if lib.TfLiteSignatureRunnerAllocateTensors(native.handle) != 0:
          raise CliError(f"allocating tensors failed: "
                         f"{one_line(last_error())}")
    allocate_ms = _timed(allocate)

    def first_run() -> None:
      try:
        runner(**inputs)  # copies the inputs in; they stay for the runs
      except PyliteError as e:
        raise CliError(f"the first run failed: {one_line(e)}") from None
    first_ms = _timed(first_run)

    show = progress if progress is not None else (
        sys.stderr.isatty() and first_ms * (runs + warmup) > 2000)
    bar = _Progress(runs + warmup, bool(show), "running")
    for i in range(warmup):
      _invoke(native, "a warmup run")
      bar.update(i + 1)
    if profile:
      lib.PyliteInterpreterSetProfiling(native.interpreter, True)
    times = []
    try:
      for i in range(runs):
        start = time.perf_counter()
        _invoke(native, "a timed run")
        times.append((time.perf_counter() - start) * 1e3)
        bar.update(warmup + i + 1)
    finally:
      bar.close()
    rows = _profile(native, runs) if profile else []
    if profile:
      lib.PyliteInterpreterSetProfiling(native.interpreter, False)
    arena = 0
    for sg in range(lib.PyliteInterpreterGetSubgraphCount(native.interpreter)):
      arena += max(int(lib.PyliteInterpreterGetArenaBytes(native.interpreter,
                                                          sg)), 0)
    result: Dict[str, Any] = {
        "model": path,
        "model_bytes": len(data),
        "signature": runner.signature_key,
        "subgraph": native.subgraph,
        "threads": num_threads,
        "inputs": {n: {"source": origins[n], "type": describe_array(a)}
                   for n, a in inputs.items()},
        "init_ms": load_ms + create_ms + allocate_ms,
        "load_ms": load_ms,
        "interpreter_ms": create_ms,
        "allocate_ms": allocate_ms,
        "first_run_ms": first_ms,
        "warmup_runs": warmup,
        "runs": runs,
        "latency": _stats(times),
        "peak_rss_bytes": _max_rss_bytes(),
        "rss_before_load_bytes": rss_before,
        "arena_bytes": arena,
    }
    if profile:
      result["profile"] = rows
      result["profile_by_op"] = _by_op(rows)
    runner.close()
    return result
  finally:
    interpreter.close()


def _ms(value: float) -> str:
  if value < 1:
    return f"{value * 1e3:.1f} us"
  return f"{value:.3f} ms" if value < 100 else f"{value:.1f} ms"


def print_text(r: Dict[str, Any], out: TextIO) -> None:
  w = out.write
  threads = r["threads"] if r["threads"] is not None else "default"
  w(f"model: {r['model']} ({format_bytes(r['model_bytes'])})\n")
  w(f"signature: '{r['signature']}' (subgraph {r['subgraph']}), threads: "
    f"{threads}\n")
  for name, i in r["inputs"].items():
    w(f"input {name}: {i['type']} from {i['source']}\n")
  w(f"init: {_ms(r['init_ms'])} (load {_ms(r['load_ms'])}, interpreter "
    f"{_ms(r['interpreter_ms'])}, allocate {_ms(r['allocate_ms'])})\n")
  w(f"first run: {_ms(r['first_run_ms'])}\n")
  s = r["latency"]
  w(f"{r['runs']} runs after {r['warmup_runs']} warmup: min "
    f"{_ms(s['min_ms'])}, median {_ms(s['median_ms'])}, p90 "
    f"{_ms(s['p90_ms'])}, mean {_ms(s['mean_ms'])}, max "
    f"{_ms(s['max_ms'])}\n")
  if r["peak_rss_bytes"] is not None:
    before = r["rss_before_load_bytes"] or 0
    w(f"peak memory: {format_bytes(r['peak_rss_bytes'])} max RSS "
      f"({format_bytes(before)} before loading the model); arena "
      f"{format_bytes(r['arena_bytes'])}\n")
  else:
    w(f"arena: {format_bytes(r['arena_bytes'])}\n")
  if "profile" not in r:
    return
  rows = r["profile"]
  width = max([len(x["op"]) for x in rows] + [2])
  w(f"\nper node (average per run over {r['runs']} runs; share of the "
    f"signature's nodes):\n")
  w(f"  {'op':{width}s}  {'subgraph':>8s}  {'node':>5s}  {'time':>12s}  "
    f"{'share':>6s}\n")
  for x in rows:
    w(f"  {x['op']:{width}s}  {x['subgraph']:8d}  {x['node']:5d}  "
      f"{_ms(x['avg_ms']):>12s}  {100 * x['share']:5.1f}%\n")
  nested = sorted({x["subgraph"] for x in rows} - {r["subgraph"]})
  if nested:
    w(f"  (subgraph(s) {', '.join(str(n) for n in nested)} run inside "
      "control-flow nodes, whose time includes theirs)\n")
  w("\nper op (summed over nodes):\n")
  w(f"  {'op':{width}s}  {'nodes':>5s}  {'time':>12s}  {'share':>6s}\n")
  for x in r["profile_by_op"]:
    w(f"  {x['op']:{width}s}  {x['nodes']:5d}  {_ms(x['avg_ms']):>12s}  "
      f"{100 * x['share']:5.1f}%\n")


def run(path: str, signature: Optional[str], input_specs: Sequence[str],
        num_threads: Optional[int], runs: int, warmup: int, profile: bool,
        seed: Optional[int], progress: Optional[bool], as_json: bool,
        out: TextIO) -> int:
  result = bench(path, signature, input_specs, num_threads, runs, warmup,
                 profile, seed, progress)
  if as_json:
    json.dump(result, out, indent=2)
    out.write("\n")
  else:
    print_text(result, out)
  return 0
