"""Padding layers: ``F.pad`` as a module, one class per mode and number of padded dims.

What each mode puts around a row ``[1, 2, 3, 4]`` padded by 2 on each side:

    constant (value v)   v  v | 1 2 3 4 | v  v       (ZeroPad: v = 0)
    reflect              3  2 | 1 2 3 4 | 3  2       mirror about the edge pixel, which is not repeated
    replicate            1  1 | 1 2 3 4 | 4  4       repeat the edge pixel
    circular             3  4 | 1 2 3 4 | 1  2       wrap around, as if the row were a ring

``padding`` is an int (the same on every side) or a tuple ordered *last dim first*, as in F.pad:
(left, right) for 1-d, (left, right, top, bottom) for 2-d, (left, right, top, bottom, front, back) for
3-d. The math and the gradients (each copy of a pixel sends its gradient back to that pixel) live in
edutorch/ops/conv.py.
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]


def _sides(padding, n: int) -> tuple:
    """An int -> the same amount on all 2n sides; a tuple is kept as given (F.pad checks its length)."""
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * n)


class _ConstantPadNd(Module):
    _dims = 0  # the number of padded (trailing) dims

    def __init__(self, padding, value: float) -> None:
        super().__init__()
        self.padding = _sides(padding, self._dims)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: (N, C, W) or (C, W) -> W_out = W + left + right.

    Examples::
        >>> nn.ConstantPad1d(2, 3.5)(torch.tensor([[1., 2.]]))
        tensor([[3.5000, 3.5000, 1.0000, 2.0000, 3.5000, 3.5000]])
    """

    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``: padding (left, right, top, bottom)."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with ``value``: padding (left, right, top, bottom, front, back)."""

    _dims = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros (ConstantPad1d with value 0)."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros: what Conv2d(padding=p) does before it convolves.

    Examples::
        >>> nn.ZeroPad2d((1, 1, 2, 0))(torch.ones(1, 1, 2, 2)).shape
        torch.Size([1, 1, 4, 4])
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dims with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _IndexPadNd(Module):
    """reflect / replicate / circular: every new pixel copies an input pixel (which one is the mode)."""

    _dims = 0
    _mode = ""

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _sides(padding, self._dims)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_IndexPadNd):
    """Mirror the last dim about its edge pixels: [1 2 3 4] padded by 2 -> [3 2 1 2 3 4 3 2].
    Each amount must be smaller than the dim (the mirror image of a row has only W - 1 new pixels)."""

    _dims, _mode = 1, "reflect"


class ReflectionPad2d(_IndexPadNd):
    """Mirror the last two dims about their edges (no seam of zeros around an image, unlike ZeroPad2d)."""

    _dims, _mode = 2, "reflect"


class ReflectionPad3d(_IndexPadNd):
    """Mirror the last three dims about their edges."""

    _dims, _mode = 3, "reflect"


class ReplicationPad1d(_IndexPadNd):
    """Repeat the edge pixels of the last dim: [1 2 3 4] padded by 2 -> [1 1 1 2 3 4 4 4]."""

    _dims, _mode = 1, "replicate"


class ReplicationPad2d(_IndexPadNd):
    """Repeat the edge pixels of the last two dims (corners repeat the corner pixel)."""

    _dims, _mode = 2, "replicate"


class ReplicationPad3d(_IndexPadNd):
    """Repeat the edge pixels of the last three dims."""

    _dims, _mode = 3, "replicate"


class _CircularPadNd(_IndexPadNd):
    _mode = "circular"

    def forward(self, input):
        # PyTorch checks the rank here, before F.pad (whose message would list all combinations)
        if input.dim() not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"expected {self._dims + 1}D or {self._dims + 2}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """Wrap the last dim around: [1 2 3 4] padded by 2 -> [3 4 1 2 3 4 1 2] (periodic signals)."""

    _dims = 1


class CircularPad2d(_CircularPadNd):
    """Wrap the last two dims around, as on a torus (periodic images, e.g. textures)."""

    _dims = 2


class CircularPad3d(_CircularPadNd):
    """Wrap the last three dims around."""

    _dims = 3
