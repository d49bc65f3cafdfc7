package org.pylite;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs a TensorFlow Lite model with pylite: the API of {@code org.tensorflow.lite.Interpreter}.
 *
 * <pre>{@code
 * try (Interpreter interpreter = new Interpreter(new File("model.tflite"))) {
 *   Map<String, Object> inputs = new HashMap<>();
 *   inputs.put("x", new float[] {1, 2, 3});
 *   Map<String, Object> outputs = new HashMap<>();
 *   String[] encoded = new String[3];
 *   outputs.put("encoded_result", encoded);
 *   interpreter.runSignature(inputs, outputs, "encode");
 * }
 * }</pre>
 *
 * <p>Errors: bad arguments (unknown names or keys, wrong types or shapes, a model that is not a
 * valid TFLite file) throw {@link IllegalArgumentException}; failures of the runtime (allocation,
 * a kernel failing) and any use after {@link #close()} throw {@link IllegalStateException}, with
 * the message reported by the C core.
 *
 * <p>Threads (pylite extension; TFLite's Interpreter is not thread-safe): an interpreter may be
 * shared by threads. {@link #runSignature} calls on signatures of different subgraphs run at the
 * same time; calls that touch the same subgraph (the same signature, {@link #run} and the other
 * subgraph-0 methods, and the {@link Tensor} methods of its tensors) take turns, each holding the
 * subgraph from its first resize to its last output copy, so results never mix. Give each thread
 * its own output objects and read results from them: a tensor read afterwards through {@link
 * #getOutputTensorFromSignature} may already hold the next call's result. {@link #close()} waits
 * for running calls, and any call after it throws IllegalStateException. {@link
 * #resetVariableTensors()} and {@link #reset()} run alone. Signatures that share state (resource
 * variables) see each other's updates in whatever order the calls happen to run.
 */
public final class Interpreter implements InterpreterApi {

  /** Options for an {@link Interpreter}. */
  public static class Options extends InterpreterApi.Options {
    public Options() {}

    public Options(InterpreterApi.Options other) {
      super(other);
    }

    @Override
    public Options setNumThreads(int numThreads) {
      super.setNumThreads(numThreads);
      return this;
    }

    @Override
    public Options setCancellable(boolean allow) {
      super.setCancellable(allow);
      return this;
    }

    @Override
    public Options setUseXNNPACK(boolean useXNNPACK) {
      super.setUseXNNPACK(useXNNPACK);
      return this;
    }
  }

  private volatile NativeInterpreterWrapper wrapper;

  /** An interpreter for a model file. */
  public Interpreter(File modelFile) {
    this(modelFile, null);
  }

  public Interpreter(File modelFile, InterpreterApi.Options options) {
    if (modelFile == null) {
      throw new IllegalArgumentException("Input error: model file should not be null.");
    }
    wrapper = new NativeInterpreterWrapper(modelFile.getAbsolutePath(), options);
  }

  /**
   * An interpreter for model bytes: a direct ByteBuffer or MappedByteBuffer (as in TFLite), or a
   * heap ByteBuffer. The bytes from index 0 to the capacity are copied, so the buffer may be
   * reused afterwards.
   */
  public Interpreter(ByteBuffer byteBuffer) {
    this(byteBuffer, null);
  }

  public Interpreter(ByteBuffer byteBuffer, InterpreterApi.Options options) {
    wrapper = new NativeInterpreterWrapper(byteBuffer, options);
  }

  NativeInterpreterWrapper wrapper() {
    NativeInterpreterWrapper w = wrapper;
    if (w == null || w.isClosed()) {
      throw new IllegalStateException(NativeInterpreterWrapper.CLOSED_MESSAGE);
    }
    return w;
  }

  /** Runs a model with one input and one output ({@code output} may be null to skip it). */
  @Override
  public void run(Object input, Object output) {
    Object[] inputs = {input};
    Map<Integer, Object> outputs = new HashMap<>();
    outputs.put(0, output);
    runForMultipleInputsOutputs(inputs, outputs);
  }

  /**
   * Runs subgraph 0. Inputs are given by position; an array input whose shape differs from the
   * tensor's resizes the tensor (non-strict) first. Outputs are copied into the given arrays (of
   * exactly the output's shape) or Buffers (with room enough), by output index.
   */
  @Override
  public void runForMultipleInputsOutputs(Object[] inputs, Map<Integer, Object> outputs) {
    wrapper().run(inputs, outputs);
  }

  /** Runs the signature with a single key; fails if the model has zero or several. */
  public void runSignature(Map<String, Object> inputs, Map<String, Object> outputs) {
    runSignature(inputs, outputs, null);
  }

  /**
   * Runs signature {@code signatureKey} with inputs and outputs named as in the signature. Inputs
   * of another shape are resized (non-strict). Null output values are skipped; an empty outputs
   * map is allowed (read the results with {@link #getOutputTensorFromSignature}).
   */
  public void runSignature(
      Map<String, Object> inputs, Map<String, Object> outputs, String signatureKey) {
    wrapper().runSignature(inputs, outputs, signatureKey, false);
  }

  /**
   * pylite extension: {@link #runSignature(Map, Map, String)}, except that {@code inputs} may be
   * null or empty and may leave inputs out. Inputs not given keep whatever their tensors hold
   * (for instance what the previous run wrote). This runs signatures that have no
   * inputs, which TFLite's Java API cannot (its runSignature requires at least one input).
   */
  public void invokeSignature(
      Map<String, Object> inputs, Map<String, Object> outputs, String signatureKey) {
    wrapper().runSignature(inputs, outputs, signatureKey, true);
  }

  /** The signature keys, in model order. */
  public String[] getSignatureKeys() {
    return wrapper().getSignatureKeys();
  }

  /** The input names of a signature, sorted. */
  public String[] getSignatureInputs(String signatureKey) {
    return wrapper().getSignatureInputs(signatureKey);
  }

  /** The output names of a signature, sorted. */
  public String[] getSignatureOutputs(String signatureKey) {
    return wrapper().getSignatureOutputs(signatureKey);
  }

  public Tensor getInputTensorFromSignature(String inputName, String signatureKey) {
    return wrapper().getInputTensorFromSignature(inputName, signatureKey);
  }

  public Tensor getOutputTensorFromSignature(String outputName, String signatureKey) {
    return wrapper().getOutputTensorFromSignature(outputName, signatureKey);
  }

  @Override
  public void allocateTensors() {
    wrapper().allocateTensors();
  }

  @Override
  public void resizeInput(int idx, int[] dims) {
    wrapper().resizeInput(idx, dims, false);
  }

  /**
   * Resizes input {@code idx}. With {@code strict}, only dimensions that are -1 in the shape
   * signature may change.
   */
  @Override
  public void resizeInput(int idx, int[] dims, boolean strict) {
    wrapper().resizeInput(idx, dims, strict);
  }

  @Override
  public int getInputTensorCount() {
    return wrapper().getInputTensorCount();
  }

  @Override
  public int getInputIndex(String opName) {
    return wrapper().getInputIndex(opName);
  }

  @Override
  public Tensor getInputTensor(int inputIndex) {
    return wrapper().getInputTensor(inputIndex);
  }

  @Override
  public int getOutputTensorCount() {
    return wrapper().getOutputTensorCount();
  }

  @Override
  public int getOutputIndex(String opName) {
    return wrapper().getOutputIndex(opName);
  }

  /**
   * Output {@code outputIndex}. Its shape may only be final after a run, for outputs whose size
   * depends on the input.
   */
  @Override
  public Tensor getOutputTensor(int outputIndex) {
    return wrapper().getOutputTensor(outputIndex);
  }

  /** Duration of the last successful inference, or null if none succeeded yet. */
  @Override
  public Long getLastNativeInferenceDurationNanoseconds() {
    return wrapper().getLastNativeInferenceDurationNanoseconds();
  }

  /**
   * Sets every variable tensor to zero (INT8 ones to their zero point), as TFLite does. A no-op
   * for models without variable tensors.
   */
  public void resetVariableTensors() {
    wrapper().resetVariableTensors();
  }

  /**
   * pylite extension: returns the interpreter to its freshly-initialized state. Beyond {@link
   * #resetVariableTensors()}, forgets every resource variable (the {@code tf.Variable} state that
   * signatures share) and lets the model's initialization subgraph run again before the next
   * signature run. TFLite has no equivalent.
   */
  public void reset() {
    wrapper().reset();
  }

  /**
   * With {@code true}, asks a running inference to stop at its next operation; it then fails with
   * IllegalStateException. Requires {@link Options#setCancellable(boolean)}. Unlike TFLite, the
   * request is not sticky: it affects only the inference running at that moment, so {@code false}
   * has nothing to undo.
   */
  public void setCancelled(boolean cancelled) {
    NativeInterpreterWrapper w = wrapper();
    if (!w.isCancellableFlag()) {
      throw new IllegalStateException(
          "Cannot cancel the inference. Have you called InterpreterApi.Options.setCancellable?");
    }
    if (cancelled) {
      w.cancel();
    }
  }

  /** Frees the native interpreter and model. Idempotent; any later call throws. */
  @Override
  public void close() {
    NativeInterpreterWrapper w = wrapper;
    if (w != null) {
      w.close();
      wrapper = null;
    }
  }
}
