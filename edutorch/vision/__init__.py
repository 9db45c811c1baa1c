"""edutorch.vision: torchvision's shape on edutorch tensors.

``from edutorch.vision import transforms, datasets, utils`` mirrors ``from torchvision import ...``:
transforms work on PIL images and on tensors, datasets read the files torchvision downloads (same
folder layout), and ``utils`` holds make_grid / save_image / draw_bounding_boxes.
"""
from . import datasets, io, models, ops, transforms, utils

__all__ = ["datasets", "io", "models", "ops", "transforms", "utils"]

# The torchvision release paired with PyTorch 2.13, whose API edutorch.vision follows (code that checks
# ``torchvision.__version__`` sees a version of the same shape).
__version__ = "0.28.0"
