package org.pylite;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The native model and interpreter behind an {@link Interpreter}, and the execution logic of
 * {@code run} and {@code runSignature}.
 *
 * <p>Threads: the C core runs different subgraphs of one interpreter at once and serializes calls
 * on one subgraph. This class keeps that promise on the Java side with three locks, always taken
 * in this order:
 *
 * <ol>
 *   <li>{@code lifecycle}, a read-write lock: every call holds it shared, so calls run together;
 *       {@link #close()} (and the whole-interpreter resets) hold it exclusively, so they wait for
 *       running calls, and calls after close throw IllegalStateException.
 *   <li>one lock per subgraph, held across everything a call does to that subgraph's tensors
 *       (resize, allocation, copy-in, invoke, copy-out), so two calls on the same signature never
 *       mix their inputs or results. {@link TensorImpl} takes it too ({@link #enter}).
 *   <li>{@code state}, a monitor for the caches of this object (tensors, runners, names); it is
 *       only held for short map or array updates, never while taking another lock.
 * </ol>
 *
 * <p>Only {@link #cancel()} bypasses them, since it must reach a running invoke.
 *
 * <p>Native memory: the model, interpreter and runner handles live in a {@link Handles} object
 * that holds no reference back to this wrapper. {@link #close()} frees them at once; if the user
 * forgets to close, a {@link Cleaner} frees them after the wrapper (and every tensor or runner of
 * it) has become unreachable. No finalizer is involved.
 */
final class NativeInterpreterWrapper implements AutoCloseable {
  static {
    PyliteNative.init();
  }

  static final String CLOSED_MESSAGE = "Internal error: The Interpreter has already been closed.";

  private static final Cleaner CLEANER = Cleaner.create();

  /**
   * The native handles of one interpreter, freed once: by {@link #close()} or by the cleaner.
   * Runners are freed first, then the interpreter, then the model, as the C API requires.
   */
  static final class Handles implements Runnable {
    private long model;
    private long interpreter;
    private final HashSet<Long> runners = new HashSet<>();

    synchronized void addRunner(long runner) {
      runners.add(runner);
    }

    /** Frees one runner now (a no-op if the cleaner already freed it). */
    synchronized void deleteRunner(long runner) {
      if (runners.remove(runner)) {
        NativeSignatureRunnerWrapper.deleteNative(runner);
      }
    }

    /** Whether every handle has been freed (for tests). */
    synchronized boolean isFreed() {
      return model == 0 && interpreter == 0 && runners.isEmpty();
    }

    @Override
    public synchronized void run() {
      for (long runner : runners) {
        NativeSignatureRunnerWrapper.deleteNative(runner);
      }
      runners.clear();
      if (interpreter != 0) {
        deleteInterpreter(interpreter);
        interpreter = 0;
      }
      if (model != 0) {
        deleteModel(model);
        model = 0;
      }
    }
  }

  private final Handles handles = new Handles();
  private Cleaner.Cleanable cleanable;
  private volatile long interpreterHandle;
  private final Object cancelLock = new Object();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ConcurrentHashMap<Integer, ReentrantLock> subgraphLocks =
      new ConcurrentHashMap<>();
  private final Object state = new Object();
  private boolean cancellable;
  // Guarded by state (the arrays themselves only change under the exclusive lifecycle lock).
  private TensorImpl[] inputTensors;
  private TensorImpl[] outputTensors;
  private String[] signatureKeys;
  private final Map<String, NativeSignatureRunnerWrapper> runners = new LinkedHashMap<>();
  private Map<String, Integer> inputsIndexes;
  private Map<String, Integer> outputsIndexes;
  // Guarded by the lock of subgraph 0.
  private boolean isMemoryAllocated;
  private volatile long inferenceDurationNanoseconds = -1;

  NativeInterpreterWrapper(String modelPath, InterpreterApi.Options options) {
    if (modelPath == null) {
      throw new IllegalArgumentException("Input error: model path should not be null.");
    }
    init(createModelFromFile(PyliteNative.utf8(modelPath)), options);
  }

  NativeInterpreterWrapper(ByteBuffer buffer, InterpreterApi.Options options) {
    if (buffer == null) {
      throw new IllegalArgumentException(
          "Model ByteBuffer should be either a MappedByteBuffer of the model file, or a direct"
              + " ByteBuffer using ByteOrder.nativeOrder() which contains bytes of model content.");
    }
    long model;
    if (buffer.isDirect()) {
      // The native side copies the bytes, so later writes to the buffer cannot corrupt a
      // verified model.
      model = createModelFromDirectBuffer(buffer);
    } else {
      ByteBuffer all = buffer.duplicate();
      all.clear();
      byte[] bytes = new byte[all.remaining()];
      all.get(bytes);
      model = createModelFromArray(bytes);
    }
    init(model, options);
  }

  private void init(long model, InterpreterApi.Options options) {
    if (options == null) {
      options = new InterpreterApi.Options();
    }
    handles.model = model;
    this.cleanable = CLEANER.register(this, handles);
    long interpreter;
    try {
      interpreter = createInterpreter(model, options.getNumThreads(), options.isCancellable());
    } catch (RuntimeException | Error e) {
      cleanable.clean();
      throw e;
    }
    handles.interpreter = interpreter;
    this.interpreterHandle = interpreter;
    this.cancellable = options.isCancellable();
    try {
      this.inputTensors = new TensorImpl[getInputCount(interpreter)];
      this.outputTensors = new TensorImpl[getOutputCount(interpreter)];
      this.signatureKeys = PyliteNative.strings(getSignatureKeys(interpreter));
      // As TFLite does, allocate at construction so shapes show up early; but a model
      // whose placeholder input shapes are invalid (dims only known at run time) stays
      // usable: allocation is retried at the first run, after its inputs are resized.
      try {
        allocateTensors(interpreter);
        this.isMemoryAllocated = true;
      } catch (IllegalStateException e) {
        this.isMemoryAllocated = false;
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** The interpreter handle; IllegalStateException once closed. */
  long handle() {
    long h = interpreterHandle;
    if (h == 0) {
      throw new IllegalStateException(CLOSED_MESSAGE);
    }
    return h;
  }

  Handles handles() {
    return handles;
  }

  boolean isClosed() {
    return interpreterHandle == 0;
  }

  boolean isCancellableFlag() {
    return cancellable;
  }

  // ---- Locking -------------------------------------------------------------------------------

  private ReentrantLock subgraphLock(int subgraph) {
    return subgraphLocks.computeIfAbsent(subgraph, k -> new ReentrantLock());
  }

  /**
   * Starts a call on {@code subgraph}: holds the interpreter open (shared) and the subgraph's lock.
   * IllegalStateException once closed. Every successful enter must be paired with {@link #exit}.
   */
  void enter(int subgraph) {
    lifecycle.readLock().lock();
    try {
      handle();
      subgraphLock(subgraph).lock();
    } catch (RuntimeException | Error e) {
      lifecycle.readLock().unlock();
      throw e;
    }
  }

  void exit(int subgraph) {
    subgraphLock(subgraph).unlock();
    lifecycle.readLock().unlock();
  }

  /** Runs {@code body} with the interpreter held open but no subgraph locked. */
  private <T> T shared(Supplier<T> body) {
    lifecycle.readLock().lock();
    try {
      handle();
      return body.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Runs {@code body} with the interpreter held open and {@code subgraph} locked. */
  private <T> T onSubgraph(int subgraph, Supplier<T> body) {
    enter(subgraph);
    try {
      return body.get();
    } finally {
      exit(subgraph);
    }
  }

  /** Runs {@code body} alone: no other call of this interpreter runs meanwhile. */
  private void exclusive(Runnable body) {
    lifecycle.writeLock().lock();
    try {
      handle();
      body.run();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  // ---- Plain inputs and outputs ----------------------------------------------------------------

  int getInputTensorCount() {
    return shared(() -> inputTensors.length);
  }

  int getOutputTensorCount() {
    return shared(() -> outputTensors.length);
  }

  TensorImpl getInputTensor(int index) {
    return shared(() -> ioTensor(inputTensors, index, false));
  }

  TensorImpl getOutputTensor(int index) {
    return shared(() -> ioTensor(outputTensors, index, true));
  }

  /** Input or output {@code index} of subgraph 0, cached; the caller holds the interpreter open. */
  private TensorImpl ioTensor(TensorImpl[] cache, int index, boolean output) {
    if (index < 0 || index >= cache.length) {
      throw new IllegalArgumentException(
          "Invalid " + (output ? "output" : "input") + " Tensor index: " + index);
    }
    synchronized (state) {
      if (cache[index] != null) {
        return cache[index];
      }
    }
    long h = handle();
    int tensorIndex = output ? getOutputTensorIndex(h, index) : getInputTensorIndex(h, index);
    TensorImpl t = TensorImpl.of(this, 0, tensorIndex); // locks subgraph 0: not under state
    synchronized (state) {
      if (cache[index] == null) {
        cache[index] = t;
      }
      return cache[index];
    }
  }

  int getInputIndex(String name) {
    return shared(() -> ioIndex(name, false));
  }

  int getOutputIndex(String name) {
    return shared(() -> ioIndex(name, true));
  }

  private int ioIndex(String name, boolean output) {
    Map<String, Integer> indexes;
    synchronized (state) {
      indexes = output ? outputsIndexes : inputsIndexes;
    }
    if (indexes == null) {
      Map<String, Integer> m = new LinkedHashMap<>();
      int n = output ? outputTensors.length : inputTensors.length;
      for (int i = 0; i < n; ++i) {
        m.put((output ? getOutputTensor(i) : getInputTensor(i)).name(), i);
      }
      synchronized (state) {
        if (output) {
          outputsIndexes = m;
        } else {
          inputsIndexes = m;
        }
      }
      indexes = m;
    }
    Integer i = indexes.get(name);
    if (i == null) {
      throw new IllegalArgumentException(
          String.format(
              "Input error: '%s' is not a valid name for any %s. Names of %s and their"
                  + " indexes are %s",
              name, output ? "output" : "input", output ? "outputs" : "inputs", indexes));
    }
    return i;
  }

  void resizeInput(int index, int[] dims, boolean strict) {
    onSubgraph(
        0,
        () -> {
          resizeInputLocked(index, dims, strict);
          return null;
        });
  }

  private void resizeInputLocked(int index, int[] dims, boolean strict) {
    long h = handle();
    if (index < 0 || index >= inputTensors.length) {
      throw new IllegalArgumentException("Invalid input Tensor index: " + index);
    }
    if (dims == null) {
      throw new IllegalArgumentException("Input error: dims should not be null.");
    }
    if (resizeInput(h, index, dims, strict)) {
      // Allocation waits for allocateTensors() or the next run, so several resizes cost one.
      isMemoryAllocated = false;
    }
  }

  /** Subgraph 0 needs allocation (a runner resized one of its inputs); under its lock. */
  void markNeedsAllocation() {
    isMemoryAllocated = false;
  }

  void allocateTensors() {
    onSubgraph(
        0,
        () -> {
          allocateTensorsIfNeeded();
          return null;
        });
  }

  private void allocateTensorsIfNeeded() {
    if (!isMemoryAllocated) {
      allocateTensors(handle());
      isMemoryAllocated = true;
    }
  }

  void run(Object[] inputs, Map<Integer, Object> outputs) {
    onSubgraph(
        0,
        () -> {
          runLocked(inputs, outputs);
          return null;
        });
  }

  private void runLocked(Object[] inputs, Map<Integer, Object> outputs) {
    long h = handle();
    inferenceDurationNanoseconds = -1;
    if (inputs == null || inputs.length == 0) {
      throw new IllegalArgumentException("Input error: Inputs should not be null or empty.");
    }
    if (outputs == null) {
      throw new IllegalArgumentException("Input error: Outputs should not be null.");
    }
    // Check every output index before running, so a typo costs no inference.
    for (Integer index : outputs.keySet()) {
      if (index == null) {
        throw new IllegalArgumentException("Invalid output Tensor index: null");
      }
      getOutputTensor(index);
    }
    // Resize every input whose array shape differs first, then allocate once.
    for (int i = 0; i < inputs.length; ++i) {
      int[] newShape = getInputTensor(i).getInputShapeIfDifferent(inputs[i]);
      if (newShape != null) {
        resizeInputLocked(i, newShape, false);
      }
    }
    allocateTensorsIfNeeded();
    for (int i = 0; i < inputs.length; ++i) {
      getInputTensor(i).setTo(inputs[i]);
    }
    long start = System.nanoTime();
    invoke(h);
    long duration = System.nanoTime() - start;
    for (Map.Entry<Integer, Object> output : outputs.entrySet()) {
      // Null placeholders are allowed and skipped.
      if (output.getValue() != null) {
        getOutputTensor(output.getKey()).copyTo(output.getValue());
      }
    }
    inferenceDurationNanoseconds = duration; // only once everything succeeded
  }

  Long getLastNativeInferenceDurationNanoseconds() {
    return shared(
        () -> {
          long d = inferenceDurationNanoseconds;
          return d < 0 ? null : d;
        });
  }

  /** Touches every subgraph's variables: runs alone. */
  void resetVariableTensors() {
    exclusive(() -> resetVariableTensors(handle()));
  }

  /** Touches every subgraph and the shared resources: runs alone. */
  void reset() {
    exclusive(() -> reset(handle()));
  }

  /** Asks a running invoke to stop; takes none of the call locks so that it can reach one. */
  void cancel() {
    if (!cancellable) {
      throw new IllegalStateException(
          "Cannot cancel the inference. Have you called InterpreterApi.Options.setCancellable?");
    }
    synchronized (cancelLock) {
      cancel(handle());
    }
  }

  // ---- Signatures ----------------------------------------------------------------------------

  String[] getSignatureKeys() {
    return shared(() -> signatureKeys.clone());
  }

  /** The key to use for a possibly null key: null is allowed with exactly one signature. */
  String resolveKey(String key) {
    if (key == null && signatureKeys.length == 1) {
      return signatureKeys[0];
    }
    if (key == null) {
      throw new IllegalArgumentException(
          "Input error: SignatureDef signatureKey should not be null. null is only allowed if the"
              + " model has a single Signature. Available Signatures: "
              + Arrays.toString(signatureKeys));
    }
    return key;
  }

  NativeSignatureRunnerWrapper getRunner(String key) {
    return shared(() -> runner(key));
  }

  /** The runner of {@code key}, created on first use; the caller holds the interpreter open. */
  private NativeSignatureRunnerWrapper runner(String key) {
    String k = resolveKey(key);
    synchronized (state) {
      NativeSignatureRunnerWrapper r = runners.get(k);
      if (r == null) {
        if (!Arrays.asList(signatureKeys).contains(k)) {
          throw new IllegalArgumentException(
              "Input error: Signature "
                  + k
                  + " not found. Available Signatures: "
                  + Arrays.toString(signatureKeys));
        }
        // Only native metadata calls: no Java lock is taken under state.
        r = new NativeSignatureRunnerWrapper(this, k);
        runners.put(k, r);
      }
      return r;
    }
  }

  String[] getSignatureInputs(String key) {
    return shared(() -> runner(key).inputNames());
  }

  String[] getSignatureOutputs(String key) {
    return shared(() -> runner(key).outputNames());
  }

  TensorImpl getInputTensorFromSignature(String name, String key) {
    return shared(
        () -> {
          NativeSignatureRunnerWrapper r = runner(key);
          return onSubgraph(r.subgraphIndex(), () -> r.getInputTensor(name));
        });
  }

  TensorImpl getOutputTensorFromSignature(String name, String key) {
    return shared(
        () -> {
          NativeSignatureRunnerWrapper r = runner(key);
          return onSubgraph(r.subgraphIndex(), () -> r.getOutputTensor(name));
        });
  }

  /**
   * Runs a signature. With {@code allowNoInputs} (pylite's {@code invokeSignature}), inputs may be
   * null or empty and the inputs not given keep their contents.
   */
  void runSignature(
      Map<String, Object> inputs,
      Map<String, Object> outputs,
      String key,
      boolean allowNoInputs) {
    shared(
        () -> {
          runSignatureShared(inputs, outputs, key, allowNoInputs);
          return null;
        });
  }

  private void runSignatureShared(
      Map<String, Object> givenInputs,
      Map<String, Object> outputs,
      String givenKey,
      boolean allowNoInputs) {
    inferenceDurationNanoseconds = -1;
    String key = resolveKey(givenKey);
    Map<String, Object> inputs = givenInputs;
    if (inputs == null || inputs.isEmpty()) {
      if (!allowNoInputs) {
        throw new IllegalArgumentException("Input error: Inputs should not be null or empty.");
      }
      inputs = new LinkedHashMap<>();
    }
    if (outputs == null) {
      throw new IllegalArgumentException("Input error: Outputs should not be null.");
    }
    NativeSignatureRunnerWrapper runner = runner(key);
    // Check every name before touching any tensor.
    for (String name : inputs.keySet()) {
      runner.checkInputName(name);
    }
    for (String name : outputs.keySet()) {
      runner.checkOutputName(name);
    }
    Map<String, Object> in = inputs;
    // One hold of the subgraph's lock from the first resize to the last copy-out: a concurrent
    // call on the same subgraph cannot slip in between and mix inputs or results.
    onSubgraph(
        runner.subgraphIndex(),
        () -> {
          runSignatureLocked(runner, in, outputs, key);
          return null;
        });
  }

  private void runSignatureLocked(
      NativeSignatureRunnerWrapper runner,
      Map<String, Object> inputs,
      Map<String, Object> outputs,
      String key) {
    for (Map.Entry<String, Object> input : inputs.entrySet()) {
      TensorImpl tensor = runner.getInputTensor(input.getKey());
      int[] newShape = tensor.getInputShapeIfDifferent(input.getValue());
      if (newShape != null) {
        try {
          runner.resizeInput(input.getKey(), newShape, false);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              String.format(
                  "Tensor passed for input '%s' of signature '%s' has different shape than"
                      + " expected",
                  input.getKey(), key),
              e);
        }
      }
    }
    runner.allocateTensorsIfNeeded();
    for (Map.Entry<String, Object> input : inputs.entrySet()) {
      runner.getInputTensor(input.getKey()).setTo(input.getValue());
    }
    long start = System.nanoTime();
    runner.invoke();
    long duration = System.nanoTime() - start;
    for (Map.Entry<String, Object> output : outputs.entrySet()) {
      if (output.getValue() != null) {
        runner.getOutputTensor(output.getKey()).copyTo(output.getValue());
      }
    }
    inferenceDurationNanoseconds = duration;
  }

  // ---- Lifetime ------------------------------------------------------------------------------

  /**
   * Frees the runners, then the interpreter, then the model. Waits for running calls; idempotent.
   */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      synchronized (state) {
        for (NativeSignatureRunnerWrapper r : runners.values()) {
          r.close();
        }
        runners.clear();
      }
      synchronized (cancelLock) {
        interpreterHandle = 0;
      }
      if (cleanable != null) {
        cleanable.clean(); // frees the runners, the interpreter and the model, once
      }
      synchronized (state) {
        inputTensors = new TensorImpl[0];
        outputTensors = new TensorImpl[0];
        inputsIndexes = null;
        outputsIndexes = null;
      }
      isMemoryAllocated = false;
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  // ---- Native ----------------------------------------------------------------------------------

  private static native long createModelFromFile(byte[] path);

  private static native long createModelFromDirectBuffer(ByteBuffer buffer);

  private static native long createModelFromArray(byte[] bytes);

  private static native void deleteModel(long modelHandle);

  private static native long createInterpreter(
      long modelHandle, int numThreads, boolean cancellable);

  private static native void deleteInterpreter(long interpreterHandle);

  private static native int getInputCount(long interpreterHandle);

  private static native int getOutputCount(long interpreterHandle);

  private static native int getInputTensorIndex(long interpreterHandle, int inputIndex);

  private static native int getOutputTensorIndex(long interpreterHandle, int outputIndex);

  private static native boolean resizeInput(
      long interpreterHandle, int inputIndex, int[] dims, boolean strict);

  private static native void allocateTensors(long interpreterHandle);

  private static native void invoke(long interpreterHandle);

  private static native void cancel(long interpreterHandle);

  private static native byte[][] getSignatureKeys(long interpreterHandle);

  private static native void resetVariableTensors(long interpreterHandle);

  private static native void reset(long interpreterHandle);
}
