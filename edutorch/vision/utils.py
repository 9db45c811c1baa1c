"""Looking at images: ``make_grid``, ``save_image``, ``draw_bounding_boxes`` (as ``torchvision.utils``).

A batch of images is a ``(B, C, H, W)`` tensor; to look at it we tile it into one ``(C, H', W')`` image:

    pad every image on its top and left, lay the padded images out in rows of ``nrow``, and add one
    last strip of padding on the bottom and the right.

That is a reshape, not a loop: ``(rows, nrow, C, h, w) -> (C, rows, h, nrow, w) -> (C, rows*h, nrow*w)``.
"""
from __future__ import annotations

import math
import os
import tempfile
import warnings
from pathlib import Path
from typing import BinaryIO, Optional, Union

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

from .._dtype import uint8
from .._tensor import Tensor
from ..ops.creation import from_numpy
from .transforms.functional import convert_image_dtype

__all__ = ["make_grid", "save_image", "draw_bounding_boxes"]


def _as_batch(tensor: Union[Tensor, list]) -> np.ndarray:
    """A tensor, or a list of (C, H, W) tensors, as a (B, C, H, W) array with 1 channel made 3 (RGB)."""
    if isinstance(tensor, (list, tuple)):
        if not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError(f"tensor or list of tensors expected, got a list of "
                            f"{sorted({type(t).__name__ for t in tensor})}")
        array = np.stack([t.detach().numpy() for t in tensor])
    elif isinstance(tensor, Tensor):
        array = tensor.detach().numpy()
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if array.ndim == 2:                       # (H, W): one grey image
        array = array[None]
    if array.ndim == 3:                       # (C, H, W): one image
        if array.shape[0] == 1:
            array = np.concatenate([array] * 3, axis=0)
        array = array[None]
    if array.ndim != 4:
        raise ValueError(f"make_grid expects a (B, C, H, W) batch, a (C, H, W) image or a list of images, "
                         f"got a tensor of shape {tuple(array.shape)}")
    if array.shape[1] == 1:                   # grey batch -> RGB, so every grid is 3-channel
        array = np.concatenate([array] * 3, axis=1)
    return array


def _normalize(batch: np.ndarray, value_range, scale_each: bool) -> np.ndarray:
    """Clamp to ``value_range`` (default: the min and max) and map it to [0, 1].

    ``scale_each`` takes the min and max of each image instead of the whole batch.
    """
    if value_range is not None and not isinstance(value_range, tuple):
        raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
    if value_range is not None:
        low = np.asarray(value_range[0], dtype=batch.dtype)
        high = np.asarray(value_range[1], dtype=batch.dtype)
    elif scale_each:
        low = batch.min(axis=(1, 2, 3), keepdims=True)
        high = batch.max(axis=(1, 2, 3), keepdims=True)
    else:
        low, high = batch.min(), batch.max()
    # max(high - low, 1e-5): a constant image would otherwise divide by zero
    span = np.maximum(high - low, np.asarray(1e-5, dtype=batch.dtype))
    return (np.clip(batch, low, high) - low) / span


def make_grid(
    tensor: Union[Tensor, list],
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: Optional[tuple] = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Tensor:
    """Tile a batch of images into one image, ``nrow`` images per row.

    Args:
        tensor: a ``(B, C, H, W)`` batch, a ``(C, H, W)`` image, or a list of images of one size.
            One-channel images are repeated into three channels.
        nrow: images per row of the grid (the last row may be shorter).
        padding: pixels of ``pad_value`` around every image.
        normalize: map the values to [0, 1]: clamp to ``value_range`` (default: the min and max).
        value_range: ``(min, max)`` used by ``normalize``.
        scale_each: with ``normalize``, use each image's own min and max.
        pad_value: the value of the padding pixels.

    Shape:
        ``(C, rows * (H + padding) + padding, ncols * (W + padding) + padding)`` where
        ``ncols = min(nrow, B)`` and ``rows = ceil(B / ncols)``; a batch of one image is returned unpadded.

    Examples::

        >>> grid = make_grid(torch.rand(10, 3, 8, 8), nrow=5, padding=1)
        >>> grid.shape
        torch.Size([3, 19, 46])
    """
    batch = _as_batch(tensor)
    if normalize:
        batch = _normalize(batch, value_range, scale_each)
    if batch.shape[0] == 1:
        return from_numpy(np.ascontiguousarray(batch[0]))

    count, channels, height, width = batch.shape
    cols = min(nrow, count)
    rows = math.ceil(count / cols)
    # empty cells of the last row are padding too
    cells = np.full((rows * cols, channels, height + padding, width + padding), pad_value, dtype=batch.dtype)
    cells[:count, :, padding:, padding:] = batch
    grid = (cells.reshape(rows, cols, channels, height + padding, width + padding)
                 .transpose(2, 0, 3, 1, 4)
                 .reshape(channels, rows * (height + padding), cols * (width + padding)))
    grid = np.pad(grid, ((0, 0), (0, padding), (0, padding)), constant_values=pad_value)
    return from_numpy(np.ascontiguousarray(grid))


def _to_uint8_hwc(grid: Tensor) -> np.ndarray:
    """A float (C, H, W) image in [0, 1] as uint8 (H, W, C): ``x * 255 + 0.5``, clamped, truncated."""
    array = grid.numpy().astype(np.float32, copy=False)
    return np.clip(array * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)


def save_image(tensor: Union[Tensor, list], fp: Union[str, os.PathLike, BinaryIO],
               format: Optional[str] = None, **kwargs) -> None:
    """Save an image, or a batch as a grid (``make_grid(tensor, **kwargs)``), to a file.

    Values are taken to be in [0, 1] (``normalize=True`` maps any range there). The format comes from
    the file name's extension, or from ``format`` (needed for file objects). A path is written to a
    temporary file first and then renamed, so an interrupted save never leaves half an image.
    """
    grid = make_grid(tensor, **kwargs)
    image = Image.fromarray(_to_uint8_hwc(grid))
    if not isinstance(fp, (str, os.PathLike)):
        image.save(fp, format=format)
        return
    path = Path(fp)
    # the format must come from the real name: the temporary file's name has no useful extension
    format = format or Image.registered_extensions().get(path.suffix.lower())
    if format is None:
        raise ValueError(f"unknown file extension: {path.suffix!r} (in {str(path)!r}); "
                         f"pass format='PNG' (or JPEG, ...) or use a name ending in .png / .jpg")
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as f:
            image.save(f, format=format)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _palette(count: int) -> list:
    """torchvision's default box colours: distinct, deterministic, one per box."""
    base = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])
    return [tuple(int(v) for v in (i * base) % 255) for i in range(count)]


def _parse_colors(colors, count: int) -> list:
    """None (a palette), one colour for all, or a list of at least ``count`` colours -> RGB tuples."""
    if colors is None:
        colors = _palette(count)
    elif isinstance(colors, list):
        if len(colors) < count:
            raise ValueError(f"Number of colors must be equal or larger than the number of objects, "
                             f"but got {len(colors)} < {count}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f"colors must be a tuple or a string, or a list thereof, but got {colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * count
    return [ImageColor.getrgb(c) if isinstance(c, str) else tuple(c) for c in colors]


def draw_bounding_boxes(image: Tensor, boxes: Tensor, labels: Optional[list] = None, colors=None,
                        fill: bool = False, width: int = 1, font: Optional[str] = None,
                        font_size: Optional[int] = None, label_colors=None,
                        label_background_colors=None, fill_labels: bool = False) -> Tensor:
    """Draw boxes (and their labels) on a ``(C, H, W)`` image; returns a new image of the same dtype.

    Args:
        image: uint8 in [0, 255] or float in [0, 1], 1 (grey) or 3 (RGB) channels.
        boxes: ``(N, 4)`` as ``(xmin, ymin, xmax, ymax)`` in pixels.
        labels: one string per box, written inside its top-left corner.
        colors: one colour (``"red"``, ``"#FF00FF"``, ``(240, 10, 157)``) or one per box; default:
            a fixed palette.
        fill: fill the boxes with their colour at alpha 100/255.
        width: line width in pixels.
        font, font_size: a TrueType font file and its size (default: PIL's built-in font).
        label_colors / label_background_colors / fill_labels: the labels' text and background colours.

    Drawing is done by PIL's ``ImageDraw`` (rasterising lines is PIL's job, not ours). Oriented
    ``(N, 8)`` boxes, which torchvision also accepts, are not supported.
    """
    if not isinstance(image, Tensor):
        raise TypeError(f"Tensor expected, got {type(image)}")
    if not (image.dtype.is_floating_point or image.dtype == uint8):
        raise ValueError(f"The image dtype must be uint8 or float, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.shape[0] not in (1, 3):
        raise ValueError("Only grayscale and RGB images are supported")
    box_array = boxes.detach().numpy() if isinstance(boxes, Tensor) else np.asarray(boxes)
    if box_array.ndim != 2 or box_array.shape[-1] != 4:
        raise ValueError(f"boxes should be an (N, 4) tensor of (xmin, ymin, xmax, ymax), "
                         f"got shape {tuple(box_array.shape)}")
    if (box_array[:, 0] > box_array[:, 2]).any() or (box_array[:, 1] > box_array[:, 3]).any():
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. "
                         "Use torchvision.ops.box_convert to convert them")
    count = box_array.shape[0]
    if count == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn")
        return image
    if labels is None:
        labels = [None] * count
    elif len(labels) != count:
        raise ValueError(f"Number of boxes ({count}) and labels ({len(labels)}) mismatch. "
                         f"Please specify labels for each box.")

    box_colors = _parse_colors(colors, count)
    text_colors = (_parse_colors(label_colors or "black", count) if (label_colors or fill_labels)
                   else box_colors)
    back_colors = (_parse_colors(label_background_colors, count) if (fill_labels and label_background_colors)
                   else box_colors)
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.")
        text_font = ImageFont.load_default()
    else:
        text_font = ImageFont.truetype(font=font, size=font_size or 10)

    floating = image.dtype.is_floating_point
    # a float image in [0, 1] is drawn on as uint8 in [0, 255], and converted back at the end
    pixels = (convert_image_dtype(image.detach(), uint8) if floating else image.detach()).numpy()
    if pixels.shape[0] == 1:
        pixels = np.concatenate([pixels] * 3, axis=0)
    canvas = Image.fromarray(np.ascontiguousarray(pixels.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(canvas, "RGBA" if fill else None)

    for box, color, label, text_color, back_color in zip(box_array.astype(np.int64).tolist(), box_colors,
                                                          labels, text_colors, back_colors):
        draw.rectangle(box, width=width, outline=color, fill=color + (100,) if fill else None)
        if label is not None:
            margin = width + 1
            corner = (box[0] + margin, box[1] + margin)
            if fill_labels:
                left, top, right, bottom = draw.textbbox(corner, label, font=text_font)
                draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=back_color)
            draw.text(corner, label, fill=text_color, font=text_font)

    out = np.asarray(canvas).transpose(2, 0, 1).copy()
    return convert_image_dtype(from_numpy(out), image.dtype) if floating else from_numpy(out)
