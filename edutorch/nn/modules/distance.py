"""Distance layers: CosineSimilarity and PairwiseDistance."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """cos(x1, x2) = x1 . x2 / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``.

    Args:
        dim: the dimension of the vectors. Default: 1
        eps: small value to avoid division by zero. Default: 1e-8

    Shape: Input1 (*1, D, *2), Input2 broadcastable to it; Output (*1, *2).

    Examples::
        >>> nn.CosineSimilarity(dim=1)(torch.randn(100, 128), torch.randn(100, 128)).size()
        torch.Size([100])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p along the last dim.

    Args:
        p: the norm degree. Default: 2
        eps: added to the difference to avoid a zero norm (whose gradient is undefined). Default: 1e-6
        keepdim: keep the vector dim (size 1). Default: ``False``

    Shape: Input1 (N, D) or (D,), Input2 the same or broadcastable; Output (N) or () (or (N, 1) with keepdim).
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
