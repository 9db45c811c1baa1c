"""The preprocessing that comes with pretrained weights, as ``torchvision.transforms._presets``.

``ResNet50_Weights.IMAGENET1K_V2.transforms()`` builds an ``ImageClassification``: the exact resize,
centre crop and normalisation the weights were evaluated with. Use it instead of retyping the numbers;
a model fed differently-prepared images quietly loses accuracy.
"""
from __future__ import annotations

from ... import float32 as _float32
from ... import nn
from ..._tensor import Tensor
from . import functional as F
from .functional import InterpolationMode

__all__ = ["ImageClassification"]


class ImageClassification(nn.Module):
    """Resize the shorter side to ``resize_size``, crop the central ``crop_size`` square, scale to
    ``[0, 1]`` float32, then normalise each channel: ``(x - mean[c]) / std[c]``.

    Accepts a PIL image, a ``(C, H, W)`` or a batched ``(B, C, H, W)`` tensor (uint8 or float).

    Args:
        crop_size (int): side of the central square crop (keyword only, as all the arguments).
        resize_size (int): the shorter side after resizing. Default: 256.
        mean, std (tuple of float): per-channel normalisation. Default: ImageNet's.
        interpolation (InterpolationMode): Default: ``BILINEAR``.
        antialias (bool): antialias when downsizing a tensor (PIL always does). Default: True.
    """

    def __init__(self, *, crop_size: int, resize_size: int = 256,
                 mean: tuple[float, ...] = (0.485, 0.456, 0.406), std: tuple[float, ...] = (0.229, 0.224, 0.225),
                 interpolation: InterpolationMode = InterpolationMode.BILINEAR, antialias: bool | None = True) -> None:
        super().__init__()
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img) -> Tensor:
        img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not isinstance(img, Tensor):
            img = F.pil_to_tensor(img)
        img = F.convert_image_dtype(img, _float32)
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}("
                f"\n    crop_size={self.crop_size}"
                f"\n    resize_size={self.resize_size}"
                f"\n    mean={self.mean}"
                f"\n    std={self.std}"
                f"\n    interpolation={self.interpolation}"
                "\n)")

    def describe(self) -> str:
        return (
            "Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` objects. "
            f"The images are resized to ``resize_size={self.resize_size}`` using "
            f"``interpolation={self.interpolation}``, "
            f"followed by a central crop of ``crop_size={self.crop_size}``. Finally the values are first rescaled to "
            f"``[0.0, 1.0]`` and then normalized using ``mean={self.mean}`` and ``std={self.std}``."
        )
