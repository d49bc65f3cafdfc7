package org.pylite;

import java.nio.ByteBuffer;

/**
 * A tensor of an {@link Interpreter}: its type, shape and data.
 *
 * <p>A Tensor stays tied to its interpreter: once the interpreter is closed every method throws
 * {@link IllegalStateException}. The shape is read from the interpreter on each call, so it
 * follows resizes and dynamically shaped outputs.
 */
public interface Tensor {

  /** Per-tensor affine quantization: {@code real = scale * (quantized - zeroPoint)}. */
  class QuantizationParams {
    private final float scale;
    private final int zeroPoint;

    public QuantizationParams(final float scale, final int zeroPoint) {
      this.scale = scale;
      this.zeroPoint = zeroPoint;
    }

    public float getScale() {
      return scale;
    }

    public int getZeroPoint() {
      return zeroPoint;
    }
  }

  /** The element type. */
  DataType dataType();

  /** The rank: 0 for a scalar. */
  int numDimensions();

  /** The size of the data in bytes (for STRING tensors, of the encoded string buffer). */
  int numBytes();

  /** The number of elements: the product of the shape. */
  int numElements();

  /** The current shape. */
  int[] shape();

  /** The shape as declared by the model, with -1 for dimensions of unknown size. */
  int[] shapeSignature();

  /** The index of the tensor within its subgraph. */
  int index();

  /** The tensor's name in the model. */
  String name();

  /** Scale and zero point (0 and 0 when the tensor is not quantized). */
  QuantizationParams quantizationParams();

  /**
   * A read-only snapshot of the tensor's bytes, in native byte order.
   *
   * <p>Unlike TFLite, which returns a view of native memory that dangles once the interpreter
   * reallocates or closes, this is a copy taken at the time of the call, so it stays valid.
   */
  ByteBuffer asReadOnlyBuffer();
}
