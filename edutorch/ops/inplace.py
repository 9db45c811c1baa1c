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
   value's graph and the rest into ``x``'s old graph. Every other view of ``x`` (and ``v`` itself)
   now reads new numbers too: its ``grad_fn`` is remade from ``x``'s new history the next time it is
   read (``regenerate_view_history``). A view knows its base (``_base``), how to make itself from
   the base (``_view_chain``) and the version its node was made at (``_view_version``): that is all
   the machinery.
"""
from __future__ import annotations

import re

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
    if recording and self._view_no_grad:
        raise RuntimeError(_NO_GRAD_VIEW_WRITTEN)
    if recording:
        _unshare_saved(result._grad_fn, self)
    np.copyto(self._data, result._data, casting="unsafe")
    if recording:
        if self._base is not None:
            _rebase_view(self, result)
        else:
            _set_history(self, result._grad_fn, result._output_nr)
    self._bump_version()  # every view of this storage now remakes its grad_fn when next read
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
    """A write through a view: the base's history becomes CopySlices(old history, new value). The view
    itself (like every other view of the base) then remakes its node from that when next read."""
    base = view._base
    copy = CopySlices(gradient_edge(base), view._view_chain, base.shape, base.dtype,
                      (result._grad_fn, result._output_nr))
    _set_history(base, copy, 0)


def _set_history(tensor, node, output_nr: int) -> None:
    """``tensor`` is now output ``output_nr`` of ``node``; ``retain_grad()`` follows it to the new node
    (hooks registered before stay with the old one, as in PyTorch)."""
    old, old_nr = tensor._grad_fn, tensor._output_nr
    tensor._grad_fn, tensor._output_nr, tensor._requires_grad = node, output_nr, True
    if tensor._base is not None:
        tensor._view_version = tensor._version_counter.value
    if tensor._retains_grad and old is not None and old._retained:
        old._retained.pop(old_nr, None)
        node._retain(output_nr, tensor)


def regenerate_view_history(view) -> None:
    """Remake the ``grad_fn`` of a view whose storage was written in place since its node was made
    (through its base or through another view of the base): PyTorch does this when ``grad_fn`` is read.

    The view is ``v = view_fn(base)`` of the base's *current* numbers, so its gradient is that of the
    view function at the base's current history: the view picks some elements of the base (a linear
    map ``P``), so ``dL/dbase = P^T dL/dv``, the view's gradient put at its place in zeros shaped like
    the base. That is ``AsStridedBackward0``, whose one edge goes to the base's node.
    """
    base = view._base
    if view._grad_fn is None and not base._requires_grad:
        view._view_version = view._version_counter.value
        return  # neither has a history: nothing to remake
    if view._view_no_grad:
        raise RuntimeError(_NO_GRAD_VIEW_REBASED)
    multi = next((step for step in view._view_chain if step[3] is not None), None)
    if multi is not None:
        raise RuntimeError(
            f"Output {multi[3]} of {_node_name(multi[0])} is a view and its base or another view of its base "
            "has been modified inplace. This view is the output of a function that returns multiple views. "
            "Such functions do not allow the output views to be modified inplace. You should replace the "
            "inplace operation by an out-of-place one."
        )
    node = AsStridedBackward0(gradient_edge(base), view._view_chain, base.shape, base.dtype, view.shape)
    _set_history(view, node, 0)


def _node_name(fn) -> str:
    """'SplitWithSizes': the op's name as PyTorch's errors spell it (its node's name without Backward0)."""
    return re.sub(r"Backward\d*$", "", fn._node_class.__name__)


_NO_GRAD_VIEW_WRITTEN = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that "
    "this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both "
    "the view and the inplace either both inside the no_grad block (if you don't want the inplace to be "
    "tracked) or both outside (if you want the inplace to be tracked)."
)
_NO_GRAD_VIEW_REBASED = (
    "A view was created in no_grad mode and its base or another view of its base has been modified inplace "
    "with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You "
    "can clarify your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
)


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
    """The node of a view after a write to its storage (``regenerate_view_history``): its gradient is
    placed into a base-shaped zero array at the view's position, and flows into the base's history."""

    def __init__(self, base_edge, view_chain, base_shape, base_dtype, view_shape):
        super().__init__()
        self.next_functions = (base_edge,)
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
