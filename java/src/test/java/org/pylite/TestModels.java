package org.pylite;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the test models and reference data live (system properties set by the pom). */
final class TestModels {
  private TestModels() {}

  static Path root() {
    String r = System.getProperty("pylite.root");
    return r != null ? Paths.get(r) : Paths.get("..");
  }

  static File model(String name) {
    String dir = System.getProperty("pylite.models");
    Path base = dir != null ? Paths.get(dir) : root().resolve("examples/models");
    return base.resolve(name).toFile();
  }

  static File coding() {
    return model("coding.tflite");
  }

  static File dense() {
    return model("dense.tflite");
  }

  static Path referenceJson() {
    return root().resolve("tests/data/litert_reference.json");
  }

  static File denseNoSig() {
    return root().resolve("tests/data/dense_nosig.tflite").toFile();
  }

  static byte[] bytes(File f) {
    try {
      return Files.readAllBytes(f.toPath());
    } catch (IOException e) {
      throw new AssertionError("cannot read " + f, e);
    }
  }
}
