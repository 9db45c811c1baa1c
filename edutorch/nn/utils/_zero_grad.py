"""The one ``zero_grad`` that ``Module.zero_grad`` and ``Optimizer.zero_grad`` both call."""
from __future__ import annotations


def zero_grad_(params, set_to_none: bool = True) -> None:
    """Forget the gradients of ``params``: ``p.grad = None`` (the default), or fill them with zeros.

    ``None`` saves memory, and an optimizer's ``step()`` then skips parameters that got no gradient.
    Zero-filling keeps the gradient tensor itself (first cut off from any graph a
    ``backward(create_graph=True)`` gave it), so references to ``p.grad`` stay valid.
    """
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
            continue
        if p.grad.grad_fn is not None:
            p.grad.detach_()
        else:
            p.grad.requires_grad_(False)
        p.grad.zero_()
