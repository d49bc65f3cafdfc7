"""``pylite ops``: the ops this build implements, from the core's op table."""

from __future__ import annotations

import json
from typing import List, TextIO, Tuple

from pylite._ffi import ffi, lib


def supported_ops() -> List[Tuple[str, str]]:
  """[(op name, types)] from the core's op table, in table order."""
  ops = []
  for i in range(lib.PyliteGetOpCount()):
    name = lib.PyliteGetOpName(i)
    types = lib.PyliteGetOpTypes(i)
    if name == ffi.NULL:
      continue
    ops.append((ffi.string(name).decode(),
                ffi.string(types).decode() if types != ffi.NULL else ""))
  return ops


def ops_markdown() -> str:
  """The text of docs/ops.md."""
  lines = ["# Supported ops", "",
           "Generated from the core's op table (`capi/kernels/ops.def`) by",
           "`python -m pylite ops --markdown`; a test keeps it current.", "",
           "Builtin ops carry the schema's name; TensorFlow (Flex) ops and",
           "other custom ops carry their custom code. The types are those of",
           "the op's main input (blank where the op table does not state",
           "them).", "",
           "| Op | Types |", "|---|---|"]
  lines += [f"| {name} | {types} |" for name, types in supported_ops()]
  return "\n".join(lines) + "\n"


def run(markdown: bool, as_json: bool, out: TextIO) -> int:
  if markdown:
    out.write(ops_markdown())
  elif as_json:
    json.dump([{"op": name, "types": [t.strip() for t in types.split(",")
                                      if t.strip()]}
               for name, types in supported_ops()], out, indent=2)
    out.write("\n")
  else:
    for name, types in supported_ops():
      out.write(f"{name:32s} {types}".rstrip() + "\n")
  return 0
