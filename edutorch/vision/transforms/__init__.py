"""Image transforms, as ``torchvision.transforms``: ``from edutorch.vision import transforms``.

The classes (``transforms.Resize(256)``, ...) live in ``transforms.py``; the functions they call, with
explicit parameters, in ``transforms.functional`` (``F.resize(img, 256)``). Every transform accepts a
PIL image or an edutorch Tensor ``(..., C, H, W)`` and returns the same kind.
"""
from . import functional
from .transforms import *  # noqa: F401,F403
from .transforms import __all__
