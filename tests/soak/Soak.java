// pylite soak, Java: org.pylite.Interpreter loads, runs and frees every
// model of a list until SECONDS have passed. Launched as a single-file
// program: java -cp pylite.jar -Dpylite.library=... Soak.java LIST SECONDS
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pylite.DataType;
import org.pylite.Interpreter;
import org.pylite.Tensor;

public class Soak {
  static long runModel(String path) {
    long invokes = 0;
    try (Interpreter interpreter = new Interpreter(new File(path))) {
      String[] keys = interpreter.getSignatureKeys();
      for (String key : keys) {
        try {
          Map<String, Object> inputs = new HashMap<>();
          for (String name : interpreter.getSignatureInputs(key)) {
            Tensor t = interpreter.getInputTensorFromSignature(name, key);
            if (t.dataType() == DataType.STRING) continue; // keeps its default
            // A heap buffer: direct ones hold native memory until a GC runs,
            // which would show as RSS growth that is not pylite's.
            inputs.put(name, ByteBuffer.allocate(t.numBytes()).order(ByteOrder.nativeOrder()));
          }
          interpreter.invokeSignature(inputs, new HashMap<>(), key);
          invokes++;
          for (String name : interpreter.getSignatureOutputs(key)) {
            Tensor out = interpreter.getOutputTensorFromSignature(name, key);
            if (out.dataType() != DataType.STRING) out.asReadOnlyBuffer().remaining();
          }
        } catch (RuntimeException e) {
          // the suite's negative cases fail by design
        }
      }
      if (keys.length == 0) {
        interpreter.allocateTensors();
      }
    } catch (RuntimeException e) {
      // a model this build does not load
    }
    return invokes;
  }

  public static void main(String[] args) throws Exception {
    List<String> paths = Files.readAllLines(Paths.get(args[0]));
    long end = System.nanoTime() + (long) (Double.parseDouble(args[1]) * 1e9);
    long runs = 0, invokes = 0;
    while (System.nanoTime() < end) {
      for (String p : paths) {
        if (p.isEmpty()) continue;
        if (System.nanoTime() >= end) break;
        invokes += runModel(p);
        runs++;
      }
    }
    System.out.println("soak java: " + runs + " model runs, " + invokes + " invokes");
  }
}
