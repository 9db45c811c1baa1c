"""``edutorch.backends``: switches for PyTorch's compute libraries (cuDNN, Apple's MPS).

edutorch has none of them, but ``torch.backends.cudnn.benchmark = True`` and
``torch.backends.mps.is_available()`` are in many scripts, so both answer as a CPU-only PyTorch does.
"""
from . import cudnn, mps  # noqa: F401  (so torch.backends.cudnn works after `import torch`)
