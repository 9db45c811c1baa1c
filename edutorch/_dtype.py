"""Data types: edutorch's dtype objects, their NumPy counterparts, and PyTorch's type promotion.

A ``dtype`` names how the numbers of a tensor are stored. edutorch keeps a NumPy array underneath, so
each dtype is a thin label over a NumPy dtype. Floats default to float32 and integers to int64, as in
PyTorch (NumPy would pick float64 and int64).
"""
from __future__ import annotations

import builtins

import ml_dtypes
import numpy as np

# _tensor imports this module first: Tensor is looked up on the module when a function runs.
from . import _tensor


class dtype:
    """A tensor element type, e.g. ``torch.float32``. Compare with ``==`` or ``is``."""

    def __init__(self, name: str, numpy_dtype, category: int, itemsize: int, c_name: str):
        self._name = name
        self._c_name = c_name  # PyTorch's C type name, used in its messages: "Float", "torch.LongTensor"
        self._numpy = np.dtype(numpy_dtype)
        self._category = category  # 0 bool, 1 integer, 2 floating point: promotion goes upward
        self.itemsize = itemsize

    @property
    def is_floating_point(self) -> bool:
        return self._category == 2

    @property
    def is_complex(self) -> bool:
        return False

    @property
    def is_signed(self) -> bool:
        return self._name not in ("uint8", "bool")

    def to_numpy(self) -> np.dtype:
        return self._numpy

    def __repr__(self) -> str:
        # PyTorch prints dtypes with the ``torch.`` prefix; we keep it so printed outputs match.
        return f"torch.{self._name}"

    def __reduce__(self):
        return (_dtype_by_name, (self._name,))


float32 = dtype("float32", np.float32, 2, 4, "Float")
float64 = dtype("float64", np.float64, 2, 8, "Double")
float16 = dtype("float16", np.float16, 2, 2, "Half")
int64 = dtype("int64", np.int64, 1, 8, "Long")
int32 = dtype("int32", np.int32, 1, 4, "Int")
int16 = dtype("int16", np.int16, 1, 2, "Short")
int8 = dtype("int8", np.int8, 1, 1, "Char")
uint8 = dtype("uint8", np.uint8, 1, 1, "Byte")
bool_ = dtype("bool", np.bool_, 0, 1, "Bool")
# bfloat16 ("brain float"): float32's 8 exponent bits with only 7 mantissa bits. NumPy has no such type;
# the ml_dtypes package (JAX's) adds it as a real NumPy dtype whose arithmetic rounds every result to
# bfloat16, as PyTorch's CPU kernels do (compute in float32, round to nearest even).
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, 2, 2, "BFloat16")

_ALL = (float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool_)


def is_float_numpy(np_dtype) -> bool:
    """Whether a NumPy dtype is floating point: kind 'f', or bfloat16 (whose ml_dtypes kind is 'V')."""
    return np_dtype.kind == "f" or np_dtype == bfloat16._numpy
_BY_NUMPY = {d._numpy: d for d in _ALL}
_BY_NAME = {d._name: d for d in _ALL}
_BY_NAME.update(float=float32, double=float64, half=float16, long=int64, int=int32, short=int16)


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


_default_dtype = float32


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors made from Python floats (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(d: dtype) -> None:
    """Make ``d`` (float32 or float64) the default floating-point dtype."""
    global _default_dtype
    if d not in (float32, float64, float16):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_dtype = d


def from_numpy_dtype(np_dtype) -> dtype:
    """The edutorch dtype holding NumPy's ``np_dtype``; TypeError for types PyTorch cannot hold."""
    np_dtype = np.dtype(np_dtype)
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(d) -> dtype:
    """Accept an edutorch dtype, a NumPy dtype, or a Python type (float, int, bool) and return a dtype."""
    if isinstance(d, dtype):
        return d
    if d is builtins.float:
        return _default_dtype
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool_
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d]
    return from_numpy_dtype(d)


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` fit into, by PyTorch's rules.

    Unlike NumPy, a float always wins over an integer without growing: int64 + float32 -> float32.
    """
    if a is b:
        return a
    if a._category != b._category:
        return a if a._category > b._category else b
    return from_numpy_dtype(np.promote_types(a._numpy, b._numpy))


def _scalar_dtype(value) -> dtype:
    if isinstance(value, (builtins.bool, np.bool_)):
        return bool_
    if isinstance(value, (builtins.int, np.integer)):
        return int64
    return _default_dtype


def result_type(*operands) -> dtype:
    """PyTorch's result type for an elementwise op on tensors and Python scalars.

    Operands come in three priorities: tensors with dimensions, zero-dim tensors, then Python numbers.
    A lower-priority operand changes the result only when it is of a higher *category*
    (bool < integer < float): ``int_tensor * 2.5`` is float32, but ``uint8_tensor + 1000`` stays uint8
    and ``float16_tensor + 1.0`` stays float16.
    """
    Tensor = _tensor.Tensor

    if len(operands) == 2:  # the common cases, answered at once: same dtypes, float tensor and a number
        a, b = operands
        if isinstance(a, Tensor) and isinstance(b, Tensor) and a._data.dtype == b._data.dtype:
            return a.dtype
        if isinstance(a, Tensor) and type(b) in (builtins.float, builtins.int) and a._data.dtype.kind == "f":
            return a.dtype
    levels: list[dtype | None] = [None, None, None]  # dimensioned, zero-dim, Python scalar
    for op in operands:
        if isinstance(op, Tensor):
            level, d = (0 if op.dim() > 0 else 1), op.dtype
        else:
            level, d = 2, _scalar_dtype(op)
        levels[level] = d if levels[level] is None else promote_types(levels[level], d)
    return _combine(levels[0], _combine(levels[1], levels[2]))


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Merge the result of a higher-priority group with a lower one (PyTorch's combine_categories)."""
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher
