"""Makes the larger benchmark models (dev-only: needs tensorflow).

    /work/tfenv/bin/python benchmarks/make_models.py [--out benchmarks/models]
        [--only NAME[,NAME...]] [--force]

Random weights from fixed seeds (batch-norm statistics randomized too, so that
activations stay in a normal range); the files are large and kept out of git
(`/benchmarks/models/` is ignored): this script recreates them. Existing files
are kept unless --force.

- mobilenet_v2_224.tflite        MobileNetV2, alpha 1.0, 224x224x3, float32
- mobilenet_v2_224_int8.tflite   the same network, full-integer int8
                                 quantization (int8 input and output),
                                 calibrated on random images
- efficientnet_b0_224.tflite     EfficientNetB0, 224x224x3, float32
- transformer_128.tflite         a 4-layer transformer encoder (d_model 256,
                                 4 heads, GELU MLP 1024, layer norm) over 128
                                 int32 token ids, vocabulary 1000
- lstm_100.tflite                an LSTM text classifier: embedding 64, LSTM
                                 128, dense 2, over 100 int32 token ids, made
                                 with Keras 2 (the tf-keras package) so that
                                 it converts to the fused
                                 UNIDIRECTIONAL_SEQUENCE_LSTM op
- lstm_100_while.tflite          the same network made with Keras 3, which the
                                 converter turns into a WHILE loop

Each model has one signature, `serving_default`.
"""
import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "models")
SEED = 1234


def _tf():
  os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
  import tensorflow as tf  # pylint: disable=import-outside-toplevel
  tf.keras.utils.set_random_seed(SEED)
  return tf


class SkipModel(Exception):
  """A model this environment cannot make (a missing optional package)."""


def _liven(tf, model):
  """Gives every BatchNormalization layer random statistics and scales.

  Freshly initialized (gamma 1, beta 0, mean 0, variance 1), the image
  networks shrink activations layer by layer to ~1e-11 (denormal floats) and
  end in a flat softmax, which is neither typical nor fair to time (denormal
  arithmetic is slow on some paths and not others)."""
  rng = np.random.default_rng(SEED)
  for layer in model.layers:
    if isinstance(layer, tf.keras.layers.BatchNormalization):
      gamma, beta, mean, variance = layer.get_weights()
      layer.set_weights([
          rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
          rng.normal(0.0, 0.2, beta.shape).astype(np.float32),
          rng.normal(0.0, 0.2, mean.shape).astype(np.float32),
          rng.uniform(0.5, 1.5, variance.shape).astype(np.float32)])
  return model


def _convert(tf, keras_model, quantize_int8=None):
  converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
  if quantize_int8 is not None:
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = quantize_int8
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
  return converter.convert()


def _image_calibration(shape, samples=8):
  rng = np.random.default_rng(SEED)

  def dataset():
    for _ in range(samples):
      yield [rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)]
  return dataset


def make_mobilenet_v2(tf):
  model = _liven(tf, tf.keras.applications.MobileNetV2(
      input_shape=(224, 224, 3), alpha=1.0, weights=None))
  return _convert(tf, model)


def make_mobilenet_v2_int8(tf):
  model = _liven(tf, tf.keras.applications.MobileNetV2(
      input_shape=(224, 224, 3), alpha=1.0, weights=None))
  return _convert(tf, model,
                  quantize_int8=_image_calibration((1, 224, 224, 3)))


def make_efficientnet_b0(tf):
  model = _liven(tf, tf.keras.applications.EfficientNetB0(
      input_shape=(224, 224, 3), weights=None))
  return _convert(tf, model)


def make_transformer(tf, seq_len=128, vocab=1000, d_model=256, heads=4,
                     ff=1024, layers=4):
  k = tf.keras.layers
  tokens = k.Input(shape=(seq_len,), dtype="int32", name="tokens")
  x = k.Embedding(vocab, d_model)(tokens)
  # A learned position embedding, added as a constant table.
  positions = np.random.default_rng(SEED).normal(
      0, 0.02, size=(1, seq_len, d_model)).astype(np.float32)
  x = x + tf.constant(positions)
  for _ in range(layers):
    attention = k.MultiHeadAttention(num_heads=heads,
                                     key_dim=d_model // heads)(x, x)
    x = k.LayerNormalization(epsilon=1e-6)(x + attention)
    h = k.Dense(ff, activation="gelu")(x)
    h = k.Dense(d_model)(h)
    x = k.LayerNormalization(epsilon=1e-6)(x + h)
  pooled = k.GlobalAveragePooling1D()(x)
  logits = k.Dense(2, name="logits")(pooled)
  return _convert(tf, tf.keras.Model(tokens, logits))


def make_lstm(tf, seq_len=100, vocab=5000, embed=64, units=128):
  """Keras 2 (the tf-keras package): its LSTM converts to one fused
  UNIDIRECTIONAL_SEQUENCE_LSTM op, the form most deployed models have."""
  try:
    import tf_keras  # pylint: disable=import-outside-toplevel
  except ImportError as e:
    raise SkipModel("needs the tf-keras package (pip install tf-keras=="
                    f"{tf.__version__}) for the fused LSTM") from e
  tf_keras.utils.set_random_seed(SEED)
  k = tf_keras.layers
  tokens = k.Input(shape=(seq_len,), batch_size=1, dtype="int32",
                   name="tokens")
  x = k.Embedding(vocab, embed)(tokens)
  x = k.LSTM(units)(x)
  logits = k.Dense(2, name="logits")(x)
  return _convert(tf, tf_keras.Model(tokens, logits))


def make_lstm_while(tf, seq_len=100, vocab=5000, embed=64, units=128):
  """Keras 3: TensorFlow's converter turns its LSTM into a WHILE loop of
  FULLY_CONNECTED and element-wise ops."""
  k = tf.keras.layers
  # A static batch lets the converter fuse the LSTM into one
  # UNIDIRECTIONAL_SEQUENCE_LSTM op (a dynamic one leaves TensorList ops).
  tokens = k.Input(shape=(seq_len,), batch_size=1, dtype="int32",
                   name="tokens")
  x = k.Embedding(vocab, embed)(tokens)
  x = k.LSTM(units)(x)
  logits = k.Dense(2, name="logits")(x)
  return _convert(tf, tf.keras.Model(tokens, logits))


MODELS = {
    "mobilenet_v2_224": make_mobilenet_v2,
    "mobilenet_v2_224_int8": make_mobilenet_v2_int8,
    "efficientnet_b0_224": make_efficientnet_b0,
    "transformer_128": make_transformer,
    "lstm_100": make_lstm,
    "lstm_100_while": make_lstm_while,
}


def main(argv=None):
  ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  ap.add_argument("--out", default=DEFAULT_OUT)
  ap.add_argument("--only", default="",
                  help="comma-separated names (default: all): " +
                  ", ".join(MODELS))
  ap.add_argument("--force", action="store_true",
                  help="remake models that already exist")
  args = ap.parse_args(argv)
  names = [n for n in args.only.split(",") if n] or list(MODELS)
  unknown = [n for n in names if n not in MODELS]
  if unknown:
    ap.error("unknown model(s): " + ", ".join(unknown))
  os.makedirs(args.out, exist_ok=True)
  tf = None
  for name in names:
    path = os.path.join(args.out, name + ".tflite")
    if os.path.exists(path) and not args.force:
      print(f"{name}.tflite: exists ({os.path.getsize(path)} bytes), kept")
      continue
    if tf is None:
      tf = _tf()
    tf.keras.utils.set_random_seed(SEED)  # each model independent of order
    start = time.time()
    try:
      data = MODELS[name](tf)
    except SkipModel as e:
      print(f"{name}.tflite: skipped: {e}")
      continue
    tf.keras.backend.clear_session()
    with open(path + ".tmp", "wb") as f:
      f.write(data)
    os.replace(path + ".tmp", path)
    print(f"{name}.tflite: {len(data)} bytes ({time.time() - start:.0f} s)")
  return 0


if __name__ == "__main__":
  sys.exit(main())
