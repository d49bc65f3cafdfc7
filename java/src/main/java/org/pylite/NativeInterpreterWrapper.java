package org.pylite;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The native model and interpreter behind an {@link Interpreter}, and the execution logic of
 * {@code run} and {@code runSignature}.
 *
 * <p>Methods are synchronized: the interpreter is not meant to be shared between threads, but a
 * {@code close()} racing a {@code run()} waits for it instead of freeing memory in use. Only
 * {@link #cancel()} bypasses the lock, since it must reach a running invoke.
 */
final class NativeInterpreterWrapper implements AutoCloseable {
  static {
    PyliteNative.init();
  }

  static final String CLOSED_MESSAGE = "Internal error: The Interpreter has already been closed.";

  private long modelHandle;
  private volatile long interpreterHandle;
  private final Object cancelLock = new Object();
  private boolean cancellable;
  private TensorImpl[] inputTensors;
  private TensorImpl[] outputTensors;
  private String[] signatureKeys;
  private final Map<String, NativeSignatureRunnerWrapper> runners = new LinkedHashMap<>();
  private Map<String, Integer> inputsIndexes;
  private Map<String, Integer> outputsIndexes;
  private boolean isMemoryAllocated;
  private long inferenceDurationNanoseconds = -1;

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
    long interpreter;
    try {
      interpreter = createInterpreter(model, options.getNumThreads(), options.isCancellable());
    } catch (RuntimeException | Error e) {
      deleteModel(model);
      throw e;
    }
    this.modelHandle = model;
    this.interpreterHandle = interpreter;
    this.cancellable = options.isCancellable();
    try {
      this.inputTensors = new TensorImpl[getInputCount(interpreter)];
      this.outputTensors = new TensorImpl[getOutputCount(interpreter)];
      this.signatureKeys = PyliteNative.strings(getSignatureKeys(interpreter));
      // As TFLite does: allocate at construction so shapes and errors show up early.
      allocateTensors(interpreter);
      this.isMemoryAllocated = true;
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

  boolean isClosed() {
    return interpreterHandle == 0;
  }

  boolean isCancellableFlag() {
    return cancellable;
  }

  void markNeedsAllocation() {
    isMemoryAllocated = false;
  }

  // ---- Plain inputs and outputs ----------------------------------------------------------------

  synchronized int getInputTensorCount() {
    handle();
    return inputTensors.length;
  }

  synchronized int getOutputTensorCount() {
    handle();
    return outputTensors.length;
  }

  synchronized TensorImpl getInputTensor(int index) {
    long h = handle();
    if (index < 0 || index >= inputTensors.length) {
      throw new IllegalArgumentException("Invalid input Tensor index: " + index);
    }
    if (inputTensors[index] == null) {
      inputTensors[index] = TensorImpl.of(this, 0, getInputTensorIndex(h, index));
    }
    return inputTensors[index];
  }

  synchronized TensorImpl getOutputTensor(int index) {
    long h = handle();
    if (index < 0 || index >= outputTensors.length) {
      throw new IllegalArgumentException("Invalid output Tensor index: " + index);
    }
    if (outputTensors[index] == null) {
      outputTensors[index] = TensorImpl.of(this, 0, getOutputTensorIndex(h, index));
    }
    return outputTensors[index];
  }

  synchronized int getInputIndex(String name) {
    handle();
    if (inputsIndexes == null) {
      Map<String, Integer> m = new LinkedHashMap<>();
      for (int i = 0; i < inputTensors.length; ++i) {
        m.put(getInputTensor(i).name(), i);
      }
      inputsIndexes = m;
    }
    Integer i = inputsIndexes.get(name);
    if (i == null) {
      throw new IllegalArgumentException(
          String.format(
              "Input error: '%s' is not a valid name for any input. Names of inputs and their"
                  + " indexes are %s",
              name, inputsIndexes));
    }
    return i;
  }

  synchronized int getOutputIndex(String name) {
    handle();
    if (outputsIndexes == null) {
      Map<String, Integer> m = new LinkedHashMap<>();
      for (int i = 0; i < outputTensors.length; ++i) {
        m.put(getOutputTensor(i).name(), i);
      }
      outputsIndexes = m;
    }
    Integer i = outputsIndexes.get(name);
    if (i == null) {
      throw new IllegalArgumentException(
          String.format(
              "Input error: '%s' is not a valid name for any output. Names of outputs and their"
                  + " indexes are %s",
              name, outputsIndexes));
    }
    return i;
  }

  synchronized void resizeInput(int index, int[] dims, boolean strict) {
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

  synchronized void allocateTensors() {
    long h = handle();
    if (isMemoryAllocated) {
      return;
    }
    allocateTensors(h);
    isMemoryAllocated = true;
  }

  private void allocateTensorsIfNeeded() {
    if (!isMemoryAllocated) {
      allocateTensors(handle());
      isMemoryAllocated = true;
    }
  }

  synchronized void run(Object[] inputs, Map<Integer, Object> outputs) {
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
        resizeInput(i, newShape, false);
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

  synchronized Long getLastNativeInferenceDurationNanoseconds() {
    handle();
    return inferenceDurationNanoseconds < 0 ? null : inferenceDurationNanoseconds;
  }

  synchronized void resetVariableTensors() {
    resetVariableTensors(handle());
  }

  synchronized void reset() {
    reset(handle());
  }

  /** Asks a running invoke to stop; not synchronized so that it can reach one. */
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

  synchronized String[] getSignatureKeys() {
    handle();
    return signatureKeys.clone();
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

  synchronized NativeSignatureRunnerWrapper getRunner(String key) {
    handle();
    key = resolveKey(key);
    NativeSignatureRunnerWrapper r = runners.get(key);
    if (r == null) {
      if (!Arrays.asList(signatureKeys).contains(key)) {
        throw new IllegalArgumentException(
            "Input error: Signature "
                + key
                + " not found. Available Signatures: "
                + Arrays.toString(signatureKeys));
      }
      r = new NativeSignatureRunnerWrapper(this, key);
      runners.put(key, r);
    }
    return r;
  }

  synchronized String[] getSignatureInputs(String key) {
    return getRunner(key).inputNames();
  }

  synchronized String[] getSignatureOutputs(String key) {
    return getRunner(key).outputNames();
  }

  synchronized TensorImpl getInputTensorFromSignature(String name, String key) {
    return getRunner(key).getInputTensor(name);
  }

  synchronized TensorImpl getOutputTensorFromSignature(String name, String key) {
    return getRunner(key).getOutputTensor(name);
  }

  synchronized void runSignature(
      Map<String, Object> inputs, Map<String, Object> outputs, String key) {
    handle();
    inferenceDurationNanoseconds = -1;
    key = resolveKey(key);
    if (inputs == null || inputs.isEmpty()) {
      throw new IllegalArgumentException("Input error: Inputs should not be null or empty.");
    }
    if (outputs == null) {
      throw new IllegalArgumentException("Input error: Outputs should not be null.");
    }
    NativeSignatureRunnerWrapper runner = getRunner(key);
    // Check every name before touching any tensor.
    for (String name : inputs.keySet()) {
      runner.checkInputName(name);
    }
    for (String name : outputs.keySet()) {
      runner.checkOutputName(name);
    }
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

  /** Frees the runners, then the interpreter, then the model. Idempotent. */
  @Override
  public synchronized void close() {
    for (NativeSignatureRunnerWrapper r : runners.values()) {
      r.close();
    }
    runners.clear();
    long h;
    synchronized (cancelLock) {
      h = interpreterHandle;
      interpreterHandle = 0;
    }
    if (h != 0) {
      deleteInterpreter(h);
    }
    if (modelHandle != 0) {
      deleteModel(modelHandle);
      modelHandle = 0;
    }
    inputTensors = new TensorImpl[0];
    outputTensors = new TensorImpl[0];
    inputsIndexes = null;
    outputsIndexes = null;
    isMemoryAllocated = false;
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
