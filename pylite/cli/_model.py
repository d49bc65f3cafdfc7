"""A small read-only view of a .tflite file, for ``pylite inspect``.

The CLI describes models the library may refuse to run (an op this build
lacks, say), so it reads the flatbuffer itself instead of going through an
interpreter. The bytes are checked by the C verifier first
(:func:`verify`); the reader still bounds-checks every access and raises
``ModelFormatError`` rather than reading past the end.

Only the fields the CLI shows are read: operator codes, subgraphs (tensors,
inputs, outputs, operators), buffers' sizes, metadata and SignatureDefs,
with the field numbers of the TFLite schema (v3).
"""

from __future__ import annotations

import dataclasses
import struct
from typing import Dict, List, Optional, Tuple

from pylite.cli._builtin_names import builtin_name

# Schema TensorType -> the numpy type name the Python API reports.
TENSOR_TYPES: Dict[int, str] = {
    0: "float32", 1: "float16", 2: "int32", 3: "uint8", 4: "int64",
    5: "bytes_", 6: "bool_", 7: "int16", 8: "complex64", 9: "int8",
    10: "float64", 11: "complex128", 12: "uint64", 13: "resource",
    14: "variant", 15: "uint32", 16: "uint16", 17: "int4", 18: "bfloat16",
}

CUSTOM_CODE = 32


class ModelFormatError(ValueError):
  """The bytes are not a well-formed model."""


@dataclasses.dataclass
class Quantization:
  scales: List[float]
  zero_points: List[int]
  quantized_dimension: int


@dataclasses.dataclass
class Tensor:
  index: int
  name: str
  dtype: str
  shape: List[int]
  shape_signature: List[int]
  buffer: int
  constant_bytes: int
  is_variable: bool
  quantization: Optional[Quantization]


@dataclasses.dataclass
class Operator:
  index: int
  op: str
  version: int
  custom: bool
  inputs: List[int]
  outputs: List[int]


@dataclasses.dataclass
class Subgraph:
  index: int
  name: str
  inputs: List[int]
  outputs: List[int]
  tensors: List[Tensor]
  operators: List[Operator]


@dataclasses.dataclass
class Signature:
  key: str
  subgraph: int
  inputs: Dict[str, int]   # name -> tensor index, sorted by name
  outputs: Dict[str, int]


@dataclasses.dataclass
class Metadata:
  name: str
  size: int
  text: Optional[str]  # the value when it is short printable text


@dataclasses.dataclass
class Model:
  version: int
  description: str
  subgraphs: List[Subgraph]
  signatures: List[Signature]
  metadata: List[Metadata]
  opcodes: List[Tuple[str, int, bool]]  # (name, version, custom)


class _Reader:
  """Bounds-checked access to flatbuffer tables, vectors and strings."""

  def __init__(self, data: bytes) -> None:
    self.data = data

  def _unpack(self, fmt: str, pos: int) -> int:
    try:
      return struct.unpack_from("<" + fmt, self.data, pos)[0]
    except struct.error:
      raise ModelFormatError(f"read past the end at offset {pos}") from None

  def _field(self, table: int, field: int) -> int:
    """Absolute position of a table field, 0 if absent."""
    vtable = table - self._unpack("i", table)
    vtable_size = self._unpack("H", vtable)
    slot = 4 + 2 * field
    if slot + 2 > vtable_size:
      return 0
    offset = self._unpack("H", vtable + slot)
    return table + offset if offset else 0

  def _deref(self, pos: int) -> int:
    return pos + self._unpack("I", pos)

  def root(self) -> int:
    return self._unpack("I", 0)

  def scalar(self, table: int, field: int, fmt: str, default: int = 0) -> int:
    pos = self._field(table, field)
    return self._unpack(fmt, pos) if pos else default

  def table(self, table: int, field: int) -> int:
    pos = self._field(table, field)
    return self._deref(pos) if pos else 0

  def string(self, table: int, field: int) -> str:
    raw = self.blob(table, field)
    return raw.decode("utf-8", errors="replace") if raw is not None else ""

  def blob(self, table: int, field: int) -> Optional[bytes]:
    pos = self._field(table, field)
    if not pos:
      return None
    start = self._deref(pos)
    length = self._unpack("I", start)
    if start + 4 + length > len(self.data):
      raise ModelFormatError(f"a vector at offset {start} runs past the end")
    return self.data[start + 4:start + 4 + length]

  def vector_length(self, table: int, field: int) -> Tuple[int, int]:
    """(position of the first element, length); (0, 0) if absent."""
    pos = self._field(table, field)
    if not pos:
      return 0, 0
    start = self._deref(pos)
    return start + 4, self._unpack("I", start)

  def scalars(self, table: int, field: int, fmt: str) -> List:
    first, length = self.vector_length(table, field)
    size = struct.calcsize(fmt)
    if first + length * size > len(self.data):
      raise ModelFormatError(f"a vector at offset {first} runs past the end")
    return [self._unpack(fmt, first + i * size) for i in range(length)]

  def tables(self, table: int, field: int) -> List[int]:
    first, length = self.vector_length(table, field)
    if first + length * 4 > len(self.data):
      raise ModelFormatError(f"a vector at offset {first} runs past the end")
    return [self._deref(first + 4 * i) for i in range(length)]


def _printable(raw: bytes) -> Optional[str]:
  text = raw.rstrip(b"\0")
  if not text or len(text) > 80 or b"\0" in text:
    return None
  try:
    decoded = text.decode("ascii")
  except UnicodeDecodeError:
    return None
  return decoded if decoded.isprintable() else None


def parse(data: bytes) -> Model:
  """Reads the parts of a model the CLI shows; ModelFormatError if malformed."""
  try:
    return _parse(_Reader(data))
  except (IndexError, OverflowError, RecursionError) as e:
    raise ModelFormatError(f"malformed model: {e}") from None


def _parse(r: _Reader) -> Model:
  model = r.root()
  opcodes: List[Tuple[str, int, bool]] = []
  for code in r.tables(model, 1):
    builtin = max(r.scalar(code, 0, "b"), r.scalar(code, 3, "i"))
    version = r.scalar(code, 2, "i", 1)
    if builtin == CUSTOM_CODE:
      opcodes.append((r.string(code, 1) or "<custom>", version, True))
    else:
      opcodes.append((builtin_name(builtin) or f"BUILTIN_{builtin}", version,
                      False))

  buffers = r.tables(model, 4)
  buffer_sizes = []
  for buf in buffers:
    data = r.blob(buf, 0)
    size = len(data) if data is not None else r.scalar(buf, 2, "Q")
    buffer_sizes.append(size)

  subgraphs = []
  for sg_index, sg in enumerate(r.tables(model, 2)):
    tensors = []
    for t_index, t in enumerate(r.tables(sg, 0)):
      shape = r.scalars(t, 0, "i")
      signature = r.scalars(t, 7, "i") if r.vector_length(t, 7)[1] else shape
      buffer = r.scalar(t, 2, "I")
      quantization = None
      q = r.table(t, 4)
      if q:
        scales = r.scalars(q, 2, "f")
        if scales:
          quantization = Quantization(
              scales=[float(s) for s in scales],
              zero_points=[int(z) for z in r.scalars(q, 3, "q")],
              quantized_dimension=r.scalar(q, 6, "i"))
      tensors.append(Tensor(
          index=t_index, name=r.string(t, 3),
          dtype=TENSOR_TYPES.get(r.scalar(t, 1, "b"), "unknown"),
          shape=list(shape), shape_signature=list(signature), buffer=buffer,
          constant_bytes=(buffer_sizes[buffer]
                          if 0 < buffer < len(buffer_sizes) else 0),
          is_variable=bool(r.scalar(t, 5, "B")),
          quantization=quantization))
    operators = []
    for o_index, op in enumerate(r.tables(sg, 3)):
      opcode = r.scalar(op, 0, "I")
      if opcode >= len(opcodes):
        raise ModelFormatError(
            f"operator {o_index} of subgraph {sg_index} uses opcode "
            f"{opcode}, but the model has {len(opcodes)}")
      name, version, custom = opcodes[opcode]
      operators.append(Operator(index=o_index, op=name, version=version,
                                custom=custom, inputs=r.scalars(op, 1, "i"),
                                outputs=r.scalars(op, 2, "i")))
    subgraphs.append(Subgraph(index=sg_index, name=r.string(sg, 4),
                              inputs=r.scalars(sg, 1, "i"),
                              outputs=r.scalars(sg, 2, "i"),
                              tensors=tensors, operators=operators))

  signatures = []
  for sig in r.tables(model, 7):
    def tensor_map(field: int, sig: int = sig) -> Dict[str, int]:
      pairs = [(r.string(m, 0), r.scalar(m, 1, "I"))
               for m in r.tables(sig, field)]
      return dict(sorted(pairs))
    signatures.append(Signature(key=r.string(sig, 2),
                                subgraph=r.scalar(sig, 4, "I"),
                                inputs=tensor_map(0), outputs=tensor_map(1)))

  metadata = []
  for meta in r.tables(model, 6):
    buffer = r.scalar(meta, 1, "I")
    size = buffer_sizes[buffer] if buffer < len(buffer_sizes) else 0
    text = None
    if buffer < len(buffers):
      raw = r.blob(buffers[buffer], 0)
      if raw is not None:
        text = _printable(raw)
    metadata.append(Metadata(name=r.string(meta, 0), size=size, text=text))

  return Model(version=r.scalar(model, 0, "I"),
               description=r.string(model, 3), subgraphs=subgraphs,
               signatures=signatures, metadata=metadata, opcodes=opcodes)
