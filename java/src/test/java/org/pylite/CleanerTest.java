package org.pylite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Native memory is freed when the user forgets {@code close()}: a {@link java.lang.ref.Cleaner}
 * frees the model, interpreter and runner handles once the interpreter is unreachable.
 */
class CleanerTest {
  private static final int COUNT = 200;

  /** Runs the guide's Dense model once through a runner, leaving the interpreter open. */
  private static NativeInterpreterWrapper.Handles openAndForget() {
    Interpreter interpreter = new Interpreter(TestModels.dense());
    Map<String, Object> inputs = new HashMap<>();
    inputs.put("keras_tensor", new float[][] {{1, 2, 3, 4}});
    Map<String, Object> outputs = new HashMap<>();
    float[][] out = new float[1][1];
    outputs.put("output_0", out);
    interpreter.runSignature(inputs, outputs, "serving_default");
    assertTrue(Float.isFinite(out[0][0]));
    return interpreter.wrapper().handles();
  }

  private static boolean allFreed(List<NativeInterpreterWrapper.Handles> handles) {
    for (NativeInterpreterWrapper.Handles h : handles) {
      if (!h.isFreed()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void forgottenInterpretersAreFreedAfterGc() throws InterruptedException {
    List<NativeInterpreterWrapper.Handles> handles = new ArrayList<>();
    for (int i = 0; i < COUNT; ++i) {
      handles.add(openAndForget());
    }
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!allFreed(handles) && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    int freed = 0;
    for (NativeInterpreterWrapper.Handles h : handles) {
      freed += h.isFreed() ? 1 : 0;
    }
    assertEquals(COUNT, freed, "interpreters freed by the cleaner");
  }

  @Test
  void closeFreesAtOnceAndTheCleanerDoesNothingMore() {
    Interpreter interpreter = new Interpreter(TestModels.dense());
    assertArrayEquals(new String[] {"serving_default"}, interpreter.getSignatureKeys());
    NativeInterpreterWrapper.Handles handles = interpreter.wrapper().handles();
    interpreter.close();
    assertTrue(handles.isFreed());
    interpreter.close(); // idempotent
    assertThrows(IllegalStateException.class, interpreter::getSignatureKeys);
    handles.run(); // a second run (as the cleaner would) frees nothing twice
    assertTrue(handles.isFreed());
  }
}
