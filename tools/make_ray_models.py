"""Makes the Ray tests' image model (dev-only: needs tensorflow).

    /path/to/tf-python tools/make_ray_models.py [--out tests/data/ray]

- mobilenet_tiny.tflite: a small MobileNetV2-style network over 32x32x3
  float32 images with a dynamic batch dimension (signature
  `serving_default`, input `image`, output `output_0`: probabilities over 10
  classes): a strided 3x3 stem, three inverted-residual blocks (1x1
  expansion, 3x3 depthwise, 1x1 projection, batch norm and ReLU6, a
  residual add where shapes allow), global average pooling and a softmax
  head. Random weights and batch-norm statistics from a fixed seed; about
  12k parameters, so that thousands of rows run in seconds.
"""
import argparse
import os

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 9


def _conv_bn(x, filters, kernel, strides=1, depthwise=False, relu=True):
  layers = tf.keras.layers
  if depthwise:
    x = layers.DepthwiseConv2D(kernel, strides=strides, padding="same",
                               use_bias=False)(x)
  else:
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same",
                      use_bias=False)(x)
  x = layers.BatchNormalization()(x)
  return layers.ReLU(6.0)(x) if relu else x


def _inverted_residual(x, expansion, filters, strides):
  channels = x.shape[-1]
  y = _conv_bn(x, channels * expansion, 1)
  y = _conv_bn(y, None, 3, strides=strides, depthwise=True)
  y = _conv_bn(y, filters, 1, relu=False)
  if strides == 1 and channels == filters:
    y = tf.keras.layers.Add()([x, y])
  return y


def build():
  tf.keras.utils.set_random_seed(SEED)
  image = tf.keras.Input((32, 32, 3), name="image")
  x = _conv_bn(image, 16, 3, strides=2)
  x = _inverted_residual(x, 1, 16, 1)
  x = _inverted_residual(x, 4, 24, 2)
  x = _inverted_residual(x, 4, 24, 1)
  x = tf.keras.layers.GlobalAveragePooling2D()(x)
  x = tf.keras.layers.Dense(10)(x)
  probabilities = tf.keras.layers.Softmax(name="probabilities")(x)
  model = tf.keras.Model(image, probabilities)
  rng = np.random.default_rng(SEED)
  for layer in model.layers:
    if isinstance(layer, tf.keras.layers.BatchNormalization):
      gamma, beta, mean, var = layer.get_weights()
      layer.set_weights([
          rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
          rng.uniform(-0.2, 0.2, beta.shape).astype(np.float32),
          rng.uniform(-0.2, 0.2, mean.shape).astype(np.float32),
          rng.uniform(0.5, 1.5, var.shape).astype(np.float32)])
  return model


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--out", default=os.path.join(HERE, "..", "tests",
                                                    "data", "ray"))
  args = parser.parse_args()
  os.makedirs(args.out, exist_ok=True)
  model = build()

  # From the Keras model: the weights become constants and the batch
  # dimension stays dynamic (shape signature [-1, 32, 32, 3]).
  converter = tf.lite.TFLiteConverter.from_keras_model(model)
  data = converter.convert()
  path = os.path.join(args.out, "mobilenet_tiny.tflite")
  with open(path, "wb") as f:
    f.write(data)
  print(f"{path}: {len(data)} bytes, {model.count_params()} parameters")


if __name__ == "__main__":
  main()
