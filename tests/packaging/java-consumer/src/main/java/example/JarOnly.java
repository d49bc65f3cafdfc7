package example;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.pylite.Interpreter;

/**
 * Runs the Keras Dense model through the installed pylite jar alone: no
 * pylite.library property and no JNI library on java.library.path, so the
 * native library must come out of the jar.
 *
 * <p>Usage: java -cp classes:pylite-0.1.0.jar example.JarOnly MODELS_DIR
 */
public final class JarOnly {
  public static void main(String[] args) throws Exception {
    if (System.getProperty("pylite.library") != null) {
      throw new AssertionError("pylite.library must not be set for this test");
    }
    String libraryName = System.mapLibraryName("pylite_jni");
    for (String dir : System.getProperty("java.library.path", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && new File(dir, libraryName).exists()) {
        throw new AssertionError(libraryName + " is on java.library.path in " + dir);
      }
    }
    try (Interpreter interpreter = new Interpreter(new File(args[0], "dense.tflite"))) {
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("keras_tensor", new float[][] {{1, 2, 3, 4}});
      float[][] out = new float[1][1];
      Map<String, Object> outputs = new HashMap<>();
      outputs.put("output_0", out);
      interpreter.runSignature(inputs, outputs, "serving_default");
      System.out.println("jar-only: serving_default output_0 = " + out[0][0]);
      if (Math.abs(out[0][0] - 1.5117401f) > 1e-6f) {
        throw new AssertionError("unexpected output " + out[0][0]);
      }
    }
  }
}
