package org.pylite;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads the JNI library once per class loader.
 *
 * <p>The library ({@code libpylite_jni.so} on Linux) is found, in order:
 *
 * <ol>
 *   <li>at the file named by the system property {@code pylite.library};
 *   <li>on {@code java.library.path};
 *   <li>in the jar, as {@code org/pylite/native/<os>-<arch>/<library file>} (the Maven build puts
 *       the library of the build machine there): it is copied to a private temporary directory
 *       and loaded from there, so the jar alone is enough.
 * </ol>
 */
final class PyliteNative {
  private static final String NAME = "pylite_jni";
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
      try {
        System.loadLibrary(NAME);
      } catch (UnsatisfiedLinkError notOnPath) {
        loadFromJar(notOnPath);
      }
    }
    loaded = true;
  }

  /** The directory of the jar's native library for this machine, as the pom names it. */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (os.startsWith("linux")) {
      os = "linux";
    } else if (os.startsWith("mac") || os.startsWith("darwin")) {
      os = "macos";
    } else if (os.startsWith("windows")) {
      os = "windows";
    }
    if (arch.equals("amd64") || arch.equals("x86_64")) {
      arch = "x86_64";
    } else if (arch.equals("arm64") || arch.equals("aarch64")) {
      arch = "aarch64";
    }
    return os + "-" + arch;
  }

  private static void loadFromJar(UnsatisfiedLinkError notOnPath) {
    String file = System.mapLibraryName(NAME);
    String resource = "/org/pylite/native/" + platform() + "/" + file;
    try (InputStream in = PyliteNative.class.getResourceAsStream(resource)) {
      if (in == null) {
        UnsatisfiedLinkError e =
            new UnsatisfiedLinkError(
                "pylite: cannot load the JNI library: it is not on java.library.path ("
                    + notOnPath.getMessage()
                    + ") and the jar has none for "
                    + platform()
                    + " ("
                    + resource
                    + "); set -Dpylite.library=/path/to/"
                    + file);
        e.addSuppressed(notOnPath);
        throw e;
      }
      // createTempDirectory makes a directory only this user can write to.
      Path dir = Files.createTempDirectory("pylite-jni");
      Path copy = dir.resolve(file);
      Files.copy(in, copy);
      try {
        System.load(copy.toAbsolutePath().toString());
      } finally {
        // A loaded library stays mapped after its file is removed (POSIX);
        // Windows keeps the file locked, so it goes when the JVM exits.
        try {
          Files.deleteIfExists(copy);
          Files.deleteIfExists(dir);
        } catch (IOException stillInUse) {
          copy.toFile().deleteOnExit();
          dir.toFile().deleteOnExit();
        }
      }
    } catch (IOException e) {
      UnsatisfiedLinkError error =
          new UnsatisfiedLinkError(
              "pylite: cannot extract the JNI library " + resource + " from the jar: " + e);
      error.initCause(e);
      throw error;
    }
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
