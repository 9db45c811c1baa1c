"""``SGD``: stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""
from __future__ import annotations

from .._tensor import Tensor
from .optimizer import Optimizer, _check_lr, _check_not_supported, _to_float, _weight_decay

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    The update, for each parameter θ with gradient ∇f(θ)::

        input: γ (lr), λ (weight_decay), μ (momentum), τ (dampening), nesterov, maximize
        for t = 1, 2, ...:
            g_t ← -∇f(θ_{t-1})  if maximize  else  ∇f(θ_{t-1})
            if λ ≠ 0:   g_t ← g_t + λ θ_{t-1}                 (L2 penalty, folded into the gradient)
            if μ ≠ 0:
                b_t ← g_t                   if t = 1
                b_t ← μ b_{t-1} + (1-τ) g_t  otherwise        (the momentum buffer: a running sum)
                g_t ← g_t + μ b_t  if nesterov  else  b_t    (Nesterov looks one step ahead)
            θ_t ← θ_{t-1} - γ g_t

    PyTorch's momentum differs from Sutskever et al.: the learning rate multiplies the buffer instead of
    being folded into it, and the buffer starts at the first gradient (so dampening applies from t = 2).

    Args:
        params (iterable): parameters to optimize, or dicts defining parameter groups.
        lr (float): learning rate (default: 1e-3).
        momentum (float): momentum factor μ (default: 0).
        dampening (float): dampening τ for momentum (default: 0).
        weight_decay (float): L2 penalty λ (default: 0).
        nesterov (bool): use Nesterov momentum (needs momentum > 0 and dampening = 0) (default: False).
        maximize (bool): maximize the objective instead of minimizing it (default: False).
        foreach, differentiable, fused: PyTorch's implementation switches; kept for compatibility.

    Example:
        >>> optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> optimizer.zero_grad()
        >>> loss_fn(model(input), target).backward()
        >>> optimizer.step()

    State per parameter: ``momentum_buffer`` (only when momentum ≠ 0).
    """

    def __init__(self, params, lr: float | Tensor = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_not_supported("SGD", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one optimization step (see the algorithm in the class docstring)."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr, mu, tau, wd = _to_float(group["lr"]), group["momentum"], group["dampening"], group["weight_decay"]
            for theta, g, state in self._params_with_grad(group, with_state=mu != 0):
                g = _weight_decay(theta, g, lr, wd)
                if mu != 0:
                    if state.get("momentum_buffer") is None:  # t = 1
                        state["momentum_buffer"] = Tensor._make(g.copy())
                        b = state["momentum_buffer"]._data
                    else:
                        b = state["momentum_buffer"]._data
                        b *= mu
                        b += (1 - tau) * g
                    g = g + mu * b if group["nesterov"] else b
                theta -= lr * g
        return loss
