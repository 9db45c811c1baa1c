"""Pooling and resampling: max/avg pooling (fixed and adaptive), unpooling, LP pooling, interpolate and
pixel shuffle, with ``torch.nn.functional``'s signatures.

Output size of a pooling window sliding along one axis of size L (kernel k, stride s, padding p,
dilation d; the window covers d*(k-1)+1 positions)::

    L_out = floor_or_ceil((L + 2p - d*(k-1) - 1) / s) + 1

With ``ceil_mode`` a last, partial window is kept, but only if it starts inside the input or the left
padding: if (L_out - 1) * s >= L + p, that window would start in the right padding and is dropped.

How the work is done (no loops over pixels or batch items):
- ``_windows`` gives every window as a strided *view* of the (padded) input, shaped
  (N, C, H_out, W_out, kh, kw). For the common 2x2 / stride 2 / no padding pooling it is a plain
  reshape (N, C, H/2, 2, W/2, 2) of the input, no copy and no padding at all.
- the forward and backward loop over the kh*kw kernel offsets: offset (a, b) of all windows at once is
  the (N, C, H_out, W_out) slice ``win[..., a, b]``, and in backward the gradient of that offset goes
  back into the strided slice of the input it came from (``+=``: overlapping windows accumulate).
- variable-size windows (adaptive pooling) and interpolation are linear maps along each axis, written
  as small matrices: out = A_h @ x @ A_w^T, and the gradient is A_h^T @ g @ A_w.
- the 3-D pools (videos, volumes) are the same code with one more axis: windows (N, C, D_out, H_out,
  W_out, kd, kh, kw), kernel offsets (t, a, b), one more averaging matrix A_d.
"""
from __future__ import annotations

import functools
import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ..autograd.function import NumpyFunction

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "interpolate",
    "lp_pool1d",
    "lp_pool2d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "pixel_shuffle",
    "pixel_unshuffle",
]


# ====================================================================== helpers
# Max and average pooling are written for n spatial axes: (H, W) for images, (D, H, W) for volumes and
# videos (the 3-D ops), with 1-D pooling as the 2-D op on a unit height. "offset" is a tuple of kernel
# indices, (a, b) or (t, a, b).
def _pair(value, fn: str, what: str, n: int = 2, rule: str | None = None) -> tuple:
    """An int or a tuple of n ints (a 1-tuple repeats), as PyTorch's ``_pair`` and its checks.
    ``rule`` is the wording of the error (PyTorch words it differently for each 3-D function)."""
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = tuple(value) * n
        if len(value) != n:
            ones = "a single int, or a tuple of two ints" if n == 2 else "a single int"
            raise RuntimeError(f"{fn}: {what} must {rule or 'either be ' + ones}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Windows along one axis (the formula in the module docstring, with ceil_mode's rule)."""
    span = size + 2 * p - d * (k - 1) - 1
    n = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (n - 1) * s >= size + p:  # the last window would start in the right padding
        n -= 1
    return n


def _check_pool(x: np.ndarray, k, s, p, d, fn: str = "max_pool2d") -> None:
    """PyTorch's argument checks for max/avg pooling, in its order, with its messages."""
    n = len(k)
    axes = "THW"[-n:]  # the axis letters of the messages: kT kH kW, dilationT ...
    if x.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for input")
    if n == 2 and any(m == 0 for m in x.shape[-3:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(x.shape)}")
    if n == 3 and any(m == 0 for m in x.shape[-4:]):
        name = "avg_pool3d" if fn.startswith("avg") else "max_pool3d_with_indices_out_cpu_template"
        raise RuntimeError(f"{name}(): Expected input's non-batch dimensions to have positive length, but input "
                           f"has a shape of {list(x.shape)} and non-batch dimension 0 has length zero!")
    if min(s) <= 0:
        raise RuntimeError("stride should not be zero")
    for ki, pi, di in zip(k, p, d):
        if pi < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pi}")
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    if min(k) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got "
                           + " ".join(f"k{a}: {ki}" for a, ki in zip(axes, k)))
    if min(d) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got "
                           + " ".join(f"dilation{a}: {di}" for a, di in zip(axes, d)))
    if any(pi > ki // 2 for pi, ki in zip(p, k)):
        if n == 2:
            raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                               f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
        raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got "
                           f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}")


def _windows(xp: np.ndarray, k, s, d, out) -> np.ndarray:
    """All pooling windows of the padded input xp (N, C, *spatial) as a view (N, C, *out, *k).

    For images element [n, c, i, j, a, b] is xp[n, c, i*sh + a*dh, j*sw + b*dw]. For 2x2 windows with
    stride 2 (the usual CNN pooling) this is just a reshape: (N, C, Ho, 2, Wo, 2) with the two 2-axes
    moved last (and (N, C, Do, 2, Ho, 2, Wo, 2) for 2x2x2 windows of a volume).
    """
    n = len(k)
    lead = xp.shape[:-n]
    if tuple(k) == tuple(s) and all(di == 1 for di in d) and xp.flags.c_contiguous \
            and xp.shape[-n:] == tuple(o * ki for o, ki in zip(out, k)):
        split = xp.reshape(*lead, *(m for o, ki in zip(out, k) for m in (o, ki)))
        return split.transpose(*range(len(lead)), *range(len(lead), len(lead) + 2 * n, 2),
                               *range(len(lead) + 1, len(lead) + 2 * n, 2))
    st = xp.strides
    return as_strided(xp, (*lead, *out, *k), (*st[:-n], *(st[-n + a] * s[a] for a in range(n)),
                                             *(st[-n + a] * d[a] for a in range(n))), writeable=False)


def _pad_for_windows(x: np.ndarray, k, s, p, d, out, fill) -> np.ndarray:
    """x padded by p at the start of each axis and by what the last window needs (ceil_mode) at its end;
    parts never touched by a window are cut off. No copy when nothing needs padding."""
    n = len(k)
    pads = []
    for size, ki, si, pi, di, oi in zip(x.shape[-n:], k, s, p, d, out):
        needed = (oi - 1) * si + di * (ki - 1) + 1  # padded length covered by the windows
        pads.append((pi, max(0, needed - size - pi), needed))
    keep = (..., *(slice(None, needed) for _, _, needed in pads))
    if all(lo == 0 and hi == 0 for lo, hi, _ in pads):
        return x[keep]
    xp = np.pad(x, ((0, 0),) * (x.ndim - n) + tuple((lo, hi) for lo, hi, _ in pads), constant_values=fill)
    return xp[keep]


def _offset_slices(offset, s, d, out) -> tuple:
    """The strided slice of the padded input that kernel offset (a, b) (or (t, a, b)) of every window reads."""
    return (..., *(slice(a * da, a * da + (o - 1) * sa + 1, sa) for a, sa, da, o in zip(offset, s, d, out)))


def _grid(vectors) -> list:
    """One vector per spatial axis -> views that broadcast against the (out_1, ..., out_n) grid
    (np.ix_, for any dtype: np.ix_ would read boolean vectors as masks)."""
    n = len(vectors)
    return [np.asarray(v).reshape((1,) * a + (-1,) + (1,) * (n - a - 1)) for a, v in enumerate(vectors)]


def _batched(x: np.ndarray, n: int = 2) -> np.ndarray:
    """(C, *spatial) -> (1, C, *spatial); the ops work batched and give back the input's rank."""
    return x[None] if x.ndim == n + 1 else x


# ====================================================================== max pooling
class MaxPool2DWithIndices(NumpyFunction):
    """out[n, c, i, j] = max over the window of x (padding is never picked).

    indices[n, c, i, j] = h*W + w, the position of that max in the flattened (H*W) plane of the input
    (the first maximum on ties; a NaN wins, as in PyTorch).

        grad_x[n, c, h, w] = sum of g[n, c, i, j] over the windows (i, j) whose max was x[n, c, h, w]
    (several windows can pick the same input when they overlap, so the gradients add up).
    Shapes: x (N, C, H, W) or (C, H, W) -> out, indices (N, C, Ho, Wo) or (C, Ho, Wo).
    """

    node_name = "MaxPool2DWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, k, s, p, d, out):
        n = len(k)
        xb = _batched(x, n)
        spatial = xb.shape[2:]
        lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min  # padding: never the max
        win = _windows(_pad_for_windows(xb, k, s, p, d, out, lowest), k, s, d, out)
        # Per axis, the input row/column that offset a reads in window i, (out, k); off the input = padding.
        pos = [np.arange(oa)[:, None] * sa - pa + np.arange(ka) * da for oa, ka, sa, pa, da in zip(out, k, s, p, d)]
        padded = any(q.min() < 0 or q.max() >= size for q, size in zip(pos, spatial))
        has_nan = x.dtype.kind == "f" and bool(np.isnan(xb).any())
        # Running max over the kernel offsets, and which offset (its flat number) it came from.
        best = win[(..., *(0,) * n)].copy()
        which = np.zeros(best.shape, dtype=np.int8 if math.prod(k) < 128 else np.int32)
        seen = None  # with padding: the windows that have met a real (non-padding) value yet
        for flat, offset in enumerate(itertools.product(*map(range, k))):
            inside = functools.reduce(np.logical_and, _grid([(q[:, a] >= 0) & (q[:, a] < size) for q, a, size
                                                             in zip(pos, offset, spatial)])) if padded else None
            if flat == 0:
                seen = inside
                continue
            v = win[(..., *offset)]
            better = v > best  # strict: the first maximum wins ties
            if has_nan:  # as PyTorch: any NaN replaces the running max
                better |= np.isnan(v)
            if padded:  # padding never counts; the first real value of a window always does
                better = inside & (better | ~seen)
                seen = seen | inside
            np.maximum(best, v, out=best)  # (NaN-propagating, like PyTorch's max)
            # which[better] = flat, written as arithmetic: masked stores are 20x slower here
            which += better.view(np.int8).astype(which.dtype, copy=False) * (which.dtype.type(flat) - which)
        ctx.which, ctx.shapes = which, (x.shape, xb.shape, k, s, p, d, out)
        ctx.save_for_backward(x)  # as PyTorch's node: writing to x in place before backward is an error
        # index = sum over axes of (first row + a*d) * (size of the later axes): a base per window + a step
        # per offset (for images: (first row + a*dh) * W + (first col + b*dw))
        plane = [math.prod(spatial[a + 1:]) for a in range(n)]
        base = sum(_grid([q[:, 0] * m for q, m in zip(pos, plane)]))
        step = sum(_grid([np.arange(ka) * da * m for ka, da, m in zip(k, d, plane)])).ravel()
        indices = base + step[which]
        if x.ndim == n + 1:
            best, indices = best[0], indices[0]
        return best, indices

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        ctx.saved_tensors  # unpacking checks that x was not modified in place since (PyTorch's error if so)
        shape, shape_b, k, s, p, d, out = ctx.shapes
        gb, which = _batched(grad, len(k)), ctx.which
        spatial = shape_b[2:]
        # gradient of the padded input; windows that do not overlap can assign instead of add
        span = [(o - 1) * si + di * (ki - 1) + 1 for o, si, di, ki in zip(out, s, d, k)]
        gp = np.zeros((*shape_b[:2], *(max(sp, m + pi) for sp, m, pi in zip(span, spatial, p))), dtype=grad.dtype)
        overlap = any(si < di * (ki - 1) + 1 for si, di, ki in zip(s, d, k))
        # g * mask is 2x faster than a masked write, but a nan or inf g would reach the inputs that were
        # not the max as nan (inf * 0); PyTorch gives them 0, so non-finite gradients take the masked write
        finite = bool(np.isfinite(gb).all())
        for flat, offset in enumerate(itertools.product(*map(range, k))):
            slab = gp[_offset_slices(offset, s, d, out)]  # a view: written in place
            if not finite:
                np.add(slab, gb, out=slab, where=(which == flat))
            elif overlap:
                slab += gb * (which == flat)
            else:  # each input pixel is in one window at most: write the product straight into it
                np.multiply(gb, which == flat, out=slab)
        gx = gp[(..., *(slice(pi, pi + m) for pi, m in zip(p, spatial)))]
        return np.ascontiguousarray(gx).reshape(shape), None, None, None, None, None


class MaxPool3DWithIndices(MaxPool2DWithIndices):
    """max_pool3d: the same op over (D, H, W) volumes, windows kd x kh x kw; indices = t*H*W + h*W + w, the
    position of the max in the flattened (D*H*W) volume. Forward and backward are MaxPool2DWithIndices's,
    written for any number of spatial axes."""

    node_name = "MaxPool3DWithIndicesBackward0"


def _pool_args(fn, input, kernel_size, stride, padding, dilation, ceil_mode, n: int = 2, rules=None):
    x = input._data
    rules = rules or {}
    k = _pair(kernel_size, fn, "kernel_size", n, rules.get("kernel_size"))
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) \
        else _pair(stride, fn, "stride", n, rules.get("stride"))
    p = _pair(padding, fn, "padding", n, rules.get("padding"))
    d = _pair(dilation, fn, "dilation", n, rules.get("dilation"))
    _check_pool(x, k, s, p, d, fn)
    if fn == "avg_pool3d" and any(m < ki for m, ki in zip(x.shape[-3:], k)):
        raise RuntimeError(f"input image (T: {x.shape[-3]} H: {x.shape[-2]} W: {x.shape[-1]}) smaller than kernel "
                           f"size (kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    out = tuple(_out_size(m, *a, ceil_mode) for m, a in zip(x.shape[-n:], zip(k, s, p, d)))
    if min(out) < 1:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, x.shape[-n - 1:]))}). Calculated output size: "
                           f"({'x'.join(map(str, (x.shape[-n - 1],) + out))}). Output size is too small")
    return k, s, p, d, out


def max_pool2d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """Max over kh x kw windows; returns (output, indices)."""
    args = _pool_args("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    return MaxPool2DWithIndices.apply(input, *args)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """2-D max pooling over (N, C, H, W) or (C, H, W); stride defaults to kernel_size."""
    out, indices = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, indices) if return_indices else out


_MAX_POOL3D_RULES = {"kernel_size": "either be a single int, or a tuple of three ints",
                     "stride": "either be omitted, a single int, or a tuple of three ints",
                     "padding": "either be a single int, or a tuple of three ints",
                     "dilation": "be either a single int, or a tuple of three ints"}


def max_pool3d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """Max over kd x kh x kw windows; returns (output, indices into the flattened D*H*W volume)."""
    args = _pool_args("max_pool3d", input, kernel_size, stride, padding, dilation, ceil_mode, 3, _MAX_POOL3D_RULES)
    return MaxPool3DWithIndices.apply(input, *args)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W); stride defaults to kernel_size."""
    out, indices = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, indices) if return_indices else out


def _as_1d(fn: str, input: Tensor) -> None:
    if input.dim() not in (2, 3) or input.shape[-1] == 0:
        raise RuntimeError(f"{fn}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
                           f"for input, but got:{list(input.shape)}")


def _one(value, fn, what):
    """The 1-D form of an argument: (v,) -> (1, v) for the 2-D op with a unit height."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise RuntimeError(f"{fn}: {what} must be a single int")
        value = value[0]
    return value


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode: bool = False, return_indices: bool = False):
    """1-D max pooling as PyTorch does it: the 2-D op on a unit-height view (grad_fn SqueezeBackward1)."""
    _as_1d("max_pool1d", input)
    k = _one(kernel_size, "max_pool1d", "kernel_size")
    s = k if stride is None or stride == () else _one(stride, "max_pool1d", "stride")
    out, idx = max_pool2d_with_indices(input.unsqueeze(-2), (1, k), (1, s),
                                       (0, _one(padding, "max_pool1d", "padding")),
                                       (1, _one(dilation, "max_pool1d", "dilation")), ceil_mode)
    return out.squeeze(-2), idx.squeeze(-2)


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    out, indices = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (out, indices) if return_indices else out


# ====================================================================== average pooling
def _avg_divisor(size, k, s, p, n_out, count_include_pad) -> np.ndarray:
    """Per-window divisor along one axis: the window length, clipped to input+padding (with
    count_include_pad) or to the input only (without)."""
    start = np.arange(n_out) * s - p
    end = np.minimum(start + k, size + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


class AvgPool2D(NumpyFunction):
    """out[n, c, i, j] = (sum of x over the window) / divisor[i, j]; padding counts as 0.

    divisor = divisor_override, or the window's size (clipped to input + padding when
    count_include_pad, else to the input): the product of one length per axis.

        grad_x[n, c, h, w] = sum over windows (i, j) containing (h, w) of g[n, c, i, j] / divisor[i, j]
    Shapes: x (N, C, H, W) or (C, H, W) -> out (N, C, Ho, Wo) or (C, Ho, Wo).
    """

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, k, s, p, out, count_include_pad, divisor_override):
        n = len(k)
        xb = _batched(x, n)
        d = (1,) * n
        win = _windows(_pad_for_windows(xb, k, s, p, d, out, 0), k, s, d, out)
        if divisor_override:
            div = np.array(divisor_override, dtype=np.int64)
        else:
            div = functools.reduce(np.multiply, _grid([_avg_divisor(m, ki, si, pi, oi, count_include_pad)
                                                       for m, ki, si, pi, oi in zip(xb.shape[2:], k, s, p, out)]))
        total = np.zeros(win.shape[:2 + n], dtype=x.dtype)
        for offset in itertools.product(*map(range, k)):  # faster than win.sum(axis=(4, 5))
            total += win[(..., *offset)]
        ctx.shapes, ctx.div = (x.shape, xb.shape, k, s, p, out), div
        result = total / div.astype(x.dtype) if x.dtype.kind == "f" else total // div  # ints: floor
        return result[0] if x.ndim == n + 1 else result

    @staticmethod
    def backward(ctx, grad):
        shape, shape_b, k, s, p, out = ctx.shapes
        n = len(k)
        g = _batched(grad, n) / ctx.div.astype(grad.dtype)
        d = (1,) * n
        gp = _pad_for_windows(np.zeros(shape_b, dtype=grad.dtype), k, s, p, d, out, 0).copy()
        for offset in itertools.product(*map(range, k)):
            gp[_offset_slices(offset, s, d, out)] += g
        gx = np.zeros(shape_b, dtype=grad.dtype)
        kept = [min(m, gp.shape[2 + a] - p[a]) for a, m in enumerate(shape_b[2:])]
        gx[(..., *(slice(0, m) for m in kept))] = gp[(..., *(slice(pa, pa + m) for pa, m in zip(p, kept)))]
        return gx.reshape(shape), None, None, None, None, None, None


class AvgPool3D(AvgPool2D):
    """avg_pool3d: the same op over (D, H, W) volumes, windows kd x kh x kw, divisor the product of the three
    window lengths. Forward and backward are AvgPool2D's, written for any number of spatial axes."""

    node_name = "AvgPool3DBackward0"


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """2-D average pooling over (N, C, H, W) or (C, H, W); stride defaults to kernel_size."""
    k, s, p, _, out = _pool_args("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return AvgPool2D.apply(input, k, s, p, out, count_include_pad, divisor_override)


_AVG_POOL3D_RULES = {"kernel_size": "be a single int, or a tuple of three ints",
                     "stride": "be omitted, a single int, or a tuple of three ints",
                     "padding": "be a single int, or a tuple of three ints"}


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """3-D average pooling over (N, C, D, H, W) or (C, D, H, W); stride defaults to kernel_size."""
    k, s, p, _, out = _pool_args("avg_pool3d", input, kernel_size, stride, padding, 1, ceil_mode, 3,
                                 _AVG_POOL3D_RULES)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return AvgPool3D.apply(input, k, s, p, out, count_include_pad, divisor_override)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling: the 2-D op on a unit-height view, as PyTorch does it."""
    _as_1d("avg_pool1d", input)
    k = _one(kernel_size, "avg_pool1d", "kernel_size")
    s = k if stride is None or stride == () else _one(stride, "avg_pool1d", "stride")
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, _one(padding, "avg_pool1d", "padding")),
                     ceil_mode, count_include_pad)
    return out.squeeze(-2)


# ====================================================================== adaptive pooling
def _adaptive_bounds(size: int, out: int):
    """PyTorch's split of `size` into `out` windows (they overlap when out does not divide size):
    window i covers [floor(i*size/out), ceil((i+1)*size/out))."""
    i = np.arange(out)
    return (i * size) // out, -(-((i + 1) * size) // out)


def _adaptive_size(fn: str, input: Tensor, output_size, n: int) -> tuple:
    if input.dim() not in (n + 1, n + 2) or any(s == 0 for s in input.shape[-n - 1:]):
        raise RuntimeError(f"{fn}(): Expected {n + 1}D or {n + 2}D tensor, but got {list(input.shape)}")
    size = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * n
    if len(size) != n:
        raise RuntimeError(f"{fn}: output_size must be {n}")
    return tuple(input.shape[-n + i] if o is None else int(o) for i, o in enumerate(size))


class AdaptiveAvgPool2D(NumpyFunction):
    """out = A_h @ x @ A_w^T, where A[i, h] = 1 / (window length) if h is in window i, else 0.

        grad_x = A_h^T @ g @ A_w      (a linear map's gradient is its transpose)
    Shapes: x (N, C, H, W) or (C, H, W); A_h (Ho, H), A_w (Wo, W) -> out (N, C, Ho, Wo) or (C, Ho, Wo).
    (Written as "one matrix per trailing axis", so the 3-D op is the same with A_d for the depth axis.)
    """

    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def _averaging(size, out, dtype):
        start, end = _adaptive_bounds(size, out)
        pos = np.arange(size)
        inside = (pos >= start[:, None]) & (pos < end[:, None])
        return (inside / (end - start)[:, None]).astype(dtype)

    @staticmethod
    def _along(x, mats):
        """out[..., i, j] = sum over (h, w) of A_0[i, h] * A_1[j, w] * x[..., h, w]: one matrix per trailing axis."""
        for a, m in enumerate(mats):
            axis = x.ndim - len(mats) + a
            x = np.moveaxis(np.tensordot(x, m, axes=(axis, 1)), -1, axis)
        return np.ascontiguousarray(x)

    @staticmethod
    def forward(ctx, x, out_size):
        n = len(out_size)
        ctx.mats = [AdaptiveAvgPool2D._averaging(size, o, x.dtype) for size, o in zip(x.shape[-n:], out_size)]
        return AdaptiveAvgPool2D._along(x, ctx.mats)

    @staticmethod
    def backward(ctx, grad):
        return AdaptiveAvgPool2D._along(grad, [m.T for m in ctx.mats]), None


class AdaptiveAvgPool3D(AdaptiveAvgPool2D):
    """adaptive_avg_pool3d: out = x averaged with A_d, A_h, A_w along its last three axes; grad with the
    transposes. Forward and backward are AdaptiveAvgPool2D's."""

    node_name = "AdaptiveAvgPool3DBackward0"


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (windows split as PyTorch splits them)."""
    out_hw = _adaptive_size("adaptive_avg_pool2d", input, output_size, 2)
    if out_hw == (1, 1):  # PyTorch takes a plain mean here (grad_fn MeanBackward1)
        return input.mean((-2, -1), keepdim=True)
    return AdaptiveAvgPool2D.apply(input, out_hw)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) to a fixed (Do, Ho, Wo)."""
    out_size = _adaptive_size("adaptive_avg_pool3d", input, output_size, 3)
    if out_size == (1, 1, 1):  # PyTorch takes a plain mean here (grad_fn MeanBackward1)
        return input.mean((-3, -2, -1), keepdim=True)
    return AdaptiveAvgPool3D.apply(input, out_size)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    (out,) = _adaptive_size("adaptive_avg_pool1d", input, output_size, 1)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, out)).squeeze(-2)


class AdaptiveMaxPool2D(NumpyFunction):
    """out[n, c, i, j] = max of x over window (i, j) (bounds as adaptive_avg_pool2d), indices = h*W + w.

        grad_x[n, c, h, w] = sum of g over the windows whose max sits at (h, w)  (windows may overlap)
    The forward loops over offsets inside the largest window; shorter windows repeat their last row or
    column, which changes neither the max nor the first index of it.
    """

    node_name = "AdaptiveMaxPool2DBackward0"

    @staticmethod
    def forward(ctx, x, out_hw):
        x4 = _batched(x)
        h, w = x4.shape[-2:]
        (hs, he), (ws, we) = _adaptive_bounds(h, out_hw[0]), _adaptive_bounds(w, out_hw[1])
        best = indices = None
        for a, b in itertools.product(range((he - hs).max()), range((we - ws).max())):
            rows, cols = np.minimum(hs + a, he - 1), np.minimum(ws + b, we - 1)
            v = x4[:, :, rows[:, None], cols]
            idx = rows[:, None] * w + cols
            if best is None:
                best, indices = v.copy(), np.broadcast_to(idx, v.shape).copy()
                continue
            better = (v > best) | (np.isnan(v) if x.dtype.kind == "f" else False)
            best = np.where(better, v, best)
            indices = np.where(better, idx, indices)
        ctx.shapes = (x.shape, x4.shape)
        ctx.indices = indices
        if x.ndim == 3:
            best, indices = best[0], indices[0]
        return best, indices

    @staticmethod
    def backward(ctx, grad, _grad_indices):
        shape, (n, c, h, w) = ctx.shapes
        gx = np.zeros((n, c, h * w), dtype=grad.dtype)
        g = _batched(grad).reshape(n, c, -1)
        nn_, cc = np.indices((n, c), sparse=True)
        np.add.at(gx, (nn_[..., None], cc[..., None], ctx.indices.reshape(n, c, -1)), g)  # overlaps add
        return gx.reshape(shape), None


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    out_hw = _adaptive_size("adaptive_max_pool2d", input, output_size, 2)
    return AdaptiveMaxPool2D.apply(input, out_hw)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output size; with return_indices also the flat (H*W) argmax positions."""
    out, indices = adaptive_max_pool2d_with_indices(input, output_size)
    return (out, indices) if return_indices else out


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = False):
    (out_l,) = _adaptive_size("adaptive_max_pool1d", input, output_size, 1)
    out, idx = adaptive_max_pool2d_with_indices(input.unsqueeze(-2), (1, out_l))
    return out.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    out, indices = adaptive_max_pool1d_with_indices(input, output_size)
    return (out, indices) if return_indices else out


# ====================================================================== unpooling, LP pooling
class MaxUnpool2D(NumpyFunction):
    """out = zeros (N, C, Ho*Wo); out[n, c, indices[n, c, k]] = x[n, c, k]   (the inverse of max_pool2d).

        grad_x[n, c, k] = g[n, c, indices[n, c, k]]   (a gather)
    """

    node_name = "MaxUnpool2DBackward0"

    @staticmethod
    def forward(ctx, x, indices, out_hw):
        lead = x.shape[:-2]
        flat_idx = indices.reshape(*lead, -1)
        out = np.zeros((*lead, out_hw[0] * out_hw[1]), dtype=x.dtype)
        np.put_along_axis(out, flat_idx, x.reshape(*lead, -1), axis=-1)
        ctx.flat_idx, ctx.shape = flat_idx, x.shape
        return out.reshape(*lead, *out_hw)

    @staticmethod
    def backward(ctx, grad):
        g = grad.reshape(*grad.shape[:-2], -1)
        return np.take_along_axis(g, ctx.flat_idx, axis=-1).reshape(ctx.shape), None, None


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Put each value back where max_pool2d found it; zeros elsewhere.
    Default output size: (H - 1) * stride - 2 * padding + kernel_size."""
    k = _pair(kernel_size, "max_unpool2d", "kernel_size")
    s = k if stride is None else _pair(stride, "max_unpool2d", "stride")
    p = _pair(padding, "max_unpool2d", "padding")
    if output_size is None:
        out_hw = tuple((n - 1) * si - 2 * pi + ki for n, ki, si, pi in zip(input.shape[-2:], k, s, p))
    else:
        out_hw = tuple(output_size)[-2:]
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    idx = indices._data
    if idx.size and (idx.min() < 0 or idx.max() >= out_hw[0] * out_hw[1]):
        bad = idx.max() if idx.max() >= out_hw[0] * out_hw[1] else idx.min()
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{out_hw[0]}x{out_hw[1]})")
    return MaxUnpool2D.apply(input, idx, out_hw)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    k = _one(kernel_size, "max_unpool1d", "kernel_size")
    s = k if stride is None else _one(stride, "max_unpool1d", "stride")
    p = _one(padding, "max_unpool1d", "padding")
    out_l = (input.shape[-1] - 1) * s - 2 * p + k if output_size is None else tuple(output_size)[-1]
    return max_unpool2d(input.unsqueeze(-2), indices.unsqueeze(-2), (1, k), (1, s), (0, p),
                        (1, out_l)).squeeze(-2)


def lp_pool2d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """(sum over the window of x^p)^(1/p), computed as PyTorch does: from the average of x^p."""
    kh, kw = _pair(kernel_size, "lp_pool2d", "kernel_size")
    out = avg_pool2d(input.pow(norm_type), (kh, kw), stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    k = _one(kernel_size, "lp_pool1d", "kernel_size")
    out = avg_pool1d(input.pow(norm_type), k, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(k).pow(1.0 / norm_type)


# ====================================================================== pixel shuffle
class PixelShuffle(NumpyFunction):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): out[c, h*r + i, w*r + j] = x[c*r*r + i*r + j, h, w].

    A reshape and a transpose; the gradient is the inverse rearrangement (pixel_unshuffle of g).
    """

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        *lead, c, h, w = x.shape
        n = len(lead)
        y = x.reshape(*lead, c // (r * r), r, r, h, w)
        y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)  # (*, C, H, r, W, r)
        return y.reshape(*lead, c // (r * r), h * r, w * r)

    @staticmethod
    def backward(ctx, grad):
        return PixelUnshuffle.forward(_Scratch(), grad, ctx.r), None


class PixelUnshuffle(NumpyFunction):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), the inverse of pixel_shuffle (and its gradient)."""

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        *lead, c, h, w = x.shape
        n = len(lead)
        y = x.reshape(*lead, c, h // r, r, w // r, r)
        y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)  # (*, C, r, r, H, W)
        return y.reshape(*lead, c * r * r, h // r, w // r)

    @staticmethod
    def backward(ctx, grad):
        return PixelShuffle.forward(_Scratch(), grad, ctx.r), None


class _Scratch:
    """A throwaway ctx: backward reuses the other op's forward."""


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange (*, C*r^2, H, W) into (*, C, H*r, W*r) (sub-pixel convolution upsampling)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if input.shape[-3] % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={input.shape[-3]} is not "
                           f"divisible by {r * r}")
    return PixelShuffle.apply(input, r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange (*, C, H*r, W*r) into (*, C*r^2, H, W)."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input "
                           f"with {input.dim()} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for name, dim in (("height", -2), ("width", -1)):
        if input.shape[dim] % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({dim})={input.shape[dim]} is not divisible by {r}")
    return PixelUnshuffle.apply(input, r)



# ====================================================================== interpolate
def _source_positions(in_size: int, out_size: int, mode: str, align_corners: bool, scale, dtype):
    """For each output position along one axis: the two input positions it reads and their weights
    (i0, i1, w0, w1), computed exactly as PyTorch's CPU kernels do, so the same pixels are picked.

    nearest:  i = min(floor(dst * r), in - 1) in float32, with r = 1/scale_factor when one was given,
              else in/out (and the shortcuts i = dst when out == in, i = dst // 2 when out == 2*in).
    linear:   src = r * dst                              (align_corners=True, r = (in-1)/(out-1))
              src = max(r * (dst + 0.5) - 0.5, 0)        (align_corners=False, r as for nearest)
              i0 = floor(src), i1 = min(i0 + 1, in - 1), w1 = src - i0, w0 = 1 - w1.
    """
    dst = np.arange(out_size)
    ratio_t = np.float32 if mode == "nearest" else dtype  # nearest always works in float; linear in
    if scale is not None and scale > 0:                    # the input's precision (float or double)
        ratio = ratio_t(1.0 / scale)
    else:
        ratio = ratio_t(in_size) / ratio_t(out_size)
    if mode == "nearest":
        if out_size == in_size:
            idx = dst
        elif out_size == 2 * in_size:
            idx = dst >> 1
        else:
            idx = np.minimum(np.floor(dst.astype(np.float32) * ratio).astype(np.int64), in_size - 1)
        return idx, idx, np.ones(out_size, dtype), np.zeros(out_size, dtype)
    if out_size == in_size and not align_corners:  # identity, whatever the scale factor said
        return dst, dst, np.ones(out_size, dtype), np.zeros(out_size, dtype)
    d = dst.astype(dtype)
    if align_corners:
        ratio = dtype(in_size - 1) / dtype(out_size - 1) if out_size > 1 else dtype(0)
        src = ratio * d
    else:
        src = np.maximum(ratio * (d + dtype(0.5)) - dtype(0.5), dtype(0))
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    w1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    return i0, np.minimum(i0 + 1, in_size - 1), (1 - w1).astype(dtype), w1


def _resize_matrix(in_size, out_size, mode, align_corners, scale, dtype) -> np.ndarray:
    """The (out, in) matrix A of one axis: resized = A @ x along that axis; each row holds the (at most
    two) weights of the input positions that output position reads."""
    i0, i1, w0, w1 = _source_positions(in_size, out_size, mode, align_corners, scale, dtype.type)
    a = np.zeros((out_size, in_size), dtype=dtype)
    rows = np.arange(out_size)
    np.add.at(a, (rows, i0), w0)  # add.at: i0 == i1 at the last input position
    np.add.at(a, (rows, i1), w1)
    return a


class _Interpolate(NumpyFunction):
    """Resampling of the last one or two axes, one small matrix per axis (A_h: (Ho, H), A_w: (Wo, W)):

        out = A_h @ x @ A_w^T            (2-D; 1-D: out = x @ A_w^T)
        grad_x = A_h^T @ g @ A_w         (a linear map's gradient is its transpose)

    Nearest: each row of A is one-hot, so the forward is done as the equivalent gather x[..., i_h, i_w]
    (exact, also for inf/NaN and uint8). Linear: each row has two weights that sum to 1.
    Shapes: x (N, C, H, W) -> (N, C, Ho, Wo), or x (N, C, L) -> (N, C, Lo).
    """

    @staticmethod
    def forward(ctx, x, out_size, mode, align_corners, scales):
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
        mats = [_resize_matrix(n, o, mode, align_corners, s, dtype)
                for n, o, s in zip(x.shape[2:], out_size, scales)]
        ctx.mats = mats
        if mode == "nearest":  # one-hot rows: pick the column of each row's 1
            idx = [a.argmax(axis=1) for a in mats]
            return x[..., idx[0][:, None], idx[1]] if len(idx) == 2 else x[..., idx[0]]
        if len(mats) == 2:
            return mats[0] @ x @ mats[1].T
        return x @ mats[0].T

    @staticmethod
    def backward(ctx, grad):
        mats = ctx.mats
        gx = mats[0].T @ grad @ mats[1] if len(mats) == 2 else grad @ mats[0]
        return gx, None, None, None, None


# One math, four PyTorch node names: a subclass per name.
class UpsampleNearest1D(_Interpolate):
    pass


class UpsampleNearest2D(_Interpolate):
    pass


class UpsampleLinear1D(_Interpolate):
    pass


class UpsampleBilinear2D(_Interpolate):
    pass


_KERNELS = {(3, "nearest"): (UpsampleNearest1D, "upsample_nearest1d"),
            (4, "nearest"): (UpsampleNearest2D, "upsample_nearest2d"),
            (3, "linear"): (UpsampleLinear1D, "upsample_linear1d"),
            (4, "bilinear"): (UpsampleBilinear2D, "upsample_bilinear2d")}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of (N, C, L) or (N, C, H, W) to `size`, or by `scale_factor`
    (output size floor(in * scale_factor)). Modes: 'nearest', 'linear' (3-D), 'bilinear' (4-D),
    'area' (adaptive average pooling). Argument checks, messages and pixel choices as PyTorch's."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = [None] * max(dim, 0)
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {spatial} and output size of {size}. Please provide input tensor "
                    "in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not all(isinstance(s, (int, np.integer)) for s in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            out_size = [int(s) for s in size]
        else:
            out_size = [int(size)] * max(dim, 0)
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but got input "
                    f"with spatial dimensions of {spatial} and scale_factor of shape {scale_factor}. Please "
                    "provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                    "(s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * max(dim, 0)
        out_size = [int(n * s) for n, s in zip(spatial, scales)]  # floor (truncation, as PyTorch)
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor:
        if size is not None:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        scales = [None] * dim  # the kernel then uses in/out, from the (integer) output size
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                         "requires a 4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not implemented in edutorch")
    if mode == "area" and input.dim() in (3, 4, 5):
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](input, out_size)
    kernel = _KERNELS.get((input.dim(), mode))
    if kernel is None:
        wants = {"linear": 3, "bilinear": 4, "trilinear": 5}.get(mode)
        if wants is not None and input.dim() in (3, 4, 5):
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {wants}D input")
        if input.dim() in (3, 4) and mode in ("nearest-exact", "bicubic", "lanczos") or input.dim() == 5:
            raise NotImplementedError(f"interpolate: mode={mode!r} with {input.dim()}D input is not "
                                      "implemented in edutorch")
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the modes: "
            "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
            f"(got {mode})")
    fn, name = kernel
    if min(out_size) <= 0:
        axes = "HW"[-dim:] if dim <= 2 else "DHW"
        if dim == 1:
            raise RuntimeError(f"Input and output sizes should be greater than 0, but got input (W: "
                               f"{spatial[0]}) and output (W: {out_size[0]})")
        raise RuntimeError("Input and output sizes should be greater than 0, but got input ("
                           + ", ".join(f"{a}: {n}" for a, n in zip(axes, spatial)) + ") output ("
                           + ", ".join(f"{a}: {n}" for a, n in zip(axes, out_size)) + ")")
    kind = input._data.dtype.kind
    if kind != "f" and not (kind == "u" and input._data.dtype.itemsize == 1 and mode == "nearest"):
        dname = {"i": {8: "Long", 4: "Int", 2: "Short", 1: "Char"}.get(input._data.dtype.itemsize, "Int"),
                 "b": "Bool", "u": "Byte"}.get(kind, str(input.dtype))
        raise NotImplementedError(f'"{name}" not implemented for \'{dname}\'')
    return fn.apply(input, tuple(out_size), mode, bool(align_corners), tuple(scales))
