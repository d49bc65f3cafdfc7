package org.pylite;

import java.lang.reflect.Array;
import java.nio.Buffer;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A tensor named by (interpreter, subgraph, tensor index), resolved natively on every call.
 *
 * <p>All conversions between Java objects and tensor memory happen here, in Java, through a
 * short-lived direct ByteBuffer over the tensor's bytes whose capacity is the tensor's byte size:
 * a wrong size can raise an exception but never write outside the tensor. Every method enters the
 * interpreter for the tensor's subgraph ({@link NativeInterpreterWrapper#enter}): a concurrent
 * {@code close()} waits instead of freeing memory under us, and a run of the same subgraph cannot
 * reallocate the tensor in the middle of a copy.
 */
final class TensorImpl implements Tensor {
  static {
    PyliteNative.init();
  }

  private final NativeInterpreterWrapper owner;
  private final int subgraph;
  private final int tensorIndex;
  private final DataType dtype;

  private TensorImpl(NativeInterpreterWrapper owner, int subgraph, int tensorIndex, DataType t) {
    this.owner = owner;
    this.subgraph = subgraph;
    this.tensorIndex = tensorIndex;
    this.dtype = t;
  }

  /** The tensor; IllegalArgumentException if its C type has no Java counterpart. */
  static TensorImpl of(NativeInterpreterWrapper owner, int subgraph, int tensorIndex) {
    owner.enter(subgraph);
    try {
      DataType t = DataType.fromC(dtype(owner.handle(), subgraph, tensorIndex));
      return new TensorImpl(owner, subgraph, tensorIndex, t);
    } finally {
      owner.exit(subgraph);
    }
  }

  private long handle() {
    return owner.handle();
  }

  // ---- Metadata ------------------------------------------------------------------------------

  @Override
  public DataType dataType() {
    owner.enter(subgraph);
    try {
      handle();
      return dtype;
    } finally {
      owner.exit(subgraph);
    }
  }

  @Override
  public int numDimensions() {
    return shape().length;
  }

  @Override
  public int numBytes() {
    owner.enter(subgraph);
    try {
      long n = numBytes(handle(), subgraph, tensorIndex);
      if (n < 0 || n > Integer.MAX_VALUE) {
        throw new IllegalStateException(
            "Internal error: Tensor " + name() + " has " + n + " bytes, more than Java can hold.");
      }
      return (int) n;
    } finally {
      owner.exit(subgraph);
    }
  }

  @Override
  public int numElements() {
    return computeNumElements(shape());
  }

  @Override
  public int[] shape() {
    owner.enter(subgraph);
    try {
      return shape(handle(), subgraph, tensorIndex);
    } finally {
      owner.exit(subgraph);
    }
  }

  @Override
  public int[] shapeSignature() {
    owner.enter(subgraph);
    try {
      return shapeSignature(handle(), subgraph, tensorIndex);
    } finally {
      owner.exit(subgraph);
    }
  }

  @Override
  public int index() {
    owner.enter(subgraph);
    try {
      handle();
      return tensorIndex;
    } finally {
      owner.exit(subgraph);
    }
  }

  @Override
  public String name() {
    owner.enter(subgraph);
    try {
      return PyliteNative.string(name(handle(), subgraph, tensorIndex));
    } finally {
      owner.exit(subgraph);
    }
  }

  @Override
  public QuantizationParams quantizationParams() {
    owner.enter(subgraph);
    try {
      long h = handle();
      return new QuantizationParams(
          scale(h, subgraph, tensorIndex), zeroPoint(h, subgraph, tensorIndex));
    } finally {
      owner.exit(subgraph);
    }
  }

  @Override
  public ByteBuffer asReadOnlyBuffer() {
    owner.enter(subgraph);
    try {
      int n = numBytes();
      ByteBuffer copy = ByteBuffer.allocate(n);
      if (n > 0) {
        copy.put(view());
        copy.rewind();
      }
      return copy.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    } finally {
      owner.exit(subgraph);
    }
  }

  @Override
  public String toString() {
    return "Tensor(" + subgraph + ":" + tensorIndex + ")";
  }

  int subgraph() {
    return subgraph;
  }

  /** A fresh native-order view of the tensor's memory; valid until the next allocation. */
  private ByteBuffer view() {
    return buffer(handle(), subgraph, tensorIndex).order(ByteOrder.nativeOrder());
  }

  static int computeNumElements(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
      if (n > Integer.MAX_VALUE || n < 0) {
        throw new IllegalStateException(
            "Internal error: Tensor shape " + Arrays.toString(shape) + " is too large for Java.");
      }
    }
    return (int) n;
  }

  // ---- Writing inputs ------------------------------------------------------------------------

  /**
   * The shape of {@code input} if it is an array whose shape differs from the tensor's (the caller
   * then resizes), else null. Buffers never cause a resize.
   */
  int[] getInputShapeIfDifferent(Object input) {
    owner.enter(subgraph);
    try {
      if (input == null || input instanceof Buffer) {
        return null;
      }
      throwIfTypeIsIncompatible(input);
      int[] inputShape = computeShapeOf(input);
      return Arrays.equals(shape(), inputShape) ? null : inputShape;
    } finally {
      owner.exit(subgraph);
    }
  }

  /** Copies {@code src} (array, boxed scalar, String or Buffer) into the tensor. */
  void setTo(Object src) {
    owner.enter(subgraph);
    try {
      if (src == null) {
        throw new IllegalArgumentException(
            "Null inputs are allowed only if the Tensor is bound to a buffer handle.");
      }
      throwIfTypeIsIncompatible(src);
      int[] shape = shape();
      if (src instanceof Buffer) {
        writeBuffer((Buffer) src);
        return;
      }
      int[] srcShape = computeShapeOf(src);
      if (!Arrays.equals(srcShape, shape)) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot copy to a TensorFlowLite tensor (%s) with shape %s from a Java object with"
                    + " shape %s.",
                name(), Arrays.toString(shape), Arrays.toString(srcShape)));
      }
      if (dtype == DataType.STRING) {
        byte[][] strings = new byte[computeNumElements(shape)][];
        int n = flattenStrings(src, shape.length, strings, 0);
        if (n != strings.length) {
          throw new IllegalStateException("Internal error: string count mismatch");
        }
        writeStrings(handle(), subgraph, tensorIndex, strings);
      } else if (src.getClass().isArray()) {
        writeArray(src, shape.length);
      } else {
        writeScalar(src);
      }
    } finally {
      owner.exit(subgraph);
    }
  }

  private void writeBuffer(Buffer src) {
    if (dtype == DataType.STRING) {
      throw new IllegalArgumentException(
          "Cannot copy a Java Buffer to a TensorFlowLite tensor ("
              + name()
              + ") of type STRING; use a String[] or byte[][] instead.");
    }
    int bytes = numBytes();
    int srcBytes =
        src instanceof ByteBuffer ? src.capacity() : src.capacity() * dtype.byteSize();
    if (bytes != srcBytes) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot copy to a TensorFlowLite tensor (%s) with %d bytes from a Java Buffer with"
                  + " %d bytes.",
              name(), bytes, srcBytes));
    }
    if (bytes == 0) {
      return;
    }
    // The whole buffer, from index 0, as TFLite's zero-copy path reads it; the caller's position
    // is left alone.
    ByteBuffer dst = view();
    if (src instanceof ByteBuffer) {
      ByteBuffer s = ((ByteBuffer) src).duplicate();
      s.clear();
      dst.put(s);
    } else if (src instanceof FloatBuffer) {
      FloatBuffer s = ((FloatBuffer) src).duplicate();
      s.clear();
      dst.asFloatBuffer().put(s);
    } else if (src instanceof IntBuffer) {
      IntBuffer s = ((IntBuffer) src).duplicate();
      s.clear();
      dst.asIntBuffer().put(s);
    } else if (src instanceof LongBuffer) {
      LongBuffer s = ((LongBuffer) src).duplicate();
      s.clear();
      dst.asLongBuffer().put(s);
    } else if (src instanceof ShortBuffer) {
      ShortBuffer s = ((ShortBuffer) src).duplicate();
      s.clear();
      dst.asShortBuffer().put(s);
    } else if (src instanceof DoubleBuffer) {
      DoubleBuffer s = ((DoubleBuffer) src).duplicate();
      s.clear();
      dst.asDoubleBuffer().put(s);
    } else if (src instanceof CharBuffer) {
      CharBuffer s = ((CharBuffer) src).duplicate();
      s.clear();
      dst.asCharBuffer().put(s);
    } else {
      throw new IllegalArgumentException(
          "DataType error: cannot resolve DataType of " + src.getClass().getName());
    }
  }

  private void writeArray(Object src, int rank) {
    ByteBuffer dst = view();
    Buffer typed = typedView(dst, innermostComponent(src.getClass()));
    try {
      putArray(src, rank, typed);
    } catch (BufferOverflowException e) {
      throw new IllegalStateException(
          "Internal error: Tensor " + name() + " holds fewer bytes than its shape needs.", e);
    }
  }

  private static Buffer typedView(ByteBuffer b, Class<?> component) {
    if (component == float.class) {
      return b.asFloatBuffer();
    } else if (component == int.class) {
      return b.asIntBuffer();
    } else if (component == long.class) {
      return b.asLongBuffer();
    } else if (component == short.class) {
      return b.asShortBuffer();
    } else if (component == double.class) {
      return b.asDoubleBuffer();
    } else if (component == char.class) {
      return b.asCharBuffer();
    }
    return b; // byte and boolean
  }

  private static void putArray(Object arr, int depth, Buffer dst) {
    if (depth > 1) {
      for (Object row : (Object[]) arr) {
        putArray(row, depth - 1, dst);
      }
      return;
    }
    if (arr instanceof float[]) {
      ((FloatBuffer) dst).put((float[]) arr);
    } else if (arr instanceof int[]) {
      ((IntBuffer) dst).put((int[]) arr);
    } else if (arr instanceof long[]) {
      ((LongBuffer) dst).put((long[]) arr);
    } else if (arr instanceof short[]) {
      ((ShortBuffer) dst).put((short[]) arr);
    } else if (arr instanceof double[]) {
      ((DoubleBuffer) dst).put((double[]) arr);
    } else if (arr instanceof char[]) {
      ((CharBuffer) dst).put((char[]) arr);
    } else if (arr instanceof byte[]) {
      ((ByteBuffer) dst).put((byte[]) arr);
    } else if (arr instanceof boolean[]) {
      ByteBuffer b = (ByteBuffer) dst;
      for (boolean v : (boolean[]) arr) {
        b.put(v ? (byte) 1 : (byte) 0);
      }
    } else {
      throw new IllegalArgumentException(
          "DataType error: cannot resolve DataType of " + arr.getClass().getName());
    }
  }

  private void writeScalar(Object src) {
    ByteBuffer dst = view();
    int need = src instanceof Boolean || src instanceof Byte ? 1 : dtype.byteSize();
    if (dst.capacity() != need) {
      throw new IllegalStateException(
          String.format(
              "Scalar (%d bytes) not compatible with allocated tensor (%d bytes)",
              need, dst.capacity()));
    }
    if (src instanceof Float) {
      dst.putFloat(0, (Float) src);
    } else if (src instanceof Integer) {
      dst.putInt(0, (Integer) src);
    } else if (src instanceof Long) {
      dst.putLong(0, (Long) src);
    } else if (src instanceof Short) {
      dst.putShort(0, (Short) src);
    } else if (src instanceof Double) {
      dst.putDouble(0, (Double) src);
    } else if (src instanceof Character) {
      dst.putChar(0, (Character) src);
    } else if (src instanceof Byte) {
      dst.put(0, (Byte) src);
    } else if (src instanceof Boolean) {
      dst.put(0, ((Boolean) src) ? (byte) 1 : (byte) 0);
    } else {
      throw new IllegalArgumentException(
          "DataType error: cannot resolve DataType of " + src.getClass().getName());
    }
  }

  /** Writes the strings of {@code src} (row-major) into {@code out} from {@code at}. */
  private static int flattenStrings(Object src, int depth, byte[][] out, int at) {
    if (depth == 0) {
      if (src instanceof String) {
        out[at] = ((String) src).getBytes(StandardCharsets.UTF_8);
      } else if (src instanceof byte[]) {
        out[at] = (byte[]) src;
      } else if (src == null) {
        throw new IllegalArgumentException("Input error: a string element is null.");
      } else {
        throw new IllegalArgumentException(
            "DataType error: cannot resolve DataType of " + src.getClass().getName());
      }
      return at + 1;
    }
    for (Object row : (Object[]) src) {
      at = flattenStrings(row, depth - 1, out, at);
    }
    return at;
  }

  // ---- Reading outputs -----------------------------------------------------------------------

  /**
   * Copies the tensor into {@code dst}: an array of exactly its shape, or a large enough Buffer.
   */
  void copyTo(Object dst) {
    owner.enter(subgraph);
    try {
      if (dst == null) {
        throw new IllegalArgumentException(
            "Null outputs are allowed only if the Tensor is bound to a buffer handle.");
      }
      throwIfTypeIsIncompatible(dst);
      if (dst instanceof Buffer) {
        readBuffer((Buffer) dst);
        return;
      }
      int[] shape = shape();
      int[] dstShape = computeShapeOf(dst);
      if (!Arrays.equals(dstShape, shape)) {
        throw new IllegalArgumentException(
            String.format(
                "Cannot copy from a TensorFlowLite tensor (%s) with shape %s to a Java object with"
                    + " shape %s.",
                name(), Arrays.toString(shape), Arrays.toString(dstShape)));
      }
      if (shape.length == 0) {
        throw new IllegalArgumentException("Internal error: Cannot copy empty/scalar Tensors.");
      }
      if (dtype == DataType.STRING) {
        byte[][] strings = readStrings(handle(), subgraph, tensorIndex);
        if (strings.length != computeNumElements(shape)) {
          throw new IllegalStateException(
              String.format(
                  "Internal error: Tensor %s holds %d strings but its shape %s needs %d.",
                  name(), strings.length, Arrays.toString(shape), computeNumElements(shape)));
        }
        fillStrings(dst, shape.length, strings, 0);
        return;
      }
      ByteBuffer src = view();
      Buffer typed = typedView(src, innermostComponent(dst.getClass()));
      try {
        getArray(dst, shape.length, typed);
      } catch (java.nio.BufferUnderflowException e) {
        throw new IllegalStateException(
            "Internal error: Tensor " + name() + " holds fewer bytes than its shape needs.", e);
      }
    } finally {
      owner.exit(subgraph);
    }
  }

  private void readBuffer(Buffer dst) {
    int bytes = numBytes();
    int dstBytes =
        dst instanceof ByteBuffer ? dst.capacity() : dst.capacity() * dtype.byteSize();
    if (bytes > dstBytes) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot copy from a TensorFlowLite tensor (%s) with %d bytes to a Java Buffer with"
                  + " %d bytes.",
              name(), bytes, dstBytes));
    }
    if (bytes == 0) {
      return;
    }
    ByteBuffer src = view();
    try {
      if (dst instanceof ByteBuffer) {
        ((ByteBuffer) dst).put(src);
      } else if (dst instanceof FloatBuffer) {
        ((FloatBuffer) dst).put(src.asFloatBuffer());
      } else if (dst instanceof IntBuffer) {
        ((IntBuffer) dst).put(src.asIntBuffer());
      } else if (dst instanceof LongBuffer) {
        ((LongBuffer) dst).put(src.asLongBuffer());
      } else if (dst instanceof ShortBuffer) {
        ((ShortBuffer) dst).put(src.asShortBuffer());
      } else if (dst instanceof DoubleBuffer) {
        ((DoubleBuffer) dst).put(src.asDoubleBuffer());
      } else if (dst instanceof CharBuffer) {
        ((CharBuffer) dst).put(src.asCharBuffer());
      } else {
        throw new IllegalArgumentException(
            "DataType error: cannot resolve DataType of " + dst.getClass().getName());
      }
    } catch (BufferOverflowException e) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot copy from a TensorFlowLite tensor (%s) with %d bytes to a Java Buffer with"
                  + " %d bytes remaining.",
              name(),
              bytes,
              dst instanceof ByteBuffer ? dst.remaining() : dst.remaining() * dtype.byteSize()),
          e);
    } catch (java.nio.ReadOnlyBufferException e) {
      throw new IllegalArgumentException("Cannot copy to a read-only Java Buffer.", e);
    }
  }

  private static void getArray(Object arr, int depth, Buffer src) {
    if (depth > 1) {
      for (Object row : (Object[]) arr) {
        getArray(row, depth - 1, src);
      }
      return;
    }
    if (arr instanceof float[]) {
      ((FloatBuffer) src).get((float[]) arr);
    } else if (arr instanceof int[]) {
      ((IntBuffer) src).get((int[]) arr);
    } else if (arr instanceof long[]) {
      ((LongBuffer) src).get((long[]) arr);
    } else if (arr instanceof short[]) {
      ((ShortBuffer) src).get((short[]) arr);
    } else if (arr instanceof double[]) {
      ((DoubleBuffer) src).get((double[]) arr);
    } else if (arr instanceof char[]) {
      ((CharBuffer) src).get((char[]) arr);
    } else if (arr instanceof byte[]) {
      ((ByteBuffer) src).get((byte[]) arr);
    } else if (arr instanceof boolean[]) {
      boolean[] out = (boolean[]) arr;
      ByteBuffer b = (ByteBuffer) src;
      for (int i = 0; i < out.length; ++i) {
        out[i] = b.get() != 0;
      }
    } else {
      throw new IllegalArgumentException(
          "DataType error: cannot resolve DataType of " + arr.getClass().getName());
    }
  }

  /** Stores {@code strings} (row-major) into the String[] or byte[][] array {@code dst}. */
  private static int fillStrings(Object dst, int depth, byte[][] strings, int at) {
    Object[] rows = (Object[]) dst;
    if (depth == 1) {
      boolean asBytes = dst.getClass().getComponentType() == byte[].class;
      for (int i = 0; i < rows.length; ++i) {
        byte[] s = strings[at++];
        rows[i] = asBytes ? s : new String(s, StandardCharsets.UTF_8);
      }
      return at;
    }
    for (Object row : rows) {
      at = fillStrings(row, depth - 1, strings, at);
    }
    return at;
  }

  // ---- Types and shapes of Java objects ------------------------------------------------------

  private static Class<?> innermostComponent(Class<?> c) {
    while (c.isArray()) {
      c = c.getComponentType();
    }
    return c;
  }

  /**
   * The tensor type a Java object maps to (a ByteBuffer maps to any type and is not asked). Beyond
   * TFLite's mapping: double to FLOAT64 and char (unsigned 16-bit) to UINT16; the other pylite
   * types take the Java type of their width (see {@link DataType}).
   */
  DataType dataTypeOf(Object o) {
    Class<?> c = o.getClass();
    if (c.isArray()) {
      Class<?> e = innermostComponent(c);
      if (e == float.class) {
        return DataType.FLOAT32;
      } else if (e == int.class) {
        return DataType.INT32;
      } else if (e == short.class) {
        return DataType.INT16;
      } else if (e == byte.class) {
        // byte[][]... holds strings when the tensor is a STRING tensor.
        return dtype == DataType.STRING ? DataType.STRING : DataType.UINT8;
      } else if (e == long.class) {
        return DataType.INT64;
      } else if (e == boolean.class) {
        return DataType.BOOL;
      } else if (e == double.class) {
        return DataType.FLOAT64;
      } else if (e == char.class) {
        return DataType.UINT16;
      } else if (e == String.class) {
        return DataType.STRING;
      }
    } else {
      if (o instanceof Float || o instanceof FloatBuffer) {
        return DataType.FLOAT32;
      } else if (o instanceof Integer || o instanceof IntBuffer) {
        return DataType.INT32;
      } else if (o instanceof Short || o instanceof ShortBuffer) {
        return DataType.INT16;
      } else if (o instanceof Byte) {
        return DataType.UINT8;
      } else if (o instanceof Long || o instanceof LongBuffer) {
        return DataType.INT64;
      } else if (o instanceof Boolean) {
        return DataType.BOOL;
      } else if (o instanceof Double || o instanceof DoubleBuffer) {
        return DataType.FLOAT64;
      } else if (o instanceof Character || o instanceof CharBuffer) {
        return DataType.UINT16;
      } else if (o instanceof String) {
        return DataType.STRING;
      }
    }
    throw new IllegalArgumentException(
        "DataType error: cannot resolve DataType of " + o.getClass().getName());
  }

  private void throwIfTypeIsIncompatible(Object o) {
    if (o instanceof ByteBuffer) {
      return;
    }
    DataType oType = dataTypeOf(o);
    if (oType != dtype && !oType.toStringName().equals(dtype.toStringName())) {
      throw new IllegalArgumentException(
          String.format(
              "Cannot convert between a TensorFlowLite tensor with type %s and a Java object of"
                  + " type %s (which is compatible with the TensorFlowLite type %s).",
              dtype, o.getClass().getName(), oType));
    }
  }

  /**
   * The shape of a Java array (rank = array depth; for STRING tensors an innermost byte[] is one
   * element). Rejects empty, ragged and null sub-arrays.
   */
  int[] computeShapeOf(Object o) {
    Class<?> c = o.getClass();
    int rank = 0;
    while (c.isArray()) {
      ++rank;
      c = c.getComponentType();
    }
    if (dtype == DataType.STRING && c == byte.class) {
      --rank;
    }
    int[] shape = new int[rank];
    fillShape(o, 0, shape);
    return shape;
  }

  private static void fillShape(Object o, int dim, int[] shape) {
    if (dim == shape.length) {
      return;
    }
    if (o == null) {
      throw new IllegalArgumentException(
          "Input error: the Java array has a null sub-array in dimension " + dim + ".");
    }
    int len = Array.getLength(o);
    if (len == 0) {
      throw new IllegalArgumentException("Array lengths cannot be 0.");
    }
    if (shape[dim] == 0) {
      shape[dim] = len;
    } else if (shape[dim] != len) {
      throw new IllegalArgumentException(
          String.format("Mismatched lengths (%d and %d) in dimension %d", shape[dim], len, dim));
    }
    if (dim + 1 == shape.length) {
      return;
    }
    for (int i = 0; i < len; ++i) {
      fillShape(Array.get(o, i), dim + 1, shape);
    }
  }

  // ---- Native ----------------------------------------------------------------------------------

  private static native int dtype(long interpreterHandle, int subgraph, int tensorIndex);

  private static native byte[] name(long interpreterHandle, int subgraph, int tensorIndex);

  private static native int[] shape(long interpreterHandle, int subgraph, int tensorIndex);

  private static native int[] shapeSignature(
      long interpreterHandle, int subgraph, int tensorIndex);

  private static native long numBytes(long interpreterHandle, int subgraph, int tensorIndex);

  private static native float scale(long interpreterHandle, int subgraph, int tensorIndex);

  private static native int zeroPoint(long interpreterHandle, int subgraph, int tensorIndex);

  private static native ByteBuffer buffer(long interpreterHandle, int subgraph, int tensorIndex);

  private static native void writeStrings(
      long interpreterHandle, int subgraph, int tensorIndex, byte[][] strings);

  private static native byte[][] readStrings(
      long interpreterHandle, int subgraph, int tensorIndex);
}
