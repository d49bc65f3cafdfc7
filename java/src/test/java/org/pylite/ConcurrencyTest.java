package org.pylite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7: one interpreter shared by threads. runSignature calls on different signatures
 * (different subgraphs) may run at the same time; calls on one signature take turns, each holding
 * its subgraph from resize to the last output copy; close() waits for running calls and later
 * calls throw IllegalStateException.
 *
 * <p>Models: examples/models/coding.tflite (encode: float x[None] to the "%.6f" strings; decode:
 * strings to floats) and tests/data/state/counter.tflite (add: x[3] plus a shared tf.Variable
 * initialized to 0.5 by CALL_ONCE, which it updates and returns; loop: x[None] to y, [i] giving
 * [i, 2i, 2i, 4i, 2i, 4i, 4i, 8i]; read: the variable, no inputs).
 */
class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final int CALLS = 4000;

  private ExecutorService pool;

  @BeforeEach
  void startPool() {
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "pool threads did not stop");
  }

  private static File counter() {
    return TestModels.root().resolve("tests/data/state/counter.tflite").toFile();
  }

  private static Map<String, Object> map(String name, Object value) {
    Map<String, Object> m = new HashMap<>();
    m.put(name, value);
    return m;
  }

  private static String[] encode(Interpreter interp, float[] x) {
    String[] out = new String[x.length];
    interp.runSignature(map("x", x), map("encoded_result", out), "encode");
    return out;
  }

  private static float[] decode(Interpreter interp, String[] x) {
    float[] out = new float[x.length];
    interp.runSignature(map("x", x), map("decoded_result", out), "decode");
    return out;
  }

  private static float[] add(Interpreter interp, float[] x) {
    float[] out = new float[3];
    interp.runSignature(map("x", x), map("value", out), "add");
    return out;
  }

  private static float[] loop(Interpreter interp, float v) {
    float[] out = new float[8];
    interp.runSignature(map("x", new float[] {v}), map("y", out), "loop");
    return out;
  }

  private static float[] read(Interpreter interp) {
    float[] out = new float[3];
    interp.invokeSignature(new HashMap<>(), map("value", out), "read");
    return out;
  }

  private static int subgraphOf(Interpreter interp, String key) {
    return interp.wrapper().getRunner(key).subgraphIndex();
  }

  /** The problem with one call's result, or null; each call checks its own result. */
  private static String check(String what, Object got, Object want) {
    boolean same =
        got instanceof float[]
            ? Arrays.equals((float[]) got, (float[]) want)
            : Arrays.equals((Object[]) got, (Object[]) want);
    if (same) {
      return null;
    }
    return what + ": got " + text(got) + ", expected " + text(want);
  }

  private static String text(Object a) {
    return a instanceof float[] ? Arrays.toString((float[]) a) : Arrays.toString((Object[]) a);
  }

  @Test
  void signaturesAreOnDifferentSubgraphs() {
    try (Interpreter coding = new Interpreter(TestModels.coding());
        Interpreter state = new Interpreter(counter())) {
      assertNotEquals(subgraphOf(coding, "encode"), subgraphOf(coding, "decode"));
      assertNotEquals(subgraphOf(state, "add"), subgraphOf(state, "loop"));
    }
  }

  /**
   * Thousands of mixed calls from a pool: encode/decode of varying lengths on one interpreter,
   * add/loop on another; every result is checked, and the adds, which take turns on one variable,
   * must each see a different count: together exactly 1.5, 2.5, ..., 0.5 + N.
   */
  @Test
  void mixedCallsFromManyThreadsKeepEveryResult() throws Exception {
    List<String> mismatches = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    AtomicInteger adds = new AtomicInteger();
    float[] addResults;
    try (Interpreter coding = new Interpreter(TestModels.coding());
        Interpreter state = new Interpreter(counter())) {
      int maxAdds = CALLS / 4 + 1;
      float[] seen = new float[maxAdds];
      List<Future<String>> futures = new ArrayList<>();
      for (int n = 0; n < CALLS; ++n) {
        final int i = n;
        futures.add(
            pool.submit(
                () -> {
                  calls.incrementAndGet();
                  int len = 1 + i % 3; // varying lengths: every call may resize its input
                  switch (i % 4) {
                    case 0: {
                      float[] x = new float[len];
                      String[] want = new String[len];
                      for (int k = 0; k < len; ++k) {
                        x[k] = i + k;
                        want[k] = String.format(Locale.ROOT, "%.6f", (double) (i + k));
                      }
                      return check("encode " + i, encode(coding, x), want);
                    }
                    case 1: {
                      String[] x = new String[len];
                      float[] want = new float[len];
                      for (int k = 0; k < len; ++k) {
                        x[k] = (i + k) + ".25";
                        want[k] = i + k + 0.25f;
                      }
                      return check("decode " + i, decode(coding, x), want);
                    }
                    case 2: {
                      float[] got = add(state, new float[] {1, 1, 1});
                      if (got[0] != got[1] || got[1] != got[2]) {
                        return "add: uneven result " + Arrays.toString(got);
                      }
                      seen[adds.getAndIncrement()] = got[0];
                      return null;
                    }
                    default: {
                      float v = i;
                      return check(
                          "loop " + i,
                          loop(state, v),
                          new float[] {v, 2 * v, 2 * v, 4 * v, 2 * v, 4 * v, 4 * v, 8 * v});
                    }
                  }
                }));
      }
      for (Future<String> f : futures) {
        String problem;
        try {
          problem = f.get(120, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          problem = "a call threw " + e.getCause();
        }
        if (problem != null) {
          mismatches.add(problem);
        }
      }
      int n = adds.get();
      addResults = Arrays.copyOf(seen, n);
      Arrays.sort(addResults);
      for (int k = 0; k < n; ++k) {
        if (addResults[k] != 1.5f + k) {
          mismatches.add("add results: position " + k + " holds " + addResults[k]);
          break;
        }
      }
      float total = 0.5f + n;
      String r = check("read", read(state), new float[] {total, total, total});
      if (r != null) {
        mismatches.add(r);
      }
    }
    System.out.printf(
        "concurrency: %d calls on %d threads, %d adds, %d mismatches%n",
        calls.get(), THREADS, addResults.length, mismatches.size());
    assertEquals(CALLS, calls.get());
    assertEquals(CALLS / 4, addResults.length);
    assertTrue(
        mismatches.isEmpty(),
        String.join("\n", mismatches.subList(0, Math.min(20, mismatches.size()))));
  }

  /**
   * A call that holds encode's subgraph (as a long run would) blocks other encode calls but not
   * decode calls.
   */
  @Test
  void differentKeysRunWhileOneIsBusy() throws Exception {
    try (Interpreter coding = new Interpreter(TestModels.coding())) {
      NativeInterpreterWrapper w = coding.wrapper();
      int encodeSubgraph = subgraphOf(coding, "encode");
      w.enter(encodeSubgraph); // stands for an encode call in progress
      Future<String[]> blocked;
      try {
        Future<float[]> other = pool.submit(() -> decode(coding, new String[] {"1.5"}));
        assertArrayEquals(new float[] {1.5f}, other.get(30, TimeUnit.SECONDS));
        blocked = pool.submit(() -> encode(coding, new float[] {2}));
        assertThrows(TimeoutException.class, () -> blocked.get(300, TimeUnit.MILLISECONDS));
      } finally {
        w.exit(encodeSubgraph);
      }
      assertArrayEquals(new String[] {"2.000000"}, blocked.get(30, TimeUnit.SECONDS));
    }
  }

  /** close() waits for a running call; calls after it throw IllegalStateException. */
  @Test
  void closeWaitsForRunningCalls() throws Exception {
    Interpreter coding = new Interpreter(TestModels.coding());
    NativeInterpreterWrapper w = coding.wrapper();
    int decodeSubgraph = subgraphOf(coding, "decode");
    w.enter(decodeSubgraph); // a decode call in progress
    CountDownLatch closing = new CountDownLatch(1);
    Future<?> closer;
    try {
      closer =
          pool.submit(
              () -> {
                closing.countDown();
                coding.close();
              });
      assertTrue(closing.await(30, TimeUnit.SECONDS));
      assertThrows(TimeoutException.class, () -> closer.get(300, TimeUnit.MILLISECONDS));
      // The running call can still use the interpreter.
      assertEquals(DataType.STRING, coding.getInputTensorFromSignature("x", "decode").dataType());
    } finally {
      w.exit(decodeSubgraph);
    }
    closer.get(30, TimeUnit.SECONDS);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> encode(coding, new float[] {1}));
    assertEquals(NativeInterpreterWrapper.CLOSED_MESSAGE, e.getMessage());
  }

  /**
   * Closing while many calls run: every call either completes with the right result or throws
   * IllegalStateException; none crashes or returns a wrong result.
   */
  @Test
  void closeDuringManyCalls() throws Exception {
    for (int round = 0; round < 5; ++round) {
      Interpreter coding = new Interpreter(TestModels.coding());
      List<Future<String>> futures = new ArrayList<>();
      for (int n = 0; n < 400; ++n) {
        final int i = n;
        futures.add(
            pool.submit(
                () -> {
                  try {
                    if (i % 2 == 0) {
                      String want = String.format(Locale.ROOT, "%.6f", (double) i);
                      return check("encode", encode(coding, new float[] {i}), new String[] {want});
                    }
                    return check("decode", decode(coding, new String[] {i + ""}), new float[] {i});
                  } catch (IllegalStateException e) {
                    return e.getMessage().equals(NativeInterpreterWrapper.CLOSED_MESSAGE)
                        ? null
                        : "unexpected: " + e.getMessage();
                  }
                }));
      }
      Thread.sleep(round * 5L);
      coding.close();
      for (Future<String> f : futures) {
        String problem;
        try {
          problem = f.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          problem = "call failed: " + e.getCause();
        }
        assertEquals(null, problem);
      }
      assertFalse(pool.isShutdown());
    }
  }
}
