"""Convolution as im2col + one matrix multiply; unfold / fold (im2col exposed); pad.

Output size. A kernel of size k with dilation d spans d*(k-1) + 1 input pixels. Slide it with step s over an
input of size H padded by p_top + p_bottom: the last window must still fit, so

    H_out = floor((H + p_top + p_bottom - d*(k-1) - 1) / s) + 1        (the same formula for widths).

Forward (one GEMM). Work channels-last: pad the input into an (N, H_p, W_p, C) buffer, take a strided
*view* of every window, (N, H_out, W_out, kh, kw, C) — no copy — then copy it once into the im2col matrix
``cols`` of shape (N*H_out*W_out, kh*kw*C): one row per output pixel, one column per (kernel offset,
input channel). With the weight laid out as W_mat (kh*kw*C, O):

    out[p, o] = sum_k cols[p, k] * W_mat[k, o]        out = cols @ W_mat  (+ bias)

Both operands are contiguous, so this is one BLAS call. (Channels-first windows would give a strided
operand, several times slower to multiply: benchmarks/README.md, "Choices inside ops".)

Backward. With G = grad_out as a (N*H_out*W_out, O) matrix:

    grad_W_mat = cols.T @ G          (one GEMM; reshape back to (O, C, kh, kw))
    grad_bias  = G summed over pixels
    grad_x     = a *transposed convolution* of grad_out: put s-1 zeros between its pixels, pad it by
                 d*(k-1) - p, and convolve (stride 1, dilation d) with the flipped kernel, input and output
                 channels swapped: im2col + one GEMM again (``_input_grad`` derives it).

The columns (forward's, and the backward's two sets) go into one reusable scratch buffer (``_scratch``):
a fresh array of tens of MB costs more to map in from the OS than to fill. On the CIFAR shapes of our
notes this was faster than one GEMM per kernel offset added into strided slabs, and than one GEMM onto
columns followed by a col2im scatter-add (benchmarks/README.md). ``conv_transpose2d``'s forward *is* this
input gradient.

Groups split the C input channels into ``groups`` blocks of C/groups, each seen only by its own O/groups
filters: the GEMMs become one batched matmul over the groups (depthwise: groups == C).
"""
from __future__ import annotations

import math
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ..autograd.function import NumpyFunction

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "fold",
    "pad",
    "unfold",
]


# ====================================================================== the im2col machinery (NumPy)
# Written for any number of spatial dims (2 for images, 3 for volumes); conv1d runs the 2-D op on a
# unit height. "spatial" below means (H, W) or (D, H, W), and "kernel" (kh, kw) or (kd, kh, kw).
_scratch_space = threading.local()


def _scratch(shape, dtype) -> np.ndarray:
    """A reusable buffer for the im2col matrix, valid until the next call in this thread.

    Why not a new array each time: a block of tens of MB comes fresh from the OS at every call (malloc
    hands such big blocks back when they are freed) and is faulted in page by page, which made the
    im2col copy of the CIFAR step about twice as slow (benchmarks/README.md). The columns never leave
    the op: every GEMM that reads them writes a new array. The price: the buffer stays as big as the
    largest columns seen so far (52 MB for the CIFAR step), as PyTorch's caching allocator keeps blocks.
    """
    size = math.prod(shape)
    buf = getattr(_scratch_space, "buf", None)
    if buf is None or buf.dtype != dtype or buf.size < size:
        buf = _scratch_space.buf = np.empty(size, dtype)
    return buf[:size].reshape(shape)


def _windows(xp: np.ndarray, kernel, stride, dilation, out_size) -> np.ndarray:
    """(N, *spatial_p, C) -> a strided view (N, *out_size, *kernel, C) of every window; no copy."""
    sn, *ss, sc = xp.strides
    return as_strided(xp, (xp.shape[0], *out_size, *kernel, xp.shape[-1]),
                      (sn, *(a * s for a, s in zip(ss, stride)), *(a * d for a, d in zip(ss, dilation)), sc),
                      writeable=False)


def _im2col(xp, kernel, stride, dilation, out_size, groups):
    """The im2col matrix, in the scratch buffer: (P, K*C) for groups == 1, else (groups, P, K*C/groups);
    P = N * prod(out_size) output pixels, K = prod(kernel) kernel offsets. One copy of the windows."""
    win = _windows(xp, kernel, stride, dilation, out_size)
    c, p, k = win.shape[-1], win.shape[0] * math.prod(out_size), math.prod(kernel)
    cols = _scratch((groups, p, k * c // groups), xp.dtype)
    # split the channels into groups and move the group axis first (a view), then copy once
    np.copyto(cols.reshape(groups, *win.shape[:-1], c // groups),
              np.moveaxis(win.reshape(*win.shape[:-1], groups, c // groups), -2, 0))
    return cols[0] if groups == 1 else cols


def _weight_matrix(w: np.ndarray, groups: int) -> np.ndarray:
    """(O, C/g, *kernel) -> W_mat (K*C, O), or (g, K*C/g, O/g) per group, rows ordered as cols' columns."""
    o, cg, *kernel = w.shape
    nd, k = len(kernel), math.prod(kernel)
    if groups == 1:
        return np.ascontiguousarray(w.transpose(*range(2, 2 + nd), 1, 0)).reshape(k * cg, o)
    w = w.reshape(groups, o // groups, cg, *kernel).transpose(0, *range(3, 3 + nd), 2, 1)
    return np.ascontiguousarray(w).reshape(groups, k * cg, o // groups)


def _grad_matrix(g: np.ndarray, groups: int) -> np.ndarray:
    """grad_out (N, O, *out_size) -> (P, O) channels-last, or (g, P, O/g)."""
    o = g.shape[1]
    gm = np.ascontiguousarray(np.moveaxis(g, 1, -1)).reshape(-1, o)
    if groups == 1:
        return gm
    return np.ascontiguousarray(gm.reshape(-1, groups, o // groups).transpose(1, 0, 2))


def _pad_channels_last(x: np.ndarray, pads, spread=None) -> np.ndarray:
    """(N, C, *spatial) -> zero-padded channels-last (N, *padded, C); pads = (before, after) per spatial dim,
    first dim first: (pt, pb, pl, pr) for images; a negative amount crops. With ``spread`` s per dim, s - 1
    zeros go between neighbouring pixels (pixel y lands at before + s*y: the transposed convolution)."""
    n, c, *spatial = x.shape
    nd = len(spatial)
    spread = spread or (1,) * nd
    lo, hi = [max(pads[2 * a], 0) for a in range(nd)], [max(pads[2 * a + 1], 0) for a in range(nd)]
    size = [lo[a] + (spatial[a] - 1) * spread[a] + 1 + hi[a] for a in range(nd)]
    xp = np.zeros((n, *size, c), dtype=x.dtype)
    xp[(slice(None), *(slice(lo[a], size[a] - hi[a], spread[a]) for a in range(nd)))] = np.moveaxis(x, 1, -1)
    return xp[(slice(None), *(slice(max(-pads[2 * a], 0), size[a] - max(-pads[2 * a + 1], 0)) for a in range(nd)))]


def _conv_forward(xp, w, stride, dilation, groups, out_size):
    """The convolution of the padded channels-last input xp (N, *padded, C) by w (O, C/g, *kernel):
    cols @ W_mat, returned as (N, O, *out_size)."""
    n, o = xp.shape[0], w.shape[0]
    out = _im2col(xp, w.shape[2:], stride, dilation, out_size, groups) @ _weight_matrix(w, groups)
    if groups > 1:
        out = out.transpose(1, 0, 2)  # (P, g, O/g): the channels of group 0, then of group 1...
    return np.ascontiguousarray(np.moveaxis(out.reshape(n, *out_size, o), -1, 1))


def _input_grad(grad, w, groups, x_shape, pads, stride, dilation):
    """grad_x (N, C, *spatial) of a convolution, as the transposed convolution of grad (N, O, *out_size).

    Along one axis, output pixel y read input pixel h = s*y + d*i - p through kernel offset i. Spread grad
    (pixel y moved to s*y, zeros between) and pad it by d*(k-1) - p in front: then input pixel h gets
    sum_i G_spread[h + p - d*i] W[i], a stride-1 convolution with the flipped kernel (offset k-1-i),
    input and output channels swapped (per group). The back padding makes the result exactly H long.
    """
    n, c, *spatial = x_shape
    o, cg, *kernel = w.shape
    nd = len(kernel)
    flipped = (slice(None), slice(None)) + (slice(None, None, -1),) * nd
    wt = w.reshape(groups, o // groups, cg, *kernel).swapaxes(1, 2).reshape(c, o // groups, *kernel)[flipped]
    gpads = []
    for a in range(nd):
        spread_size = (grad.shape[2 + a] - 1) * stride[a] + 1
        gpads += [dilation[a] * (kernel[a] - 1) - pads[2 * a], spatial[a] - spread_size + pads[2 * a]]
    gp = _pad_channels_last(grad, gpads, stride)
    return _conv_forward(gp, wt, (1,) * nd, dilation, groups, tuple(spatial))


def _weight_grad(cols, gm, w_shape, groups):
    """grad_W = cols.T @ G, back in PyTorch's (O, C/g, *kernel) layout."""
    o, cg, *kernel = w_shape
    nd = len(kernel)
    gw = cols.swapaxes(-1, -2) @ gm  # (K*C, O) or (g, K*C/g, O/g)
    if groups == 1:
        return np.ascontiguousarray(gw.reshape(*kernel, cg, o).transpose(nd + 1, nd, *range(nd)))
    gw = gw.reshape(groups, *kernel, cg, o // groups).transpose(0, nd + 2, nd + 1, *range(1, nd + 1))
    return np.ascontiguousarray(gw).reshape(o, cg, *kernel)


def _out_size(spatial, kernel, stride, pads, dilation):
    return tuple((spatial[a] + pads[2 * a] + pads[2 * a + 1] - dilation[a] * (kernel[a] - 1) - 1) // stride[a] + 1
                 for a in range(len(kernel)))


def _channel_shape(ndim: int) -> tuple:
    """(1, -1, 1, 1) for images, (1, -1, 1, 1, 1) for volumes: a per-channel vector that broadcasts."""
    return (1, -1) + (1,) * (ndim - 2)


def _not_channels(ndim: int) -> tuple:
    """The axes a per-channel sum runs over: (0, 2, 3) for images, (0, 2, 3, 4) for volumes."""
    return (0,) + tuple(range(2, ndim))


# ====================================================================== the ops
class Convolution(NumpyFunction):
    """out = conv2d(x, w) + b, x (N, C, H, W), w (O, C/groups, kh, kw), b (O,) or None; conv3d the same with
    (N, C, D, H, W) and (O, C/groups, kd, kh, kw) (one more spatial axis, one more kernel offset index).

    Forward: im2col + one GEMM (module docstring). Backward:
        grad_w = cols.T @ G,   grad_b = sum of G over (N, H_out, W_out),
        grad_x = conv(spread and padded G, flipped W with C and O swapped)   (a transposed convolution)
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        out_size = _out_size(x.shape[2:], w.shape[2:], stride, pads, dilation)
        out = _conv_forward(_pad_channels_last(x, pads), w, stride, dilation, groups, out_size)
        if b is not None:
            out += b.reshape(_channel_shape(out.ndim))
        # Keep x, not cols (PyTorch saves input and weight too): cols is kh*kw times bigger, and rebuilding
        # it in backward costs one copy (less peak memory for a little more time on the CIFAR step:
        # benchmarks/README.md). It also lets the engine catch an in-place change of x, as PyTorch does.
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, w)
        ctx.conf = (x.shape, stride, pads, dilation, groups)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        x_shape, stride, pads, dilation, groups = ctx.conf
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = _input_grad(grad, w, groups, x_shape, pads, stride, dilation)
        if ctx.needs_input_grad[1]:  # (after grad_x: both use the one scratch buffer for their columns)
            cols = _im2col(_pad_channels_last(x, pads), w.shape[2:], stride, dilation, grad.shape[2:], groups)
            grad_w = _weight_grad(cols, _grad_matrix(grad, groups), w.shape, groups)
        if ctx.needs_input_grad[2]:
            grad_b = grad.sum(axis=_not_channels(grad.ndim))
        return grad_x, grad_w, grad_b, None, None, None, None


class ConvolutionTranspose(NumpyFunction):
    """out = conv_transpose2d(x, w) + b, x (N, C_in, H, W), w (C_in, C_out/groups, kh, kw); conv_transpose3d the
    same with (N, C_in, D, H, W) and (C_in, C_out/groups, kd, kh, kw).

    The transposed convolution is the *input gradient* of the convolution with the same weight: every
    input pixel spreads w[c] (scaled by x) over a kh x kw patch of the output, patches stepping by s.
        H_out = (H - 1)*s - 2p + d*(kh - 1) + output_padding + 1
    so the forward is _input_grad (spread, pad, convolve with the flipped kernel), and the backward
    swaps the roles again:
        grad_x = conv2d(grad_out, w)   (same stride/padding/dilation/groups, windows at the H x W input pixels)
        grad_w = cols(grad_out).T @ x  (the convolution's weight gradient with grad_out as its "input")
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups, out_size):
        out_shape = (x.shape[0], w.shape[1] * groups) + tuple(out_size)
        out = _input_grad(x, w, groups, out_shape, pads, stride, dilation)
        if b is not None:
            out += b.reshape(_channel_shape(out.ndim))
        ctx.save_for_backward(x, w)
        ctx.conf = (stride, pads, dilation, groups)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        stride, pads, dilation, groups = ctx.conf
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            # Windows of grad_out at exactly the H x W input positions. A plain conv2d(grad_out, w) can give
            # more (output_padding >= stride, allowed when dilation > output_padding): those extra windows
            # read only output padding, belong to no input pixel, and would make cols one row per pixel too long.
            n, c_in, *spatial = x.shape
            cols = _im2col(_pad_channels_last(grad, pads), w.shape[2:], stride, dilation, spatial, groups)
            if ctx.needs_input_grad[0]:
                gx = cols @ _weight_matrix(w, groups)  # (P, C_in) or (g, P, C_in/g)
                if groups > 1:
                    gx = gx.transpose(1, 0, 2)
                grad_x = np.ascontiguousarray(np.moveaxis(gx.reshape(n, *spatial, c_in), -1, 1))
            if ctx.needs_input_grad[1]:
                grad_w = _weight_grad(cols, _grad_matrix(x, groups), w.shape, groups)
        if ctx.needs_input_grad[2]:
            grad_b = grad.sum(axis=_not_channels(grad.ndim))
        return grad_x, grad_w, grad_b, None, None, None, None, None


class Convolution1d(Convolution):
    """conv1d as the 2-D op on a unit height: (N, C, L) -> (N, C, 1, L), so that one node is left."""

    @staticmethod
    def forward(ctx, x, w, b, *conf):
        return Convolution.forward(ctx, x[:, :, None], w[:, :, None], b, *conf)[:, :, 0]

    @staticmethod
    def backward(ctx, grad):
        gx, gw, gb, *rest = Convolution.backward(ctx, grad[:, :, None])
        return (None if gx is None else gx[:, :, 0], None if gw is None else gw[:, :, 0], gb, *rest)


class ConvolutionTranspose1d(ConvolutionTranspose):
    """conv_transpose1d as the 2-D op on a unit height."""

    @staticmethod
    def forward(ctx, x, w, b, *conf):
        return ConvolutionTranspose.forward(ctx, x[:, :, None], w[:, :, None], b, *conf)[:, :, 0]

    @staticmethod
    def backward(ctx, grad):
        gx, gw, gb, *rest = ConvolutionTranspose.backward(ctx, grad[:, :, None])
        return (None if gx is None else gx[:, :, 0], None if gw is None else gw[:, :, 0], gb, *rest)


# ====================================================================== argument handling
def same_padding(kernel, dilation) -> list:
    """padding='same': (before, after) per spatial dim, first dim first. A window spans d*(k-1)+1
    pixels, so d*(k-1) padding keeps the size; the odd pixel goes to the end (right / bottom), as in
    PyTorch. (Used by F.conv* and by the Conv layers' padding_mode path.)"""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def _pair(v, n: int, name: str) -> tuple:
    t = tuple(int(a) for a in v) if isinstance(v, (tuple, list)) else (int(v),) * n
    if len(t) == 1 and n > 1:
        t = t * n
    if len(t) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"convolution dimensions, but got {name}={list(t)}")
    return t


def _shape(t) -> str:
    return str(list(t.shape))


def _check_dtypes(input, weight, bias) -> None:
    """No silent mixing of float32 and float64 (NumPy would upcast the GEMM): PyTorch's errors."""
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_type_word(input)} but found {_type_word(weight)}")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({_type_word(input).lower()}) and bias type ({_type_word(bias).lower()}) "
                           "should be the same")


def _type_word(t) -> str:
    return t.dtype._c_name


def _check_conv(input, weight, bias, stride, padding, dilation, groups, dims: int, name: str):
    """PyTorch's argument checks; returns (stride, pads (pt, pb, pl, pr), dilation) for the 2-D op."""
    _check_dtypes(input, weight, bias)
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but got "
                           f"input of size: {_shape(input)}")
    if weight.dim() != dims + 2:
        raise RuntimeError(f"Expected {dims + 2}-dimensional weight for {dims + 2}-dimensional input "
                           f"{_shape(input)}, but got {weight.dim()}-dimensional weight of size {_shape(weight)} "
                           "instead")
    stride, dilation = _pair(stride, dims, "stride"), _pair(dilation, dims, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * dims
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = [amount for pair in same_padding(kernel, dilation) for amount in pair]
            padding = None
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    if padding is not None:
        padding = _pair(padding, dims, "padding")
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
        pads = [v for p in padding for v in (p, p)]
    batched = input.shape if input.dim() == dims + 2 else (1,) + tuple(input.shape)
    out_ch = weight.shape[0]
    if out_ch % groups != 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{_shape(weight)}] instead")
    if batched[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape(weight)}, expected input{_shape(input)} "
                           f"to have {weight.shape[1] * groups} channels, but got {batched[1]} channels instead")
    padded = [batched[2 + a] + pads[2 * a] + pads[2 * a + 1] for a in range(dims)]
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < s for p, s in zip(padded, span)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, span))}). "
                           "Kernel size can't be greater than actual input size")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_ch):
        raise RuntimeError(f"Given weight of size {_shape(weight)}, expected bias to be 1-dimensional with {out_ch} "
                           f"elements, but got bias of size {_shape(bias)} instead")
    if dims == 1:  # run the 2-D op on a unit height
        return (1,) + stride, (0, 0) + tuple(pads), (1,) + dilation
    return stride, tuple(pads), dilation


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as PyTorch) of (N, C, H, W) or (C, H, W) input; see module docstring."""
    stride, pads, dilation = _check_conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")
    if input.dim() == 3:
        return Convolution.apply(input.unsqueeze(0), weight, bias, stride, pads, dilation, groups).squeeze(0)
    return Convolution.apply(input, weight, bias, stride, pads, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """3-D convolution of (N, C, D, H, W) or (C, D, H, W) input (videos, volumes): the same op with one more
    spatial axis, so one more index in each window and kernel offset."""
    stride, pads, dilation = _check_conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")
    if input.dim() == 4:
        return Convolution.apply(input.unsqueeze(0), weight, bias, stride, pads, dilation, groups).squeeze(0)
    return Convolution.apply(input, weight, bias, stride, pads, dilation, groups)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-D convolution of (N, C, L) or (C, L) input: the 2-D op on a unit height, (N, C, 1, L)."""
    stride, pads, dilation = _check_conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")
    if input.dim() == 2:
        return Convolution1d.apply(input.unsqueeze(0), weight, bias, stride, pads, dilation, groups).squeeze(0)
    return Convolution1d.apply(input, weight, bias, stride, pads, dilation, groups)


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, dims, name):
    _check_dtypes(input, weight, bias)
    if input.dim() not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but got "
                           f"input of size: {_shape(input)}")
    if weight.dim() != dims + 2:
        raise RuntimeError(f"Expected {dims + 2}-dimensional weight for {dims + 2}-dimensional input "
                           f"{_shape(input)}, but got {weight.dim()}-dimensional weight of size {_shape(weight)} "
                           "instead")
    stride, dilation = _pair(stride, dims, "stride"), _pair(dilation, dims, "dilation")
    padding, output_padding = _pair(padding, dims, "padding"), _pair(output_padding, dims, "output_padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={list(output_padding)}, stride={list(stride)}, dilation={list(dilation)}")
    x = input if input.dim() == dims + 2 else input.unsqueeze(0)
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_shape(weight)}, expected input{_shape(input)} to "
                           f"have {weight.shape[0]} channels, but got {x.shape[1]} channels instead")
    if weight.shape[0] % groups != 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{_shape(weight)}] instead")
    out_ch = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_ch):
        raise RuntimeError(f"Given transposed=1, weight of size {_shape(weight)}, expected bias to be 1-dimensional "
                           f"with {out_ch} elements, but got bias of size {_shape(bias)} instead")
    kernel = tuple(weight.shape[2:])
    out_hw = tuple((x.shape[2 + a] - 1) * stride[a] - 2 * padding[a] + dilation[a] * (kernel[a] - 1)
                   + output_padding[a] + 1 for a in range(dims))
    if any(o <= 0 for o in out_hw):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated "
                           f"output size per channel: ({' x '.join(map(str, out_hw))}). Output size is too small")
    pads = tuple(v for p in padding for v in (p, p))
    op = ConvolutionTranspose
    if dims == 1:  # the 2-D op on a unit height
        stride, pads, dilation, out_hw = (1,) + stride, (0, 0) + pads, (1,) + dilation, (1,) + out_hw
        op = ConvolutionTranspose1d
    out = op.apply(x, weight, bias, stride, pads, dilation, groups, out_hw)
    return out if input.dim() == dims + 2 else out.squeeze(0)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 2-D convolution (the input gradient of conv2d), weight (C_in, C_out/groups, kh, kw)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 3-D convolution (the input gradient of conv3d), weight (C_in, C_out/groups, kd, kh, kw)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                           "conv_transpose3d")


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-D convolution, via the 2-D op on a unit height."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


# ====================================================================== unfold / fold: im2col exposed
def _unfold_array(x, kernel, dilation, padding, stride):
    """(N, C, H, W) -> (N, C*kh*kw, L): column l holds the window at block l, rows ordered (c, i, j)."""
    n, c, h, w = x.shape
    (kh, kw), (ph, pw) = kernel, padding
    xp = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    ho, wo = _out_size((h, w), kernel, stride, (ph, ph, pw, pw), dilation)
    sn, sc, sh, sw = xp.strides
    win = as_strided(xp, (n, c, kh, kw, ho, wo), (sn, sc, sh * dilation[0], sw * dilation[1], sh * stride[0],
                                                 sw * stride[1]), writeable=False)
    return win.reshape(n, c * kh * kw, ho * wo)


def _fold_array(cols, out_hw, kernel, dilation, padding, stride):
    """(N, C*kh*kw, L) -> (N, C, H, W): every column entry is *added* back to the pixel it was read from."""
    n = cols.shape[0]
    (kh, kw), (ph, pw), (h, w) = kernel, padding, out_hw
    ho, wo = _out_size((h, w), kernel, stride, (ph, ph, pw, pw), dilation)
    blocks = cols.reshape(n, -1, kh, kw, ho, wo)
    out = np.zeros((n, blocks.shape[1], h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):  # a loop over kernel offsets only
        for j in range(kw):
            y0, x0 = i * dilation[0], j * dilation[1]
            out[:, :, y0:y0 + stride[0] * (ho - 1) + 1:stride[0], x0:x0 + stride[1] * (wo - 1) + 1:stride[1]] \
                += blocks[:, :, i, j]
    return np.ascontiguousarray(out[:, :, ph:ph + h, pw:pw + w])


class Im2Col(NumpyFunction):
    """unfold: out[n, (c, i, j), l] = x_padded[n, c, s*y_l + d*i, s*x_l + d*j]  (a copy of every window).

    Each input pixel appears in several columns, so its gradient is the sum over them: grad_x = fold(grad).
    """

    @staticmethod
    def forward(ctx, x, kernel, dilation, padding, stride):
        ctx.unbatched = x.ndim == 3  # (C, H, W): work on a batch of one
        x = x[None] if ctx.unbatched else x
        ctx.conf = (x.shape[2:], kernel, dilation, padding, stride)
        out = _unfold_array(x, kernel, dilation, padding, stride)
        return out[0] if ctx.unbatched else out

    @staticmethod
    def backward(ctx, grad):
        grad = _fold_array(grad[None] if ctx.unbatched else grad, *ctx.conf)
        return grad[0] if ctx.unbatched else grad, None, None, None, None


class Col2Im(NumpyFunction):
    """fold: the adjoint of unfold, out = sum of every column entry into its pixel.  grad_cols = unfold(grad)."""

    @staticmethod
    def forward(ctx, cols, out_hw, kernel, dilation, padding, stride):
        ctx.unbatched = cols.ndim == 2  # (C*kh*kw, L): work on a batch of one
        cols = cols[None] if ctx.unbatched else cols
        ctx.conf = (kernel, dilation, padding, stride)
        out = _fold_array(cols, out_hw, kernel, dilation, padding, stride)
        return out[0] if ctx.unbatched else out

    @staticmethod
    def backward(ctx, grad):
        grad = _unfold_array(grad[None] if ctx.unbatched else grad, *ctx.conf)
        return grad[0] if ctx.unbatched else grad, None, None, None, None, None


def _fold_args(kernel_size, dilation, padding, stride):
    return tuple(_pair(v, 2, name) for v, name in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                                    (padding, "padding"), (stride, "stride")))


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """im2col: (N, C, H, W) or (C, H, W) -> (N, C*kh*kw, L), L = H_out * W_out sliding blocks."""
    kernel, dilation, padding, stride = _fold_args(kernel_size, dilation, padding, stride)
    if input.dim() < 3:  # PyTorch fails while reading the size of dim 2
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(input.dim(), 1)}, "
                         f"{max(input.dim(), 1) - 1}], but got 2)")
    if input.dim() != 4 and input.dim() != 3:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {_shape(input)}")
    hw = tuple(input.shape[-2:])
    blocks = _out_size(hw, kernel, stride, (padding[0],) * 2 + (padding[1],) * 2, dilation)
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"Given input with spatial size {hw}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={padding}, calculated shape of the array of sliding blocks as {blocks}, "
                           "but its components must be at least one.")
    return Im2Col.apply(input, kernel, dilation, padding, stride)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """col2im: (N, C*kh*kw, L) or (C*kh*kw, L) -> (N, C, *output_size), overlapping entries summed."""
    out_hw = _pair(output_size, 2, "output_size")
    kernel, dilation, padding, stride = _fold_args(kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                           f"non-zero dimensions for input, but got: {_shape(input)}")
    x = input if input.dim() == 3 else input.unsqueeze(0)
    if x.shape[1] % (kernel[0] * kernel[1]) != 0:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={x.shape[1]} and kernel_size={kernel}.")
    blocks = _out_size(out_hw, kernel, stride, (padding[0],) * 2 + (padding[1],) * 2, dilation)
    if any(b < 1 for b in blocks) or blocks[0] * blocks[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size={out_hw}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, "
                           f"but got input.size(2)={x.shape[2]}.")
    return Col2Im.apply(input, out_hw, kernel, dilation, padding, stride)


# ====================================================================== pad
def _source_index(n: int, before: int, after: int, mode: str) -> np.ndarray:
    """For one padded dim: which input index each of the before + n + after output positions copies.
    A negative amount crops that side; circular padding then wraps around what is left, as PyTorch does."""
    i = np.arange(-before, n + after)
    if mode == "reflect":  # mirror about the edge pixels, which are not repeated
        i = np.abs(i)
        return np.where(i > n - 1, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    start = max(-before, 0)  # circular: wrap around the kept part [start, n - max(-after, 0))
    return start + (i - start) % (n - start - max(-after, 0))


class ConstantPadNd(NumpyFunction):
    """Constant padding (negative amounts crop). grad = the gradient cut back to the input's window."""

    @staticmethod
    def forward(ctx, x, pads, value):
        # pads: one (before, after) per dim of x, first dim first
        crop = tuple(slice(max(-b, 0), n - max(-a, 0)) for n, (b, a) in zip(x.shape, pads))
        ctx.conf = (pads, x.shape)
        return np.pad(x[crop], [(max(b, 0), max(a, 0)) for b, a in pads], constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        pads, _ = ctx.conf
        crop = tuple(slice(max(b, 0), grad.shape[k] - max(a, 0)) for k, (b, a) in enumerate(pads))
        return np.pad(grad[crop], [(max(-b, 0), max(-a, 0)) for b, a in pads]), None, None


class IndexPad(NumpyFunction):
    """reflect / replicate / circular padding: out = x.take(index, axis) along each padded axis.

    Each output entry copies one input entry, so grad_x sums the gradients of all its copies: the middle
    block maps one-to-one, the few border rows are scatter-added (np.add.at) into their sources.
    """

    @staticmethod
    def forward(ctx, x, pads, mode):
        ctx.conf = []
        for axis in range(x.ndim - len(pads), x.ndim):
            before, after = pads[axis - (x.ndim - len(pads))]
            index = _source_index(x.shape[axis], before, after, mode)
            ctx.conf.append((axis, before, x.shape[axis], index))
            x = x.take(index, axis=axis)
        return x

    @staticmethod
    def backward(ctx, grad):
        for axis, before, n, index in reversed(ctx.conf):
            g = np.moveaxis(grad, axis, 0)
            if before >= 0 and len(index) >= before + n:
                out = g[before:before + n].copy()
                np.add.at(out, index[:before], g[:before])
                np.add.at(out, index[before + n:], g[before + n:])
            else:  # a side was cropped: scatter every row (cropped inputs get no gradient)
                out = np.zeros((n,) + g.shape[1:], dtype=g.dtype)
                np.add.at(out, index, g)
            grad = np.moveaxis(out, 0, axis)
        return grad, None, None


# One math, PyTorch's node name per mode and dimension: a subclass per name.
class ReflectionPad1D(IndexPad):
    pass


class ReflectionPad2D(IndexPad):
    pass


class ReflectionPad3D(IndexPad):
    pass


class ReplicationPad1D(IndexPad):
    pass


class ReplicationPad2D(IndexPad):
    pass


class ReplicationPad3D(IndexPad):
    pass


class CircularPad(IndexPad):
    node_name = "CopySlices"  # PyTorch builds circular padding from slices


_INDEX_PADS = {("reflect", 1): ReflectionPad1D, ("reflect", 2): ReflectionPad2D, ("reflect", 3): ReflectionPad3D,
               ("replicate", 1): ReplicationPad1D, ("replicate", 2): ReplicationPad2D,
               ("replicate", 3): ReplicationPad3D}


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims: pad = (left, right, top, bottom, front, back), last dim first."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if mode == "constant":
        if k > input.dim():
            raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but "
                               f"got padding length {len(pad)} and input of dimension {input.dim()}")
        pads = [(0, 0)] * (input.dim() - k) + [(pad[2 * a], pad[2 * a + 1]) for a in reversed(range(k))]
        return ConstantPadNd.apply(input, tuple(pads), 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if k not in (1, 2, 3) or input.dim() not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    pads = [(pad[2 * a], pad[2 * a + 1]) for a in reversed(range(k))]
    for a, (b, e) in enumerate(pads):
        dim = input.dim() - k + a
        n = input.shape[dim]
        if mode == "reflect" and (b >= n or e >= n):
            # PyTorch numbers the argument of the padded dim: #4 for the last, #6 for the one before, #8
            raise RuntimeError(f"Argument #{4 + 2 * (k - 1 - a)}: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({b}, {e}) at dimension {dim} of input "
                               f"{_shape(input)}")
        if mode == "circular" and (b > n or e > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    batch = input.dim() - k - 1  # 1 if there is a batch dim (which may be empty), else 0
    if mode == "replicate" and any(m == 0 for m in input.shape[batch:]):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {_shape(input)}")
    op = CircularPad if mode == "circular" else _INDEX_PADS[(mode, k)]
    return op.apply(input, tuple(pads), mode)
