"""The PIL half of ``transforms.functional``: each op is Pillow's own operation, called as torchvision calls it.

So a PIL image transformed here is pixel-for-pixel what torchvision gives: PIL does the resampling
(``Image.resize``, ``rotate``, ``transform``), the colour enhancement (``ImageEnhance``) and the borders
(``ImageOps.expand``); only padding modes PIL lacks (edge, reflect, symmetric) go through ``np.pad``.
"""
from __future__ import annotations

import numbers

import numpy as np
from PIL import Image, ImageEnhance, ImageOps


def _is_pil_image(img) -> bool:
    return isinstance(img, Image.Image)


def _check_pil(img) -> None:
    if not _is_pil_image(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


def _image_from_array(array: np.ndarray, mode: str) -> Image.Image:
    """``Image.fromarray(array, mode)`` with the old meaning of ``mode`` ("read these bytes as mode"),
    which Pillow >= 11.3 deprecates; ``frombuffer`` still does exactly that."""
    array = np.ascontiguousarray(array)
    height, width = array.shape[:2]
    return Image.frombuffer(mode, (width, height), array.tobytes(), "raw", mode, 0, 1)


def get_dimensions(img) -> list[int]:
    if _is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img) -> list[int]:
    if _is_pil_image(img):
        return list(img.size)
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_num_channels(img) -> int:
    if _is_pil_image(img):
        return len(img.getbands())
    raise TypeError(f"Unexpected type {type(img)}")


def hflip(img: Image.Image) -> Image.Image:
    _check_pil(img)
    return img.transpose(Image.FLIP_LEFT_RIGHT)


def vflip(img: Image.Image) -> Image.Image:
    _check_pil(img)
    return img.transpose(Image.FLIP_TOP_BOTTOM)


def adjust_brightness(img: Image.Image, brightness_factor: float) -> Image.Image:
    _check_pil(img)
    return ImageEnhance.Brightness(img).enhance(brightness_factor)


def adjust_contrast(img: Image.Image, contrast_factor: float) -> Image.Image:
    _check_pil(img)
    return ImageEnhance.Contrast(img).enhance(contrast_factor)


def adjust_saturation(img: Image.Image, saturation_factor: float) -> Image.Image:
    _check_pil(img)
    return ImageEnhance.Color(img).enhance(saturation_factor)


def adjust_hue(img: Image.Image, hue_factor: float) -> Image.Image:
    """Shift the H band of PIL's HSV (0..255 is one turn; uint8 addition wraps around the circle)."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check_pil(img)
    input_mode = img.mode
    if input_mode in {"L", "1", "I", "F"}:
        return img  # no colour, no hue
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    np_h += np.int32(hue_factor * 255).astype(np.uint8)  # wraps modulo 256, as intended
    h = _image_from_array(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(input_mode)


def adjust_gamma(img: Image.Image, gamma: float, gain: float = 1.0) -> Image.Image:
    _check_pil(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    input_mode = img.mode
    img = img.convert("RGB")
    gamma_map = [int((255 + 1 - 1e-3) * gain * pow(ele / 255.0, gamma)) for ele in range(256)] * 3
    return img.point(gamma_map).convert(input_mode)


def _parse_fill(fill, img: Image.Image, name: str = "fillcolor") -> dict:
    """``fill`` as PIL wants it: one int per band (a tuple for multi-band images)."""
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            raise ValueError("The number of elements in 'fill' does not match the number of channels of the "
                             f"image ({len(fill)} != {num_channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img: Image.Image, padding, fill=0, padding_mode: str = "constant") -> Image.Image:
    _check_pil(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, list):
        padding = tuple(padding)
    if isinstance(padding, tuple) and len(padding) not in [1, 2, 4]:
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if isinstance(padding, tuple) and len(padding) == 1:
        padding = padding[0]
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")

    if padding_mode == "constant":
        opts = _parse_fill(fill, img, name="fill")
        if img.mode == "P":
            palette = img.getpalette()
            image = ImageOps.expand(img, border=padding, **opts)
            image.putpalette(palette)
            return image
        return ImageOps.expand(img, border=padding, **opts)

    if isinstance(padding, int):
        p = [padding] * 4
    elif len(padding) == 2:
        p = [padding[0], padding[1], padding[0], padding[1]]
    else:
        p = list(padding)
    # p is [left, top, right, bottom]; negative values crop.
    cropping = -np.minimum(p, 0)
    if cropping.any():
        crop_left, crop_top, crop_right, crop_bottom = cropping
        img = img.crop((crop_left, crop_top, img.width - crop_right, img.height - crop_bottom))
    pad_left, pad_top, pad_right, pad_bottom = np.maximum(p, 0)
    widths = [(pad_top, pad_bottom), (pad_left, pad_right)]
    if img.mode == "P":
        palette = img.getpalette()
        out = Image.fromarray(np.pad(np.asarray(img), widths, mode=padding_mode))
        out.putpalette(palette)
        return out
    array = np.asarray(img)
    if array.ndim == 3:
        widths.append((0, 0))
    return Image.fromarray(np.pad(array, widths, mode=padding_mode))


def crop(img: Image.Image, top: int, left: int, height: int, width: int) -> Image.Image:
    _check_pil(img)
    return img.crop((left, top, left + width, top + height))


def resize(img: Image.Image, size: list[int], interpolation: int = Image.BILINEAR) -> Image.Image:
    _check_pil(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f"Got inappropriate size arg: {size}")
    return img.resize(tuple(size[::-1]), interpolation)  # PIL wants (width, height)


def affine(img: Image.Image, matrix: list[float], interpolation: int = Image.NEAREST, fill=None) -> Image.Image:
    _check_pil(img)
    return img.transform(img.size, Image.AFFINE, matrix, interpolation, **_parse_fill(fill, img))


def rotate(img: Image.Image, angle: float, interpolation: int = Image.NEAREST, expand: bool = False,
           center=None, fill=None) -> Image.Image:
    _check_pil(img)
    return img.rotate(angle, interpolation, expand, center, **_parse_fill(fill, img))


def perspective(img: Image.Image, perspective_coeffs: list[float], interpolation: int = Image.BICUBIC,
                fill=None) -> Image.Image:
    _check_pil(img)
    return img.transform(img.size, Image.PERSPECTIVE, perspective_coeffs, interpolation,
                         **_parse_fill(fill, img))


def to_grayscale(img: Image.Image, num_output_channels: int) -> Image.Image:
    _check_pil(img)
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        gray = np.array(img.convert("L"), dtype=np.uint8)
        return _image_from_array(np.dstack([gray, gray, gray]), "RGB")
    raise ValueError("num_output_channels should be either 1 or 3")


def invert(img: Image.Image) -> Image.Image:
    _check_pil(img)
    return ImageOps.invert(img)
