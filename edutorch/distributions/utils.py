"""Helpers shared by the distributions: broadcasting parameters, probs ↔ logits, lazy properties."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import enable_grad
from ..nn import functional as F
from ..ops.arithmetic import broadcast_shapes
from ..ops.creation import tensor

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits"]


def broadcast_all(*values) -> tuple[Tensor, ...]:
    """Tensors of one broadcast shape from tensors and Python numbers (numbers take the dtype of the first
    tensor, or the default dtype): ``broadcast_all(0.0, torch.ones(3))`` → two tensors of shape (3,)."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects implementing "
                         "__torch_function__.")
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), _dtype.get_default_dtype())
    tensors = [v if isinstance(v, Tensor) else tensor(v, dtype=dtype) for v in values]
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum the ``dim`` rightmost dimensions (turning per-element log-densities into per-event ones)."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """p = sigmoid(logit) for a binary variable, else softmax over the last dimension."""
    if is_binary:
        return logits.sigmoid()
    return F.softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Keep probabilities inside [eps, 1 - eps] so their logarithms stay finite."""
    eps = float(np.finfo(probs.detach().numpy().dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """The inverse of :func:`logits_to_probs`: log(p) - log(1 - p) for a binary variable, else log(p)
    (logits of a categorical are defined up to a constant; log p is the normalised choice)."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:
    """A property computed on first use and then stored on the instance (``Bernoulli(logits=x).probs``
    computes sigmoid(x) once). The computation records its graph even under no_grad, as in PyTorch."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
