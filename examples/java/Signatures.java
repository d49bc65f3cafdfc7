// The LiteRT guide's Java sample ("Run signatures", Java), run against pylite.
//
// The guide's lines are kept as printed; the import names org.pylite instead
// of org.tensorflow.lite. Java does not allow the guide's second
// `Map<String, Object> inputs` in the same scope, so each half sits in its own
// block. Added: loading the model file, the arrays for x = [1, 2, 3], the
// lines each language prints, and the Keras Dense model's serving_default.
//
// Usage: java -cp <pylite jar> Signatures.java MODELS_DIR

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pylite.Interpreter;  // stands for org.tensorflow.lite.Interpreter

public class Signatures {
  /** Shortest "%g" that reads back as the same float32, as the C sample. */
  static String formatFloat(float v) {
    String s = "";
    for (int p = 1; p <= 9; ++p) {
      s = cStyleG(v, p);
      if (Float.parseFloat(s) == v) break;
    }
    boolean plain = s.indexOf('.') < 0 && s.indexOf('e') < 0
        && s.indexOf('n') < 0 && s.indexOf('i') < 0;
    return plain ? s + ".0" : s;
  }

  /** C's "%.*g": Java's %g without trailing zeros. */
  static String cStyleG(float v, int p) {
    String s = String.format(Locale.ROOT, "%." + p + "g", (double) v);
    int e = s.indexOf('e');
    String mantissa = e < 0 ? s : s.substring(0, e);
    String exponent = e < 0 ? "" : s.substring(e);
    if (mantissa.indexOf('.') >= 0) {
      mantissa = mantissa.replaceAll("0+$", "");
      if (mantissa.endsWith(".")) mantissa = mantissa.substring(0, mantissa.length() - 1);
    }
    return mantissa + exponent;
  }

  static String formatFloats(float[] values) {
    List<String> parts = new ArrayList<>();
    for (float v : values) parts.add(formatFloat(v));
    return "[" + String.join(", ", parts) + "]";
  }

  public static void main(String[] args) throws Exception {
    String models = args.length > 0 ? args[0] : "examples/models";
    File file_of_tensorflowlite_model = new File(models, "coding.tflite");
    float[] input = {1, 2, 3};
    String[] encoded_result = new String[3];
    float[] decoded_result = new float[3];

    // ---- The guide's sample ----
    try (Interpreter interpreter = new Interpreter(file_of_tensorflowlite_model)) {
      {
        // Run encoding signature.
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("x", input);
        Map<String, Object> outputs = new HashMap<>();
        outputs.put("encoded_result", encoded_result);
        interpreter.runSignature(inputs, outputs, "encode");
      }
      {
        // Run decoding signature.
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("x", encoded_result);
        Map<String, Object> outputs = new HashMap<>();
        outputs.put("decoded_result", decoded_result);
        interpreter.runSignature(inputs, outputs, "decode");
      }
    }
    // ---- end of the guide's sample ----

    List<String> quoted = new ArrayList<>();
    for (String s : encoded_result) quoted.add("'" + s + "'");
    System.out.println("java: encoded_result = [" + String.join(", ", quoted) + "]");
    System.out.println("java: decoded_result = " + formatFloats(decoded_result));

    try (Interpreter dense = new Interpreter(new File(models, "dense.tflite"))) {
      String inName = dense.getSignatureInputs("serving_default")[0];
      String outName = dense.getSignatureOutputs("serving_default")[0];
      float[][] x = {{1, 2, 3, 4}};
      float[][] y = new float[1][1];
      Map<String, Object> inputs = new HashMap<>();
      inputs.put(inName, x);
      Map<String, Object> outputs = new HashMap<>();
      outputs.put(outName, y);
      dense.runSignature(inputs, outputs, "serving_default");
      List<String> rows = new ArrayList<>();
      for (float[] row : y) rows.add(formatFloats(row));
      System.out.println("java: serving_default " + outName + " = ["
          + String.join(", ", rows) + "]");
    }
  }
}
