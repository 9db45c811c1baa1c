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

import numpy as np

# _tensor and this module import each other: Tensor is looked up on the module when first needed.
from .. import _tensor
from . import grad_mode
from .graph import Node, _ieee_quiet, _unbroadcast, gradient_edge

_SAVED_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


class BackwardNode(Node):
    """The graph node of one call of a Function. It is also the ``ctx`` passed to forward/backward."""

    def __init__(self, fn: type, name: str):
        super().__init__(name)
        self._fn = fn
        self.needs_input_grad: tuple = ()
        self._to_save: tuple = ()
        self._saved: list | None = None
        self._had_saved = False
        self._input_meta: list = []  # (shape, dtype) per forward argument, None for non-tensors
        self._non_differentiable: tuple = ()
        self._dirty: tuple = ()
        self.materialize_grads = True
        self._tensor_mode = not fn._numpy

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
        # Tensors for custom Functions and for double backward; arrays for built-in ops otherwise.
        return self._unpack_saved(as_tensors=self._tensor_mode)

    # --- saved values: remembered with the version of their tensor, freed after backward
    def _pack_saved(self, inputs: tuple, outputs: list) -> None:
        saved = []
        for item in self._to_save:
            saved.append(self._pack_one(item, inputs, outputs))
        self._to_save = ()
        self._saved = saved
        self._had_saved = bool(saved)

    def _pack_one(self, item, inputs, outputs):
        """A saved entry: ('input', tensor, version) / ('output', nr, array, counter, version) / value."""
        Tensor = _tensor.Tensor

        if item is None:
            return ("value", None)
        for t in inputs:
            if isinstance(t, Tensor) and (item is t or item is t._data):
                return ("input", t, t._version)
        for nr, t in enumerate(outputs):
            if item is t or item is t._data:
                return ("output", nr, t._data, t._version_counter, t._version)
        return ("value", item)

    def _unpack_saved(self, as_tensors: bool) -> tuple:
        Tensor = _tensor.Tensor

        if self._saved is None:
            if self._had_saved:
                raise RuntimeError(_SAVED_FREED)
            return ()
        out = []
        for entry in self._saved:
            kind = entry[0]
            if kind == "value":
                value = entry[1]
                if as_tensors and isinstance(value, np.ndarray):
                    value = Tensor._make(value)
                out.append(value)
                continue
            if kind == "input":
                _, tensor, version = entry
                self._check_version(tensor._version, version, tensor, "input")
                out.append(tensor if as_tensors else tensor._data)
            else:
                _, nr, data, counter, version = entry
                self._check_version(counter.value, version, Tensor._make(data), f"output {nr} of")
                if as_tensors:
                    t = Tensor._make(data, requires_grad=True)
                    t.grad_fn, t._output_nr, t._version_counter = self, nr, counter
                    out.append(t)
                else:
                    out.append(data)
        return tuple(out)

    def _check_version(self, now: int, saved: int, tensor, role: str) -> None:
        """PyTorch's error for a saved tensor that an in-place op changed after it was saved."""
        if now == saved:
            return
        kind = tensor.dtype._c_name + "Tensor"
        # Name the op that made the tensor, as PyTorch does ("output 0 of Exp").
        if role.startswith("output"):
            where = f", which is {role} {_op_name(self._name)},"
        elif tensor.grad_fn is not None:
            where = f", which is output {tensor._output_nr} of {_op_name(tensor.grad_fn.name())},"
        else:
            where = ""
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [torch.{kind} {list(tensor.shape)}]{where} is at version {now}; expected "
            f"version {saved} instead. Hint: {self._name} needed its old value; replace the in-place "
            "op (x.add_(...), x += ..., x[i] = ...) by its out-of-place form, or clone() the tensor "
            "before changing it."
        )

    def _release_saved(self) -> None:
        if self._saved is not None:
            self._saved = None

    # --- backward
    def apply(self, grad_outputs: list, create_graph: bool) -> tuple:
        """Run the Function's backward on the gradients of its outputs; return one per tensor input."""
        Tensor = _tensor.Tensor

        fn = self._fn
        grads = list(grad_outputs)
        if self.materialize_grads:
            for i, g in enumerate(grads):
                if g is None:
                    shape, dtype = self._output_meta[i]
                    grads[i] = np.zeros(shape, dtype=dtype.to_numpy())
        if create_graph and fn._numpy and not fn.double_backward:
            raise RuntimeError(
                f"{self._name} does not support double backward (create_graph=True) in edutorch yet; "
                "double backward works through elementwise ops, matmul, sums and shape ops."
            )
        tensor_mode = self._tensor_mode = create_graph or not fn._numpy
        if tensor_mode:
            grads = [g if g is None or isinstance(g, Tensor) else Tensor._make(g) for g in grads]
        else:
            grads = [g._data if isinstance(g, Tensor) else g for g in grads]

        with grad_mode.set_grad_enabled(create_graph):  # (the engine silenced inf/nan warnings)
            result = fn.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_inputs = len(self._input_meta)
        if len(result) < n_inputs or (len(result) > n_inputs
                                      and any(r is not None for r in result[n_inputs:])):
            raise RuntimeError(
                f"function {self._name} returned an incorrect number of gradients "
                f"(expected {n_inputs}, got {len(result)})"
            )
        out = []
        for grad, meta, needed in zip(result, self._input_meta, self.needs_input_grad):
            if meta is None:
                continue
            if grad is None or not needed:
                out.append(None)
                continue
            if not create_graph:
                grad = grad._data if isinstance(grad, Tensor) else np.asarray(grad)
            elif not isinstance(grad, Tensor):
                grad = Tensor._make(np.asarray(grad))
            shape, dtype = meta
            grad = _fit_gradient(grad, shape, dtype, self._name)
            out.append(grad)
        return tuple(out)


def _op_name(node_name: str) -> str:
    """'ExpBackward0' -> 'Exp': the forward op a backward node belongs to."""
    return re.sub(r"Backward\d*$", "", node_name)


def _fit_gradient(grad, shape, dtype, name):
    """Sum away broadcast axes and cast to the input's dtype: done here once for every op."""
    if tuple(grad.shape) != tuple(shape):
        try:
            grad = _unbroadcast(grad, shape)
        except (ValueError, RuntimeError):
            raise RuntimeError(
                f"Function {name} returned an invalid gradient - got {list(grad.shape)} but expected "
                f"shape compatible with {list(shape)}"
            ) from None
    if hasattr(grad, "_data"):  # a tensor (double backward)
        return grad if grad.dtype is dtype else grad.to(dtype)
    return grad if grad.dtype == dtype.to_numpy() else grad.astype(dtype.to_numpy())


class Function:
    """Base class of a differentiable op: define ``forward(ctx, ...)`` and ``backward(ctx, ...)``,
    call ``apply``. ``forward`` runs without recording; ``apply`` adds one node to the graph."""

    _numpy = False  # forward/backward receive tensors (PyTorch's custom Function API)
    double_backward = True  # a backward written with tensor ops is itself differentiable
    node_name: str | None = None  # defaults to "<ClassName>Backward"

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    @classmethod
    def _node_name(cls) -> str:
        return cls.node_name or f"{cls.__name__}Backward"

    @classmethod
    def apply(cls, *args, **kwargs):
        Tensor = _tensor.Tensor

        tensors = [a for a in args if isinstance(a, Tensor)]
        record = grad_mode.is_grad_enabled() and any(t.requires_grad for t in tensors)
        if record and any(t._is_inference for t in tensors):
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. To work around you can make a clone "
                "to get a normal tensor and use it in autograd."
            )
        ctx = BackwardNode(cls, cls._node_name())
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        fwd_args = [a._data if cls._numpy and isinstance(a, Tensor) else a for a in args]
        if cls._numpy:
            with _ieee_quiet():  # arrays record nothing: no grad mode needed
                raw = cls.forward(ctx, *fwd_args, **kwargs)
        else:
            with grad_mode.no_grad():
                raw = cls.forward(ctx, *fwd_args, **kwargs)
        single = not isinstance(raw, tuple)
        outputs = [_wrap_output(o, cls._numpy, args, ctx) for o in ((raw,) if single else raw)]

        if cls._numpy and cls.is_view:
            for nr, out in enumerate(outputs):
                if np.may_share_memory(out._data, fwd_args[0]):
                    _mark_view(out, args[0], (cls, tuple(fwd_args[1:]), kwargs, None if single else nr))
        if record:
            ctx.next_functions = tuple(gradient_edge(t) for t in tensors)
            ctx._input_meta = [(a._data.shape, a.dtype) if isinstance(a, Tensor) else None for a in args]
            ctx._output_meta = [(o._data.shape, o.dtype) for o in outputs]
            non_diff = [id(x) for x in ctx._non_differentiable]
            for nr, (out, original) in enumerate(zip(outputs, (raw,) if single else raw)):
                if id(original) in non_diff or id(out) in non_diff or not out.dtype.is_floating_point:
                    continue
                out._requires_grad = True
                out.grad_fn, out._output_nr = ctx, nr
            ctx._pack_saved(tuple(args), outputs)
        else:
            ctx._to_save = ()
        return outputs[0] if single else tuple(outputs)


def _wrap_output(value, numpy_forward: bool, args: tuple, ctx: BackwardNode):
    """Turn what forward returned into a fresh output tensor (dirty inputs are returned themselves)."""
    Tensor = _tensor.Tensor

    if isinstance(value, Tensor):
        if any(value is d for d in ctx._dirty):
            value._bump_version()
            return value
        # Returning an input unchanged still makes a new tensor node, sharing the data.
        return Tensor._make(value._data) if any(value is a for a in args) or value.requires_grad \
            else value
    return Tensor._make(np.asarray(value))


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
    is_view = False  # True for ops whose output may share the input's storage (view, transpose, ...)

    @classmethod
    def _node_name(cls) -> str:
        return cls.node_name or f"{cls.__name__}Backward0"


class once_differentiable:  # noqa: N801 - PyTorch's name
    """Decorator for a backward that is not itself differentiable (accepted for compatibility)."""

    def __new__(cls, fn):
        return fn
