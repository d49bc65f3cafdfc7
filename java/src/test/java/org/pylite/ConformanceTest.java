package org.pylite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance suite (tests/conformance/manifest.json) through the Java API: one dynamic test
 * per case, run with {@link Interpreter#runSignature} and read back with {@link
 * Interpreter#getOutputTensorFromSignature}. The comparison rule is the one every runner shares
 * (tests/conformance/conformance.h): dtype and shape equal; integers, bools and strings
 * identical; floats within tolerance * max|expected| (max over finite values; NaN needs NaN,
 * infinity the same infinity). A negative case passes when the interpreter's construction (which
 * loads the model and allocates, as TFLite's does) or the run fails with a message containing its
 * expect_error.
 *
 * <p>Inputs go in as little-endian ByteBuffers when the tensor already has the data's shape, else
 * as Java arrays of the data's shape (which makes runSignature resize the input): double[] for
 * float64, short[] bits for float16/bfloat16, char[] for uint16, int[]/long[] bits for
 * uint32/uint64 (pylite's DataType extension), scalars as boxed values. A complex64 input or a
 * zero-element input (Java arrays cannot be empty) whose shape differs is resized with {@link
 * Interpreter#resizeInput} (subgraph 0 only) and then fed as a ByteBuffer; a zero-element string
 * input is then left out. A signature without inputs runs with pylite's {@link
 * Interpreter#invokeSignature}. Nothing is skipped: a dtype without a Java DataType fails the
 * case.
 *
 * <p>With PYLITE_CONFORMANCE_OUT=dir (environment, or system property pylite.conformance.out; a
 * relative path is taken from the repository root), outputs are written to
 * dir/java/case/output.bin.
 */
class ConformanceTest {
  /** Bytes per element of every manifest dtype (0 for strings). */
  private static final Map<String, Integer> ITEM_SIZES =
      Map.ofEntries(
          Map.entry("float32", 4),
          Map.entry("float64", 8),
          Map.entry("float16", 2),
          Map.entry("int8", 1),
          Map.entry("uint8", 1),
          Map.entry("int16", 2),
          Map.entry("uint16", 2),
          Map.entry("int32", 4),
          Map.entry("uint32", 4),
          Map.entry("int64", 8),
          Map.entry("uint64", 8),
          Map.entry("bool", 1),
          Map.entry("complex64", 8),
          Map.entry("complex128", 16),
          Map.entry("string", 0));
  private static final AtomicInteger PASSED = new AtomicInteger();
  private static final AtomicInteger FAILED = new AtomicInteger();
  private static final String LANG = "java";

  /**
   * The manifest: system property pylite.conformance.manifest, else PYLITE_CONFORMANCE_MANIFEST,
   * else tests/conformance/manifest.json (relative paths from the repository root).
   */
  private static Path manifest() {
    String m = System.getProperty("pylite.conformance.manifest");
    if (m == null || m.isEmpty()) {
      m = System.getenv("PYLITE_CONFORMANCE_MANIFEST");
    }
    if (m == null || m.isEmpty()) {
      m = "tests/conformance/manifest.json";
    }
    return TestModels.root().resolve(m).normalize();
  }

  /** The manifest's directory, where its paths start. */
  private static Path conformanceDir() {
    return manifest().getParent();
  }

  private static Path outRoot() {
    String out = System.getProperty("pylite.conformance.out");
    if (out == null || out.isEmpty()) {
      out = System.getenv("PYLITE_CONFORMANCE_OUT");
    }
    if (out == null || out.isEmpty()) {
      return null;
    }
    return TestModels.root().resolve(out);
  }

  /** One tensor of the manifest. */
  private static final class Spec {
    final String name;
    final String dtype;
    final int[] shape;
    final String file;
    final double tolerance;

    @SuppressWarnings("unchecked")
    Spec(Object json) {
      Map<String, Object> m = (Map<String, Object>) json;
      name = (String) m.get("name");
      dtype = (String) m.get("dtype");
      shape = Json.ints(m.get("shape"));
      file = (String) m.get("file");
      if (name == null || dtype == null || file == null) {
        throw new AssertionError("a tensor lacks name, dtype or file");
      }
      if (!ITEM_SIZES.containsKey(dtype)) {
        throw new AssertionError(name + ": unknown dtype '" + dtype + "'");
      }
      for (int d : shape) {
        if (d < 0) {
          throw new AssertionError(name + ": bad shape " + Arrays.toString(shape));
        }
      }
      Object t = m.get("tolerance");
      tolerance = t instanceof Double ? (Double) t : 0.0;
    }

    int elements() {
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }

    /** The data file, checked against dtype and shape. */
    byte[] read() {
      byte[] data;
      try {
        data = Files.readAllBytes(conformanceDir().resolve(file));
      } catch (IOException e) {
        throw new AssertionError("cannot read " + file, e);
      }
      if (dtype.equals("string")) {
        if (decodeStrings(data).size() != elements()) {
          throw new AssertionError(
              name + ": " + file + " does not hold " + elements() + " strings");
        }
      } else if ((long) data.length != (long) elements() * ITEM_SIZES.get(dtype)) {
        throw new AssertionError(
            name + ": " + file + " has " + data.length + " bytes, its " + dtype + " shape needs "
                + (long) elements() * ITEM_SIZES.get(dtype));
      }
      return data;
    }
  }

  @TestFactory
  @SuppressWarnings("unchecked")
  Stream<DynamicTest> conformance() throws IOException {
    String text = new String(Files.readAllBytes(manifest()), StandardCharsets.UTF_8);
    List<Object> cases = Json.list(Json.parse(text), "cases");
    return cases.stream()
        .map(
            c -> {
              Map<String, Object> m = (Map<String, Object>) c;
              Object name = m.get("name");
              String label = name instanceof String ? (String) name : "(unnamed case)";
              return DynamicTest.dynamicTest(label, () -> runCounted(label, m));
            });
  }

  @AfterAll
  static void summary() {
    System.out.printf(
        "conformance (java): %d passed, %d failed, 0 skipped%n", PASSED.get(), FAILED.get());
  }

  private static void runCounted(String name, Map<String, Object> c) throws IOException {
    try {
      runCase(name, c);
      PASSED.incrementAndGet();
    } catch (AssertionError | RuntimeException e) {
      FAILED.incrementAndGet();
      System.out.println("FAIL " + name + ": " + messages(e));
      throw e;
    }
  }

  /** Every message of an exception and its causes, so that a C message wrapped by Java shows. */
  private static String messages(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (b.length() > 0) {
        b.append(" / ");
      }
      b.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
    }
    return b.toString();
  }

  // ---- Output files ---------------------------------------------------------------------------

  /** A path part as every runner writes it (see tests/conformance/conformance.h). */
  private static String clean(String part) {
    String s = part.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.startsWith(".") ? "_" + s.substring(1) : s;
  }

  private static Path caseDir(Path root, String caseName) {
    Path p = root.resolve(LANG);
    for (String segment : caseName.split("/", -1)) {
      p = p.resolve(clean(segment));
    }
    return p;
  }

  private static Path outputFile(Path root, String caseName, String output) {
    return caseDir(root, caseName).resolve(clean(output) + ".bin");
  }

  private static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  // ---- A case ---------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static void runCase(String name, Map<String, Object> c) throws IOException {
    if (!(c.get("name") instanceof String) || !(c.get("model") instanceof String)) {
      fail("no name or model");
    }
    String key = (String) c.getOrDefault("signature", "serving_default");
    String expectError = (String) c.get("expect_error");
    List<Spec> inputs = new ArrayList<>();
    for (Object o : (List<Object>) c.getOrDefault("inputs", new ArrayList<>())) {
      inputs.add(new Spec(o));
    }
    List<Spec> outputs = new ArrayList<>();
    for (Object o : (List<Object>) c.getOrDefault("outputs", new ArrayList<>())) {
      outputs.add(new Spec(o));
    }
    Path out = outRoot();
    if (out != null) {
      Files.deleteIfExists(caseDir(out, name).resolve("SKIPPED"));
      for (Spec s : outputs) {
        Files.deleteIfExists(outputFile(out, name, s.name));
      }
    }
    for (Spec s : inputs) {
      javaType(s);
    }
    for (Spec s : outputs) {
      javaType(s);
    }

    Interpreter interpreter;
    try {
      interpreter = new Interpreter(conformanceDir().resolve((String) c.get("model")).toFile());
    } catch (IllegalArgumentException | IllegalStateException e) {
      // Construction loads the model (a model the reader refuses is an IllegalArgumentException)
      // and allocates subgraph 0, as TFLite's does (an allocation error is an
      // IllegalStateException).
      if (expectError != null) {
        expectMessage(e, expectError);
        return;
      }
      throw e;
    }
    try (Interpreter interp = interpreter) {
      String[] names = interp.getSignatureInputs(key);
      assertEquals(inputs.size(), names.length, "number of signature inputs");
      Map<String, Object> results = new HashMap<>();
      try {
        Map<String, Object> feeds = new HashMap<>();
        for (Spec s : inputs) {
          Object value = feed(interp, key, s);
          if (value != null) {
            feeds.put(s.name, value);
          }
        }
        if (feeds.isEmpty()) {
          // No inputs (or only empty string ones): TFLite's runSignature refuses an empty map.
          interp.invokeSignature(feeds, results, key);
        } else {
          interp.runSignature(feeds, results, key);
        }
      } catch (RuntimeException e) {
        if (expectError != null) {
          expectMessage(e, expectError);
          return;
        }
        throw e;
      }
      if (expectError != null) {
        fail("expected an error containing '" + expectError + "', but the case ran");
      }
      String[] outNames = interp.getSignatureOutputs(key);
      String[] want = outputs.stream().map(s -> s.name).sorted().toArray(String[]::new);
      String[] got = outNames.clone();
      Arrays.sort(got);
      assertArrayEquals(want, got, "signature outputs");
      List<String> failures = new ArrayList<>();
      for (Spec s : outputs) {
        String problem = checkOutput(interp, key, s, name, out);
        if (problem != null) {
          failures.add(problem);
        }
      }
      if (!failures.isEmpty()) {
        fail(String.join("; ", failures));
      }
    }
  }

  private static void expectMessage(RuntimeException e, String expected) {
    String all = messages(e);
    if (!all.contains(expected)) {
      throw new AssertionError(
          "expected an error containing '" + expected + "', got: " + all, e);
    }
  }

  /** The DataType of a manifest tensor; a dtype Java cannot express fails the case. */
  private static DataType javaType(Spec s) {
    for (DataType t : DataType.values()) {
      if (typeName(t).equals(s.dtype)) {
        return t;
      }
    }
    throw new AssertionError(
        s.name + " is " + s.dtype + ", which has no Java DataType: extend org.pylite.DataType");
  }

  // ---- Inputs ---------------------------------------------------------------------------------

  /** The Java object runSignature gets for input {@code s}, or null to leave it out. */
  private static Object feed(Interpreter interp, String key, Spec s) {
    byte[] data = s.read();
    Tensor tensor = interp.getInputTensorFromSignature(s.name, key);
    String type = typeName(tensor.dataType());
    if (!type.equals(s.dtype)) {
      throw new AssertionError(
          "input " + s.name + ": the tensor is " + type + ", the data " + s.dtype);
    }
    boolean sameShape = Arrays.equals(tensor.shape(), s.shape);
    if (s.elements() == 0 || (s.dtype.equals("complex64") && !sameShape)) {
      // Java arrays cannot be empty, and complex64 has no array type: resize through the
      // interpreter's index of the input, then hand over the bytes (or nothing, for strings).
      if (!sameShape) {
        interp.resizeInput(interpreterInputIndex(interp, tensor), s.shape);
      }
      if (s.dtype.equals("string")) {
        return null;
      }
      ByteBuffer direct = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
      direct.put(data);
      direct.rewind();
      return direct;
    }
    if (s.dtype.equals("string")) {
      return stringArray(s, decodeStrings(data));
    }
    ByteBuffer le = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    if (Arrays.equals(tensor.shape(), s.shape)) {
      // Exact bytes, no resize.
      ByteBuffer direct = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
      direct.put(data);
      direct.rewind();
      return direct;
    }
    if (s.shape.length == 0) {
      return scalar(s.dtype, le);
    }
    Object array = Array.newInstance(component(s.dtype), s.shape);
    fill(array, s.shape.length, s.dtype, le);
    return array;
  }

  private static int interpreterInputIndex(Interpreter interp, Tensor tensor) {
    for (int i = 0; i < interp.getInputTensorCount(); ++i) {
      Tensor t = interp.getInputTensor(i);
      if (t.index() == tensor.index() && t.name().equals(tensor.name())) {
        return i;
      }
    }
    throw new AssertionError(
        "input "
            + tensor.name()
            + " needs a resize that Java cannot express: it is not an input of subgraph 0");
  }

  private static Class<?> component(String dtype) {
    switch (dtype) {
      case "float32":
        return float.class;
      case "int32":
        return int.class;
      case "int64":
      case "uint64":
        return long.class;
      case "int16":
      case "float16":
      case "bfloat16":
        return short.class;
      case "uint32":
        return int.class;
      case "uint16":
        return char.class;
      case "float64":
        return double.class;
      case "bool":
        return boolean.class;
      case "int8":
      case "uint8":
        return byte.class;
      default:
        throw new AssertionError("no Java array type for " + dtype);
    }
  }

  private static Object scalar(String dtype, ByteBuffer le) {
    switch (dtype) {
      case "float32":
        return le.getFloat(0);
      case "int32":
      case "uint32":
        return le.getInt(0);
      case "int64":
      case "uint64":
        return le.getLong(0);
      case "int16":
      case "float16":
      case "bfloat16":
        return le.getShort(0);
      case "uint16":
        return le.getChar(0);
      case "float64":
        return le.getDouble(0);
      case "bool":
        return le.get(0) != 0;
      case "int8":
      case "uint8":
        return le.get(0);
      default:
        throw new AssertionError("no Java scalar type for " + dtype);
    }
  }

  private static void fill(Object array, int depth, String dtype, ByteBuffer le) {
    if (depth > 1) {
      for (Object row : (Object[]) array) {
        fill(row, depth - 1, dtype, le);
      }
      return;
    }
    int n = Array.getLength(array);
    for (int i = 0; i < n; ++i) {
      switch (dtype) {
        case "float32":
          ((float[]) array)[i] = le.getFloat();
          break;
        case "int32":
        case "uint32":
          ((int[]) array)[i] = le.getInt();
          break;
        case "int64":
        case "uint64":
          ((long[]) array)[i] = le.getLong();
          break;
        case "int16":
        case "float16":
        case "bfloat16":
          ((short[]) array)[i] = le.getShort();
          break;
        case "uint16":
          ((char[]) array)[i] = le.getChar();
          break;
        case "float64":
          ((double[]) array)[i] = le.getDouble();
          break;
        case "bool":
          ((boolean[]) array)[i] = le.get() != 0;
          break;
        default:
          ((byte[]) array)[i] = le.get();
      }
    }
  }

  /** A string input as byte[] (rank 0) or nested arrays of byte[] of the data's shape. */
  private static Object stringArray(Spec s, List<byte[]> items) {
    if (s.shape.length == 0) {
      return items.get(0);
    }
    Object array = Array.newInstance(byte[].class, s.shape);
    int[] at = {0};
    fillStrings(array, s.shape.length, items, at);
    return array;
  }

  private static void fillStrings(Object array, int depth, List<byte[]> items, int[] at) {
    Object[] rows = (Object[]) array;
    for (int i = 0; i < rows.length; ++i) {
      if (depth > 1) {
        fillStrings(rows[i], depth - 1, items, at);
      } else {
        rows[i] = items.get(at[0]++);
      }
    }
  }

  // ---- Strings in TFLite's layout ------------------------------------------------------------

  /** The strings of a buffer; AssertionError if it is malformed. */
  static List<byte[]> decodeStrings(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    if (data.length < 4) {
      throw new AssertionError("string buffer of " + data.length + " bytes");
    }
    int count = b.getInt(0);
    if (count < 0 || (long) count + 2 > data.length / 4) {
      throw new AssertionError("string buffer with a bad count " + count);
    }
    List<byte[]> out = new ArrayList<>();
    int previous = 4 * (count + 2);
    if (b.getInt(4) != previous) {
      throw new AssertionError("string buffer whose first offset is not the header's end");
    }
    for (int i = 0; i < count; ++i) {
      int start = b.getInt(4 + 4 * i);
      int end = b.getInt(8 + 4 * i);
      if (start < previous || end < start || end > data.length) {
        throw new AssertionError("string buffer with bad offsets");
      }
      out.add(Arrays.copyOfRange(data, start, end));
      previous = end;
    }
    if (b.getInt(4 + 4 * count) != data.length) {
      throw new AssertionError("string buffer with trailing bytes");
    }
    return out;
  }

  static byte[] encodeStrings(List<byte[]> items) {
    int header = 4 * (items.size() + 2);
    int total = header;
    for (byte[] s : items) {
      total += s.length;
    }
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(items.size());
    int at = header;
    for (byte[] s : items) {
      b.putInt(at);
      at += s.length;
    }
    b.putInt(at);
    for (byte[] s : items) {
      b.put(s);
    }
    return b.array();
  }

  // ---- Outputs --------------------------------------------------------------------------------

  private static String typeName(DataType t) {
    return t.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Saves and compares one output; the problem, or null if it matches. */
  private static String checkOutput(
      Interpreter interp, String key, Spec s, String caseName, Path out) throws IOException {
    Tensor tensor = interp.getOutputTensorFromSignature(s.name, key);
    ByteBuffer view = tensor.asReadOnlyBuffer();
    byte[] got = new byte[view.remaining()];
    view.get(got);
    if (tensor.dataType() == DataType.STRING) {
      got = encodeStrings(decodeStrings(got)); // the canonical layout, as the other runners
    }
    if (out != null) {
      write(outputFile(out, caseName, s.name), got);
    }
    String type = typeName(tensor.dataType());
    if (!type.equals(s.dtype)) {
      return s.name + ": dtype " + type + ", expected " + s.dtype;
    }
    int[] shape = tensor.shape();
    if (!Arrays.equals(shape, s.shape)) {
      return s.name
          + ": shape "
          + Arrays.toString(shape)
          + ", expected "
          + Arrays.toString(s.shape);
    }
    byte[] want = s.read();
    if (s.dtype.equals("string")) {
      List<byte[]> a = decodeStrings(got);
      List<byte[]> b = decodeStrings(want);
      for (int i = 0; i < b.size(); ++i) {
        if (i >= a.size() || !Arrays.equals(a.get(i), b.get(i))) {
          return s.name + ": string " + i + " differs";
        }
      }
      return a.size() == b.size() ? null : s.name + ": " + a.size() + " strings";
    }
    if (got.length != want.length) {
      return s.name + ": " + got.length + " bytes, expected " + want.length;
    }
    if (!FLOATS.contains(s.dtype)) {
      int size = ITEM_SIZES.get(s.dtype);
      for (int i = 0; i < got.length; ++i) {
        if (got[i] != want[i]) {
          int element = i / size;
          return s.name
              + ": element "
              + element
              + " is "
              + integer(s.dtype, got, element)
              + ", expected "
              + integer(s.dtype, want, element);
        }
      }
      return null;
    }
    return compareFloats(s, got, want);
  }

  /** Integer element {@code i} as text, for messages. */
  private static String integer(String dtype, byte[] data, int i) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case "int8":
        return Byte.toString(b.get(i));
      case "int16":
        return Short.toString(b.getShort(2 * i));
      case "int32":
        return Integer.toString(b.getInt(4 * i));
      case "int64":
        return Long.toString(b.getLong(8 * i));
      case "uint16":
      case "bfloat16":
        return Integer.toString(b.getChar(2 * i));
      case "uint32":
        return Integer.toUnsignedString(b.getInt(4 * i));
      case "uint64":
        return Long.toUnsignedString(b.getLong(8 * i));
      default: // uint8, bool
        return Integer.toString(b.get(i) & 0xFF);
    }
  }

  /** The dtypes compared with a tolerance (as conformance.c; bfloat16 is compared exactly). */
  private static final Set<String> FLOATS = Set.of("float32", "float64", "float16", "complex64");

  /** A float16 bit pattern as a double. */
  private static double half(int h) {
    int exponent = (h >> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    double sign = (h & 0x8000) != 0 ? -1.0 : 1.0;
    if (exponent == 0) {
      return sign * Math.scalb((double) mantissa, -24);
    }
    if (exponent == 31) {
      return mantissa != 0 ? Double.NaN : sign * Double.POSITIVE_INFINITY;
    }
    return sign * Math.scalb((double) (mantissa | 0x400), exponent - 25);
  }

  /** Element {@code i} (component {@code part} of a complex) as a double. */
  private static double real(String dtype, ByteBuffer b, int i, int part) {
    switch (dtype) {
      case "float64":
        return b.getDouble(8 * i);
      case "float16":
        return half(b.getChar(2 * i));
      case "complex64":
        return b.getFloat(8 * i + 4 * part);
      default:
        return b.getFloat(4 * i);
    }
  }

  private static String compareFloats(Spec s, byte[] gotBytes, byte[] wantBytes) {
    ByteBuffer g = ByteBuffer.wrap(gotBytes).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer w = ByteBuffer.wrap(wantBytes).order(ByteOrder.LITTLE_ENDIAN);
    boolean complex = s.dtype.equals("complex64");
    int n = s.elements();
    double largest = 0;
    for (int i = 0; i < n; ++i) {
      double re = real(s.dtype, w, i, 0);
      double v = complex ? Math.hypot(re, real(s.dtype, w, i, 1)) : Math.abs(re);
      if (Double.isFinite(v) && v > largest) {
        largest = v;
      }
    }
    double bound = s.tolerance * largest;
    int bad = 0;
    int first = -1;
    for (int i = 0; i < n; ++i) {
      boolean ok = true;
      double diff = 0;
      for (int part = 0; part < (complex ? 2 : 1); ++part) {
        double want = real(s.dtype, w, i, part);
        double got = real(s.dtype, g, i, part);
        if (Double.isNaN(want)) {
          ok = ok && Double.isNaN(got);
        } else if (Double.isInfinite(want)) {
          ok = ok && got == want;
        } else if (!Double.isFinite(got)) {
          ok = false;
        } else {
          diff = complex ? Math.hypot(diff, got - want) : Math.abs(got - want);
        }
      }
      if (ok && diff > bound) {
        ok = false;
      }
      if (!ok) {
        if (first < 0) {
          first = i;
        }
        ++bad;
      }
    }
    if (bad == 0) {
      return null;
    }
    return String.format(
        "%s: %d of %d elements differ by more than %g (tolerance %g x max|expected| %g); first at"
            + " %d: got %.9g, expected %.9g",
        s.name,
        bad,
        n,
        bound,
        s.tolerance,
        largest,
        first,
        real(s.dtype, g, first, 0),
        real(s.dtype, w, first, 0));
  }
}
