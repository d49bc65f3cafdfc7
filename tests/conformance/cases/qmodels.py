"""Quantized whole models: the float whole models of models.py (same
builders, same random weights) converted with post-training quantization as
a user would convert them, plus an int8 transformer encoder and LSTM models.

Tolerances:
- integer outputs (int8_io, uint8_io): exact (0, automatic for integers);
- float outputs of full-integer models (int8, 16x8, sparse int8, with
  QUANTIZE / DEQUANTIZE at the edges): exact too (tolerance 0.0): the
  integer path is exact, and DEQUANTIZE is one deterministic float multiply;
- dynamic-range and float16 models compute in float: the derived tolerance
  of the float whole models (models.py).

Calibration uses random inputs of the same kind as the case inputs
(Case.representative), so the recorded scales do not depend on anything
outside this file.

Kernels they need (int8 / int16 activations, per-channel int8 weights,
int32 / int64 biases): CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD,
MUL, MEAN, SOFTMAX, LOGISTIC, RESHAPE, QUANTIZE (float to int, and int8 to
uint8 and back), DEQUANTIZE (int and float16), DENSIFY (int8), GATHER,
BATCH_MATMUL, TRANSPOSE, SQUARED_DIFFERENCE, RSQRT, GELU and
UNIDIRECTIONAL_SEQUENCE_LSTM (int8, and hybrid); the hybrid CONV_2D,
DEPTHWISE_CONV_2D and LSTM of the dynamic-range models.

Variants the converter does not produce:
- sparse dynamic-range: with EXPERIMENTAL_SPARSITY the converter keeps the
  pruned weights in float (float DENSIFY, float kernels), so it would be a
  float model; the sparse variants here are full int8 (int8 DENSIFY).
"""
import numpy as np
import tensorflow as tf

from conformance.cases import Case, rng
from conformance.cases import models

DERIVED = models.DERIVED
EXACT = ("full-integer model: the integer path and DEQUANTIZE are exact, so "
         "the float outputs are compared bit for bit")

# Each mode: (Case.quantize, tolerance, reason).
MODES = {
    "int8": ("int8", 0.0, EXACT),
    "int8_io": ("int8_io", 0.0, ""),
    "uint8_io": ("uint8_io", 0.0, ""),
    "16x8": ("16x8", 0.0, EXACT),
    "dynamic": ("dynamic", DERIVED, models.WHY + "; dynamic-range weights"),
    "float16": ("float16", DERIVED, models.WHY + "; float16 weights"),
}


def _prune(model, fraction):
  """Zeroes the smallest `fraction` of every convolution and dense kernel
  (as magnitude pruning would), so the converter stores them sparse."""
  for w in model.weights:
    if len(w.shape) >= 2 and "kernel" in w.name:
      v = w.numpy()
      v[np.abs(v) < np.quantile(np.abs(v), fraction)] = 0.0
      w.assign(v)
  return model


def _int8(model, samples, sparse=False):
  """Full int8 conversion with float io, done here rather than by
  generate.py (Case.quantize) where generate.py cannot: calibration samples
  keep their own dtypes (int32 token ids), and with sparse=True
  EXPERIMENTAL_SPARSITY stores pruned weights sparse, expanded by DENSIFY
  operators."""
  converter = tf.lite.TFLiteConverter.from_keras_model(model)
  converter.optimizations = [tf.lite.Optimize.DEFAULT]
  if sparse:
    converter.optimizations.append(tf.lite.Optimize.EXPERIMENTAL_SPARSITY)
  converter.representative_dataset = lambda: (dict(s) for s in samples)
  converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
  return converter.convert()


def _variants(name, model, inputs, samples, note, modes=MODES):
  for mode, (quantize, tolerance, reason) in modes.items():
    yield Case(name="qmodels/%s_%s" % (name, mode), fn=model,
               inputs=dict(inputs), quantize=quantize, tolerance=tolerance,
               reason="; ".join(x for x in (reason, note) if x),
               representative=samples)


def _lstm(seed, features, units):
  """Float sequence features -> LSTM -> dense, built with Keras 2
  (tf_keras), whose LSTM the converter fuses into one
  UNIDIRECTIONAL_SEQUENCE_LSTM (Keras 3's becomes a WHILE loop)."""
  import tf_keras
  tf_keras.utils.set_random_seed(seed)
  kl = tf_keras.layers
  inp = tf_keras.Input((10, features), batch_size=1, name="features")
  x = kl.LSTM(units)(inp)
  out = kl.Dense(4)(x)
  return tf_keras.Model(inp, out, name="lstm_features")


def cases():
  r = rng(2)

  def images(n, low, high):
    return [{"image": models._images(r, 1, 64, low, high)} for _ in range(n)]

  # MobileNetV2: inputs in [-1, 1], softmax head.
  mobilenet = models._mobilenet_v2()
  samples = images(8, -1.0, 1.0)
  yield from _variants("mobilenet_v2", mobilenet,
                       {"image": models._images(r, 1, 64)}, samples,
                       "alpha 0.35, 64x64, 10 classes")

  # EfficientNet-B0 blocks at width 0.25: inputs in [0, 255], logits.
  efficientnet = models._efficientnet()
  samples = images(8, 0.0, 255.0)
  yield from _variants("efficientnet_b0", efficientnet,
                       {"image": models._images(r, 1, 64, 0.0, 255.0)},
                       samples, "B0 blocks at width 0.25, 64x64, logits")

  # Sparse: the same networks with 80% of each kernel pruned, converted
  # last (pruning changes the weights of the shared Keras models).
  for name, model, low, high in (("mobilenet_v2", mobilenet, -1.0, 1.0),
                                 ("efficientnet_b0", efficientnet, 0.0,
                                  255.0)):
    samples = images(8, low, high)
    _prune(model, 0.8)
    yield Case(name="qmodels/%s_sparse_int8" % name, fn=model,
               inputs={"image": models._images(r, 1, 64, low, high)},
               model_bytes=_int8(model, samples, sparse=True), tolerance=0.0,
               reason=EXACT + "; 80% of each kernel pruned, stored sparse "
               "(DENSIFY)")

  # Transformer encoder (models.py) in full int8: token ids stay int32.
  def tokens(n):
    return r.integers(0, 64, (n, 16)).astype(np.int32)
  transformer = models._transformer()
  yield Case(name="qmodels/transformer_encoder_int8", fn=transformer,
             inputs={"tokens": tokens(2)}, tolerance=0.0, reason=EXACT,
             model_bytes=_int8(transformer,
                               [{"tokens": tokens(1)} for _ in range(8)]))

  # LSTM over float features: full int8, and dynamic range, which the
  # converter applies only to weights of 1024 elements or more: each gate's
  # weights are [units, features] and [units, units], hence 32 x 32.
  def feats(features):
    return {"features": r.normal(0, 1, (1, 10, features)).astype(np.float32)}
  lstm = _lstm(201, 8, 16)
  samples = [feats(8) for _ in range(8)]
  yield Case(name="qmodels/lstm_int8", fn=lstm, inputs=feats(8),
             quantize="int8", tolerance=0.0, reason=EXACT,
             representative=samples)
  yield Case(name="qmodels/lstm_dynamic", fn=_lstm(202, 32, 32),
             inputs=feats(32), quantize="dynamic", tolerance=DERIVED,
             reason=models.WHY + "; dynamic-range LSTM weights")
