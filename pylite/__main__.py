"""``python -m pylite``: the command line (see :mod:`pylite.cli`).

``pylite inspect MODEL``, ``pylite run MODEL``, ``pylite bench MODEL`` and
``pylite ops``; the ``pylite`` console script calls :func:`main` too.
"""

from __future__ import annotations

import sys
from typing import List, Optional, Sequence, TextIO, Tuple

from pylite.cli import main


def inspect(model_path: str, out: Optional[TextIO] = None) -> None:
  """Prints what ``pylite inspect`` prints for a model."""
  from pylite.cli import inspect_cmd  # pylint: disable=import-outside-toplevel
  inspect_cmd.print_text(inspect_cmd.describe(model_path),
                         sys.stdout if out is None else out)


def supported_ops() -> List[Tuple[str, str]]:
  """[(op name, types)] from the core's op table, in table order."""
  from pylite.cli import ops_cmd  # pylint: disable=import-outside-toplevel
  return ops_cmd.supported_ops()


def ops_markdown() -> str:
  """The text of docs/ops.md."""
  from pylite.cli import ops_cmd  # pylint: disable=import-outside-toplevel
  return ops_cmd.ops_markdown()


__all__: Sequence[str] = ["main", "inspect", "supported_ops", "ops_markdown"]

if __name__ == "__main__":
  sys.exit(main())
