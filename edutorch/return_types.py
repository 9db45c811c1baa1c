"""Named results of ops that return two tensors: ``torch.return_types.max(values=..., indices=...)``.

``torch.max(x, dim=1)`` gives both the largest values and where they are. PyTorch returns them as a
small named tuple, so both styles work::

    values, indices = torch.max(x, dim=1)     # unpack like a tuple
    result = torch.max(x, dim=1)
    result.values, result.indices             # or read the fields by name

Each type below is a ``collections.namedtuple`` that prints the way PyTorch prints it::

    torch.return_types.max(
    values=tensor([3., 2.]),
    indices=tensor([1, 0]))
"""
from __future__ import annotations

from collections import namedtuple


def _repr(self) -> str:
    # PyTorch puts every field on its own line, after the qualified type name.
    fields = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{fields})"


class max(namedtuple("max", ["values", "indices"])):  # noqa: A001 - PyTorch's name
    """``torch.max(input, dim)``: the largest values along ``dim`` and their (first) indices."""

    __slots__ = ()
    __repr__ = _repr


class min(namedtuple("min", ["values", "indices"])):  # noqa: A001 - PyTorch's name
    """``torch.min(input, dim)``: the smallest values along ``dim`` and their (first) indices."""

    __slots__ = ()
    __repr__ = _repr


class sort(namedtuple("sort", ["values", "indices"])):
    """``torch.sort(input, dim)``: the sorted values and the indices that sort ``input``."""

    __slots__ = ()
    __repr__ = _repr


class topk(namedtuple("topk", ["values", "indices"])):
    """``torch.topk(input, k, dim)``: the ``k`` largest (or smallest) values and their indices."""

    __slots__ = ()
    __repr__ = _repr
