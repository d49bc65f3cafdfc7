package org.pylite;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every documented error of the Java API, with its exception class and message. */
class ErrorPathsTest {
  private Interpreter dense;

  @BeforeEach
  void open() {
    assumeTrue(TestModels.dense().exists(), "dense.tflite not generated yet");
    dense = new Interpreter(TestModels.dense());
  }

  @AfterEach
  void closeIt() {
    if (dense != null) {
      dense.close();
    }
  }

  private static String iae(Executable e) {
    return assertThrows(IllegalArgumentException.class, e).getMessage();
  }

  private static String ise(Executable e) {
    return assertThrows(IllegalStateException.class, e).getMessage();
  }

  private static Map<String, Object> map(String k, Object v) {
    Map<String, Object> m = new HashMap<>();
    m.put(k, v);
    return m;
  }

  private static float[][] row() {
    return new float[][] {{1, 2, 3, 4}};
  }

  // ---- Signatures ----------------------------------------------------------------------------

  @Test
  void unknownSignatureKey() {
    String m =
        iae(() -> dense.runSignature(map("keras_tensor", row()), new HashMap<>(), "nope"));
    assertTrue(m.startsWith("Input error: Signature nope not found."), m);
    assertTrue(m.contains("serving_default"), "lists the valid keys: " + m);
    assertTrue(iae(() -> dense.getSignatureInputs("nope")).startsWith("Input error: Signature"));
    assertTrue(iae(() -> dense.getSignatureOutputs("nope")).startsWith("Input error: Signature"));
    iae(() -> dense.getInputTensorFromSignature("keras_tensor", "nope"));
    iae(() -> dense.getOutputTensorFromSignature("output_0", "nope"));
  }

  @Test
  void nullKeyWithSeveralSignatures() {
    assumeTrue(TestModels.coding().exists(), "coding.tflite not generated yet");
    try (Interpreter coding = new Interpreter(TestModels.coding())) {
      String m = iae(() -> coding.runSignature(map("x", new float[] {1}), new HashMap<>()));
      assertTrue(
          m.startsWith(
              "Input error: SignatureDef signatureKey should not be null. null is only allowed if"
                  + " the model has a single Signature. Available Signatures: ["),
          m);
      assertTrue(m.contains("encode") && m.contains("decode"), m);
    }
  }

  @Test
  void unknownInputAndOutputNames() {
    String m = iae(() -> dense.runSignature(map("y", row()), new HashMap<>(), "serving_default"));
    assertTrue(m.startsWith("Input error: input y not found."), m);
    assertTrue(m.contains("[keras_tensor]"), "lists the valid names: " + m);

    m =
        iae(
            () ->
                dense.runSignature(
                    map("keras_tensor", row()), map("out", new float[1][1]), "serving_default"));
    assertTrue(m.startsWith("Input error: output out not found."), m);
    assertTrue(m.contains("[output_0]"), m);

    m = iae(() -> dense.getInputTensorFromSignature("y", "serving_default"));
    assertTrue(m.startsWith("Input error: input y not found."), m);
    m = iae(() -> dense.getOutputTensorFromSignature("y", "serving_default"));
    assertTrue(m.startsWith("Input error: output y not found."), m);
  }

  @Test
  void nullOrEmptyMaps() {
    assertEquals(
        "Input error: Inputs should not be null or empty.",
        iae(() -> dense.runSignature(new HashMap<>(), new HashMap<>(), "serving_default")));
    assertEquals(
        "Input error: Inputs should not be null or empty.",
        iae(() -> dense.runSignature(null, new HashMap<>(), "serving_default")));
    assertEquals(
        "Input error: Outputs should not be null.",
        iae(() -> dense.runSignature(map("keras_tensor", row()), null, "serving_default")));
    assertEquals(
        "Input error: Inputs should not be null or empty.",
        iae(() -> dense.runForMultipleInputsOutputs(new Object[0], new HashMap<>())));
    assertEquals(
        "Input error: Outputs should not be null.",
        iae(() -> dense.runForMultipleInputsOutputs(new Object[] {row()}, null)));
  }

  // ---- Types and shapes ----------------------------------------------------------------------

  @Test
  void wrongInputType() {
    String m =
        iae(
            () ->
                dense.runSignature(
                    map("keras_tensor", new int[][] {{1, 2, 3, 4}}),
                    new HashMap<>(),
                    "serving_default"));
    assertEquals(
        "Cannot convert between a TensorFlowLite tensor with type FLOAT32 and a Java object of"
            + " type [[I (which is compatible with the TensorFlowLite type INT32).",
        m);
    iae(() -> dense.run(new String[] {"a"}, new float[1][1]));
    iae(() -> dense.run(IntBuffer.allocate(4), new float[1][1]));
    iae(() -> dense.run(new Object[] {1f}, new float[1][1]));
    iae(() -> dense.run(new double[][] {{1, 2, 3, 4}}, new float[1][1]));
  }

  @Test
  void wrongOutputType() {
    String m = iae(() -> dense.run(row(), new long[1][1]));
    assertEquals(
        "Cannot convert between a TensorFlowLite tensor with type FLOAT32 and a Java object of"
            + " type [[J (which is compatible with the TensorFlowLite type INT64).",
        m);
    // A failed run leaves no duration.
    assertEquals(null, dense.getLastNativeInferenceDurationNanoseconds());
  }

  @Test
  void wrongOutputShape() {
    String m = iae(() -> dense.run(row(), new float[2][1]));
    assertEquals(
        "Cannot copy from a TensorFlowLite tensor (StatefulPartitionedCall_1:0) with shape [1, 1]"
            + " to a Java object with shape [2, 1].",
        m);
    m = iae(() -> dense.run(row(), new float[1]));
    assertTrue(m.startsWith("Cannot copy from a TensorFlowLite tensor"), m);
  }

  @Test
  void wrongBufferSizes() {
    String m = iae(() -> dense.run(FloatBuffer.allocate(3), new float[1][1]));
    assertEquals(
        "Cannot copy to a TensorFlowLite tensor (serving_default_keras_tensor:0) with 16 bytes"
            + " from a Java Buffer with 12 bytes.",
        m);
    m = iae(() -> dense.run(row(), ByteBuffer.allocate(3)));
    assertEquals(
        "Cannot copy from a TensorFlowLite tensor (StatefulPartitionedCall_1:0) with 4 bytes to a"
            + " Java Buffer with 3 bytes.",
        m);
  }

  @Test
  void badArrays() {
    assertEquals("Array lengths cannot be 0.", iae(() -> dense.run(new float[0][4], null)));
    assertEquals(
        "Mismatched lengths (4 and 3) in dimension 1",
        iae(() -> dense.run(new float[][] {{1, 2, 3, 4}, {1, 2, 3}}, null)));
    iae(() -> dense.run(new float[][] {{1, 2, 3, 4}, null}, null));
    assertEquals(
        "Null inputs are allowed only if the Tensor is bound to a buffer handle.",
        iae(() -> dense.run(null, new float[1][1])));
  }

  @Test
  void shapeThatCannotWork() {
    // [1, 5] resizes fine (non-strict) but the weights need 4 columns.
    Throwable t =
        assertThrows(RuntimeException.class, () -> dense.run(new float[][] {{1, 2, 3, 4, 5}}, null));
    assertTrue(
        t instanceof IllegalStateException || t instanceof IllegalArgumentException,
        "got " + t);
    // The interpreter is still usable afterwards.
    float[][] out = new float[1][1];
    dense.run(row(), out);
    assertEquals(1.5117400884628296f, out[0][0], 1e-5f);
  }

  @Test
  void signatureResizeFailureNamesTheInput() {
    // Dimension 1 is fixed to 4: a rank-1 input cannot be made to fit through the signature.
    Throwable t =
        assertThrows(
            RuntimeException.class,
            () ->
                dense.runSignature(
                    map("keras_tensor", new float[][] {{1, 2, 3, 4, 5}}),
                    new HashMap<>(),
                    "serving_default"));
    assertTrue(
        t instanceof IllegalStateException || t instanceof IllegalArgumentException,
        "got " + t);
  }

  // ---- Indices, resize ---------------------------------------------------------------------------

  @Test
  void badIndicesAndNames() {
    assertEquals("Invalid input Tensor index: 1", iae(() -> dense.getInputTensor(1)));
    assertEquals("Invalid input Tensor index: -1", iae(() -> dense.getInputTensor(-1)));
    assertEquals("Invalid output Tensor index: 5", iae(() -> dense.getOutputTensor(5)));
    String m = iae(() -> dense.getInputIndex("nope"));
    assertTrue(m.startsWith("Input error: 'nope' is not a valid name for any input."), m);
    assertTrue(m.contains("serving_default_keras_tensor:0=0"), m);
    m = iae(() -> dense.getOutputIndex("nope"));
    assertTrue(m.startsWith("Input error: 'nope' is not a valid name for any output."), m);
    assertEquals("Invalid input Tensor index: 3", iae(() -> dense.resizeInput(3, new int[] {1})));
    assertEquals(
        "Invalid input Tensor index: 1",
        iae(() -> dense.runForMultipleInputsOutputs(new Object[] {row(), row()}, new HashMap<>())));
    iae(() -> dense.runForMultipleInputsOutputs(new Object[] {row()}, Map.of(7, new float[1][1])));
  }

  @Test
  void strictResizeRejectsFixedDims() {
    String m = iae(() -> dense.resizeInput(0, new int[] {1, 5}, true));
    assertTrue(m.startsWith("Internal error: Failed to resize 0-th input:"), m);
    // Non-strict resize of a -1 dim, and back, works.
    assertDoesNotThrow(() -> dense.resizeInput(0, new int[] {2, 4}, true));
    assertDoesNotThrow(() -> dense.resizeInput(0, new int[] {1, 4}));
    assertDoesNotThrow(() -> dense.allocateTensors());
  }

  // ---- Lifetime ----------------------------------------------------------------------------------

  @Test
  void useAfterCloseAndCloseTwice() {
    Tensor in = dense.getInputTensor(0);
    dense.close();
    assertDoesNotThrow(() -> dense.close());
    String closed = "Internal error: The Interpreter has already been closed.";
    assertEquals(closed, ise(() -> dense.run(row(), new float[1][1])));
    assertEquals(closed, ise(() -> dense.runSignature(map("keras_tensor", row()), new HashMap<>())));
    assertEquals(closed, ise(() -> dense.getInputTensor(0)));
    assertEquals(closed, ise(() -> dense.getSignatureKeys()));
    assertEquals(closed, ise(() -> dense.getInputTensorCount()));
    assertEquals(closed, ise(() -> dense.allocateTensors()));
    assertEquals(closed, ise(() -> dense.resizeInput(0, new int[] {2, 4})));
    assertEquals(closed, ise(() -> dense.getLastNativeInferenceDurationNanoseconds()));
    assertEquals(closed, ise(() -> dense.resetVariableTensors()));
    // A tensor obtained before close is dead too, and never touches freed memory.
    assertEquals(closed, ise(in::shape));
    assertEquals(closed, ise(in::name));
    assertEquals(closed, ise(in::dataType));
    assertEquals(closed, ise(in::asReadOnlyBuffer));
    dense = null;
  }

  @Test
  void tensorFromSignatureDiesWithInterpreter() {
    Tensor t = dense.getOutputTensorFromSignature("output_0", "serving_default");
    dense.close();
    ise(t::numBytes);
    ise(() -> dense.getSignatureInputs("serving_default"));
  }

  @Test
  void closeRacingRunsNeverCrashes() throws Exception {
    for (int round = 0; round < 20; ++round) {
      Interpreter shared = new Interpreter(TestModels.dense());
      java.util.concurrent.atomic.AtomicReference<Throwable> unexpected =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread runner =
          new Thread(
              () -> {
                float[][] out = new float[1][1];
                try {
                  while (true) {
                    shared.run(row(), out);
                    shared.getOutputTensor(0).asReadOnlyBuffer();
                  }
                } catch (IllegalStateException e) {
                  // closed under us: the expected way out
                } catch (Throwable t) {
                  unexpected.set(t);
                }
              });
      runner.start();
      Thread.sleep(round % 3);
      shared.close();
      runner.join(10_000);
      assertFalse(runner.isAlive());
      if (unexpected.get() != null) {
        throw new AssertionError("run racing close threw", unexpected.get());
      }
    }
  }

  @Test
  void cancelRequiresOption() {
    assertEquals(
        "Cannot cancel the inference. Have you called InterpreterApi.Options.setCancellable?",
        ise(() -> dense.setCancelled(true)));
    try (Interpreter c =
        new Interpreter(TestModels.dense(), new Interpreter.Options().setCancellable(true))) {
      assertDoesNotThrow(() -> c.setCancelled(false));
      float[][] out = new float[1][1];
      c.run(row(), out);
      assertEquals(1.5117400884628296f, out[0][0], 1e-5f);
    }
  }

  @Test
  void resetVariableTensorsIsANoOpWithoutVariables() {
    float[][] out = new float[1][1];
    dense.run(row(), out);
    dense.resetVariableTensors();
    float[][] again = new float[1][1];
    dense.run(row(), again);
    assertEquals(out[0][0], again[0][0]);
  }

  // ---- Bad models --------------------------------------------------------------------------------

  @Test
  void badModelBytes() {
    byte[] good = TestModels.bytes(TestModels.dense());
    byte[][] bad = {
      new byte[0],
      new byte[] {1, 2, 3},
      "this is not a flatbuffer at all, just text".getBytes(),
      Arrays.copyOf(good, good.length / 2),
      Arrays.copyOf(good, 12),
    };
    for (byte[] b : bad) {
      String m = iae(() -> new Interpreter(ByteBuffer.wrap(b)));
      assertTrue(
          m.startsWith("ByteBuffer is not a valid TensorFlow Lite model flatbuffer: "), m);
      assertFalse(m.endsWith(": "), "carries the C message: " + m);
      ByteBuffer direct = ByteBuffer.allocateDirect(b.length);
      direct.put(b);
      iae(() -> new Interpreter(direct));
    }
    iae(() -> new Interpreter((ByteBuffer) null));
  }

  @Test
  void badModelFiles() throws Exception {
    String m = iae(() -> new Interpreter(new File("/nonexistent/x.tflite")));
    assertTrue(m.startsWith("Contents of /nonexistent/x.tflite does not encode a valid"), m);
    File garbage = File.createTempFile("pylite-garbage", ".tflite");
    garbage.deleteOnExit();
    java.nio.file.Files.write(garbage.toPath(), new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
    iae(() -> new Interpreter(garbage));
    iae(() -> new Interpreter((File) null));
  }

  @Test
  void badThreadCount() {
    String m =
        iae(() -> new Interpreter(TestModels.dense(), new Interpreter.Options().setNumThreads(0)));
    assertTrue(m.startsWith("Internal error: Cannot create interpreter: "), m);
    try (Interpreter i =
        new Interpreter(TestModels.dense(), new Interpreter.Options().setNumThreads(3))) {
      float[][] out = new float[1][1];
      i.run(row(), out);
      assertEquals(1.5117400884628296f, out[0][0], 1e-5f);
    }
  }

  @Test
  void outputScalarsNeedABuffer() {
    // A boxed Float cannot receive a rank-2 output: a shape mismatch.
    iae(() -> dense.run(row(), Float.valueOf(0)));
  }
}
