"""Activations: relu, sigmoid, tanh (elementwise) and softmax / log_softmax (along a dimension).

The elementwise ones save their *output*: each derivative is cheapest written in terms of it.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import NumpyFunction


def _float(a: np.ndarray) -> np.ndarray:
    return a if a.dtype.kind == "f" else a.astype(_dtype.get_default_dtype().to_numpy())


class Relu(NumpyFunction):
    """out = max(a, 0).   d/da = 1 where a > 0, else 0 (PyTorch picks 0 at exactly 0)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)


class Sigmoid(NumpyFunction):
    """out = 1 / (1 + e^-a).   d/da = out * (1 - out)."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        a = _float(a)
        # Written with tanh it never overflows: sigmoid(a) = (1 + tanh(a / 2)) / 2.
        out = (np.tanh(a * 0.5) + 1) * 0.5
        out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Tanh(NumpyFunction):
    """out = tanh(a).   d/da = 1 - out^2."""

    double_backward = True

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(_float(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(input)


# ------------------------------------------------------------------- softmax and log_softmax
def _sum_keepdim(x, dim):
    """Sum along ``dim`` keeping it (size 1), for arrays and tensors alike (double backward)."""
    return x.sum(dim, keepdim=True) if isinstance(x, Tensor) else x.sum(axis=dim, keepdims=True)


def _exp(x):
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def _shifted(a: np.ndarray, dim) -> np.ndarray:
    """a - max(a) along dim. The shift cancels in softmax, but makes every exponent <= 0, so exp cannot
    overflow: softmax([1000., 1001.]) is [0.2689, 0.7311], not [nan, nan]."""
    return a - np.max(a, axis=dim, keepdims=True, initial=-np.inf)  # initial: empty slices are fine


class Softmax(NumpyFunction):
    """out_i = exp(a_i) / sum_j exp(a_j) along ``dim``: positive, summing to 1.

    Jacobian: d out_i / d a_j = out_i (delta_ij - out_j). Its product with the output gradient g is
        grad_a = out * (g - sum_j g_j out_j)        (the sum along dim, kept for broadcasting)
    so backward needs only the output, never the n x n Jacobian. Shapes: out and grad_a are like a.
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        e = np.exp(_shifted(a, dim))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - _sum_keepdim(grad * out, ctx.dim)), None


class LogSoftmax(NumpyFunction):
    """out_i = a_i - log sum_j exp(a_j) along ``dim`` (the log of softmax, without its underflow).

    Computed as s_i - log sum_j exp(s_j) with s = a - max(a): no overflow, and no log(0) = -inf for
    tiny probabilities. Jacobian: d out_i / d a_j = delta_ij - softmax_j, so with softmax = exp(out)
        grad_a = g - exp(out) * sum_j g_j
    """

    double_backward = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        shifted = _shifted(a, dim)
        with np.errstate(divide="ignore"):  # log(0) of an empty slice: never used, nothing to warn about
            out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - _exp(out) * _sum_keepdim(grad, ctx.dim), None


def _softmax_input(name: str, input: Tensor, dim, dtype) -> tuple:
    """Check the arguments; cast to ``dtype`` first (recorded, so the gradient flows back)."""
    if dim is None or not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    axis = _wrap_dim(int(dim), input.dim()) if input.dim() > 0 else None  # a 0-d tensor: its one value
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f"{name} is not implemented for {input.dtype} tensors: pass dtype=torch.float32 or convert "
            "the input with .float() first"
        )
    return input, axis


def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``; with ``dtype`` the input is cast first."""
    input, axis = _softmax_input("softmax", input, dim, dtype)
    return Softmax.apply(input, axis)


def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably; with ``dtype`` the input is cast first."""
    input, axis = _softmax_input("log_softmax", input, dim, dtype)
    return LogSoftmax.apply(input, axis)


def implicit_softmax_dim(name: str, ndim: int, stacklevel: int = 3) -> int:
    """The dim PyTorch's nn.functional.softmax/log_softmax pick when called without one (deprecated):
    0 for 0-, 1- and 3-d inputs, else 1. Warns as PyTorch does."""
    import warnings

    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
        "an argument.", UserWarning, stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1
