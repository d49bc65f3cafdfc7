package org.pylite;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutated models: each mutant must either load and run, or fail with IllegalArgumentException /
 * IllegalStateException. Anything else (another exception, or the JVM dying in native code) is a
 * bug. The mutants come from a fixed seed, so a failure names a reproducible case.
 */
class MutationTest {
  // -Dpylite.mutants=N and -Dpylite.mutation.seed=S widen the search when hunting bugs.
  private static final long SEED = Long.getLong("pylite.mutation.seed", 0x9E3779B97F4A7C15L);
  private static final int MUTANTS_PER_MODEL = Integer.getInteger("pylite.mutants", 300);
  private static final int MAX_TENSOR_BYTES = 1 << 20;

  private int loaded;
  private int ran;
  private int rejectedArgument;
  private int rejectedState;

  /** One mutant: the bytes and how they were made. */
  static final class Mutant {
    final byte[] bytes;
    final String how;

    Mutant(byte[] bytes, String how) {
      this.bytes = bytes;
      this.how = how;
    }
  }

  static List<Mutant> mutants(byte[] model, long seed, int count) {
    Random rnd = new Random(seed);
    List<Mutant> out = new ArrayList<>();
    int[] words = {0, -1, 0x7FFFFFFF, 0x80000000, 1, 2, 4, 8, 0x10000, -8, 0x40000000};
    for (int k = 0; k < count; ++k) {
      byte[] b = model.clone();
      String how;
      switch (k % 4) {
        case 0: {
          int flips = 1 + rnd.nextInt(8);
          StringBuilder s = new StringBuilder("bit flips at");
          for (int f = 0; f < flips; ++f) {
            int pos = rnd.nextInt(b.length);
            int bit = rnd.nextInt(8);
            b[pos] ^= (byte) (1 << bit);
            s.append(' ').append(pos).append('.').append(bit);
          }
          how = s.toString();
          break;
        }
        case 1: {
          int len = rnd.nextInt(b.length);
          b = Arrays.copyOf(b, len);
          how = "truncated to " + len;
          break;
        }
        case 2: {
          int patches = 1 + rnd.nextInt(3);
          StringBuilder s = new StringBuilder("patched words");
          ByteBuffer w = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
          for (int p = 0; p < patches; ++p) {
            int pos = (rnd.nextInt(b.length / 4)) * 4;
            int value = rnd.nextBoolean() ? words[rnd.nextInt(words.length)] : rnd.nextInt();
            w.putInt(pos, value);
            s.append(' ').append(pos).append('=').append(value);
          }
          how = s.toString();
          break;
        }
        default: {
          // Small values in the header area, where offsets and vtables live.
          int pos = rnd.nextInt(Math.min(b.length, 256) / 4) * 4;
          int value = rnd.nextInt(64) - 8;
          ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, value);
          how = "header word " + pos + "=" + value;
          break;
        }
      }
      out.add(new Mutant(b, how));
    }
    return out;
  }

  /** Uses every part of the API a client would, within size limits. */
  private void exercise(Interpreter interpreter) {
    for (String key : interpreter.getSignatureKeys()) {
      String[] inputs = interpreter.getSignatureInputs(key);
      String[] outputs = interpreter.getSignatureOutputs(key);
      Map<String, Object> in = new HashMap<>();
      for (String name : inputs) {
        Tensor t = interpreter.getInputTensorFromSignature(name, key);
        Object value = inputFor(t);
        if (value == null) {
          return;
        }
        in.put(name, value);
      }
      for (String name : outputs) {
        describe(interpreter.getOutputTensorFromSignature(name, key));
      }
      if (!in.isEmpty()) {
        interpreter.runSignature(in, new HashMap<>(), key);
        for (String name : outputs) {
          readBack(interpreter.getOutputTensorFromSignature(name, key));
        }
        ++ran;
      }
    }
    int n = interpreter.getInputTensorCount();
    if (n == 0) {
      return;
    }
    Object[] in = new Object[n];
    for (int i = 0; i < n; ++i) {
      in[i] = inputFor(interpreter.getInputTensor(i));
      if (in[i] == null) {
        return;
      }
    }
    interpreter.runForMultipleInputsOutputs(in, new HashMap<>());
    for (int i = 0; i < interpreter.getOutputTensorCount(); ++i) {
      readBack(interpreter.getOutputTensor(i));
    }
    ++ran;
  }

  private static void describe(Tensor t) {
    t.name();
    t.shape();
    t.shapeSignature();
    t.quantizationParams();
    t.index();
    t.dataType();
  }

  private static void readBack(Tensor t) {
    describe(t);
    if (t.numBytes() <= MAX_TENSOR_BYTES) {
      t.asReadOnlyBuffer();
    }
  }

  /** An input matching the tensor as it stands (a Buffer, so no resize), or null if too big. */
  private static Object inputFor(Tensor t) {
    describe(t);
    int bytes = t.numBytes();
    if (bytes > MAX_TENSOR_BYTES) {
      return null;
    }
    if (t.dataType() == DataType.STRING) {
      int n = t.numElements();
      if (n <= 0 || n > 4096 || t.numDimensions() == 0) {
        return null;
      }
      String[] s = new String[n];
      Arrays.fill(s, "1.5");
      return t.numDimensions() == 1 ? s : null;
    }
    ByteBuffer b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    for (int i = 0; i < bytes; ++i) {
      b.put(i, (byte) (i * 7 + 3));
    }
    return b;
  }

  private void runMutants(File model, long seed) {
    assumeTrue(model.exists(), model + " not generated yet");
    runMutants(model.getName(), TestModels.bytes(model), seed);
  }

  private void runMutants(String modelName, byte[] bytes, long seed) {
    for (Mutant m : mutants(bytes, seed, MUTANTS_PER_MODEL)) {
      try (Interpreter interpreter = new Interpreter(ByteBuffer.wrap(m.bytes))) {
        ++loaded;
        exercise(interpreter);
      } catch (IllegalArgumentException e) {
        ++rejectedArgument;
      } catch (IllegalStateException e) {
        ++rejectedState;
      } catch (Throwable e) {
        fail("mutant of " + modelName + " (" + m.how + ") threw " + e, e);
      }
    }
    System.out.printf(
        "MutationTest %s: %d mutants, %d loaded, %d runs, %d IllegalArgumentException,"
            + " %d IllegalStateException%n",
        modelName, MUTANTS_PER_MODEL, loaded, ran, rejectedArgument, rejectedState);
    assertTrue(rejectedArgument + rejectedState > 0, "some mutants must be rejected");
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void mutatedDenseModels() {
    runMutants(TestModels.dense(), SEED);
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void mutatedCodingModels() {
    runMutants(TestModels.coding(), SEED + 1);
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void mutatedTypesModels() {
    runMutants(
        "TypesTest model", java.util.Base64.getDecoder().decode(TypesTest.MODEL_BASE64), SEED + 2);
  }
}
