package org.pylite;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One signature of an interpreter: its runner handle, sorted input/output names and tensors.
 *
 * <p>Owned by a {@link NativeInterpreterWrapper}, which closes it before the interpreter. Callers
 * hold the interpreter open and the lock of this runner's subgraph, which guards the tensor caches
 * below (the names and the subgraph index never change).
 */
final class NativeSignatureRunnerWrapper {
  static {
    PyliteNative.init();
  }

  private final NativeInterpreterWrapper owner;
  private final String key;
  private final int subgraphIndex;
  private final String[] inputNames;
  private final String[] outputNames;
  private final Map<String, TensorImpl> inputTensors = new HashMap<>();
  private final Map<String, TensorImpl> outputTensors = new HashMap<>();
  private long handle;

  NativeSignatureRunnerWrapper(NativeInterpreterWrapper owner, String key) {
    this.owner = owner;
    this.key = key;
    this.handle = create(owner.handle(), PyliteNative.utf8(key));
    owner.handles().addRunner(handle);
    try {
      this.subgraphIndex = subgraphIndex(handle);
      this.inputNames = PyliteNative.strings(inputNames(handle));
      this.outputNames = PyliteNative.strings(outputNames(handle));
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private long handle() {
    owner.handle(); // throws once the interpreter is closed
    if (handle == 0) {
      throw new IllegalStateException("Internal error: The signature runner has been closed.");
    }
    return handle;
  }

  String key() {
    return key;
  }

  int subgraphIndex() {
    return subgraphIndex;
  }

  String[] inputNames() {
    return inputNames.clone();
  }

  String[] outputNames() {
    return outputNames.clone();
  }

  void checkInputName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("Invalid input tensor name provided (null)");
    }
    if (!Arrays.asList(inputNames).contains(name)) {
      throw new IllegalArgumentException(
          "Input error: input "
              + name
              + " not found. Inputs of signature "
              + key
              + ": "
              + Arrays.toString(inputNames));
    }
  }

  void checkOutputName(String name) {
    if (name == null) {
      throw new IllegalArgumentException("Invalid output tensor name provided (null)");
    }
    if (!Arrays.asList(outputNames).contains(name)) {
      throw new IllegalArgumentException(
          "Input error: output "
              + name
              + " not found. Outputs of signature "
              + key
              + ": "
              + Arrays.toString(outputNames));
    }
  }

  TensorImpl getInputTensor(String name) {
    checkInputName(name);
    TensorImpl t = inputTensors.get(name);
    if (t == null) {
      t = TensorImpl.of(owner, subgraphIndex, inputTensorIndex(handle(), PyliteNative.utf8(name)));
      inputTensors.put(name, t);
    }
    return t;
  }

  TensorImpl getOutputTensor(String name) {
    checkOutputName(name);
    TensorImpl t = outputTensors.get(name);
    if (t == null) {
      t = TensorImpl.of(owner, subgraphIndex, outputTensorIndex(handle(), PyliteNative.utf8(name)));
      outputTensors.put(name, t);
    }
    return t;
  }

  /** Resizes an input; returns whether its shape changed. */
  boolean resizeInput(String name, int[] dims, boolean strict) {
    checkInputName(name);
    if (dims == null) {
      throw new IllegalArgumentException("Input error: dims should not be null.");
    }
    boolean changed = resizeInput(handle(), PyliteNative.utf8(name), dims, strict);
    if (changed && subgraphIndex == 0) {
      // The interpreter's own view of subgraph 0 now needs allocation too.
      owner.markNeedsAllocation();
    }
    return changed;
  }

  void allocateTensorsIfNeeded() {
    long h = handle();
    if (!isReady(h)) {
      allocateTensors(h);
    }
  }

  void invoke() {
    invoke(handle());
  }

  void close() {
    if (handle != 0) {
      owner.handles().deleteRunner(handle);
      handle = 0;
    }
    inputTensors.clear();
    outputTensors.clear();
  }

  private static native long create(long interpreterHandle, byte[] key);

  private static native void delete(long runnerHandle);

  /** Frees a runner handle (used by {@link NativeInterpreterWrapper.Handles} only). */
  static void deleteNative(long runnerHandle) {
    delete(runnerHandle);
  }

  private static native int subgraphIndex(long runnerHandle);

  private static native byte[][] inputNames(long runnerHandle);

  private static native byte[][] outputNames(long runnerHandle);

  private static native int inputTensorIndex(long runnerHandle, byte[] name);

  private static native int outputTensorIndex(long runnerHandle, byte[] name);

  private static native boolean resizeInput(
      long runnerHandle, byte[] name, int[] dims, boolean strict);

  private static native boolean isReady(long runnerHandle);

  private static native void allocateTensors(long runnerHandle);

  private static native void invoke(long runnerHandle);
}
