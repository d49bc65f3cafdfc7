package org.pylite;

import java.io.File;
import java.nio.charset.StandardCharsets;

/**
 * Loads the JNI library once per class loader.
 *
 * <p>The library is {@code libpylite_jni.so}, found on {@code java.library.path}, unless the
 * system property {@code pylite.library} names its file.
 */
final class PyliteNative {
  private static boolean loaded;

  private PyliteNative() {}

  static synchronized void init() {
    if (loaded) {
      return;
    }
    String path = System.getProperty("pylite.library");
    if (path != null && !path.isEmpty()) {
      System.load(new File(path).getAbsolutePath());
    } else {
      System.loadLibrary("pylite_jni");
    }
    loaded = true;
  }

  /** Names cross JNI as UTF-8 bytes, not as modified UTF-8 strings. */
  static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  static String string(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static String[] strings(byte[][] b) {
    if (b == null) {
      return new String[0];
    }
    String[] out = new String[b.length];
    for (int i = 0; i < b.length; ++i) {
      out[i] = string(b[i]);
    }
    return out;
  }
}
