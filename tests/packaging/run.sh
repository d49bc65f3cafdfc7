#!/usr/bin/env bash
# `make test-packaging`: the slow packaging checks, in order. Pass names to
# run some of them: `bash tests/packaging/run.sh cmake java`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(cmake python java)
for check in "${checks[@]}"; do
  echo "== packaging: $check"
  bash "$here/$check.sh"
done
