"""The tensor half of ``transforms.functional``: every image op on NumPy arrays under edutorch Tensors.

An image tensor is ``(..., C, H, W)``: any number of leading (batch) dimensions, then channels, height,
width. Each op takes the array out of the Tensor, works on the last two (or three) axes with whole-array
NumPy operations (no loops over pixels or batch items), and wraps the result again.

Integer images follow torchvision's rules exactly, because the differences are visible in a lesson:
resampling ops (resize, rotate, affine, perspective, blur) compute in float32 then *round*; the colour
ops (brightness, contrast, saturation, grayscale) compute in float32 then *truncate* (``.to(uint8)``).
"""
from __future__ import annotations


import numpy as np

import edutorch as torch
from edutorch import Tensor

# ----------------------------------------------------------------------------------------- basics


def _assert_image_tensor(img: Tensor) -> None:
    if img.ndim < 2:
        raise TypeError(f"Tensor is not a torch image: expected (..., H, W), got shape {tuple(img.shape)}.")


def get_dimensions(img: Tensor) -> list[int]:
    """``[channels, height, width]`` of a ``(..., C, H, W)`` or ``(H, W)`` tensor."""
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def get_image_size(img: Tensor) -> list[int]:
    _assert_image_tensor(img)
    return [img.shape[-1], img.shape[-2]]


def get_image_num_channels(img: Tensor) -> int:
    return get_dimensions(img)[0]


def _assert_channels(img: Tensor, permitted: list[int]) -> None:
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but found {c}")


def _max_value(dtype) -> int:
    """The value that means "white": 255 for uint8, the integer maximum for other ints, 1 for floats."""
    if dtype.is_floating_point:
        return 1
    return int(np.iinfo(dtype.to_numpy()).max)


def _array(img: Tensor) -> np.ndarray:
    return img.detach().numpy()


def _wrap(array: np.ndarray) -> Tensor:
    return torch.from_numpy(np.ascontiguousarray(array))


def _float_array(img: Tensor) -> np.ndarray:
    """The image as float: float32 (or float64 if it already is), the precision torchvision computes in."""
    a = _array(img)
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float32)


def _cast_back(result: np.ndarray, dtype) -> Tensor:
    """Return a float result in the input's dtype; integers are *rounded* (half to even, as torch.round)."""
    np_dtype = dtype.to_numpy()
    if np.issubdtype(np_dtype, np.integer):
        result = np.round(result)
    return _wrap(result.astype(np_dtype))


def _truncate_back(result: np.ndarray, dtype) -> Tensor:
    """Return a float result in the input's dtype the way ``tensor.to(dtype)`` does: integers truncate."""
    return _wrap(result.astype(dtype.to_numpy()))


# ------------------------------------------------------------------------------- dtype and values


def convert_image_dtype(image: Tensor, dtype=torch.float32) -> Tensor:
    """Convert and *rescale*: uint8 255 <-> float 1.0; int -> int shifts by the ratio of the ranges."""
    if image.dtype == dtype:
        return image
    a = _array(image)
    if image.is_floating_point():
        if dtype.is_floating_point:
            return _wrap(a.astype(dtype.to_numpy()))
        if (image.dtype == torch.float32 and dtype in (torch.int32, torch.int64)) or (
                image.dtype == torch.float64 and dtype == torch.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        # 1.0 must map to 255, not 256: scale by (max + 1 - eps) and truncate.
        eps = 1e-3
        max_val = float(_max_value(dtype))
        return _truncate_back(a * a.dtype.type(max_val + 1.0 - eps), dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return _wrap(a.astype(dtype.to_numpy()) / dtype.to_numpy().type(input_max))
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return _wrap((a // factor).astype(dtype.to_numpy()))
    factor = int((output_max + 1) // (input_max + 1))
    return _wrap(a.astype(dtype.to_numpy()) * factor)


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """``(tensor - mean[c]) / std[c]`` per channel, with Tensor ops so gradients flow through it."""
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tensor.size()}")
    if not inplace:
        tensor = tensor.clone()
    mean = torch.as_tensor(mean, dtype=tensor.dtype)
    std = torch.as_tensor(std, dtype=tensor.dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)  # one value per channel, broadcast over H and W
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v: Tensor, inplace: bool = False) -> Tensor:
    """Overwrite the box ``[i:i+h, j:j+w]`` with ``v`` (a value, or a (C, h, w) tensor of noise)."""
    _assert_image_tensor(img)
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


# ------------------------------------------------------------------------------ geometry: cheap


def vflip(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-2)


def hflip(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    return img.flip(-1)


def crop(img: Tensor, top: int, left: int, height: int, width: int) -> Tensor:
    """``img[..., top:top+height, left:left+width]``; a box reaching outside the image is zero-padded."""
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding_ltrb, fill=0)
    return img[..., top:bottom, left:right]  # a view, as in torchvision


def _parse_pad_padding(padding) -> list[int]:
    """int / [all] / [left-right, top-bottom] / [left, top, right, bottom] -> [left, right, top, bottom]."""
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 1:
        return [padding[0]] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return [padding[0], padding[2], padding[1], padding[3]]


def pad(img: Tensor, padding, fill=0, padding_mode: str = "constant") -> Tensor:
    """Pad the last two axes. Modes: constant (``fill``), edge, reflect (mirror without repeating the
    border pixel: ``dcb|abcd``) and symmetric (mirror repeating it: ``cba|abcd``). Negative padding crops."""
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in [1, 2, 4]:
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, right, top, bottom = _parse_pad_padding(padding)
    a = _array(img)
    # Negative padding removes rows/columns first; then only non-negative padding remains.
    h, w = a.shape[-2:]
    a = a[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    left, right, top, bottom = (max(p, 0) for p in (left, right, top, bottom))
    if padding_mode == "reflect" and (max(left, right) >= a.shape[-1] or max(top, bottom) >= a.shape[-2]):
        raise RuntimeError(f"Padding size should be less than the corresponding input dimension, but got: "
                           f"padding ({left}, {right}, {top}, {bottom}) for an image of size "
                           f"{a.shape[-2]}x{a.shape[-1]} (H x W)")
    widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode == "constant":
        out = np.pad(a, widths, mode="constant", constant_values=np.array(fill).astype(a.dtype))
    else:
        out = np.pad(a, widths, mode=padding_mode)  # NumPy's edge/reflect/symmetric mean the same as here
    return _wrap(out)


# --------------------------------------------------------------------------------------- resize
#
# A resize is separable: out = Wy @ img @ Wx^T, where Wy (out_h x in_h) and Wx (out_w x in_w) say how
# much of each input row/column goes into each output row/column. Only the matrices differ by mode.


def _bilinear_filter(x: np.ndarray) -> np.ndarray:
    """The triangle ("tent") kernel: 1 - |x| on [-1, 1]."""
    return np.clip(1.0 - np.abs(x), 0.0, None)


def _bicubic_filter(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel; PIL (and antialiased resizing) use a = -0.5, plain bicubic -0.75."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


def _antialias_weights(in_size: int, out_size: int, mode: str) -> np.ndarray:
    """PIL's resampling: when shrinking by ``scale``, stretch the kernel by ``scale`` so every input
    pixel contributes (this is the anti-aliasing); keep only taps within the support; rows sum to 1."""
    scale = in_size / out_size
    base_support = 1.0 if mode == "bilinear" else 2.0
    support = base_support * scale if scale >= 1.0 else base_support
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    center = scale * (np.arange(out_size) + 0.5)[:, None]
    # int() truncates toward zero, as the C code does.
    xmin = np.maximum(np.trunc(center - support + 0.5), 0)
    xmax = np.minimum(np.trunc(center + support + 0.5), in_size)
    j = np.arange(in_size)[None, :]
    x = (j - center + 0.5) * invscale
    weights = _bilinear_filter(x) if mode == "bilinear" else _bicubic_filter(x, -0.5)
    weights = np.where((j >= xmin) & (j < xmax), weights, 0.0)
    total = weights.sum(axis=1, keepdims=True)
    return weights / np.where(total == 0, 1.0, total)


def _interpolation_weights(in_size: int, out_size: int, mode: str) -> np.ndarray:
    """Plain (not antialiased) bilinear/bicubic with half-pixel centres (align_corners=False): each output
    pixel reads 2 (or 4) neighbours of its source position; indices past the border are clamped."""
    scale = in_size / out_size
    src = scale * (np.arange(out_size) + 0.5) - 0.5
    j = np.arange(in_size)[None, :]
    if mode == "bilinear":
        src = np.maximum(src, 0.0)
        i0 = np.floor(src).astype(np.int64)
        lam = (src - i0)[:, None]
        i1 = np.minimum(i0 + 1, in_size - 1)
        return (1 - lam) * (j == i0[:, None]) + lam * (j == i1[:, None])
    i0 = np.floor(src).astype(np.int64)
    t = (src - i0)[:, None]
    weights = np.zeros((out_size, in_size))
    for k in range(-1, 3):  # the four taps of the cubic kernel
        tap = np.clip(i0 + k, 0, in_size - 1)[:, None]
        weights = weights + _bicubic_filter(t - k, -0.75) * (j == tap)
    return weights


def _nearest_indices(in_size: int, out_size: int, mode: str) -> np.ndarray:
    """Source index of each output pixel: floor(i * scale) ('nearest', torch's legacy rule) or
    floor((i + 0.5) * scale) ('nearest-exact', the pixel whose area contains the output centre)."""
    scale = np.float32(in_size / out_size)  # torch computes this in float32
    i = np.arange(out_size, dtype=np.float32)
    if mode == "nearest-exact":
        i = i + np.float32(0.5)
    return np.minimum(np.floor(i * scale).astype(np.int64), in_size - 1)


def resize(img: Tensor, size: list[int], interpolation: str = "bilinear", antialias: bool | None = True) -> Tensor:
    """Resize the last two axes to ``size = [h, w]``."""
    _assert_image_tensor(img)
    out_h, out_w = size
    in_h, in_w = img.shape[-2:]
    if interpolation in ("nearest", "nearest-exact"):
        rows = _nearest_indices(in_h, out_h, interpolation)
        cols = _nearest_indices(in_w, out_w, interpolation)
        if img.requires_grad:  # index with the engine's indexing, so autograd records the pick
            return img[..., torch.from_numpy(rows[:, None]), torch.from_numpy(cols[None, :])]
        return _wrap(_array(img)[..., rows[:, None], cols[None, :]])
    if interpolation not in ("bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")
    make = _antialias_weights if antialias else _interpolation_weights
    a = _float_array(img)
    wy = make(in_h, out_h, interpolation).astype(a.dtype)
    wx = make(in_w, out_w, interpolation).astype(a.dtype)
    if img.requires_grad:  # a float image in a graph: the same two products with the engine's matmul,
        # so the gradient (wy^T @ grad @ wx) flows back to the image, as through torchvision's resize
        return torch.from_numpy(wy) @ img @ torch.from_numpy(np.ascontiguousarray(wx.T))
    out = wy @ a @ wx.T  # rows, then columns; matmul broadcasts over the leading (..., C) axes
    if interpolation == "bicubic" and img.dtype == torch.uint8:
        out = np.clip(out, 0, 255)  # negative lobes of the cubic can overshoot
    return _cast_back(out, img.dtype)


# ------------------------------------------------------------------ geometry: resampling by a grid
#
# rotate / affine / perspective all map each OUTPUT pixel centre back to a point of the input image
# (the inverse map), then read the input there (nearest or bilinear). Points outside the image read 0;
# a channel of ones sampled the same way says how much of each output pixel came from inside the image
# and blends in ``fill`` for the rest (torchvision's grid_sample path).


def _sample(a: np.ndarray, x: np.ndarray, y: np.ndarray, mode: str) -> np.ndarray:
    """Read ``a`` (..., H, W) at pixel coordinates (x, y) (arrays of the output's shape, pixel centres at
    integers); points outside read as 0."""
    h, w = a.shape[-2:]
    if mode == "nearest":
        xi, yi = np.rint(x).astype(np.int64), np.rint(y).astype(np.int64)  # half to even, as nearbyint
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        return a[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)] * inside
    x0, y0 = np.floor(x), np.floor(y)
    out = 0
    for dy in (0, 1):  # the four neighbours, each weighted by the area of the opposite rectangle
        for dx in (0, 1):
            xi, yi = (x0 + dx).astype(np.int64), (y0 + dy).astype(np.int64)
            weight = (1 - np.abs(x - xi)) * (1 - np.abs(y - yi))
            inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            out = out + a[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)] * (weight * inside).astype(a.dtype)
    return out


def _apply_grid_transform(img: Tensor, x: np.ndarray, y: np.ndarray, mode: str, fill) -> Tensor:
    a = _float_array(img)
    x, y = x.astype(a.dtype), y.astype(a.dtype)
    out = _sample(a, x, y, mode)
    if fill is not None:
        mask = _sample(np.ones(a.shape[-2:], dtype=a.dtype), x, y, mode)
        fill_list = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = np.array(fill_list, dtype=a.dtype).reshape(-1, 1, 1)
        if mode == "nearest":
            out = np.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (1.0 - mask) * fill_img
    return _cast_back(out, img.dtype)


def _pixel_grid(ow: int, oh: int, dtype, centred: bool) -> tuple[np.ndarray, np.ndarray]:
    """Output pixel centres, (oh, ow) arrays: relative to the image centre, or to the top-left corner."""
    x = np.arange(ow, dtype=dtype) + dtype(0.5)
    y = np.arange(oh, dtype=dtype) + dtype(0.5)
    if centred:
        x, y = x - dtype(ow * 0.5), y - dtype(oh * 0.5)
    return np.broadcast_to(x[None, :], (oh, ow)), np.broadcast_to(y[:, None], (oh, ow))


def _affine_grid(matrix: list[float], w: int, h: int, ow: int, oh: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Input pixel coordinates of every output pixel under the inverse affine ``matrix`` (2x3, about the
    image centre), computed in the image's float precision as torch's affine_grid + grid_sample do."""
    m = np.asarray(matrix, dtype=dtype)
    xs, ys = _pixel_grid(ow, oh, dtype, centred=True)
    # torch normalises to [-1, 1] and grid_sample undoes it; we keep the same steps for equal rounding.
    gx = (xs * m[0] + ys * m[1] + m[2]) / dtype(0.5 * w)
    gy = (xs * m[3] + ys * m[4] + m[5]) / dtype(0.5 * h)
    return ((gx + 1) * w - 1) / 2, ((gy + 1) * h - 1) / 2


def _grid_dtype(img: Tensor):
    return img.dtype.to_numpy().type if img.is_floating_point() else np.float32


def _assert_grid_transform_inputs(img: Tensor, matrix, interpolation: str, fill, coeffs=None) -> None:
    if not isinstance(img, Tensor):
        raise TypeError(f"Input img should be Tensor. Got {type(img)}")
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError("Argument matrix should be a list")
    if matrix is not None and len(matrix) != 6:
        raise ValueError("Argument matrix should have 6 float values")
    if coeffs is not None and len(coeffs) != 8:
        raise ValueError("Argument coeffs should have 8 float values")
    num_channels = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != num_channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of channels of "
                         f"the image ({len(fill)} != {num_channels})")
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def affine(img: Tensor, matrix: list[float], interpolation: str = "nearest", fill=None) -> Tensor:
    _assert_grid_transform_inputs(img, matrix, interpolation, fill)
    h, w = img.shape[-2:]
    x, y = _affine_grid(matrix, w, h, w, h, _grid_dtype(img))
    return _apply_grid_transform(img, x, y, interpolation, fill)


def _compute_affine_output_size(matrix: list[float], w: int, h: int) -> tuple[int, int]:
    """Size of the box holding the whole rotated image (``expand=True``)."""
    corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    new = corners @ np.asarray(matrix, dtype=np.float32).reshape(2, 3).T
    lo = new.min(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    hi = new.max(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    tol = np.float32(1e-4)  # so 31.99999 does not become 32 + 1 pixel
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def rotate(img: Tensor, matrix: list[float], interpolation: str = "nearest", expand: bool = False,
           fill=None) -> Tensor:
    _assert_grid_transform_inputs(img, matrix, interpolation, fill)
    h, w = img.shape[-2:]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    x, y = _affine_grid(matrix, w, h, ow, oh, _grid_dtype(img))
    return _apply_grid_transform(img, x, y, interpolation, fill)


def perspective(img: Tensor, perspective_coeffs: list[float], interpolation: str = "bilinear", fill=None) -> Tensor:
    """Output pixel (x, y) reads the input at ((ax + by + c) / (gx + hy + 1), (dx + ey + f) / (gx + hy + 1))."""
    _assert_grid_transform_inputs(img, None, interpolation, fill, coeffs=perspective_coeffs)
    h, w = img.shape[-2:]
    dtype = _grid_dtype(img)
    a, b, c, d, e, f, g, hh = (dtype(v) for v in perspective_coeffs)
    xs, ys = _pixel_grid(w, h, dtype, centred=False)
    den = xs * g + ys * hh + dtype(1.0)
    gx = (xs * a + ys * b + c) / dtype(0.5 * w) / den - 1
    gy = (xs * d + ys * e + f) / dtype(0.5 * h) / den - 1
    x, y = ((gx + 1) * w - 1) / 2, ((gy + 1) * h - 1) / 2
    return _apply_grid_transform(img, x, y, interpolation, fill)


# ------------------------------------------------------------------------------------------ blur


def _gaussian_kernel1d(kernel_size: int, sigma: float, dtype) -> np.ndarray:
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size).astype(dtype)
    pdf = np.exp(dtype(-0.5) * (x / dtype(sigma)) ** 2)
    return pdf / pdf.sum()


def _convolve_axis(a: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    """Valid 1-D correlation of ``a`` with ``kernel`` along ``axis`` (a sum over the few kernel taps)."""
    n = a.shape[axis] - len(kernel) + 1
    out = 0
    for k, weight in enumerate(kernel):
        out = out + weight * np.take(a, np.arange(k, k + n), axis=axis)
    return out


def gaussian_blur(img: Tensor, kernel_size: list[int], sigma: list[float]) -> Tensor:
    """Blur with a Gaussian: it is separable, so one 1-D kernel along the width (``kernel_size[0]``,
    ``sigma[0]``) then one along the height, on the image reflect-padded by half a kernel."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor. Got {type(img)}")
    _assert_image_tensor(img)
    a = _float_array(img)
    dtype = a.dtype.type
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], dtype)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], dtype)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    if px >= a.shape[-1] or py >= a.shape[-2]:
        raise RuntimeError(f"Padding size should be less than the corresponding input dimension, but got: "
                           f"padding ({px}, {px}, {py}, {py}) for an image of size {a.shape[-2]}x{a.shape[-1]}")
    a = np.pad(a, [(0, 0)] * (a.ndim - 2) + [(py, py), (px, px)], mode="reflect")
    out = _convolve_axis(_convolve_axis(a, kx, axis=-1), ky, axis=-2)
    return _cast_back(out, img.dtype)


# ----------------------------------------------------------------------------------------- colour


def _grayscale_array(a: np.ndarray, dtype) -> np.ndarray:
    """ITU-R 601-2 luma, L = 0.2989 R + 0.587 G + 0.114 B, in float32, cast back like ``.to(dtype)``."""
    f = a if a.dtype in (np.float32, np.float64) else a.astype(np.float32)
    r, g, b = f[..., 0, :, :], f[..., 1, :, :], f[..., 2, :, :]
    t = f.dtype.type
    gray = t(0.2989) * r + t(0.587) * g + t(0.114) * b
    return gray.astype(dtype.to_numpy())[..., None, :, :]


def rgb_to_grayscale(img: Tensor, num_output_channels: int = 1) -> Tensor:
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    a = _array(img)
    gray = _grayscale_array(a, img.dtype) if a.shape[-3] == 3 else a.copy()
    if num_output_channels == 3:
        gray = np.broadcast_to(gray, a.shape)
    return _wrap(gray)


def _blend(img1: np.ndarray, img2: np.ndarray, ratio: float, dtype) -> Tensor:
    """``ratio * img1 + (1 - ratio) * img2``, clamped to the valid range and truncated to ``dtype``."""
    f = img1 if img1.dtype in (np.float32, np.float64) else img1.astype(np.float32)
    t = f.dtype.type
    ratio = float(ratio)
    out = t(ratio) * f + t(1.0 - ratio) * img2.astype(f.dtype)
    return _truncate_back(np.clip(out, 0, _max_value(dtype)), dtype)


def adjust_brightness(img: Tensor, brightness_factor: float) -> Tensor:
    """Blend with black: factor 0 gives black, 1 the original, 2 twice as bright (clamped)."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _array(img)
    return _blend(a, np.zeros_like(a), brightness_factor, img.dtype)


def adjust_contrast(img: Tensor, contrast_factor: float) -> Tensor:
    """Blend with the mean grey level of the image: factor 0 gives flat grey, 1 the original."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    a = _array(img)
    dtype = a.dtype if img.is_floating_point() else np.float32
    gray = _grayscale_array(a, img.dtype) if a.shape[-3] == 3 else a
    mean = gray.astype(dtype).mean(axis=(-3, -2, -1), keepdims=True, dtype=dtype)
    return _blend(a, mean, contrast_factor, img.dtype)


def adjust_saturation(img: Tensor, saturation_factor: float) -> Tensor:
    """Blend with the grayscale image: factor 0 gives gray, 1 the original, 2 more vivid colours."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    a = _array(img)
    return _blend(a, _grayscale_array(a, img.dtype), saturation_factor, img.dtype)


def _rgb2hsv(img: np.ndarray) -> np.ndarray:
    """RGB in [0, 1] -> HSV in [0, 1], channels on axis -3."""
    r, g, b = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    maxc, minc = img.max(axis=-3), img.min(axis=-3)
    eqc = maxc == minc  # grey pixels: hue and saturation are 0 (avoid dividing by 0)
    cr = maxc - minc
    one = np.ones_like(maxc)
    s = cr / np.where(eqc, one, maxc)
    cr_divisor = np.where(eqc, one, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0).astype(img.dtype)
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(img: np.ndarray) -> np.ndarray:
    """HSV -> RGB: the hue's sector i (0..5) decides which of v, p, q, t each of R, G, B takes."""
    h, s, v = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    r = np.stack((v, q, p, p, t, v))  # candidates for each sector, sector on axis 0
    g = np.stack((t, v, v, q, p, p))
    b = np.stack((p, p, t, v, v, q))
    pick = i[None]
    rgb = [np.take_along_axis(c, pick, axis=0)[0] for c in (r, g, b)]
    return np.stack(rgb, axis=-3).astype(img.dtype)


def adjust_hue(img: Tensor, hue_factor: float) -> Tensor:
    """Rotate every pixel's hue by ``hue_factor`` turns (in [-0.5, 0.5]) through HSV space."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be Tensor image")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    a = _array(convert_image_dtype(img, torch.float32))
    hsv = _rgb2hsv(a)
    hsv[..., 0, :, :] = (hsv[..., 0, :, :] + np.float32(hue_factor)) % np.float32(1.0)
    return convert_image_dtype(_wrap(_hsv2rgb(hsv)), img.dtype)


def adjust_gamma(img: Tensor, gamma: float, gain: float = 1) -> Tensor:
    """``gain * img ** gamma`` on values in [0, 1]."""
    if not isinstance(img, Tensor):
        raise TypeError("Input img should be a Tensor.")
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    a = _array(convert_image_dtype(img, torch.float32) if not img.is_floating_point() else img)
    t = a.dtype.type
    out = np.clip(t(gain) * a ** t(gamma), 0, 1)
    return convert_image_dtype(_wrap(out.astype(a.dtype)), img.dtype)


def invert(img: Tensor) -> Tensor:
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {img.ndim}")
    _assert_channels(img, [1, 3])
    a = _array(img)
    return _wrap((a.dtype.type(_max_value(img.dtype)) - a).astype(a.dtype))
