"""pylite.Interpreter against LiteRT (recorded) and numpy."""

import gc
import os
import tempfile
import weakref

import numpy as np
import pytest

import pylite
from pylite import Interpreter
from pylite.__main__ import main as cli_main

from conftest import (assert_array_matches, assert_outcome, dense_numpy,
                      jsonable_details, strip_signatures)

IN = 0  # input tensor index of dense.tflite (checked against the reference)


# ---- the bad calls recorded from LiteRT, made on pylite ---------------------------


def _dense_cases(path, content):
  x1 = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)

  def fresh():
    return Interpreter(model_path=path)

  def allocated():
    it = fresh()
    it.allocate_tensors()
    return it

  def view_then(method):
    def run():
      it = allocated()
      view = it.tensor(IN)()  # noqa: F841 (held on purpose)
      getattr(it, method)()
    return run

  garbage_dir = tempfile.mkdtemp()
  garbage_file = os.path.join(garbage_dir, "garbage.tflite")
  with open(garbage_file, "wb") as f:
    f.write(b"not a tflite model" * 8)

  return {
      "ctor_nothing": lambda: Interpreter(),
      "ctor_both": lambda: Interpreter(model_path=path, model_content=content),
      "ctor_empty_content": lambda: Interpreter(model_content=b""),
      "ctor_num_threads_str": lambda: Interpreter(model_path=path,
                                                  num_threads="2"),
      "ctor_num_threads_float": lambda: Interpreter(model_path=path,
                                                    num_threads=2.0),
      "ctor_num_threads_zero": lambda: Interpreter(model_path=path,
                                                   num_threads=0),
      "ctor_num_threads_negative": lambda: Interpreter(model_path=path,
                                                       num_threads=-1),
      "ctor_num_threads_two": lambda: Interpreter(model_path=path,
                                                  num_threads=2),
      "ctor_missing_file": lambda: Interpreter(
          model_path="/nonexistent/x.tflite"),
      "ctor_garbage_content": lambda: Interpreter(
          model_content=b"not a tflite model" * 8),
      "ctor_truncated_content": lambda: Interpreter(
          model_content=content[:len(content) // 2]),
      "ctor_garbage_file": lambda: Interpreter(model_path=garbage_file),
      "invoke_unallocated": lambda: fresh().invoke(),
      "get_tensor_index_too_big": lambda: fresh().get_tensor(999),
      "get_tensor_index_negative": lambda: fresh().get_tensor(-1),
      "get_tensor_unallocated": lambda: fresh().get_tensor(IN),
      "get_tensor_bad_subgraph": lambda: fresh().get_tensor(
          0, subgraph_index=7),
      "set_tensor_int32": lambda: allocated().set_tensor(
          IN, x1.astype(np.int32)),
      "set_tensor_python_list": lambda: allocated().set_tensor(
          IN, [1.0, 2.0, 3.0, 4.0]),
      "set_tensor_wrong_dim": lambda: allocated().set_tensor(
          IN, np.zeros((1, 3), np.float32)),
      "set_tensor_wrong_rank": lambda: allocated().set_tensor(
          IN, np.zeros((4,), np.float32)),
      "set_tensor_unallocated": lambda: fresh().set_tensor(IN, x1),
      "set_tensor_index_too_big": lambda: allocated().set_tensor(999, x1),
      "set_tensor_ok": lambda: allocated().set_tensor(IN, x1),
      "resize_not_1d": lambda: fresh().resize_tensor_input(IN, [[1, 4]]),
      "resize_strict_fixed_dim": lambda: fresh().resize_tensor_input(
          IN, [1, 5], strict=True),
      "resize_strict_rank_change": lambda: fresh().resize_tensor_input(
          IN, [1, 4, 1], strict=True),
      "resize_strict_batch_ok": lambda: fresh().resize_tensor_input(
          IN, [5, 4], strict=True),
      "resize_non_strict_fixed_dim_ok": lambda: fresh().resize_tensor_input(
          IN, [1, 5]),
      "resize_bad_index": lambda: fresh().resize_tensor_input(999, [1, 4]),
      "tensor_details_bad_subgraph": lambda: fresh().get_tensor_details(3),
      "view_then_invoke": view_then("invoke"),
      "view_then_allocate": view_then("allocate_tensors"),
  }


INTERPRETER_CASES = sorted(_dense_cases("", b"").keys())


@pytest.mark.parametrize("name", INTERPRETER_CASES)
def test_bad_call_matches_litert(name, dense_path, dense_bytes, dense_ref):
  fn = _dense_cases(dense_path, dense_bytes)[name]
  assert_outcome(fn, dense_ref["errors"][name])


def test_every_recorded_interpreter_case_is_checked(dense_ref):
  recorded = {k for k in dense_ref["errors"] if not k.startswith("runner_")}
  assert recorded == set(INTERPRETER_CASES)


def test_bad_model_message_includes_the_c_reason():
  with pytest.raises(pylite.PyliteValueError) as info:
    Interpreter(model_content=b"\x00" * 64)
  assert info.value.args[0].startswith(
      "The model is not a valid Flatbuffer buffer: ")
  assert len(info.value.args[0]) > len(
      "The model is not a valid Flatbuffer buffer: ")


def test_unknown_op_resolver_type(dense_path):
  with pytest.raises(ValueError, match="Unrecognized passed in op resolver"):
    Interpreter(model_path=dense_path, experimental_op_resolver_type=7)
  for t in pylite.OpResolverType:
    Interpreter(model_path=dense_path, experimental_op_resolver_type=t)


def test_delegates_are_refused(dense_path):
  with pytest.raises(pylite.PyliteValueError):
    Interpreter(model_path=dense_path, experimental_delegates=[object()])
  with pytest.raises(ValueError):
    pylite.load_delegate("libdelegate.so")


# ---- details -----------------------------------------------------------------------


def test_input_output_details_match_litert(dense_path, dense_ref):
  it = Interpreter(model_path=dense_path)
  assert [jsonable_details(d) for d in it.get_input_details()] == \
      dense_ref["input_details"]
  assert [jsonable_details(d) for d in it.get_output_details()] == \
      dense_ref["output_details"]
  assert dense_ref["input_details"][0]["index"] == IN


def test_tensor_details_match_litert(dense_path, coding_path, dense_ref,
                                     coding_ref):
  for path, ref in ((dense_path, dense_ref), (coding_path, coding_ref)):
    it = Interpreter(model_path=path)
    assert it.num_subgraphs() == ref["num_subgraphs"]
    for s in range(it.num_subgraphs()):
      assert [jsonable_details(d) for d in it.get_tensor_details(s)] == \
          ref["tensor_details"][str(s)], (path, s)


def test_detail_value_types(coding_path):
  it = Interpreter(model_path=coding_path)
  details = it.get_signature_runner("decode").get_input_details()["x"]
  assert details["dtype"] is np.bytes_
  assert details["shape"].dtype == np.int32
  assert details["shape_signature"].dtype == np.int32
  assert isinstance(details["quantization"], tuple)
  assert isinstance(details["index"], int)


def test_output_details_after_invoke_and_resize(dense_path, dense_ref):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  it.set_tensor(IN, np.zeros((1, 4), np.float32))
  it.invoke()
  assert [jsonable_details(d) for d in it.get_output_details()] == \
      dense_ref["output_details_after_invoke"]
  case = dense_ref["resize_case"]
  it.resize_tensor_input(IN, [3, 4], strict=True)
  it.allocate_tensors()
  it.set_tensor(IN, np.array(case["input"], np.float32))
  it.invoke()
  assert [jsonable_details(d) for d in it.get_input_details()] == \
      case["input_details"]
  assert [jsonable_details(d) for d in it.get_output_details()] == \
      case["output_details"]
  out = it.get_tensor(it.get_output_details()[0]["index"])
  assert_array_matches(out, case["output"])


# ---- values ------------------------------------------------------------------------


def test_constant_tensors_match_litert(dense_path, dense_ref):
  it = Interpreter(model_path=dense_path)
  assert dense_ref["constant_tensors"]
  for index, record in dense_ref["constant_tensors"].items():
    assert_array_matches(it.get_tensor(int(index)), record, exact=True)


def test_invoke_matches_litert(dense_path, dense_ref):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  out = it.get_output_details()[0]["index"]
  for case in dense_ref["invoke_cases"]:
    it.set_tensor(IN, np.array(case["input"], dtype=np.float32))
    it.invoke()
    assert_array_matches(it.get_tensor(out), case["output"])


@pytest.mark.parametrize("batch", [1, 2, 7, 64])
def test_invoke_matches_numpy(dense_path, batch):
  it = Interpreter(model_path=dense_path)
  rng = np.random.default_rng(batch)
  x = rng.normal(scale=3.0, size=(batch, 4)).astype(np.float32)
  it.resize_tensor_input(IN, [batch, 4], strict=True)
  it.allocate_tensors()
  it.set_tensor(IN, x)
  it.invoke()
  out = it.get_tensor(it.get_output_details()[0]["index"])
  assert out.shape == (batch, 1) and out.dtype == np.float32
  np.testing.assert_allclose(out, dense_numpy(dense_path, x), rtol=1e-5,
                             atol=1e-5)


def test_num_threads_gives_same_results(dense_path):
  x = np.random.default_rng(0).normal(size=(16, 4)).astype(np.float32)
  results = []
  for threads in (None, 1, 2, 4):
    it = Interpreter(model_path=dense_path, num_threads=threads)
    results.append(it.get_signature_runner()(keras_tensor=x)["output_0"])
  for r in results[1:]:
    np.testing.assert_array_equal(r, results[0])
  np.testing.assert_allclose(results[0], dense_numpy(dense_path, x),
                             rtol=1e-5, atol=1e-5)


def test_get_tensor_returns_a_copy(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  it.set_tensor(IN, np.ones((1, 4), np.float32))
  first = it.get_tensor(IN)
  first[:] = 42
  np.testing.assert_array_equal(it.get_tensor(IN), np.ones((1, 4)))


def test_set_tensor_copies(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  x = np.ones((1, 4), np.float32)
  it.set_tensor(IN, x)
  x[:] = 5
  np.testing.assert_array_equal(it.get_tensor(IN), np.ones((1, 4)))


def test_set_tensor_accepts_non_contiguous(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  x = np.arange(8, dtype=np.float32).reshape(4, 2).T[:1]  # not C-contiguous
  it.set_tensor(IN, x)
  np.testing.assert_array_equal(it.get_tensor(IN), [[0, 2, 4, 6]])


def test_tensor_view_is_zero_copy(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  inp = it.tensor(IN)
  out = it.tensor(it.get_output_details()[0]["index"])
  inp()[:] = np.array([[1.0, 2.0, 3.0, 4.0]], np.float32)
  np.testing.assert_array_equal(it.get_tensor(IN), [[1, 2, 3, 4]])
  it.invoke()
  expected = dense_numpy(dense_path, np.array([[1, 2, 3, 4]], np.float32))
  np.testing.assert_allclose(out(), expected, rtol=1e-5)
  for value in (0.0, -1.0, 3.0):
    inp().fill(value)
    it.invoke()
    np.testing.assert_allclose(
        out(), dense_numpy(dense_path, np.full((1, 4), value, np.float32)),
        rtol=1e-5, atol=1e-6)


def test_live_view_blocks_reallocation_until_dropped(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  view = it.tensor(IN)()
  part = view[0, 1:]  # a slice keeps the view's base alive too
  del view
  for call in (it.invoke, it.allocate_tensors, it.close,
               lambda: it.resize_tensor_input(IN, [2, 4])):
    with pytest.raises(RuntimeError):
      call()
  del part
  it.invoke()
  it.allocate_tensors()


def test_view_keeps_interpreter_alive(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  it.set_tensor(IN, np.full((1, 4), 7, np.float32))
  view = it.tensor(IN)()
  ref = weakref.ref(it)
  del it
  gc.collect()
  assert ref() is not None
  np.testing.assert_array_equal(view, np.full((1, 4), 7))
  del view
  gc.collect()
  assert ref() is None


# ---- resizing --------------------------------------------------------------------


def test_resize_strict_only_unknown_dims(dense_path):
  it = Interpreter(model_path=dense_path)
  with pytest.raises(pylite.PyliteRuntimeError) as info:
    it.resize_tensor_input(IN, [1, 5], strict=True)
  assert str(info.value)  # carries the C message
  it.resize_tensor_input(IN, [9, 4], strict=True)
  it.allocate_tensors()
  assert list(it.get_input_details()[0]["shape"]) == [9, 4]
  assert list(it.get_input_details()[0]["shape_signature"]) == [-1, 4]


def test_resize_needs_allocation(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  it.resize_tensor_input(IN, [2, 4])
  with pytest.raises(RuntimeError):
    it.invoke()
  it.allocate_tensors()
  it.set_tensor(IN, np.ones((2, 4), np.float32))
  it.invoke()


def test_resize_shape_out_of_int32(dense_path):
  it = Interpreter(model_path=dense_path)
  with pytest.raises(ValueError):
    it.resize_tensor_input(IN, [2**31, 4])


# ---- signatures --------------------------------------------------------------------


def test_signature_lists_match_litert(dense_path, coding_path, dense_ref,
                                      coding_ref):
  for path, ref in ((dense_path, dense_ref), (coding_path, coding_ref)):
    it = Interpreter(model_path=path)
    assert it.get_signature_list() == ref["signature_list"]
    assert list(it.get_signature_list()) == list(ref["signature_list"])
    assert it._get_full_signature_list() == ref["full_signature_list"]  # pylint: disable=protected-access


def test_signature_list_is_a_fresh_copy(dense_path):
  it = Interpreter(model_path=dense_path)
  it.get_signature_list()["serving_default"]["inputs"].append("junk")
  it._get_full_signature_list()["serving_default"]["inputs"]["junk"] = 3  # pylint: disable=protected-access
  assert it.get_signature_list()["serving_default"]["inputs"] == [
      "keras_tensor"]


def test_model_without_signatures(nosig_bytes, dense_ref):
  ref = dense_ref["nosig"]
  it = Interpreter(model_content=nosig_bytes)
  assert it.get_signature_list() == ref["signature_list"] == {}
  assert [jsonable_details(d) for d in it.get_input_details()] == \
      ref["input_details"]
  assert_outcome(lambda: it.get_signature_runner("serving_default"),
                 ref["errors"]["runner_serving_default"])
  it.allocate_tensors()
  it.set_tensor(IN, np.array([[1.0, 2.0, 3.0, 4.0]], np.float32))
  it.invoke()
  assert_array_matches(it.get_tensor(it.get_output_details()[0]["index"]),
                       ref["invoke_output"])


# ---- lifetime ----------------------------------------------------------------------


def test_close_is_idempotent_and_final(dense_path):
  it = Interpreter(model_path=dense_path)
  it.allocate_tensors()
  it.close()
  it.close()
  assert it.closed
  for call in (it.invoke, it.allocate_tensors, it.get_input_details,
               it.num_subgraphs, lambda: it.get_tensor(IN),
               lambda: it.set_tensor(IN, np.zeros((1, 4), np.float32)),
               lambda: it.tensor(IN)(), it.reset_all_variables):
    with pytest.raises(pylite.PyliteClosedError):
      call()
  with pytest.raises(RuntimeError):
    it.invoke()


def test_context_manager(dense_path):
  with Interpreter(model_path=dense_path) as it:
    it.allocate_tensors()
    it.invoke()
  assert it.closed


def test_model_content_kept_alive(dense_path, dense_bytes):
  content = bytes(bytearray(dense_bytes))  # a private copy
  it = Interpreter(model_content=content)
  ref_id = id(content)
  del content
  gc.collect()
  # Churn the allocator so freed memory would be reused.
  junk = [bytes(os.urandom(len(dense_bytes))) for _ in range(64)]
  it.allocate_tensors()
  it.set_tensor(IN, np.ones((1, 4), np.float32))
  it.invoke()
  assert ref_id and junk
  expected = dense_numpy(dense_path, np.ones((1, 4), np.float32))
  out = it.get_output_details()[0]["index"]
  np.testing.assert_allclose(it.get_tensor(out), expected, rtol=1e-5)


def test_model_content_bytearray_is_copied(dense_path, dense_bytes):
  content = bytearray(dense_bytes)
  it = Interpreter(model_content=content)
  content[:] = b"\xff" * len(content)  # must not reach the C side
  it.allocate_tensors()
  it.set_tensor(IN, np.ones((1, 4), np.float32))
  it.invoke()
  out = it.get_tensor(it.get_output_details()[0]["index"])
  np.testing.assert_allclose(
      out, dense_numpy(dense_path, np.ones((1, 4), np.float32)), rtol=1e-5)


def test_path_like(dense_path):
  import pathlib  # pylint: disable=import-outside-toplevel
  it = Interpreter(model_path=pathlib.Path(dense_path))
  assert it.num_subgraphs() == 1


def test_many_interpreters_are_freed(dense_path):
  refs = []
  for _ in range(50):
    it = Interpreter(model_path=dense_path)
    it.get_signature_runner()
    refs.append(weakref.ref(it))
    del it
  gc.collect()
  assert all(r() is None for r in refs)


# ---- misc ---------------------------------------------------------------------------


def test_ops_details(dense_path):
  it = Interpreter(model_path=dense_path)
  ops = it._get_ops_details()  # pylint: disable=protected-access
  assert ops and all(set(o) >= {"index", "op_name"} for o in ops)
  assert "FULLY_CONNECTED" in [o["op_name"] for o in ops]


def test_reset_all_variables_is_accepted(dense_path):
  it = Interpreter(model_path=dense_path)
  assert it.reset_all_variables() is None


def test_versions():
  assert pylite.tflite_version().count(".") == 2
  assert pylite.schema_version() == 3
  assert os.path.exists(pylite.library_path)


def test_native_handle(dense_path):
  it = Interpreter(model_path=dense_path)
  assert it._native_handle() != 0  # pylint: disable=protected-access


def test_cli_inspect(dense_path, coding_path, nosig_bytes, capsys):
  assert cli_main(["inspect", dense_path]) == 0
  out = capsys.readouterr().out
  assert "serving_default" in out and "keras_tensor" in out
  assert "output_0" in out and "[-1, 4]" in out
  assert cli_main(["inspect", coding_path]) == 0
  out = capsys.readouterr().out
  assert "'encode'" in out and "'decode'" in out and "bytes_" in out
  with tempfile.NamedTemporaryFile(suffix=".tflite") as f:
    f.write(nosig_bytes)
    f.flush()
    assert cli_main(["inspect", f.name]) == 0
  assert pylite.PLACEHOLDER_SIGNATURE_KEY in capsys.readouterr().out
  assert cli_main(["inspect", "/nonexistent.tflite"]) == 1


def test_strip_signatures_helper(dense_bytes):
  assert strip_signatures(dense_bytes) != dense_bytes
  assert len(strip_signatures(dense_bytes)) == len(dense_bytes)
