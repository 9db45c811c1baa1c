"""Anomaly detection: ``detect_anomaly`` / ``set_detect_anomaly``.

With anomaly mode on, every node remembers the stack of the forward call that made it, and backward
checks each node's gradients: when one holds a NaN, it warns with that forward stack and raises
PyTorch's error naming the node, "Function 'DivBackward0' returned nan values in its 1th output.",
so the op that produced the NaN is found instead of the loss that showed it many ops later.
It slows everything down: turn it on to debug, not to train.
"""
from __future__ import annotations

import functools
import os
import traceback
import warnings

import numpy as np

_enabled = False
_check_nan = True


def is_anomaly_enabled() -> bool:
    return _enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _enabled and _check_nan


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Turn anomaly mode on or off; usable as a call, a context manager or a decorator."""

    def __init__(self, mode: bool, check_nan: bool = True):
        global _enabled, _check_nan
        self._previous = (_enabled, _check_nan)
        self._mode = (bool(mode), bool(check_nan))
        _enabled, _check_nan = self._mode

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        global _enabled, _check_nan
        _enabled, _check_nan = self._previous

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_detect_anomaly(*self._mode):
                return func(*args, **kwargs)

        return wrapper


class detect_anomaly(set_detect_anomaly):  # noqa: N801 - PyTorch's name
    """``with torch.autograd.detect_anomaly():`` anomaly mode on inside the block."""

    def __init__(self, check_nan: bool = True):
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
            "enabled for debugging.", UserWarning, stacklevel=2)
        self._mode = (True, bool(check_nan))

    def __enter__(self):
        global _enabled, _check_nan
        self._previous = (_enabled, _check_nan)
        _enabled, _check_nan = self._mode
        return self

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self._mode[1]):
                return func(*args, **kwargs)

        return wrapper


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def record_forward_stack(node) -> None:
    """Called when a node is made in anomaly mode: keep the stack of the forward call, up to the
    user's line (edutorch's own frames at the end are dropped, as PyTorch's C++ frames are not shown)."""
    frames = traceback.extract_stack()
    while frames and os.path.abspath(frames[-1].filename).startswith(_PACKAGE_DIR + os.sep):
        frames.pop()
    node.metadata["traceback_"] = traceback.format_list(frames)


def check_gradients(node, grad_inputs) -> None:
    """Raise PyTorch's error if one of the gradients ``node`` computed holds a NaN."""
    for i, grad in enumerate(grad_inputs):
        data = getattr(grad, "_data", grad)
        if data is not None and np.issubdtype(np.asarray(data).dtype, np.floating) and np.isnan(data).any():
            stack = node.metadata.get("traceback_")
            if stack:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused the "
                              f"error:\n{''.join(stack)}", UserWarning, stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
