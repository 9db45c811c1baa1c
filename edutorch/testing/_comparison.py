"""``assert_close``: are two results equal up to the rounding their dtype allows?

Two floating-point results of the same math rarely agree to the last bit (the order of a sum changes
the rounding), so values are compared with a tolerance:

    |actual - expected| <= atol + rtol * |expected|        (elementwise; inf matches the same inf)

and the default tolerances grow with the rounding error of the dtype (integers and bools must be
equal). The inputs may be tensors, NumPy arrays, Python numbers, or sequences and mappings of them,
compared item by item; a failure says which item, how many elements differ, and by how much:

    Tensor-likes are not close!

    Mismatched elements: 1 / 3 (33.3%)
    Greatest absolute difference: 0.0999999 at index (2,) (up to 1e-05 allowed)
    Greatest relative difference: 0.0322580 at index (2,) (up to 1.3e-06 allowed)
"""
from __future__ import annotations

import cmath
import collections.abc
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _dtype
from .._tensor import Tensor

# dtype -> (rtol, atol): a few units of the dtype's rounding error; every other dtype is compared exactly
_DEFAULT_TOLERANCES = {
    _dtype.float16: (1e-3, 1e-5),
    _dtype.float32: (1.3e-6, 1e-5),
    _dtype.float64: (1e-7, 1e-7),
}
# Python numbers are compared with the tolerances of the dtype they become in a tensor
_NUMBER_DTYPES = {bool: _dtype.bool_, int: _dtype.int64, float: _dtype.float64, complex: _dtype.float64}


class _Failure(Exception):
    """A mismatch found somewhere inside the inputs: the exception type, its message, and the path of
    sequence indices / mapping keys that leads to the failing item."""

    def __init__(self, kind: type, message: str, path: tuple = ()):
        super().__init__(message)
        self.kind, self.message, self.path = kind, message, path

    def to_error(self, msg) -> Exception:
        if isinstance(msg, str):  # the caller's message replaces ours entirely
            return self.kind(msg)
        message = self.message
        if self.path:
            message += "\n\nThe failure occurred for item " + "".join(str([item]) for item in self.path)
        return self.kind(msg(message) if callable(msg) else message)


def _tolerances(*dtypes) -> tuple:
    """The largest default (rtol, atol) over the dtypes (they differ only when check_dtype=False)."""
    pairs = [_DEFAULT_TOLERANCES.get(d, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


# --------------------------------------------------------------------------------------- messages
def _mismatch_message(identifier: str, extra: str, abs_diff, abs_idx, rel_diff, rel_idx, rtol, atol) -> str:
    equality = rtol == 0 and atol == 0

    def line(kind: str, diff, idx, tol) -> str:
        text = f"{kind.title()} difference: {diff}" if idx is None else \
            f"Greatest {kind} difference: {diff} at index {idx}"
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"

    message = f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra}\n"
    message += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return message.strip()


def _scalar_message(actual, expected, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, rel_diff,
                             None, rtol, atol)


def _tensor_message(a: np.ndarray, e: np.ndarray, matches: np.ndarray, rtol: float, atol: float) -> str:
    """How many elements differ, and the greatest absolute and relative differences among them."""
    n, bad = matches.size, int(matches.size - matches.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    shape = a.shape
    a, e, matches = a.ravel(), e.ravel(), matches.ravel()
    if a.dtype.kind not in "fc":
        a, e = a.astype(np.int64), e.astype(np.int64)  # no overflow in the difference; bools as 0/1
    with np.errstate(divide="ignore", invalid="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[matches] = 0  # only mismatched elements compete for "greatest"
        rel_diff = abs_diff / np.abs(e)
    if a.dtype.kind not in "fc":
        rel_diff = rel_diff.astype(np.float32)  # PyTorch divides integers into its default float dtype
    rel_diff[matches] = 0
    abs_at, rel_at = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))  # argmax finds a nan first

    def index(flat: int) -> tuple:
        return tuple(int(i) for i in np.unravel_index(flat, shape))

    return _mismatch_message("Tensor-likes", extra, abs_diff[abs_at].item(), index(abs_at),
                             rel_diff[rel_at].item(), index(rel_at), rtol, atol)


# ----------------------------------------------------------------------------------------- pairs
def _compare_numbers(actual, expected, rtol, atol, equal_nan: bool, check_dtype: bool) -> None:
    if check_dtype and type(actual) is not type(expected):
        raise _Failure(AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.")
    if rtol is None:
        rtol, atol = _tolerances(_NUMBER_DTYPES[type(actual)], _NUMBER_DTYPES[type(expected)])
    if actual == expected or (equal_nan and cmath.isnan(actual) and cmath.isnan(expected)):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_message(actual, expected, rtol, atol))


def _compare_tensors(actual: Tensor, expected: Tensor, rtol, atol, equal_nan: bool, check_dtype: bool) -> None:
    for name in ("shape", "dtype"):
        mine, theirs = getattr(actual, name), getattr(expected, name)
        if (name == "shape" or check_dtype) and mine != theirs:
            raise _Failure(AssertionError,
                           f"The values for attribute '{name}' do not match: {mine!r} != {theirs!r}.")
    if rtol is None:
        rtol, atol = _tolerances(actual.dtype, expected.dtype)
    a, e = actual._data, expected._data
    if a.dtype != e.dtype:  # check_dtype=False: compare in the common dtype
        common = np.promote_types(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    if rtol == 0 and atol == 0:
        matches = a == e
        if a.dtype.kind == "f" and equal_nan:
            matches |= np.isnan(a) & np.isnan(e)
    else:
        matches = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if matches.all():
        return
    if a.ndim == 0:
        raise _Failure(AssertionError, _scalar_message(a.item(), e.item(), rtol, atol))
    raise _Failure(AssertionError, _tensor_message(a, e, matches, rtol, atol))


def _as_number(x):
    """Python numbers stay; NumPy scalars become the Python number they hold."""
    return x.item() if isinstance(x, np.generic) else x


def _compare(actual, expected, path: tuple, options: dict) -> None:
    """Compare one pair of inputs, recursing into sequences and mappings; raise _Failure on mismatch."""
    try:
        if isinstance(actual, collections.abc.Sequence) and isinstance(expected, collections.abc.Sequence) \
                and not isinstance(actual, str) and not isinstance(expected, str):
            if len(actual) != len(expected):
                raise _Failure(AssertionError,
                               f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
            for i, (a, e) in enumerate(zip(actual, expected)):
                _compare(a, e, path + (i,), options)
            return
        if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
            if set(actual) != set(expected):
                missing = sorted(set(expected) - set(actual), key=repr)
                extra = sorted(set(actual) - set(expected), key=repr)
                raise _Failure(AssertionError, "The keys of the mappings do not match:\n"
                               f"Missing keys in the actual mapping: {missing}\n"
                               f"Additional keys in the actual mapping: {extra}")
            for key in sorted(expected, key=repr):
                _compare(actual[key], expected[key], path + (key,), options)
            return
        _compare_leaves(actual, expected, options)
    except _Failure as failure:
        if not failure.path:
            failure.path = path
        raise


def _compare_leaves(actual, expected, options: dict) -> None:
    tolerance = (options["rtol"], options["atol"])
    if actual is None or expected is None:
        if actual is not expected:
            raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}")
        return
    actual, expected = _as_number(actual), _as_number(expected)
    if isinstance(actual, bool) and isinstance(expected, bool):
        if actual is not expected:
            raise _Failure(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    numbers = (int, float, complex)
    if isinstance(actual, numbers) and isinstance(expected, numbers) and not isinstance(actual, bool) \
            and not isinstance(expected, bool):
        return _compare_numbers(actual, expected, *tolerance, options["equal_nan"], options["check_dtype"])
    if isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray):
        actual, expected = Tensor._make(actual), Tensor._make(expected)  # compared as tensors
    if isinstance(actual, Tensor) and isinstance(expected, Tensor) and (
            options["allow_subclasses"] or type(actual) is type(expected)):
        if options["check_stride"] and actual.stride() != expected.stride():
            raise _Failure(AssertionError, f"The values for attribute 'stride()' do not match: {actual.stride()} "
                                           f"!= {expected.stride()}.")
        return _compare_tensors(actual, expected, *tolerance, options["equal_nan"], options["check_dtype"])
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and "
                              f"{type(expected)}.")


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_device: bool = True,
                 check_dtype: bool = True, check_layout: bool = True, check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` are close.

    Tensors must have the same shape and dtype (``check_dtype=False`` compares in the common dtype)
    and values within ``atol + rtol * |expected|``. Defaults by dtype: float16 rtol 1e-3 / atol 1e-5,
    float32 1.3e-6 / 1e-5, float64 1e-7 / 1e-7; integers and bools must be equal. Python floats
    use float64's. ``rtol`` and ``atol`` are given together or not at all. NaNs are equal only with
    ``equal_nan=True``. Sequences and mappings are compared item by item. ``msg`` replaces the message
    (a string) or rewrites it (a callable that receives it). ``allow_subclasses=False`` refuses a
    Parameter against a plain Tensor; ``check_stride=True`` also compares ``stride()``. (Everything in
    edutorch is on the CPU and dense, so ``check_device`` and ``check_layout`` have nothing to check.)
    """
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'rtol' if rtol is None else 'atol'}.")
    options = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_dtype": check_dtype,
               "allow_subclasses": allow_subclasses, "check_stride": check_stride}
    try:
        _compare(actual, expected, (), options)
    except _Failure as failure:
        raise failure.to_error(msg) from None
