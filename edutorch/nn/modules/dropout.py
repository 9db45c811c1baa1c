"""Dropout layers: in training, zero random elements (or whole channels) with probability p and scale
the survivors by 1 / (1 - p), so the expected output equals the input; in eval mode, pass the input
through unchanged. ``model.train()`` / ``model.eval()`` switch every dropout layer of a model at once.

The masks come from the global generator: ``torch.manual_seed`` makes them repeatable.
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` during training; scale the rest by 1 / (1 - p).

    Args:
        p: probability of an element to be zeroed. Default: 0.5
        inplace: overwrite the input. Default: ``False``

    Shape: Input (*), Output (*), the same shape.

    Examples::
        >>> m = nn.Dropout(p=0.2)
        >>> out = m(torch.randn(20, 16))   # about 20% zeros, the rest multiplied by 1.25
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels (rows along L) of an (N, C, L) or (C, L) input with probability ``p``.

    Shape: Input (N, C, L) or (C, L), Output the same shape."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels (feature maps) of an (N, C, H, W) input with probability ``p``: neighbouring
    pixels are strongly correlated, so dropping single pixels would barely regularise a conv net.

    Shape: Input (N, C, H, W) or (N, C, L), Output the same shape."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped units take SELU's saturation value and an affine correction
    keeps the activations' mean and variance (so self-normalisation survives dropout).

    Shape: Input (*), Output (*), the same shape."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """AlphaDropout of whole channels."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
