"""The ``pylite`` command line (also ``python -m pylite``).

Subcommands:
  inspect MODEL   signatures, subgraphs, op histogram, tensors, metadata and
                  whether this build supports every op (``--json``)
  run MODEL       runs one signature on inputs from .npy files, JSON literals
                  or random data; prints or saves (``--output-dir``) outputs
  bench MODEL     init / first-run / steady-state latency, peak memory and,
                  with ``--profile``, a per-op table
  ops             the ops and types this build supports (``--markdown``)

A user's mistake (a missing file, an invalid model, an unknown signature or
input, an input of the wrong type or shape) is reported as one line on
stderr, ``pylite <command>: error: ...``, with exit status 1 (2 for a bad
command line). Set ``PYLITE_TRACEBACK=1`` to see the traceback of an
unexpected error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, NoReturn, Optional, Sequence, TextIO

PROG = "pylite"


class _Parser(argparse.ArgumentParser):
  """argparse with one-line errors (no usage dump)."""

  def error(self, message: str) -> NoReturn:
    sys.stderr.write(f"{self.prog}: error: {message} (see {self.prog} "
                     "--help)\n")
    sys.exit(2)


def _positive(text: str) -> int:
  try:
    value = int(text)
  except ValueError:
    raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
  if value < 1:
    raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
  return value


def _non_negative(text: str) -> int:
  try:
    value = int(text)
  except ValueError:
    raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
  if value < 0:
    raise argparse.ArgumentTypeError(f"must not be negative: {text}")
  return value


def build_parser() -> argparse.ArgumentParser:
  parser = _Parser(prog=PROG, description="pylite command line: inspect, "
                   "run and benchmark .tflite models")
  sub = parser.add_subparsers(dest="command", required=True,
                              metavar="{inspect,run,bench,ops}",
                              parser_class=_Parser)

  p = sub.add_parser("inspect", help="describe a model",
                     description="Signatures, subgraphs, op histogram, "
                     "tensors, metadata, and whether this build supports "
                     "every op.")
  p.add_argument("model", help="path of a .tflite file")
  p.add_argument("--json", action="store_true", help="print JSON")

  def add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="path of a .tflite file")
    p.add_argument("--signature", metavar="KEY",
                   help="signature to run (default: the model's only one)")
    p.add_argument("--input", action="append", default=[],
                   metavar="NAME=VALUE",
                   help="an input: a .npy file, a JSON literal ('[[1, 2]]'),"
                   " 'random' or 'random:2x3'; inputs not given are random")
    p.add_argument("--threads", type=_positive, metavar="N",
                   help="kernel threads")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the random inputs (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON")

  p = sub.add_parser("run", help="run one signature",
                     description="Runs one signature once and prints its "
                     "outputs, or saves them as .npy files.")
  add_run_args(p)
  p.add_argument("--output-dir", metavar="DIR",
                 help="save each output as DIR/<name>.npy")

  p = sub.add_parser("bench", help="benchmark one signature",
                     description="Init time, first-run time, latency "
                     "(min/median/p90) over --runs runs, peak memory; "
                     "--profile adds a per-op table.")
  add_run_args(p)
  p.add_argument("--runs", type=_positive, default=50, metavar="N",
                 help="timed runs (default 50)")
  p.add_argument("--warmup", type=_non_negative, default=1, metavar="N",
                 help="untimed runs before them (default 1)")
  p.add_argument("--profile", action="store_true",
                 help="per-node and per-op timing")
  group = p.add_mutually_exclusive_group()
  group.add_argument("--progress", dest="progress", action="store_true",
                     default=None, help="always show the progress bar")
  group.add_argument("--no-progress", dest="progress", action="store_false",
                     help="never show it (default: on a terminal, for runs "
                     "longer than 2 s)")

  p = sub.add_parser("ops", help="list the supported ops and types")
  fmt = p.add_mutually_exclusive_group()
  fmt.add_argument("--markdown", action="store_true",
                   help="print the table of docs/ops.md")
  fmt.add_argument("--json", action="store_true", help="print JSON")
  return parser


def _dispatch(args: argparse.Namespace, out: TextIO) -> int:
  # Imported here so that `--help` and argument errors need no library.
  if args.command == "ops":
    from pylite.cli import ops_cmd
    return ops_cmd.run(args.markdown, args.json, out)
  if args.command == "inspect":
    from pylite.cli import inspect_cmd
    return inspect_cmd.run(args.model, args.json, out)
  if args.command == "run":
    from pylite.cli import run_cmd
    return run_cmd.run(args.model, args.signature, args.input,
                       args.output_dir, args.json, args.seed, args.threads,
                       out)
  if args.command == "bench":
    from pylite.cli import bench_cmd
    return bench_cmd.run(args.model, args.signature, args.input,
                         args.threads, args.runs, args.warmup, args.profile,
                         args.seed, args.progress, args.json, out)
  raise AssertionError(args.command)


def main(argv: Optional[Sequence[str]] = None) -> int:
  """Runs the command line; returns the exit status."""
  parser = build_parser()
  args = parser.parse_args(None if argv is None else list(argv))
  label = f"{PROG} {args.command}"
  try:
    from pylite.cli._common import CliError  # pylint: disable=import-outside-toplevel
    try:
      return _dispatch(args, sys.stdout)
    except CliError as e:
      sys.stderr.write(f"{label}: error: {e}\n")
      return e.status
  except KeyboardInterrupt:
    sys.stderr.write(f"{label}: interrupted\n")
    return 130
  except BrokenPipeError:
    # The reader went away (`pylite ops | head`); not an error.
    try:
      sys.stdout = open(os.devnull, "w")  # pylint: disable=consider-using-with
    except OSError:
      pass
    return 0
  except ImportError as e:
    sys.stderr.write(f"{label}: error: {_first_line(e)}\n")
    return 1
  except Exception as e:  # pylint: disable=broad-except
    if os.environ.get("PYLITE_TRACEBACK"):
      raise
    sys.stderr.write(f"{label}: internal error: {type(e).__name__}: "
                     f"{_first_line(e)} (set PYLITE_TRACEBACK=1 for the "
                     "traceback)\n")
    return 3


def _first_line(e: BaseException) -> str:
  text = str(e).strip()
  return text.splitlines()[0] if text else type(e).__name__


__all__: List[str] = ["main", "build_parser"]
