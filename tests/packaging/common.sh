# Shared by the packaging checks: paths, a scratch directory, and helpers.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/tests/packaging"
BUILD=${BUILD:-$ROOT/build}
MODELS="$ROOT/examples/models"
PYTHON=${PYTHON:-python3}
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pylite-packaging.XXXXXX")
if [ -z "${KEEP_SCRATCH:-}" ]; then
  trap 'rm -rf "$SCRATCH"' EXIT
else
  echo "scratch: $SCRATCH"
fi

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# has PATTERN COMMAND...: whether the command's output matches. (Not
# `COMMAND | grep -q`: with pipefail, grep leaving early fails the pipe.)
has() {
  local pattern=$1 out; shift
  out=$("$@") || return 1
  grep -q -- "$pattern" <<< "$out"
}

# check_sample LANG COMMAND...: the command's "LANG: ..." lines must be the
# three lines of expected.txt (the guide's results, as in `make demo`).
check_sample() {
  local lang=$1; shift
  local got
  got=$("$@" | grep "^$lang: ") || fail "$lang sample printed nothing: $*"
  if [ "$got" != "$(sed "s/^LANG:/$lang:/" "$HERE/expected.txt")" ]; then
    printf '%s\n' "$got" >&2
    fail "$lang sample: unexpected output from $*"
  fi
}
