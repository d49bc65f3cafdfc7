package org.pylite;

/**
 * Element types of tensors that Java can read and write, with TFLite's C enum values.
 *
 * <p>The first eight constants are TFLite's Java {@code DataType}, in its order. The rest are a
 * pylite extension for the other fixed-size types pylite's kernels use; TFLite's Java API does
 * not have them. How Java objects map to them:
 *
 * <ul>
 *   <li>{@link #FLOAT64}: {@code double[]} arrays of any rank, {@code Double} scalars and {@code
 *       DoubleBuffer}.
 *   <li>{@link #UINT16}: {@code char[]} arrays (Java's unsigned 16-bit type), {@code Character}
 *       and {@code CharBuffer}; also {@code short[]} / {@code Short} / {@code ShortBuffer} holding
 *       the same bits.
 *   <li>{@link #FLOAT16} and {@link #BFLOAT16}: the raw 16-bit patterns in {@code short[]} (as
 *       Android's {@code android.util.Half} keeps them), {@code Short} or {@code ShortBuffer}.
 *       pylite does not convert to or from {@code float}.
 *   <li>{@link #UINT32} and {@link #UINT64}: the bits in {@code int[]} / {@code Integer} / {@code
 *       IntBuffer} and {@code long[]} / {@code Long} / {@code LongBuffer} (read them with {@code
 *       Integer.toUnsignedLong} or {@code Long.toUnsignedString}).
 *   <li>{@link #COMPLEX64}: only a {@code ByteBuffer} of interleaved (real, imaginary) float32
 *       pairs.
 * </ul>
 *
 * <p>As for every type, a {@code ByteBuffer} holding the tensor's exact bytes in native order
 * fits any of them. A Java type fits every tensor type of its width, as {@code byte[]} fits both
 * INT8 and UINT8 in TFLite: {@code short[]}/{@code char[]} fit INT16, UINT16, FLOAT16 and BFLOAT16;
 * {@code int[]} fits INT32 and UINT32; {@code long[]} fits INT64 and UINT64.
 */
public enum DataType {
  /** 32-bit float. */
  FLOAT32(1),
  /** 32-bit signed integer. */
  INT32(2),
  /** 8-bit unsigned integer. */
  UINT8(3),
  /** 64-bit signed integer. */
  INT64(4),
  /** Strings (byte sequences). */
  STRING(5),
  /** Bool. */
  BOOL(6),
  /** 16-bit signed integer. */
  INT16(7),
  /** 8-bit signed integer. */
  INT8(9),
  /** pylite extension: complex number of two float32 (real, imaginary); ByteBuffer only. */
  COMPLEX64(8),
  /** pylite extension: IEEE 754 half-precision float, as raw bits in a short. */
  FLOAT16(10),
  /** pylite extension: 64-bit float (double). */
  FLOAT64(11),
  /** pylite extension: 64-bit unsigned integer, as the bits of a long. */
  UINT64(13),
  /** pylite extension: 32-bit unsigned integer, as the bits of an int. */
  UINT32(16),
  /** pylite extension: 16-bit unsigned integer (char, or the bits of a short). */
  UINT16(17),
  /** pylite extension: bfloat16 (the upper half of a float32), as raw bits in a short. */
  BFLOAT16(19);

  private final int value;

  DataType(int value) {
    this.value = value;
  }

  /**
   * Size of one element in bytes, or -1 when it has none fixed in Java (STRING, and BOOL, whose
   * Java size is up to the JVM).
   */
  public int byteSize() {
    switch (this) {
      case FLOAT32:
      case INT32:
      case UINT32:
        return 4;
      case INT16:
      case UINT16:
      case FLOAT16:
      case BFLOAT16:
        return 2;
      case INT8:
      case UINT8:
        return 1;
      case INT64:
      case UINT64:
      case FLOAT64:
      case COMPLEX64:
        return 8;
      case BOOL:
      case STRING:
      default:
        return -1;
    }
  }

  /** The TfLiteType value. */
  int c() {
    return value;
  }

  /**
   * The Java element type family of the type: two types with the same name accept each other's
   * Java objects (byte[] for both INT8 and UINT8, as in TFLite; likewise for the wider types).
   */
  String toStringName() {
    switch (this) {
      case FLOAT32:
        return "float";
      case INT32:
      case UINT32:
        return "int";
      case INT16:
      case UINT16:
      case FLOAT16:
      case BFLOAT16:
        return "short";
      case INT8:
      case UINT8:
        return "byte";
      case INT64:
      case UINT64:
        return "long";
      case FLOAT64:
        return "double";
      case COMPLEX64:
        return "complex64";
      case BOOL:
        return "bool";
      case STRING:
      default:
        return "string";
    }
  }

  /** Maps a TfLiteType value; other C types have no Java counterpart. */
  static DataType fromC(int c) {
    for (DataType t : values()) {
      if (t.value == c) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "DataType error: DataType " + c + " is not recognized in Java.");
  }
}
