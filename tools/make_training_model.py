"""Makes the on-device-training test model and TensorFlow's results (dev-only).

    /path/to/tf-python tools/make_training_model.py

In the style of LiteRT's on-device training guide: a small softmax
classifier as a tf.Module with tf.Variable weights and the signatures
`infer`, `train` (one SGD step that assigns the variables and returns the
loss) and `get_weights`, converted from a SavedModel with resource
variables. The expected results come from TensorFlow running the same
steps on the same module (the training signature is what LiteRT's guide
runs on device).

Writes tests/data/state/training.tflite and training_reference.json.
"""
import json
import os
import tempfile

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                   "data", "state")


class Classifier(tf.Module):

  def __init__(self):
    super().__init__()
    rng = np.random.default_rng(5)
    self.w = tf.Variable(
        (rng.standard_normal((4, 3)) * 0.5).astype(np.float32), name="w")
    self.b = tf.Variable(np.zeros(3, np.float32), name="b")

  @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
  def infer(self, x):
    logits = tf.matmul(x, self.w) + self.b
    return {"output": tf.nn.softmax(logits), "logits": logits}

  @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32),
                                tf.TensorSpec([None, 3], tf.float32)])
  def train(self, x, y):
    with tf.GradientTape() as tape:
      logits = tf.matmul(x, self.w) + self.b
      loss = tf.reduce_mean(
          tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    gw, gb = tape.gradient(loss, [self.w, self.b])
    self.w.assign_sub(0.1 * gw)
    self.b.assign_sub(0.1 * gb)
    return {"loss": loss}

  @tf.function(input_signature=[])
  def get_weights(self):
    return {"w": self.w.read_value(), "b": self.b.read_value()}


def to_json(value):
  value = np.asarray(value)
  return {"dtype": str(value.dtype), "shape": list(value.shape),
          "value": value.tolist()}


def main():
  rng = np.random.default_rng(1)
  x = rng.standard_normal((8, 4)).astype(np.float32)
  y = np.eye(3, dtype=np.float32)[np.arange(8) % 3]
  script = [("infer", {"x": x})] + [("train", {"x": x, "y": y})] * 5 + [
      ("infer", {"x": x[:3]}), ("get_weights", {})]

  # Convert a fresh module (its variables at their initial values) ...
  module = Classifier()
  with tempfile.TemporaryDirectory() as tmp:
    tf.saved_model.save(module, tmp, signatures={
        k: getattr(module, k).get_concrete_function()
        for k in ("infer", "train", "get_weights")})
    converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
    converter.experimental_enable_resource_variables = True
    model = converter.convert()
  # ... then run the script in TensorFlow on another fresh module.
  reference = Classifier()
  steps = []
  for key, inputs in script:
    outputs = getattr(reference, key)(**inputs)
    steps.append({"signature": key,
                  "inputs": {k: to_json(v) for k, v in inputs.items()},
                  "outputs": {k: to_json(v.numpy())
                              for k, v in outputs.items()}})
  os.makedirs(OUT, exist_ok=True)
  with open(os.path.join(OUT, "training.tflite"), "wb") as f:
    f.write(model)
  with open(os.path.join(OUT, "training_reference.json"), "w") as f:
    json.dump({"about": "Recorded from TensorFlow %s running the same steps "
                        "by tools/make_training_model.py." % tf.__version__,
               "training": steps}, f, indent=1)
  print("training.tflite", len(model), "bytes")


if __name__ == "__main__":
  main()
