"""Hash tables (HASHTABLE, HASHTABLE_IMPORT, HASHTABLE_FIND, HASHTABLE_SIZE):
tf.lookup.StaticHashTable models filled by their initialization subgraph and
shared by every signature (tests/data/state/hashtable*.tflite).

The models and LiteRT's results for each call script are made by
tools/make_hashtable_models.py.
"""
import json
import os
import threading

import numpy as np
import pytest

import pylite

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "state")
_REFERENCE_PATH = os.path.join(DATA, "hashtable_reference.json")
with open(_REFERENCE_PATH, encoding="utf-8") as f:
  REFERENCE = json.load(f)


def _array(spec):
  if spec["dtype"] == "string":
    flat = np.empty(len(spec["value"]), dtype=object)
    flat[:] = [s.encode("utf-8") for s in spec["value"]]
    return flat.reshape(spec["shape"])
  return np.array(spec["value"], dtype=spec["dtype"]).reshape(spec["shape"])


def _words(*words):
  out = np.empty(len(words), dtype=object)
  out[:] = [w.encode("utf-8") for w in words]
  return out


def _interpreter(name="hashtable"):
  return pylite.Interpreter(model_path=os.path.join(DATA, name + ".tflite"))


def _check(got, outputs, what=""):
  assert sorted(got) == sorted(outputs)
  for name, spec in outputs.items():
    want = _array(spec)
    value = np.asarray(got[name])
    assert value.shape == want.shape, (what, name)
    if spec["dtype"] == "string":
      assert value.dtype == object, (what, name)
      assert value.reshape(-1).tolist() == want.reshape(-1).tolist(), what
    else:
      assert value.dtype == want.dtype, (what, name)
      np.testing.assert_array_equal(value, want, err_msg=what)


def _run_script(interp, steps):
  for step in steps:
    runner = interp.get_signature_runner(step["signature"])
    inputs = {k: _array(v) for k, v in step["inputs"].items()}
    if "error" in step:
      with pytest.raises(pylite.PyliteError) as info:
        runner(**inputs)
      # LiteRT and pylite both name the failing op.
      assert step["error_op"] in step["error"]
      assert step["error_op"] in str(info.value)
    else:
      _check(runner(**inputs), step["outputs"], step["signature"])


@pytest.mark.parametrize("name", ["hashtable", "hashtable_dup",
                                  "hashtable_large", "hashtable_wrong_key",
                                  "hashtable_no_init", "hashtable_bad_types"])
def test_script_matches_litert(name):
  _run_script(_interpreter(name), REFERENCE[name])


def test_present_and_missing_keys():
  interp = _interpreter()
  ids = interp.get_signature_runner("lookup_words")(
      words=_words("cherry", "cherries", "", "caf\u00e9", "cafe"))["ids"]
  assert ids.dtype == np.int64
  np.testing.assert_array_equal(ids, [3, -1, 40, -5, -1])
  words = interp.get_signature_runner("lookup_ids")(
      ids=np.array([2**62, 3, -2**63, 0], np.int64))["words"]
  assert words.tolist() == [b"big", b"<unk>", b"", b"zero"]


def test_keys_keep_their_shape():
  interp = _interpreter()
  grid = interp.get_signature_runner("words_2d")
  keys = _words("apple", "nope", "banana", "cherry").reshape(2, 2)
  np.testing.assert_array_equal(grid(words=keys)["ids"], [[1, -1], [2, 3]])
  # The next call changes the shape, and an empty one works too.
  ids = grid(words=_words("cherry", "apple", "x").reshape(3, 1))["ids"]
  np.testing.assert_array_equal(ids, [[3], [1], [-1]])
  assert grid(words=_words().reshape(0, 5))["ids"].shape == (0, 5)


def test_size_is_int64_of_shape_1():
  interp = _interpreter()
  size = interp.get_signature_runner("size")()
  for name in ("words", "ids"):
    assert size[name].dtype == np.int64 and size[name].shape == (1,)
    assert size[name][0] == 6
  # A repeated key in the imported constants counts once.
  dup = _interpreter("hashtable_dup").get_signature_runner("size")()
  assert dup["size"].tolist() == [2]


def test_runner_objects_and_signatures_share_the_tables():
  interp = _interpreter()
  # `size` runs first: its CALL_ONCE fills the tables for everyone.
  assert interp.get_signature_runner("size")()["words"][0] == 6
  words = interp.get_signature_runner("lookup_words")
  both = interp.get_signature_runner("lookup")
  words_again = interp.get_signature_runner("lookup_words")
  for _ in range(3):
    np.testing.assert_array_equal(words(words=_words("apple"))["ids"], [1])
    got = both(words=_words("banana"), ids=np.array([7], np.int64))
    np.testing.assert_array_equal(got["ids"], [2])
    assert got["words"].tolist() == [b"seven"]
    np.testing.assert_array_equal(
        words_again(words=_words("cherry"))["ids"], [3])
  assert interp.get_signature_runner("size")()["ids"][0] == 6
  # Another interpreter of the model has its own tables.
  other = _interpreter()
  np.testing.assert_array_equal(
      other.get_signature_runner("lookup_words")(words=_words("apple"))["ids"],
      [1])


def test_reset_rebuilds_the_tables():
  interp = _interpreter()
  lookup = interp.get_signature_runner("lookup_ids")
  assert lookup(ids=np.array([7], np.int64))["words"].tolist() == [b"seven"]
  for _ in range(2):
    interp.reset()
    # The initialization subgraph runs again on the next call, whichever
    # signature it is; the runner objects made before the reset still work.
    assert interp.get_signature_runner("size")()["ids"].tolist() == [6]
    assert lookup(ids=np.array([0, 5], np.int64))["words"].tolist() == [
        b"zero", b"<unk>"]
  interp.reset()
  _run_script(interp, REFERENCE["hashtable"])


def test_wrong_key_dtype_in_the_model_is_a_clear_error():
  """`lookup_ids` of hashtable_wrong_key looks int64 keys up in the
  string-keyed table."""
  interp = _interpreter("hashtable_wrong_key")
  bad = interp.get_signature_runner("lookup_ids")
  for _ in range(2):
    with pytest.raises(RuntimeError) as info:
      bad(ids=np.array([7], np.int64))
    message = str(info.value)
    assert "HASHTABLE_FIND" in message
    assert "STRING keys" in message and "INT64 keys" in message
    # The interpreter stays usable: the other signatures still work.
    np.testing.assert_array_equal(
        interp.get_signature_runner("lookup_words")(
            words=_words("banana"))["ids"], [2])
    assert interp.get_signature_runner("size")()["words"].tolist() == [6]


def test_table_used_before_import():
  """hashtable_no_init: `size` and `lookup_words` lack the CALL_ONCE."""
  interp = _interpreter("hashtable_no_init")
  assert interp.get_signature_runner("size")()["words"].tolist() == [0]
  words = interp.get_signature_runner("lookup_words")
  with pytest.raises(RuntimeError, match="before it was initialized"):
    words(words=_words("apple"))
  # `lookup_ids` runs the initialization subgraph, which fills both tables.
  interp.get_signature_runner("lookup_ids")(ids=np.array([7], np.int64))
  np.testing.assert_array_equal(words(words=_words("apple"))["ids"], [1])
  # After a reset the tables are gone until an initializing signature runs.
  interp.reset()
  assert interp.get_signature_runner("size")()["ids"].tolist() == [0]
  with pytest.raises(RuntimeError, match="HASHTABLE_FIND"):
    words(words=_words("apple"))


def test_unsupported_table_types():
  interp = _interpreter("hashtable_bad_types")
  with pytest.raises(pylite.PyliteError) as info:
    interp.get_signature_runner("size")()
  assert "HASHTABLE" in str(info.value)
  assert "INT32 to STRING is not supported" in str(info.value)
  np.testing.assert_array_equal(
      interp.get_signature_runner("lookup_words")(
          words=_words("banana"))["ids"], [2])


def test_wrong_input_dtype_is_rejected_and_interpreter_stays_usable():
  interp = _interpreter()
  ids = interp.get_signature_runner("lookup_ids")
  words = interp.get_signature_runner("lookup_words")
  with pytest.raises(ValueError):
    ids(ids=np.array([7], np.int32))
  with pytest.raises(ValueError):
    ids(ids=_words("seven"))
  with pytest.raises(ValueError):
    words(words=np.array([1, 2], np.int64))
  assert ids(ids=np.array([7], np.int64))["words"].tolist() == [b"seven"]
  np.testing.assert_array_equal(words(words=_words("apple"))["ids"], [1])


def test_large_table():
  interp = _interpreter("hashtable_large")
  keys = ["key-%d" % (i * 7919 % 100003) for i in range(1000)]
  lookup = interp.get_signature_runner("lookup")
  got = lookup(words=_words(*keys))["ids"]
  np.testing.assert_array_equal(got, [i * i - 500 for i in range(1000)])
  missing = lookup(words=_words(*(k + "x" for k in keys)))["ids"]
  assert (missing == 7).all()


def test_concurrent_lookups_share_one_table():
  """Signatures on several threads at once (LiteRT forbids it)."""
  interp = _interpreter()
  errors = []

  def by_word():
    runner = interp.get_signature_runner("lookup_words")
    for i in range(200):
      got = runner(words=_words("banana", "x%d" % i))["ids"].tolist()
      if got != [2, -1]:
        errors.append(got)

  def by_id():
    runner = interp.get_signature_runner("lookup_ids")
    for i in range(200):
      got = runner(ids=np.array([i % 2 * 7, 100 + i], np.int64))["words"]
      if got.tolist() != [b"seven" if i % 2 else b"zero", b"<unk>"]:
        errors.append(got)

  def sizes():
    runner = interp.get_signature_runner("size")
    for _ in range(200):
      got = runner()
      if got["words"].tolist() != [6] or got["ids"].tolist() != [6]:
        errors.append(got)

  threads = [threading.Thread(target=f) for f in (by_word, by_id, sizes)]
  for t in threads:
    t.start()
  for t in threads:
    t.join()
  assert not errors


def test_op_details_name_hashtable_ops():
  # As in LiteRT, the details cover the first subgraph (`lookup`).
  names = [d["op_name"] for d in _interpreter()._get_ops_details()]
  assert names == ["CALL_ONCE", "HASHTABLE", "HASHTABLE", "HASHTABLE_FIND",
                   "HASHTABLE_FIND"]
