"""How an in-place op rewrites the graph: ``x.add_(1)``, ``x.mul_(2)``, ``x[0] = 5``.

An in-place op is computed out of place first (``result = x + 1`` records an ``AddBackward0`` node as
usual), then ``assign`` writes the numbers back into ``x``'s own storage and hands ``result``'s history
to ``x``. Three things make this safe:

1. The version counter. Every write bumps ``x._version``. Nodes that saved ``x`` remember the version
   they saw, so backward raises PyTorch's "modified by an inplace operation" error instead of using
   wrong numbers.
2. Leaves. Writing into a leaf that requires grad would lose the value its gradient is about, so it is
   an error (inside ``torch.no_grad()`` it is the normal way to update weights).
3. Views. Writing into a view ``v = x[0]`` changes ``x`` too, so ``x``'s history must change as well:
   ``x.grad_fn`` becomes ``CopySlices``, which routes the gradient of the written part into the new
   value's graph and the rest into ``x``'s old graph.
"""
from __future__ import annotations

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import SavedValue, replay_view
from ..autograd.graph import Node, gradient_edge


def assign(self, result, check_leaf: bool = True):
    """Make ``self`` hold ``result`` (same shape) in its own storage, taking over result's history."""
    recording = grad_mode.is_grad_enabled() and result.requires_grad
    _check_writable(self, check_leaf)
    if tuple(result.shape) != tuple(self.shape):
        raise RuntimeError(
            f"output with shape {list(self.shape)} doesn't match the broadcast shape {list(result.shape)}"
        )
    if result.dtype._category > self.dtype._category:
        raise RuntimeError(
            f"result type {result.dtype._c_name} can't be cast to the desired output type "
            f"{self.dtype._c_name}"
        )
    if recording and self._base is not None and any(step[3] is not None for step in self._view_chain):
        # PyTorch forbids it: one node made several views (split, chunk, unbind), so there is no single
        # view function to rebase the history on.
        cls, _, _, nr = self._view_chain[-1]
        raise RuntimeError(
            f"Output {nr or 0} of {cls.__name__} is a view and is being modified inplace. This view is the "
            "output of a function that returns multiple views. Such functions do not allow the output views "
            "to be modified inplace. You should replace the inplace operation by an out-of-place one."
        )
    if recording:
        _unshare_saved(result.grad_fn, self)
    np.copyto(self._data, result._data, casting="unsafe")
    self._bump_version()
    if recording:
        if self._base is not None:
            _rebase_view(self, result)
        else:
            self.grad_fn, self._output_nr, self._requires_grad = result.grad_fn, result._output_nr, True
    return self


def _check_writable(self, check_leaf: bool) -> None:
    if self._is_inference and not grad_mode.is_inference_mode_enabled():
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
            "clone to get a normal tensor before doing inplace update."
        )
    if check_leaf and grad_mode.is_grad_enabled():
        if self.is_leaf and self.requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation. "
                "(Update weights inside `with torch.no_grad():`, or clone() the tensor first.)"
            )
        base = self._base
        if base is not None and base.is_leaf and base.requires_grad:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place operation."
            )
    if not self._data.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a single "
            "memory location. Please clone() the tensor before performing the operation."
        )


def _unshare_saved(node, tensor) -> None:
    """If the op that computed the new value saved ``tensor`` itself, keep a copy of the old numbers:
    they are about to be overwritten (PyTorch's in-place ops save ``original_self`` alike)."""
    for i, saved in enumerate(getattr(node, "_saved", None) or ()):
        if saved.tensor is tensor:
            node._saved[i] = SavedValue(tensor._data.copy())


def _rebase_view(view, result) -> None:
    """A write through a view: the base's history becomes CopySlices(old history, new value)."""
    base = view._base
    copy = CopySlices(gradient_edge(base), view._view_chain, base.shape, base.dtype,
                      (result.grad_fn, result._output_nr))
    base.grad_fn, base._output_nr, base._requires_grad = copy, 0, True
    view.grad_fn = AsStridedBackward0(copy, view._view_chain, base.shape, base.dtype, view.shape)
    view._output_nr, view._requires_grad = 0, True


class CopySlices(Node):
    """The base's node after a write through one of its views.

    backward: the gradient of the base splits in two. The part under the view flows to the value that
    was written (``grad[view]``); the rest flows to the base's old history with the view's part zeroed,
    since those old numbers were overwritten.
    """

    def __init__(self, base_edge, view_chain, base_shape, base_dtype, value_edge):
        super().__init__()
        self.next_functions = (base_edge, value_edge)
        self._chain = view_chain
        self._output_meta = ((tuple(base_shape), base_dtype.to_numpy()),)

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def apply(self, grad_outputs, create_graph):
        if create_graph:
            raise RuntimeError("CopySlices does not support double backward (create_graph=True) in edutorch")
        grad = np.asarray(grad_outputs[0])
        grad_base = np.array(grad, order="C", copy=True)
        replay_view(self._chain, grad_base)[...] = 0
        grad_value = np.array(replay_view(self._chain, grad), copy=True)
        return grad_base, grad_value


class AsStridedBackward0(Node):
    """The node of a view after a write through it: its gradient is placed into a base-shaped zero
    array at the view's position, and flows into the base's (new) history."""

    def __init__(self, base_node, view_chain, base_shape, base_dtype, view_shape):
        super().__init__()
        self.next_functions = ((base_node, 0),)
        self._chain = view_chain
        self._base_meta = (tuple(base_shape), base_dtype.to_numpy())
        self._output_meta = ((tuple(view_shape), base_dtype.to_numpy()),)

    def apply(self, grad_outputs, create_graph):
        if create_graph:
            raise RuntimeError("AsStridedBackward0 does not support double backward in edutorch")
        shape, dtype = self._base_meta
        grad_base = np.zeros(shape, dtype=dtype)
        replay_view(self._chain, grad_base)[...] = grad_outputs[0]
        return (grad_base,)
