"""Makes the guide's example models (dev-only: needs tensorflow).

    /path/to/tf-python tools/make_example_models.py [--out examples/models]

- coding.tflite: the guide's `Model` (encode/decode), saved as a SavedModel
  and converted with TFLITE_BUILTINS + SELECT_TF_OPS, as the guide does.
- dense.tflite: the guide's Keras `Dense` model, converted from Keras
  (signature `serving_default`). Its weights come from a fixed seed so the
  file is reproducible.
"""
import argparse
import os
import tempfile

import numpy as np
import tensorflow as tf


class Model(tf.Module):
  @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
  def encode(self, x):
    result = tf.strings.as_string(x)
    return {"encoded_result": result}

  @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.string)])
  def decode(self, x):
    result = tf.strings.to_number(x)
    return {"decoded_result": result}


def make_coding(out_dir):
  model = Model()
  with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "coding")
    tf.saved_model.save(model, path, signatures={
        "encode": model.encode.get_concrete_function(),
        "decode": model.decode.get_concrete_function()})
    converter = tf.lite.TFLiteConverter.from_saved_model(path)
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.TFLITE_BUILTINS, tf.lite.OpsSet.SELECT_TF_OPS]
    return converter.convert()


def make_dense(out_dir):
  tf.keras.utils.set_random_seed(7)
  keras_model = tf.keras.Sequential([
      tf.keras.layers.Dense(2, input_dim=4, activation="relu", name="x"),
      tf.keras.layers.Dense(1, activation="relu", name="output"),
  ])
  # Biases are zero after init; give them values so the test exercises them.
  for layer in keras_model.layers:
    w, b = layer.get_weights()
    layer.set_weights([w, np.linspace(0.1, 0.2, b.size).astype(np.float32)])
  converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
  return converter.convert()


def strip_signatures(data):
  """The same model without SignatureDefs, as old or third-party files are."""
  from tensorflow.lite.tools import flatbuffer_utils
  model = flatbuffer_utils.convert_bytearray_to_object(bytearray(data))
  model.signatureDefs = []
  return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument("--out", default=os.path.join(
      os.path.dirname(__file__), "..", "examples", "models"))
  args = ap.parse_args()
  os.makedirs(args.out, exist_ok=True)
  for name, make in (("coding", make_coding), ("dense", make_dense)):
    data = make(args.out)
    with open(os.path.join(args.out, name + ".tflite"), "wb") as f:
      f.write(data)
    print(f"{name}.tflite: {len(data)} bytes")
    if name == "dense":
      test_data = os.path.join(os.path.dirname(__file__), "..", "tests", "data")
      os.makedirs(test_data, exist_ok=True)
      with open(os.path.join(test_data, "dense_nosig.tflite"), "wb") as f:
        f.write(strip_signatures(data))


if __name__ == "__main__":
  main()
