"""The parts of PyTorch edutorch leaves out, answering clearly instead of with an AttributeError.

``torch.distributed``, ``torch.quantization`` / ``torch.ao.quantization``, ``torch.sparse``, ``torch.nested``,
``torch.export``, ``torch.profiler`` and ``torch.fx`` exist in edutorch as importable modules, so code that
imports them still loads. Using anything in them (calling a function, building a class, reading a
constant) raises ``NotImplementedError`` (a kind of ``RuntimeError``) that names the feature and says to
switch to ``import torch`` for it. Each module's ``__getattr__`` returns an :class:`Unsupported` stand-in
for any name, so the message is the same for names we never listed.
"""
from __future__ import annotations

__all__ = ["Unsupported", "module_getattr", "unsupported"]


def _message(name: str, why: str) -> str:
    return (f"{name}: {why} This part of PyTorch is outside edutorch (a small engine for learning how PyTorch "
            "works); switch to `import torch` to use it.")


def unsupported(name: str, why: str):
    """Raise edutorch's out-of-scope error for ``name`` (e.g. 'torch.export.export')."""
    raise NotImplementedError(_message(name, why))


class Unsupported:
    """A stand-in for a function, class or constant edutorch does not provide: calling it, or reading any
    of its attributes, raises the out-of-scope error."""

    def __init__(self, name: str, why: str):
        self._name, self._why = name, why

    def __call__(self, *args, **kwargs):
        unsupported(self._name, self._why)

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Unsupported(f"{self._name}.{attr}", self._why)

    def __enter__(self):
        unsupported(self._name, self._why)

    def __exit__(self, *exc):
        return False

    def __repr__(self) -> str:
        return f"<{self._name}: not available in edutorch>"


def module_getattr(module_name: str, why: str):
    """A module ``__getattr__`` that answers every public name with an :class:`Unsupported` stand-in."""

    def __getattr__(attr: str):
        if attr.startswith("__"):  # import machinery and introspection ask for __path__, __file__ ...
            raise AttributeError(f"module '{module_name}' has no attribute '{attr}'")
        return Unsupported(f"{module_name}.{attr}", why)

    return __getattr__
