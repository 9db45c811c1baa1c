"""``torch.compile``: accepted and ignored, since edutorch has no compiler.

In PyTorch, ``model = torch.compile(model)`` traces the model's Python code and generates fused kernels
for it. edutorch runs every op eagerly (Python calling NumPy, op by op), so ``compile`` hands its
argument back unchanged: scripts written for PyTorch 2 run as they are, only not faster. It says so
once per session with a ``UserWarning``.
"""
from __future__ import annotations

import warnings

_warned = False

_NO_COMPILER = (
    "edutorch has no compiler: torch.compile returns the model unchanged and it runs eagerly "
    "(NumPy, op by op). To compile it, switch the import to `import torch`."
)


def compile(model=None, *, fullgraph: bool = False, dynamic: bool | None = None, backend=None,
            mode: str | None = None, options: dict | None = None, disable: bool = False, **kwargs):
    """Return ``model`` (a module or a function) unchanged, warning once that nothing is compiled.

    Used as a decorator with options, ``@torch.compile(mode="max-autotune")``, ``model`` is None and
    the decorator returns the function it decorates, as in PyTorch.
    """
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(_NO_COMPILER, UserWarning, stacklevel=2)
    if model is None:
        return lambda fn: fn
    return model
