"""``Parameter``: a tensor that a Module registers as one of its learnable weights.

Assigning a Parameter to a module attribute (``self.weight = nn.Parameter(...)``) puts it in
``module._parameters``, so ``model.parameters()`` finds it and the optimizer updates it. It is always a
leaf and requires grad unless told otherwise.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor


class Parameter(Tensor):
    """A learnable tensor: ``nn.Parameter(torch.randn(3, 4))`` shares the storage of its data."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = Tensor._make(np.empty(0, dtype=np.float32))
        param = object.__new__(cls)
        param._init(data._data, False)
        param._version_counter = data._version_counter  # the same storage, as in PyTorch
        param.requires_grad = requires_grad
        return param

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass  # all set up in __new__

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._make(self._data.copy()), self.requires_grad)
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data, self.requires_grad))


def _rebuild_parameter(data: np.ndarray, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._make(data), requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a module buffer when assigned (``self.mean = nn.Buffer(t)``)."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = Tensor._make(np.empty(0, dtype=np.float32))
        buf = object.__new__(cls)
        buf._init(data._data, False)
        buf.persistent = persistent
        return buf

    def __init__(self, data=None, *, persistent: bool = True):
        pass
