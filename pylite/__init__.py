"""pylite: run TensorFlow Lite models from Python without TensorFlow.

The API mirrors ``ai_edge_litert.interpreter`` (``tf.lite.Interpreter``)::

    from pylite import Interpreter
    interpreter = Interpreter(model_path="model.tflite")
    runner = interpreter.get_signature_runner("serving_default")
    outputs = runner(x=np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32))

The C core is a shared library loaded with cffi (see ``pylite._ffi``).
"""

from pylite._ffi import ffi as _ffi, lib as _lib, library_path
from pylite.errors import (PyliteCancelledError, PyliteClosedError,
                           PyliteError, PyliteRuntimeError, PyliteValueError)
from pylite.interpreter import (PLACEHOLDER_SIGNATURE_KEY, Interpreter,
                                InterpreterSnapshot, OpResolverType,
                                SignatureRunner, load_delegate)

__version__ = "0.1.0"


def tflite_version() -> str:
  """The TFLite release whose C API the library implements."""
  return _ffi.string(_lib.TfLiteVersion()).decode()


def schema_version() -> int:
  """The flatbuffer schema version the library reads."""
  return int(_lib.TfLiteSchemaVersion())


__all__ = [
    "Interpreter",
    "SignatureRunner",
    "InterpreterSnapshot",
    "OpResolverType",
    "PLACEHOLDER_SIGNATURE_KEY",
    "PyliteError",
    "PyliteValueError",
    "PyliteRuntimeError",
    "PyliteCancelledError",
    "PyliteClosedError",
    "load_delegate",
    "library_path",
    "tflite_version",
    "schema_version",
]
