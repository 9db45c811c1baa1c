"""``Adam``: momentum on the gradient, divided by a running RMS of the gradient, with bias correction."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _check_adam_args, _check_not_supported, _next_step, _step_counter, _to_float,
                        _weight_decay, _zeros_like)

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), optionally with AMSGrad.

    The update, for each parameter θ::

        input: γ (lr), β1, β2 (betas), ε (eps), λ (weight_decay), amsgrad, maximize
        initialize: m_0 ← 0 (first moment), v_0 ← 0 (second moment), v_0^max ← 0
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}        (AdamW instead shrinks θ: θ ← θ - γλθ)
            m_t ← β1 m_{t-1} + (1 - β1) g_t           (running mean of the gradient)
            v_t ← β2 v_{t-1} + (1 - β2) g_t²          (running mean of its square)
            m̂_t ← m_t / (1 - β1^t)                    (both start at 0: bias correction undoes that)
            if amsgrad:
                v_t^max ← max(v_{t-1}^max, v_t)
                v̂_t ← v_t^max / (1 - β2^t)
            else:
                v̂_t ← v_t / (1 - β2^t)
            θ_t ← θ_{t-1} - γ m̂_t / (√v̂_t + ε)

    Every coordinate moves by about γ at most, whatever the scale of its gradient: that is why Adam
    needs so little tuning.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate γ (default: 1e-3).
        betas (tuple[float, float]): decay rates β1, β2 of the running averages (default: (0.9, 0.999)).
        eps (float): ε added to the denominator for numerical stability (default: 1e-8).
        weight_decay (float): L2 penalty λ (default: 0).
        amsgrad (bool): use the AMSGrad variant (default: False).
        maximize (bool): maximize the objective instead of minimizing it (default: False).
        decoupled_weight_decay (bool): decay θ directly, as AdamW does (default: False).
        foreach, capturable, differentiable, fused: PyTorch's implementation switches; kept for compatibility.

    State per parameter: ``step`` (a 0-d float tensor), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    amsgrad, ``max_exp_avg_sq`` (v^max).
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_adam_args(lr, eps, betas, weight_decay)
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        _check_not_supported(type(self).__name__, capturable=capturable, differentiable=differentiable,
                             fused=fused)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    @staticmethod
    def _init_state(p, group):
        """The state at the first step: t = 0, m_0 = v_0 (= v_0^max) = 0."""
        state = {"step": _step_counter(), "exp_avg": _zeros_like(p), "exp_avg_sq": _zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p)
        return state

    def step(self, closure=None):
        """Perform one optimization step (see the algorithm in the class docstring)."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = _to_float(group["lr"]), group["betas"], group["eps"], group["weight_decay"]
            for theta, g, state in self._params_with_grad(group, self._init_state):
                t = _next_step(state)
                g = _weight_decay(theta, g, lr, wd, group["decoupled_weight_decay"])
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                m += (1 - beta1) * (g - m)  # = β1 m + (1-β1) g, written as PyTorch's lerp
                v *= beta2
                v += (1 - beta2) * g * g

                bias_correction1 = 1 - beta1 ** t
                bias_correction2 = 1 - beta2 ** t
                step_size = lr / bias_correction1
                if group["amsgrad"]:
                    v_max = state["max_exp_avg_sq"]._data
                    np.maximum(v_max, v, out=v_max)
                    denom = np.sqrt(v_max) / bias_correction2 ** 0.5 + eps
                else:
                    denom = np.sqrt(v) / bias_correction2 ** 0.5 + eps
                theta -= step_size * (m / denom)
        return loss
