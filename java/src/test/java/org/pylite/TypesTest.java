package org.pylite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every Java element type through a small model whose signature serving_default has one input
 * and one output per type: f_out = f + f (FLOAT32 [2,3]), i32_out = i32 + i32 (INT32 [-1,3]),
 * i64_out = i64 + i64 (INT64 [3]), and reshapes of i16 (INT16 [4]), u8 (UINT8 [4]), i8 (INT8 [4])
 * to [2,2] and of b (BOOL [2,2]) to [4].
 *
 * <p>The model was made with TensorFlow 2.21 (dev tool, /work/tfenv) from
 * <pre>
 * class M(tf.Module):
 *   &#64;tf.function(input_signature=[tf.TensorSpec([2,3], tf.float32, name='f'),
 *       tf.TensorSpec([None,3], tf.int32, name='i32'), tf.TensorSpec([3], tf.int64, name='i64'),
 *       tf.TensorSpec([4], tf.int16, name='i16'), tf.TensorSpec([4], tf.uint8, name='u8'),
 *       tf.TensorSpec([4], tf.int8, name='i8'), tf.TensorSpec([2,2], tf.bool, name='b')])
 *   def types(self, f, i32, i64, i16, u8, i8, b):
 *     return {'f_out': f + f, 'i32_out': i32 + i32, 'i64_out': i64 + i64,
 *             'i16_out': tf.reshape(i16, [2,2]), 'u8_out': tf.reshape(u8, [2,2]),
 *             'i8_out': tf.reshape(i8, [2,2]), 'b_out': tf.reshape(b, [4])}
 * tf.lite.TFLiteConverter.from_concrete_functions([m.types.get_concrete_function()], m)
 * </pre>
 * Its subgraph inputs, in order: i32, i16, b, u8, f, i64, i8.
 */
class TypesTest {
  static final String MODEL_BASE64 =
      "HAAAAFRGTDMUACAAHAAYABQAEAAMAAAACAAEABQAAAAcAAAAwAEAABgCAABUAwAAZAMAAPwJAAADAAAAAQAAABAA"
      + "AAAAAAoAEAAMAAgABAAKAAAADAAAABwAAADgAAAADwAAAHNlcnZpbmdfZGVmYXVsdAAHAAAArAAAAJAAAAB0AAAA"
      + "WAAAADwAAAAgAAAABAAAAID+//8PAAAABAAAAAYAAAB1OF9vdXQAAJj+//8OAAAABAAAAAYAAABpOF9vdXQAALD+"
      + "//8NAAAABAAAAAcAAABpNjRfb3V0AMj+//8MAAAABAAAAAcAAABpMzJfb3V0AOD+//8LAAAABAAAAAcAAABpMTZf"
      + "b3V0APj+//8KAAAABAAAAAUAAABmX291dAAAABD///8JAAAABAAAAAUAAABiX291dAAAAAcAAACQAAAAeAAAAGAA"
      + "AABMAAAANAAAABwAAAAEAAAASP///wMAAAAEAAAAAgAAAHU4AABc////BgAAAAQAAAACAAAAaTgAAHD///8FAAAA"
      + "BAAAAAMAAABpNjQAUv7//wQAAAADAAAAaTMyAJT///8BAAAABAAAAAMAAABpMTYAqP///wQAAAAEAAAAAQAAAGYA"
      + "AAC8////AgAAAAQAAAABAAAAYgAAAAIAAAA0AAAABAAAANz///8SAAAABAAAABMAAABDT05WRVJTSU9OX01FVEFE"
      + "QVRBAAgADAAIAAQACAAAABEAAAAEAAAAEwAAAG1pbl9ydW50aW1lX3ZlcnNpb24AEwAAADgBAAAwAQAAKAEAACAB"
      + "AAAYAQAAEAEAAAgBAAAAAQAA6AAAAMwAAADEAAAAvAAAALQAAACsAAAApAAAAJwAAACUAAAAdAAAAAQAAABK////"
      + "BAAAAGAAAAAQAAAAAAAAAAgADgAIAAQACAAAABAAAAAkAAAAAAAGAAgABAAGAAAABAAAAAAAAAAMABgAFAAQAAwA"
      + "BAAMAAAAsbomF0+HttMDAAAAAgAAAAQAAAAGAAAAMi4yMS4wAAC2////BAAAABAAAAAyLjYuMAAAAAAAAAAAAAAA"
      + "GPn//xz5//8g+f//JPn//yj5//8s+f//MPn//+7///8EAAAABAAAAAQAAAAAAAYACAAEAAYAAAAEAAAACAAAAAIA"
      + "AAACAAAAYPn//2T5//9o+f//bPn//3D5//90+f//ePn//3z5//8PAAAATUxJUiBDb252ZXJ0ZWQuAAEAAAAUAAAA"
      + "AAAOABgAFAAQAAwACAAEAA4AAAAUAAAAHAAAAGQBAACAAQAAnAEAAAQAAABtYWluAAAAAAcAAAAoAQAA6AAAALQA"
      + "AACAAAAATAAAACgAAAAEAAAA/v7//wgAAAAMAAAAAQAAAA8AAAACAAAAAwAAAAcAAAAe////CAAAAAwAAAABAAAA"
      + "DgAAAAIAAAAGAAAABwAAAH7///8UAAAAAAAACxAAAAAUAAAAAQAAAEj6//8BAAAADQAAAAIAAAAFAAAABQAAAK7/"
      + "//8UAAAAAAAACxAAAAAUAAAAAQAAAHj6//8BAAAADAAAAAIAAAAAAAAAAAAAAJ7///8IAAAADAAAAAEAAAALAAAA"
      + "AgAAAAEAAAAHAAAAAAAOABgAFAAQAAwACwAEAA4AAAAUAAAAAAAACxAAAAAUAAAAAQAAANj6//8BAAAACgAAAAIA"
      + "AAAEAAAABAAAAAAACgAMAAAACAAEAAoAAAAIAAAADAAAAAEAAAAJAAAAAgAAAAIAAAAIAAAABwAAAA8AAAAKAAAA"
      + "DgAAAAkAAAANAAAACwAAAAwAAAAHAAAAAAAAAAEAAAACAAAAAwAAAAQAAAAFAAAABgAAABAAAAB0BAAAFAQAALQD"
      + "AABsAwAAKAMAAMgCAACAAgAAQAIAAAACAAC8AQAAeAEAADABAADYAAAAlAAAAEwAAAAEAAAAPvz//wAAAAEUAAAA"
      + "FAAAABAAAAAAAAADIAAAALz7//8RAAAAUGFydGl0aW9uZWRDYWxsOjYAAAACAAAAAgAAAAIAAACC/P//AAAAARQA"
      + "AAAUAAAADwAAAAAAAAkgAAAAAPz//xEAAABQYXJ0aXRpb25lZENhbGw6NQAAAAIAAAACAAAAAgAAAMb8//8AAAAB"
      + "FAAAABQAAAAOAAAAAAAABCAAAABE/P//EQAAAFBhcnRpdGlvbmVkQ2FsbDo0AAAAAQAAAAMAAACq/P//AAAAARgA"
      + "AAAgAAAAIAAAAA0AAAAAAAACLAAAAAIAAAD/////AwAAAJT8//8RAAAAUGFydGl0aW9uZWRDYWxsOjMAAAACAAAA"
      + "AQAAAAMAAABa/f//AAAAARQAAAAUAAAADAAAAAAAAAcgAAAA2Pz//xEAAABQYXJ0aXRpb25lZENhbGw6MgAAAAIA"
      + "AAACAAAAAgAAAH7+//8AAAABEAAAABAAAAALAAAAIAAAABj9//8RAAAAUGFydGl0aW9uZWRDYWxsOjEAAAACAAAA"
      + "AgAAAAMAAADe/f//AAAAARQAAAAUAAAACgAAAAAAAAYgAAAAXP3//xEAAABQYXJ0aXRpb25lZENhbGw6MAAAAAEA"
      + "AAAEAAAAHv7//wAAAAEUAAAAFAAAAAkAAAAAAAACHAAAAJz9//8PAAAAYXJpdGguY29uc3RhbnQxAAEAAAABAAAA"
      + "Wv7//wAAAAEUAAAAFAAAAAgAAAAAAAACHAAAANj9//8OAAAAYXJpdGguY29uc3RhbnQAAAEAAAACAAAAlv7//wAA"
      + "AAEUAAAAFAAAAAcAAAAAAAAJJAAAABT+//8UAAAAc2VydmluZ19kZWZhdWx0X2k4OjAAAAAAAQAAAAQAAADa/v//"
      + "AAAAARQAAAAUAAAABgAAAAAAAAQkAAAAWP7//xUAAABzZXJ2aW5nX2RlZmF1bHRfaTY0OjAAAAABAAAAAwAAAAAA"
      + "FgAYABQAAAAQAAwACAAAAAAAAAAHABYAAAAAAAABEAAAABAAAAAFAAAAIAAAALD+//8TAAAAc2VydmluZ19kZWZh"
      + "dWx0X2Y6MAACAAAAAgAAAAMAAAB2////AAAAARQAAAAUAAAABAAAAAAAAAMkAAAA9P7//xQAAABzZXJ2aW5nX2Rl"
      + "ZmF1bHRfdTg6MAAAAAABAAAABAAAALr///8AAAABFAAAABQAAAADAAAAAAAABiAAAAA4////EwAAAHNlcnZpbmdf"
      + "ZGVmYXVsdF9iOjAAAgAAAAIAAAACAAAAAAAWABwAGAAXABAADAAIAAAAAAAAAAcAFgAAAAAAAAEUAAAAFAAAAAIA"
      + "AAAAAAAHJAAAAJT///8VAAAAc2VydmluZ19kZWZhdWx0X2kxNjowAAAAAQAAAAQAAAAAABYAIAAcABsAFAAQAAwA"
      + "AAAAAAgABwAWAAAAAAAAARgAAAAkAAAAJAAAAAEAAAAAAAACNAAAAAIAAAD/////AwAAAAQABAAEAAAAFQAAAHNl"
      + "cnZpbmdfZGVmYXVsdF9pMzI6MAAAAAIAAAABAAAAAwAAAAIAAAAoAAAAEAAAAAAACgAIAAAAAAAEAAoAAAAEAAAA"
      + "DAAMAAsAAAAAAAQADAAAABYAAAAAAAAW";

  private Interpreter interpreter;

  @BeforeEach
  void open() {
    interpreter = new Interpreter(ByteBuffer.wrap(Base64.getDecoder().decode(MODEL_BASE64)));
  }

  @AfterEach
  void closeIt() {
    interpreter.close();
  }

  private Map<String, Object> allInputs() {
    Map<String, Object> in = new HashMap<>();
    in.put("f", new float[][] {{1.5f, -2, 3}, {0, 4, -0.25f}});
    in.put("i32", new int[][] {{1, -2, 3}, {100, 200, -300}});
    in.put("i64", new long[] {1L << 40, -5, 7});
    in.put("i16", new short[] {-32768, -1, 1, 32767});
    in.put("u8", new byte[] {0, 1, (byte) 200, (byte) 255});
    in.put("i8", new byte[] {-128, -1, 1, 127});
    in.put("b", new boolean[][] {{true, false}, {false, true}});
    return in;
  }

  @Test
  void signatureListsAreSorted() {
    assertArrayEquals(
        new String[] {"b", "f", "i16", "i32", "i64", "i8", "u8"},
        interpreter.getSignatureInputs("serving_default"));
    assertArrayEquals(
        new String[] {"b_out", "f_out", "i16_out", "i32_out", "i64_out", "i8_out", "u8_out"},
        interpreter.getSignatureOutputs("serving_default"));
    assertEquals(DataType.INT16, interpreter.getInputTensorFromSignature("i16", null).dataType());
    assertEquals(DataType.UINT8, interpreter.getInputTensorFromSignature("u8", null).dataType());
    assertEquals(DataType.INT8, interpreter.getInputTensorFromSignature("i8", null).dataType());
    assertEquals(DataType.BOOL, interpreter.getInputTensorFromSignature("b", null).dataType());
    assertEquals(DataType.INT64, interpreter.getInputTensorFromSignature("i64", null).dataType());
    assertArrayEquals(
        new int[] {-1, 3}, interpreter.getInputTensorFromSignature("i32", null).shapeSignature());
  }

  @Test
  void arraysOfEveryType() {
    float[][] f = new float[2][3];
    int[][] i32 = new int[2][3];
    long[] i64 = new long[3];
    short[][] i16 = new short[2][2];
    byte[][] u8 = new byte[2][2];
    byte[][] i8 = new byte[2][2];
    boolean[] b = new boolean[4];
    Map<String, Object> out = new HashMap<>();
    out.put("f_out", f);
    out.put("i32_out", i32); // [2,3] after the automatic resize of i32
    out.put("i64_out", i64);
    out.put("i16_out", i16);
    out.put("u8_out", u8);
    out.put("i8_out", i8);
    out.put("b_out", b);
    interpreter.runSignature(allInputs(), out, "serving_default");
    assertArrayEquals(new float[] {3, -4, 6}, f[0]);
    assertArrayEquals(new float[] {0, 8, -0.5f}, f[1]);
    assertArrayEquals(new int[] {2, -4, 6}, i32[0]);
    assertArrayEquals(new int[] {200, 400, -600}, i32[1]);
    assertArrayEquals(new long[] {1L << 41, -10, 14}, i64);
    assertArrayEquals(new short[] {-32768, -1}, i16[0]);
    assertArrayEquals(new short[] {1, 32767}, i16[1]);
    assertArrayEquals(new byte[] {0, 1}, u8[0]);
    assertArrayEquals(new byte[] {(byte) 200, (byte) 255}, u8[1]);
    assertArrayEquals(new byte[] {-128, -1}, i8[0]);
    assertArrayEquals(new byte[] {1, 127}, i8[1]);
    assertArrayEquals(new boolean[] {true, false, false, true}, b);
    assertArrayEquals(
        new int[] {2, 3}, interpreter.getOutputTensorFromSignature("i32_out", null).shape());
  }

  @Test
  void typedBuffers() {
    Map<String, Object> in = allInputs();
    in.put("i32", IntBuffer.wrap(new int[] {5, 6, 7})); // matches the current [1,3]: no resize
    in.put("i64", LongBuffer.wrap(new long[] {1, 2, 3}));
    in.put("i16", ShortBuffer.wrap(new short[] {1, 2, 3, 4}));
    in.put("u8", ByteBuffer.wrap(new byte[] {9, 8, 7, 6}));
    ByteBuffer bools = ByteBuffer.allocateDirect(4);
    bools.put(new byte[] {0, 1, 1, 0});
    in.put("b", bools); // a ByteBuffer fits any type, BOOL included
    IntBuffer i32 = IntBuffer.allocate(3);
    LongBuffer i64 = LongBuffer.allocate(3);
    ShortBuffer i16 = ShortBuffer.allocate(4);
    ByteBuffer u8 = ByteBuffer.allocate(4);
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
    Map<String, Object> out = new HashMap<>();
    out.put("i32_out", i32);
    out.put("i64_out", i64);
    out.put("i16_out", i16);
    out.put("u8_out", u8);
    out.put("b_out", b);
    out.put("f_out", null); // skipped
    interpreter.runSignature(in, out, "serving_default");
    assertArrayEquals(new int[] {10, 12, 14}, i32.array());
    assertArrayEquals(new long[] {2, 4, 6}, i64.array());
    assertArrayEquals(new short[] {1, 2, 3, 4}, i16.array());
    assertArrayEquals(new byte[] {9, 8, 7, 6}, u8.array());
    assertArrayEquals(new byte[] {0, 1, 1, 0}, b.array());
  }

  @Test
  void byPositionWithRunForMultipleInputsOutputs() {
    Map<String, Object> named = allInputs();
    // Subgraph input order: i32, i16, b, u8, f, i64, i8.
    Object[] inputs = {
      named.get("i32"), named.get("i16"), named.get("b"), named.get("u8"),
      named.get("f"), named.get("i64"), named.get("i8")
    };
    assertEquals(7, interpreter.getInputTensorCount());
    assertEquals(7, interpreter.getOutputTensorCount());
    int i64Out = interpreter.getOutputIndex("PartitionedCall:4");
    long[] i64 = new long[3];
    Map<Integer, Object> outputs = new HashMap<>();
    outputs.put(i64Out, i64);
    interpreter.runForMultipleInputsOutputs(inputs, outputs);
    assertArrayEquals(new long[] {1L << 41, -10, 14}, i64);
    assertEquals(3, interpreter.getInputIndex("serving_default_u8:0"));
  }

  @Test
  void typeRulesAndMessages() {
    Map<String, Object> in = allInputs();
    // byte[] fits both INT8 and UINT8, but not INT16.
    in.put("i16", new byte[] {1, 2, 3, 4});
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> interpreter.runSignature(in, new HashMap<>(), "serving_default"));
    assertEquals(
        "Cannot convert between a TensorFlowLite tensor with type INT16 and a Java object of type"
            + " [B (which is compatible with the TensorFlowLite type UINT8).",
        e.getMessage());
    // A non-byte Buffer cannot feed a BOOL tensor.
    Map<String, Object> in2 = allInputs();
    in2.put("b", IntBuffer.allocate(1));
    assertThrows(
        IllegalArgumentException.class,
        () -> interpreter.runSignature(in2, new HashMap<>(), "serving_default"));
    // A non-strict (automatic) resize may change even a fixed dimension, as in TFLite.
    Map<String, Object> in3 = allInputs();
    in3.put("i64", new long[] {1, 2});
    long[] i64 = new long[2];
    Map<String, Object> out3 = new HashMap<>();
    out3.put("i64_out", i64);
    interpreter.runSignature(in3, out3, "serving_default");
    assertArrayEquals(new long[] {2, 4}, i64);
    // Strict resize of a fixed dimension fails; of the -1 dimension it works.
    int i16Index = 1;
    assertThrows(
        IllegalArgumentException.class,
        () -> interpreter.resizeInput(i16Index, new int[] {5}, true));
    interpreter.resizeInput(0, new int[] {4, 3}, true);
    interpreter.allocateTensors();
    assertArrayEquals(new int[] {4, 3}, interpreter.getInputTensor(0).shape());
  }

  @Test
  void dataTypeValues() {
    // TFLite's eight first, in its order, then pylite's extension types.
    assertEquals(
        Arrays.asList(1, 2, 3, 4, 5, 6, 7, 9, 8, 10, 11, 13, 16, 17, 19),
        Arrays.stream(DataType.values())
            .map(DataType::c)
            .collect(java.util.stream.Collectors.toList()));
    assertEquals(4, DataType.FLOAT32.byteSize());
    assertEquals(8, DataType.INT64.byteSize());
    assertEquals(2, DataType.INT16.byteSize());
    assertEquals(1, DataType.INT8.byteSize());
    assertEquals(-1, DataType.STRING.byteSize());
    assertEquals(8, DataType.FLOAT64.byteSize());
    assertEquals(2, DataType.FLOAT16.byteSize());
    assertEquals(2, DataType.BFLOAT16.byteSize());
    assertEquals(2, DataType.UINT16.byteSize());
    assertEquals(4, DataType.UINT32.byteSize());
    assertEquals(8, DataType.UINT64.byteSize());
    assertEquals(8, DataType.COMPLEX64.byteSize());
    assertEquals(DataType.FLOAT16, DataType.fromC(10));
    // complex128 (12), int4 (18) and resource (14) stay unknown to Java.
    for (int c : new int[] {0, 12, 14, 18}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DataType.fromC(c));
      assertEquals("DataType error: DataType " + c + " is not recognized in Java.", e.getMessage());
    }
  }

  // ---- pylite's extension types, through conformance models (tests/conformance/models) -------

  private static Interpreter conformanceModel(String name) {
    return new Interpreter(
        TestModels.root().resolve("tests/conformance/models/unary/" + name + ".tflite").toFile());
  }

  private static Map<String, Object> one(String name, Object value) {
    Map<String, Object> m = new HashMap<>();
    m.put(name, value);
    return m;
  }

  @Test
  void float64AsDoubleArraysAndBuffers() {
    try (Interpreter interp = conformanceModel("sign_f64")) {
      assertEquals(DataType.FLOAT64, interp.getInputTensorFromSignature("x", null).dataType());
      double[] out = new double[3];
      interp.runSignature(one("x", new double[] {-2.5, 0, 1e300}), one("output_0", out));
      assertArrayEquals(new double[] {-1, 0, 1}, out);
      DoubleBuffer buffered = DoubleBuffer.allocate(3);
      interp.runSignature(
          one("x", DoubleBuffer.wrap(new double[] {7, -7, 0})), one("output_0", buffered));
      assertArrayEquals(new double[] {1, -1, 0}, buffered.array());
      // float[] does not fit FLOAT64.
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> interp.runSignature(one("x", new float[] {1}), new HashMap<>()));
      assertEquals(
          "Cannot convert between a TensorFlowLite tensor with type FLOAT64 and a Java object of"
              + " type [F (which is compatible with the TensorFlowLite type FLOAT32).",
          e.getMessage());
    }
  }

  @Test
  void uint16AsCharOrShortBits() {
    try (Interpreter interp = conformanceModel("cast_u16_f32")) {
      assertEquals(DataType.UINT16, interp.getInputTensorFromSignature("x", null).dataType());
      float[] out = new float[3];
      interp.runSignature(one("x", new char[] {0, 1, 65535}), one("output_0", out));
      assertArrayEquals(new float[] {0, 1, 65535}, out);
      interp.runSignature(one("x", new short[] {-1, 2, 3}), one("output_0", out));
      assertArrayEquals(new float[] {65535, 2, 3}, out);
    }
    try (Interpreter interp = conformanceModel("cast_f32_u16")) {
      char[] out = new char[2];
      interp.runSignature(one("x", new float[] {40000, 7}), one("output_0", out));
      assertArrayEquals(new char[] {40000, 7}, out);
    }
  }

  @Test
  void float16AsShortBits() {
    try (Interpreter interp = conformanceModel("cast_f16_f32")) {
      assertEquals(DataType.FLOAT16, interp.getInputTensorFromSignature("x", null).dataType());
      float[] out = new float[4];
      short[] halves = {0x3C00, (short) 0xC000, 0x7C00, 0x3800}; // 1, -2, inf, 0.5
      interp.runSignature(one("x", halves), one("output_0", out));
      assertArrayEquals(new float[] {1, -2, Float.POSITIVE_INFINITY, 0.5f}, out);
    }
    try (Interpreter interp = conformanceModel("cast_f32_f16")) {
      short[] out = new short[2];
      interp.runSignature(one("x", new float[] {1, -2}), one("output_0", out));
      assertArrayEquals(new short[] {0x3C00, (short) 0xC000}, out);
    }
  }

  @Test
  void unsigned32And64AsBits() {
    try (Interpreter interp = conformanceModel("cast_f32_u32")) {
      Tensor y = interp.getOutputTensorFromSignature("output_0", null);
      assertEquals(DataType.UINT32, y.dataType());
      int[] out = new int[2];
      interp.runSignature(one("x", new float[] {4e9f, 3}), one("output_0", out));
      assertEquals(4000000000L, Integer.toUnsignedLong(out[0]));
      assertEquals(3, out[1]);
    }
    try (Interpreter interp = conformanceModel("cast_u32_i64")) {
      long[] out = new long[1];
      interp.runSignature(one("x", new int[] {-1}), one("output_0", out));
      assertArrayEquals(new long[] {4294967295L}, out);
    }
  }

  @Test
  void complex64ThroughByteBuffers() {
    try (Interpreter interp = conformanceModel("cast_c64_f32")) {
      Tensor x = interp.getInputTensorFromSignature("x", null);
      assertEquals(DataType.COMPLEX64, x.dataType());
      assertEquals(16, x.numBytes());
      ByteBuffer in = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
      in.asFloatBuffer().put(new float[] {1.5f, 9, -3, 4}); // 1.5+9i, -3+4i
      FloatBuffer out = FloatBuffer.allocate(2);
      interp.runSignature(one("x", in), one("output_0", out));
      assertArrayEquals(new float[] {1.5f, -3}, out.array()); // the real parts
      ByteBuffer raw = interp.getInputTensorFromSignature("x", null).asReadOnlyBuffer();
      assertEquals(9f, raw.getFloat(4));
      // No Java array type stands for complex numbers.
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> interp.runSignature(one("x", new float[] {1, 2}), new HashMap<>()));
      assertEquals(
          "Cannot convert between a TensorFlowLite tensor with type COMPLEX64 and a Java object of"
              + " type [F (which is compatible with the TensorFlowLite type FLOAT32).",
          e.getMessage());
    }
  }
}
