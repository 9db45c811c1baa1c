"""``FakeData``: random images with random labels, for trying a pipeline without any files.

Item ``i`` is made by a generator seeded with ``i + random_offset``, so ``dataset[i]`` is the same image
every time it is asked for (and in every DataLoader worker), and the global random state is untouched.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np
from PIL import Image

from ...ops.creation import randint, randn
from ...random import Generator
from .vision import VisionDataset

__all__ = ["FakeData"]

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}  # channels -> PIL mode, as ToPILImage chooses


def _float_chw_to_pil(chw: np.ndarray) -> Image.Image:
    """What ``transforms.ToPILImage()`` does to a float (C, H, W) tensor: ``mul(255).byte()``, then HWC.

    ``byte()`` truncates toward zero and wraps modulo 256 (-1.5*255 -> -382 -> 130), so values outside
    [0, 1] (``randn`` makes many) wrap around rather than clip, exactly as torchvision's FakeData images do.
    """
    channels = chw.shape[0]
    if channels not in _MODES:
        raise ValueError(f"FakeData image_size must have 1 to 4 channels (C, H, W), got {chw.shape}")
    pixels = (chw * 255).astype(np.int64).astype(np.uint8)  # int64 first: float->uint8 is undefined in C
    hwc = np.ascontiguousarray(pixels.transpose(1, 2, 0))
    return Image.fromarray(hwc[:, :, 0] if channels == 1 else hwc)  # uint8 (H, W[, C]) -> mode _MODES[C]


class FakeData(VisionDataset):
    """A fake dataset that returns randomly generated images (as PIL images) and random labels.

    Args:
        size (int, optional): Size of the dataset. Default: 1000 images
        image_size (tuple, optional): Size of the returned images, (C, H, W). Default: (3, 224, 224)
        num_classes (int, optional): Number of classes in the dataset. Default: 10
        transform (callable, optional): takes a PIL image and returns a transformed version.
        target_transform (callable, optional): takes the target and transforms it.
        random_offset (int): Offsets the index-based random seed used to generate each image. Default: 0

    torchvision's recipe: per-index seed, ``randn`` image, ``randint`` label; edutorch's generator is
    PyTorch's, so the image tensors and labels are torchvision's too.
    """

    def __init__(self, size: int = 1000, image_size: tuple[int, int, int] = (3, 224, 224), num_classes: int = 10,
                 transform: Optional[Callable] = None, target_transform: Optional[Callable] = None,
                 random_offset: int = 0) -> None:
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a PIL image and an int class index, after the transforms."""
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        # A private generator seeded by the index: item i never depends on what was drawn before it.
        generator = Generator().manual_seed(index + self.random_offset)
        img = randn(*self.image_size, generator=generator)
        target = randint(0, self.num_classes, size=(1,), generator=generator)[0]

        img = _float_chw_to_pil(img.numpy())
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target.item()

    def __len__(self) -> int:
        return self.size
