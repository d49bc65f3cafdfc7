package org.pylite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * tests/data/quantized/int8_cnn.tflite, a converter-made full int8 network with int8 input and
 * output, against the quantization parameters LiteRT reports for it (tests/data/quantized/
 * reference.json; both from tools/make_quantized_test_model.py). Only metadata: nothing here
 * needs the model to run.
 */
class QuantizedModelTest {
  private static Map<String, Object> reference;

  private static Path dir() {
    return TestModels.root().resolve("tests/data/quantized");
  }

  private static File model() {
    return dir().resolve("int8_cnn.tflite").toFile();
  }

  @BeforeAll
  static void load() throws IOException {
    assertTrue(model().exists(), model() + " is missing");
    Object all = Json.parse(Files.readString(dir().resolve("reference.json")));
    reference = Json.obj(Json.obj(all, "models"), "int8_cnn");
  }

  /** LiteRT's (scale, zero point) of a detail dict. */
  private static void assertParams(Object details, Tensor tensor) {
    @SuppressWarnings("unchecked")
    List<Object> q = (List<Object>) ((Map<String, Object>) details).get("quantization");
    Tensor.QuantizationParams p = tensor.quantizationParams();
    assertEquals(((Double) q.get(0)).floatValue(), p.getScale(), 0.0f);
    assertEquals(((Double) q.get(1)).intValue(), p.getZeroPoint());
  }

  @Test
  void inputAndOutputParamsMatchLiteRt() {
    try (Interpreter interpreter = new Interpreter(model())) {
      Tensor in = interpreter.getInputTensor(0);
      Tensor out = interpreter.getOutputTensor(0);
      assertEquals(DataType.INT8, in.dataType());
      assertEquals(DataType.INT8, out.dataType());
      assertParams(Json.list(reference, "input_details").get(0), in);
      assertParams(Json.list(reference, "output_details").get(0), out);
      // The model's own numbers, so a wrong reference file cannot pass unnoticed.
      assertEquals(0.007828932255506516f, in.quantizationParams().getScale(), 0.0f);
      assertEquals(-1, in.quantizationParams().getZeroPoint());
      assertEquals(8, out.quantizationParams().getZeroPoint());
    }
  }

  @Test
  void signatureTensorParamsMatchLiteRt() {
    Map<String, Object> runner =
        Json.obj(Json.obj(reference, "runner_details"), "serving_default");
    try (Interpreter interpreter = new Interpreter(model())) {
      Map<String, Object> inputs = Json.obj(runner, "inputs");
      Map<String, Object> outputs = Json.obj(runner, "outputs");
      for (String name : interpreter.getSignatureInputs("serving_default")) {
        assertParams(
            inputs.get(name), interpreter.getInputTensorFromSignature(name, "serving_default"));
      }
      for (String name : interpreter.getSignatureOutputs("serving_default")) {
        assertParams(
            outputs.get(name), interpreter.getOutputTensorFromSignature(name, "serving_default"));
      }
    }
  }

  @Test
  void floatTensorsHaveNoParams() {
    try (Interpreter interpreter = new Interpreter(TestModels.dense())) {
      Tensor.QuantizationParams p = interpreter.getInputTensor(0).quantizationParams();
      assertEquals(0.0f, p.getScale(), 0.0f);
      assertEquals(0, p.getZeroPoint());
    }
  }
}
