package org.pylite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Java sample of docs/signatures-guide.md ("Run signatures"), on examples/models/coding.tflite:
 * encode [1, 2, 3] to strings and decode them back.
 */
class SignaturesGuideTest {
  private File file_of_tensorflowlite_model;

  @BeforeEach
  void findModel() {
    file_of_tensorflowlite_model = TestModels.coding();
    assumeTrue(file_of_tensorflowlite_model.exists(), "coding.tflite not generated yet");
  }

  @Test
  void guideSampleRoundTrips() {
    float[] input = {1, 2, 3};
    String[] encoded_result = new String[3];
    float[] decoded_result = new float[3];

    // The guide's code, as printed (its two blocks each declare `inputs`/`outputs`, so each is
    // put in its own scope here).
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

    assertArrayEquals(new String[] {"1.000000", "2.000000", "3.000000"}, encoded_result);
    assertArrayEquals(new float[] {1.0f, 2.0f, 3.0f}, decoded_result);
  }

  @Test
  void signaturesAreListed() {
    try (Interpreter interpreter = new Interpreter(file_of_tensorflowlite_model)) {
      String[] keys = interpreter.getSignatureKeys();
      assertEquals(2, keys.length);
      assertEquals(
          java.util.Set.of("encode", "decode"), java.util.Set.of(keys), "signature keys");
      assertArrayEquals(new String[] {"x"}, interpreter.getSignatureInputs("encode"));
      assertArrayEquals(new String[] {"encoded_result"}, interpreter.getSignatureOutputs("encode"));
      assertArrayEquals(new String[] {"x"}, interpreter.getSignatureInputs("decode"));
      assertArrayEquals(new String[] {"decoded_result"}, interpreter.getSignatureOutputs("decode"));

      Tensor encodeIn = interpreter.getInputTensorFromSignature("x", "encode");
      assertEquals(DataType.FLOAT32, encodeIn.dataType());
      assertArrayEquals(new int[] {-1}, encodeIn.shapeSignature());
      Tensor decodeIn = interpreter.getInputTensorFromSignature("x", "decode");
      assertEquals(DataType.STRING, decodeIn.dataType());
      Tensor encodeOut = interpreter.getOutputTensorFromSignature("encoded_result", "encode");
      assertEquals(DataType.STRING, encodeOut.dataType());
      Tensor decodeOut = interpreter.getOutputTensorFromSignature("decoded_result", "decode");
      assertEquals(DataType.FLOAT32, decodeOut.dataType());
    }
  }

  @Test
  void outputsReadAfterwardsFromTheSignatureTensor() {
    try (Interpreter interpreter = new Interpreter(file_of_tensorflowlite_model)) {
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("x", new String[] {"4.5", "-2"});
      interpreter.runSignature(inputs, new HashMap<>(), "decode");
      Tensor out = interpreter.getOutputTensorFromSignature("decoded_result", "decode");
      assertArrayEquals(new int[] {2}, out.shape());
      java.nio.FloatBuffer fb = out.asReadOnlyBuffer().asFloatBuffer();
      assertEquals(4.5f, fb.get(0));
      assertEquals(-2.0f, fb.get(1));
      assertNotNull(interpreter.getLastNativeInferenceDurationNanoseconds());
    }
  }

  @Test
  void stringInputsAcceptBytesAndHigherRank() {
    try (Interpreter interpreter = new Interpreter(file_of_tensorflowlite_model)) {
      // byte[][]: one byte[] per string element.
      Map<String, Object> inputs = new HashMap<>();
      inputs.put("x", new byte[][] {"7".getBytes(), "0.25".getBytes()});
      float[] decoded = new float[2];
      Map<String, Object> outputs = new HashMap<>();
      outputs.put("decoded_result", decoded);
      interpreter.runSignature(inputs, outputs, "decode");
      assertArrayEquals(new float[] {7f, 0.25f}, decoded);

      // Encoded strings read back as byte[][].
      inputs = new HashMap<>();
      inputs.put("x", new float[] {0.5f});
      byte[][] encoded = new byte[1][];
      outputs = new HashMap<>();
      outputs.put("encoded_result", encoded);
      interpreter.runSignature(inputs, outputs, "encode");
      assertEquals("0.500000", new String(encoded[0], java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
