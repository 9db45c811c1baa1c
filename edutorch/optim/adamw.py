"""``AdamW``: Adam with decoupled weight decay (Loshchilov & Hutter, 2019)."""
from __future__ import annotations

from .._tensor import Tensor
from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""Adam whose weight decay shrinks the parameters directly instead of being added to the gradient.

    The update, for each parameter θ::

        input: γ (lr), β1, β2 (betas), ε (eps), λ (weight_decay), amsgrad, maximize
        initialize: m_0 ← 0, v_0 ← 0, v_0^max ← 0
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            θ_t ← θ_{t-1} - γ λ θ_{t-1}                 (decay first, outside the adaptive scaling)
            m_t ← β1 m_{t-1} + (1 - β1) g_t
            v_t ← β2 v_{t-1} + (1 - β2) g_t²
            m̂_t ← m_t / (1 - β1^t)
            v̂_t ← max(v_{t-1}^max, v_t) / (1 - β2^t)  if amsgrad  else  v_t / (1 - β2^t)
            θ_t ← θ_t - γ m̂_t / (√v̂_t + ε)

    Why decouple: in Adam an L2 term λθ in the gradient is divided by √v̂ like everything else, so
    weights with large gradients are barely regularised. AdamW applies the same relative decay γλ to
    every weight. It is ``Adam(..., decoupled_weight_decay=True)`` with a default λ of 1e-2; the code
    of the step is Adam's.

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate γ (default: 1e-3).
        betas (tuple[float, float]): β1, β2 (default: (0.9, 0.999)).
        eps (float): ε (default: 1e-8).
        weight_decay (float): decoupled weight decay λ (default: 1e-2).
        amsgrad (bool): use the AMSGrad variant (default: False).
        maximize (bool): maximize the objective instead of minimizing it (default: False).

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq`` (and ``max_exp_avg_sq`` with amsgrad).
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:  # an AdamW always decouples, whatever a loaded checkpoint says
            group["decoupled_weight_decay"] = True
