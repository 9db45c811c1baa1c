"""torchvision.io's image functions: files <-> uint8 tensors of shape (C, H, W).

torchvision decodes with libpng / libjpeg; edutorch uses Pillow and then does the colour conversions
itself, the way torchvision does them, so a PNG gives the same numbers:

    read_file(path)            the raw bytes of a file, as a 1-d uint8 tensor
    decode_image(data, mode)   bytes (or a path) -> (C, H, W) uint8; C = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
    read_image(path, mode)     read_file + decode_image
    encode_png / encode_jpeg   (C, H, W) uint8 -> the bytes of a PNG / JPEG file (1-d uint8)
    write_png / write_jpeg     ... and write them to a file;  write_file(path, data) writes raw bytes

``mode`` is an :class:`ImageReadMode`: ``UNCHANGED`` keeps the file's channels; ``GRAY``, ``GRAY_ALPHA``,
``RGB``, ``RGB_ALPHA`` convert. Grey from colour is ``floor(0.299 R + 0.587 G + 0.114 B)`` (libpng's
weights, truncated as torchvision's decoder does; Pillow's ``convert('L')`` rounds instead), and an
added alpha channel is 255 (opaque). Tensors are channels-first like every tensor image in torchvision,
while Pillow and NumPy images are (H, W, C): ``decode_image(...).permute(1, 2, 0)`` gives the latter.

Not supported: 16-bit PNGs (torchvision returns uint16, a dtype edutorch does not have), GPU decoding,
``apply_exif_orientation=True`` on anything but JPEG/PNG files Pillow can read.
"""
from __future__ import annotations

import enum
import io as _pyio
import os

import numpy as np
from PIL import Image, ImageOps

from ..ops.creation import from_numpy
from .._tensor import Tensor

__all__ = ["ImageReadMode", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png",
           "read_file", "read_image", "write_file", "write_jpeg", "write_png"]


class ImageReadMode(enum.Enum):
    """Which channels ``decode_image`` returns (torchvision's values)."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4


ImageReadMode.__module__ = "torchvision.io.image"  # prints <ImageReadMode.RGB: 3>, as torchvision's


# ------------------------------------------------------------------ raw bytes
def read_file(path: str) -> Tensor:
    """The bytes of the file at ``path`` as a 1-d uint8 tensor (what ``decode_image`` reads)."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return from_numpy(np.frombuffer(bytearray(data), dtype=np.uint8))


def write_file(filename: str, data: Tensor) -> None:
    """Write the 1-d uint8 tensor ``data`` to ``filename`` as raw bytes."""
    _check_bytes(data, "write_file")
    with open(os.fspath(filename), "wb") as f:
        f.write(data.numpy().tobytes())


def _check_bytes(data, name: str) -> None:
    if not isinstance(data, Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor of bytes (e.g. from read_file), got {type(data).__name__}")
    if data.dtype.to_numpy() != np.uint8 or data.dim() != 1:
        raise RuntimeError(f"Expected a 1 dimensional uint8 tensor of bytes, but got a tensor of shape "
                           f"{list(data.shape)} and dtype {data.dtype}. Read the file with read_file(path).")


# ------------------------------------------------------------------ decoding
def _gray_from_rgb(rgb: np.ndarray) -> np.ndarray:
    """libpng's luma weights, truncated: floor(0.299 R + 0.587 G + 0.114 B)."""
    return np.floor(rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)


def _pixels(image: Image.Image) -> np.ndarray:
    """The image as an (H, W, C) uint8 array with the channels it has: 1 (L), 2 (LA), 3 (RGB) or 4 (RGBA)."""
    if image.mode in ("I;16", "I;16B", "I", "F") or image.mode.startswith("I;16"):
        raise RuntimeError(f"edutorch.vision.io cannot decode {image.mode} images: 16-bit and floating-point "
                           "images need torch.uint16 / float tensors that edutorch does not have. Convert the "
                           "file to 8 bits (e.g. with Pillow) or use torchvision.")
    if image.mode == "P":  # a palette: look each index up (with transparency as alpha, if the file has it)
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "PA":
        image = image.convert("RGBA")
    elif image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGB")  # 1-bit, CMYK / YCbCr JPEGs ...
    array = np.asarray(image, dtype=np.uint8)
    return array[..., None] if array.ndim == 2 else array


def _convert(pixels: np.ndarray, mode: ImageReadMode) -> np.ndarray:
    """(H, W, C) -> the channels ``mode`` asks for."""
    channels = pixels.shape[-1]
    has_alpha = channels in (2, 4)
    alpha = pixels[..., -1:] if has_alpha else np.full(pixels.shape[:-1] + (1,), 255, np.uint8)
    colour = channels >= 3
    if mode is ImageReadMode.UNCHANGED:
        return pixels
    if mode in (ImageReadMode.GRAY, ImageReadMode.GRAY_ALPHA):
        gray = _gray_from_rgb(pixels)[..., None] if colour else pixels[..., :1]
        return gray if mode is ImageReadMode.GRAY else np.concatenate([gray, alpha], axis=-1)
    rgb = pixels[..., :3] if colour else np.repeat(pixels[..., :1], 3, axis=-1)
    return rgb if mode is ImageReadMode.RGB else np.concatenate([rgb, alpha], axis=-1)


def _mode(mode) -> ImageReadMode:
    if isinstance(mode, str):  # torchvision also takes the name: "RGB"
        try:
            return ImageReadMode[mode.upper()]
        except KeyError:
            raise ValueError(f"Unknown image read mode '{mode}': use one of "
                             f"{[m.name for m in ImageReadMode]}") from None
    if not isinstance(mode, ImageReadMode):
        raise TypeError(f"mode must be an ImageReadMode (e.g. ImageReadMode.RGB), not {type(mode).__name__}")
    return mode


def _decode(data: Tensor, mode, apply_exif_orientation: bool, kind: str | None, name: str) -> Tensor:
    _check_bytes(data, name)
    raw = data.numpy().tobytes()
    try:
        image = Image.open(_pyio.BytesIO(raw))
        image.load()
    except Exception as e:  # noqa: BLE001 - Pillow raises many types; PyTorch says RuntimeError
        raise RuntimeError(f"{name}: could not decode the image ({e}). Is it a PNG/JPEG/GIF/WEBP file?") from None
    if kind is not None and image.format != kind:
        raise RuntimeError(f"{name}: the data is a {image.format} file, not {kind}; use decode_image to "
                           "decode any supported format")
    if apply_exif_orientation:
        image = ImageOps.exif_transpose(image)
    chw = np.ascontiguousarray(_convert(_pixels(image), _mode(mode)).transpose(2, 0, 1))
    return from_numpy(chw)


def decode_image(input, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:
    """Bytes of a PNG / JPEG / GIF / WEBP file (a 1-d uint8 tensor, or a path) -> (C, H, W) uint8."""
    if isinstance(input, (str, os.PathLike)):
        input = read_file(input)
    return _decode(input, mode, apply_exif_orientation, None, "decode_image")


def decode_png(input: Tensor, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:
    """The bytes of a PNG file -> (C, H, W) uint8."""
    return _decode(input, mode, apply_exif_orientation, "PNG", "decode_png")


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu", apply_exif_orientation: bool = False):
    """The bytes of a JPEG file (or a list of them) -> (C, H, W) uint8 (or a list). CPU only."""
    if str(device) != "cpu":
        raise RuntimeError("edutorch decodes on the CPU only (device='cpu')")
    if isinstance(input, list):
        return [_decode(d, mode, apply_exif_orientation, "JPEG", "decode_jpeg") for d in input]
    return _decode(input, mode, apply_exif_orientation, "JPEG", "decode_jpeg")


def read_image(path: str, mode=ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:
    """Read an image file into a (C, H, W) uint8 tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


# ------------------------------------------------------------------ encoding
def _image_from_chw(input: Tensor, name: str) -> Image.Image:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor image, got {type(input).__name__}")
    if input.dtype.to_numpy() != np.uint8:
        raise RuntimeError(f"Input tensor dtype should be uint8, got {input.dtype}. Convert a float image in "
                           "[0, 1] with (img * 255).round().to(torch.uint8).")
    if input.dim() != 3:
        raise RuntimeError(f"Input data should be a 3-dimensional tensor (C, H, W), but got {input.dim()} "
                           f"dimensions (shape {list(input.shape)})")
    c = input.shape[0]
    allowed = (1, 3) if name == "encode_jpeg" else (1, 2, 3, 4)  # JPEG has no alpha channel
    if c not in allowed:
        raise RuntimeError(f"The number of channels should be {' or '.join(map(str, allowed))}, got: {c} "
                           "(is the tensor (H, W, C)? use img.permute(2, 0, 1))")
    hwc = np.ascontiguousarray(input.detach().numpy().transpose(1, 2, 0))
    return Image.fromarray(hwc[..., 0] if c == 1 else hwc, {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[c])


def _as_bytes_tensor(data: bytes) -> Tensor:
    return from_numpy(np.frombuffer(bytearray(data), dtype=np.uint8))


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:
    """(C, H, W) uint8 -> the bytes of a PNG file (lossless), as a 1-d uint8 tensor."""
    if not 0 <= compression_level <= 9:
        raise ValueError(f"Compression level should be between 0 and 9, got {compression_level}")
    buf = _pyio.BytesIO()
    _image_from_chw(input, "encode_png").save(buf, format="PNG", compress_level=compression_level)
    return _as_bytes_tensor(buf.getvalue())


def write_png(input: Tensor, filename: str, compression_level: int = 6) -> None:
    """Encode (C, H, W) uint8 as PNG and write it to ``filename``."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality: int = 75):
    """(C, H, W) uint8 (1 or 3 channels), or a list of them -> JPEG bytes (lossy; ``quality`` 1-100)."""
    if not 1 <= quality <= 100:
        raise ValueError(f"Image quality should be a positive number between 1 and 100, got {quality}")
    if isinstance(input, list):
        return [encode_jpeg(t, quality) for t in input]
    buf = _pyio.BytesIO()
    _image_from_chw(input, "encode_jpeg").save(buf, format="JPEG", quality=quality)
    return _as_bytes_tensor(buf.getvalue())


def write_jpeg(input: Tensor, filename: str, quality: int = 75) -> None:
    """Encode (C, H, W) uint8 as JPEG and write it to ``filename``."""
    write_file(filename, encode_jpeg(input, quality))
