"""Makes the custom-op test models (dev-only).

    /path/to/tf-python tools/make_custom_op_model.py

Writes tests/data/custom/<name>.tflite, each converted with
``allow_custom_ops = True`` so that the converter keeps an op it has no
builtin for as a CUSTOM operator:

- my_add: ``y = MyAdd(a, b) + 1`` with float32 [?] inputs. MyAdd is a
  composite: a tf.function whose ``experimental_implements`` names it and
  sets the ``tfl_fusable_op`` attribute, the converter's documented way to
  turn a function into one custom op (TFLite's operation-fusion guide). Its
  other attribute (scale: 2.0) becomes the node's custom options
  (a FlexBuffer map). In TensorFlow it computes (a + b) * scale. Needs
  from_saved_model: from_concrete_functions inlines the function first.
- atan: ``y = atan(x) + 1``, the custom-op guide's example: tf.atan has no
  TFLite builtin, so the converter emits a custom "Atan".
- string_upper: ``y = tf.strings.upper(s)``, a custom "StringUpper" on
  string tensors.

The models are a few hundred bytes each. LiteRT cannot run them without a
kernel for the custom op, so tests compare against numpy.
"""
import os
import tempfile

import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                   "data", "custom")

_MY_ADD_IMPLEMENTS = " ".join([
    'name: "MyAdd"',
    'attr { key: "tfl_fusable_op" value { b: true } }',
    'attr { key: "scale" value { f: 2.0 } }',
])


class MyAddModel(tf.Module):

  @tf.function(experimental_implements=_MY_ADD_IMPLEMENTS)
  def my_add(self, a, b):
    return (a + b) * 2.0

  @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="a"),
                                tf.TensorSpec([None], tf.float32, name="b")])
  def serve(self, a, b):
    return {"y": self.my_add(a, b) + 1.0}


class AtanModel(tf.Module):

  @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
  def serve(self, x):
    return {"y": tf.atan(x) + 1.0}


class UpperModel(tf.Module):

  @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="s")])
  def serve(self, s):
    return {"y": tf.strings.upper(s)}


def convert(module):
  with tempfile.TemporaryDirectory() as saved:
    tf.saved_model.save(module, saved,
                        signatures={"serving_default": module.serve})
    converter = tf.lite.TFLiteConverter.from_saved_model(saved)
    converter.allow_custom_ops = True
    return converter.convert()


def main():
  os.makedirs(OUT, exist_ok=True)
  for name, module in [("my_add", MyAddModel()), ("atan", AtanModel()),
                       ("string_upper", UpperModel())]:
    data = convert(module)
    path = os.path.join(OUT, name + ".tflite")
    with open(path, "wb") as f:
      f.write(data)
    print(f"wrote {path} ({len(data)} bytes)")


if __name__ == "__main__":
  main()
