"""pylite against LiteRT, side by side (dev-only: needs ai-edge-litert).

    PYLITE_LIBRARY=build-bench/libpylite.so \\
      /work/tfenv/bin/python benchmarks/compare.py [--quick] [--threads 1,2]
        [--only NAME,...] [--rounds N] [--warmup N] [--out FILE]
        [--update-readme FILE]

For each benchmark model (the ones benchmarks/make_models.py writes to
benchmarks/models/, plus the conformance suite's whole models when the suite
has them) it loads the model in pylite and in LiteRT twice, with its default
kernels (XNNPACK) and with its own builtin kernels
(BUILTIN_WITHOUT_DEFAULT_DELEGATES), all in this one process, feeds the three
the same inputs, and times `invoke()` in alternating rounds (warm-up, then
pylite, XNNPACK, builtin, pylite, ...), at each thread count. Reported per
model: the median time per invoke and the ratio pylite / LiteRT, and the
geometric mean of the ratios over the float, the int8 and the 16x8/hybrid
models.

Then, each runtime in its own child process (so that one's memory does not
count for the other): init time (load + allocate), peak RSS growth over the
process after its imports, and pylite's arena bytes. Last, the full cost of
one Python signature-runner call (resize, allocate, copy in, invoke, copy
out) on the guide's Keras Dense model.

A model that pylite cannot run (an op it lacks, a quantized type) is a row
saying why, not a crash. The tables go to stdout (and --out, --json); with
--update-readme FILE they replace the lines between the marker lines
`<!-- benchmarks:begin -->` and `<!-- benchmarks:end -->` in FILE (`make
bench` does this for benchmarks/README.md and README.md).
"""
import argparse
import datetime
import glob
import importlib.metadata
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time

# numpy's BLAS threads busy-wait after each call and would take a core from
# whichever runtime is being timed; nothing here needs them.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
  os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402 (after the thread settings above)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS_DIR = os.path.join(HERE, "models")
DENSE_MODEL = os.path.join(ROOT, "examples", "models", "dense.tflite")
MANIFEST = os.path.join(ROOT, "tests", "conformance", "manifest.json")
# Groups of the conformance manifest that hold whole models (not single ops);
# --conformance-groups overrides.
WHOLE_MODEL_GROUPS = ("models", "qmodels")
SEED = 1234

# The three contestants. "xnnpack" is LiteRT's default resolver (AUTO), which
# applies the XNNPACK delegate; "builtin" is LiteRT's own kernels alone.
RUNTIMES = ("pylite", "xnnpack", "builtin")
LABELS = {"pylite": "pylite", "xnnpack": "LiteRT XNNPACK",
          "builtin": "LiteRT builtin"}
# The Release build the Makefile's `bench` target makes, unless told otherwise.
BENCH_LIBRARY = os.path.join(ROOT, "build-bench", "libpylite.so")
if not os.environ.get("PYLITE_LIBRARY") and os.path.exists(BENCH_LIBRARY):
  os.environ["PYLITE_LIBRARY"] = BENCH_LIBRARY
if ROOT not in sys.path:
  sys.path.insert(0, ROOT)
README_BEGIN = "<!-- benchmarks:begin -->"
README_END = "<!-- benchmarks:end -->"


# ---- models and inputs ---------------------------------------------------------


class Bench:
  """One model to time: a name, a path, and fixed inputs by input name."""

  def __init__(self, name, path, kind, recorded_inputs=None):
    self.name = name
    self.path = path
    self.kind = kind  # which geometric mean it joins (see _kind_of)
    self.recorded_inputs = recorded_inputs or {}


def _kind_of(name):
  """"int8" for full-integer 8-bit models (int8 or uint8 at the edges),
  "16x8/hybrid" for int16-activation and dynamic-range models, "float" for
  the rest (float16 weights included: they are dequantized at prepare)."""
  if "int8" in name or "uint8" in name:
    return "int8"
  if "16x8" in name or "dynamic" in name:
    return "16x8/hybrid"
  return "float"


def find_models(only, groups=WHOLE_MODEL_GROUPS):
  benches = []
  for path in sorted(glob.glob(os.path.join(MODELS_DIR, "*.tflite"))):
    name = os.path.splitext(os.path.basename(path))[0]
    benches.append(Bench(name, path, _kind_of(name)))
  benches += _conformance_models(groups)
  if only:
    wanted = set(only)
    benches = [b for b in benches if b.name in wanted]
  return benches


def _conformance_models(groups):
  """The manifest's whole-model cases (not the negative ones), with their
  recorded inputs."""
  if not os.path.exists(MANIFEST):
    return []
  with open(MANIFEST, encoding="utf-8") as f:
    manifest = json.load(f)
  base = os.path.dirname(MANIFEST)
  benches = []
  for case in manifest.get("cases", []):
    group = case["name"].split("/", 1)[0]
    if group not in groups or case.get("expect_error"):
      continue
    inputs = {}
    for spec in case.get("inputs", []):
      data = np.fromfile(os.path.join(base, spec["file"]),
                         dtype=np.dtype(spec["dtype"]))
      inputs[spec["name"]] = data.reshape(spec["shape"])
    benches.append(Bench("conformance/" + case["name"],
                         os.path.join(base, case["model"]),
                         _kind_of(case["name"]), inputs))
  return benches


def random_input(detail, rng):
  """Floats in [-1, 1); integers in [0, 16) (valid token ids for any
  embedding); int8/uint8 over their range; strings "1"."""
  shape = tuple(int(d) for d in detail["shape"])
  dtype = np.dtype(detail["dtype"])
  if dtype.kind == "f":
    return rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
  if dtype in (np.dtype(np.int8), np.dtype(np.uint8)):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, size=shape).astype(dtype)
  if dtype.kind in "iu":
    return rng.integers(0, 16, size=shape).astype(dtype)
  if dtype.kind == "b":
    return rng.integers(0, 2, size=shape).astype(bool)
  if dtype.kind in "SOU":
    return np.full(shape, b"1", dtype=object)
  raise ValueError(f"cannot make a random input of type {dtype}")


def make_inputs(bench, details):
  """{input name: array} for the model's inputs (subgraph 0), the recorded
  ones where they fit, random ones otherwise."""
  rng = np.random.default_rng(SEED)
  inputs = {}
  for detail in details:
    recorded = bench.recorded_inputs.get(detail["name"])
    if recorded is not None and tuple(recorded.shape) == tuple(
        int(d) for d in detail["shape"]):
      inputs[detail["name"]] = recorded
    else:
      inputs[detail["name"]] = random_input(detail, rng)
  return inputs


# ---- runtimes ---------------------------------------------------------------------


def _interpreter_class(runtime):
  if runtime == "pylite":
    from pylite.interpreter import Interpreter  # pylint: disable=import-outside-toplevel
    return Interpreter, {}
  from ai_edge_litert import interpreter as litert  # pylint: disable=import-outside-toplevel
  resolver = (litert.OpResolverType.AUTO if runtime == "xnnpack" else
              litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
  return litert.Interpreter, {"experimental_op_resolver_type": resolver}


def load(runtime, path, threads):
  """An allocated interpreter of `runtime` for the model at `path`."""
  cls, kwargs = _interpreter_class(runtime)
  interpreter = cls(model_path=path, num_threads=threads, **kwargs)
  interpreter.allocate_tensors()
  return interpreter


def set_inputs(interpreter, inputs):
  for detail in interpreter.get_input_details():
    interpreter.set_tensor(detail["index"], inputs[detail["name"]])


def outputs_of(interpreter):
  return [interpreter.get_tensor(d["index"])
          for d in interpreter.get_output_details()]


def short_error(error):
  """The first line of an exception's message, for a table cell."""
  text = str(error).strip().splitlines()
  line = text[0] if text else type(error).__name__
  missing = re.search(r"Didn't find op for builtin opcode '(\w+)'", line)
  if missing:
    return f"op {missing.group(1)} not implemented"
  for prefix in ("Failed to create the interpreter: ",):
    if line.startswith(prefix):
      line = line[len(prefix):]
  line = line.replace("|", "/")
  return line if len(line) <= 90 else line[:87] + "..."


def arena_bytes(interpreter):
  """pylite's arena bytes over all subgraphs (None for LiteRT)."""
  from pylite._ffi import ffi, lib  # pylint: disable=import-outside-toplevel
  pointer = ffi.cast("TfLiteInterpreter*", interpreter._native_handle())  # pylint: disable=protected-access
  total = 0
  for s in range(interpreter.num_subgraphs()):
    total += max(0, int(lib.PyliteInterpreterGetArenaBytes(pointer, s)))
  return total


# ---- timing in one process --------------------------------------------------------


def _time_calls(fn, count):
  start = time.perf_counter()
  for _ in range(count):
    fn()
  return (time.perf_counter() - start) / count


def alternate(fns, warmup, rounds, round_seconds, budget_seconds):
  """Times each of `fns` (name -> no-argument callable) in alternating
  rounds; returns name -> list of seconds per call, one entry per round.

  Each round calls a function `inner` times, `inner` chosen in the warm-up
  so that a round lasts about `round_seconds`, which keeps tiny models above
  the clock's resolution. Rounds stop early (after at least 3) once the
  budget is spent."""
  inner = {}
  for name, fn in fns.items():
    fn()  # first run: lazy preparation, caches
    per_call = min(_time_calls(fn, 1) for _ in range(max(1, warmup)))
    inner[name] = max(1, min(10000, int(round_seconds / max(per_call, 1e-7))))
  samples = {name: [] for name in fns}
  start = time.perf_counter()
  for r in range(rounds):
    for name, fn in fns.items():
      samples[name].append(_time_calls(fn, inner[name]))
    if r >= 2 and time.perf_counter() - start > budget_seconds:
      break
  return samples


def time_model(bench, threads, args):
  """One row: {runtime: ms or error} plus the largest output difference."""
  row = {"model": bench.name, "kind": bench.kind, "threads": threads,
         "ms": {}, "error": {}, "max_diff": None, "rounds": 0}
  interpreters = {}
  for runtime in RUNTIMES:
    try:
      interpreters[runtime] = load(runtime, bench.path, threads)
    except Exception as e:  # pylint: disable=broad-except
      row["error"][runtime] = short_error(e)
  if not interpreters:
    return row
  reference = interpreters.get("builtin") or next(iter(interpreters.values()))
  try:
    inputs = make_inputs(bench, reference.get_input_details())
  except Exception as e:  # pylint: disable=broad-except
    for runtime in interpreters:
      row["error"][runtime] = "inputs: " + short_error(e)
    return row
  fns = {}
  results = {}
  for runtime, interpreter in interpreters.items():
    try:
      set_inputs(interpreter, inputs)
      interpreter.invoke()
      results[runtime] = outputs_of(interpreter)
      fns[runtime] = interpreter.invoke
    except Exception as e:  # pylint: disable=broad-except
      row["error"][runtime] = short_error(e)
  if "pylite" in results and ("builtin" in results or "xnnpack" in results):
    expected = results.get("builtin") or results["xnnpack"]
    diffs = []
    for got, want in zip(results["pylite"], expected):
      want = want.astype(np.float64)
      scale = max(float(np.max(np.abs(want))) if want.size else 0.0, 1e-30)
      diffs.append(float(np.max(np.abs(got.astype(np.float64) - want)))
                   / scale if want.size else 0.0)
    row["max_diff"] = max(diffs) if diffs else 0.0
  if fns:
    samples = alternate(fns, args.warmup, args.rounds, args.round_seconds,
                        args.budget)
    for runtime, values in samples.items():
      row["ms"][runtime] = statistics.median(values) * 1e3
    row["rounds"] = len(next(iter(samples.values())))
  for interpreter in interpreters.values():
    if hasattr(interpreter, "close"):
      interpreter.close()
  return row


def time_runner_call(args):
  """The full cost of one signature-runner call on the guide's Dense model,
  in microseconds per call, per runtime."""
  row = {"us": {}, "error": {}}
  fns = {}
  keep = []
  x = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
  for runtime in RUNTIMES:
    try:
      cls, kwargs = _interpreter_class(runtime)
      interpreter = cls(model_path=DENSE_MODEL, num_threads=1, **kwargs)
      runner = interpreter.get_signature_runner("serving_default")
      name = next(iter(interpreter.get_signature_list()["serving_default"]
                       ["inputs"]))
      runner(**{name: x})
      keep.append(interpreter)
      fns[runtime] = (lambda r=runner, n=name: r(**{n: x}))
    except Exception as e:  # pylint: disable=broad-except
      row["error"][runtime] = short_error(e)
  if fns:
    samples = alternate(fns, max(args.warmup, 3), max(args.rounds, 5),
                        max(args.round_seconds, 0.02), args.budget)
    for runtime, values in samples.items():
      row["us"][runtime] = statistics.median(values) * 1e6
  return row


# ---- init time and memory, each runtime in its own process ------------------------


def _status_kib(field):
  with open("/proc/self/status", encoding="ascii") as f:
    for line in f:
      if line.startswith(field + ":"):
        return int(line.split()[1])
  raise OSError(f"no {field} in /proc/self/status")


def _rss_after_imports():
  """Current RSS in KiB, with the peak reset to it (Linux: writing 5 to
  clear_refs resets VmHWM), so that a spike during the imports does not hide
  the runtime's own peak."""
  try:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
      f.write("5")
    return _status_kib("VmRSS")
  except OSError:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_rss_kib():
  try:
    return _status_kib("VmHWM")
  except OSError:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_main(runtime, path, threads):
  """Loads and runs once in this (fresh) process; prints one JSON line."""
  result = {"runtime": runtime}
  try:
    cls, kwargs = _interpreter_class(runtime)
    if runtime == "pylite":
      import pylite._ffi  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    base = _rss_after_imports()
    start = time.perf_counter()
    interpreter = cls(model_path=path, num_threads=threads, **kwargs)
    interpreter.allocate_tensors()
    result["init_ms"] = (time.perf_counter() - start) * 1e3
    bench = Bench("child", path, "float")
    set_inputs(interpreter, make_inputs(bench, interpreter.get_input_details()))
    start = time.perf_counter()
    interpreter.invoke()
    result["first_ms"] = (time.perf_counter() - start) * 1e3
    peak = _peak_rss_kib()
    result["base_mib"] = base / 1024.0
    result["peak_mib"] = (peak - base) / 1024.0
    if runtime == "pylite":
      result["arena_bytes"] = arena_bytes(interpreter)
  except Exception as e:  # pylint: disable=broad-except
    result["error"] = short_error(e)
  print(json.dumps(result))
  return 0


def measure_in_child(runtime, path, threads):
  cmd = [sys.executable, os.path.abspath(__file__), "--child", runtime, path,
         "--threads", str(threads)]
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
  try:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                          env=env, check=False)
  except subprocess.TimeoutExpired:
    return {"runtime": runtime, "error": "timed out"}
  for line in reversed(done.stdout.splitlines()):
    if line.startswith("{"):
      return json.loads(line)
  tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
  return {"runtime": runtime,
          "error": f"child exited with {done.returncode}: {tail[:80]}"}


def measure_in_children(path, runs):
  """Each runtime measured in ``runs`` child processes (the runtimes taking
  turns), as the median of each figure: a single process start on a shared
  machine varies by tens of percent."""
  samples = {runtime: [] for runtime in RUNTIMES}
  for _ in range(runs):
    for runtime in RUNTIMES:
      samples[runtime].append(measure_in_child(runtime, path, 1))
  result = {}
  for runtime, values in samples.items():
    ok = [v for v in values if "error" not in v]
    if not ok:
      result[runtime] = values[0]
      continue
    merged = dict(ok[0])
    for key in ("init_ms", "first_ms", "peak_mib"):
      merged[key] = statistics.median(v[key] for v in ok)
    result[runtime] = merged
  return result


# ---- report ------------------------------------------------------------------------


def machine_description():
  cpu = platform.processor() or platform.machine()
  try:
    with open("/proc/cpuinfo", encoding="utf-8") as f:
      for line in f:
        if line.startswith("model name"):
          cpu = line.split(":", 1)[1].strip()
          break
  except OSError:
    pass
  from pylite._ffi import library_path  # pylint: disable=import-outside-toplevel
  build_type = "unknown"
  cache = os.path.join(os.path.dirname(library_path), "CMakeCache.txt")
  if os.path.exists(cache):
    with open(cache, encoding="utf-8") as f:
      for line in f:
        if line.startswith("CMAKE_BUILD_TYPE:"):
          build_type = line.split("=", 1)[1].strip() or "unset"
  try:
    litert = importlib.metadata.version("ai-edge-litert")
  except importlib.metadata.PackageNotFoundError:
    litert = "?"
  load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
  return {
      "cpu": cpu, "cores": os.cpu_count(), "os": platform.platform(),
      "python": platform.python_version(), "litert": litert,
      "pylite_library": os.path.relpath(library_path, ROOT),
      "pylite_build": build_type, "load_at_start": round(load, 2),
      "date": datetime.datetime.now(datetime.timezone.utc).strftime(
          "%Y-%m-%d %H:%M UTC"),
  }


def _fmt_ms(value):
  if value is None:
    return "-"
  if value < 1:
    return f"{value:.3g}"
  return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _ratio(row, other):
  a, b = row["ms"].get("pylite"), row["ms"].get(other)
  return a / b if a and b else None


def geomean(values):
  values = [v for v in values if v]
  return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def render(machine, rows, memory, runner, args):
  out = []
  out.append(f"Run of {machine['date']} on {machine['cpu']}, "
             f"{machine['cores']} cores (shared; load {machine['load_at_start']} "
             f"at start), {machine['os']}; Python {machine['python']}, "
             f"ai-edge-litert {machine['litert']}; pylite "
             f"{machine['pylite_library']} ({machine['pylite_build']} build). "
             f"Medians over up to {args.rounds} alternating rounds "
             f"({args.budget:.0f} s budget per model and thread count). "
             "pylite splits FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, "
             "BATCH_MATMUL, the elementwise binary ops, swish (float and "
             "quantized), SOFTMAX, MEAN and the float and int16 "
             "activations across threads (work below about 2-5 us stays on "
             "the calling thread); its other kernels run on one. Vector "
             "paths: AVX-512 (with VNNI and VBMI where present), AVX2+FMA "
             "and portable C, chosen at run time.")
  out.append("")
  out.append("Latency of `invoke()` (ms; ratio = pylite / LiteRT, lower is "
             "better for pylite):")
  out.append("")
  out.append("| model | threads | pylite ms | LiteRT XNNPACK ms | ratio | "
             "LiteRT builtin ms | ratio | max diff |")
  out.append("|---|---|---|---|---|---|---|---|")
  for row in rows:
    cells = [row["model"], str(row["threads"])]
    if "pylite" in row["error"]:
      cells.append("unsupported: " + row["error"]["pylite"])
    else:
      cells.append(_fmt_ms(row["ms"].get("pylite")))
    for other in ("xnnpack", "builtin"):
      if other in row["error"]:
        cells.append("failed: " + row["error"][other])
      else:
        cells.append(_fmt_ms(row["ms"].get(other)))
      ratio = _ratio(row, other)
      cells.append(f"{ratio:.2f}" if ratio else "-")
    diff = row["max_diff"]
    cells.append(f"{diff:.1e}" if diff is not None else "-")
    out.append("| " + " | ".join(cells) + " |")
  for kind in ("float", "int8", "16x8/hybrid"):
    for threads in args.thread_counts:
      chosen = [r for r in rows if r["kind"] == kind and r["threads"] == threads]
      if not chosen:
        continue
      cells = [f"**geomean {kind}**", str(threads), ""]
      for other in ("xnnpack", "builtin"):
        ratios = [_ratio(r, other) for r in chosen if _ratio(r, other)]
        cells.append(f"{len(ratios)} of {len(chosen)} models")
        cells.append(f"**{geomean(ratios):.2f}**" if ratios else "-")
      cells.append("")
      out.append("| " + " | ".join(cells) + " |")
  out.append("")
  if memory:
    out.append("Init (load + allocate, ms), first `invoke()` (ms) and peak "
               "memory (peak RSS growth over the process after its imports, "
               "MiB), each runtime in its own process, 1 thread, the median "
               f"of {args.memory_runs} such processes "
               "(p = pylite, x = LiteRT XNNPACK, b = LiteRT builtin):")
    out.append("")
    out.append("| model | init p | init x | init b | first p | first x | "
               "first b | MiB p | MiB x | MiB b | pylite arena MiB |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, results in memory.items():
      cells = [name]
      for key in ("init_ms", "first_ms", "peak_mib"):
        for runtime in RUNTIMES:
          r = results.get(runtime, {})
          if "error" in r:
            cells.append("failed" if runtime != "pylite" else "unsupported")
          elif key.endswith("_ms"):
            cells.append(_fmt_ms(r.get(key)))
          else:
            cells.append(f"{r.get(key, 0):.1f}")
      arena = results.get("pylite", {}).get("arena_bytes")
      cells.append(f"{arena / 2**20:.2f}" if arena is not None else "-")
      out.append("| " + " | ".join(cells) + " |")
    out.append("")
  if runner:
    out.append("One Python signature-runner call on the guide's Keras "
               "`Dense` model (`runner(keras_tensor=array)`: resize, allocate, "
               "copy in, invoke, copy out), microseconds per call:")
    out.append("")
    out.append("| pylite us | LiteRT XNNPACK us | ratio | LiteRT builtin us "
               "| ratio |")
    out.append("|---|---|---|---|---|")
    us = runner["us"]
    cells = [f"{us['pylite']:.1f}" if "pylite" in us else
             "failed: " + runner["error"].get("pylite", "?")]
    for other in ("xnnpack", "builtin"):
      cells.append(f"{us[other]:.1f}" if other in us else "failed")
      cells.append(f"{us['pylite'] / us[other]:.2f}"
                   if "pylite" in us and other in us else "-")
    out.append("| " + " | ".join(cells) + " |")
    out.append("")
  return "\n".join(out)


def update_readme(path, text):
  """Replaces the lines between the marker lines (each alone on its line, so
  that prose quoting them is left alone)."""
  with open(path, encoding="utf-8") as f:
    lines = f.read().split("\n")
  stripped = [line.strip() for line in lines]
  try:
    begin = stripped.index(README_BEGIN)
    end = stripped.index(README_END, begin + 1)
  except ValueError:
    print(f"compare.py: {path} has no {README_BEGIN} ... {README_END} "
          "marker lines; not updated", file=sys.stderr)
    return False
  lines[begin + 1:end] = text.split("\n")
  with open(path, "w", encoding="utf-8") as f:
    f.write("\n".join(lines))
  print(f"compare.py: updated {path}")
  return True


# ---- main ---------------------------------------------------------------------------


def parse_args(argv):
  ap = argparse.ArgumentParser(
      description="pylite against LiteRT, side by side.")
  ap.add_argument("--threads", default="1,2",
                  help="comma-separated thread counts (default 1,2)")
  ap.add_argument("--only", default="",
                  help="comma-separated model names (default: all)")
  ap.add_argument("--rounds", type=int, default=15,
                  help="alternating rounds per model (default 15)")
  ap.add_argument("--warmup", type=int, default=3,
                  help="warm-up calls per runtime (default 3)")
  ap.add_argument("--round-seconds", type=float, default=0.05,
                  help="minimum length of one timed round; tiny models "
                  "repeat invoke() within it (default 0.05)")
  ap.add_argument("--budget", type=float, default=60.0,
                  help="seconds of rounds per model and thread count; rounds "
                  "stop early past it (default 60)")
  ap.add_argument("--quick", action="store_true",
                  help="a short run to check the tooling: 3 rounds, "
                  "1 warm-up, 10 s budget")
  ap.add_argument("--no-memory", action="store_true",
                  help="skip the child processes (init time, memory)")
  ap.add_argument("--memory-runs", type=int, default=3,
                  help="child processes per runtime and model for init time "
                  "and memory; the median is reported (default 3, 1 with "
                  "--quick)")
  ap.add_argument("--no-runner", action="store_true",
                  help="skip the Dense signature-runner call")
  ap.add_argument("--out", default="",
                  help="also write the tables to this markdown file")
  ap.add_argument("--json", default="",
                  help="also write the raw results to this JSON file")
  ap.add_argument("--update-readme", action="append", default=[],
                  metavar="FILE", help="replace the lines between the "
                  "benchmarks marker lines in FILE (repeatable)")
  ap.add_argument("--conformance-groups", default=",".join(WHOLE_MODEL_GROUPS),
                  help="groups of tests/conformance/manifest.json to include "
                  "(default: %(default)s, the whole models; '' for none)")
  ap.add_argument("--child", nargs=2, metavar=("RUNTIME", "MODEL"),
                  help=argparse.SUPPRESS)
  args = ap.parse_args(argv)
  if args.quick:
    args.rounds, args.warmup, args.budget = 3, 1, 10.0
    args.memory_runs = 1
  args.thread_counts = [int(t) for t in args.threads.split(",") if t]
  return args


def main(argv=None):
  args = parse_args(argv)
  if args.child:
    return child_main(args.child[0], args.child[1], args.thread_counts[0])
  machine = machine_description()
  if machine["pylite_build"] not in ("Release", "RelWithDebInfo"):
    print(f"compare.py: warning: {machine['pylite_library']} is a "
          f"{machine['pylite_build']} build; time a Release build "
          "(PYLITE_LIBRARY=build-bench/libpylite.so, see benchmarks/README.md)",
          file=sys.stderr)
  benches = find_models([n for n in args.only.split(",") if n],
                        [g for g in args.conformance_groups.split(",") if g])
  if not benches:
    print("compare.py: no models; run benchmarks/make_models.py first",
          file=sys.stderr)
    return 1
  rows = []
  for bench in benches:
    for threads in args.thread_counts:
      row = time_model(bench, threads, args)
      rows.append(row)
      ms = ", ".join(f"{k} {v:.3f} ms" for k, v in row["ms"].items())
      errors = "; ".join(f"{k}: {v}" for k, v in row["error"].items())
      print(f"{bench.name} @{threads}: {ms}"
            + (f" ({row['rounds']} rounds)" if row["rounds"] else "")
            + (f" [{errors}]" if errors else ""), flush=True)
  memory = {}
  if not args.no_memory:
    for bench in benches:
      memory[bench.name] = measure_in_children(bench.path, args.memory_runs)
      print(f"{bench.name} init/memory: " + ", ".join(
          f"{r}: " + (v["error"] if "error" in v else
                      f"{v['init_ms']:.1f} ms, {v['peak_mib']:.1f} MiB")
          for r, v in memory[bench.name].items()), flush=True)
  runner = None if args.no_runner else time_runner_call(args)
  text = render(machine, rows, memory, runner, args)
  print()
  print(text)
  if args.out:
    with open(args.out, "w", encoding="utf-8") as f:
      f.write("# Benchmark results (written by benchmarks/compare.py)\n\n")
      f.write(text + "\n")
  if args.json:
    with open(args.json, "w", encoding="utf-8") as f:
      json.dump({"machine": machine, "rows": rows, "memory": memory,
                 "runner": runner}, f, indent=1)
  for path in args.update_readme:
    update_readme(path, text)
  return 0


if __name__ == "__main__":
  sys.exit(main())
