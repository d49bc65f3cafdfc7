"""Makes the stateful test models and records LiteRT's results (dev-only).

    /path/to/tf-python tools/make_state_models.py

Writes tests/data/state/<name>.tflite and tests/data/state/reference.json:
for each model, a script of signature calls (in order, on one interpreter)
with the outputs LiteRT 2.3 gave for each.

- counter: a tf.Variable shared by signatures `add` (assign_add, returns the
  value), `read`, `scale` (assign with a new shape) and `loop` (a while_loop
  whose carried tensor grows each iteration).
- branch: tf.cond between two branches of different shapes, and a nested
  while_loop.
- gru: a Keras GRU layer (converted into a WHILE loop) and a Dense head.

Results come from LiteRT's reference kernels (OpResolverType.BUILTIN_REF).
"""
import json
import os
import tempfile

import numpy as np
import tensorflow as tf
from ai_edge_litert import interpreter as litert

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                   "data", "state")


class Counter(tf.Module):

  def __init__(self):
    super().__init__()
    self.acc = tf.Variable(tf.fill([3], 0.5), name="acc")

  @tf.function(input_signature=[tf.TensorSpec([3], tf.float32)])
  def add(self, x):
    self.acc.assign_add(x)
    return {"value": self.acc.read_value()}

  @tf.function(input_signature=[])
  def read(self):
    return {"value": self.acc.read_value()}

  @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
  def scale(self, k):
    self.acc.assign(self.acc * k)
    return {"value": self.acc.read_value()}

  @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
  def loop(self, x):
    i = tf.constant(0)
    _, y = tf.while_loop(
        lambda i, x: i < 3, lambda i, x: (i + 1, tf.concat([x, x * 2.0], 0)),
        [i, x], shape_invariants=[i.shape, tf.TensorShape([None])])
    return {"y": y}


class Branch(tf.Module):

  @tf.function(input_signature=[tf.TensorSpec([], tf.bool),
                                tf.TensorSpec([None], tf.float32)])
  def pick(self, flag, x):
    y = tf.cond(flag, lambda: tf.concat([x, x], 0), lambda: x * 3.0)
    return {"y": y}

  @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
  def nested(self, n):
    def outer_body(i, total):
      _, inner = tf.while_loop(lambda j, s: j < i,
                               lambda j, s: (j + 1, s + j), [0, 0])
      return i + 1, total + inner
    _, total = tf.while_loop(lambda i, t: i < n, outer_body, [0, 0])
    return {"total": total}


def gru_model():
  tf.keras.utils.set_random_seed(3)
  return tf.keras.Sequential([
      tf.keras.Input((5, 3), batch_size=2),
      tf.keras.layers.GRU(4, return_sequences=False),
      tf.keras.layers.Dense(2)])


def convert(module, signatures):
  if isinstance(module, tf.keras.Model):
    return tf.lite.TFLiteConverter.from_keras_model(module).convert()
  with tempfile.TemporaryDirectory() as tmp:
    tf.saved_model.save(module, tmp, signatures={
        k: getattr(module, k).get_concrete_function() for k in signatures})
    return tf.lite.TFLiteConverter.from_saved_model(tmp).convert()


def to_json(value):
  value = np.asarray(value)
  return {"dtype": str(value.dtype), "shape": list(value.shape),
          "value": value.tolist()}


def record(model, script):
  interp = litert.Interpreter(
      model_content=model,
      experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF)
  steps = []
  for key, inputs in script:
    outputs = interp.get_signature_runner(key)(**inputs)
    steps.append({"signature": key,
                  "inputs": {k: to_json(v) for k, v in inputs.items()},
                  "outputs": {k: to_json(v) for k, v in outputs.items()}})
  return steps


def main():
  os.makedirs(OUT, exist_ok=True)
  f32 = lambda *v: np.array(v, np.float32)
  models = {
      "counter": (Counter(), ["add", "read", "scale", "loop"], [
          ("read", {}),
          ("add", {"x": f32(1, 2, 3)}),
          ("add", {"x": f32(1, 1, 1)}),
          ("read", {}),
          ("scale", {"k": np.float32(-2)}),
          ("loop", {"x": f32(1, 2)}),
          ("loop", {"x": f32(5)}),
          ("read", {}),
      ]),
      "branch": (Branch(), ["pick", "nested"], [
          ("pick", {"flag": np.bool_(True), "x": f32(1, 2)}),
          ("pick", {"flag": np.bool_(False), "x": f32(1, 2, 3)}),
          ("nested", {"n": np.int32(5)}),
          ("nested", {"n": np.int32(0)}),
      ]),
      "gru": (gru_model(), [], [
          ("serving_default", {"keras_tensor": np.random.default_rng(0)
                               .standard_normal((2, 5, 3))
                               .astype(np.float32)}),
          ("serving_default", {"keras_tensor": np.zeros((2, 5, 3),
                                                        np.float32)}),
      ]),
  }
  reference = {"about": "Recorded from ai-edge-litert %s by "
                        "tools/make_state_models.py." % litert.__name__}
  for name, (module, keys, script) in models.items():
    model = convert(module, keys)
    with open(os.path.join(OUT, name + ".tflite"), "wb") as f:
      f.write(model)
    reference[name] = record(model, script)
    print(name, len(model), "bytes")
  with open(os.path.join(OUT, "reference.json"), "w") as f:
    json.dump(reference, f, indent=1)


if __name__ == "__main__":
  main()
