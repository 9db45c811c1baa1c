"""``torch.autograd.functional``: derivatives of a whole function -- jacobian, hessian, vjp, jvp, vhp, hvp.

For f: R^n -> R^m the Jacobian J (m x n) holds every first derivative, J[i, j] = d f_i / d x_j. Backward
never builds J: one backward pass computes one **vector-Jacobian product** v^T J (m numbers in, n out),
the gradient of <v, f(x)>. ``loss.backward()`` is the case m = 1, v = 1. Everything here is built
from that one operation, ``torch.autograd.grad``:

    vjp(f, x, v)     v^T J                   one backward pass
    jacobian(f, x)   J                       m backward passes, v = each one-hot row in turn
    jvp(f, x, v)     J v                     the "double backward trick": J v = d/du (u^T J) v, with
                                             u^T J computed by a backward that records its own graph
    hessian(f, x)    H = the Jacobian of the gradient (f scalar): jacobian of grad(f) with create_graph
    vhp(f, x, v)     v^T H                   a backward through the gradient
    hvp(f, x, v)     H v                     = (v^T H)^T, since H is symmetric

``inputs`` is a tensor or a tuple of tensors and ``func`` may return a tensor or a tuple of tensors;
results follow that structure, as in PyTorch: ``jacobian`` of a tuple of outputs by a tuple of inputs
is a tuple (per output) of tuples (per input) of tensors shaped output.shape + input.shape. The
functions see detached copies of the inputs; the results are detached unless ``create_graph=True``.
With ``strict=True`` an output that does not depend on an input is an error instead of zeros.

Second derivatives need a backward that can itself be differentiated: in edutorch that holds for
elementwise ops, matmul, sums, shape ops, solve and inv (see ``double_backward`` on each op).
``vectorize`` is accepted and changes nothing: edutorch has no vmap, so the Jacobian's rows are one
backward each (PyTorch's ``vectorize=False`` algorithm).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import _tensor
from .grad_mode import enable_grad

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


# ------------------------------------------------------------------------------- arguments, results
def _as_tuple(value, what: str, fn: str) -> tuple:
    """(was it a tuple?, the tensors as a tuple); PyTorch's TypeError for anything but tensors."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, _tensor.Tensor):
            where = f"value at index {i}" if is_tuple else f"given {what}"
            raise TypeError(f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but the "
                            f"{where} has type {type(item)}.")
    return is_tuple, items


def _prepare(tensors: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Fresh leaves to differentiate by; with create_graph, inputs that require grad stay connected to
    their graph (a view), so the result can be differentiated with respect to them too."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad else t.detach().requires_grad_(need_graph)
                 for t in tensors)


def _finish(result, create_graph: bool):
    """Detach the results (nested tuples too) unless the caller wants to differentiate them again."""
    if isinstance(result, tuple):
        return tuple(_finish(r, create_graph) for r in result)
    return result if create_graph else result.detach()


def _unpack(result: tuple, is_tuple):
    """Return a single tensor where the user gave a single tensor. ``is_tuple`` is one flag, or a pair
    (outputs were a tuple, inputs were a tuple) for the nested results of jacobian and hessian."""
    if isinstance(is_tuple, tuple):
        outputs_tuple, inputs_tuple = is_tuple
        if not inputs_tuple:
            result = tuple(per_output[0] for per_output in result)
        return result if outputs_tuple else result[0]
    return result if is_tuple else result[0]


def _check_v(v: tuple, others: tuple, others_tuple: bool) -> None:
    if len(v) != len(others):
        if others_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(others)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (vi, other) in enumerate(zip(v, others)):
        if vi.shape != other.shape:
            where = f"Entry {i} in " if others_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {other.shape} but got {vi.shape}.")


def _check_outputs_require_grad(outputs: tuple, strict: bool) -> None:
    for i, out in enumerate(outputs):
        if strict and not out.requires_grad:
            raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The outputs "
                               "must be computed in a differentiable manner from the input when running in strict "
                               "mode.")


def _grad(outputs: tuple, inputs: tuple, grad_outputs=None, create_graph: bool = False,
          retain_graph=None) -> tuple:
    """autograd.grad over the outputs that require grad; None for inputs no output depends on."""
    from . import grad

    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs], retain_graph=retain_graph,
                create_graph=create_graph, allow_unused=True)


def _zeros_for_unused(grads: tuple, refs: tuple, strict: bool, create_graph: bool, independent: str) -> tuple:
    """Zeros where an input was not used (an error in strict mode, worded by ``independent``)."""
    result = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(independent.format(i=i))
            g = _tensor.Tensor._make(np.zeros(ref.shape, dtype=ref._data.dtype))
        elif strict and create_graph and not g.requires_grad:
            raise RuntimeError(f"The jacobian of the user-provided function is independent of input {i}. This is "
                               "not allowed in strict mode when create_graph=True.")
        result.append(g)
    return tuple(result)


def _single_element_output(outputs: tuple, is_tuple: bool, fn: str) -> None:
    if is_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain a single element")


# ---------------------------------------------------------------------------------------- vjp, jvp
def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): one backward pass with ``v`` as the outputs' gradient. ``v`` may be
    omitted only when func returns a single number (then v = 1 and v^T J is the gradient)."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        _check_outputs_require_grad(outputs, strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = _prepare(v, create_graph, need_graph=False)
            _check_v(v, outputs, outputs_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                               "Tensor with a single element.")
        grads = _grad(outputs, inputs, v, create_graph)
        vjp_ = _zeros_for_unused(grads, inputs, strict, create_graph, "The output of the user-provided function "
                                 "is independent of input {i}. This is not allowed in strict mode.")
    return _unpack(_finish(outputs, create_graph), outputs_tuple), _unpack(_finish(vjp_, create_graph),
                                                                           inputs_tuple)


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v), by the double backward trick: g(u) = u^T J is linear in u, so its own
    vector-Jacobian product with v, d<g(u), v>/du, is J v (for any u; zeros are used)."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", "jvp")
            v = _prepare(v, create_graph, need_graph=False)
            _check_v(v, inputs, inputs_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        _check_outputs_require_grad(outputs, strict)
        u = tuple(_tensor.Tensor._make(np.zeros(o.shape, dtype=o._data.dtype), requires_grad=True) for o in outputs)
        u_t_jacobian = _grad(outputs, inputs, u, create_graph=True)  # a function of u, recorded
        for i, g in enumerate(u_t_jacobian):
            if strict and g is not None and not g.requires_grad:
                raise RuntimeError(f"The gradient with respect to input {i} is independent of the inputs of the "
                                   "user-provided function. This is not allowed in strict mode.")
        grads = _grad(u_t_jacobian, u, v, create_graph)
        jvp_ = _zeros_for_unused(grads, outputs, strict, create_graph, "The gradient with respect to the input is "
                                 "independent of entry {i} in the grad_outputs when using the double backward "
                                 "trick to compute forward mode gradients. This is not allowed in strict mode.")
    return _unpack(_finish(outputs, create_graph), outputs_tuple), _unpack(_finish(jvp_, create_graph),
                                                                           outputs_tuple)


# ---------------------------------------------------------------------------------------- jacobian
def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian of func at inputs: for each output and input, a tensor of shape output.shape +
    input.shape whose [i..., j...] entry is d output[i...] / d input[j...]. Row by row: one backward
    per output element, with a one-hot ``v`` picking that element (so each row is a vjp)."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("torch.autograd.functional.jacobian does not support create_graph=True "
                                      "with strategy='forward-mode'")
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                      "only implemented for `vectorize=True`.")
    # (forward-mode with vectorize=True gives the same numbers; edutorch computes them in reverse mode)
    Tensor = _tensor.Tensor
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jacobian")
        _check_outputs_require_grad(outputs, strict)
        result = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]  # rows[j]: d out[k] / d inputs[j] for k = 0, 1, ...
            for k in range(out.numel()):
                one_hot = np.zeros(out.numel(), dtype=out._data.dtype)
                one_hot[k] = 1
                grads = _grad((out,), inputs, (Tensor._make(one_hot.reshape(out.shape)),), create_graph,
                              retain_graph=True)
                grads = _zeros_for_unused(grads, inputs, strict, create_graph, f"Output {i} of the user-provided "
                                          "function is independent of input {i}. This is not allowed in strict "
                                          "mode.")
                for j, g in enumerate(grads):
                    rows[j].append(g)
            result.append(tuple(_stack_rows(rows[j], out, inp) for j, inp in enumerate(inputs)))
    return _unpack(_finish(tuple(result), create_graph), (outputs_tuple, inputs_tuple))


def _stack_rows(rows: list, out, inp):
    """The rows of one Jacobian block as a tensor of shape out.shape + inp.shape."""
    from ..ops.shape import stack

    shape = tuple(out.shape) + tuple(inp.shape)
    if not rows:  # an empty output has an empty Jacobian
        return _tensor.Tensor._make(np.zeros(shape, dtype=inp._data.dtype))
    return stack(rows).reshape(shape)


# ------------------------------------------------------------------------------ hessian, vhp, hvp
def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a function with one output number: H[i..., j...] = d^2 f / d x[i...] d x[j...],
    computed as the Jacobian of the gradient (which is computed with create_graph=True). For a tuple of
    inputs, a tuple of tuples: block [a][b] holds d^2 f / d inputs[a] d inputs[b]."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def single_output(*args):
        out = func(*args)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_outputs_require_grad(outs, strict)
        _single_element_output(outs, out_tuple, "hessian")
        return outs[0].squeeze()

    def gradient(*args):
        grads = jacobian(single_output, args, create_graph=True)
        for i, g in enumerate(grads):
            if strict and not g.requires_grad:
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided function with "
                    f"respect to input {i} is independent of the input. This is not allowed in strict mode. You "
                    "should ensure that your function is twice differentiable and that the jacobian depends on "
                    "the inputs (this would be violated by a linear function for example).")
        return grads

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                      strategy=outer_jacobian_strategy)
    return _unpack(result, (inputs_tuple, inputs_tuple))


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H) for a function with one output number: a backward pass through the
    gradient g(x), with ``v`` as g's gradient -- the Hessian is never formed."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v). H is symmetric (second derivatives commute), so H v = (v^T H)^T: computed
    as vhp. (PyTorch uses the double backward trick here; the numbers are the same.)"""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph: bool, strict: bool, fn: str):
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn)
        inputs = _prepare(inputs, create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", fn)
            v = _prepare(v, create_graph, need_graph=False)
            _check_v(v, inputs, inputs_tuple)
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        outputs = func(*inputs)
        outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", fn)
        _check_outputs_require_grad(outputs, strict)
        _single_element_output(outputs, outputs_tuple, fn)
        gradient = _grad(outputs, inputs, create_graph=True)
        for i, g in enumerate(gradient):
            if strict and g is not None and not g.requires_grad:
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided function with "
                    f"respect to input {i} is independent of the input. This is not allowed in strict mode. You "
                    "should ensure that your function is twice differentiable and that the jacobian depends on "
                    "the inputs (this would be violated by a linear function for example).")
        grads = _grad(gradient, inputs, v, create_graph)
        product = _zeros_for_unused(grads, inputs, strict, create_graph, "The jacobian of the user-provided "
                                    "function is independent of input {i}. This is not allowed in strict mode.")
    return _unpack(_finish(outputs, create_graph), outputs_tuple), _unpack(_finish(product, create_graph),
                                                                           inputs_tuple)
