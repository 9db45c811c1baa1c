"""``Size``: the shape of a tensor, a tuple of ints that prints as ``torch.Size([2, 3])``."""
from __future__ import annotations

import math


class Size(tuple):
    """A tuple subclass for shapes: ``x.shape == (2, 3)`` is True and ``x.shape[0]`` is an int."""

    def __new__(cls, sizes=()):
        return super().__new__(cls, (int(s) for s in sizes))

    def numel(self) -> int:
        """How many elements a tensor of this shape has (1 for a scalar's empty shape)."""
        return math.prod(self)

    def __getitem__(self, item):
        out = super().__getitem__(item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"
