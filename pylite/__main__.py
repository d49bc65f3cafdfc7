"""Command line: ``python -m pylite inspect MODEL`` and ``python -m pylite ops``.

``inspect`` prints the model's signatures with their inputs and outputs (name,
tensor index, dtype, shape signature); ``ops`` lists the ops this build
supports with their types (``--markdown`` writes the table of docs/ops.md).
A fuller CLI is planned.
"""

import argparse
import sys


def _format_details(name, details):
  dtype = getattr(details["dtype"], "__name__", str(details["dtype"]))
  shape = [int(d) for d in details["shape_signature"]]
  return f"    {name}: tensor {details['index']}, {dtype}, shape {shape}"


def inspect(model_path, out=None):
  out = sys.stdout if out is None else out
  from pylite.interpreter import (PLACEHOLDER_SIGNATURE_KEY,  # pylint: disable=import-outside-toplevel
                                  Interpreter)
  with Interpreter(model_path=model_path) as interpreter:
    signatures = interpreter.get_signature_list()
    print(f"{model_path}: {interpreter.num_subgraphs()} subgraph(s), "
          f"{len(signatures)} signature(s)", file=out)
    keys = list(signatures) or [PLACEHOLDER_SIGNATURE_KEY]
    for key in keys:
      runner = interpreter.get_signature_runner(key)
      print(f"signature {key!r} (subgraph {runner._subgraph_index}):",  # pylint: disable=protected-access
            file=out)
      print("  inputs:", file=out)
      for name, details in runner.get_input_details().items():
        print(_format_details(name, details), file=out)
      print("  outputs:", file=out)
      for name, details in runner.get_output_details().items():
        print(_format_details(name, details), file=out)
      runner.close()


def supported_ops():
  """[(op name, types)] from the core's op table, in table order."""
  from pylite._ffi import ffi, lib  # pylint: disable=import-outside-toplevel
  ops = []
  for i in range(lib.PyliteGetOpCount()):
    ops.append((ffi.string(lib.PyliteGetOpName(i)).decode(),
                ffi.string(lib.PyliteGetOpTypes(i)).decode()))
  return ops


def ops_markdown():
  lines = ["# Supported ops", "",
           "Generated from the core's op table (`capi/kernels/ops.def`) by",
           "`python -m pylite ops --markdown`; a test keeps it current.", "",
           "| Op | Types |", "|---|---|"]
  lines += [f"| {name} | {types} |" for name, types in supported_ops()]
  return "\n".join(lines) + "\n"


def main(argv=None):
  parser = argparse.ArgumentParser(prog="python -m pylite",
                                   description="pylite command line")
  sub = parser.add_subparsers(dest="command", required=True)
  p_inspect = sub.add_parser("inspect", help="print a model's signatures")
  p_inspect.add_argument("model", help="path of a .tflite file")
  p_ops = sub.add_parser("ops", help="list the supported ops and types")
  p_ops.add_argument("--markdown", action="store_true",
                     help="print the table of docs/ops.md")
  args = parser.parse_args(argv)
  if args.command == "ops":
    if args.markdown:
      sys.stdout.write(ops_markdown())
    else:
      for name, types in supported_ops():
        print(f"{name:32s} {types}")
    return 0
  if args.command == "inspect":
    try:
      inspect(args.model)
    except (ValueError, RuntimeError) as e:
      print(f"error: {e}", file=sys.stderr)
      return 1
  return 0


if __name__ == "__main__":
  sys.exit(main())
