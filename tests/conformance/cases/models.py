"""Whole models: small Keras networks with random weights (fixed seeds),
converted as a user would convert them, run end to end.

Every case asks for the derived tolerance (tolerance=DERIVED): generate.py
records max|XNNPACK - reference| and the largest reference magnitude per
output and sets the bound to 1e-4 of that magnitude, or to twice LiteRT's own
XNNPACK-to-reference difference where that is larger, so the bound is derived
from LiteRT rather than chosen here.

Random networks are made to behave like trained ones where it matters:
BatchNormalization layers get random scales and offsets, and their moving
statistics are set from a calibration batch (one training-mode call with
momentum 0), so activations keep unit scale through the depth instead of
growing or collapsing towards denormals.

Keras models keep a dynamic batch dimension (save the WHILE-loop LSTMs: the
converter lowers their tensor lists only with a static batch), so cases with
a batch above 1 are resized by the runners; the dyn_* cases run one model at
several batch sizes.
"""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng

keras = tf.keras
layers = tf.keras.layers

# generate.py turns this into max(1e-4, 2 * xnnpack_max_diff / max|ref|).
DERIVED = "derived"
WHY = ("whole model: 1e-4 of the largest reference magnitude, or twice "
       "LiteRT's XNNPACK-to-reference difference where larger")


# Unit-scale embeddings (Keras' default is uniform within 0.05), so the
# recurrent cells and attention work away from their linear region.
def _unit():
  return keras.initializers.RandomNormal(stddev=1.0)


def _seeded(seed):
  keras.utils.set_random_seed(seed)


def _calibrate(model, batch, seed):
  """Random BatchNorm scales/offsets, then moving statistics taken from
  `batch` so every normalisation sees unit-scale inputs."""
  r = rng(seed)
  norms = [l for l in model.layers if isinstance(l, layers.BatchNormalization)]
  for l in norms:
    n = l.gamma.shape[0]
    l.gamma.assign(r.uniform(0.6, 1.4, n).astype(np.float32))
    l.beta.assign(r.normal(0.0, 0.2, n).astype(np.float32))
  saved = [l.momentum for l in norms]
  for l in norms:
    l.momentum = 0.0
  model(batch, training=True)
  for l, m in zip(norms, saved):
    l.momentum = m
  return model


def _case(name, model, inputs, note=""):
  return Case(name="models/" + name, fn=model, inputs=inputs,
              tolerance=DERIVED, reason=WHY + (("; " + note) if note else ""))


def _images(r, n, size, low=-1.0, high=1.0):
  return r.uniform(low, high, (n, size, size, 3)).astype(np.float32)


def _mobilenet_v2():
  _seeded(101)
  m = keras.applications.MobileNetV2(
      weights=None, input_shape=(64, 64, 3), alpha=0.35, classes=10,
      classifier_activation="softmax",
      input_tensor=keras.Input((64, 64, 3), name="image"))
  return _calibrate(m, _images(rng(102), 8, 64), 103)


def _mobilenet_v3_small():
  _seeded(111)
  m = keras.applications.MobileNetV3Small(
      weights=None, input_shape=(64, 64, 3), alpha=0.35, classes=10,
      dropout_rate=0.0, classifier_activation=None,
      input_tensor=keras.Input((64, 64, 3), name="image"))
  return _calibrate(m, _images(rng(112), 8, 64, 0.0, 255.0), 113)


def _efficientnet():
  """EfficientNet-B0's block stack (depth 1.0: all 16 MBConv blocks, squeeze
  and excite, swish) at width 0.25, so the weights stay small."""
  from keras.src.applications import efficientnet
  _seeded(121)
  m = efficientnet.EfficientNet(
      0.25, 1.0, 64, dropout_rate=0.0, drop_connect_rate=0.0,
      name="efficientnet_b0_w025", weights=None,
      input_tensor=keras.Input((64, 64, 3), name="image"),
      input_shape=(64, 64, 3), classes=10, classifier_activation=None)
  return _calibrate(m, _images(rng(122), 8, 64, 0.0, 255.0), 123)


def _resnet():
  """ResNet-style basic blocks: stem, max pool, identity and projection
  shortcuts, global average pool, dense head."""
  _seeded(131)
  x = inp = keras.Input((32, 32, 3), name="image")
  x = layers.Conv2D(16, 3, padding="same", use_bias=False)(x)
  x = layers.BatchNormalization()(x)
  x = layers.ReLU()(x)
  x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
  for filters, stride in ((16, 1), (16, 1), (32, 2), (32, 1), (48, 2)):
    shortcut = x
    y = layers.Conv2D(filters, 3, strides=stride, padding="same",
                      use_bias=False)(x)
    y = layers.BatchNormalization()(y)
    y = layers.ReLU()(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    if stride != 1 or shortcut.shape[-1] != filters:
      shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(
          shortcut)
      shortcut = layers.BatchNormalization()(shortcut)
    x = layers.ReLU()(layers.Add()([y, shortcut]))
  x = layers.GlobalAveragePooling2D()(x)
  out = layers.Dense(10)(x)
  m = keras.Model(inp, out, name="resnet_blocks")
  return _calibrate(m, _images(rng(132), 8, 32), 133)


def _audio():
  """1-D convolutions over 13 MFCC-like features: strided, dilated and
  separable convolutions, pooling, softmax over 6 keywords."""
  _seeded(141)
  x = inp = keras.Input((96, 13), name="features")
  x = layers.Conv1D(24, 5, strides=2, padding="same", use_bias=False)(x)
  x = layers.BatchNormalization()(x)
  x = layers.ReLU()(x)
  x = layers.Conv1D(24, 3, dilation_rate=2, padding="same")(x)
  x = layers.ReLU()(x)
  x = layers.MaxPooling1D(2)(x)
  x = layers.SeparableConv1D(32, 3, padding="valid")(x)
  x = layers.BatchNormalization()(x)
  x = layers.ReLU()(x)
  x = layers.AveragePooling1D(2)(x)
  x = layers.GlobalAveragePooling1D()(x)
  out = layers.Dense(6, activation="softmax")(x)
  m = keras.Model(inp, out, name="conv1d_audio")
  batch = rng(142).normal(0, 1, (8, 96, 13)).astype(np.float32)
  return _calibrate(m, batch, 143)


def _lstm_text(batch=1, unroll=False):
  """Embedding + LSTM + dense. Keras 3 converts the LSTM to a WHILE loop,
  which the converter lowers only with a static batch size; unrolled, the
  cells become plain ops and the batch may stay dynamic (batch=None)."""
  _seeded(151)
  inp = keras.Input((12,), batch_size=batch, dtype="int32", name="tokens")
  x = layers.Embedding(100, 16, embeddings_initializer=_unit())(inp)
  x = layers.LSTM(24, unroll=unroll)(x)
  out = layers.Dense(3, activation="softmax")(x)
  return keras.Model(inp, out, name="lstm_text")


def _bilstm():
  _seeded(161)
  inp = keras.Input((10,), batch_size=2, dtype="int32", name="tokens")
  x = layers.Embedding(80, 12, embeddings_initializer=_unit())(inp)
  x = layers.Bidirectional(layers.LSTM(16, return_sequences=True))(x)
  x = layers.GlobalMaxPooling1D()(x)
  out = layers.Dense(4)(x)
  return keras.Model(inp, out, name="bilstm")


class _Positions(layers.Layer):
  """Adds a learned position embedding to token embeddings."""

  def __init__(self, length, width, **kw):
    super().__init__(**kw)
    self.table = layers.Embedding(length, width)
    self.length = length

  def call(self, x):
    return x + self.table(tf.range(self.length))


def _transformer():
  """One post-norm encoder block: token and position embeddings,
  multi-head self-attention, residuals with layer norm, GELU MLP."""
  _seeded(171)
  inp = keras.Input((16,), dtype="int32", name="tokens")
  x = layers.Embedding(64, 32, embeddings_initializer=_unit())(inp)
  # An explicit name: the default one starts with "_", which TensorFlow
  # rejects as a scope name when the converter exports the model.
  x = _Positions(16, 32, name="positions")(x)
  a = layers.MultiHeadAttention(num_heads=2, key_dim=16)(x, x)
  x = layers.LayerNormalization(epsilon=1e-6)(x + a)
  h = layers.Dense(64, activation="gelu")(x)
  h = layers.Dense(32)(h)
  x = layers.LayerNormalization(epsilon=1e-6)(x + h)
  x = layers.GlobalAveragePooling1D()(x)
  out = layers.Dense(4)(x)
  return keras.Model(inp, out, name="transformer_encoder")


def _decoder():
  """Latent vector to a 46x46 image: dense, transposed convolutions,
  nearest and bilinear upsampling and a nearest resize."""
  _seeded(181)
  inp = keras.Input((16,), name="latent")
  x = layers.Dense(4 * 4 * 32, activation="relu")(inp)
  x = layers.Reshape((4, 4, 32))(x)
  x = layers.Conv2DTranspose(24, 3, strides=2, padding="same")(x)
  x = layers.BatchNormalization()(x)
  x = layers.ReLU()(x)
  x = layers.UpSampling2D(2, interpolation="nearest")(x)
  x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
  x = layers.UpSampling2D(2, interpolation="bilinear")(x)
  x = layers.Conv2DTranspose(8, 4, strides=1, padding="valid",
                             activation="relu")(x)
  # Keras 3 builds nearest UpSampling2D from repeats; Resizing gives the
  # converter's RESIZE_NEAREST_NEIGHBOR (35x35 to 48x48, a fractional ratio).
  x = layers.Resizing(48, 48, interpolation="nearest")(x)
  out = layers.Conv2D(3, 3, padding="valid", activation="sigmoid")(x)
  m = keras.Model(inp, out, name="conv_decoder")
  batch = rng(182).normal(0, 1, (8, 16)).astype(np.float32)
  return _calibrate(m, batch, 183)


def _small_cnn():
  """A small classifier for the dynamic-batch cases."""
  _seeded(191)
  x = inp = keras.Input((16, 16, 3), name="image")
  x = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
  x = layers.DepthwiseConv2D(3, strides=2, padding="same")(x)
  x = layers.BatchNormalization()(x)
  x = layers.ReLU(6.0)(x)
  x = layers.Conv2D(16, 1)(x)
  x = layers.Flatten()(x)
  out = layers.Dense(5, activation="softmax")(x)
  m = keras.Model(inp, out, name="small_cnn")
  return _calibrate(m, _images(rng(192), 8, 16), 193)


def cases():
  r = rng(1)

  def tokens(n, length, vocab):
    return r.integers(0, vocab, (n, length)).astype(np.int32)

  yield _case("mobilenet_v2", _mobilenet_v2(),
              {"image": _images(r, 1, 64)}, "alpha 0.35, 64x64, 10 classes")
  yield _case("mobilenet_v3_small", _mobilenet_v3_small(),
              {"image": _images(r, 1, 64, 0.0, 255.0)},
              "alpha 0.35, 64x64, logits")
  yield _case("efficientnet_b0", _efficientnet(),
              {"image": _images(r, 1, 64, 0.0, 255.0)},
              "B0 blocks at width 0.25, 64x64, logits")
  yield _case("resnet_blocks", _resnet(), {"image": _images(r, 2, 32)})
  yield _case("conv1d_audio", _audio(),
              {"features": r.normal(0, 1, (2, 96, 13)).astype(np.float32)})
  yield _case("lstm_text", _lstm_text(), {"tokens": tokens(1, 12, 100)})
  yield _case("bilstm", _bilstm(), {"tokens": tokens(2, 10, 80)})
  yield _case("transformer_encoder", _transformer(),
              {"tokens": tokens(2, 16, 64)})
  yield _case("conv_decoder", _decoder(),
              {"latent": r.normal(0, 1, (1, 16)).astype(np.float32)})
  # One model, several batch sizes: the runners resize the batch dimension.
  cnn = _small_cnn()
  for n in (1, 3, 7):
    yield _case("dyn_cnn_batch%d" % n, cnn, {"image": _images(r, n, 16)},
                "batch resized to %d" % n)
  lstm = _lstm_text(batch=None, unroll=True)
  for n in (1, 4):
    yield _case("dyn_lstm_unrolled_batch%d" % n, lstm,
                {"tokens": tokens(n, 12, 100)}, "batch resized to %d" % n)
