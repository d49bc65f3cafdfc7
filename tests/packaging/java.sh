#!/usr/bin/env bash
# The Maven artifact: `mvn install` puts the jar, with the JNI library inside,
# into the local repository; a project depending only on that artifact is
# compiled and run with no pylite.library and no JNI library on
# java.library.path, and so is the guide's sample with just the jar.
source "$(dirname "$0")/common.sh"
REPO=${MAVEN_REPO:-$HOME/.m2/repository}

cmake -S "$ROOT" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j2 --target pylite_jni >/dev/null
mvn_quiet() {  # Maven prints its errors on stdout: show them only on failure
  "$@" > "$SCRATCH/mvn.log" 2>&1 || { tail -40 "$SCRATCH/mvn.log"; fail "$*"; }
}
(cd "$ROOT/java" && mvn_quiet mvn -B -ntp install -DskipTests -Dmaven.repo.local="$REPO")
jar="$REPO/org/pylite/pylite/0.1.0/pylite-0.1.0.jar"
[ -f "$jar" ] || fail "mvn install made no $jar"
has 'org/pylite/native/[a-z0-9_]*-[a-z0-9_]*/libpylite_jni' unzip -l "$jar" ||
  fail "the jar carries no native library"
ok "mvn install: $(basename "$jar") with org/pylite/native/*/libpylite_jni.so"

cp -r "$HERE/java-consumer" "$SCRATCH/consumer"
(cd "$SCRATCH/consumer" && mvn_quiet mvn -B -ntp compile -Dmaven.repo.local="$REPO")
mkdir -p "$SCRATCH/empty"
(
  cd "$SCRATCH"
  unset LD_LIBRARY_PATH
  has '^jar-only: serving_default output_0 = 1.5117401$' \
    java -Djava.library.path="$SCRATCH/empty" \
    -cp "$SCRATCH/consumer/target/classes:$jar" example.JarOnly "$MODELS" ||
    fail "the consumer project did not run"
  check_sample java java -Djava.library.path="$SCRATCH/empty" -cp "$jar" \
    "$ROOT/examples/java/Signatures.java" "$MODELS"
)
ok "a project depending only on the installed jar runs (library from the jar)"
