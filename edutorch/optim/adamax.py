"""``Adamax``: Adam with the infinity norm in place of the running RMS."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _check_adam_args, _check_not_supported, _next_step, _step_counter, _to_float,
                        _weight_decay, _zeros_like)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2014, section 7).

    The update, for each parameter θ::

        input: γ (lr), β1, β2 (betas), ε (eps), λ (weight_decay), maximize
        initialize: m_0 ← 0 (first moment), u_0 ← 0 (infinity norm)
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            u_t ← max(β2 u_{t-1}, |g_t| + ε)          (a decaying maximum: needs no bias correction)
            θ_t ← θ_{t-1} - γ m_t / ((1 - β1^t) u_t)

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate γ (default: 2e-3).
        betas (tuple[float, float]): β1, β2 (default: (0.9, 0.999)).
        eps (float): ε (default: 1e-8).
        weight_decay (float): L2 penalty λ (default: 0).
        maximize (bool): maximize the objective instead of minimizing it (default: False).

    State per parameter: ``step``, ``exp_avg`` (m), ``exp_inf`` (u).
    """

    def __init__(self, params, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False) -> None:
        _check_adam_args(lr, eps, betas, weight_decay)
        _check_not_supported("Adamax", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @staticmethod
    def _init_state(p, group):
        """The state at the first step: t = 0, m_0 = u_0 = 0."""
        return {"step": _step_counter(), "exp_avg": _zeros_like(p), "exp_inf": _zeros_like(p)}

    def step(self, closure=None):
        """Perform one optimization step (see the algorithm in the class docstring)."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = _to_float(group["lr"]), group["betas"], group["eps"], group["weight_decay"]
            for theta, g, state in self._params_with_grad(group, self._init_state):
                t = _next_step(state)
                g = _weight_decay(theta, g, lr, wd)
                m, u = state["exp_avg"]._data, state["exp_inf"]._data
                m += (1 - beta1) * (g - m)
                u *= beta2
                np.maximum(u, np.abs(g) + eps, out=u)
                clr = lr / (1 - beta1 ** t)
                theta -= clr * (m / u)
        return loss
