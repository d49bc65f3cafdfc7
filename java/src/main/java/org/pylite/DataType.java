package org.pylite;

/** Element types of tensors that Java can read and write, with TFLite's C enum values. */
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
  INT8(9);

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
        return 4;
      case INT16:
        return 2;
      case INT8:
      case UINT8:
        return 1;
      case INT64:
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

  /** The Java name of the type, used to accept byte[] for both INT8 and UINT8. */
  String toStringName() {
    switch (this) {
      case FLOAT32:
        return "float";
      case INT32:
        return "int";
      case INT16:
        return "short";
      case INT8:
      case UINT8:
        return "byte";
      case INT64:
        return "long";
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
