#!/usr/bin/env python3
"""Records what LiteRT's Python Interpreter does on the example models.

Dev-only: run with the TensorFlow environment, never from pylite's tests:

    /work/tfenv/bin/python tools/record_litert_reference.py

It loads examples/models/*.tflite in ``ai_edge_litert`` and writes
tests/data/litert_reference.json: signature lists, detail dicts, constant
tensors, outputs for fixed inputs (through set_tensor/invoke and through the
signature runner), and the exception type and message of a list of bad calls.
pylite's Python tests compare against this file, so pylite mirrors LiteRT's
observable behaviour without LiteRT being installed.

LiteRT cannot run coding.tflite (its Flex ops are not built in); for it only
what needs no allocation is recorded, plus the allocation error.
"""

import argparse
import json
import os
import struct
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "examples", "models")
OUT = os.path.join(ROOT, "tests", "data", "litert_reference.json")

# Input batches fed to dense.tflite. Fixed values (not random) so the JSON is
# stable and readable; they cover positive, negative, zero and large inputs so
# both ReLUs are exercised.
DENSE_INPUTS = [
    [[1.0, 2.0, 3.0, 4.0]],
    [[0.0, 0.0, 0.0, 0.0]],
    [[-1.0, -2.0, -3.0, -4.0]],
    [[0.5, -0.25, 8.0, -3.5]],
    [[1e3, -1e3, 1e-3, -1e-3]],
]
DENSE_BATCH = [
    [1.0, 2.0, 3.0, 4.0],
    [-4.0, 3.0, -2.0, 1.0],
    [0.125, 0.25, 0.5, 1.0],
]


def strip_signatures(model):
  """Returns the model bytes with the Model table's signature_defs field
  removed, by zeroing its slot in the root table's vtable (field id 7).

  pylite's tests do the same patch to get a model without SignatureDefs."""
  data = bytearray(model)
  root = struct.unpack_from("<I", data, 0)[0]
  vtable = root - struct.unpack_from("<i", data, root)[0]
  vtable_size = struct.unpack_from("<H", data, vtable)[0]
  slot = 4 + 2 * 7
  if slot + 2 <= vtable_size:
    struct.pack_into("<H", data, vtable + slot, 0)
  return bytes(data)


def jsonable_details(d):
  q = d["quantization_parameters"]
  return {
      "name": d["name"],
      "index": int(d["index"]),
      "shape": [int(x) for x in d["shape"]],
      "shape_dtype": d["shape"].dtype.name,
      "shape_signature": [int(x) for x in d["shape_signature"]],
      "dtype": d["dtype"].__name__,
      "quantization": [float(d["quantization"][0]), int(d["quantization"][1])],
      "quantization_parameters": {
          "scales": [float(x) for x in q["scales"]],
          "scales_dtype": q["scales"].dtype.name,
          "zero_points": [int(x) for x in q["zero_points"]],
          "zero_points_dtype": q["zero_points"].dtype.name,
          "quantized_dimension": int(q["quantized_dimension"]),
          "block_size": int(q.get("block_size", 0)),
      },
      "sparsity_parameters": d["sparsity_parameters"],
      "keys": list(d.keys()),
  }


def array_record(a):
  a = np.asarray(a)
  if a.dtype == object:
    return {"dtype": "object", "shape": list(a.shape),
            "value": [x.decode("latin-1") for x in a.ravel()]}
  return {"dtype": a.dtype.name, "shape": list(a.shape),
          "value": a.tolist()}


def record_error(fn):
  try:
    result = fn()
  except Exception as e:  # pylint: disable=broad-except
    return {"raised": True, "type": type(e).__name__,
            "builtin": [c.__name__ for c in type(e).__mro__
                        if c.__module__ == "builtins" and c is not object],
            "message": str(e)}
  return {"raised": False, "result": repr(result)[:200]}


def make(interpreter_cls, path=None, content=None, **kw):
  if content is not None:
    return interpreter_cls(model_content=content, **kw)
  return interpreter_cls(model_path=path, **kw)


def common_info(it):
  info = {
      "signature_list": it.get_signature_list(),
      "full_signature_list": it._get_full_signature_list(),  # pylint: disable=protected-access
      "num_subgraphs": it.num_subgraphs(),
      "input_details": [jsonable_details(d) for d in it.get_input_details()],
      "output_details": [jsonable_details(d) for d in it.get_output_details()],
      "tensor_details": {
          str(s): [jsonable_details(d) for d in it.get_tensor_details(s)]
          for s in range(it.num_subgraphs())
      },
      "runner_details": {},
  }
  for key in it.get_signature_list():
    r = it.get_signature_runner(key)
    info["runner_details"][key] = {
        "inputs": {n: jsonable_details(d)
                   for n, d in r.get_input_details().items()},
        "outputs": {n: jsonable_details(d)
                    for n, d in r.get_output_details().items()},
    }
  return info


def record_dense(interpreter_cls, path):
  with open(path, "rb") as f:
    content = f.read()
  it = make(interpreter_cls, path)
  info = common_info(it)

  # Constant tensors (weights and biases) are readable before allocation.
  info["constant_tensors"] = {}
  for d in it.get_tensor_details():
    try:
      info["constant_tensors"][str(d["index"])] = array_record(
          it.get_tensor(d["index"]))
    except ValueError:
      pass

  # set_tensor / invoke / get_tensor, batch 1.
  it.allocate_tensors()
  in_idx = it.get_input_details()[0]["index"]
  out_idx = it.get_output_details()[0]["index"]
  info["invoke_cases"] = []
  for x in DENSE_INPUTS:
    it.set_tensor(in_idx, np.array(x, dtype=np.float32))
    it.invoke()
    info["invoke_cases"].append({"input": x,
                                 "output": array_record(it.get_tensor(out_idx))})
  info["output_details_after_invoke"] = [
      jsonable_details(d) for d in it.get_output_details()]

  # resize_tensor_input to a batch of 3, then invoke.
  it.resize_tensor_input(in_idx, [3, 4], strict=True)
  it.allocate_tensors()
  it.set_tensor(in_idx, np.array(DENSE_BATCH, dtype=np.float32))
  it.invoke()
  info["resize_case"] = {"input": DENSE_BATCH,
                         "output": array_record(it.get_tensor(out_idx)),
                         "input_details": [jsonable_details(d) for d in
                                           it.get_input_details()],
                         "output_details": [jsonable_details(d) for d in
                                            it.get_output_details()]}

  # The signature runner, batch 1 and batch 3 (non-strict resize inside).
  it = make(interpreter_cls, path)
  runner = it.get_signature_runner()
  in_name = next(iter(it.get_signature_list()["serving_default"]["inputs"]))
  info["runner_cases"] = []
  for x in DENSE_INPUTS + [DENSE_BATCH]:
    out = runner(**{in_name: np.array(x, dtype=np.float32)})
    info["runner_cases"].append({
        "input": x,
        "outputs": {k: array_record(v) for k, v in out.items()},
        "output_types": {k: type(v).__name__ for k, v in out.items()}})

  # Bad calls. Each entry: a name, how to compare pylite's message
  # ("exact", "prefix" of the message, or "type" only), and the outcome.
  def fresh():
    return make(interpreter_cls, path)

  def allocated():
    i = fresh()
    i.allocate_tensors()
    return i

  def view_then_invoke():
    i = allocated()
    view = i.tensor(in_idx)()  # noqa: F841 (held on purpose)
    return i.invoke()

  def view_then_allocate():
    i = allocated()
    view = i.tensor(in_idx)()  # noqa: F841
    return i.allocate_tensors()

  def runner_for(key=None):
    return fresh().get_signature_runner(key)

  x1 = np.array(DENSE_INPUTS[0], dtype=np.float32)
  garbage_file = os.path.join(tempfile.mkdtemp(), "garbage.tflite")
  with open(garbage_file, "wb") as f:
    f.write(b"not a tflite model" * 8)
  cases = [
      ("ctor_nothing", "exact", lambda: interpreter_cls()),
      ("ctor_both", "exact",
       lambda: interpreter_cls(model_path=path, model_content=content)),
      ("ctor_empty_content", "exact",
       lambda: interpreter_cls(model_content=b"")),
      ("ctor_num_threads_str", "exact",
       lambda: make(interpreter_cls, path, num_threads="2")),
      ("ctor_num_threads_float", "exact",
       lambda: make(interpreter_cls, path, num_threads=2.0)),
      ("ctor_num_threads_zero", "exact",
       lambda: make(interpreter_cls, path, num_threads=0)),
      ("ctor_num_threads_negative", "exact",
       lambda: make(interpreter_cls, path, num_threads=-1)),
      ("ctor_num_threads_two", "exact",
       lambda: make(interpreter_cls, path, num_threads=2).num_subgraphs()),
      ("ctor_missing_file", "prefix",
       lambda: interpreter_cls(model_path="/nonexistent/x.tflite")),
      ("ctor_garbage_content", "prefix",
       lambda: interpreter_cls(model_content=b"not a tflite model" * 8)),
      ("ctor_truncated_content", "prefix",
       lambda: interpreter_cls(model_content=content[:len(content) // 2])),
      ("ctor_garbage_file", "prefix",
       lambda: interpreter_cls(model_path=garbage_file)),
      ("invoke_unallocated", "prefix", lambda: fresh().invoke()),
      ("get_tensor_index_too_big", "exact", lambda: fresh().get_tensor(999)),
      ("get_tensor_index_negative", "exact", lambda: fresh().get_tensor(-1)),
      ("get_tensor_unallocated", "exact", lambda: fresh().get_tensor(in_idx)),
      ("get_tensor_bad_subgraph", "exact",
       lambda: fresh().get_tensor(0, subgraph_index=7)),
      ("set_tensor_int32", "exact",
       lambda: allocated().set_tensor(in_idx, np.array(DENSE_INPUTS[0],
                                                       dtype=np.int32))),
      ("set_tensor_python_list", "exact",
       lambda: allocated().set_tensor(in_idx, DENSE_INPUTS[0])),
      ("set_tensor_wrong_dim", "exact",
       lambda: allocated().set_tensor(in_idx, np.zeros((1, 3), np.float32))),
      ("set_tensor_wrong_rank", "exact",
       lambda: allocated().set_tensor(in_idx, np.zeros((4,), np.float32))),
      ("set_tensor_unallocated", "exact",
       lambda: fresh().set_tensor(in_idx, x1)),
      ("set_tensor_index_too_big", "exact",
       lambda: allocated().set_tensor(999, x1)),
      ("set_tensor_ok", "exact", lambda: allocated().set_tensor(in_idx, x1)),
      ("resize_not_1d", "exact",
       lambda: fresh().resize_tensor_input(in_idx, [[1, 4]])),
      ("resize_strict_fixed_dim", "type",
       lambda: fresh().resize_tensor_input(in_idx, [1, 5], strict=True)),
      ("resize_strict_rank_change", "type",
       lambda: fresh().resize_tensor_input(in_idx, [1, 4, 1], strict=True)),
      ("resize_strict_batch_ok", "exact",
       lambda: fresh().resize_tensor_input(in_idx, [5, 4], strict=True)),
      ("resize_non_strict_fixed_dim_ok", "exact",
       lambda: fresh().resize_tensor_input(in_idx, [1, 5])),
      ("resize_bad_index", "type",
       lambda: fresh().resize_tensor_input(999, [1, 4])),
      ("tensor_details_bad_subgraph", "exact",
       lambda: fresh().get_tensor_details(3)),
      ("view_then_invoke", "type", view_then_invoke),
      ("view_then_allocate", "type", view_then_allocate),
      ("runner_unknown_key", "exact", lambda: runner_for("nope")),
      ("runner_empty_key", "exact", lambda: runner_for("")),
      ("runner_no_inputs", "exact", lambda: runner_for()()),
      ("runner_too_many_inputs", "exact",
       lambda: runner_for()(**{in_name: x1, "y": x1})),
      ("runner_wrong_name", "exact", lambda: runner_for()(y=x1)),
      ("runner_int32", "exact",
       lambda: runner_for()(**{in_name: x1.astype(np.int32)})),
      ("runner_float64", "exact",
       lambda: runner_for()(**{in_name: x1.astype(np.float64)})),
      ("runner_list_value", "type",
       lambda: runner_for()(**{in_name: DENSE_INPUTS[0]})),
      ("runner_positional", "type", lambda: runner_for()(x1)),
      ("runner_wrong_feature_dim", "type",
       lambda: runner_for()(**{in_name: np.zeros((1, 5), np.float32)})),
      ("runner_rank1", "type",
       lambda: runner_for()(**{in_name: np.zeros((4,), np.float32)})),
  ]
  info["errors"] = {}
  for name, compare, fn in cases:
    entry = record_error(fn)
    entry["compare"] = compare
    info["errors"][name] = entry

  # The same model without its SignatureDefs.
  nosig = strip_signatures(content)
  it = make(interpreter_cls, content=nosig)
  info["nosig"] = {
      "signature_list": it.get_signature_list(),
      "input_details": [jsonable_details(d) for d in it.get_input_details()],
      "errors": {
          "runner_none": record_error(lambda: it.get_signature_runner()),
          "runner_serving_default": record_error(
              lambda: it.get_signature_runner("serving_default")),
          "runner_placeholder": record_error(
              lambda: it.get_signature_runner("<placeholder signature>")),
      },
  }
  it.allocate_tensors()
  it.set_tensor(in_idx, x1)
  it.invoke()
  info["nosig"]["invoke_output"] = array_record(it.get_tensor(out_idx))
  for e in info["nosig"]["errors"].values():
    e["compare"] = "exact"
  return info


def record_coding(interpreter_cls, path):
  it = make(interpreter_cls, path)
  info = common_info(it)
  info["errors"] = {
      "allocate": record_error(it.allocate_tensors),
      "runner_none": record_error(lambda: it.get_signature_runner()),
  }
  info["errors"]["allocate"]["compare"] = "type"
  info["errors"]["runner_none"]["compare"] = "exact"
  return info


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--out", default=OUT)
  args = parser.parse_args()

  import ai_edge_litert  # pylint: disable=import-outside-toplevel
  from ai_edge_litert.interpreter import Interpreter  # pylint: disable=import-outside-toplevel

  version = getattr(ai_edge_litert, "__version__", None)
  if version is None:
    try:
      from importlib.metadata import version as pkg_version  # pylint: disable=import-outside-toplevel
      version = pkg_version("ai-edge-litert")
    except Exception:  # pylint: disable=broad-except
      version = "unknown"

  ref = {
      "about": "Recorded from LiteRT by tools/record_litert_reference.py; "
               "do not edit by hand.",
      "litert_version": version,
      "numpy_version": np.__version__,
      "models": {},
  }
  dense = os.path.join(MODELS, "dense.tflite")
  coding = os.path.join(MODELS, "coding.tflite")
  if os.path.exists(dense):
    ref["models"]["dense"] = record_dense(Interpreter, dense)
  if os.path.exists(coding):
    ref["models"]["coding"] = record_coding(Interpreter, coding)
  os.makedirs(os.path.dirname(args.out), exist_ok=True)
  with open(args.out, "w", encoding="utf-8") as f:
    json.dump(ref, f, indent=1)
    f.write("\n")
  print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
  main()
