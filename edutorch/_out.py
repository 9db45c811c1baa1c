"""``out=``: write a function's result into a tensor the caller already has.

PyTorch's functions take ``out=`` so a loop can reuse one buffer: ``torch.add(a, b, out=c)`` computes
``a + b`` and stores it in ``c`` (and returns ``c``). edutorch computes the result as usual and copies it
in; :func:`with_out` adds that argument to a function without touching its body. The rules are
PyTorch's:

- **Shape.** An ``out`` of another shape is resized to the result's shape. If it had elements, PyTorch
  warns that this is deprecated (an empty ``out``, ``torch.empty(0)``, is resized silently).
- **dtype.** Elementwise ops, ``cat``/``stack`` and ``mean`` compute in their usual dtype and then
  cast, which may go up or sideways but never to a lower category: a float result cannot go into an
  int64 ``out``. ``sum`` casts to anything. ``mm``/``matmul``/``bmm``, ``clamp`` and ``max``/``min``/
  ``sort``/``topk`` (values and int64 indices) want exactly the result's dtype. Creation functions
  (``zeros``, ``arange``...) take their dtype from ``out``.
- **Autograd.** A result written into ``out`` has no history, so PyTorch refuses ``out=`` when grad
  mode is on and an input (or ``out``) requires grad: use the function without ``out=``.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from . import _dtype, return_types
from ._tensor import Tensor
from .autograd import grad_mode

__all__ = ["with_out"]

# PyTorch's C++ type names, as its "Expected out tensor to have dtype ..." message spells them
_CPP_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
             "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "bool": "bool"}


def _requires_grad(value) -> bool:
    if isinstance(value, Tensor):
        return value.requires_grad
    if isinstance(value, (list, tuple)):
        return any(_requires_grad(v) for v in value)
    return False


def _check_dtype(result: Tensor, out: Tensor, name: str, rule: str) -> None:
    """Raise PyTorch's error when ``result`` may not be written into ``out`` under ``rule``."""
    if rule == "any" or result.dtype == out.dtype:
        return
    if rule == "exact":
        raise RuntimeError(f"Expected out tensor to have dtype {_CPP_NAME[result.dtype._name]}, but got "
                           f"{_CPP_NAME[out.dtype._name]} instead")
    if rule == "clamp":
        raise RuntimeError(f"Found dtype {out.dtype._c_name} but expected {result.dtype._c_name}")
    if result.dtype._category > out.dtype._category:  # rule "cast": never to a lower category
        if name in ("cat", "stack"):
            raise TypeError(f"torch.cat(): input types can't be cast to the desired output type "
                            f"{out.dtype._c_name}")
        if name == "mean":
            raise RuntimeError(f"mean.dtype_out(): input types can't be cast to the desired output type "
                               f"{out.dtype._c_name}")
        raise RuntimeError(f"result type {result.dtype._c_name} can't be cast to the desired output type "
                           f"{out.dtype._c_name}")


def _write(result: Tensor, out: Tensor, name: str, rule: str, warn: bool) -> None:
    """Copy ``result`` into ``out``'s storage, resizing ``out`` first when the shapes differ."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    _check_dtype(result, out, name, rule)
    if tuple(out.shape) != tuple(result.shape):
        if name == "arange" and out.numel() not in (0, result.numel()):
            warnings.warn(
                f"The number of elements in the out tensor of shape {list(out.shape)} is {out.numel()} which does "
                f"not match the computed number of elements {result.numel()}. Note that this may occur as a result "
                f"of rounding error. The out tensor will be resized to a tensor of shape ({result.numel()},).",
                UserWarning, stacklevel=3)
        elif out.numel() != 0 and warn:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape {list(out.shape)}, which "
                f"does not match the required output shape {list(result.shape)}. This behavior is deprecated, "
                "and in a future PyTorch release outputs will not be resized unless they have zero elements. "
                "You can explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).", UserWarning, stacklevel=3)
        out._data = np.empty(result.shape, dtype=out._data.dtype)  # resize_: new storage of the new shape
    np.copyto(out._data, result._data, casting="unsafe")
    out._bump_version()


def with_out(fn, name: str, rule: str = "cast", result_type=None, needs_dim: bool = False):
    """``fn`` with an ``out=`` keyword: ``out=None`` calls ``fn`` unchanged; otherwise the result is
    written into ``out`` (a tensor, or a pair for functions returning (values, indices)) and ``out`` is
    returned. ``rule`` is the dtype rule of the module docstring: "cast", "any", "exact", "clamp" or
    "creation" (zeros, arange...: the dtype comes from ``out``). ``result_type`` names the
    ``torch.return_types`` class of a pair (``max_out``). ``needs_dim``: only the form with a ``dim``
    takes ``out`` (``torch.sum(x, out=t)`` is a TypeError in PyTorch, ``torch.sum(x, 0, out=t)`` is not)."""

    @functools.wraps(fn)
    def fn_with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        if needs_dim and len(args) < 2 and kwargs.get("dim") is None:
            raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, out=Tensor), but "
                            f"expected one of:\n * (Tensor input, *, torch.dtype dtype = None)\n * (Tensor input, "
                            "tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)\n"
                            f"Give a dim (torch.{name}(x, dim=0, out=...)) or drop out=.")
        if rule == "creation":
            if not isinstance(out, Tensor):
                raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
            dtype = kwargs.get("dtype")
            if dtype is None:
                kwargs["dtype"] = out.dtype
            elif _dtype.to_dtype(dtype) != out.dtype:
                raise RuntimeError(f"dtype {_dtype.to_dtype(dtype)._c_name} does not match dtype of out "
                                   f"parameter ({out.dtype._c_name})")
            if grad_mode.is_grad_enabled() and (kwargs.get("requires_grad") or out.requires_grad):
                raise RuntimeError(f"aten::{name}(): functions with out=... arguments don't support automatic "
                                   "differentiation, but one of the arguments requires grad.")
            kwargs.pop("requires_grad", None)
        elif grad_mode.is_grad_enabled() and (_requires_grad(args) or _requires_grad(list(kwargs.values()))
                                              or _requires_grad(out)):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        result = fn(*args, **kwargs)
        if isinstance(result, tuple):  # (values, indices)
            if not isinstance(out, (tuple, list)) or len(out) != len(result):
                got = f"{len(out)} elements" if isinstance(out, (tuple, list)) else type(out).__name__
                raise TypeError(f"expected tuple of {len(result)} elements but got {got}")
            for r, o in zip(result, out):
                _write(r, o, name, "exact", warn=True)
            return getattr(return_types, result_type)(*out)
        _write(result, out, name, "any" if rule == "creation" else rule, warn=rule != "creation")
        return out

    return fn_with_out
