"""Loss functions: ``torch.nn.functional``'s losses, each with PyTorch's signature.

A loss compares a prediction (``input``) with a ``target`` elementwise (or per sample), then reduces:
``reduction='none'`` keeps one loss per element/sample, ``'mean'`` averages them, ``'sum'`` adds them.
The old ``size_average`` / ``reduce`` booleans still work and map to a reduction, with PyTorch's warning.

Losses PyTorch computes in one fused kernel (its ``grad_fn`` is ``MseLossBackward0``,
``NllLossBackward0``, ...) are ``NumpyFunction`` classes here, with the reduction inside the op; the
others are composed from differentiable tensor ops, exactly as PyTorch composes them, so their gradients
come for free. ``cross_entropy`` is ``log_softmax`` followed by ``nll_loss``, as in PyTorch.

Extreme logits (±1e4) stay finite: every ``log(1 + exp(z))`` is written as
``max(z, 0) + log1p(exp(-|z|))``, which never overflows.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import NumpyFunction
from .activation import log_softmax
from .arithmetic import broadcast_shapes, where
from .reduction import norm

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_embedding_loss", "cross_entropy",
    "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss", "kl_div", "l1_loss", "margin_ranking_loss",
    "mse_loss", "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "nll_loss",
    "poisson_nll_loss", "smooth_l1_loss", "soft_margin_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


# ---------------------------------------------------------------------------------- reductions
def _legacy_reduction(size_average, reduce) -> str:
    """PyTorch's mapping of the deprecated flags: both true -> 'mean', reduce only -> 'sum', else 'none'."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = "mean" if (size_average and reduce) else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{result}' "
                  "instead.", UserWarning, stacklevel=4)
    return result


def _get_reduction(reduction: str, size_average=None, reduce=None) -> str:
    """The reduction to apply: the legacy arguments win when given; anything else is a ValueError."""
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce_array(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Reduce the elementwise loss inside a fused op (mean of nothing is nan, as in PyTorch)."""
    if reduction == "none":
        return loss
    with np.errstate(invalid="ignore", divide="ignore"):
        total = loss.sum(dtype=loss.dtype)
        return np.asarray(total / loss.size if reduction == "mean" else total, dtype=loss.dtype)


def _unreduce_grad(grad: np.ndarray, shape: tuple, reduction: str) -> np.ndarray:
    """Gradient of the reduced loss w.r.t. each elementwise loss: grad itself, or spread (and / n)."""
    if reduction == "none":
        return grad
    n = int(np.prod(shape))
    return np.broadcast_to(grad / n if reduction == "mean" else grad, shape)


def _reduce_tensor(loss: Tensor, reduction: str) -> Tensor:
    """Reduce a composed loss with tensor ops (so grad_fn is MeanBackward0 / SumBackward0)."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_float(name: str, *tensors: Tensor) -> None:
    for t in tensors:
        if not t.dtype.is_floating_point:
            raise NotImplementedError(
                f"{name} is not implemented for '{t.dtype._c_name}' tensors: losses need floating "
                "point predictions; convert with .float()")


def _warn_size(input: Tensor, target: Tensor) -> tuple:
    """Regression losses broadcast a differently shaped target, with PyTorch's warning; returns the shape."""
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3)
    return broadcast_shapes(input.shape, target.shape)  # RuntimeError naming both shapes if impossible


def _common_float(kernel: str, input: Tensor, target: Tensor) -> np.dtype:
    """The dtype input and target are promoted to (an int input with a float target is fine, as in
    PyTorch); two integer tensors have no floating point kernel: PyTorch's error, plus the fix."""
    dtype = _dtype.result_type(input, target)
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype._c_name}\': losses need '
                                  "floating point values; convert the prediction with .float()")
    return dtype.to_numpy()


def _elementwise_weight(loss: Tensor, weight, input: Tensor, reduction: str) -> Tensor:
    """PyTorch 2.x's optional ``weight`` of mse/l1/huber: scale each element; 'mean' divides by sum(w)."""
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError(f"Weights and input must have the same size. (weight: {list(weight.shape)}, "
                         f"input: {list(input.shape)})")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce_tensor(loss, reduction)


# ------------------------------------------------------------------------------ regression losses
class MseLoss(NumpyFunction):
    """loss_i = (x_i - y_i)^2, then reduced.   d/dx_i = 2 (x_i - y_i) * g_i,  d/dy_i = -d/dx_i
    (g_i is the output gradient spread back through the reduction: g / n for 'mean')."""

    @staticmethod
    def forward(ctx, input, target, reduction, dtype):
        diff = input.astype(dtype, copy=False) - target.astype(dtype, copy=False)
        ctx.diff, ctx.reduction = diff, reduction
        ctx.save_for_backward(input, target)  # as PyTorch: changing them in place before backward is an error
        return _reduce_array(diff * diff, reduction)

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - unpacking checks that input and target were not changed in place
        g = 2 * ctx.diff * _unreduce_grad(grad, ctx.diff.shape, ctx.reduction)
        return g, -g, None, None


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """Mean squared error: mean((input - target)^2)."""
    reduction = _get_reduction(reduction, size_average, reduce)
    _warn_size(input, target)
    dtype = _common_float("mse_cpu", input, target)
    if weight is not None:
        return _elementwise_weight((input - target) ** 2, weight, input, reduction)
    return MseLoss.apply(input, target, reduction, dtype)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """Mean absolute error: mean(|input - target|). Composed (abs, then mean/sum), as in PyTorch."""
    reduction = _get_reduction(reduction, size_average, reduce)
    _warn_size(input, target)
    loss = (input - target).abs()
    if weight is not None:
        return _elementwise_weight(loss, weight, input, reduction)
    return _reduce_tensor(loss, reduction)


class SmoothL1Loss(NumpyFunction):
    """With d = x - y:  loss = 0.5 d^2 / beta  where |d| < beta,  else |d| - 0.5 beta.
    Quadratic near 0 (a smooth minimum), linear far away (gradients bounded by 1: robust to outliers).
    d/dx = d / beta inside, sign(d) outside;  d/dy = -d/dx."""

    @staticmethod
    def forward(ctx, input, target, reduction, beta, dtype):
        d = input.astype(dtype, copy=False) - target.astype(dtype, copy=False)
        ctx.d, ctx.reduction, ctx.beta = d, reduction, beta
        ad = np.abs(d)
        loss = np.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta).astype(dtype, copy=False)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        d, beta = ctx.d, ctx.beta
        local = np.where(np.abs(d) < beta, d / beta, np.sign(d)).astype(d.dtype, copy=False)
        g = local * _unreduce_grad(grad, d.shape, ctx.reduction)
        return g, -g, None, None, None


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Smooth L1: quadratic for |input - target| < beta, linear beyond. beta=0 is l1_loss."""
    _warn_size(input, target)
    reduction = _get_reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta (got beta={beta}).")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    dtype = _common_float("smooth_l1_cpu", input, target)
    return SmoothL1Loss.apply(input, target, reduction, float(beta), dtype)


class HuberLoss(NumpyFunction):
    """With d = x - y:  loss = 0.5 d^2  where |d| <= delta,  else delta (|d| - 0.5 delta).
    (= delta * smooth_l1 with beta = delta.)   d/dx = d inside, delta * sign(d) outside;  d/dy = -d/dx."""

    @staticmethod
    def forward(ctx, input, target, reduction, delta, dtype):
        d = input.astype(dtype, copy=False) - target.astype(dtype, copy=False)
        ctx.d, ctx.reduction, ctx.delta = d, reduction, delta
        ad = np.abs(d)
        loss = np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta)).astype(dtype, copy=False)
        return _reduce_array(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.d
        local = np.clip(d, -ctx.delta, ctx.delta).astype(d.dtype, copy=False)
        g = local * _unreduce_grad(grad, d.shape, ctx.reduction)
        return g, -g, None, None, None


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight=None) -> Tensor:
    """Huber loss: quadratic for |input - target| <= delta, then linear with slope delta."""
    _warn_size(input, target)
    reduction = _get_reduction(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta (got delta={delta}).")
    _check_float("huber_loss", input)
    dtype = input._data.dtype  # unlike mse, PyTorch's huber_loss keeps the input's dtype
    if weight is not None:  # unlike mse/l1, PyTorch's weighted huber 'mean' is a plain mean
        loss = _elementwise_weight(HuberLoss.apply(input, target, "none", float(delta), dtype), weight,
                                   input, "none")
        return _reduce_tensor(loss, reduction)
    return HuberLoss.apply(input, target, reduction, float(delta), dtype)


# ---------------------------------------------------------------------------- classification
class NllLoss(NumpyFunction):
    """Negative log likelihood of the target class: loss_i = -w[y_i] * x[i, y_i]  (x holds log-probs).

    Shapes: x (N, C) or (N, C, d1, ...), y (N,) or (N, d1, ...) class indices; a (C,) input with a 0-d
    target is one sample. Targets equal to ``ignore_index`` give 0 and count for nothing.
    'mean' is the *weighted* mean  sum_i loss_i / sum_i w[y_i]  (over non-ignored i).

    Gradient: only the picked entries depend on x:  d loss / d x[i, y_i] = -w[y_i] * g_i  (g_i is the
    output gradient, divided by sum_i w[y_i] for 'mean'); every other entry gets 0.
    """

    @staticmethod
    def forward(ctx, input, target, weight, reduction, ignore_index):
        x = input[None] if input.ndim == 1 else input  # one sample: a batch of one
        t = target.reshape((1,) + target.shape) if input.ndim == 1 else target
        keep = t != ignore_index
        safe = np.where(keep, t, 0).astype(np.int64)[:, None]  # ignored positions pick class 0 ...
        w = weight.astype(x.dtype)[safe[:, 0]] if weight is not None else np.ones(t.shape, x.dtype)
        w = np.where(keep, w, 0).astype(x.dtype)  # ... with weight 0
        # take_along_axis on the class dim picks x[i, y_i, d1, ...] for every position at once.
        loss = -w * np.take_along_axis(x, safe, axis=1)[:, 0]
        ctx.shape, ctx.safe, ctx.w, ctx.keep, ctx.reduction = x.shape, safe, w, keep, reduction
        ctx.input_shape = input.shape
        ctx.save_for_backward(input, target, weight)  # as PyTorch: in-place changes before backward are errors
        if reduction == "none":
            return loss.reshape(target.shape)
        total = loss.sum(dtype=x.dtype)
        if reduction == "sum":
            return np.asarray(total)
        ctx.total_weight = w.sum(dtype=x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # all targets ignored: 0 / 0 = nan
            return np.asarray(total / ctx.total_weight, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - unpacking checks that input, target and weight were not changed
        g = np.asarray(grad).reshape(ctx.w.shape) if ctx.reduction == "none" else np.asarray(grad)
        with np.errstate(invalid="ignore", divide="ignore"):
            if ctx.reduction == "mean":
                g = g / ctx.total_weight
            # An ignored target takes no part in the loss, so its row gets exactly 0, even when every
            # target is ignored and the mean is 0/0 (as PyTorch: a nan loss, but zero gradients).
            picked = np.where(ctx.keep, -ctx.w * g, 0).astype(ctx.w.dtype)
        grad_input = np.zeros(ctx.shape, dtype=ctx.w.dtype)
        np.put_along_axis(grad_input, ctx.safe, picked[:, None], axis=1)
        return grad_input.reshape(ctx.input_shape), None, None, None, None


class NllLoss2d(NllLoss):
    """The same loss for inputs with spatial dims (N, C, d1, ...): PyTorch's NllLoss2DBackward0 node."""

    node_name = "NllLoss2DBackward0"


def _check_target_dtype(target: Tensor) -> None:
    if target.dtype not in (_dtype.int64, _dtype.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {target.dtype._c_name}: class-index "
            "targets are int64 (use target.long())"
            + ("; a float target means class probabilities, of the input's shape" if
               target.dtype.is_floating_point else ""))


def _check_class_weight(weight, n_classes: int, prefix: str = "") -> None:
    if weight is not None and (weight.dim() != 1 or weight.numel() != n_classes):
        raise RuntimeError(
            f"{prefix}weight tensor should be defined either for all {n_classes} classes or no classes but "
            f"got weight tensor of shape: {list(weight.shape)}")


def _check_nll_args(input: Tensor, target: Tensor, weight, ignore_index: int) -> None:
    """PyTorch's checks, in its order: dims, batch size, target shape, target dtype, weight, bounds."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() != 1 and (target.dim() == 0 or input.shape[0] != target.shape[0]):
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.dim() else 0}).")
    expected = () if input.dim() == 1 else (input.shape[0],) + tuple(input.shape[2:])
    if input.dim() == 1 and target.dim() == 1:  # PyTorch: one sample may have a (1,) target; dtype first
        _check_target_dtype(target)
        if target.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
        expected = (1,)
    if tuple(target.shape) != expected:
        if input.dim() <= 2:
            raise RuntimeError(
                f"0D or 1D target tensor expected, multi-target not supported: input of shape "
                f"{list(input.shape)} needs a target of shape {list(expected)}, got {list(target.shape)}")
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)} "
                           f"(input of shape {list(input.shape)})")
    _check_target_dtype(target)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"nll_loss not implemented for '{input.dtype._c_name}': the input "
                                  "holds log-probabilities, a floating point tensor")
    n_classes = input.shape[0 if input.dim() == 1 else 1]
    _check_class_weight(weight, n_classes)
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {input.dtype._c_name} but found {weight.dtype._c_name} "
                           f"(the class weights must have the input's dtype: pass weight.to({input.dtype}))")
    t = target._data.astype(np.int64)
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad].flat[0]} is out of bounds. (the input has {n_classes} classes, so "
                         f"targets must lie in [0, {n_classes - 1}] or equal ignore_index={ignore_index})")


def nll_loss(input: Tensor, target: Tensor, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log likelihood: -input[i, target[i]] averaged (weighted by ``weight[target[i]]``)."""
    reduction = _get_reduction(reduction, size_average, reduce)
    _check_nll_args(input, target, weight, ignore_index)
    target = target.reshape(()) if input.dim() == 1 else target  # a (1,) target of one sample
    # Tensors, not arrays, so the node saves them with their versions (detach: weight is not differentiated)
    w = None if weight is None else weight.detach()
    if input.dim() <= 2:
        return NllLoss.apply(input, target, w, reduction, ignore_index)
    if input.dim() == 4 or reduction != "none":
        return NllLoss2d.apply(input, target, w, reduction, ignore_index)
    # PyTorch runs 3-d and 5-d+ inputs through its 4-d kernel and views the result back.
    n, c = input.shape[0], input.shape[1]
    as_4d = input.reshape(n, c, input.shape[2], -1)
    loss = NllLoss2d.apply(as_4d, target._data.reshape(as_4d.shape[0], *as_4d.shape[2:]), w, reduction,
                           ignore_index)
    return loss.view(tuple(target.shape))


def _label_smoothing_term(logp: Tensor, target: Tensor, weight, ignore_index: int, reduction: str,
                          class_dim: int) -> Tensor:
    """The uniform part of a label-smoothed loss: -sum_c w_c logp_c per sample (0 where ignored)."""
    if weight is not None:
        shape = [1] * logp.dim()
        shape[class_dim] = -1
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignored = target == ignore_index
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        keep = ~ignored
        denom = (weight[target[keep]].sum() if weight is not None else keep.sum())
        with np.errstate(invalid="ignore", divide="ignore"):  # every target ignored: nan, as in PyTorch
            return smooth.sum() / denom
    return _reduce_tensor(smooth, reduction)


def cross_entropy(input: Tensor, target: Tensor, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross entropy of softmax(input) and the target, along dim 1 (dim 0 for a single (C,) sample).

    ``target`` is either class indices (int64, shape (N,) / (N, d1, ...)) -- then this is exactly
    ``nll_loss(log_softmax(input, 1), target)`` -- or class probabilities (float, input's shape), where
    loss_i = -sum_c target[i, c] log_softmax(input)[i, c]. ``label_smoothing`` mixes the target with the
    uniform distribution: (1 - s) * target + s / C.
    """
    reduction = _get_reduction(reduction, size_average, reduce)
    if label_smoothing > 1.0:  # PyTorch checks only the upper end (a negative value is computed with)
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input.dim() == 0:
        raise ValueError("Expected 1 or more dimensions (got 0): cross_entropy needs logits of shape (C,), "
                         "(N, C) or (N, C, d1, ...)")
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    if tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing,
                                    class_dim, n_classes)
    # Any other shape means class indices: PyTorch checks them as nll_loss does (shape, then dtype).
    _check_nll_args(input, target, weight, ignore_index)
    target = target.reshape(()) if input.dim() == 1 else target  # a (1,) target of one sample
    logp = log_softmax(input, class_dim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0.0:  # PyTorch smooths only for a positive value
        return loss
    smooth = _label_smoothing_term(logp, target, weight, ignore_index, reduction, class_dim)
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / n_classes)


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing, class_dim,
                         n_classes) -> Tensor:
    """Cross entropy against class probabilities: -sum_c p_c log_softmax(x)_c (weighted by w_c)."""
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{target.dtype._c_name}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    _check_class_weight(weight, n_classes, prefix="cross_entropy: ")
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = -1
        terms = terms * weight.reshape(shape)
    if reduction == "none":
        return -terms.sum(class_dim)
    if reduction == "sum":
        return -terms.sum()
    # 'mean' averages over samples (N * d1 * ...), not over the N * C entries.
    return DivScalar.apply(-terms.sum(), input.numel() // n_classes if input.numel() else math.nan)


class BinaryCrossEntropy(NumpyFunction):
    """loss = -w [y log(x) + (1 - y) log(1 - x)]  for probabilities x in [0, 1].

    Each log is clamped at -100 (as PyTorch does), so x = 0 or 1 gives a large finite loss, not inf.
    d/dx = w (x - y) / max(x (1 - x), 1e-12);   d/dy = w (log(1 - x) - log(x)).
    The class ``weight`` is a constant (PyTorch does not differentiate it either).
    """

    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        target = target.astype(input.dtype, copy=False)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(input), -100)
            log_1mx = np.maximum(np.log1p(-input), -100)
        loss = -(target * log_x + (1 - target) * log_1mx)
        ctx.save_for_backward(input, target, weight)
        ctx.reduction, ctx.shape = reduction, loss.shape
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss.astype(input.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, w = ctx.saved_tensors
        g = _unreduce_grad(grad, ctx.shape, ctx.reduction)
        gw = g if w is None else g * w
        grad_x = gw * (x - y) / np.maximum(x * (1 - x), 1e-12)
        with np.errstate(divide="ignore"):
            grad_y = gw * (np.log1p(-x) - np.log(x)) if ctx.needs_input_grad[1] else None
        return grad_x, grad_y, None, None


def binary_cross_entropy(input: Tensor, target: Tensor, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross entropy between probabilities ``input`` and ``target`` (same shape)."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
            "deprecated. Please ensure they have the same size.")
    _check_float("binary_cross_entropy", input)
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype._c_name} but expected {input.dtype._c_name}: "
                           "the target must have the input's dtype (use target.float())")
    x = input._data
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1 (binary_cross_entropy takes "
                           "probabilities: apply sigmoid first, or use binary_cross_entropy_with_logits)")
    if ((target._data < 0) | (target._data > 1)).any():
        raise RuntimeError("all elements of target should be between 0 and 1")
    _check_constant("binary_cross_entropy", weight=weight)
    if weight is not None:
        weight = weight.expand(broadcast_shapes(target.shape, weight.shape))
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def _check_constant(fn: str, **tensors) -> None:
    for name, t in tensors.items():
        if t is not None and t.requires_grad and grad_mode.is_grad_enabled():
            raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument "
                               f"'{name}'. This input cannot have requires_grad True.")


def _softplus_np(z: np.ndarray) -> np.ndarray:
    """log(1 + exp(z)) without overflow: max(z, 0) + log1p(exp(-|z|))."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _sigmoid_np(z: np.ndarray) -> np.ndarray:
    return (np.tanh(z * 0.5) + 1) * 0.5  # never overflows


class BinaryCrossEntropyWithLogits(NumpyFunction):
    """BCE on logits z, with p = pos_weight and l = 1 + (p - 1) y:

        loss = w [(1 - y) z + l softplus(-z)]     (= -w [p y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))])

    softplus(-z) = log(1 + e^-z) is computed stably, so z = ±1e4 gives finite losses and gradients.
    d/dz = w (l sigmoid(z) - p y);  d/dy = w (-z - (p - 1) log sigmoid(z)).
    ``weight`` and ``pos_weight`` are constants (PyTorch does not differentiate them either).
    """

    @staticmethod
    def forward(ctx, input, target, weight, pos_weight, reduction):
        z, y = input, target.astype(input.dtype, copy=False)
        sp = _softplus_np(-z)  # = -log sigmoid(z)
        lw = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        loss = (1 - y) * z + lw * sp
        ctx.save_for_backward(input, target, weight, pos_weight)
        ctx.reduction, ctx.unweighted, ctx.sp = reduction, loss, sp
        if weight is not None:
            loss = loss * weight
        return _reduce_array(np.asarray(loss, dtype=input.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        z, y, w, p = ctx.saved_tensors
        y = y.astype(z.dtype, copy=False)
        g = _unreduce_grad(grad, ctx.unweighted.shape, ctx.reduction)
        gw = g if w is None else g * w
        if p is None:
            grad_z = gw * (_sigmoid_np(z) - y)
            grad_y = gw * -z
        else:
            grad_z = gw * ((1 + (p - 1) * y) * _sigmoid_np(z) - p * y)
            grad_y = gw * (-z + (p - 1) * ctx.sp)
        return grad_z, grad_y, None, None, None


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight=None, size_average=None,
                                     reduce=None, reduction: str = "mean", pos_weight=None) -> Tensor:
    """sigmoid + binary cross entropy in one stable step. ``pos_weight`` scales the positive term
    (broadcast along the last dim: one weight per class)."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    _check_float("binary_cross_entropy_with_logits", input)
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"result type {input.dtype._c_name} can't be cast to the desired output type "
                           f"{target.dtype._c_name}: the target must be floating point (use "
                           "target.float())")
    _check_constant("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        if t is not None:
            try:
                broadcast_shapes(t.shape, input.shape)
            except RuntimeError:
                raise RuntimeError(f"{name} of shape {list(t.shape)} cannot be broadcast to the input's "
                                   f"shape {list(input.shape)}") from None
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


# ------------------------------------------------------------------------ helpers for composed losses
class DivScalar(NumpyFunction):
    """out = a / n for a Python number n (PyTorch's node for tensor / scalar inside its kernels).
    d/da = 1 / n."""

    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, n):
        ctx.n = n
        return (a / n).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.n, None


class ClampMin(NumpyFunction):
    """out = max(a, lo) for a number lo (the hinge of margin losses).   d/da = 1 where a >= lo, else 0."""

    @staticmethod
    def forward(ctx, a, lo):
        ctx.save_for_backward(a)
        ctx.lo = lo
        return np.maximum(a, np.asarray(lo, dtype=a.dtype))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (a >= ctx.lo), None


class LogSigmoid(NumpyFunction):
    """out = log sigmoid(a) = -softplus(-a), stable for any a.   d/da = 1 - sigmoid(a) = sigmoid(-a)."""

    node_name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return -_softplus_np(-a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _sigmoid_np(-a)


class XlogyTarget(NumpyFunction):
    """out = y log y, with 0 log 0 = 0 (the entropy term of KL divergence).   d/dy = log y + 1."""

    node_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, y):
        ctx.save_for_backward(y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(y == 0, 0, y * np.log(y)).astype(y.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return grad * (np.log(y) + 1)


def _clamp_min(x: Tensor, lo: float) -> Tensor:
    return ClampMin.apply(x, lo)


# ------------------------------------------------------------------------ distribution losses
def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: target (log target - input); ``input`` holds log-probabilities.

    With ``log_target`` the target is in log space too: exp(t) (t - input). 'batchmean' divides the sum
    by the batch size (the true KL divergence per sample); 'mean' divides by every element (warns).
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            UserWarning, stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = XlogyTarget.apply(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.dim() != 0 else total
    return _reduce_tensor(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    """Poisson negative log likelihood (rate = exp(input) if ``log_input`` else input):
    exp(input) - target * input, or input - target * log(input + eps); ``full`` adds Stirling's term
    target log target - target + 0.5 log(2 pi target) where target > 1."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce_tensor(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """Gaussian negative log likelihood: 0.5 (log var + (input - target)^2 / var) [+ 0.5 log 2 pi].

    ``var`` may have input's shape, one dim fewer (one variance per sample), one size-1 dim, or be a
    number. It is clamped at ``eps`` for stability, without blocking its gradient (as PyTorch does).
    """
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * Tensor._make(np.ones(input.shape, dtype=input._data.dtype))
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.dim() == var.dim()
                  and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError(f"var is of incorrect size (var: {list(var.shape)}, input: {list(input.shape)}:"
                             " expected the input's shape, the input's shape without its last dim, or one "
                             "dim of size 1)")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # clamp(var, eps) in value, but gradient 1 everywhere: var + a constant correction.
    correction = Tensor._make(np.maximum(var._data, eps) - var._data)
    var = var + correction
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce_tensor(loss, reduction)


# ------------------------------------------------------------------------ margin and embedding losses
def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin): input1 should rank above input2 when target = 1."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce_tensor(_clamp_min(-target * (input1 - input2) + margin, 0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """input where target = 1, max(0, margin - input) where target = -1 (input is usually a distance)."""
    reduction = _get_reduction(reduction, size_average, reduce)
    zeros = input * 0
    output_margin = where(target != 1, _clamp_min(margin - input, 0), zeros)
    output_self = where(target != -1, input, zeros)
    return _reduce_tensor(output_margin + output_self, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Two-class logistic loss log(1 + exp(-target * input)), target in {1, -1}; averaged over elements."""
    reduction = _get_reduction(reduction, size_average, reduce)
    broadcast_shapes(input.shape, target.shape)
    _check_float("soft_margin_loss", input)
    return SoftMarginLoss.apply(input, target, reduction)


class SoftMarginLoss(NumpyFunction):
    """loss = softplus(-y x) = log(1 + e^{-y x}), computed without overflow (PyTorch's overflows to inf
    at |x| ~ 100).   d/dx = -y sigmoid(-y x);   d/dy = -x sigmoid(-y x)."""

    @staticmethod
    def forward(ctx, input, target, reduction):
        target = target.astype(input.dtype, copy=False)
        margin = -target * input
        ctx.save_for_backward(input, target)
        ctx.reduction, ctx.shape = reduction, margin.shape
        return _reduce_array(_softplus_np(margin).astype(input.dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        s = _sigmoid_np(-y * x) * _unreduce_grad(grad, ctx.shape, ctx.reduction)
        return -y * s, -x * s, None


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """Multi-label one-vs-all logistic loss: -mean_c [y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c)]
    per sample (target is 0/1 per class)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = -(target * LogSigmoid.apply(input) + (1 - target) * LogSigmoid.apply(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce_tensor(loss, reduction)


class MultiMarginLoss(NumpyFunction):
    """Multi-class hinge loss. For sample x with class y:

        loss = sum_{j != y} w_y max(0, margin - x_y + x_j)^p / C          (p = 1 or 2)

    d/dx_j = w_y p h_j^(p-1) / C for j != y (h_j the active hinge, 0 where inactive);  d/dx_y = -sum_j d/dx_j.
    """

    @staticmethod
    def forward(ctx, input, target, p, margin, weight, reduction):
        ctx.target_shape = target.shape
        target = target.reshape(-1)
        x = input if input.ndim == 2 else input[None]
        rows = np.arange(x.shape[0])
        c = x.shape[1]
        picked = x[rows, target][:, None]
        hinge = np.maximum(margin - picked + x, 0)
        hinge[rows, target] = 0  # the target class itself does not count
        w = np.ones(x.shape[0], x.dtype) if weight is None else weight.astype(x.dtype)[target]
        loss = (w * (hinge ** p).sum(axis=1) / c).astype(x.dtype, copy=False)
        ctx.hinge, ctx.target, ctx.w, ctx.p, ctx.reduction = hinge, target, w, p, reduction
        ctx.input_shape = input.shape
        out = _reduce_array(loss, reduction)
        return out.reshape(ctx.target_shape) if reduction == "none" else out

    @staticmethod
    def backward(ctx, grad):
        hinge, c = ctx.hinge, ctx.hinge.shape[1]
        g = _unreduce_grad(np.asarray(grad).reshape(-1) if ctx.reduction == "none" else grad,
                           (hinge.shape[0],), ctx.reduction)
        local = (hinge > 0) * (1.0 if ctx.p == 1 else 2 * hinge)
        grad_x = (local * (ctx.w * g / c)[:, None]).astype(hinge.dtype, copy=False)
        rows = np.arange(hinge.shape[0])
        grad_x[rows, ctx.target] = -grad_x.sum(axis=1)
        return grad_x.reshape(ctx.input_shape), None, None, None, None, None


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss on scores (N, C) (or (C,)) with class-index targets (N,)."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    if input.dim() not in (1, 2):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    n = 1 if input.dim() == 1 else input.shape[0]
    if target.numel() != n or target.dim() > 1:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples "
            f"(batch size). Expected target size [{n}], but got {list(target.shape)}. Input has shape "
            f"{list(input.shape)}.")
    _check_target_dtype(target)
    t = target._data.astype(np.int64)
    c = input.shape[-1]
    if ((t < 0) | (t >= c)).any():
        raise RuntimeError(f"target out of range: targets must lie in [0, {c - 1}], got "
                           f"{t[(t < 0) | (t >= c)].flat[0]}")
    return MultiMarginLoss.apply(input, t, p, float(margin), None if weight is None else weight._data,
                                 reduction)


class MultilabelMarginLoss(NumpyFunction):
    """Multi-label hinge loss. Each row of y lists the sample's classes, ended by the first -1. Then

        loss = sum_{j in y} sum_{k not in y} max(0, 1 - (x_j - x_k)) / C

    d/dx_k = +(number of active hinges with k)/C for non-target k, -(same count for j)/C for targets j.
    """

    @staticmethod
    def forward(ctx, input, target, reduction):
        x = input if input.ndim == 2 else input[None]
        y = target if target.ndim == 2 else target[None]
        n, c = x.shape
        # Labels count up to the first -1 in each row.
        valid = np.cumprod(y >= 0, axis=1).astype(bool)
        is_target = np.zeros((n, c), dtype=bool)
        rows = np.repeat(np.arange(n), c).reshape(n, c)
        is_target[rows[valid], y[valid]] = True
        # hinge[i, j, k] = max(0, 1 - x_j + x_k) for target j and non-target k.
        pair = is_target[:, :, None] & ~is_target[:, None, :]
        hinge = np.maximum(1 - x[:, :, None] + x[:, None, :], 0) * pair
        loss = (hinge.sum(axis=(1, 2)) / c).astype(x.dtype, copy=False)
        ctx.active, ctx.reduction, ctx.input_shape = (hinge > 0), reduction, input.shape
        out = _reduce_array(loss, reduction)
        return out.reshape(()) if input.ndim == 1 and reduction == "none" else out

    @staticmethod
    def backward(ctx, grad):
        active = ctx.active
        n, c = active.shape[:2]
        g = _unreduce_grad(np.asarray(grad).reshape(-1) if ctx.reduction == "none" else grad, (n,),
                           ctx.reduction)
        per_class = active.sum(axis=1).astype(np.float64) - active.sum(axis=2)  # +1 as k, -1 as j
        grad_x = (per_class * (g / c)[:, None]).astype(g.dtype if g.dtype.kind == "f" else np.float32)
        return grad_x.reshape(ctx.input_shape), None, None


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss; ``target`` (int64, input's shape) lists class indices, padded with -1."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if input.dim() not in (1, 2) or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)} (the target lists class indices padded with -1, in a "
                           "tensor of the input's shape)")
    _check_target_dtype(target)
    t = target._data.astype(np.int64)
    if ((t < -1) | (t >= input.shape[-1])).any():
        raise RuntimeError(f"argument #2 'target' is out of range: values must lie in [-1, "
                           f"{input.shape[-1] - 1}]")
    return MultilabelMarginLoss.apply(input, t, reduction).to(input.dtype)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target = 1;  max(0, cos(x1, x2) - margin) where target = -1."""
    reduction = _get_reduction(reduction, size_average, reduce)
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (got target of "
                           f"shape {list(target.shape)})")
    want = 2 if targ_dim == 1 else 1
    if input1.dim() != want or input2.dim() != want:
        raise RuntimeError(f"{targ_dim}D target tensor expects {want}D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    prod_sum = (input1 * input2).sum(targ_dim)
    mag_square1 = (input1 * input1).sum(targ_dim) + eps
    mag_square2 = (input2 * input2).sum(targ_dim) + eps
    cos = prod_sum / (mag_square1 * mag_square2).sqrt()
    zeros = cos * 0
    output_pos = where(target == 1, 1 - cos, zeros)
    output_neg = where(target == -1, _clamp_min(cos - margin, 0), zeros)
    return _reduce_tensor(output_pos + output_neg, reduction)


def _pairwise_distance(x1: Tensor, x2: Tensor, p: float, eps: float) -> Tensor:
    """||x1 - x2 + eps||_p along the last dim (PyTorch's pairwise_distance)."""
    return norm(x1 - x2 + eps, p, max(x1.dim(), x2.dim()) - 1)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) with d the p-norm distance: pull positives in, push negatives
    out. ``swap`` uses min(d(a, n), d(p, n)) as the negative distance."""
    reduction = _get_reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, "
            f"but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D inputs")
    dist_pos = _pairwise_distance(anchor, positive, p, eps)
    dist_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .arithmetic import minimum
        dist_neg = minimum(dist_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce_tensor(_clamp_min(margin + dist_pos - dist_neg, 0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """Triplet loss with any distance function (default: pairwise p=2 distance)."""
    reduction = _get_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                         "instead")
    dist = distance_function if distance_function is not None else \
        (lambda a, b: _pairwise_distance(a, b, 2.0, 1e-6))
    dist_pos = dist(anchor, positive)
    dist_neg = dist(anchor, negative)
    if swap:
        from .arithmetic import minimum
        dist_neg = minimum(dist_neg, dist(positive, negative))
    return _reduce_tensor(_clamp_min(margin + dist_pos - dist_neg, 0.0), reduction)
