"""``torch.nn.functional``: the layers as plain functions, with PyTorch's signatures.

A module holds parameters and calls one of these in its ``forward``: ``nn.Linear(3, 4)(x)`` is
``F.linear(x, weight, bias)``. Each function checks its arguments and then either calls a fused op from
``edutorch/ops`` (when PyTorch's grad_fn name, numerical stability or speed ask for one) or composes
differentiable tensor ops (then the gradient comes for free).

``inplace=True`` computes the result out of place and writes it into the input (``Tensor._inplace``,
see ops/inplace.py), exactly like the tensor methods ``relu_``, ``add_``...
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..ops import activation as _act
from ..ops.activation import implicit_softmax_dim
from ..ops.attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: F401
from ..ops.conv import (  # noqa: F401  (convolution, unfold/fold, pad)
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    fold,
    pad,
    unfold,
)
from ..ops.indexing import Embedding, EmbeddingBag
from ..ops.linalg import Addmm
from ..ops.loss import (  # noqa: F401  (the losses)
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cross_entropy,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    margin_ranking_loss,
    mse_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from ..ops.normalization import batch_norm, group_norm, instance_norm, layer_norm, rms_norm  # noqa: F401
from ..ops.pooling import (  # noqa: F401  (pooling, interpolate)
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d,
    adaptive_max_pool2d_with_indices,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    interpolate,
    lp_pool1d,
    lp_pool2d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool2d_with_indices,
    max_pool3d,
    max_pool3d_with_indices,
    max_unpool1d,
    max_unpool2d,
    pixel_shuffle,
    pixel_unshuffle,
)
from .. import random as _random


def _apply(input: Tensor, result: Tensor, inplace: bool) -> Tensor:
    """Return ``result``, or write it into ``input`` for the ``inplace=True`` forms."""
    return input._inplace(result) if inplace else result


# ====================================================================== linear layers
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b on the last dim of x: (*, in) @ (out, in)^T -> (*, out).

    Any leading dims are folded into one batch dim (a view), multiplied, and unfolded again."""
    if input.dim() == 0 or weight.dim() not in (1, 2):
        return input.matmul(weight.t()) + (0 if bias is None else bias)  # matmul's checks and errors
    wt = weight.t()
    if weight.dim() == 1 or bias is None:
        out = input.matmul(wt)
        return out if bias is None else out + bias
    if input.shape[-1] != wt.shape[0]:
        rows = input.numel() // input.shape[-1] if input.shape[-1] else 0
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
                           f"{wt.shape[0]}x{wt.shape[1]}): input's last dim must equal in_features")
    if tuple(bias.shape) not in ((), (1,), (wt.shape[1],)):
        raise RuntimeError(f"The expanded size of the tensor ({wt.shape[1]}) must match the existing size "
                           f"({bias.shape[-1]}) at non-singleton dimension 1.  Target sizes: "
                           f"[{input.numel() // input.shape[-1]}, {wt.shape[1]}].  Tensor sizes: "
                           f"{list(bias.shape)}")
    if input.dtype is not weight.dtype or bias.dtype is not weight.dtype:
        other = bias if input.dtype is weight.dtype else input
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{other.dtype._c_name} and "
                           f"{weight.dtype._c_name}")
    if input.dim() == 2:
        return Addmm.apply(bias, input, wt)
    rows = input.reshape(-1, input.shape[-1])  # fold (*, in) into (N, in): a view, as in PyTorch
    return Addmm.apply(bias, rows, wt).view(*input.shape[:-1], wt.shape[1])




def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T A_k x2 + b_k for each output k:  (*, in1), (*, in2), A: (out, in1, in2) -> (*, out)."""
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be a 3-d tensor (out, in1, in2), got {list(weight.shape)}")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
                           f"and {list(input2.shape[:-1])}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} "
                           f"but expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} "
                           f"but expected {weight.shape[2]}")
    from ..ops.linalg import einsum

    out = einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias


# ====================================================================== activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return _apply(input, _act.relu(input), inplace)


def relu_(input: Tensor) -> Tensor:
    return relu(input, inplace=True)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val), with gradient 1 strictly between them."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input.dtype is _dtype.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if input.dtype is _dtype.uint8 and min_val < 0:
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    return _apply(input, _act.Hardtanh.apply(input, min_val, max_val), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh(x, 0, 6), as PyTorch computes it (HardtanhBackward0)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    _act._check_float("leaky_relu_cpu", input)
    if inplace:
        return input._inplace(_act.LeakyReluInplace.apply(input, negative_slope))
    return _act.LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def _elu(input: Tensor, alpha: float, scale: float, input_scale: float, inplace: bool, cls, inplace_cls):
    _act._check_float("elu_cpu", input)
    if inplace:
        return input._inplace(inplace_cls.apply(input, alpha, scale, input_scale))
    return cls.apply(input, alpha, scale, input_scale)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x) - 1)."""
    return _elu(input, alpha, 1.0, 1.0, inplace, _act.Elu, _act.EluInplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


# SELU's constants (Klambauer et al. 2017): they make zero-mean, unit-variance activations a fixed point.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with SELU's fixed alpha = 1.6733 and scale = 1.0507."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace, _act.Elu, _act.EluInplace)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _elu(input, alpha, 1.0, 1.0 / alpha, inplace, _act.Celu, _act.CeluInplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (Phi: the standard normal CDF); approximate='tanh' uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _act._check_float("GeluKernelImpl", input)
    return _act.Gelu.apply(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    _act._check_float("silu_cpu", input)
    return _apply(input, _act.Silu.apply(input), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    _act._check_float("mish_cpu", input)
    return _apply(input, _act.Mish.apply(input), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6: a piecewise-linear sigmoid."""
    _act._check_float("hardsigmoid_cpu", input)
    return _apply(input, _act.Hardsigmoid.apply(input), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6: a piecewise version of silu."""
    _act._check_float("hardswish_cpu", input)
    return _apply(input, _act.Hardswish.apply(input), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, a smooth relu (x itself where beta * x > threshold)."""
    _act._check_float("softplus_cpu", input)
    return _act.Softplus.apply(input, beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def _threshold(input: Tensor, threshold: float, value: float, inplace: bool) -> Tensor:
    if inplace:
        return input._inplace(_act.ThresholdInplace.apply(input, threshold, value))
    return _act.Threshold.apply(input, threshold, value)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    return _threshold(input, threshold, value, inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _threshold(input, threshold, value, inplace=True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else weight * x, weight holding one slope, or one per channel (dim 1)."""
    channels = input.shape[1] if input.dim() >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers "
                           f"= {weight.numel()} and channel size = {channels}.")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {input.dtype._c_name} and "
                           f"{weight.dtype._c_name}")
    return _act.PreluKernel.apply(input, weight)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return _act.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return _act.tanh(input)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed without overflow."""
    return _act.LogSigmoid.apply(input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    return _act.Hardshrink.apply(input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    return _act.Softshrink.apply(input, lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: split x in halves a, b along dim; a * sigmoid(b)."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}")
    return _act.Glu.apply(input, dim % input.dim())


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (computed stably)."""
    if dim is None:
        dim = implicit_softmax_dim("softmax", input.dim(), _stacklevel + 1)
    return _act.softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim``, without softmax's underflow."""
    if dim is None:
        dim = implicit_softmax_dim("log_softmax", input.dim(), _stacklevel + 1)
    return _act.log_softmax(input, dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x): large weights on the smallest entries."""
    if dim is None:
        dim = implicit_softmax_dim("softmin", input.dim(), _stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    _act._check_float("softmax_lastdim_kernel_impl", input)
    return _act.softmax(-input, dim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)
    result = input / denom
    if out is not None:
        return out.copy_(result)
    return result


# ====================================================================== dropout
def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input: Tensor, shape: tuple, p: float) -> Tensor:
    """A 0/1 mask of ``shape`` (1 with probability 1 - p), from the global generator, scaled by 1/(1-p)
    so the expected value of the output equals the input: E[mask] = (1 - p) / (1 - p) = 1.

    Drawn as PyTorch's CPU dropout draws it: ``noise.bernoulli_(1 - p)`` then ``noise.div_(1 - p)``,
    so the same seed drops the same units."""
    dtype = input._data.dtype if input.dtype.is_floating_point else _dtype.get_default_dtype().to_numpy()
    if p == 1:  # PyTorch multiplies by zeros without drawing
        return Tensor._make(np.zeros(shape, dtype=dtype))
    keep = _bernoulli_keep(shape, p)
    return Tensor._make(keep.astype(dtype) / dtype.type(1.0 - p))


def _bernoulli_keep(shape: tuple, p: float) -> np.ndarray:
    """Which units survive dropout: ``bernoulli_(1 - p)`` on a tensor of ``shape`` (a bool array)."""
    return _random._sample_bernoulli_scalar(_random._gen(None), math.prod(shape), 1.0 - p).reshape(shape)


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, mask_shape: tuple) -> Tensor:
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    mask = _keep_mask(input, mask_shape, p)
    return input.mul_(mask) if inplace else input * mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (in training only)."""
    return _dropout(input, p, training, inplace, tuple(input.shape))


def _feature_mask_shape(input: Tensor, batched: bool) -> tuple:
    """One mask value per channel: (N, C, 1, ..., 1), or (C, 1, ..., 1) without a batch dim."""
    lead = 2 if batched else 1
    return tuple(input.shape[:lead]) + (1,) * (input.dim() - lead)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of an (N, C, L) or (C, L) input with probability p; scale the rest."""
    _check_p(p)
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
            "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _dropout(input, p, training, inplace, _feature_mask_shape(input, input.dim() == 3))


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels (feature maps) of an (N, C, H, W) input with probability p; scale the rest."""
    _check_p(p)
    if input.dim() not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated and will result "
            "in an error in a future release. To retain the behavior and silence this warning, please use "
            "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
            "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
            "inputs).", stacklevel=2)
    if input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
            "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
            "will change in a future release to interpret the input as one without a batch dimension, i.e. "
            "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
            "dropout1d instead.", stacklevel=2)
    return _dropout(input, p, training, inplace, _feature_mask_shape(input, input.dim() > 1))


# SELU's negative saturation value -scale * alpha: alpha dropout drops to it, not to 0.
_ALPHA_DROP = _SELU_ALPHA * _SELU_SCALE


def _alpha_dropout(input: Tensor, p: float, training: bool, inplace: bool, mask_shape: tuple) -> Tensor:
    """Dropped units are set to -alpha' = -1.7581 (SELU's saturation), then an affine map a * x + b
    restores zero mean and unit variance:  a = 1 / sqrt((alpha'^2 p + 1)(1 - p)),  b = alpha' a p."""
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        zeros = Tensor._make(np.zeros((), dtype=input._data.dtype))
        return input.mul_(zeros) if inplace else input * zeros
    keep = _bernoulli_keep(tuple(mask_shape), p).astype(input._data.dtype)
    a = 1.0 / math.sqrt((_ALPHA_DROP ** 2 * p + 1) * (1 - p))
    b = Tensor._make(((keep - 1) * (_ALPHA_DROP * a) + _ALPHA_DROP * a * p).astype(input._data.dtype))
    scale = Tensor._make((keep * a).astype(input._data.dtype))
    if inplace:
        return input.mul_(scale).add_(b)
    return input * scale + b


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for self-normalising (SELU) networks: keeps the mean and variance of the activations."""
    return _alpha_dropout(input, p, training, inplace, tuple(input.shape))


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """alpha_dropout of whole channels."""
    return _alpha_dropout(input, p, training, inplace, _feature_mask_shape(input, input.dim() > 1))


# ====================================================================== embedding
def _embedding_renorm_(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale (in place, without recording) every looked-up row whose norm exceeds max_norm."""
    rows = np.unique(indices)
    norms = np.linalg.norm(weight._data[rows].astype(np.float64), ord=norm_type, axis=1)
    too_big = norms > max_norm
    if too_big.any():
        scale = (max_norm / (norms[too_big] + 1e-7)).astype(weight._data.dtype)
        weight._data[rows[too_big]] *= scale[:, None]
        weight._bump_version()


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, dim) at the integer ``input`` indices."""
    if input.dtype._name not in ("int64", "int32"):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {input.dtype} instead (while checking arguments for embedding)")
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D, got {list(weight.shape)}")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < num, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -num, "Padding_idx must be within num_embeddings"
            padding_idx = num + padding_idx
    indices = input._data.astype(np.int64, copy=False)
    if indices.size and (indices.min() < 0 or indices.max() >= num):
        bad = indices[(indices < 0) | (indices >= num)][0]
        raise IndexError(f"index out of range in self (index {bad} for an embedding of {num} rows)")
    if max_norm is not None:
        with grad_mode.no_grad():
            _embedding_renorm_(weight, indices, max_norm, norm_type)
    return Embedding.apply(weight, indices, padding_idx, bool(scale_grad_by_freq))


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of bags of embedding rows, without building the (N, D) lookup: (B, D).

    A 2-D input (B, L) is B bags of L indices; a 1-D input is cut into bags at ``offsets`` (the start of
    each bag; with include_last_offset, offsets also ends with len(input)). See ops.indexing.EmbeddingBag.
    """
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        offsets_np = np.arange(0, input.numel(), input.shape[1])
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offsets_np = offsets._data.astype(np.int64)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if input.dtype._name not in ("int64", "int32"):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got torch.{input.dtype._c_name}Tensor instead (while checking arguments for embedding_bag)")
    num, n = weight.shape[0], input.shape[0]
    indices = input._data.astype(np.int64, copy=False)
    bad = np.flatnonzero((indices < 0) | (indices >= num))
    if bad.size:
        raise RuntimeError(f"Index {bad[0]} of input takes value {indices[bad[0]]} which is not in the valid range "
                           f"[0, {num})")
    if max_norm is not None:
        with grad_mode.no_grad():
            _embedding_renorm_(weight, indices, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if per_sample_weights is not None and per_sample_weights.dtype is not weight.dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as tensor for argument "
                           f"#1 'per_sample_weights'; but type torch.{weight.dtype._c_name}Tensor does not equal "
                           f"torch.{per_sample_weights.dtype._c_name}Tensor (while checking arguments for "
                           "embedding_bag)")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, -{num} through {num - 1}, but "
                               f"got {padding_idx}")
        padding_idx %= num
    if offsets_np.size and offsets_np[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {offsets_np[0]}\n[ torch.LongTensor{{}} ]")
    if offsets_np.size and offsets_np[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of "
                           f"{offsets_np[-1]}")
    starts, end = (offsets_np[:-1], offsets_np[-1]) if include_last_offset else (offsets_np, n)
    # entry i belongs to the last bag that starts at or before it (repeated offsets: empty bags)
    position = np.arange(n)
    bag = np.where(position < end, np.searchsorted(starts, position, side="right") - 1, -1)
    return EmbeddingBag.apply(weight, per_sample_weights, indices, bag, len(starts), mode, padding_idx,
                              bool(scale_grad_by_freq))


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor of shape (*, num_classes) with a 1 at each index."""
    if tensor.dtype._name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    idx = tensor._data
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((idx[..., None] == np.arange(num_classes)).astype(np.int64))


# ====================================================================== distances
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``.

    Each input is divided by its norm first, as PyTorch does, which keeps the result within [-1, 1].
    The eps clamp is applied without recording (so it does not cut the gradient), as in PyTorch."""
    x1, x2 = x1.broadcast_to(_broadcast(x1, x2)), x2.broadcast_to(_broadcast(x1, x2))
    n1 = x1.norm(2, dim, keepdim=True).clone()
    n2 = x2.norm(2, dim, keepdim=True).clone()
    with grad_mode.no_grad():
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _broadcast(x1: Tensor, x2: Tensor) -> tuple:
    from ..ops.arithmetic import broadcast_shapes

    return broadcast_shapes(x1.shape, x2.shape)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p along the last dim (eps keeps the gradient finite when x1 == x2)."""
    last = max(x1.dim(), x2.dim()) - 1
    return (x1 - x2 + eps).norm(p, last, keepdim=keepdim)
