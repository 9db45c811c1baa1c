"""The backward graph and the engine that walks it.

Every op that records history creates a ``Node`` (what ``tensor.grad_fn`` shows). A node knows the
nodes of its inputs through ``next_functions``, a tuple of ``(node, output_index)`` pairs; an input
that needs no gradient is ``(None, 0)`` and a leaf that requires grad is reached through its
``AccumulateGrad`` node, whose ``.variable`` is the leaf. ``backward()`` walks this graph from the root
towards the leaves, once per node, in topological order (Kahn's algorithm).
"""
from __future__ import annotations

import heapq
import itertools
import weakref

import numpy as np

from ..utils.hooks import RemovableHandle
# _tensor and this module import each other: Tensor is looked up on the module when first needed.
from .. import _tensor
from . import anomaly_mode, grad_mode

_sequence_numbers = itertools.count()


class Node:
    """A node of the backward graph: ``grad_fn`` of a tensor. Subclasses implement ``apply``.

    The class of a node is its name, as in PyTorch: ``type(y.grad_fn).__name__ == "MulBackward0"``.
    Hooks and the per-node ``metadata`` dict are made when first used, so a node costs little.
    """

    next_functions: tuple = ()  # ((node, output_nr) or (None, 0), ...), one per input of the op
    _output_meta: tuple = ()  # (shape, numpy dtype) of each output, to make zero gradients
    _hooks = _pre_hooks = _tensor_hooks = _retained = _metadata = None  # made on first use

    def __init__(self):
        # Later nodes run first when several are ready, as in PyTorch (a stable, readable order).
        self._sequence_nr = next(_sequence_numbers)

    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, hook) -> RemovableHandle:
        """``hook(grad_inputs, grad_outputs)`` runs after this node; it may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        return _add_hook(self._hooks, hook)

    def register_prehook(self, hook) -> RemovableHandle:
        """``hook(grad_outputs)`` runs before this node; it may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return _add_hook(self._pre_hooks, hook)

    def _add_tensor_hook(self, output_nr: int, hook) -> RemovableHandle:
        """A hook of the non-leaf tensor that is output ``output_nr`` of this node (``t.register_hook``)."""
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        return _add_hook(self._tensor_hooks.setdefault(output_nr, {}), hook)

    def _retain(self, output_nr: int, tensor) -> None:
        """``t.retain_grad()`` on output ``output_nr``: give it its ``.grad`` when the gradient passes."""
        if self._retained is None:
            self._retained = {}
        self._retained[output_nr] = weakref.ref(tensor)

    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        """The gradients of the node's inputs (one per ``next_functions`` edge) from its outputs'."""
        raise NotImplementedError

    def _release_saved(self) -> None:
        """Free what the node saved for backward (after a backward without ``retain_graph``)."""

    def __call__(self, *grad_outputs):
        """Run this node by hand on gradient tensors (as PyTorch allows ``grad_fn(grad)``)."""
        Tensor = _tensor.Tensor

        grads = [g._data if isinstance(g, Tensor) else g for g in grad_outputs]
        with grad_mode.no_grad(), _ieee_quiet():
            out = self.apply(grads, create_graph=False)
        wrapped = tuple(None if g is None else Tensor._make(g) for g in out)
        return wrapped[0] if len(wrapped) == 1 else wrapped

    def __repr__(self) -> str:  # the class name: <AccumulateGrad object ...>, whose name() is C++'s
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def _repr_pretty_(self, printer, cycle) -> None:
        # IPython shows PyTorch's (C++) nodes without "object"; print() shows the repr above.
        printer.text(f"<{type(self).__name__} at {hex(id(self))}>")


def _add_hook(hooks: dict, hook) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the gradient that reaches it into ``variable.grad``."""

    def __init__(self, variable):
        self.variable = variable
        self._sequence_nr = float("inf")  # accumulate as soon as a gradient is complete
        self._output_meta = ((variable._data.shape, variable._data.dtype),)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # PyTorch's C++ name for this node

    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        Tensor = _tensor.Tensor

        grad = grad_outputs[0]
        var = self.variable
        if var.grad is None:
            if isinstance(grad, Tensor):
                var._grad = grad if create_graph else grad.detach()
            else:
                # Copy: the array may be shared with a gradient the user passed in or another tensor.
                var._grad = Tensor._make(np.array(grad, dtype=var._data.dtype, copy=True))
        elif create_graph:
            var._grad = var._grad + grad
        else:
            g = grad._data if isinstance(grad, Tensor) else grad
            np.add(var._grad._data, g, out=var._grad._data)  # in place, as PyTorch accumulates
            var._grad._bump_version()
        for hook in list((var._post_accumulate_hooks or {}).values()):
            hook(var)  # register_post_accumulate_grad_hook: runs with the leaf, after .grad is updated
        return ()


def _get_accumulate_grad(tensor) -> AccumulateGrad:
    """The one AccumulateGrad node of a leaf; cached through a weak reference (no cycle with the leaf)."""
    node = tensor._grad_accumulator() if tensor._grad_accumulator is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._grad_accumulator = weakref.ref(node)
    return node


def gradient_edge(tensor) -> tuple:
    """The ``(node, output_nr)`` pair through which a gradient reaches ``tensor``."""
    if tensor._base is not None:
        tensor.grad_fn  # noqa: B018 - a view: reading grad_fn remakes its history if its base was written
    if not tensor._requires_grad:
        return (None, 0)
    if tensor._grad_fn is not None:
        return (tensor._grad_fn, tensor._output_nr)
    return (_get_accumulate_grad(tensor), 0)


def _unbroadcast(grad, shape: tuple):
    """Sum ``grad`` down to ``shape``: undo the broadcasting an op did in its forward.

    If an input of shape (3, 1) was broadcast to (2, 3, 4), every one of its elements was used 2*4
    times, so its gradient is the sum over the broadcast axes. Works on arrays and on tensors (the
    positional ``sum(axes)`` and ``reshape`` mean the same on both), so double backward can use it.
    """
    if tuple(grad.shape) == tuple(shape):
        return grad
    lead = len(grad.shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes:
        grad = grad.sum(axes)
    return grad.reshape(tuple(shape))


def _masked(grad, keep):
    """``grad`` where ``keep`` is True and exactly 0 elsewhere, even where grad is inf or nan (``grad *
    keep`` would give 0 * inf = nan there): how PyTorch's backward formulas mask (``where``). On tensors
    (double backward) it is the product, so that it is recorded."""
    if isinstance(grad, _tensor.Tensor):
        return grad * keep
    grad = np.asarray(grad)  # (a 0-d op may hand over a NumPy scalar)
    return np.where(keep, grad, 0).astype(grad.dtype, copy=False)


# ---------------------------------------------------------------------------------------- the engine

def _ieee_quiet():
    """NumPy's floating-point warnings off around an op: log(0) = -inf, 1/0 = inf and inf - inf = nan
    are answers in PyTorch, not warnings. (np.errstate is local to the block: the user's NumPy code
    keeps its own settings.)"""
    return np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore")




def _dependencies(roots: list) -> dict:
    """Every node reachable from ``roots``, with how many edges point into it (Kahn's in-degrees)."""
    deps = dict.fromkeys(roots, 0)  # once each: outputs of one node (split) share a root node
    stack = list(deps)
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is None:
                continue
            if child not in deps:
                deps[child] = 0
                stack.append(child)
            deps[child] += 1
    return deps


def _needed(deps: dict, targets: set) -> set:
    """The nodes on some path to a target node (only those run when ``inputs`` is given)."""
    needed: set = set()
    # Children were created before their parents, so ascending sequence numbers visit children first.
    for node in sorted(deps, key=lambda n: n._sequence_nr if n._sequence_nr != float("inf") else -1):
        if node in targets or any(c in needed for c, _ in node.next_functions if c is not None):
            needed.add(node)
    return needed


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True) -> list:
    """Backpropagate ``root_grads`` from ``roots`` (a list of (node, output_nr) edges).

    Kahn's algorithm: a node runs once every edge into it has delivered its gradient (``deps`` counts
    the edges still to come), so each node runs once, with the sum over all paths. Ready nodes run
    newest first, as in PyTorch. With ``accumulate`` the leaves' ``.grad`` is updated (``backward``);
    without it the gradients reaching ``inputs`` are returned (``autograd.grad``).
    """
    walk = _Walk(roots, create_graph, inputs, accumulate)
    for (node, nr), grad in zip(roots, root_grads):
        walk.deliver(node, nr, grad)
    deps = walk.deps
    order = itertools.count()  # ties (leaves) run in the order they became ready
    ready = [(-node._sequence_nr, next(order), node) for node in dict.fromkeys(n for n, _ in roots)
             if deps[node] == 0]
    heapq.heapify(ready)
    with grad_mode.set_grad_enabled(create_graph), _ieee_quiet():
        while ready:
            node = heapq.heappop(ready)[2]
            grad_inputs = walk.run(node)
            for (child, nr), grad in zip(node.next_functions, grad_inputs):
                if child is None:
                    continue
                if grad is not None:
                    walk.deliver(child, nr, grad)
                deps[child] -= 1
                if deps[child] == 0:  # every edge into child has delivered: it may run
                    heapq.heappush(ready, (-child._sequence_nr, next(order), child))
    if not retain_graph:
        for node in walk.executed:
            node._release_saved()
    return walk.captured


class _Walk:
    """One backward pass: the gradients waiting at each node, and running one node with its hooks."""

    def __init__(self, roots, create_graph: bool, inputs, accumulate: bool):
        self.deps = _dependencies([node for node, _ in roots])
        self.create_graph = create_graph
        self.buffers: dict = {}  # node -> [summed gradient per output]
        self.executed: list = []
        self.input_edges = [gradient_edge(t) for t in inputs or ()]
        self.captured: list = [None] * len(self.input_edges)  # autograd.grad's answers
        targets = {node for node, _ in self.input_edges if node is not None}
        self.skip: set = set()  # nodes that must not run
        if inputs is not None:
            needed = _needed(self.deps, targets)
            leaves_left_alone = {n for n in self.deps if isinstance(n, AccumulateGrad)
                                 and (not accumulate or n not in targets)}
            self.skip = {n for n in self.deps if n not in needed} | leaves_left_alone
        elif not accumulate:
            self.skip = {n for n in self.deps if isinstance(n, AccumulateGrad)}
        self.anomaly = anomaly_mode.is_anomaly_check_nan_enabled()

    def deliver(self, node: Node, nr: int, grad) -> None:
        """Sum ``grad`` into the gradient waiting for output ``nr`` of ``node`` (paths add up)."""
        buf = self.buffers.get(node)
        if buf is None:
            buf = self.buffers[node] = [None] * max(len(node._output_meta), 1)
        buf[nr] = grad if buf[nr] is None else buf[nr] + grad

    def run(self, node: Node) -> tuple:
        """Tensor hooks, capture for autograd.grad, pre-hooks, the node itself, then its hooks."""
        grads = self.buffers.pop(node, None)  # deliver() only stores gradients that exist
        if grads is None:
            if not node._pre_hooks:
                return (None,) * len(node.next_functions)  # no gradient reached this node
            grads = [None] * max(len(node._output_meta), 1)
        leaf_hooks = isinstance(node, AccumulateGrad) and node.variable._hooks
        if node._tensor_hooks or node._retained or leaf_hooks:
            _run_tensor_hooks(node, grads, self.create_graph)
        if self.input_edges:
            for i, (target, nr) in enumerate(self.input_edges):
                if target is node:
                    self.captured[i] = grads[nr]
        if node._pre_hooks:
            grads = _call_hooks(node._pre_hooks, self.create_graph, _wrapped(grads))
            if all(g is None for g in grads):
                return (None,) * len(node.next_functions)
        if node in self.skip:
            return (None,) * len(node.next_functions)
        grad_inputs = node.apply(grads, self.create_graph)
        self.executed.append(node)
        if self.anomaly:
            anomaly_mode.check_gradients(node, grad_inputs)
        if node._hooks:
            grad_inputs = _call_hooks(node._hooks, self.create_graph, _wrapped(grad_inputs), _wrapped(grads))
        return grad_inputs


def _call_hooks(hooks: dict, create_graph: bool, grads: tuple, *more) -> list:
    """Call each hook with ``grads`` (and ``more``); a hook that returns something replaces ``grads``."""
    result = grads
    for hook in list(hooks.values()):
        new = hook(result, *more)
        if new is not None:
            result = new
    return [None if g is None else _as_grad(g, create_graph) for g in result]


def _as_tensor(grad):
    Tensor = _tensor.Tensor

    return grad if isinstance(grad, Tensor) else Tensor._make(grad)


def _as_grad(value, create_graph: bool):
    """A hook's return value in the engine's representation (arrays, or tensors under create_graph)."""
    Tensor = _tensor.Tensor

    if create_graph:
        return value if isinstance(value, Tensor) else Tensor._make(np.asarray(value))
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def _wrapped(grads) -> tuple:
    return tuple(None if g is None else _as_tensor(g) for g in grads)


def _run_tensor_hooks(node: Node, grads: list, create_graph: bool) -> None:
    """Hooks registered on the node's output tensors, then retain_grad(), for each output."""
    tensor_hooks = node._tensor_hooks or {}
    if isinstance(node, AccumulateGrad) and node.variable._hooks:
        tensor_hooks = {0: node.variable._hooks}  # a leaf keeps its hooks itself
    for nr, hooks in tensor_hooks.items():
        for hook in list(hooks.values()):
            if grads[nr] is None:
                continue
            result = hook(_as_tensor(grads[nr]))
            if result is not None:
                grads[nr] = _as_grad(result, create_graph)
    for nr, ref in (node._retained or {}).items():
        tensor = ref()
        if tensor is None or grads[nr] is None:
            continue
        g = _as_tensor(grads[nr])
        g = g if create_graph else g.detach()
        tensor._grad = g.clone() if tensor._grad is None else tensor._grad + g
