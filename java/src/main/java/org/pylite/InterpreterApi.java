package org.pylite;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The interface of a model interpreter, as TFLite's {@code org.tensorflow.lite.InterpreterApi}.
 *
 * <p>Not thread-safe: use one interpreter per thread (a concurrent {@link #close()} waits for a
 * running inference rather than crashing).
 */
public interface InterpreterApi extends AutoCloseable {

  /** Options for building an interpreter. */
  class Options {
    int numThreads = -1;
    boolean cancellable;
    Boolean useXNNPACK;

    public Options() {}

    public Options(Options other) {
      this.numThreads = other.numThreads;
      this.cancellable = other.cancellable;
      this.useXNNPACK = other.useXNNPACK;
    }

    /**
     * Number of threads for the kernels that support threading; -1 (the default) lets the
     * library choose. Values below 1 other than -1 are rejected when the interpreter is built.
     */
    public Options setNumThreads(int numThreads) {
      this.numThreads = numThreads;
      return this;
    }

    public int getNumThreads() {
      return numThreads;
    }

    /** Allows {@link Interpreter#setCancelled(boolean)}. */
    public Options setCancellable(boolean allow) {
      this.cancellable = allow;
      return this;
    }

    public boolean isCancellable() {
      return cancellable;
    }

    /** Accepted for compatibility; pylite's kernels are its own and this has no effect. */
    public Options setUseXNNPACK(boolean useXNNPACK) {
      this.useXNNPACK = useXNNPACK;
      return this;
    }

    public boolean getUseXNNPACK() {
      return useXNNPACK == null || useXNNPACK;
    }
  }

  /** An interpreter for the model file. */
  static InterpreterApi create(File modelFile, Options options) {
    return new Interpreter(modelFile, options);
  }

  /** An interpreter for the model bytes (a direct or MappedByteBuffer, or any ByteBuffer). */
  static InterpreterApi create(ByteBuffer byteBuffer, Options options) {
    return new Interpreter(byteBuffer, options);
  }

  void run(Object input, Object output);

  void runForMultipleInputsOutputs(Object[] inputs, Map<Integer, Object> outputs);

  void allocateTensors();

  void resizeInput(int idx, int[] dims);

  void resizeInput(int idx, int[] dims, boolean strict);

  int getInputTensorCount();

  int getInputIndex(String opName);

  Tensor getInputTensor(int inputIndex);

  int getOutputTensorCount();

  int getOutputIndex(String opName);

  Tensor getOutputTensor(int outputIndex);

  Long getLastNativeInferenceDurationNanoseconds();

  @Override
  void close();
}
