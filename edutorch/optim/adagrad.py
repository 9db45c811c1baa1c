"""``Adagrad``: each coordinate's step shrinks with the sum of its squared gradients so far."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _check_lr, _check_not_supported, _next_step, _step_counter, _to_float, \
    _weight_decay

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011).

    The update, for each parameter θ::

        input: γ (lr), λ (weight_decay), τ (initial_accumulator_value), η (lr_decay), ε (eps), maximize
        initialize: state_sum_0 ← τ
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            γ̃ ← γ / (1 + (t - 1) η)                     (optional decay of the learning rate)
            if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}
            state_sum_t ← state_sum_{t-1} + g_t²        (never forgets: steps only ever shrink)
            θ_t ← θ_{t-1} - γ̃ g_t / (√state_sum_t + ε)

    Rarely-updated coordinates keep large steps, which suits sparse features; on long dense training
    runs the ever-growing sum stalls learning (RMSprop and Adam replace it by a running average).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate γ (default: 1e-2).
        lr_decay (float): learning-rate decay η (default: 0).
        weight_decay (float): L2 penalty λ (default: 0).
        initial_accumulator_value (float): starting value τ of the sum of squares (default: 0).
        eps (float): ε added to the denominator (default: 1e-10).
        maximize (bool): maximize the objective instead of minimizing it (default: False).

    State per parameter (created at construction, as in PyTorch): ``step`` and ``sum``.
    """

    def __init__(self, params, lr: float | Tensor = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_not_supported("Adagrad", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_counter()
                state["sum"] = Tensor._make(np.full_like(p._data, group["initial_accumulator_value"]))

    def step(self, closure=None):
        """Perform one optimization step (see the algorithm in the class docstring)."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, wd = _to_float(group["lr"]), group["lr_decay"], group["eps"], group["weight_decay"]
            for theta, g, state in self._params_with_grad(group):  # the state was made in __init__
                state_sum = state["sum"]._data
                t = _next_step(state)
                g = _weight_decay(theta, g, lr, wd)
                clr = lr / (1 + (t - 1) * lr_decay)
                state_sum += g * g
                std = np.sqrt(state_sum) + eps
                theta -= clr * (g / std)
        return loss
