"""Activations: relu, sigmoid, tanh (elementwise) and softmax / log_softmax (along a dimension).

The elementwise ones save their *output*: each derivative is cheapest written in terms of it.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor
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
