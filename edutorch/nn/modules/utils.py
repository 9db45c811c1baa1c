"""Argument expanders the layers share, as in PyTorch's ``torch/nn/modules/utils.py``:
``_pair(3)`` is ``(3, 3)``, ``_pair((2, 3))`` stays ``(2, 3)``. (The functional ops check lengths and
raise PyTorch's errors themselves: a layer stores what it was given, expanded.)"""
from __future__ import annotations

from collections.abc import Iterable


def _ntuple(n: int, name: str = "parse"):
    def parse(x) -> tuple:
        if isinstance(x, Iterable) and not isinstance(x, str):
            return tuple(x)
        return (x,) * n

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
