"""The public Python API as a user writes it; checked by mypy (`make
test-typing`), so that the package's type hints and py.typed stay usable.

Not a test to run (it needs a model); mypy only reads it.
"""

from typing import Any, Dict, List

import numpy as np

import pylite
from pylite import Interpreter, PyliteError, SignatureRunner


def run_dense(path: str) -> float:
  with Interpreter(model_path=path, num_threads=2) as interpreter:
    signatures: Dict[str, Dict[str, List[str]]] = (
        interpreter.get_signature_list())
    assert "serving_default" in signatures
    runner: SignatureRunner = interpreter.get_signature_runner(
        "serving_default")
    details: Dict[str, Dict[str, Any]] = runner.get_input_details()
    assert details["keras_tensor"]["dtype"] is np.float32
    outputs = runner(keras_tensor=np.ones((1, 4), dtype=np.float32))
    return float(np.asarray(outputs["output_0"]).ravel()[0])


def run_by_index(content: bytes) -> np.ndarray:
  interpreter = Interpreter(model_content=content)
  index: int = interpreter.get_input_details()[0]["index"]
  interpreter.resize_tensor_input(index, [2, 4], strict=True)
  interpreter.allocate_tensors()
  interpreter.set_tensor(index, np.zeros((2, 4), dtype=np.float32))
  interpreter.invoke()
  view = interpreter.tensor(index)()
  assert view.shape == (2, 4)
  out = np.asarray(interpreter.get_tensor(
      interpreter.get_output_details()[0]["index"]))
  interpreter.close()
  assert interpreter.closed
  return out


def errors(path: str) -> str:
  try:
    Interpreter(model_path=path).get_signature_runner("nope")
  except PyliteError as e:
    return str(e)
  except ValueError as e:
    return str(e)
  return pylite.tflite_version() + str(pylite.schema_version())


def custom(path: str) -> None:
  def my_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a + b
  Interpreter(model_path=path, custom_ops={"MyAdd": my_add,
                                           ("MyAdd", 2): my_add})


def travel(path: str) -> pylite.Interpreter:
  interpreter = Interpreter(model_path=path)
  snapshot: pylite.InterpreterSnapshot = interpreter.with_state()
  names: list = snapshot.variable_names
  assert isinstance(names, list)
  restored: Interpreter = snapshot.restore()
  return restored
