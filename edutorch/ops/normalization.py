"""Normalisation: batch_norm, layer_norm, group_norm, instance_norm.

All four standardise the input over some axes, then scale and shift it:

    x_hat = (x - mean) / sqrt(var + eps),      out = weight * x_hat + bias

and differ only in *which* axes the statistics are taken over:

    batch_norm   every axis but the channels (dim 1): one mean per channel, across the batch
    layer_norm   the last len(normalized_shape) axes: one mean per sample
    group_norm   the channels of one group and the spatial axes: one mean per (sample, group)
    instance_norm  the spatial axes: one mean per (sample, channel) (batch_norm on a reshaped input)

Their backward shares one formula. With g_hat = dL/dx_hat = g * weight and n values per statistic,

    dL/dx = invstd * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat))

(the two means, over the same axes as the statistics, are the paths through mean and var). Written as
one fused op it is a few array passes, much faster than the ~10 nodes of the composed formula.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import NumpyFunction

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm"]


def _standardize_grad(grad_hat: np.ndarray, x_hat: np.ndarray, invstd: np.ndarray, axes: tuple) -> np.ndarray:
    """dL/dx from dL/dx_hat when x_hat = (x - mean) * invstd with mean and var taken over ``axes``."""
    mean_g = grad_hat.mean(axis=axes, keepdims=True)
    mean_gx = (grad_hat * x_hat).mean(axis=axes, keepdims=True)
    return invstd * (grad_hat - mean_g - x_hat * mean_gx)


def _channel_shape(ndim: int, channels: int) -> tuple:
    """(1, C, 1, 1, ...): a per-channel vector shaped to broadcast against an (N, C, *) input."""
    return (1, channels) + (1,) * (ndim - 2)


class NativeBatchNorm(NumpyFunction):
    """Batch normalisation of an (N, C, *) input, statistics per channel over every other axis.

    training: mean, var (biased) of this batch; running_mean/var (if given) move towards them:
        running = (1 - momentum) * running + momentum * batch_stat,  var taken *unbiased* (n / (n - 1))
    evaluation: the running statistics are used as constants.
    backward (training): the shared formula of the module docstring over axes (0, 2, 3, ...);
             (evaluation): dL/dx = g * weight * invstd, since mean and var do not depend on x.
    dL/dweight = sum(g * x_hat), dL/dbias = sum(g), both over every axis but the channels.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = _channel_shape(x.ndim, x.shape[1])
        if training:
            mean = x.mean(axis=axes)
            var = x.var(axis=axes)
            if running_mean is not None:
                n = x.size // x.shape[1]
                # In place: the module's buffers are these very arrays.
                running_mean *= 1 - momentum
                running_mean += momentum * mean
                running_var *= 1 - momentum
                running_var += momentum * var * (n / (n - 1))
        else:
            mean, var = running_mean, running_var
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False).reshape(shape)
        mean = mean.astype(x.dtype, copy=False).reshape(shape)
        ctx.training, ctx.mean, ctx.invstd, ctx.axes = training, mean, invstd, axes
        ctx.save_for_backward(x, weight)
        out = (x - mean) * invstd
        if weight is not None:
            out = out * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        axes, invstd = ctx.axes, ctx.invstd
        x_hat = (x - ctx.mean) * invstd
        grad_hat = grad if weight is None else grad * weight.reshape(invstd.shape)
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = _standardize_grad(grad_hat, x_hat, invstd, axes) if ctx.training else grad_hat * invstd
        grad_w = (grad * x_hat).sum(axis=axes) if ctx.needs_input_grad[1] else None
        grad_b = grad.sum(axis=axes) if ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b, None, None, None, None, None


def _check_channels(name: str, t, channels: int, what: str) -> None:
    if t is not None and t.numel() != channels:
        raise RuntimeError(f"{what} should contain {channels} elements not {t.numel()}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-05) -> Tensor:
    """Normalise each channel (dim 1) of an (N, C, *) input; see NativeBatchNorm."""
    if input.dim() < 2:
        raise ValueError(f"batch_norm expects an input of shape (N, C, *), got {list(input.shape)}")
    channels = input.shape[1]
    if training:
        per_channel = input.numel() // channels if channels else 0
        if per_channel <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean must be defined in evaluation mode (and running_var too; or pass "
                           "training=True to normalise with the batch statistics)")
    _check_channels("batch_norm", running_mean, channels, "running_mean")
    _check_channels("batch_norm", running_var, channels, "running_var")
    _check_channels("batch_norm", weight, channels, "weight")
    _check_channels("batch_norm", bias, channels, "bias")
    update = training and running_mean is not None
    out = NativeBatchNorm.apply(
        input, weight, bias,
        None if running_mean is None else running_mean._data,
        None if running_var is None else running_var._data,
        bool(training), float(momentum), float(eps))
    if update:  # the running statistics were written in place: record it as any in-place write
        running_mean._bump_version()
        running_var._bump_version()
    return out


class NativeLayerNorm(NumpyFunction):
    """Layer normalisation: statistics over the last ``k`` axes (one mean/var per sample).

    weight and bias have the normalised shape, which is the input's trailing shape, so they broadcast
    as they are; the engine sums their gradients over the leading axes.
        dL/dx = the shared formula over the last k axes with g_hat = g * weight
        dL/dweight = g * x_hat (summed over leading axes), dL/dbias = g (likewise)
    """

    @staticmethod
    def forward(ctx, x, weight, bias, k, eps):
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        invstd = (1 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)).astype(x.dtype, copy=False)
        ctx.mean, ctx.invstd, ctx.axes = mean, invstd, axes
        ctx.save_for_backward(x, weight)
        out = (x - mean) * invstd
        if weight is not None:
            out = out * weight
        if bias is not None:
            out = out + bias
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        x_hat = (x - ctx.mean) * ctx.invstd
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_hat = grad if weight is None else grad * weight
            grad_x = _standardize_grad(grad_hat, x_hat, ctx.invstd, ctx.axes)
        grad_w = grad * x_hat if ctx.needs_input_grad[1] else None
        return grad_x, grad_w, grad if ctx.needs_input_grad[2] else None, None, None


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-05) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` axes of the input."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(input.shape[input.dim() - k:]) != normalized_shape or input.dim() < k:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} "
                               f"of shape {list(t.shape)} and normalized_shape = {list(normalized_shape)}")
    return NativeLayerNorm.apply(input, weight, bias, k, float(eps))


class NativeGroupNorm(NumpyFunction):
    """Group normalisation of an (N, C, *) input: the C channels are split into G groups, and each
    (sample, group) is standardised over its C/G channels and all spatial positions; then a per-channel
    weight and bias. Computed on the (N, G, C/G * spatial) reshape, where it is a layer norm of the last
    axis; the gradients follow the shared formula there and are reshaped back."""

    @staticmethod
    def forward(ctx, x, weight, bias, groups, eps):
        n, c = x.shape[0], x.shape[1]
        grouped = x.reshape(n, groups, -1)
        mean = grouped.mean(axis=2, keepdims=True)
        invstd = (1 / np.sqrt(grouped.var(axis=2, keepdims=True) + eps)).astype(x.dtype, copy=False)
        ctx.mean, ctx.invstd, ctx.groups = mean, invstd, groups
        ctx.save_for_backward(x, weight)
        out = ((grouped - mean) * invstd).reshape(x.shape)
        shape = _channel_shape(x.ndim, c)
        if weight is not None:
            out = out * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        n, c = x.shape[0], x.shape[1]
        shape = _channel_shape(x.ndim, c)
        channel_axes = (0,) + tuple(range(2, x.ndim))
        x_hat = ((x.reshape(n, ctx.groups, -1) - ctx.mean) * ctx.invstd).reshape(x.shape)
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_hat = grad if weight is None else grad * weight.reshape(shape)
            grad_x = _standardize_grad(grad_hat.reshape(n, ctx.groups, -1), x_hat.reshape(n, ctx.groups, -1),
                                       ctx.invstd, (2,)).reshape(x.shape)
        grad_w = (grad * x_hat).sum(axis=channel_axes) if ctx.needs_input_grad[1] else None
        grad_b = grad.sum(axis=channel_axes) if ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b, None, None


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-05) -> Tensor:
    """Normalise each group of ``C // num_groups`` channels of each sample (input (N, C, *))."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    channels = input.shape[1]
    if num_groups <= 0 or channels % num_groups != 0:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != channels):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in "
                               f"input, but got {name} of shape {list(t.shape)} and input of shape "
                               f"{list(input.shape)}")
    return NativeGroupNorm.apply(input, weight, bias, int(num_groups), float(eps))


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-05) -> Tensor:
    """Normalise each channel of each sample over its spatial positions. As in PyTorch this is batch
    norm on the input viewed as (1, N*C, *): every (sample, channel) pair becomes its own channel."""
    if input.dim() < 3:
        raise ValueError(f"instance_norm expects an input of shape (N, C, *) with spatial dims, got "
                         f"{list(input.shape)}")
    n, c = input.shape[0], input.shape[1]
    if use_input_stats and input.numel() // (n * c) <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    folded = input.reshape(1, n * c, *input.shape[2:])
    # The running statistics are per channel: repeat them per sample, then average the updates back.
    rm = None if running_mean is None else Tensor._make(np.tile(running_mean._data, n))
    rv = None if running_var is None else Tensor._make(np.tile(running_var._data, n))
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    out = batch_norm(folded, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats and running_mean is not None:
        running_mean._data[...] = rm._data.reshape(n, c).mean(axis=0)
        running_var._data[...] = rv._data.reshape(n, c).mean(axis=0)
        running_mean._bump_version()
        running_var._bump_version()
    return out.view(input.shape)


__all__ += ["rms_norm"]


class RMSNorm(NumpyFunction):
    """Root-mean-square normalisation over the last ``k`` axes: no mean subtracted, no bias.

        r = 1 / sqrt(mean(x^2) + eps)   (one per sample),   y = x * r * weight
    Backward, with g = dL/dy * weight and n the number of normalised elements (r depends on every x_j:
    dr/dx_j = -r^3 x_j / n):
        dL/dx = r * g - r^3 * x * mean(g * x)        dL/dweight = dL/dy * x * r (summed over leading axes)
    """

    node_name = "MulBackward0"  # PyTorch composes rms_norm of elementwise ops; its last one is a mul

    @staticmethod
    def forward(ctx, x, weight, k, eps):
        axes = tuple(range(x.ndim - k, x.ndim))
        r = (1 / np.sqrt((x * x).mean(axis=axes, keepdims=True) + eps)).astype(x.dtype, copy=False)
        ctx.r, ctx.axes = r, axes
        ctx.save_for_backward(x, weight)
        out = x * r
        return out if weight is None else out * weight

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        r, axes = ctx.r, ctx.axes
        grad_x = grad_w = None
        if ctx.needs_input_grad[0]:
            g = grad if weight is None else grad * weight
            grad_x = r * g - r ** 3 * x * (g * x).mean(axis=axes, keepdims=True)
        if weight is not None and ctx.needs_input_grad[1]:
            grad_w = grad * x * r
        return grad_x, grad_w, None, None


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) * weight over the trailing ``normalized_shape`` axes; eps defaults to the
    machine epsilon of the input's dtype (``torch.finfo(dtype).eps``), as in PyTorch."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.dim() < k or tuple(input.shape[input.dim() - k:]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*{', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(normalized_shape)}")
    if eps is None:
        eps = float(np.finfo(input.dtype.to_numpy()).eps)
    return RMSNorm.apply(input, weight, k, float(eps))
