#!/usr/bin/env bash
# pylite soak (`make soak SOAK_SECONDS=60`; not part of `make test`): in C,
# C++, Python and Java in turn, load, run and free every model of the
# repository in a loop for SECONDS each, printing RSS at intervals; fails if
# a language's memory grows beyond a small bound after warm-up.
# Needs the build (libpylite.so, libpylite_jni.so), the .venv and the jar.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
cd "$root"
out=build/soak
mkdir -p "$out"
find tests/conformance/models examples/models tests/data -name '*.tflite' \
  | sort > "$out/models.txt"
echo "soak: $(wc -l < "$out/models.txt") models, ${seconds} s per language"

cc -O2 -std=c11 -Iinclude -Itests/fuzz tests/soak/soak.c tests/fuzz/harness.c \
  -Lbuild -lpylite -Wl,-rpath,"$root/build" -lpthread -o "$out/soak_c"
c++ -O2 -std=c++17 -Iinclude tests/soak/soak.cc -Lbuild -lpylite \
  -Wl,-rpath,"$root/build" -o "$out/soak_cpp"

mon() { .venv/bin/python tests/soak/monitor.py "$@"; }
status=0
# Bounds (MB): C and C++ move only with the allocator's free lists; the
# CPython and JVM heaps move by a few MB on their own.
mon c "$seconds" 4 -- "$out/soak_c" "$out/models.txt" "$seconds" || status=1
mon cpp "$seconds" 4 -- "$out/soak_cpp" "$out/models.txt" "$seconds" || status=1
PYLITE_LIBRARY="$root/build/libpylite.so" PYTHONPATH="$root" \
  mon python "$seconds" 8 -- .venv/bin/python tests/soak/soak.py \
  "$out/models.txt" "$seconds" || status=1
jar="$(ls java/target/pylite-*.jar | head -1)"
mon java "$seconds" 16 -- java -Xms96m -Xmx96m -XX:+AlwaysPreTouch \
  -Dpylite.library="$root/build/libpylite_jni.so" -cp "$jar" \
  tests/soak/Soak.java "$out/models.txt" "$seconds" || status=1
exit $status
