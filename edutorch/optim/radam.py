"""``RAdam``: Adam that switches its adaptive step on only once the variance estimate is reliable."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _check_adam_args, _check_not_supported, _next_step, _step_counter, _to_float,
                        _weight_decay, _zeros_like)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2019): a built-in warm-up for Adam.

    The update, for each parameter θ::

        input: γ (lr), β1, β2 (betas), ε (eps), λ (weight_decay), decoupled_weight_decay, maximize
        initialize: m_0 ← 0, v_0 ← 0, ρ_∞ ← 2 / (1 - β2) - 1
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            θ_t ← θ_{t-1}
            if λ ≠ 0:
                if decoupled_weight_decay:   θ_t ← θ_t - γ λ θ_t
                else:                        g_t ← g_t + λ θ_t
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            v_t ← β2 v_{t-1} + (1 - β2) g_t²
            m̂_t ← m_t / (1 - β1^t)
            ρ_t ← ρ_∞ - 2 t β2^t / (1 - β2^t)            (length of the approximated moving average)
            if ρ_t > 5:                                  (enough history: adaptive step, rectified)
                l_t ← √(1 - β2^t) / (√v_t + ε)
                r_t ← √((ρ_t - 4)(ρ_t - 2) ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2) ρ_t))
                θ_t ← θ_t - γ m̂_t r_t l_t
            else:                                        (first few steps: plain momentum SGD)
                θ_t ← θ_t - γ m̂_t

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate γ (default: 1e-3).
        betas (tuple[float, float]): β1, β2 (default: (0.9, 0.999)).
        eps (float): ε (default: 1e-8).
        weight_decay (float): weight decay λ (default: 0).
        decoupled_weight_decay (bool): decay θ directly, as AdamW does (default: False).
        maximize (bool): maximize the objective instead of minimizing it (default: False).

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_args(lr, eps, betas, weight_decay)
        _check_not_supported("RAdam", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @staticmethod
    def _init_state(p, group):
        """The state at the first step: t = 0, m_0 = v_0 = 0."""
        return {"step": _step_counter(), "exp_avg": _zeros_like(p), "exp_avg_sq": _zeros_like(p)}

    def step(self, closure=None):
        """Perform one optimization step (see the algorithm in the class docstring)."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = _to_float(group["lr"]), group["betas"], group["eps"], group["weight_decay"]
            rho_inf = 2 / (1 - beta2) - 1
            for theta, g, state in self._params_with_grad(group, self._init_state):
                t = _next_step(state)
                g = _weight_decay(theta, g, lr, wd, group["decoupled_weight_decay"])
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                m += (1 - beta1) * (g - m)
                v *= beta2
                v += (1 - beta2) * g * g
                bias_correction1 = 1 - beta1 ** t
                bias_correction2 = 1 - beta2 ** t
                m_hat = m / bias_correction1
                rho_t = rho_inf - 2 * t * (beta2 ** t) / bias_correction2
                if rho_t > 5.0:
                    adaptive_lr = bias_correction2 ** 0.5 / (np.sqrt(v) + eps)
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    theta -= m_hat * lr * adaptive_lr * rect
                else:
                    theta -= m_hat * lr
        return loss
