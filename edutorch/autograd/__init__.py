"""``edutorch.autograd``: backward, grad, Function, grad modes and finite-difference checks."""
from __future__ import annotations

import numpy as np

from .anomaly_mode import detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly
from .function import Function, NumpyFunction, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .graph import AccumulateGrad, Node, gradient_edge, run_backward
# _tensor imports autograd: Tensor is looked up on the module when a function runs.
from .. import _tensor

__all__ = ["backward", "grad", "Function", "NumpyFunction", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled", "gradcheck",
           "gradgradcheck", "Node", "AccumulateGrad", "detect_anomaly", "set_detect_anomaly",
           "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]


def _as_list(x) -> list:
    if x is None:
        return []
    return [x] if isinstance(x, _tensor.Tensor) else list(x)


def _root_gradients(outputs: list, grad_outputs: list, create_graph: bool) -> list:
    """The gradient each root starts with: ones for a scalar, else the one the user passed."""
    Tensor = _tensor.Tensor

    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs + [None] * len(outputs))):
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs: the output has shape "
                    f"{list(out.shape)}; pass gradient= (e.g. torch.ones_like(output)) or reduce it first "
                    "(output.sum())"
                )
            g = np.ones(out.shape, dtype=out._data.dtype)
        else:
            if not isinstance(g, Tensor):
                g = Tensor._make(np.asarray(g, dtype=out._data.dtype))
            if tuple(g.shape) != tuple(out.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has "
                    f"a shape of {out.shape}."
                )
            g = g if create_graph else g._data
        grads.append(Tensor._make(g) if create_graph and not isinstance(g, Tensor) else g)
    return grads


def _edges(outputs: list) -> list:
    return [gradient_edge(o) for o in outputs]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             inputs=None) -> None:
    """Add d(tensors)/d(leaf) into ``leaf.grad`` for every leaf of the graph (or only ``inputs``)."""
    outputs = _as_list(tensors)
    grads = _root_gradients(outputs, _as_list(grad_tensors), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    input_list = _as_list(inputs) if inputs is not None else None
    if input_list is not None and not input_list:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(_edges(outputs), grads, retain_graph, create_graph, inputs=input_list, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         allow_unused=None, materialize_grads: bool = False):
    """Return d(outputs)/d(inputs) as a tuple, without touching any ``.grad``.

    With ``create_graph=True`` the result has its own graph, so it can be differentiated again.
    """
    Tensor = _tensor.Tensor

    out_list = _as_list(outputs)
    in_list = _as_list(inputs)
    for i, t in enumerate(in_list):
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _root_gradients(out_list, _as_list(grad_outputs), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    captured = run_backward(_edges(out_list), grads, retain_graph, create_graph, inputs=in_list,
                            accumulate=False)
    result = []
    for t, g in zip(in_list, captured):
        if g is None:
            if materialize_grads:
                result.append(Tensor._make(np.zeros(t.shape, dtype=t._data.dtype)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        else:
            result.append(g if isinstance(g, Tensor) else Tensor._make(np.array(g, copy=True)))
    return tuple(result)


from . import functional  # noqa: E402  (torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp)
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
