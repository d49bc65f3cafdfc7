#!/usr/bin/env python3
"""Makes the quantized test model and records LiteRT's view of it (dev-only).

    /work/tfenv/bin/python tools/make_quantized_test_model.py

Writes tests/data/quantized/int8_cnn.tflite: a tiny Keras network (3x3
convolution with ReLU, dense layer; fixed seed) converted with full int8
post-training quantization and int8 inputs and outputs, so it holds
per-tensor activations (the int8 input and output among them), per-channel
int8 weights and int32 biases. About 3 KB.

And tests/data/quantized/reference.json: what ai_edge_litert's Interpreter
reports for it (input, output and tensor details, the signature runner's
details), in the format of tools/record_litert_reference.py, so the front
ends' tests can compare their quantization parameters with LiteRT's without
LiteRT installed.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
OUT = os.path.join(HERE, "..", "tests", "data", "quantized")


def make_model(sparse=False):
  import tensorflow as tf
  keras = tf.keras
  layers = keras.layers
  keras.utils.set_random_seed(41)
  inp = keras.Input((6, 6, 2), batch_size=1, name="image")
  x = layers.Conv2D(4, 3, activation="relu")(inp)
  x = layers.Flatten()(x)
  out = layers.Dense(3)(x)
  model = keras.Model(inp, out, name="int8_cnn")
  if sparse:  # 80% of each kernel pruned, stored sparse (DENSIFY)
    for w in model.weights:
      if len(w.shape) >= 2:
        v = w.numpy()
        v[np.abs(v) < np.quantile(np.abs(v), 0.8)] = 0.0
        w.assign(v)
  r = np.random.default_rng(42)
  samples = [r.uniform(-1, 1, (1, 6, 6, 2)).astype(np.float32)
             for _ in range(16)]
  converter = tf.lite.TFLiteConverter.from_keras_model(model)
  converter.optimizations = [tf.lite.Optimize.DEFAULT]
  if sparse:
    converter.optimizations.append(tf.lite.Optimize.EXPERIMENTAL_SPARSITY)
  converter.representative_dataset = lambda: ({"image": s} for s in samples)
  converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
  converter.inference_input_type = tf.int8
  converter.inference_output_type = tf.int8
  return converter.convert()


def plain(value):
  """numpy arrays (in sparsity_parameters) as lists, for JSON."""
  if isinstance(value, dict):
    return {k: plain(v) for k, v in value.items()}
  if isinstance(value, (list, tuple)):
    return [plain(v) for v in value]
  if isinstance(value, np.ndarray):
    return value.tolist()
  if isinstance(value, np.generic):
    return value.item()
  return value


def main():
  import ai_edge_litert
  from ai_edge_litert import interpreter as litert
  import record_litert_reference as record
  os.makedirs(OUT, exist_ok=True)
  reference = {
      "about": "Recorded from LiteRT by tools/make_quantized_test_model.py; "
               "do not edit by hand.",
      "litert_version": getattr(ai_edge_litert, "__version__", "unknown"),
      "models": {},
  }
  for name, sparse in (("int8_cnn", False), ("int8_cnn_sparse", True)):
    model_path = os.path.join(OUT, name + ".tflite")
    with open(model_path, "wb") as f:
      f.write(make_model(sparse))
    it = litert.Interpreter(model_path=model_path)
    reference["models"][name] = plain(record.common_info(it))
    print("wrote %s (%d bytes)" % (model_path, os.path.getsize(model_path)))
  with open(os.path.join(OUT, "reference.json"), "w", encoding="utf-8") as f:
    json.dump(reference, f, indent=1)
    f.write("\n")


if __name__ == "__main__":
  main()
