#!/usr/bin/env bash
# The installed C library: `cmake --install` into a scratch prefix, then the
# C and C++ samples, copied out of the tree, built against it with
# find_package(pylite) and with pkg-config, and run.
source "$(dirname "$0")/common.sh"
PREFIX="$SCRATCH/prefix"

# A build directory of its own (kept between runs, so rebuilds are
# incremental): installing from it never races another build of build/.
PKG_BUILD=${PKG_BUILD:-$ROOT/build-packaging}
cmake -S "$ROOT" -B "$PKG_BUILD" -DCMAKE_BUILD_TYPE=Release \
  -DPYLITE_BUILD_JNI=OFF >/dev/null
cmake --build "$PKG_BUILD" -j2 --target pylite >/dev/null
cmake --install "$PKG_BUILD" --prefix "$PREFIX" >/dev/null
config=$(find "$PREFIX" -name pyliteConfig.cmake | head -1)
pc=$(find "$PREFIX" -name pylite.pc | head -1)
[ -n "$config" ] || fail "no pyliteConfig.cmake under $PREFIX"
[ -n "$pc" ] || fail "no pylite.pc under $PREFIX"
[ -f "$PREFIX/include/pylite/c_api.h" ] || fail "headers not installed"
ok "installed: ${config#$PREFIX/}, ${pc#$PREFIX/}, include/, $(cd "$PREFIX" && ls */libpylite.so)"

SRC="$SCRATCH/src"
mkdir -p "$SRC"
cp "$HERE/cmake-consumer/CMakeLists.txt" "$SRC/"
cp "$ROOT/examples/c/signatures.c" "$ROOT/examples/cpp/signatures.cc" "$SRC/"

# find_package(pylite) -> pylite::pylite
cmake -S "$SRC" -B "$SCRATCH/consumer" -DCMAKE_PREFIX_PATH="$PREFIX" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$SCRATCH/consumer" -j2 >/dev/null
for exe in signatures_c signatures_cpp; do
  has "$PREFIX/.*libpylite.so" ldd "$SCRATCH/consumer/$exe" ||
    fail "$exe does not use the installed libpylite.so"
done
check_sample c "$SCRATCH/consumer/signatures_c" "$MODELS"
check_sample cpp "$SCRATCH/consumer/signatures_cpp" "$MODELS"
ok "find_package(pylite): C and C++ samples built out of tree and run"

# pkg-config --cflags --libs pylite
export PKG_CONFIG_PATH="$(dirname "$pc")"
libdir=$(pkg-config --variable=libdir pylite)
[ "$(pkg-config --modversion pylite)" = "0.1.0" ] || fail "pkg-config version"
cc -std=c11 -Wall -o "$SCRATCH/sig_c" "$SRC/signatures.c" \
  $(pkg-config --cflags pylite) $(pkg-config --libs pylite) \
  -Wl,-rpath,"$libdir"
c++ -std=c++17 -Wall -o "$SCRATCH/sig_cpp" "$SRC/signatures.cc" \
  $(pkg-config --cflags pylite) $(pkg-config --libs pylite) \
  -Wl,-rpath,"$libdir"
check_sample c "$SCRATCH/sig_c" "$MODELS"
check_sample cpp "$SCRATCH/sig_cpp" "$MODELS"
ok "pkg-config pylite: C and C++ samples built and run"
