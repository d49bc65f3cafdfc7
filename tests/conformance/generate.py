"""Writes the conformance suite: models, inputs and LiteRT's outputs.

Dev-only: needs tensorflow-cpu and ai-edge-litert (never needed by
`make test`, which reads the committed results).

    python tests/conformance/generate.py                 # every group
    python tests/conformance/generate.py --group unary   # one group
    python tests/conformance/generate.py --case unary/abs_f32

For each case (see cases/__init__.py) it converts the function with
TensorFlow's converter, runs the model in LiteRT with its reference kernels
(OpResolverType.BUILTIN_REF) and with its default XNNPACK path, and writes:

  models/<name>.tflite
  data/<name>/input_<i>.bin, expected_<i>.bin   raw little-endian tensors
                                                 (strings in TFLite's layout)
  data/<name>/case.json                          the case's manifest entry
  manifest.json                                  every data/**/case.json

The manifest is rebuilt from the case.json files at the end of every run, so
runs for different groups never lose each other's cases.

Expected outputs are the reference kernels'; `xnnpack_max_diff` records how
far LiteRT's own two paths differ. A case with tolerance="derived" (whole
models) gets max(1e-4, 2 * xnnpack_max_diff / reference_max_abs) per float
output, with `reference_max_abs` and `tolerance_rule` recorded beside it.
"""
import argparse
import importlib
import json
import os
import pkgutil
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # so `conformance.cases` imports
MANIFEST = os.path.join(HERE, "manifest.json")

DTYPES = {
    np.dtype(np.float32): "float32", np.dtype(np.float64): "float64",
    np.dtype(np.float16): "float16", np.dtype(np.int8): "int8",
    np.dtype(np.uint8): "uint8", np.dtype(np.int16): "int16",
    np.dtype(np.uint16): "uint16", np.dtype(np.int32): "int32",
    np.dtype(np.uint32): "uint32", np.dtype(np.int64): "int64",
    np.dtype(np.uint64): "uint64", np.dtype(np.bool_): "bool",
    np.dtype(np.complex64): "complex64",
}


def dtype_name(array):
  if array.dtype.kind in "OSU":
    return "string"
  return DTYPES[array.dtype]


def tensor_bytes(array):
  """Raw little-endian bytes; strings in TFLite's layout (count, offsets,
  bytes)."""
  if array.dtype.kind in "OSU":
    items = [s.encode() if isinstance(s, str) else bytes(s)
             for s in array.reshape(-1)]
    header = 4 * (len(items) + 2)
    offsets, at = [], header
    for s in items:
      offsets.append(at)
      at += len(s)
    offsets.append(at)
    return struct.pack("<%di" % (len(items) + 2), len(items), *offsets) + \
        b"".join(items)
  return np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<"),
                                            copy=False).tobytes()


def convert(case):
  import tensorflow as tf
  if case.model_bytes is not None:
    return case.model_bytes
  keras_models = (tf.keras.Model,)
  try:  # Keras 2 (tf_keras) models convert the same way (fused LSTMs)
    import tf_keras
    keras_models += (tf_keras.Model,)
  except ImportError:
    pass
  if isinstance(case.fn, keras_models):
    converter = tf.lite.TFLiteConverter.from_keras_model(case.fn)
  else:
    # A trackable owner makes the converter write the serving_default
    # SignatureDef.
    owner = tf.Module()
    owner.fn = case.fn
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [case.fn.get_concrete_function()], owner)
  if case.select_tf_ops:
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.TFLITE_BUILTINS, tf.lite.OpsSet.SELECT_TF_OPS]
  if case.quantize is not None:
    set_quantization(converter, case)
  return converter.convert()


QUANTIZE_MODES = ("int8", "int8_io", "uint8_io", "16x8", "16x8_io",
                  "dynamic", "float16")


def representative_samples(case):
  """The calibration samples of a fully quantized case."""
  if case.representative is not None:
    return case.representative
  from conformance.cases import rng
  r = rng(1234)
  samples = [dict(case.inputs)]
  for _ in range(16):
    sample = {}
    for name, value in case.inputs.items():
      value = np.asarray(value, np.float32)
      lo, hi = float(value.min(initial=0)), float(value.max(initial=0))
      if hi <= lo:
        lo, hi = lo - 1, hi + 1
      sample[name] = r.uniform(lo, hi, value.shape).astype(np.float32)
    samples.append(sample)
  return samples


def set_quantization(converter, case):
  """Post-training quantization options for case.quantize."""
  import tensorflow as tf
  mode = case.quantize
  if mode not in QUANTIZE_MODES:
    raise ValueError("%s: unknown quantize mode %r" % (case.name, mode))
  converter.optimizations = [tf.lite.Optimize.DEFAULT]
  if mode == "dynamic":
    return
  if mode == "float16":
    converter.target_spec.supported_types = [tf.float16]
    return
  samples = representative_samples(case)
  converter.representative_dataset = lambda: (
      {k: np.asarray(v, np.float32) for k, v in s.items()} for s in samples)
  if mode.startswith("16x8"):
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8]
  else:
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
  io = {"int8_io": tf.int8, "uint8_io": tf.uint8, "16x8_io": tf.int16}
  if mode in io:
    converter.inference_input_type = io[mode]
    converter.inference_output_type = io[mode]


def quantize_inputs(model, case):
  """For integer-input models fed float case inputs: the inputs quantized
  with the model's own input parameters (as a user of LiteRT would)."""
  from ai_edge_litert import interpreter as litert
  interp = litert.Interpreter(model_content=model)
  details = interp.get_signature_runner(case.signature_key).get_input_details()
  out = {}
  for name, value in case.inputs.items():
    d = details[name]
    value = np.asarray(value)
    if np.issubdtype(d["dtype"], np.integer) and value.dtype.kind == "f" and \
        d["quantization"][0] != 0:
      scale, zero = d["quantization"]
      info = np.iinfo(d["dtype"])
      q = np.round(value / scale) + zero
      value = np.clip(q, info.min, info.max).astype(d["dtype"])
    out[name] = value
  return out


# Runs one model in LiteRT in a child process: argv model, inputs (.npz),
# resolver name, signature key; prints the outcome as JSON.
_CHILD = """
import json, sys
import numpy as np
from ai_edge_litert import interpreter as litert
inputs = dict(np.load(sys.argv[2], allow_pickle=True))
try:
  interp = litert.Interpreter(
      model_path=sys.argv[1],
      experimental_op_resolver_type=getattr(litert.OpResolverType,
                                            sys.argv[3]))
  interp.get_signature_runner(sys.argv[4])(**inputs)
  print(json.dumps(None))
except Exception as e:
  print(json.dumps("%s: %s" % (type(e).__name__, e)))
"""


def run_litert_isolated(model, case, resolver):
  """run_litert for negative cases, whose hostile models may crash LiteRT
  itself: the outcome text, or how LiteRT died."""
  import subprocess
  import tempfile
  with tempfile.TemporaryDirectory() as tmp:
    model_path = os.path.join(tmp, "model.tflite")
    inputs_path = os.path.join(tmp, "inputs.npz")
    with open(model_path, "wb") as f:
      f.write(model)
    np.savez(inputs_path, **{k: np.asarray(v) for k, v in case.inputs.items()})
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, model_path, inputs_path, resolver.name,
         case.signature_key], capture_output=True, text=True, check=False)
  if child.returncode < 0:
    return None, "LiteRT crashed (signal %d)" % -child.returncode
  lines = child.stdout.strip().splitlines()
  if child.returncode != 0 or not lines:
    return None, "LiteRT failed (exit %d)" % child.returncode
  outcome = json.loads(lines[-1])
  return (None, outcome) if outcome else ({}, None)


def run_litert(model, case, resolver):
  """{output name: array} from LiteRT, or the error text."""
  from ai_edge_litert import interpreter as litert
  try:
    interp = litert.Interpreter(model_content=model,
                                experimental_op_resolver_type=resolver)
    runner = interp.get_signature_runner(case.signature_key)
    return dict(runner(**case.inputs)), None
  except Exception as e:  # the outcome is recorded, not judged here
    return None, "%s: %s" % (type(e).__name__, e)


# Whole models (Case.tolerance == "derived"): the bound is derived from
# LiteRT's own paths rather than chosen.
DERIVED = "derived"
DERIVED_FLOOR = 1e-4


def derive_tolerance(out, value):
  """Sets out["tolerance"] to max(DERIVED_FLOOR, 2 * xnnpack_max_diff /
  max|reference|) and records the quantities it came from. Without an
  XNNPACK result (or a finite reference) the floor applies; outputs
  compared exactly (integers, bools, strings) keep 0."""
  if value.dtype.kind not in "fc":
    out["tolerance"] = 0.0
    return
  finite = np.abs(value[np.isfinite(value)].astype(np.float64))
  largest = float(np.max(finite, initial=0))
  diff = out.get("xnnpack_max_diff")
  tol = DERIVED_FLOOR
  if diff is not None and np.isfinite(diff) and largest > 0:
    tol = max(DERIVED_FLOOR, 2 * diff / largest)
  out["tolerance"] = float(tol)
  out["tolerance_rule"] = "derived: max(%g, 2 * xnnpack_max_diff / " \
      "reference_max_abs)" % DERIVED_FLOOR
  out["reference_max_abs"] = largest


def write_case(case):
  from ai_edge_litert import interpreter as litert
  model = convert(case)
  model_path = os.path.join("models", case.name + ".tflite")
  os.makedirs(os.path.join(HERE, os.path.dirname(model_path)), exist_ok=True)
  with open(os.path.join(HERE, model_path), "wb") as f:
    f.write(model)
  if case.quantize is not None and case.quantize.endswith("_io"):
    case.inputs = quantize_inputs(model, case)
  if case.expect_error is not None:
    ref, ref_error = run_litert_isolated(
        model, case, getattr(litert.OpResolverType, case.resolver))
    fast = None
  else:
    ref, ref_error = run_litert(model, case,
                                getattr(litert.OpResolverType, case.resolver))
    fast, _ = run_litert(model, case, litert.OpResolverType.AUTO)
  builtin = None
  if case.expect_error is None and (case.quantize is not None or
                                    case.model_bytes is not None):
    # Quantized kernels: LiteRT's optimized builtin kernels may round
    # differently from its reference kernels; the difference is recorded.
    builtin, _ = run_litert(
        model, case, litert.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
  data_dir = os.path.join("data", case.name)
  os.makedirs(os.path.join(HERE, data_dir), exist_ok=True)
  entry = {"name": case.name, "model": model_path,
           "signature": case.signature_key, "inputs": [], "outputs": [],
           "reference": case.resolver}
  for i, (name, value) in enumerate(sorted(case.inputs.items())):
    value = np.asarray(value)
    path = os.path.join(data_dir, "input_%d.bin" % i)
    with open(os.path.join(HERE, path), "wb") as f:
      f.write(tensor_bytes(value))
    entry["inputs"].append({"name": name, "dtype": dtype_name(value),
                            "shape": list(value.shape), "file": path})
  if case.expect_error is not None:
    entry["expect_error"] = case.expect_error
    entry["litert_outcome"] = ref_error or "ran"
    return entry
  if ref is None:
    raise RuntimeError("%s: LiteRT failed: %s" % (case.name, ref_error))
  for i, (name, value) in enumerate(sorted(ref.items())):
    value = np.asarray(value)
    path = os.path.join(data_dir, "expected_%d.bin" % i)
    with open(os.path.join(HERE, path), "wb") as f:
      f.write(tensor_bytes(value))
    out = {"name": name, "dtype": dtype_name(value),
           "shape": list(value.shape), "file": path,
           "tolerance": case.tolerance}
    if case.reason:
      out["reason"] = case.reason
    if fast is not None and value.dtype.kind == "f" and value.size:
      other = np.asarray(fast[name], np.float64)
      if other.shape != value.shape:
        # LiteRT's two paths disagree on the shape (an XNNPACK bug): the
        # reference kernels' output stands, and no difference is derived.
        out["xnnpack_shape"] = list(other.shape)
      else:
        out["xnnpack_max_diff"] = float(
            np.max(np.abs(other - value.astype(np.float64))))
    if value.dtype.kind in "iu" and value.size:
      for key, other in (("builtin_max_diff", builtin),
                         ("xnnpack_max_diff", fast)):
        if other is not None and np.shape(other[name]) == value.shape:
          out[key] = int(np.max(np.abs(np.asarray(other[name], np.int64) -
                                       value.astype(np.int64))))
    if case.tolerance == DERIVED:
      derive_tolerance(out, value)
    entry["outputs"].append(out)
  return entry


def all_cases(groups, only):
  from conformance import cases as pkg
  for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
    if groups and info.name not in groups:
      continue
    module = importlib.import_module("conformance.cases." + info.name)
    for case in module.cases():
      if not case.name.startswith(info.name + "/"):
        raise ValueError("case %s must be named %s/..." % (case.name,
                                                           info.name))
      if only and case.name not in only:
        continue
      yield case


def write_manifest():
  """manifest.json from every data/**/case.json, sorted by case name."""
  entries = []
  for dirpath, _, files in os.walk(os.path.join(HERE, "data")):
    if "case.json" in files:
      with open(os.path.join(dirpath, "case.json")) as f:
        entries.append(json.load(f))
  entries.sort(key=lambda e: e["name"])
  manifest = {"version": 1, "cases": entries,
              "about": "Expected outputs recorded from ai-edge-litert with "
                       "OpResolverType.BUILTIN_REF by generate.py."}
  tmp = MANIFEST + ".%d.tmp" % os.getpid()
  with open(tmp, "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
    f.write("\n")
  os.replace(tmp, MANIFEST)
  return len(entries)


def main():
  ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  ap.add_argument("--group", action="append", default=[])
  ap.add_argument("--case", action="append", default=[])
  ap.add_argument("--manifest-only", action="store_true",
                  help="only rebuild manifest.json from the case.json files")
  args = ap.parse_args()
  written = 0
  if not args.manifest_only:
    for case in all_cases(args.group, args.case):
      entry = write_case(case)
      with open(os.path.join(HERE, "data", case.name, "case.json"), "w") as f:
        json.dump(entry, f, indent=1, sort_keys=True)
        f.write("\n")
      written += 1
      print("wrote", case.name)
  print("%d cases written, %d in the manifest" % (written, write_manifest()))


if __name__ == "__main__":
  main()
