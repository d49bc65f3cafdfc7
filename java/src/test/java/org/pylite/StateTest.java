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
}
