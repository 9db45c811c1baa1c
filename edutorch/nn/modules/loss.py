"""Loss modules: ``nn.MSELoss()``, ``nn.CrossEntropyLoss()``, ... -- thin wrappers around ``F.*``.

A loss module only stores its options (``reduction``, ``margin``, class ``weight`` ...) and calls the
function in ``forward``. Class weights are *buffers*, not parameters: they move with ``.to()`` and are
saved in ``state_dict``, but an optimizer never changes them. Every loss reduces with
``reduction='none' | 'mean' | 'sum'``; the old ``size_average`` / ``reduce`` flags still work (and warn).

    criterion = nn.CrossEntropyLoss()
    loss = criterion(model(x), y)      # logits (N, C), class indices (N,)
    loss.backward()
"""
from __future__ import annotations

import warnings

from ..._tensor import Tensor
from ...ops import loss as F
from .module import Module

__all__ = [
    "L1Loss", "NLLLoss", "NLLLoss2d", "PoissonNLLLoss", "GaussianNLLLoss", "KLDivLoss", "MSELoss", "BCELoss",
    "BCEWithLogitsLoss", "HingeEmbeddingLoss", "MultiLabelMarginLoss", "SmoothL1Loss", "HuberLoss",
    "SoftMarginLoss", "CrossEntropyLoss", "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss",
    "MarginRankingLoss", "MultiMarginLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
]


class _Loss(Module):
    """Base of every loss: turns the legacy ``size_average`` / ``reduce`` flags into ``reduction``."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = F._legacy_reduction(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional per-class ``weight``, registered as a buffer (None when not given)."""

    def __init__(self, weight: Tensor | None = None, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


# ------------------------------------------------------------------------------ regression
class L1Loss(_Loss):
    """Mean absolute error: l_n = |x_n - y_n|.

    Shape: input (*), target (*) same shape; output scalar, or (*) with ``reduction='none'``.
    Example: ``nn.L1Loss()(torch.tensor([1., 2.]), torch.tensor([0., 4.]))  # (1 + 2) / 2 = 1.5``
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error: l_n = (x_n - y_n)^2.

    Shape: input (*), target (*) same shape; output scalar, or (*) with ``reduction='none'``.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """l_n = 0.5 (x_n - y_n)^2 / beta if |x_n - y_n| < beta, else |x_n - y_n| - 0.5 beta.

    Args: beta (float): where the quadratic part turns linear (default 1.0; 0 gives L1Loss).
    Shape: input (*), target (*) same shape.
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """l_n = 0.5 (x_n - y_n)^2 if |x_n - y_n| <= delta, else delta (|x_n - y_n| - 0.5 delta).

    Args: reduction, delta (float): where the quadratic part turns linear (default 1.0).
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


# ------------------------------------------------------------------------------ classification
class NLLLoss(_WeightedLoss):
    """Negative log likelihood: l_n = -w[y_n] x[n, y_n], for log-probabilities x (from LogSoftmax).

    'mean' divides by sum_n w[y_n]; targets equal to ``ignore_index`` are skipped.
    Shape: input (N, C) or (N, C, d1, ...); target (N,) or (N, d1, ...) int64 class indices.
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, ignore_index: int = -100,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class NLLLoss2d(NLLLoss):
    """Deprecated alias of NLLLoss (which handles (N, C, H, W) inputs itself)."""

    def __init__(self, weight: Tensor | None = None, size_average=None, ignore_index: int = -100,
                 reduce=None, reduction: str = "mean") -> None:
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
                      "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more "
                      "details.",
                      FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy between softmax(input) and the target: LogSoftmax + NLLLoss in one step.

    target is class indices (int64, (N,) or (N, d1, ...)) or class probabilities (input's shape).
    Args: weight (C,), ignore_index (indices only), reduction, label_smoothing in [0, 1]: the target
    becomes (1 - s) * target + s / C.
    Shape: input (C), (N, C) or (N, C, d1, ...) raw scores (logits), never probabilities.

    Example::

        criterion = nn.CrossEntropyLoss()
        loss = criterion(torch.randn(3, 5, requires_grad=True), torch.tensor([1, 0, 4]))
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, ignore_index: int = -100,
                 reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross entropy on probabilities: l_n = -w_n [y_n log x_n + (1 - y_n) log(1 - x_n)].

    Each log is clamped at -100, so x = 0 or 1 gives a finite loss. Shape: input (*), target (*) same.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + BCELoss in one numerically stable step, on logits:
    l_n = -w_n [p y_n log sigmoid(x_n) + (1 - y_n) log(1 - sigmoid(x_n))].

    Args: weight (rescales each element), pos_weight (p: the weight of positive examples, one per class,
    broadcast along the last dim), reduction. Both weights are buffers.
    """

    def __init__(self, weight: Tensor | None = None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One-vs-all logistic loss per sample: -1/C sum_c w_c [y_c log sigmoid(x_c) + (1-y_c) log sigmoid(-x_c)].

    Shape: input (N, C), target (N, C) of 0s and 1s; output (N,) with ``reduction='none'``.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss: sum over target classes j and other classes k of max(0, 1 - (x_j - x_k)) / C.

    Shape: input (C) or (N, C); target of the same shape, int64 class indices ended by -1.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss: sum_{j != y} w_y max(0, margin - x_y + x_j)^p / C.

    Args: p (1 or 2), margin (default 1), weight (C,), reduction. Shape: input (N, C), target (N,).
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None, size_average=None,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(
                f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.dim()}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss: l_n = log(1 + exp(-y_n x_n)), targets 1 or -1."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


# ------------------------------------------------------------------------------ distributions
class KLDivLoss(_Loss):
    """Kullback-Leibler divergence: l_n = y_n (log y_n - x_n), with x log-probabilities.

    Use ``reduction='batchmean'`` for the true KL divergence (sum / batch size); ``log_target=True``
    when the target is given as log-probabilities too.
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """Poisson negative log likelihood: exp(x) - y x (log_input=True), or x - y log(x + eps).

    Args: log_input, full (add Stirling's term), eps, reduction.
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None, eps: float = 1e-8,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log likelihood: 0.5 (log var + (x - y)^2 / var) [+ 0.5 log 2 pi if full].

    forward(input, target, var): var has the input's shape, one dim fewer, one size-1 dim, or is a number.
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


# ------------------------------------------------------------------------------ margins, embeddings
class MarginRankingLoss(_Loss):
    """l_n = max(0, -y_n (x1_n - x2_n) + margin): x1 should rank higher than x2 when y = 1 (y = -1: lower)."""

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """l_n = x_n if y_n = 1, max(0, margin - x_n) if y_n = -1 (x is usually a distance)."""

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """l_n = 1 - cos(x1_n, x2_n) if y_n = 1, max(0, cos(x1_n, x2_n) - margin) if y_n = -1.

    Shape: input1, input2 (N, D) or (D); target (N) or ().
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """l_n = max(d(a_n, p_n) - d(a_n, n_n) + margin, 0) with d the p-norm distance.

    Args: margin (> 0), p, eps, swap (use min(d(a, n), d(p, n))), reduction. Shape: (N, D) or (D).
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """TripletMarginLoss with any ``distance_function(a, b)`` (default: nn.PairwiseDistance())."""

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        super().__init__(size_average=None, reduce=None, reduction=reduction)
        if margin <= 0:
            raise ValueError(
                f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} instead")
        if distance_function is None:
            from .distance import PairwiseDistance

            distance_function = PairwiseDistance()
        self.distance_function = distance_function
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function,
                                                   margin=self.margin, swap=self.swap,
                                                   reduction=self.reduction)
