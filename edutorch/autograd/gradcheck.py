"""Check a backward against finite differences: ``gradcheck`` and ``gradgradcheck``.

The numerical derivative of f at x along element i is the central difference

    (f(x + eps e_i) - f(x - eps e_i)) / (2 eps),

accurate to O(eps^2). Rounding error grows like 1/eps, so use float64 inputs (eps = 1e-6): in float32
the two errors cannot both be made small, which is why PyTorch's gradcheck also asks for doubles.
The analytical Jacobian comes from backward: one backward per output element, with a one-hot gradient.
"""
from __future__ import annotations

import warnings

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical gradients disagree."""


def _as_tuple(x) -> tuple:
    return x if isinstance(x, tuple) else (x,) if not isinstance(x, list) else tuple(x)


def _outputs(func, inputs) -> tuple:
    from .._tensor import Tensor

    return tuple(o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor))


def _numerical_jacobian(func, inputs, wrt: int, eps: float) -> list:
    """d(each output)/d(inputs[wrt]) by central differences, as (out.numel(), in.numel()) arrays."""
    x = inputs[wrt]._data
    flat = x.reshape(-1)  # a view: writing into it perturbs the input in place
    columns = []
    # Grad mode stays on: ``func`` may itself differentiate (gradgradcheck's first derivative does).
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
        flat[i] = original - eps
        minus = [o._data.astype(np.float64).ravel() for o in _outputs(func, inputs)]
        flat[i] = original
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(_outputs(func, inputs))
    return [np.stack([c[k] for c in columns], axis=1) if columns else np.zeros((0, 0)) for k in range(n_out)]


def _analytical_jacobian(func, inputs, wrt: int) -> list:
    """d(each output)/d(inputs[wrt]) from backward, one one-hot output gradient at a time."""
    from .._tensor import Tensor
    from . import grad as autograd_grad

    outputs = _outputs(func, inputs)
    jacobians = []
    for out in outputs:
        rows = []
        for j in range(out.numel()):
            if not out.requires_grad:
                rows.append(np.zeros(inputs[wrt].numel()))
                continue
            one_hot = np.zeros(out.numel(), dtype=out._data.dtype)
            one_hot[j] = 1
            (g,) = autograd_grad(out, inputs[wrt], Tensor._make(one_hot.reshape(out.shape)),
                                 retain_graph=True, allow_unused=True)
            rows.append(np.zeros(inputs[wrt].numel()) if g is None else g._data.astype(np.float64).ravel())
        jacobians.append(np.stack(rows) if rows else np.zeros((0, inputs[wrt].numel())))
    return jacobians


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **unused) -> bool:
    """True if ``func``'s backward matches finite differences for every input that requires grad."""
    inputs = _as_tuple(inputs)
    checked = [i for i, t in enumerate(inputs) if getattr(t, "requires_grad", False)]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "the them have requires_grad=True.")
    for i in checked:
        if inputs[i].dtype._name != "float64":
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision floating point.",
                UserWarning, stacklevel=2,
            )
    for i in checked:
        numerical = _numerical_jacobian(func, inputs, i, eps)
        analytical = _analytical_jacobian(func, inputs, i)
        for k, (num, ana) in enumerate(zip(numerical, analytical)):
            if not np.allclose(ana, num, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"numerical:{num}\nanalytical:{ana}\n"
                )
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **unused) -> bool:
    """gradcheck of the gradient itself: checks a backward built with ``create_graph=True``."""
    from .._tensor import Tensor
    from . import grad as autograd_grad

    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._make(rng.standard_normal(o.shape).astype(o._data.dtype), requires_grad=True)
            for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)

    def first_derivative(*args):
        ins, gos = args[:len(inputs)], args[len(inputs):]
        outs = _outputs(func, ins)
        diff = [t for t in ins if getattr(t, "requires_grad", False)]
        grads = autograd_grad(outs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
