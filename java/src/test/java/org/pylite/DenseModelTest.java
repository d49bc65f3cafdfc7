package org.pylite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/models/dense.tflite (Keras Dense(2, relu) then Dense(1, relu), signature
 * serving_default) against the values LiteRT 2.3 produced, recorded in
 * tests/data/litert_reference.json by tools/record_litert_reference.py.
 */
class DenseModelTest {
  private static final float TOLERANCE = 1e-5f;
  private static Map<String, Object> reference;

  @BeforeAll
  static void load() throws IOException {
    assumeTrue(TestModels.dense().exists(), "dense.tflite not generated yet");
    assumeTrue(Files.exists(TestModels.referenceJson()), "litert_reference.json not recorded yet");
    Object all = Json.parse(Files.readString(TestModels.referenceJson()));
    reference = Json.obj(Json.obj(all, "models"), "dense");
  }

  private static void assertClose(float[][] expected, float[][] actual) {
    assertEquals(expected.length, actual.length);
    for (int r = 0; r < expected.length; ++r) {
      assertArrayEquals(expected[r], actual[r], TOLERANCE * Math.max(1f, Math.abs(expected[r][0])));
    }
  }

  @Test
  void servingDefaultMatchesLiteRt() {
    List<Object> cases = Json.list(reference, "runner_cases");
    try (Interpreter interpreter = new Interpreter(TestModels.dense())) {
      assertArrayEquals(new String[] {"serving_default"}, interpreter.getSignatureKeys());
      assertArrayEquals(
          new String[] {"keras_tensor"}, interpreter.getSignatureInputs("serving_default"));
      assertArrayEquals(
          new String[] {"output_0"}, interpreter.getSignatureOutputs("serving_default"));
      for (Object c : cases) {
        float[][] input = Json.floats2(Json.list(c, "input"));
        Map<String, Object> out = Json.obj(Json.obj(c, "outputs"), "output_0");
        float[][] expected = Json.floats2(Json.list(out, "value"));
        float[][] actual = new float[expected.length][expected[0].length];
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("keras_tensor", input);
        Map<String, Object> outputs = new HashMap<>();
        outputs.put("output_0", actual);
        interpreter.runSignature(inputs, outputs, "serving_default");
        assertClose(expected, actual);
      }
    }
  }

  @Test
  void firstCaseIsTheDocumentedOne() {
    // The headline case: [[1, 2, 3, 4]] gives [[1.5117400884628296]] in LiteRT.
    try (Interpreter interpreter = new Interpreter(TestModels.dense())) {
      float[][] out = new float[1][1];
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("keras_tensor", new float[][] {{1, 2, 3, 4}});
      Map<String, Object> outputs = new HashMap<>();
      outputs.put("output_0", out);
      interpreter.runSignature(inputs, outputs); // the single signature, by null key
      assertEquals(1.5117400884628296f, out[0][0], TOLERANCE);
    }
  }

  @Test
  void runMatchesLiteRtInvokeCases() {
    try (Interpreter interpreter = new Interpreter(TestModels.dense())) {
      assertNull(interpreter.getLastNativeInferenceDurationNanoseconds());
      for (Object c : Json.list(reference, "invoke_cases")) {
        float[][] input = Json.floats2(Json.list(c, "input"));
        float[][] expected = Json.floats2(Json.list(Json.obj(c, "output"), "value"));
        float[][] actual = new float[1][1];
        interpreter.run(input, actual);
        assertClose(expected, actual);
      }
      assertNotNull(interpreter.getLastNativeInferenceDurationNanoseconds());
    }
  }

  @Test
  void resizeCaseMatchesLiteRt() {
    Map<String, Object> rc = Json.obj(reference, "resize_case");
    float[][] input = Json.floats2(Json.list(rc, "input"));
    float[][] expected = Json.floats2(Json.list(Json.obj(rc, "output"), "value"));
    try (Interpreter interpreter = new Interpreter(TestModels.dense())) {
      // Automatic resize by run().
      float[][] actual = new float[3][1];
      interpreter.run(input, actual);
      assertClose(expected, actual);
      assertArrayEquals(new int[] {3, 4}, interpreter.getInputTensor(0).shape());
      assertArrayEquals(new int[] {3, 1}, interpreter.getOutputTensor(0).shape());

      // Explicit strict resize back to one row (allowed: dim 0 is -1 in the signature).
      interpreter.resizeInput(0, new int[] {1, 4}, true);
      interpreter.allocateTensors();
      float[][] one = new float[1][1];
      interpreter.run(new float[][] {input[1]}, one);
      assertEquals(expected[1][0], one[0][0], TOLERANCE * Math.abs(expected[1][0]));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void tensorMetadataMatchesLiteRt() {
    Map<String, Object> in = (Map<String, Object>) Json.list(reference, "input_details").get(0);
    Map<String, Object> out = (Map<String, Object>) Json.list(reference, "output_details").get(0);
    try (Interpreter interpreter = new Interpreter(TestModels.dense())) {
      assertEquals(1, interpreter.getInputTensorCount());
      assertEquals(1, interpreter.getOutputTensorCount());
      Tensor t = interpreter.getInputTensor(0);
      assertEquals(in.get("name"), t.name());
      assertEquals(((Double) in.get("index")).intValue(), t.index());
      assertArrayEquals(Json.ints(in.get("shape")), t.shape());
      assertArrayEquals(Json.ints(in.get("shape_signature")), t.shapeSignature());
      assertEquals(DataType.FLOAT32, t.dataType());
      assertEquals(2, t.numDimensions());
      assertEquals(4, t.numElements());
      assertEquals(16, t.numBytes());
      assertEquals(0f, t.quantizationParams().getScale());
      assertEquals(0, t.quantizationParams().getZeroPoint());
      assertEquals(0, interpreter.getInputIndex((String) in.get("name")));

      Tensor o = interpreter.getOutputTensor(0);
      assertEquals(out.get("name"), o.name());
      assertEquals(((Double) out.get("index")).intValue(), o.index());
      assertArrayEquals(Json.ints(out.get("shape_signature")), o.shapeSignature());
      assertEquals(0, interpreter.getOutputIndex((String) out.get("name")));

      Tensor sigIn = interpreter.getInputTensorFromSignature("keras_tensor", "serving_default");
      assertEquals(t.index(), sigIn.index());
      Tensor sigOut = interpreter.getOutputTensorFromSignature("output_0", "serving_default");
      assertEquals(o.index(), sigOut.index());
    }
  }

  @Test
  void buffersInAndOut() {
    float[] row = {1, 2, 3, 4};
    float expected = 1.5117400884628296f;
    try (Interpreter interpreter = new Interpreter(TestModels.dense())) {
      // Heap FloatBuffer in, direct ByteBuffer out.
      FloatBuffer in = FloatBuffer.wrap(row.clone());
      ByteBuffer out = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
      interpreter.run(in, out);
      assertEquals(expected, out.getFloat(0), TOLERANCE);

      // Direct native-order ByteBuffer in (position ignored), FloatBuffer out.
      ByteBuffer bin = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
      for (float f : row) {
        bin.putFloat(f);
      }
      FloatBuffer fout = FloatBuffer.allocate(1);
      interpreter.run(bin, fout);
      assertEquals(expected, fout.get(0), TOLERANCE);

      // Read-only snapshot of the output tensor.
      ByteBuffer snapshot = interpreter.getOutputTensor(0).asReadOnlyBuffer();
      assertEquals(4, snapshot.capacity());
      assertEquals(expected, snapshot.getFloat(0), TOLERANCE);
      assertThrows(java.nio.ReadOnlyBufferException.class, () -> snapshot.putFloat(0, 1f));

      // runForMultipleInputsOutputs with a null output placeholder.
      Map<Integer, Object> outputs = new HashMap<>();
      outputs.put(0, null);
      interpreter.runForMultipleInputsOutputs(new Object[] {new float[][] {row}}, outputs);
      assertEquals(
          expected, interpreter.getOutputTensor(0).asReadOnlyBuffer().getFloat(0), TOLERANCE);
    }
  }

  @Test
  void modelFromByteBuffers() throws IOException {
    byte[] bytes = TestModels.bytes(TestModels.dense());
    ByteBuffer heap = ByteBuffer.wrap(bytes.clone());
    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.nativeOrder());
    direct.put(bytes); // not flipped: the whole capacity is the model
    try (RandomAccessFile f = new RandomAccessFile(TestModels.dense(), "r");
        FileChannel ch = f.getChannel()) {
      MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      for (ByteBuffer b : new ByteBuffer[] {heap, direct, mapped}) {
        try (Interpreter interpreter =
            new Interpreter(b, new Interpreter.Options().setNumThreads(2))) {
          float[][] out = new float[1][1];
          interpreter.run(new float[][] {{1, 2, 3, 4}}, out);
          assertEquals(1.5117400884628296f, out[0][0], TOLERANCE);
        }
      }
    }
    // The bytes are copied: scribbling on the buffer after construction changes nothing.
    ByteBuffer scratch = ByteBuffer.allocateDirect(bytes.length);
    scratch.put(bytes);
    try (Interpreter interpreter = new Interpreter(scratch)) {
      for (int i = 0; i < bytes.length; ++i) {
        scratch.put(i, (byte) 0xA5);
      }
      float[][] out = new float[1][1];
      interpreter.run(new float[][] {{1, 2, 3, 4}}, out);
      assertEquals(1.5117400884628296f, out[0][0], TOLERANCE);
    }
  }

  @Test
  void modelWithoutSignatures() {
    assumeTrue(TestModels.denseNoSig().exists(), "dense_nosig.tflite missing");
    Map<String, Object> nosig = Json.obj(reference, "nosig");
    float[][] expected = Json.floats2(Json.list(Json.obj(nosig, "invoke_output"), "value"));
    try (Interpreter interpreter = new Interpreter(TestModels.denseNoSig())) {
      assertEquals(0, interpreter.getSignatureKeys().length);
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("keras_tensor", new float[][] {{1, 2, 3, 4}});
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> interpreter.runSignature(inputs, new HashMap<>()));
      assertEquals(
          "Input error: SignatureDef signatureKey should not be null. null is only allowed if"
              + " the model has a single Signature. Available Signatures: []",
          e.getMessage());
      // As in LiteRT's Java API the placeholder signature is not reachable by name.
      assertThrows(
          IllegalArgumentException.class,
          () -> interpreter.runSignature(inputs, new HashMap<>(), "<placeholder signature>"));
      float[][] out = new float[1][1];
      interpreter.run(new float[][] {{1, 2, 3, 4}}, out);
      assertClose(expected, out);
    }
  }
}
