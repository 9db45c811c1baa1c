"""``Adadelta``: an RMSprop whose step size comes from a running RMS of its own past updates."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _check_lr, _check_not_supported, _next_step, _step_counter, _to_float, \
    _weight_decay, _zeros_like

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012).

    The update, for each parameter θ::

        input: γ (lr), ρ (rho), ε (eps), λ (weight_decay), maximize
        initialize: v_0 ← 0 (square avg), u_0 ← 0 (accumulated updates)
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}
            v_t ← ρ v_{t-1} + (1 - ρ) g_t²
            Δx_t ← √(u_{t-1} + ε) / √(v_t + ε) · g_t   (units of θ: no learning rate needed in theory)
            u_t ← ρ u_{t-1} + (1 - ρ) Δx_t²
            θ_t ← θ_{t-1} - γ Δx_t

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): a factor γ on the update (default: 1.0).
        rho (float): decay ρ of the running averages (default: 0.9).
        eps (float): ε inside the square roots (default: 1e-6).
        weight_decay (float): L2 penalty λ (default: 0).
        maximize (bool): maximize the objective instead of minimizing it (default: False).

    State per parameter: ``step``, ``square_avg`` (v), ``acc_delta`` (u).
    """

    def __init__(self, params, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_not_supported("Adadelta", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    @staticmethod
    def _init_state(p, group):
        """The state at the first step: t = 0, v_0 = u_0 = 0."""
        return {"step": _step_counter(), "square_avg": _zeros_like(p), "acc_delta": _zeros_like(p)}

    def step(self, closure=None):
        """Perform one optimization step (see the algorithm in the class docstring)."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr, rho, eps, wd = _to_float(group["lr"]), group["rho"], group["eps"], group["weight_decay"]
            for theta, g, state in self._params_with_grad(group, self._init_state):
                _next_step(state)
                g = _weight_decay(theta, g, lr, wd)
                v, u = state["square_avg"]._data, state["acc_delta"]._data
                v *= rho
                v += (1 - rho) * g * g
                delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
                u *= rho
                u += (1 - rho) * delta * delta
                theta -= lr * delta
        return loss
