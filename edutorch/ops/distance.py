"""Distances: ``dist`` (the p-norm of a difference) and ``cdist`` (all pairwise distances between two
sets of points).

Both are built from ops that are differentiable already, so the gradients need no new code:

    dist(a, b, p)          = ||a - b||_p                                   (norm of a difference)
    cdist(x1, x2, p)[i, j] = ||x1[i] - x2[j]||_p    x1: (P, M), x2: (R, M) -> (P, R)

``cdist`` computes the (P, R, M) differences by broadcasting (x1[:, None, :] - x2[None, :, :]) and
takes their norm over the last dim. For p = 2 and many points (P or R > 25), PyTorch uses the
*matmul trick* instead, and so do we:

    ||x - y||^2 = ||x||^2 + ||y||^2 - 2 x.y      for all pairs at once:  one (P, M+2) @ (M+2, R) product

It needs no (P, R, M) array and runs as one BLAS call, but it subtracts nearly equal numbers when
points are close, so a distance of 0 may come out as 1e-3 in float32 (``compute_mode=
'donot_use_mm_for_euclid_dist'`` asks for the exact, slower way). The norm's gradient at a distance
of 0 is taken as 0, as PyTorch does (the norm has a kink there).
"""
from __future__ import annotations

from .._tensor import Tensor
from .creation import ones_like
from .reduction import norm
from .shape import cat

_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast): the Euclidean distance for p = 2."""
    for position, (name, t) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"dist(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(t).__name__}")
    difference = input - other
    if not difference.dtype.is_floating_point:
        raise RuntimeError("norm(): input dtype should be either floating point or complex. Got "
                           f"{difference.dtype._c_name} instead.")
    return norm(difference, p)


def _euclidean_by_matmul(x1: Tensor, x2: Tensor) -> Tensor:
    """sqrt(||x||^2 + ||y||^2 - 2 x.y) for all pairs, as one matmul of padded rows:
    [-2x, ||x||^2, 1] . [y, 1, ||y||^2] = -2 x.y + ||x||^2 + ||y||^2. Clamped at 1e-30 before the
    square root: rounding can make it slightly negative."""
    x1_norm = (x1 * x1).sum(-1, keepdim=True)
    x2_norm = (x2 * x2).sum(-1, keepdim=True)
    left = cat([x1 * -2, x1_norm, ones_like(x1_norm)], -1)
    right = cat([x2, ones_like(x2_norm), x2_norm], -1)
    return (left @ right.transpose(-1, -2)).clamp(min=1e-30).sqrt()


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """All pairwise p-norm distances: rows of x1 (..., P, M) against rows of x2 (..., R, M) give
    (..., P, R); leading (batch) dims broadcast."""
    for position, (name, t) in enumerate((("x1", x1), ("x2", x2)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"cdist(): argument '{name}' (position {position}) must be Tensor, not "
                            f"{type(t).__name__}")
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", x1), ("X2", x2)):
        if t.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.dim()}D")
        if not t.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {t.dtype._c_name}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    if x1.dtype is not x2.dtype:
        raise RuntimeError(f"expected scalar type {x1.dtype._c_name} but found {x2.dtype._c_name} "
                           "(convert one of them, e.g. with .float())")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    many = x1.shape[-2] > 25 or x2.shape[-2] > 25
    use_mm = p == 2 and (compute_mode == "use_mm_for_euclid_dist"
                         or (compute_mode == "use_mm_for_euclid_dist_if_necessary" and many))
    if use_mm and x1.shape[-2] and x2.shape[-2]:
        return _euclidean_by_matmul(x1, x2)
    differences = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (..., P, R, M)
    return norm(differences, p, dim=-1)


__all__ = ["cdist", "dist"]
