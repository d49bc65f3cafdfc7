"""Makes the hash-table test models and records LiteRT's results (dev-only).

    /path/to/tf-python tools/make_hashtable_models.py

Writes tests/data/state/hashtable*.tflite and
tests/data/state/hashtable_reference.json: for each model, a script of
signature calls (in order, on one interpreter) with the outputs LiteRT gave
for each, or the error it raised.

- hashtable: two tf.lookup.StaticHashTable (string -> int64 and
  int64 -> string) filled from constants by the initialization subgraph
  (CALL_ONCE, HASHTABLE_IMPORT); signatures `lookup` (both tables),
  `lookup_words`, `lookup_ids`, `words_2d` (rank-2 keys) and `size`.
  The script's results (and hashtable_large's) are also checked against
  TensorFlow itself.
- hashtable_dup: an int64 -> string table whose constant keys were patched
  after conversion to hold a repeated key (TensorFlow refuses to build that
  table, LiteRT keeps the first value).
- hashtable_large: a string -> int64 table of LARGE_N keys, looked up in
  full (with misses), for probing over many colliding slots.
- hashtable_no_init: `hashtable` without CALL_ONCE in `size` and
  `lookup_words`: the tables exist empty (size 0, lookups fail) until
  another signature runs the initialization subgraph.
- hashtable_bad_types: `hashtable` with an int32 -> string HASHTABLE in
  `size` (not supported: that signature fails to prepare).
- hashtable_wrong_key: `hashtable` with the HASHTABLE op of `lookup_ids`
  patched to name the string-keyed table: looking int64 keys up in it fails
  in HASHTABLE_FIND, the other signatures keep working.
"""
import importlib.metadata
import json
import os
import tempfile

import numpy as np
import tensorflow as tf
from ai_edge_litert import interpreter as litert
from tensorflow.lite.tools import flatbuffer_utils

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                   "data", "state")

WORDS = ["apple", "banana", "cherry", "", "caf\u00e9", "a longer key, with "
         "punctuation"]
WORD_IDS = [1, 2, 3, 40, -5, 2**40]
IDS = [0, 7, -1, 2**62, -2**63, 123456789]
ID_WORDS = ["zero", "seven", "minus one", "big", "", "\u00fcber"]


class Tables(tf.Module):

  def __init__(self):
    super().__init__()
    self.word_to_id = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant(WORDS), tf.constant(WORD_IDS, tf.int64)),
        default_value=-1)
    self.id_to_word = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant(IDS, tf.int64), tf.constant(ID_WORDS)),
        default_value="<unk>")

  @tf.function(input_signature=[tf.TensorSpec([None], tf.string),
                                tf.TensorSpec([None], tf.int64)])
  def lookup(self, words, ids):
    return {"ids": self.word_to_id.lookup(words),
            "words": self.id_to_word.lookup(ids)}

  @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
  def lookup_words(self, words):
    return {"ids": self.word_to_id.lookup(words)}

  @tf.function(input_signature=[tf.TensorSpec([None], tf.int64)])
  def lookup_ids(self, ids):
    return {"words": self.id_to_word.lookup(ids)}

  @tf.function(input_signature=[tf.TensorSpec([None, None], tf.string)])
  def words_2d(self, words):
    return {"ids": self.word_to_id.lookup(words)}

  @tf.function(input_signature=[])
  def size(self):
    return {"words": self.word_to_id.size(), "ids": self.id_to_word.size()}


LARGE_N = 1000


def large_keys():
  return ["key-%d" % (i * 7919 % 100003) for i in range(LARGE_N)]


class Large(tf.Module):

  def __init__(self):
    super().__init__()
    self.table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant(large_keys()),
            tf.constant([i * i - 500 for i in range(LARGE_N)], tf.int64)),
        default_value=7)

  @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
  def lookup(self, words):
    return {"ids": self.table.lookup(words)}

  @tf.function(input_signature=[])
  def size(self):
    return {"size": self.table.size()}


class Small(tf.Module):

  def __init__(self):
    super().__init__()
    self.table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant([11, 22, 33], tf.int64),
            tf.constant(["first", "second", "third"])),
        default_value="none")

  @tf.function(input_signature=[tf.TensorSpec([None], tf.int64)])
  def lookup(self, ids):
    return {"words": self.table.lookup(ids)}

  @tf.function(input_signature=[])
  def size(self):
    return {"size": self.table.size()}


def convert(module, signatures):
  with tempfile.TemporaryDirectory() as tmp:
    tf.saved_model.save(module, tmp, signatures={
        k: getattr(module, k).get_concrete_function() for k in signatures})
    return tf.lite.TFLiteConverter.from_saved_model(tmp).convert()


def patch_duplicate_key(model):
  """Rewrites the int64 constant [11, 22, 33] to [11, 22, 11]."""
  m = flatbuffer_utils.convert_bytearray_to_object(bytearray(model))
  want = np.array([11, 22, 33], np.int64).tobytes()
  hits = [b for b in m.buffers
          if b.data is not None and bytes(np.asarray(b.data, np.uint8)) == want]
  assert len(hits) == 1, "expected one buffer holding the keys"
  hits[0].data = np.frombuffer(np.array([11, 22, 11], np.int64).tobytes(),
                               np.uint8).copy()
  return bytes(flatbuffer_utils.convert_object_to_bytearray(m))


def patch_wrong_table(model):
  """Points the HASHTABLE op of signature `lookup_ids` at the other table."""
  m = flatbuffer_utils.convert_bytearray_to_object(bytearray(model))
  code = lambda op: m.operatorCodes[op.opcodeIndex].builtinCode
  sig = next(s for s in m.signatureDefs
             if s.signatureKey.decode() == "lookup_ids")
  tables = [op for op in m.subgraphs[sig.subgraphIndex].operators
            if code(op) == 136]
  assert len(tables) == 1
  string_keyed = None
  for sg in m.subgraphs:
    for op in sg.operators:
      if code(op) == 136 and op.builtinOptions.keyDtype == 5:  # STRING
        string_keyed = op.builtinOptions.tableId
  assert string_keyed is not None
  tables[0].builtinOptions.tableId = string_keyed
  return bytes(flatbuffer_utils.convert_object_to_bytearray(m))


def patch_no_init(model):
  """Drops CALL_ONCE from signatures `size` and `lookup_words`."""
  m = flatbuffer_utils.convert_bytearray_to_object(bytearray(model))
  for sig in m.signatureDefs:
    if sig.signatureKey.decode() in ("size", "lookup_words"):
      sg = m.subgraphs[sig.subgraphIndex]
      sg.operators = [op for op in sg.operators
                      if m.operatorCodes[op.opcodeIndex].builtinCode != 129]
  return bytes(flatbuffer_utils.convert_object_to_bytearray(m))


def patch_bad_types(model):
  """Makes the first HASHTABLE op of signature `size` an int32 -> string
  table, a pair TFLite does not support."""
  m = flatbuffer_utils.convert_bytearray_to_object(bytearray(model))
  sig = next(s for s in m.signatureDefs if s.signatureKey.decode() == "size")
  op = next(op for op in m.subgraphs[sig.subgraphIndex].operators
            if m.operatorCodes[op.opcodeIndex].builtinCode == 136)
  op.builtinOptions.keyDtype = 2  # INT32
  op.builtinOptions.valueDtype = 5  # STRING
  return bytes(flatbuffer_utils.convert_object_to_bytearray(m))


def to_json(value):
  value = np.asarray(value)
  if value.dtype == object or value.dtype.kind in "SU":
    flat = [v.decode("utf-8") if isinstance(v, bytes) else str(v)
            for v in value.reshape(-1)]
    return {"dtype": "string", "shape": list(value.shape), "value": flat}
  return {"dtype": str(value.dtype), "shape": list(value.shape),
          "value": value.tolist()}


def record(model, script):
  """Runs (signature, inputs[, op expected to fail]) steps on LiteRT."""
  interp = litert.Interpreter(model_content=model)
  steps = []
  for key, inputs, *failing_op in script:
    step = {"signature": key,
            "inputs": {k: to_json(v) for k, v in inputs.items()}}
    try:
      outputs = interp.get_signature_runner(key)(**inputs)
      assert not failing_op, (key, "LiteRT did not fail")
      step["outputs"] = {k: to_json(v) for k, v in outputs.items()}
    except Exception as e:  # recorded: the test expects an error too
      assert failing_op and failing_op[0] in str(e), (key, e)
      step["error"] = " ".join(str(e).split())
      step["error_op"] = failing_op[0]
    steps.append(step)
  return steps


def check_against_tf(module, steps):
  """TensorFlow's own results for the steps LiteRT ran."""
  for step in steps:
    if "outputs" not in step:
      continue
    fn = getattr(module, step["signature"])
    args = {}
    for k, spec in step["inputs"].items():
      if spec["dtype"] == "string":
        args[k] = tf.constant(np.array(
            [s.encode() for s in spec["value"]], object).reshape(spec["shape"]))
      else:
        args[k] = tf.constant(np.array(spec["value"], spec["dtype"]).reshape(
            spec["shape"]))
    got = {k: to_json(v.numpy()) for k, v in fn(**args).items()}
    for k, want in step["outputs"].items():
      # LiteRT's HASHTABLE_SIZE gives shape [1], TF a scalar.
      if step["signature"] == "size":
        assert got[k]["value"] == want["value"][0], (step, got)
      else:
        assert got[k] == want, (step, got)


def b(*words):
  return np.array([w.encode("utf-8") for w in words], dtype=object)


def i64(*values):
  return np.array(values, np.int64)


def main():
  os.makedirs(OUT, exist_ok=True)
  tables = Tables()
  main_keys = ["lookup", "lookup_words", "lookup_ids", "words_2d", "size"]
  main_script = [
      ("size", {}),
      ("lookup", {"words": b("banana", "durian", "", "caf\u00e9"),
                  "ids": i64(7, 8, 2**62, -2**63)}),
      ("lookup_words", {"words": b(*WORDS, "Apple", "apple ")}),
      ("lookup_ids", {"ids": i64(*IDS, 1, -2**62)}),
      ("lookup_words", {"words": b()}),
      ("lookup_ids", {"ids": i64()}),
      ("words_2d", {"words": b("apple", "x", "cherry", "banana", "",
                               "y").reshape(2, 3)}),
      ("words_2d", {"words": b().reshape(0, 4)}),
      ("size", {}),
  ]
  large = Large()
  small = Small()
  small_model = convert(small, ["lookup", "size"])
  main_model = convert(tables, main_keys)
  models = {
      "hashtable": (main_model, main_script),
      "hashtable_dup": (patch_duplicate_key(small_model), [
          ("size", {}),
          ("lookup", {"ids": i64(11, 22, 33, 0)}),
      ]),
      "hashtable_large": (convert(large, ["lookup", "size"]), [
          ("size", {}),
          ("lookup", {"words": b(*reversed(large_keys()), "key-1", "key-2",
                                 "key-", "key-00")}),
      ]),
      "hashtable_wrong_key": (patch_wrong_table(main_model), [
          ("lookup_words", {"words": b("cherry", "none")}),
          ("lookup_ids", {"ids": i64(7, 0)}, "HASHTABLE_FIND"),
          ("size", {}),
          ("lookup_ids", {"ids": i64(7)}, "HASHTABLE_FIND"),
          ("lookup", {"words": b("apple"), "ids": i64(0)}),
      ]),
      "hashtable_no_init": (patch_no_init(main_model), [
          ("size", {}),
          ("lookup_words", {"words": b("apple")}, "HASHTABLE_FIND"),
          ("lookup_ids", {"ids": i64(7)}),
          ("size", {}),
          ("lookup_words", {"words": b("apple")}),
      ]),
      "hashtable_bad_types": (patch_bad_types(main_model), [
          ("size", {}, "HASHTABLE"),
          ("lookup_words", {"words": b("apple")}),
          ("size", {}, "HASHTABLE"),
      ]),
  }
  about = ("Recorded from ai-edge-litert %s by "
           "tools/make_hashtable_models.py; the `hashtable` and "
           "`hashtable_large` results were also checked against TensorFlow "
           "%s running the tf.Module's functions. Strings are UTF-8."
           % (importlib.metadata.version("ai-edge-litert"), tf.__version__))
  reference = {"about": about}
  for name, (model, script) in models.items():
    with open(os.path.join(OUT, name + ".tflite"), "wb") as f:
      f.write(model)
    reference[name] = record(model, script)
    print(name, len(model), "bytes")
  check_against_tf(tables, reference["hashtable"])
  check_against_tf(large, reference["hashtable_large"])
  assert all("outputs" in s for s in reference["hashtable"])
  with open(os.path.join(OUT, "hashtable_reference.json"), "w") as f:
    json.dump(reference, f, indent=1, ensure_ascii=False)
    f.write("\n")


if __name__ == "__main__":
  main()
