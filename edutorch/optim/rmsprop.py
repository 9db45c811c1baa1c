"""``RMSprop``: divide the gradient by a running root-mean-square of recent gradients."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _check_lr, _check_not_supported, _next_step, _step_counter, _to_float, \
    _weight_decay, _zeros_like

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes, 2012), optionally centered and with momentum.

    The update, for each parameter θ::

        input: α (alpha), γ (lr), λ (weight_decay), μ (momentum), centered, ε (eps), maximize
        initialize: v_0 ← 0 (square average), b_0 ← 0 (buffer), g^ave_0 ← 0
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}
            v_t ← α v_{t-1} + (1 - α) g_t²              (running mean of the squared gradient)
            ṽ_t ← v_t
            if centered:
                g^ave_t ← α g^ave_{t-1} + (1 - α) g_t
                ṽ_t ← ṽ_t - (g^ave_t)²                 (a running variance instead)
            if μ > 0:
                b_t ← μ b_{t-1} + g_t / (√ṽ_t + ε)
                θ_t ← θ_{t-1} - γ b_t
            else:
                θ_t ← θ_{t-1} - γ g_t / (√ṽ_t + ε)

    Unlike Adagrad the average forgets (α = 0.99 remembers about 100 steps), so steps do not stall.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate γ (default: 1e-2).
        alpha (float): smoothing constant α (default: 0.99).
        eps (float): ε added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty λ (default: 0).
        momentum (float): momentum factor μ (default: 0).
        centered (bool): normalise by the estimated variance of the gradient (default: False).
        maximize (bool): maximize the objective instead of minimizing it (default: False).

    State per parameter: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0), ``grad_avg`` (centered).
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_not_supported("RMSprop", capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    @staticmethod
    def _init_state(p, group):
        """The state at the first step: t = 0, v_0 = 0, and b_0 = 0 with momentum, g^ave_0 = 0 when centered."""
        state = {"step": _step_counter(), "square_avg": _zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)
        return state

    def step(self, closure=None):
        """Perform one optimization step (see the algorithm in the class docstring)."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps, wd, mu = (_to_float(group["lr"]), group["alpha"], group["eps"], group["weight_decay"],
                                      group["momentum"])
            for theta, g, state in self._params_with_grad(group, self._init_state):
                _next_step(state)
                g = _weight_decay(theta, g, lr, wd)
                v = state["square_avg"]._data
                v *= alpha
                v += (1 - alpha) * g * g
                if group["centered"]:
                    g_ave = state["grad_avg"]._data
                    g_ave += (1 - alpha) * (g - g_ave)
                    avg = np.sqrt(v - g_ave * g_ave) + eps
                else:
                    avg = np.sqrt(v) + eps
                if mu > 0:
                    b = state["momentum_buffer"]._data
                    b *= mu
                    b += g / avg
                    theta -= lr * b
                else:
                    theta -= lr * (g / avg)
        return loss
