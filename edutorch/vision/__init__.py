"""edutorch.vision: torchvision's shape on edutorch tensors.

``from edutorch.vision import transforms, datasets, utils`` mirrors ``from torchvision import ...``:
transforms work on PIL images and on tensors, datasets read the files torchvision downloads (same
folder layout), and ``utils`` holds make_grid / save_image / draw_bounding_boxes.
"""
from . import datasets, models, ops, transforms, utils

__all__ = ["datasets", "models", "ops", "transforms", "utils"]
