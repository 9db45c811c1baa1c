"""``edutorch.jit``: TorchScript is not part of edutorch.

``torch.jit.script`` and ``torch.jit.trace`` turn a model into a TorchScript program that runs without
Python. edutorch has no such compiler: every op runs eagerly, as plain Python calling NumPy, one line
at a time (which is what makes it readable). So both raise a ``RuntimeError`` that says how to switch.
``import edutorch.jit`` works, so a script that imports it still runs up to the call.
"""
from __future__ import annotations

_SWITCH = (
    "edutorch runs eagerly (Python + NumPy, op by op) and cannot {what} a model into TorchScript. "
    "To do that, switch the import to `import torch` (pip install torch): the same model code runs "
    "there. Note that PyTorch 2.13 deprecates torch.jit.{name} in favour of torch.compile and "
    "torch.export."
)


def script(obj, *args, **kwargs):
    """Raises ``RuntimeError``: edutorch cannot compile Python code to TorchScript."""
    raise RuntimeError(_SWITCH.format(what="script", name="script"))


def trace(func, *args, **kwargs):
    """Raises ``RuntimeError``: edutorch cannot record a model as a TorchScript graph."""
    raise RuntimeError(_SWITCH.format(what="trace", name="trace"))
