"""Normalisation layers: BatchNorm1d/2d, LayerNorm, GroupNorm, InstanceNorm1d/2d.

BatchNorm behaves differently in training and evaluation (``model.train()`` / ``model.eval()``):
training normalises with the statistics of the current batch and updates the running estimates;
evaluation normalises with the running estimates, so one sample's output does not depend on the rest of
its batch.
"""
from __future__ import annotations

import warnings

from ... import _dtype
from ...ops.creation import empty, ones, tensor, zeros
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "GroupNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LayerNorm",
]


class _NormBase(Module):
    """What BatchNorm and InstanceNorm share: the affine parameters and the running statistics."""

    _version = 2  # the state_dict format with num_batches_tracked

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = Parameter(empty(num_features, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty(num_features, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype, device=device))
            self.register_buffer("running_var", ones(num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=_dtype.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input) -> None:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        # momentum=None means a cumulative average: after the k-th batch the running mean is the plain
        # mean of the k batch means, i.e. an exponential average with factor 1/k.
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        # Batch statistics in training, and in eval too when there are no running estimates.
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        # The running estimates are passed only when they are to be used or updated.
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    r"""Batch normalisation of a 2-D (N, C) or 3-D (N, C, L) input: per channel,

        y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta

    with the mean and (biased) variance over the batch (and L) in training; the running estimates
    running = (1 - momentum) * running + momentum * batch_stat (variance unbiased) are used in eval.

    Args:
        num_features: C
        eps: added to the variance for numerical stability. Default: 1e-5
        momentum: the running estimates' update factor; ``None`` for a cumulative average. Default: 0.1
        affine: learn gamma (weight, init 1) and beta (bias, init 0). Default: ``True``
        track_running_stats: keep running estimates (else batch statistics are used in eval too).
            Default: ``True``

    Shape: Input (N, C) or (N, C, L); Output the same shape.

    Examples::
        >>> m = nn.BatchNorm1d(100)
        >>> m(torch.randn(20, 100)).size()
        torch.Size([20, 100])
    """

    def _check_input_dim(self, input) -> None:
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    r"""Batch normalisation of an (N, C, H, W) input: statistics per channel over N, H and W.

    Args: as BatchNorm1d.  Shape: Input (N, C, H, W); Output the same shape.

    Examples::
        >>> m = nn.BatchNorm2d(100, affine=False)
        >>> m(torch.randn(20, 100, 35, 45)).size()
        torch.Size([20, 100, 35, 45])
    """

    def _check_input_dim(self, input) -> None:
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    r"""Batch normalisation of an (N, C, D, H, W) input (volumes, videos): statistics per channel over N, D, H
    and W. Args: as BatchNorm1d.  Shape: Input (N, C, D, H, W); Output the same shape.

    Examples::
        >>> nn.BatchNorm3d(100)(torch.randn(20, 100, 35, 45, 10)).size()
        torch.Size([20, 100, 35, 45, 10])
    """

    def _check_input_dim(self, input) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class _InstanceNorm(_NormBase):
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    _no_batch_dim = 0  # the number of dims of an input without a batch dim

    def _apply_instance_norm(self, input):
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        d = self._no_batch_dim
        if input.dim() not in (d, d + 1):
            raise ValueError(f"expected {d}D or {d + 1}D input (got {input.dim()}D input)")
        feature_dim = input.dim() - d
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.size(feature_dim)}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence "
                          "this warning by not passing in num_features, which is not used because "
                          "affine=False", stacklevel=2)
        if input.dim() == d:  # no batch dim: add one
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of an (N, C, L) or (C, L) input: each channel of each sample normalised
    over L. By default no affine parameters and no running statistics (affine, track_running_stats)."""

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of an (N, C, H, W) or (C, H, W) input: each channel of each sample
    normalised over its H x W positions (as used in style transfer). By default no affine parameters
    and no running statistics.

    Args: num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False.
    Shape: Input (N, C, H, W) or (C, H, W); Output the same shape.
    """

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of an (N, C, D, H, W) or (C, D, H, W) input: each channel of each sample
    normalised over its D x H x W positions. By default no affine parameters and no running statistics."""

    _no_batch_dim = 4


class LayerNorm(Module):
    r"""Layer normalisation over the last ``len(normalized_shape)`` dims of each sample:

        y = (x - E[x]) / sqrt(Var[x] + eps) * gamma + beta

    The same in training and eval (no running statistics), hence the norm of transformers.

    Args:
        normalized_shape: the trailing shape to normalise over (an int for the last dim)
        eps: Default: 1e-5
        elementwise_affine: learn gamma (init 1) and beta (init 0) of shape normalized_shape. Default: True
        bias: learn beta too. Default: ``True``

    Shape: Input (N, *), Output (N, *), the same.

    Examples::
        >>> nn.LayerNorm(10)(torch.randn(20, 5, 10)).size()
        torch.Size([20, 5, 10])
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if self.elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty(self.normalized_shape, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    r"""Group normalisation: the channels are split into ``num_groups`` groups, each normalised over its
    channels and spatial positions, per sample; then a per-channel affine map. Independent of the batch
    size (unlike BatchNorm), so it works with tiny batches.

    Args:
        num_groups: number of groups (must divide num_channels)
        num_channels: C
        eps: Default: 1e-5
        affine: learn per-channel weight (init 1) and bias (init 0). Default: ``True``

    Shape: Input (N, C, *), Output the same.

    Examples::
        >>> nn.GroupNorm(3, 6)(torch.randn(20, 6, 10, 10)).size()
        torch.Size([20, 6, 10, 10])
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if self.affine:
            self.weight = Parameter(empty(num_channels, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty(num_channels, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


__all__ += ["RMSNorm"]


class RMSNorm(Module):
    r"""Root-mean-square layer normalisation over the last ``len(normalized_shape)`` dims of each sample:

        y = x / sqrt(mean(x^2) + eps) * weight

    LayerNorm without the mean subtraction and without the bias: cheaper, and what many recent language
    models use.

    Args:
        normalized_shape: the trailing shape to normalise over (an int for the last dim)
        eps: added to the mean square; ``None`` means the machine epsilon of the input's dtype. Default: None
        elementwise_affine: learn a per-element ``weight`` (initialised to ones). Default: ``True``

    Shape: Input (N, *), Output the same shape.

    Examples::
        >>> rms = nn.RMSNorm([2, 3])
        >>> rms(torch.randn(2, 2, 3)).shape
        torch.Size([2, 2, 3])
    """

    def __init__(self, normalized_shape, eps: float | None = None, elementwise_affine: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
