package org.pylite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * State shared between entry points (tests/data/state/counter.tflite): a tf.Variable shared by
 * signatures and initialized by CALL_ONCE, a WHILE loop whose carried tensor grows, and resetting.
 * Expected values are LiteRT's, from tests/data/state/reference.json.
 */
class StateTest {
  private static File counter() {
    return TestModels.root().resolve("tests/data/state/counter.tflite").toFile();
  }

  private static float[] call(Interpreter interp, String key, String input, Object x, int n) {
    Map<String, Object> inputs = new HashMap<>();
    inputs.put(input, x);
    float[] out = new float[n];
    Map<String, Object> outputs = new HashMap<>();
    outputs.put(key.equals("loop") ? "y" : "value", out);
    interp.runSignature(inputs, outputs, key);
    return out;
  }

  @Test
  void variablesAreSharedBySignatures() {
    try (Interpreter interp = new Interpreter(counter())) {
      assertArrayEquals(new float[] {1.5f, 2.5f, 3.5f},
          call(interp, "add", "x", new float[] {1, 2, 3}, 3));
      assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f},
          call(interp, "add", "x", new float[] {1, 1, 1}, 3));
      assertArrayEquals(new float[] {-5, -7, -9}, call(interp, "scale", "k", -2.0f, 3));
      assertArrayEquals(new float[] {5, 10, 10, 20, 10, 20, 20, 40},
          call(interp, "loop", "x", new float[] {5}, 8));
      // resetVariableTensors leaves resource variables alone, as in TFLite.
      interp.resetVariableTensors();
      assertArrayEquals(new float[] {-4, -6, -8},
          call(interp, "add", "x", new float[] {1, 1, 1}, 3));
      // reset() returns to the freshly-initialized state: the init subgraph runs again.
      interp.reset();
      assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f},
          call(interp, "add", "x", new float[] {1, 1, 1}, 3));
    }
  }

  @Test
  void signatureWithoutInputsNeedsAnInputsMapAsTflite() {
    try (Interpreter interp = new Interpreter(counter())) {
      Map<String, Object> outputs = new HashMap<>();
      outputs.put("value", new float[3]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> interp.runSignature(new HashMap<>(), outputs, "read"));
      assertTrue(e.getMessage().contains("Inputs should not be null or empty"), e.getMessage());
    }
  }

  /**
   * On-device training (tests/data/state/training.tflite): infer, five SGD steps, infer,
   * get_weights, against TensorFlow running the same steps (training_reference.json).
   */
  @Test
  void trainingMatchesTensorflow() {
    float[][] x = {
      {0.345584184f, 0.82161814f, 0.330437064f, -1.30315721f},
      {0.905355871f, 0.446374565f, -0.536953211f, 0.581118107f},
      {0.364572406f, 0.294132501f, 0.028422242f, 0.546712995f},
      {-0.73645407f, -0.162909955f, -0.482119322f, 0.598846197f},
      {0.0397221074f, -0.292456746f, -0.781908453f, -0.257192254f},
      {0.00814218074f, -0.275602907f, 1.29406381f, 1.00672436f},
      {-2.71116257f, -1.88901329f, -0.174772099f, -0.422190398f},
      {0.213643f, 0.217321932f, 2.11783886f, -1.11202073f}
    };
    float[][] y = new float[8][3];
    for (int i = 0; i < 8; ++i) y[i][i % 3] = 1;
    float[] losses = {1.47800887f, 1.43158317f, 1.38850117f, 1.34858704f, 1.31163776f};
    File model = TestModels.root().resolve("tests/data/state/training.tflite").toFile();
    try (Interpreter interp = new Interpreter(model)) {
      float[][] probs = new float[8][3];
      Map<String, Object> in = new HashMap<>();
      in.put("x", x);
      Map<String, Object> out = new HashMap<>();
      out.put("output", probs);
      interp.runSignature(in, out, "infer");
      assertClose(new float[] {0.0858539343f, 0.24603121f, 0.668114841f}, probs[0]);
      for (float want : losses) {
        Map<String, Object> trainIn = new HashMap<>();
        trainIn.put("x", x);
        trainIn.put("y", y);
        java.nio.FloatBuffer loss = java.nio.FloatBuffer.allocate(1);
        Map<String, Object> trainOut = new HashMap<>();
        trainOut.put("loss", loss);
        interp.runSignature(trainIn, trainOut, "train");
        assertClose(new float[] {want}, new float[] {loss.get(0)});
      }
      float[][] w = new float[4][3];
      Map<String, Object> weights = new HashMap<>();
      weights.put("w", w);
      interp.invokeSignature(new HashMap<>(), weights, "get_weights");
      assertClose(new float[] {-0.548971534f, -0.548323631f, -0.090030767f}, w[0]);
      assertClose(new float[] {0.691992164f, 0.0813991129f, -0.436279714f}, w[3]);
    }
  }

  /** |got - want| <= 1e-5 * max|want|, the conformance suite's float bound. */
  private static void assertClose(float[] want, float[] got) {
    float scale = 0;
    for (float v : want) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < want.length; ++i) {
      assertTrue(Math.abs(got[i] - want[i]) <= 1e-5f * scale,
          "element " + i + ": got " + got[i] + ", want " + want[i]);
    }
  }

  /** Hash tables (tests/data/state/hashtable.tflite), values recorded from LiteRT. */
  @Test
  void hashTableLookups() {
    File model = TestModels.root().resolve("tests/data/state/hashtable.tflite").toFile();
    try (Interpreter interp = new Interpreter(model)) {
      Map<String, Object> in = new HashMap<>();
      in.put("words", new String[] {"banana", "Apple", "", "cherry"});
      long[] ids = new long[4];
      Map<String, Object> out = new HashMap<>();
      out.put("ids", ids);
      interp.runSignature(in, out, "lookup_words");
      assertArrayEquals(new long[] {2, -1, 40, 3}, ids);
      Map<String, Object> in2 = new HashMap<>();
      in2.put("ids", new long[] {7, 1, -1});
      String[] words = new String[3];
      Map<String, Object> out2 = new HashMap<>();
      out2.put("words", words);
      interp.runSignature(in2, out2, "lookup_ids");
      assertArrayEquals(new String[] {"seven", "<unk>", "minus one"}, words);
    }
  }
}
