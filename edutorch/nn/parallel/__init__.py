"""``nn.DataParallel`` and ``nn.parallel.DistributedDataParallel`` on a CPU-only engine.

``DataParallel(model)`` splits each batch across GPUs, runs a copy of the model on each, and gathers
the outputs. With no GPU (always, in edutorch; and in PyTorch on a CPU-only machine) it is a
pass-through: ``forward`` calls the wrapped model. What stays, and what learners trip over, is the
wrapping itself:

- the model is ``dp.module``: ``dp.fc`` raises ``AttributeError`` — use ``dp.module.fc``;
- ``dp.state_dict()`` keys start with ``module.``: a checkpoint saved from the wrapper loads into a bare
  model only after removing that prefix (or save ``dp.module.state_dict()`` in the first place).
"""
from __future__ import annotations

from typing import Any

from ..modules.module import Module

__all__ = ["DataParallel", "DistributedDataParallel"]


class DataParallel(Module):
    """Run ``module`` on the batch, split across GPUs along ``dim`` — here, without GPUs, unsplit.

    Args:
        module: the model to wrap (registered as the child ``module``).
        device_ids, output_device, dim: accepted for PyTorch's signature; with no GPU they are
            ignored, as PyTorch ignores them on a CPU-only machine (``device_ids`` becomes ``[]``).

    Example::

        >>> dp = nn.DataParallel(nn.Linear(2, 3))
        >>> list(dp.state_dict())
        ['module.weight', 'module.bias']
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list = []  # no GPU: nothing to replicate onto

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(Module):
    """One process per device, gradients averaged between processes (needs a process group).

    edutorch has no distributed backend, so, as in PyTorch before ``init_process_group``, building one
    raises ``ValueError``.
    """

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group. (edutorch runs in one process on the CPU and has no "
                         "torch.distributed backend: train the model directly, or wrap it in "
                         "nn.DataParallel, which passes the batch through unchanged.)")
