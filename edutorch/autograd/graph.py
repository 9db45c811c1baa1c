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
from . import grad_mode

_sequence_numbers = itertools.count()


class Node:
    """A node of the backward graph: ``grad_fn`` of a tensor. Subclasses implement ``apply``."""

    def __init__(self, name: str):
        self._name = name
        self.next_functions: tuple = ()
        # Later nodes run first when several are ready, as in PyTorch (a stable, readable order).
        self._sequence_nr = next(_sequence_numbers)
        self.metadata: dict = {}
        self._hooks: dict = {}  # hook(grad_inputs, grad_outputs), run after the node
        self._pre_hooks: dict = {}  # hook(grad_outputs), run before the node
        self._tensor_hooks: dict = {}  # output_nr -> {id: hook(grad)} registered on non-leaf tensors
        self._retained: dict = {}  # output_nr -> weakref of a tensor that called retain_grad()
        self._output_meta: list = []  # (shape, dtype) of each output, to make zero grads

    def name(self) -> str:
        return self._name

    def register_hook(self, hook) -> RemovableHandle:
        """``hook(grad_inputs, grad_outputs)`` runs after this node; it may return new grad_inputs."""
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def register_prehook(self, hook) -> RemovableHandle:
        """``hook(grad_outputs)`` runs before this node; it may return new grad_outputs."""
        handle = RemovableHandle(self._pre_hooks)
        self._pre_hooks[handle.id] = hook
        return handle

    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        raise NotImplementedError

    def __call__(self, *grad_outputs):
        """Run this node by hand on gradient tensors (as PyTorch allows ``grad_fn(grad)``)."""
        Tensor = _tensor.Tensor

        grads = [g._data if isinstance(g, Tensor) else g for g in grad_outputs]
        with grad_mode.no_grad(), _ieee_quiet():
            out = self.apply(grads, create_graph=False)
        wrapped = tuple(None if g is None else Tensor._make(g) for g in out)
        return wrapped[0] if len(wrapped) == 1 else wrapped

    def __repr__(self) -> str:
        return f"<{self._name} object at {hex(id(self))}>"

    def _repr_pretty_(self, printer, cycle) -> None:
        # IPython shows PyTorch's (C++) nodes without "object"; print() shows the repr above.
        printer.text(f"<{self._name} at {hex(id(self))}>")


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the gradient that reaches it into ``variable.grad``."""

    def __init__(self, variable):
        super().__init__("AccumulateGrad")
        self.variable = variable
        self._sequence_nr = float("inf")  # accumulate as soon as a gradient is complete
        self._output_meta = [(variable.shape, variable.dtype)]

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
                var._grad = Tensor._make(np.array(grad, dtype=var.dtype.to_numpy(), copy=True))
        elif create_graph:
            var._grad = var._grad + grad
        else:
            g = grad._data if isinstance(grad, Tensor) else grad
            np.add(var._grad._data, g, out=var._grad._data)  # in place, as PyTorch accumulates
            var._grad._bump_version()
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
    if not tensor.requires_grad:
        return (None, 0)
    if tensor.grad_fn is not None:
        return (tensor.grad_fn, tensor._output_nr)
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


# ---------------------------------------------------------------------------------------- the engine

def _ieee_quiet():
    """NumPy's floating-point warnings off around an op: log(0) = -inf, 1/0 = inf and inf - inf = nan
    are answers in PyTorch, not warnings. (np.errstate is local to the block: the user's NumPy code
    keeps its own settings.)"""
    return np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore")




def _collect(roots: list) -> dict:
    """Every node reachable from ``roots``, with how many edges point into it (its dependencies)."""
    deps: dict = {}
    stack = list(dict.fromkeys(roots))  # once each: outputs of one node (split) share a root node
    seen = set(map(id, stack))
    while stack:
        node = stack.pop()
        deps.setdefault(node, 0)
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return deps


def _needed(deps: dict, targets: set) -> set:
    """The nodes on some path to a target node (only those run when ``inputs`` is given)."""
    needed: set = set()
    # Children were created before their parents, so ascending sequence numbers visit children first.
    for node in sorted(deps, key=lambda n: n._sequence_nr if n._sequence_nr != float("inf") else -1):
        if node in targets or any(c in needed for c, _ in node.next_functions if c is not None):
            needed.add(node)
    return needed


def _as_tensor(grad):
    Tensor = _tensor.Tensor

    return grad if isinstance(grad, Tensor) else Tensor._make(grad)


def _as_grad(value, create_graph: bool):
    """A hook's return value in the engine's representation (arrays, or tensors under create_graph)."""
    Tensor = _tensor.Tensor

    if create_graph:
        return value if isinstance(value, Tensor) else Tensor._make(np.asarray(value))
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def _run_tensor_hooks(node: Node, grads: list, create_graph: bool) -> None:
    """Hooks registered on non-leaf tensors, then retain_grad(), for each output of ``node``."""
    tensor_hooks = node._tensor_hooks
    if isinstance(node, AccumulateGrad) and node.variable._hooks:
        tensor_hooks = {0: node.variable._hooks}  # a leaf keeps its hooks itself
    for nr, hooks in tensor_hooks.items():
        for hook in list(hooks.values()):
            if grads[nr] is None:
                continue
            result = hook(_as_tensor(grads[nr]))
            if result is not None:
                grads[nr] = _as_grad(result, create_graph)
    for nr, ref in node._retained.items():
        tensor = ref()
        if tensor is None or grads[nr] is None:
            continue
        g = _as_tensor(grads[nr])
        g = g if create_graph else g.detach()
        tensor._grad = g.clone() if tensor._grad is None else tensor._grad + g


def _add_to_buffer(buffers: dict, node: Node, nr: int, grad) -> None:
    """Sum ``grad`` into the gradient waiting for output ``nr`` of ``node`` (paths add up)."""
    buf = buffers.setdefault(node, [None] * max(len(node._output_meta), 1))
    buf[nr] = grad if buf[nr] is None else buf[nr] + grad


def _wrapped(grads) -> tuple:
    return tuple(None if g is None else _as_tensor(g) for g in grads)


def run_backward(roots, root_grads, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True) -> list:
    """Backpropagate ``root_grads`` from ``roots`` (a list of (node, output_nr) edges).

    With ``accumulate`` the leaves' ``.grad`` is updated (``backward``); without it the gradients
    reaching ``inputs`` are returned (``autograd.grad``). Either way only nodes on a path to
    ``inputs`` run when ``inputs`` is given.
    """
    root_nodes = [node for node, _ in roots]
    deps = _collect(root_nodes)
    input_edges = [gradient_edge(t) if t.requires_grad else (None, 0) for t in (inputs or [])]
    input_nodes = {node for node, _ in input_edges if node is not None}
    captured: list = [None] * len(input_edges)
    run = _needed(deps, input_nodes) if inputs is not None else set(deps)

    buffers: dict = {}  # node -> list of summed gradients, one per output
    for (node, nr), grad in zip(roots, root_grads):
        _add_to_buffer(buffers, node, nr, grad)

    ready = [(-n._sequence_nr, i, n) for i, n in enumerate(dict.fromkeys(root_nodes)) if deps[n] == 0]
    heapq.heapify(ready)
    tie = itertools.count(len(ready))
    executed = []
    with grad_mode.set_grad_enabled(create_graph), _ieee_quiet():
        while ready:
            _, _, node = heapq.heappop(ready)
            grads = buffers.pop(node, None) or [None] * max(len(node._output_meta), 1)
            _run_tensor_hooks(node, grads, create_graph)
            for i, (target, nr) in enumerate(input_edges):
                if target is node:
                    captured[i] = grads[nr]  # autograd.grad: the gradient that reached an input
            for hook in list(node._pre_hooks.values()):
                result = hook(_wrapped(grads))
                if result is not None:
                    grads = [None if g is None else _as_grad(g, create_graph) for g in result]

            runs = node in run and any(g is not None for g in grads)
            if isinstance(node, AccumulateGrad) and (not accumulate or inputs is not None
                                                     and node not in input_nodes):
                runs = False  # autograd.grad, or backward(inputs=...) that leaves this leaf alone
            grad_inputs: tuple = ()
            if runs:
                grad_inputs = node.apply(grads, create_graph)
                executed.append(node)
                for hook in list(node._hooks.values()):
                    result = hook(_wrapped(grad_inputs), _wrapped(grads))
                    if result is not None:
                        grad_inputs = tuple(None if g is None else _as_grad(g, create_graph)
                                            for g in result)

            for k, (child, nr) in enumerate(node.next_functions):
                if child is None:
                    continue
                grad = grad_inputs[k] if k < len(grad_inputs) else None
                if grad is not None:
                    _add_to_buffer(buffers, child, nr, grad)
                deps[child] -= 1
                if deps[child] == 0:  # every path into child has delivered: it may run
                    heapq.heappush(ready, (-child._sequence_nr, next(tie), child))

    if not retain_graph:
        for node in executed:
            release = getattr(node, "_release_saved", None)
            if release is not None:
                release()
    return captured
