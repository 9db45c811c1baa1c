"""Gradient clipping: keep one bad batch from throwing the parameters far away.

``clip_grad_norm_`` rescales all gradients together so that their joint norm is at most ``max_norm``
(the direction of the step is kept, only its length is capped); ``clip_grad_value_`` clamps each
gradient entry into ``[-clip_value, clip_value]`` (the direction may change). Both work in place on
``p.grad``, between ``loss.backward()`` and ``optimizer.step()``::

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()
"""
from __future__ import annotations

import types
import warnings
from typing import Iterable

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _vector_norm(array: np.ndarray, p: float) -> np.ndarray:
    """‖x‖_p of all entries, in the array's dtype: (Σ|x_i|^p)^(1/p).

    p = inf gives max|x_i|, p = -inf min|x_i|, p = 0 the number of non-zero entries."""
    a = np.abs(array.ravel())
    if p == np.inf:
        return a.max(initial=0).astype(array.dtype)
    if p == -np.inf:
        return a.min(initial=np.inf).astype(array.dtype)
    if p == 0:
        return np.asarray(np.count_nonzero(a), dtype=array.dtype)
    if p == 2:
        return np.sqrt(np.dot(a, a))  # the common case: one BLAS dot product
    return np.sum(a ** p) ** (1.0 / p)


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The norm of all the tensors' entries together: the norm of the vector of their norms."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return Tensor._make(np.array(0.0, dtype=np.float32))
    norms = np.stack([_vector_norm(t._data, norm_type) for t in tensors])
    total_norm = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total_norm):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._make(np.asarray(total_norm))


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Multiply every ``p.grad`` by ``min(1, max_norm / (total_norm + 1e-6))``, in place."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    if len(grads) == 0:
        return
    # the 1e-6 keeps a zero norm from dividing by zero; float32 like the norm itself
    clip_coef = float(max_norm) / (total_norm._data + 1e-6)
    clip_coef_clamped = np.minimum(clip_coef, 1.0)
    with np.errstate(invalid="ignore"):  # an inf norm gives 0 x inf = nan, silently, as in PyTorch
        for g in grads:
            g._data *= clip_coef_clamped.astype(g._data.dtype)  # always multiplied (by 1 when under the limit)
            g._bump_version()


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    r"""Scale the gradients of ``parameters`` in place so that their joint norm is at most ``max_norm``.

    With g the concatenation of all gradients and ‖·‖ the ``norm_type`` norm::

        total = ‖g‖          (= ‖(‖g_1‖, ‖g_2‖, ...)‖)
        g ← g · min(1, max_norm / (total + 1e-6))

    Args:
        parameters (Tensor or iterable of Tensors): the tensors whose ``.grad`` is clipped.
        max_norm (float): the largest norm allowed.
        norm_type (float): p of the p-norm; ``float('inf')`` for the largest absolute entry (default: 2.0).
        error_if_nonfinite (bool): raise if the total norm is nan or inf (default: False).
        foreach (bool): PyTorch's implementation switch; ignored.

    Returns:
        Tensor: the total norm of the gradients *before* clipping (worth logging: spikes show instability).
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """Deprecated name of :func:`clip_grad_norm_` (the trailing underscore marks in-place functions)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    r"""Clamp every gradient entry into ``[-clip_value, clip_value]``, in place.

    Args:
        parameters (Tensor or iterable of Tensors): the tensors whose ``.grad`` is clipped.
        clip_value (float): the largest absolute value allowed.
        foreach (bool): PyTorch's implementation switch; ignored.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)
            p.grad._bump_version()
