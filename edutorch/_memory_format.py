"""Memory formats: in which order a 4-d (N, C, H, W) tensor keeps its numbers in memory.

``torch.contiguous_format`` is row-major over (N, C, H, W): the W neighbours of a pixel sit next to each
other. ``torch.channels_last`` keeps the C channels of one pixel together instead, the order (N, H, W, C)
in memory while the shape stays (N, C, H, W); ``channels_last_3d`` does the same for 5-d (N, C, D, H, W).
Only the *strides* change: a channels-last tensor of shape (2, 3, 4, 5) has strides (60, 1, 15, 3).

edutorch does the same with NumPy: a channels-last array is a transposed view of an NHWC-contiguous
array, so ``stride()`` and ``is_contiguous(memory_format=...)`` answer as PyTorch's. The numbers are the
same either way; on a CPU without special kernels the format changes speed, not results.
(``torch.preserve_format``, the default of ``clone``/``*_like``, keeps the input's format.)
"""
from __future__ import annotations

import numpy as np

__all__ = ["channels_last", "channels_last_3d", "contiguous_format", "memory_format", "preserve_format"]


class memory_format:  # noqa: N801 - PyTorch's name
    """One of ``torch.contiguous_format``, ``channels_last``, ``channels_last_3d``, ``preserve_format``."""

    def __init__(self, name: str):
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self):
        return (_by_name, (self._name,))


memory_format.__module__ = "torch"  # prints as <class 'torch.memory_format'>, as PyTorch's
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")


def _by_name(name: str) -> memory_format:
    return {f._name: f for f in (contiguous_format, channels_last, channels_last_3d, preserve_format)}[name]


def _channels_last_axes(ndim: int, fmt: memory_format) -> tuple:
    """The memory order of the axes for ``fmt``: (0, 2, 3, 1) for 4-d channels-last, (0, 2, 3, 4, 1) for 5-d."""
    rank = 4 if fmt is channels_last else 5
    if ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt._name} format")
    return (0, *range(2, rank), 1)


def _check(fmt) -> None:
    if not isinstance(fmt, memory_format):
        raise TypeError(f"memory_format must be a torch.memory_format (e.g. torch.channels_last), not "
                        f"{type(fmt).__name__}")


def is_contiguous_as(array: np.ndarray, fmt: memory_format) -> bool:
    """Whether ``array`` is laid out densely in ``fmt``'s order (PyTorch's ``is_contiguous(memory_format=)``)."""
    _check(fmt)
    if fmt in (contiguous_format, preserve_format):
        return bool(array.flags.c_contiguous)
    if array.ndim != (4 if fmt is channels_last else 5):
        return False
    return bool(array.transpose(_channels_last_axes(array.ndim, fmt)).flags.c_contiguous)


def suggest_format(array: np.ndarray) -> memory_format:
    """The format ``preserve_format`` keeps: channels-last if the array is laid out that way (and not also
    plainly contiguous, as a (N, 1, 1, 1) array is both), else contiguous."""
    if array.flags.c_contiguous:
        return contiguous_format
    for fmt in (channels_last, channels_last_3d):
        if is_contiguous_as(array, fmt):
            return fmt
    return contiguous_format


def in_format(array: np.ndarray, fmt: memory_format | None, copy: bool = False) -> np.ndarray:
    """``array`` laid out in ``fmt`` (a copy when it is not already, or when ``copy``)."""
    if fmt is None:
        fmt = contiguous_format
    _check(fmt)
    if fmt is preserve_format:
        fmt = suggest_format(array)
    if fmt is contiguous_format:
        return np.array(array, order="C", copy=True) if copy else np.ascontiguousarray(array)
    axes = _channels_last_axes(array.ndim, fmt)
    if is_contiguous_as(array, fmt) and not copy:
        return array
    inverse = tuple(int(i) for i in np.argsort(axes))
    return np.ascontiguousarray(array.transpose(axes)).transpose(inverse)  # NHWC memory, NCHW shape
