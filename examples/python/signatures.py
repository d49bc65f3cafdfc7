"""The LiteRT guide's Python sample ("Run signatures", Python), on pylite.

The guide's lines are kept as printed; the import lines differ (pylite for
tf.lite, numpy for tf.constant), and added are loading the model file,
the lines each language prints for the cross-language check, and the Keras
Dense model's serving_default signature.

Usage: python signatures.py [MODELS_DIR]
"""
import os
import sys

import numpy as np

import pylite as tflite  # stands for tf.lite


def format_float(v):
  """Shortest "%g" that reads back as the same float32 (as the C sample)."""
  v = np.float32(v)
  for p in range(1, 10):
    s = "%.*g" % (p, float(v))
    if np.float32(float(s)) == v:
      break
  return s if any(c in s for c in ".eni") else s + ".0"


def main():
  models = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
      os.path.dirname(__file__), "..", "models")
  with open(os.path.join(models, "coding.tflite"), "rb") as f:
    tflite_model = f.read()

  # ---- The guide's sample ----
  interpreter = tflite.Interpreter(model_content=tflite_model)
  signatures = interpreter.get_signature_list()
  print('Signature:', signatures)

  # encode and decode are callable with input as arguments.
  encode = interpreter.get_signature_runner('encode')
  decode = interpreter.get_signature_runner('decode')

  # 'encoded' and 'decoded' are dictionaries with all outputs from the inference.
  input = np.array([1, 2, 3], dtype=np.float32)
  print('Input:', input)
  encoded = encode(x=input)
  print('Encoded result:', encoded)
  decoded = decode(x=encoded['encoded_result'])
  print('Decoded result:', decoded)
  # ---- end of the guide's sample ----

  print("python: encoded_result = %s" % [
      s.decode() for s in encoded["encoded_result"]])
  print("python: decoded_result = [%s]" % ", ".join(
      format_float(v) for v in decoded["decoded_result"]))

  dense = tflite.Interpreter(model_path=os.path.join(models, "dense.tflite"))
  runner = dense.get_signature_runner("serving_default")
  (in_name,) = runner.get_input_details()
  (out_name,) = runner.get_output_details()
  y = runner(**{in_name: np.array([[1, 2, 3, 4]], dtype=np.float32)})[out_name]
  print("python: serving_default %s = [%s]" % (out_name, ", ".join(
      "[%s]" % ", ".join(format_float(v) for v in row) for row in y)))


if __name__ == "__main__":
  main()
