"""pylite on Ray Data (pylite.ray), on a local 2-CPU Ray cluster that this
module starts once (loopback only) and shuts down at its end.

Every result is compared, row for row (matched by an id column, since Ray
Data may reorder blocks), with the same model run by pylite in this process:
they must be identical, bit for bit. Models: tests/data/ray/mobilenet_tiny
(tools/make_ray_models.py) and the guide's encode/decode string model
(examples/models/coding.tflite).

Ray is an optional extra (``pip install pylite[ray]``): without it these
tests are skipped, unless PYLITE_REQUIRE_RAY=1 (set by `make test`), which
makes a missing Ray a failure.
"""

import logging
import os
import sys

import numpy as np
import pytest

from conftest import ROOT, model_path

if os.environ.get("PYLITE_REQUIRE_RAY") == "1":
  import ray  # pylint: disable=wrong-import-position
else:
  ray = pytest.importorskip("ray")
import ray.data  # pylint: disable=wrong-import-position

import pylite  # pylint: disable=wrong-import-position
import pylite.ray  # pylint: disable=wrong-import-position

# Ray Data's own deprecation notices (its DataContext defaults), not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")

MOBILENET = os.path.join(ROOT, "tests", "data", "ray", "mobilenet_tiny.tflite")
CODING = model_path("coding.tflite")
ROWS = 3000


@pytest.fixture(scope="module", autouse=True)
def cluster():
  # Workers inherit the driver's environment: they import this checkout's
  # pylite and load the same library.
  saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "PYLITE_LIBRARY")}
  os.environ["PYTHONPATH"] = os.pathsep.join(
      p for p in (ROOT, os.path.dirname(os.path.abspath(__file__)),
                  saved["PYTHONPATH"]) if p)
  os.environ["PYLITE_LIBRARY"] = pylite.library_path
  ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
           _node_ip_address="127.0.0.1",  # loopback only
           logging_level="ERROR")
  context = ray.data.DataContext.get_current()
  context.enable_progress_bars = False
  logging.getLogger("ray.data").setLevel(logging.WARNING)
  # Classes defined here travel by value (the workers cannot import a test
  # module by name).
  ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
  yield
  ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
  ray.shutdown()
  for key, value in saved.items():
    if value is None:
      os.environ.pop(key, None)
    else:
      os.environ[key] = value


def images(rows=ROWS):
  return np.random.default_rng(7).random((rows, 32, 32, 3), dtype=np.float32)


def image_dataset(x):
  # In-memory blocks, no read tasks: the actors may take both CPUs.
  return ray.data.from_items([{"id": i, "pixels": row}
                              for i, row in enumerate(x)])


def collect(dataset, columns):
  """The dataset's columns as arrays, ordered by "id"."""
  parts = {c: [] for c in ["id"] + columns}
  for batch in dataset.iter_batches(batch_format="numpy", batch_size=None):
    for c in parts:
      parts[c].append(batch[c])
  joined = {c: np.concatenate(v) for c, v in parts.items()}
  order = np.argsort(joined["id"], kind="stable")
  return {c: v[order] for c, v in joined.items()}


def local_mobilenet(x):
  """The single-process reference: one interpreter, one loop of batches."""
  runner = pylite.Interpreter(model_path=MOBILENET).get_signature_runner()
  return np.concatenate([runner(image=x[i:i + 500])["output_0"]
                         for i in range(0, len(x), 500)])


def test_mobilenet_matches_one_process():
  x = images()
  scored = pylite.ray.predict(image_dataset(x), MOBILENET,
                              inputs={"pixels": "image"},
                              outputs={"output_0": "probabilities"},
                              batch_size=200, concurrency=2)
  got = collect(scored, ["probabilities", "pixels"])
  np.testing.assert_array_equal(got["id"], np.arange(ROWS))
  np.testing.assert_array_equal(got["pixels"], x)  # inputs kept as they were
  want = local_mobilenet(x)
  assert got["probabilities"].dtype == np.float32
  assert np.array_equal(got["probabilities"], want)  # bit for bit


def test_string_model_encode_then_decode():
  values = (np.arange(ROWS, dtype=np.float32) - 1000) / 7
  dataset = ray.data.from_items([{"id": i, "x": v}
                                 for i, v in enumerate(values)])
  interpreter = pylite.Interpreter(model_path=CODING)
  # Two stages of one actor each (the cluster has two CPUs).
  encoded = pylite.ray.predict(dataset, interpreter, signature="encode",
                               batch_size=256)
  decoded = pylite.ray.predict(encoded, CODING, signature="decode",
                               inputs={"encoded_result": "x"},
                               outputs={"decoded_result": "y"},
                               batch_size=300)
  got = collect(decoded, ["encoded_result", "y"])
  want_strings = interpreter.get_signature_runner("encode")(x=values)[
      "encoded_result"]
  want_y = interpreter.get_signature_runner("decode")(x=want_strings)[
      "decoded_result"]
  assert list(got["encoded_result"]) == list(want_strings)
  assert np.array_equal(got["y"], want_y)


class DiesOnce(pylite.ray.Predictor):
  """Kills its own worker process the first time it sees row `victim`."""

  def __init__(self, marker, victim, **kwargs):
    super().__init__(**kwargs)
    self._marker = marker
    self._victim = victim

  def __call__(self, batch):
    if self._victim in batch["id"] and not os.path.exists(self._marker):
      with open(self._marker, "w", encoding="utf-8") as f:
        f.write(str(os.getpid()))
      os._exit(1)  # pylint: disable=protected-access
    return super().__call__(batch)


def test_a_dead_worker_is_retried(tmp_path):
  x = images()
  marker = str(tmp_path / "died")
  with open(MOBILENET, "rb") as f:
    model = f.read()
  scored = image_dataset(x).map_batches(
      DiesOnce, batch_size=200, batch_format="numpy",
      compute=ray.data.ActorPoolStrategy(size=2),
      fn_constructor_kwargs={"marker": marker, "victim": ROWS // 2,
                             "model": model, "inputs": {"pixels": "image"}})
  got = collect(scored, ["output_0"])
  assert os.path.exists(marker)  # a worker did die
  np.testing.assert_array_equal(got["id"], np.arange(ROWS))
  assert np.array_equal(got["output_0"], local_mobilenet(x))


def test_bad_row_fails_naming_column_shape_and_batch():
  rows = [{"id": i, "pixels": np.zeros((32, 32, 3), np.float32)}
          for i in range(64)]
  rows[37]["pixels"] = np.zeros((32, 31, 3), np.float32)
  dataset = ray.data.from_items(rows)
  scored = pylite.ray.predict(dataset, MOBILENET, inputs={"pixels": "image"},
                              batch_size=64, id_column="id")
  with pytest.raises(Exception) as info:
    scored.take_all()
  message = str(info.value)
  assert "column 'pixels'" in message
  assert "expects shape [batch, 32, 32, 3]" in message
  assert "got shape [32, 31, 3]" in message and "row 37" in message
  assert "batch 1 of this worker (64 rows, id 0 to 63)" in message


# ---- The Predictor alone, in this process (no actors) ----------------------


def test_predictor_adds_outputs_and_passes_inputs_through():
  predictor = pylite.ray.Predictor(MOBILENET, inputs={"pixels": "image"})
  x = images(10)
  batch = {"pixels": x, "id": np.arange(10)}
  out = predictor(batch)
  assert sorted(out) == ["id", "output_0", "pixels"]
  assert out["pixels"] is x  # not copied
  assert np.array_equal(out["output_0"], local_mobilenet(x))
  # Another batch size: the runner is resized.
  assert out["output_0"].shape == (10, 10)
  assert predictor({"pixels": x[:3]})["output_0"].shape == (3, 10)


def test_predictor_errors():
  with pytest.raises(pylite.PyliteValueError, match="not mapped: \\['image'\\]"):
    pylite.ray.Predictor(MOBILENET, inputs={"pixels": "picture"})
  with pytest.raises(pylite.PyliteValueError, match="unknown outputs"):
    pylite.ray.Predictor(MOBILENET, inputs={"pixels": "image"},
                         outputs={"logits": "y"})
  predictor = pylite.ray.Predictor(MOBILENET, inputs={"pixels": "image"},
                                   id_column="id")
  with pytest.raises(pylite.PyliteValueError,
                     match="column 'pixels' .* is not in batch 1"):
    predictor({"image": images(2)})
  with pytest.raises(pylite.PyliteValueError,
                     match="expects shape \\[batch, 32, 32, 3\\] and dtype "
                     "float32, got dtype float64 in batch 2 of this worker "
                     "\\(2 rows, id 5 to 6\\)"):
    predictor({"pixels": images(2).astype(np.float64),
               "id": np.array([5, 6])})
  with pytest.raises(pylite.PyliteValueError,
                     match="got shape \\[2, 32, 32\\] in batch 3"):
    predictor({"pixels": images(2)[..., 0], "id": np.array([5, 6])})
  strings = pylite.ray.Predictor(CODING, signature="decode")
  with pytest.raises(pylite.PyliteValueError,
                     match="expects shape \\[batch\\] and dtype string, got "
                     "dtype float32"):
    strings({"x": np.zeros(3, np.float32)})
  out = strings({"x": np.array(["1.5", "2"], dtype=object)})
  np.testing.assert_array_equal(out["decoded_result"], [1.5, 2])


def test_predictor_refuses_outputs_without_one_row_per_input_row():
  # The counter's `loop` doubles its input's length a few times.
  counter = os.path.join(ROOT, "tests", "data", "state", "counter.tflite")
  predictor = pylite.ray.Predictor(counter, signature="loop")
  with pytest.raises(pylite.PyliteValueError,
                     match="output 'y' .* has shape \\[16\\], not one "
                     "row per input row \\(2\\)"):
    predictor({"x": np.ones(2, np.float32)})


def test_predictor_from_a_snapshot_keeps_state():
  counter = os.path.join(ROOT, "tests", "data", "state", "counter.tflite")
  interpreter = pylite.Interpreter(model_path=counter)
  interpreter.get_signature_runner("add")(x=np.ones(3, np.float32))
  predictor = pylite.ray.Predictor(interpreter.with_state(), signature="read")
  np.testing.assert_array_equal(predictor({})["value"], [1.5, 1.5, 1.5])
