"""All of a model's parameters as one flat vector, and back (handy for line searches and second-order tricks)."""
from __future__ import annotations

from typing import Iterable

from ..._tensor import Tensor
from ...ops.shape import cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Flatten the parameters and join them into one vector (a differentiable copy: ``cat`` of views).

    Args:
        parameters (Iterable[Tensor]): the parameters of a model, in a fixed order.

    Returns:
        Tensor: a 1-D tensor with ``sum(p.numel())`` entries.
    """
    return cat([param.view(-1) for param in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Cut ``vec`` into pieces shaped like the parameters and make each parameter's data that piece.

    As in PyTorch, each parameter then *shares memory* with ``vec`` (``param.data = piece``): later writes
    into ``vec`` show in the parameters.

    Args:
        vec (Tensor): a 1-D tensor, e.g. from :func:`parameters_to_vector`.
        parameters (Iterable[Tensor]): the parameters to overwrite, in the same order.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        num_param = param.numel()
        param.data = vec[pointer:pointer + num_param].view_as(param).data
        pointer += num_param
