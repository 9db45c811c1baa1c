"""``Function``: an op with a forward and a backward, recorded into the graph by ``apply``.

Write your own exactly as in PyTorch::

    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    y = Exp.apply(x)        # y.grad_fn is an ExpBackward node

edutorch's built-in ops are Functions too. They derive from ``NumpyFunction``, the same thing one level
down: ``forward`` and ``backward`` receive NumPy arrays instead of tensors, so the math reads plainly
and runs without per-op tensor overhead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# _tensor and this module import each other: Tensor is looked up on the module when first needed.
from .. import _tensor
from . import anomaly_mode, grad_mode
from .graph import Node, _ieee_quiet, _unbroadcast, gradient_edge
from ._saved_names import saved_names

_SAVED_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


# ------------------------------------------------------------------------------ saved values
@dataclass
class SavedValue:
    """One entry of ``ctx.save_for_backward`` (PyTorch's ``SavedVariable``).

    For a tensor it keeps the version its counter had when it was saved: if an in-place op writes to
    the tensor before backward, unpacking raises PyTorch's error instead of computing with the new
    numbers. An *input* keeps its tensor (custom Functions and double backward get it back). An
    *output* keeps only its array and number, never the output tensor: that tensor holds this node
    as its ``grad_fn``, and holding it back would make a reference cycle.
    """

    value: object = None  # a plain value (None, a number, an array made inside forward)
    tensor: object = None  # an input tensor
    output_nr: int = -1  # >= 0: output number ``output_nr`` of this node, whose array is ``value``
    counter: object = None  # the tensor's version counter, and the version when saved
    version: int = 0

    @property
    def array(self):
        """The saved NumPy array (None for a saved None or Python value)."""
        data = self.tensor._data if self.tensor is not None else self.value
        return data if isinstance(data, np.ndarray) else None


def _pack(item, inputs: tuple, outputs: list, raw: tuple) -> SavedValue:
    """Find out what a saved ``item`` is: one of the inputs, one of the outputs, or a value. (``raw``
    is what forward returned: NumPy gives a 0-d result as a scalar, which its output tensor wraps.)"""
    Tensor = _tensor.Tensor

    if item is None:
        return SavedValue()
    for t in inputs:
        if isinstance(t, Tensor) and (item is t or item is t._data):
            return SavedValue(tensor=t, counter=t._version_counter, version=t._version)
    for nr, t in enumerate(outputs):
        if item is t or item is t._data or item is raw[nr]:
            return SavedValue(t._data, output_nr=nr, counter=t._version_counter, version=t._version)
    return SavedValue(item)


def _unpack(saved: SavedValue, node, as_tensor: bool):
    """A saved value for backward: an array, or (``as_tensor``) a tensor that can be differentiated."""
    Tensor = _tensor.Tensor

    if saved.counter is not None and saved.counter.value != saved.version:
        _raise_modified(node, saved)
    if saved.tensor is not None:
        return saved.tensor if as_tensor else saved.tensor._data
    if saved.output_nr >= 0 and as_tensor:
        t = Tensor._make(saved.value, requires_grad=True)  # the output again, as the node's output
        t.grad_fn, t._output_nr, t._version_counter = node, saved.output_nr, saved.counter
        return t
    if as_tensor and isinstance(saved.value, np.ndarray):
        return Tensor._make(saved.value)
    return saved.value


def _raise_modified(node, saved: SavedValue) -> None:
    """PyTorch's error for a saved tensor that an in-place op changed after it was saved."""
    Tensor = _tensor.Tensor

    tensor = saved.tensor if saved.tensor is not None else Tensor._make(saved.value)
    if saved.output_nr >= 0:  # name the op that made the tensor, as PyTorch does ("output 0 of Exp")
        where = f", which is output {saved.output_nr} of {_op_name(node.name())},"
    elif tensor.grad_fn is not None:
        where = f", which is output {tensor._output_nr} of {_op_name(tensor.grad_fn.name())},"
    else:
        where = ""
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{tensor.dtype._c_name}Tensor {list(tensor.shape)}]{where} is at version "
        f"{saved.counter.value}; expected version {saved.version} instead. Hint: {node.name()} needed "
        "its old value; replace the in-place op (x.add_(...), x += ..., x[i] = ...) by its out-of-place "
        "form, or clone() the tensor before changing it."
    )


def _op_name(node_name: str) -> str:
    """'ExpBackward0' -> 'Exp': the forward op a backward node belongs to."""
    return re.sub(r"Backward\d*$", "", node_name)


# ------------------------------------------------------------------------------ the node / ctx
class BackwardNode(Node):
    """The graph node of one call of a Function, and the ``ctx`` its forward and backward receive.

    Each Function has its own subclass, named as PyTorch names the node (``MulBackward0``), made by
    ``Function.__init_subclass__``; ``_fn`` is the Function. What the class holds are defaults; a
    recorded call sets its own ``next_functions``, ``needs_input_grad``, saved values and metadata.
    """

    _fn: type = None  # the Function this node belongs to
    needs_input_grad: tuple = ()
    materialize_grads = True
    _input_meta: tuple = ()  # (shape, numpy dtype) per forward argument, None for non-tensors
    _to_save: tuple = ()
    _saved: list | None = None  # SavedValue per saved item; None before saving or once freed
    _had_saved = False
    _non_differentiable: tuple = ()
    _dirty: tuple = ()

    # --- the ctx API, as in PyTorch
    def save_for_backward(self, *tensors) -> None:
        """Keep inputs or outputs for backward; each is checked for in-place changes when unpacked."""
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors) -> None:
        self._dirty = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    @property
    def saved_tensors(self) -> tuple:
        """The tensors a custom Function saved. A built-in op's node has no ``saved_tensors``, as in
        PyTorch (its backward reads arrays through ``_BackwardCtx``); it shows ``_saved_self`` & co."""
        if self._fn._numpy:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute 'saved_tensors': a "
                                 "built-in op shows what it saved as _saved_<name> (e.g. _saved_self)")
        return self._unpack_saved(as_tensors=True)

    def __getattr__(self, name):
        """``_saved_self``, ``_saved_other``, ``_saved_result``...: PyTorch's names for saved values
        (autograd/_saved_names.py), as tensors; None where the op saved nothing (not needed)."""
        if name.startswith("_saved_") and name[7:] in saved_names(self._fn):
            if self._saved is None:
                if self._had_saved:
                    raise RuntimeError(_SAVED_FREED)
                return None
            index = saved_names(self._fn).index(name[7:])
            return _unpack(self._saved[index], self, as_tensor=True) if index < len(self._saved) else None
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __dir__(self):
        return sorted(set(super().__dir__()) | {"_saved_" + n for n in saved_names(self._fn)})

    def _unpack_saved(self, as_tensors: bool) -> tuple:
        if self._saved is None:
            if self._had_saved:
                raise RuntimeError(_SAVED_FREED)
            return ()
        return tuple(_unpack(saved, self, as_tensors) for saved in self._saved)

    def _release_saved(self) -> None:
        self._saved = None

    # --- backward
    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        """Run the Function's backward on the gradients of its outputs; return one per tensor input.

        A built-in op's backward runs on arrays, unless ``create_graph``: then it runs on tensors (so
        it records a graph of its own), and so does a custom Function's always.
        """
        fn = self._fn
        grads = list(grad_outputs)
        if self.materialize_grads and any(g is None for g in grads):
            grads = [np.zeros(shape, dtype) if g is None else g
                     for g, (shape, dtype) in zip(grads, self._output_meta)]
        if fn._numpy and not create_graph:
            result = fn.backward(_BackwardCtx(self, as_tensors=False), *grads)
        else:
            if fn._numpy and not fn.double_backward:
                raise RuntimeError(
                    f"{self.name()} does not support double backward (create_graph=True) in edutorch yet; "
                    "double backward works through elementwise ops, matmul, sums and shape ops."
                )
            ctx = _BackwardCtx(self, as_tensors=True) if fn._numpy else self
            result = fn.backward(ctx, *[_as_tensor(g) for g in grads])
        return self._input_gradients(result if type(result) is tuple else (result,), create_graph)

    def _input_gradients(self, result: tuple, create_graph: bool) -> tuple:
        """Backward's answer checked and fitted: one gradient per tensor input, in its shape and dtype."""
        n_inputs = len(self._input_meta)
        if len(result) < n_inputs or (len(result) > n_inputs and any(r is not None for r in result[n_inputs:])):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n_inputs}, got {len(result)})")
        out = []
        for grad, meta, needed in zip(result, self._input_meta, self.needs_input_grad):
            if meta is None:
                continue
            out.append(None if grad is None or not needed else _fit_gradient(grad, meta, create_graph, self))
        return tuple(out)


class _BackwardCtx:
    """The ctx a built-in op's backward gets: the same node, whose saved values come back as arrays, or
    as tensors under ``create_graph=True`` (so the backward's own ops are recorded: double backward)."""

    __slots__ = ("_node", "_as_tensors")

    def __init__(self, node: BackwardNode, as_tensors: bool):
        self._node, self._as_tensors = node, as_tensors

    def __getattr__(self, name):
        return getattr(self._node, name)

    @property
    def saved_tensors(self) -> tuple:
        return self._node._unpack_saved(as_tensors=self._as_tensors)


def _as_tensor(value):
    Tensor = _tensor.Tensor

    return value if value is None or isinstance(value, Tensor) else Tensor._make(np.asarray(value))


def _fit_gradient(grad, meta: tuple, create_graph: bool, node):
    """Sum away broadcast axes and cast to the input's dtype: done here once for every op."""
    Tensor = _tensor.Tensor

    shape, dtype = meta
    if type(grad) is np.ndarray and grad.shape == shape and grad.dtype == dtype and not create_graph:
        return grad  # the common case: nothing to fit
    if create_graph:
        grad = _as_tensor(grad)
    elif isinstance(grad, Tensor):
        grad = grad._data
    elif type(grad) is not np.ndarray:
        grad = np.asarray(grad)  # a NumPy scalar from a 0-d op, or a number
    if grad.shape != shape:
        try:
            grad = _unbroadcast(grad, shape)
        except (ValueError, RuntimeError):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient - got {list(grad.shape)} but "
                f"expected shape compatible with {list(shape)}"
            ) from None
    if create_graph:
        return grad if grad._data.dtype == dtype else grad.to(_dtype_of(dtype))
    return grad if grad.dtype == dtype else grad.astype(dtype)


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


# ------------------------------------------------------------------------------ Function
class Function:
    """Base class of a differentiable op: define ``forward(ctx, ...)`` and ``backward(ctx, ...)``,
    call ``apply``. ``forward`` runs without recording; ``apply`` adds one node to the graph."""

    _numpy = False  # forward/backward receive tensors (PyTorch's custom Function API)
    double_backward = True  # a backward written with tensor ops is itself differentiable
    node_name: str | None = None  # defaults to "<ClassName>Backward"
    is_view = False  # True for ops whose output may share the input's storage (view, transpose, ...)

    def __init_subclass__(cls, **kwargs):
        """Give each Function its node class, named as PyTorch names the node: ``MulBackward0``."""
        super().__init_subclass__(**kwargs)
        name = cls.node_name or cls._default_node_name()
        cls._node_class = type(name, (BackwardNode,), {"_fn": cls, "__module__": cls.__module__,
                                                        "__doc__": f"The backward node of {cls.__name__}."})

    @classmethod
    def _default_node_name(cls) -> str:
        return f"{cls.__name__}Backward"

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward``; if an input requires grad (and grad mode is on), record one node."""
        Tensor = _tensor.Tensor

        ctx = cls._node_class()
        # (a view that does not require grad may have started to, through an in-place write to its base)
        ctx.needs_input_grad = tuple([isinstance(a, Tensor) and (a._requires_grad or a._base is not None
                                                                 and a.requires_grad) for a in args])
        if cls._numpy:
            arrays = [a._data if isinstance(a, Tensor) else a for a in args]
            with _ieee_quiet():  # arrays record nothing: no grad mode needed
                raw = cls.forward(ctx, *arrays, **kwargs)
        else:
            with grad_mode.no_grad():
                raw = cls.forward(ctx, *args, **kwargs)
        single = type(raw) is not tuple
        outputs = [_wrap_output(o, args, ctx) for o in ((raw,) if single else raw)]
        if cls.is_view:
            _mark_views(cls, args, arrays, kwargs, outputs, single)
        if grad_mode._grad_enabled and True in ctx.needs_input_grad:
            _record(ctx, args, (raw,) if single else raw, outputs)
        return outputs[0] if single else tuple(outputs)


def _record(ctx: BackwardNode, args: tuple, raw: tuple, outputs: list) -> None:
    """Make ``ctx`` the node of this call: its edges, the metadata backward needs, its saved values."""
    Tensor = _tensor.Tensor

    edges, input_meta = [], []
    for a in args:
        if not isinstance(a, Tensor):
            input_meta.append(None)
            continue
        if a._is_inference:
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. To work around you can make a clone "
                "to get a normal tensor and use it in autograd."
            )
        edges.append(gradient_edge(a))
        input_meta.append((a._data.shape, a._data.dtype))
    ctx.next_functions, ctx._input_meta = tuple(edges), tuple(input_meta)
    ctx._output_meta = tuple([(o._data.shape, o._data.dtype) for o in outputs])
    non_diff = [id(x) for x in ctx._non_differentiable]
    for nr, (out, original) in enumerate(zip(outputs, raw)):
        marked = bool(non_diff) and (id(original) in non_diff or id(out) in non_diff)
        if marked or not out.dtype.is_floating_point:
            continue
        out._requires_grad = True
        out._grad_fn, out._output_nr = ctx, nr
        if out._base is not None:  # a view's node is as new as its storage (a dirty input was just written)
            out._view_version = out._version_counter.value
    if ctx._to_save:
        ctx._saved = [_pack(item, args, outputs, raw) for item in ctx._to_save]
        ctx._had_saved = True
        ctx._to_save = ()
    if anomaly_mode._enabled:
        anomaly_mode.record_forward_stack(ctx)


def _wrap_output(value, args: tuple, ctx: BackwardNode):
    """Turn what forward returned into a fresh output tensor (dirty inputs are returned themselves)."""
    Tensor = _tensor.Tensor

    if type(value) is np.ndarray:
        return Tensor._make(value)
    if isinstance(value, Tensor):
        if any(value is d for d in ctx._dirty):
            value._bump_version()
            return value
        # Returning an input unchanged still makes a new tensor node, sharing the data.
        return Tensor._make(value._data) if any(value is a for a in args) or value.requires_grad \
            else value
    return Tensor._make(np.asarray(value))


def _mark_views(cls, args: tuple, arrays: list, kwargs: dict, outputs: list, single: bool) -> None:
    """Outputs of a view op that share the input's memory become views of it (an empty one too: it
    shares no bytes, but writing into it still makes the base's history, as in PyTorch)."""
    for nr, out in enumerate(outputs):
        if out._data.size == 0 or np.may_share_memory(out._data, arrays[0]):
            _mark_view(out, args[0], (cls, tuple(arrays[1:]), kwargs, None if single else nr))


class _ScratchCtx:
    """A throwaway ctx for replaying a view op's forward on another array."""

    def save_for_backward(self, *args) -> None:
        pass


def _mark_view(out, source, step: tuple) -> None:
    """Record that ``out`` is a view of ``source``: it shares storage and version counter with the base,
    and remembers the chain of view ops from the base, so gradients can be written back into it."""
    out._base = source._base if source._base is not None else source
    out._version_counter = source._version_counter
    out._view_chain = source._view_chain + (step,)
    out._view_version = source._version_counter.value
    if source._view_no_grad or not grad_mode._grad_enabled:
        out._view_no_grad = True


def replay_view(chain: tuple, array: np.ndarray) -> np.ndarray:
    """Apply a tensor's chain of view ops to ``array`` (an array shaped like its base)."""
    for cls, args, kwargs, index in chain:
        array = cls.forward(_ScratchCtx(), array, *args, **kwargs)
        if index is not None:
            array = array[index]
    return array


class NumpyFunction(Function):
    """A built-in op: ``forward(ctx, *arrays)`` and ``backward(ctx, *grad_arrays)`` on NumPy arrays.

    The node is named as PyTorch names it: ``node_name`` or ``<ClassName>Backward0``. Set
    ``double_backward = True`` on ops whose backward uses only operators and methods that arrays and
    tensors share, so ``create_graph=True`` can run it on tensors.
    """

    _numpy = True
    double_backward = False

    @classmethod
    def _default_node_name(cls) -> str:
        return f"{cls.__name__}Backward0"


class once_differentiable:  # noqa: N801 - PyTorch's name
    """Decorator for a backward that is not itself differentiable (accepted for compatibility)."""

    def __new__(cls, fn):
        return fn
