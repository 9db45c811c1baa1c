"""Grad mode: whether ops record the graph. ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``, each usable as a context manager or a decorator.

Grad mode is one of edutorch's two globals (the other is the random generator).
"""
from __future__ import annotations

import functools

_grad_enabled = True
_inference_mode = False


def is_grad_enabled() -> bool:
    """True when ops on tensors that require grad record a graph for backward."""
    return _grad_enabled


def is_inference_mode_enabled() -> bool:
    return _inference_mode


def _set(grad: bool, inference: bool | None = None) -> tuple[bool, bool]:
    global _grad_enabled, _inference_mode
    previous = (_grad_enabled, _inference_mode)
    _grad_enabled = grad
    if inference is not None:
        _inference_mode = inference
    return previous


class _GradModeContext:
    """Shared machinery: enter sets the mode, exit restores it, and calling decorates a function."""

    def _modes(self) -> tuple[bool, bool | None]:
        raise NotImplementedError

    def __enter__(self):
        self._previous = _set(*self._modes())
        return self

    def __exit__(self, *exc) -> None:
        _set(*self._previous)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return func(*args, **kwargs)

        return wrapper

    def _args(self) -> tuple:
        return ()

    def clone(self):
        return self.__class__(*self._args())


class no_grad(_GradModeContext):
    """Ops inside ``with torch.no_grad():`` record no graph: results have ``requires_grad=False``.

    Use it for evaluation and for updating parameters by hand (``w -= lr * w.grad``).
    """

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if callable(orig_func):  # ``@torch.no_grad`` without parentheses passes the function itself
            return self.__call__(orig_func)
        return self

    def __init__(self, orig_func=None):
        pass

    def _modes(self):
        return False, None


class enable_grad(_GradModeContext):
    """Turn graph recording back on inside a ``no_grad`` block."""

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if callable(orig_func):
            return self.__call__(orig_func)
        return self

    def __init__(self, orig_func=None):
        pass

    def _modes(self):
        return True, None


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` switches recording off now; as a context manager, only inside it."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._previous = _set(self.mode)  # takes effect on construction, as in PyTorch

    def __enter__(self):
        return self

    def _args(self):
        return (self.mode,)

    def __call__(self, func):
        _set(*self._previous)  # used as a decorator: construction must not change the mode
        return super().__call__(func)

    def _modes(self):
        return self.mode, None


class inference_mode(_GradModeContext):
    """Like ``no_grad``, and tensors made inside are *inference tensors* that autograd refuses later."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.__init__(True)
            return self.__call__(mode)
        return self

    def __init__(self, mode: bool = True):
        self.mode = bool(mode) if not callable(mode) else True

    def _args(self):
        return (self.mode,)

    def _modes(self):
        if self.mode:
            return False, True
        return _grad_enabled, False
