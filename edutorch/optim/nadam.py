"""``NAdam``: Adam with Nesterov momentum (look one step ahead along the running mean)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _check_adam_args, _check_not_supported, _next_step, _step_counter, _to_float,
                        _weight_decay, _zeros_like)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), with the momentum schedule μ_t.

    The update, for each parameter θ::

        input: γ (lr), β1, β2 (betas), ε (eps), λ (weight_decay), ψ (momentum_decay),
               decoupled_weight_decay, maximize
        initialize: m_0 ← 0, v_0 ← 0
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            θ_t ← θ_{t-1}
            if λ ≠ 0:
                if decoupled_weight_decay:   θ_t ← θ_{t-1} - γ λ θ_{t-1}
                else:                        g_t ← g_t + λ θ_{t-1}
            μ_t ← β1 (1 - ½ · 0.96^(t ψ))                 (momentum warms up over the first steps)
            μ_{t+1} ← β1 (1 - ½ · 0.96^((t+1) ψ))
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            v_t ← β2 v_{t-1} + (1 - β2) g_t²
            m̂_t ← μ_{t+1} m_t / (1 - ∏_{i≤t+1} μ_i) + (1 - μ_t) g_t / (1 - ∏_{i≤t} μ_i)
            v̂_t ← v_t / (1 - β2^t)
            θ_t ← θ_t - γ m̂_t / (√v̂_t + ε)

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate γ (default: 2e-3).
        betas (tuple[float, float]): β1, β2 (default: (0.9, 0.999)).
        eps (float): ε (default: 1e-8).
        weight_decay (float): weight decay λ (default: 0).
        momentum_decay (float): ψ (default: 4e-3).
        decoupled_weight_decay (bool): decay θ directly, as AdamW does (default: False).
        maximize (bool): maximize the objective instead of minimizing it (default: False).

    State per parameter: ``step``, ``mu_product`` (∏ μ_i, a 0-d float32 tensor as in PyTorch), ``exp_avg``,
    ``exp_avg_sq``.
    """

    def __init__(self, params, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam_args(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        _check_not_supported("NAdam", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    @staticmethod
    def _init_state(p, group):
        """The state at the first step: t = 0, the empty product ∏ μ_i = 1, m_0 = v_0 = 0."""
        mu_product = _step_counter()
        mu_product._data += 1
        return {"step": _step_counter(), "mu_product": mu_product, "exp_avg": _zeros_like(p),
                "exp_avg_sq": _zeros_like(p)}

    def step(self, closure=None):
        """Perform one optimization step (see the algorithm in the class docstring)."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = _to_float(group["lr"]), group["betas"], group["eps"], group["weight_decay"]
            psi = group["momentum_decay"]
            for theta, g, state in self._params_with_grad(group, self._init_state):
                t = _next_step(state)
                bias_correction2 = 1 - beta2 ** t
                g = _weight_decay(theta, g, lr, wd, group["decoupled_weight_decay"])
                m, v, mu_product = state["exp_avg"]._data, state["exp_avg_sq"]._data, state["mu_product"]._data
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
                mu_product *= mu  # kept in float32 like PyTorch's state tensor, so checkpoints agree
                m += (1 - beta1) * (g - m)
                v *= beta2
                v += (1 - beta2) * g * g
                denom = np.sqrt(v / bias_correction2) + eps
                mu_product_next = float(mu_product) * mu_next
                theta += (-lr * (1.0 - mu) / (1.0 - float(mu_product))) * (g / denom)
                theta += (-lr * mu_next / (1.0 - mu_product_next)) * (m / denom)
        return loss
