"""``pylite run MODEL``: runs one signature once and prints or saves outputs."""

from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, Optional, Sequence, TextIO

import numpy as np

from pylite.cli._common import (CliError, choose_signature, describe_array,
                                make_inputs, one_line, open_interpreter,
                                parse_input_specs, read_model)
from pylite.errors import PyliteError


def _jsonable(array: np.ndarray) -> Any:
  if array.dtype.kind in "OSU":
    return np.vectorize(
        lambda v: v.decode("utf-8", errors="replace")
        if isinstance(v, bytes) else str(v), otypes=[object])(array).tolist()
  if array.dtype.kind == "c":
    return [[float(v.real), float(v.imag)] for v in array.ravel()]
  return array.tolist()


def _text(array: np.ndarray) -> str:
  if array.dtype.kind in "OSU":
    return repr(_jsonable(np.asarray(array)))
  return np.array2string(np.asarray(array), separator=", ",
                         threshold=1000)


def _file_name(name: str) -> str:
  """An output name as a file name (signature names may hold '/' or ':')."""
  safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".")
  return (safe or "output") + ".npy"


def _save(array: np.ndarray, path: str) -> None:
  if array.dtype == object:  # strings: saved as bytes, loadable without pickle
    array = np.array([v if isinstance(v, bytes) else str(v).encode()
                      for v in array.ravel()],
                     dtype=np.bytes_).reshape(array.shape)
  np.save(path, array, allow_pickle=False)


def run(path: str, signature: Optional[str], input_specs: Sequence[str],
        output_dir: Optional[str], as_json: bool, seed: Optional[int],
        num_threads: Optional[int], out: TextIO) -> int:
  specs = parse_input_specs(input_specs)
  data = read_model(path)
  with open_interpreter(path, data, num_threads) as interpreter:
    runner = choose_signature(interpreter, signature)
    inputs, origins = make_inputs(runner, specs, seed)
    try:
      outputs = runner(**inputs)
    except PyliteError as e:
      raise CliError(f"signature '{runner.signature_key}' failed: "
                     f"{one_line(e)}") from None
    outputs = {name: np.asarray(value) for name, value in outputs.items()}

  saved: Dict[str, str] = {}
  if output_dir is not None:
    try:
      os.makedirs(output_dir, exist_ok=True)
      for name, value in outputs.items():
        target = os.path.join(output_dir, _file_name(name))
        _save(value, target)
        saved[name] = target
    except OSError as e:
      raise CliError(f"--output-dir {output_dir}: {e.strerror or e}"
                     ) from None

  if as_json:
    json.dump({
        "signature": runner.signature_key,
        "inputs": {n: {"source": origins[n],
                       "dtype": describe_array(a).split(" ")[0],
                       "shape": list(a.shape)} for n, a in inputs.items()},
        "outputs": {n: {"dtype": describe_array(a).split(" ")[0],
                        "shape": list(a.shape), "value": _jsonable(a),
                        **({"file": saved[n]} if n in saved else {})}
                    for n, a in outputs.items()},
    }, out, indent=2)
    out.write("\n")
    return 0
  out.write(f"signature '{runner.signature_key}'\n")
  for name, value in inputs.items():
    out.write(f"  input {name}: {describe_array(value)} from "
              f"{origins[name]}\n")
  for name, value in outputs.items():
    if name in saved:
      out.write(f"  output {name}: {describe_array(value)} -> "
                f"{saved[name]}\n")
    else:
      out.write(f"  output {name}: {describe_array(value)} = "
                f"{_text(value)}\n")
  return 0
