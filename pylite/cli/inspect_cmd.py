"""``pylite inspect MODEL``: what a model holds and whether this build runs it.

The structure comes from pylite's own reader of the file (``_model``), so a
model with ops this build lacks can still be described; whether it loads is
then checked by creating an interpreter.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, TextIO

from pylite.cli import _model
from pylite.cli._common import (CliError, Native, choose_signature,
                                one_line, open_interpreter, read_model)
from pylite.cli.ops_cmd import supported_ops
from pylite.interpreter import PLACEHOLDER_SIGNATURE_KEY


def _io(subgraph: _model.Subgraph, names: Dict[str, int]) -> List[Dict]:
  result = []
  for name, index in names.items():
    entry: Dict[str, Any] = {"name": name, "tensor": index}
    if 0 <= index < len(subgraph.tensors):
      t = subgraph.tensors[index]
      entry.update(dtype=t.dtype, shape=t.shape,
                   shape_signature=t.shape_signature)
    else:
      entry.update(dtype="unknown", shape=[], shape_signature=[])
    result.append(entry)
  return result


def _quantization(q: Optional[_model.Quantization]) -> Optional[Dict]:
  if q is None:
    return None
  return {"scales": q.scales, "zero_points": q.zero_points,
          "quantized_dimension": q.quantized_dimension}


def describe(path: str) -> Dict[str, Any]:
  """Everything ``inspect`` shows, as a JSON-ready dict."""
  data = read_model(path)
  try:
    model = _model.parse(data)
  except _model.ModelFormatError as e:
    raise CliError(f"{path}: not a valid model: {one_line(e)}") from None

  signatures: List[Dict[str, Any]] = []
  for sig in model.signatures:
    if not 0 <= sig.subgraph < len(model.subgraphs):
      raise CliError(f"{path}: not a valid model: signature '{sig.key}' "
                     f"names subgraph {sig.subgraph}")
    sg = model.subgraphs[sig.subgraph]
    signatures.append({"key": sig.key, "subgraph": sig.subgraph,
                       "placeholder": False,
                       "inputs": _io(sg, sig.inputs),
                       "outputs": _io(sg, sig.outputs)})
  if not signatures and model.subgraphs:
    # The C API's placeholder runner: subgraph 0, named by tensor names.
    sg = model.subgraphs[0]
    def by_name(indices: List[int]) -> Dict[str, int]:
      return dict(sorted((sg.tensors[i].name, i) for i in indices
                         if 0 <= i < len(sg.tensors)))
    signatures.append({"key": PLACEHOLDER_SIGNATURE_KEY, "subgraph": 0,
                       "placeholder": True,
                       "inputs": _io(sg, by_name(sg.inputs)),
                       "outputs": _io(sg, by_name(sg.outputs))})

  available = dict(supported_ops())
  histogram: Dict[str, Dict[str, Any]] = {}
  for sg in model.subgraphs:
    for op in sg.operators:
      entry = histogram.setdefault(op.op, {
          "op": op.op, "count": 0, "custom": op.custom, "versions": [],
          "supported": op.op in available,
          "types": available.get(op.op, "")})
      entry["count"] += 1
      if op.version not in entry["versions"]:
        entry["versions"].append(op.version)
  ops = sorted(histogram.values(), key=lambda e: (-e["count"], e["op"]))
  unsupported = [e["op"] for e in ops if not e["supported"]]

  tensors = []
  for sg in model.subgraphs:
    for t in sg.tensors:
      tensors.append({"subgraph": sg.index, "index": t.index,
                      "name": t.name, "dtype": t.dtype, "shape": t.shape,
                      "shape_signature": t.shape_signature,
                      "constant_bytes": t.constant_bytes,
                      "variable": t.is_variable,
                      "quantization": _quantization(t.quantization)})

  load_error = _load_error(path, data, [s["key"] for s in signatures])

  return {
      "model": path,
      "size_bytes": len(data),
      "schema_version": model.version,
      "description": model.description,
      "signatures": signatures,
      "subgraphs": [{"index": sg.index, "name": sg.name,
                     "inputs": sg.inputs, "outputs": sg.outputs,
                     "tensors": len(sg.tensors),
                     "operators": len(sg.operators)}
                    for sg in model.subgraphs],
      "ops": ops,
      "tensors": tensors,
      "metadata": [{"name": m.name, "bytes": m.size, "value": m.text}
                   for m in model.metadata],
      "supported": not unsupported,
      "unsupported_ops": unsupported,
      "loads": load_error is None,
      "load_error": load_error,
  }


def _load_error(path: str, data: bytes, keys: List[str]) -> Optional[str]:
  """Why this build cannot prepare the model's signatures; None if it can.

  Unknown ops are found when a subgraph is prepared, so every signature's
  tensors are allocated (at the shapes of the model; nothing runs)."""
  try:
    with open_interpreter(path, data) as interpreter:
      for key in keys:
        runner = choose_signature(interpreter, key)
        try:
          Native(interpreter, runner).allocate()
        except CliError as e:
          return f"signature '{key}': {e}"
        finally:
          runner.close()
  except CliError as e:
    return str(e).split(": cannot load the model: ", 1)[-1]
  return None


def _shape(shape: List[int]) -> str:
  return "[" + ", ".join(str(d) for d in shape) + "]"


def _quant_text(q: Optional[Dict]) -> str:
  if not q:
    return ""
  scales, zeros = q["scales"], q["zero_points"]
  if len(scales) == 1:
    zero = zeros[0] if zeros else 0
    return f", scale {scales[0]:.6g}, zero point {zero}"
  return (f", per-channel on dim {q['quantized_dimension']} "
          f"({len(scales)} scales)")


def print_text(info: Dict[str, Any], out: TextIO) -> None:
  w = out.write
  w(f"{info['model']}: {len(info['subgraphs'])} subgraph(s), "
    f"{len([s for s in info['signatures'] if not s['placeholder']])} "
    f"signature(s), {info['size_bytes']} bytes, schema "
    f"v{info['schema_version']}\n")
  if info["description"]:
    w(f"description: {info['description']}\n")

  w("\nsignatures:\n")
  for sig in info["signatures"]:
    note = ", no SignatureDefs" if sig["placeholder"] else ""
    w(f"  signature '{sig['key']}' (subgraph {sig['subgraph']}{note}):\n")
    for kind in ("inputs", "outputs"):
      w(f"    {kind}:\n")
      for e in sig[kind]:
        w(f"      {e['name']}: tensor {e['tensor']}, {e['dtype']}, "
          f"shape {_shape(e['shape_signature'])}\n")

  w("\nsubgraphs:\n")
  for sg in info["subgraphs"]:
    name = f" '{sg['name']}'" if sg["name"] else ""
    w(f"  {sg['index']}{name}: {sg['operators']} op(s), {sg['tensors']} "
      f"tensor(s), inputs {sg['inputs']}, outputs {sg['outputs']}\n")

  total = sum(e["count"] for e in info["ops"])
  w(f"\nops ({total} node(s), {len(info['ops'])} kind(s)):\n")
  width = max([len(e["op"]) for e in info["ops"]] + [2])
  for e in info["ops"]:
    status = "supported" if e["supported"] else "NOT SUPPORTED"
    versions = ",".join(str(v) for v in e["versions"])
    w(f"  {e['count']:6d}  {e['op']:{width}s}  v{versions}  {status}\n")

  w("\ntensors:\n")
  for t in info["tensors"]:
    extra = ""
    if t["constant_bytes"]:
      extra += f", constant ({t['constant_bytes']} bytes)"
    if t["variable"]:
      extra += ", variable"
    extra += _quant_text(t["quantization"])
    w(f"  {t['subgraph']}:{t['index']:<4d} {t['name']}: {t['dtype']} "
      f"{_shape(t['shape_signature'])}{extra}\n")

  if info["metadata"]:
    w("\nmetadata:\n")
    for m in info["metadata"]:
      value = f" = {m['value']!r}" if m["value"] is not None else ""
      w(f"  {m['name']}: {m['bytes']} bytes{value}\n")

  w("\n")
  if info["supported"]:
    w("ops: every op is supported by this build\n")
  else:
    w(f"ops: {len(info['unsupported_ops'])} op(s) not supported by this "
      f"build: {', '.join(info['unsupported_ops'])}\n")
  if info["loads"]:
    w("load: ok\n")
  else:
    w(f"load: fails: {info['load_error']}\n")


def run(path: str, as_json: bool, out: TextIO) -> int:
  info = describe(path)
  if as_json:
    json.dump(info, out, indent=2)
    out.write("\n")
  else:
    print_text(info, out)
  return 0
