"""``edutorch.backends.cudnn``: NVIDIA's cuDNN library (convolutions on the GPU) is not part of edutorch.

The flags are plain module variables with PyTorch's defaults, so training scripts can set them:

    torch.backends.cudnn.benchmark = True        # try conv algorithms, keep the fastest (GPU only)
    torch.backends.cudnn.deterministic = True    # pick reproducible conv algorithms (GPU only)

They change nothing here: edutorch's convolutions are NumPy (im2col + one matrix multiply) and give the
same result on every run. For reproducible runs in PyTorch see ``torch.use_deterministic_algorithms``.
"""
from __future__ import annotations

enabled: bool = True
benchmark: bool = False
deterministic: bool = False


def is_available() -> bool:
    """False: edutorch has no GPU, so no cuDNN (as in a CPU-only PyTorch build)."""
    return False
