package org.pylite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small JSON reader for the reference data (objects, arrays, numbers, strings, literals). */
final class Json {
  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  static Object parse(String text) {
    Json j = new Json(text);
    Object v = j.value();
    j.ws();
    if (j.i != j.s.length()) {
      throw new IllegalArgumentException("trailing characters at " + j.i);
    }
    return v;
  }

  private void ws() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      ++i;
    }
  }

  private Object value() {
    ws();
    char c = s.charAt(i);
    if (c == '{') {
      Map<String, Object> m = new LinkedHashMap<>();
      ++i;
      ws();
      if (s.charAt(i) == '}') {
        ++i;
        return m;
      }
      while (true) {
        ws();
        String k = string();
        ws();
        expect(':');
        m.put(k, value());
        ws();
        if (s.charAt(i) == ',') {
          ++i;
        } else {
          expect('}');
          return m;
        }
      }
    } else if (c == '[') {
      List<Object> l = new ArrayList<>();
      ++i;
      ws();
      if (s.charAt(i) == ']') {
        ++i;
        return l;
      }
      while (true) {
        l.add(value());
        ws();
        if (s.charAt(i) == ',') {
          ++i;
        } else {
          expect(']');
          return l;
        }
      }
    } else if (c == '"') {
      return string();
    } else if (s.startsWith("true", i)) {
      i += 4;
      return Boolean.TRUE;
    } else if (s.startsWith("false", i)) {
      i += 5;
      return Boolean.FALSE;
    } else if (s.startsWith("null", i)) {
      i += 4;
      return null;
    } else if (s.startsWith("NaN", i)) {
      i += 3;
      return Double.NaN;
    } else if (s.startsWith("Infinity", i)) {
      i += 8;
      return Double.POSITIVE_INFINITY;
    } else if (s.startsWith("-Infinity", i)) {
      i += 9;
      return Double.NEGATIVE_INFINITY;
    }
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      ++i;
    }
    return Double.parseDouble(s.substring(start, i));
  }

  private void expect(char c) {
    if (s.charAt(i) != c) {
      throw new IllegalArgumentException("expected " + c + " at " + i);
    }
    ++i;
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c == '\\') {
        char e = s.charAt(i++);
        switch (e) {
          case 'n':
            b.append('\n');
            break;
          case 't':
            b.append('\t');
            break;
          case 'r':
            b.append('\r');
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'u':
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
            break;
          default:
            b.append(e);
        }
      } else {
        b.append(c);
      }
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Object o, String key) {
    return (Map<String, Object>) ((Map<String, Object>) o).get(key);
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o, String key) {
    return (List<Object>) ((Map<String, Object>) o).get(key);
  }

  /** A nested list of numbers as float[][] (rank 2). */
  @SuppressWarnings("unchecked")
  static float[][] floats2(Object o) {
    List<Object> rows = (List<Object>) o;
    float[][] out = new float[rows.size()][];
    for (int r = 0; r < out.length; ++r) {
      List<Object> row = (List<Object>) rows.get(r);
      out[r] = new float[row.size()];
      for (int c = 0; c < out[r].length; ++c) {
        out[r][c] = ((Double) row.get(c)).floatValue();
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  static int[] ints(Object o) {
    List<Object> l = (List<Object>) o;
    int[] out = new int[l.size()];
    for (int k = 0; k < out.length; ++k) {
      out[k] = ((Double) l.get(k)).intValue();
    }
    return out;
  }
}
